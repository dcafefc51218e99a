//! A clinic's device syncing many records with nothing new (`Device::sync_all`, what the
//! workspace's background sync does every minute), against a real relay process on loopback,
//! side by side with two floors in the same run, interleaved: one plain HTTP request per
//! record to the same relay (`GET /health` on a kept-alive connection: the network's share) and
//! opening every record file once (the storage's share).
//!
//! Run: `cargo bench -p companion-scenarios --bench many_records` (COMPANION_BENCH_RECORDS,
//! default 1000). Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use companion_core::HealthRecord;
use companion_core::device::Device;
use companion_core::keystore::{KeyStore, MemoryKeyStore};
use companion_core::model::Profile;
use companion_core::sync::HttpTransport;
use companion_scenarios::RelayProcess;

const RUNS: usize = 3;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    companion_scenarios::relay_child();
    let n: usize = std::env::var("COMPANION_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    // One address creates every record here: the relay's per-address limit on creating
    // records (120 a minute) is lifted for the setup.
    let relay = RelayProcess::start_with(
        dir.path(),
        "bench-relay",
        &[("COMPANION_RELAY_ADDRESS_RATE", "1000000")],
    );
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let device = Device::open(&dir.path().join("clinic"), keys).unwrap();
    let mut transport = HttpTransport::new().unwrap();
    let setup = Instant::now();
    for i in 0..n {
        let mut record = device
            .create(&Profile::new(&format!("Patient {i:04}"), "Europe/Berlin").unwrap())
            .unwrap();
        record.share(&relay.url, &mut transport).unwrap();
    }
    // One pass to settle what the shares left to send.
    device.sync_all(&mut transport).unwrap();
    println!(
        "setup: {n} shared records in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let client = reqwest::blocking::Client::new();
    let health = format!("{}/health", relay.url);
    let (mut http, mut open, mut sync) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let t = Instant::now();
        for _ in 0..n {
            let r = client.get(&health).send().unwrap();
            black_box(r.bytes().unwrap());
        }
        http.push(t.elapsed());
        let t = Instant::now();
        for (path, keys) in device.record_files().unwrap() {
            black_box(HealthRecord::open(&path, &keys).unwrap().id().len());
        }
        open.push(t.elapsed());
        let t = Instant::now();
        let synced = device.sync_all(&mut transport).unwrap();
        sync.push(t.elapsed());
        assert_eq!(synced.len(), n);
        assert!(synced.iter().all(|s| s.result.is_ok()));
    }
    let (http, open, sync) = (median(http), median(open), median(sync));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("{n} records with nothing new, median of {RUNS} interleaved runs:");
    println!("  one plain HTTP request per record  {:>9.0} ms", ms(http));
    println!("  opening every record file once     {:>9.0} ms", ms(open));
    println!(
        "  sync_all                           {:>9.0} ms  {:.1}x the two floors together",
        ms(sync),
        ms(sync) / (ms(http) + ms(open))
    );
}
