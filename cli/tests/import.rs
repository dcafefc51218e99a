//! `companion import` run as the real binary: killed with SIGKILL at random moments, it leaves
//! the record as before the import or as after it, never half; what it finished is checked by
//! the record's own check.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// A CSV of `n` readings, one every 26 minutes, all before now.
fn csv(n: usize) -> String {
    let start = chrono::Utc::now() - chrono::Duration::minutes(26 * n as i64 + 60);
    let mut text = String::from("time,kind,value,unit\n");
    for i in 0..n {
        let at = (start + chrono::Duration::minutes(26 * i as i64)).to_rfc3339();
        match i % 3 {
            0 => text.push_str(&format!("{at},bp,{}/{},mmHg\n", 120 + i % 40, 75 + i % 20)),
            1 => text.push_str(&format!(
                "{at},weight,{},kg\n",
                80.0 + (i % 50) as f64 / 10.0
            )),
            _ => text.push_str(&format!("{at},heart_rate,{},bpm\n", 60 + i % 30)),
        }
    }
    text
}

fn readings(db: &std::path::Path) -> usize {
    json(db, &["export", "--json"])["readings"]
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn sigkill_during_an_import_leaves_none_or_all_of_it() {
    const ROWS: usize = 50_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("readings.csv");
    std::fs::write(&file, csv(ROWS)).expect("write");
    let file = file.to_str().expect("utf-8").to_string();
    // How long a whole import takes here.
    let timed = dir.path().join("timed.db");
    ok(&timed, &["init", "--name", "Ana", "--tz", "UTC"]);
    let started = Instant::now();
    ok(&timed, &["import", &file]);
    let full = started.elapsed();
    assert_eq!(readings(&timed), ROWS);

    let (mut before, mut after) = (0, 0);
    for round in 0..8u32 {
        let db = dir.path().join(format!("r{round}.db"));
        ok(&db, &["init", "--name", "Ana", "--tz", "UTC"]);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_companion"))
            .args(["--db", db.to_str().expect("utf-8"), "import", &file])
            .env("COMPANION_HOME", home_of(&db))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Spread over the import's length and a little past it.
        let wait = full.mul_f64(f64::from(round) / 6.0);
        std::thread::sleep(wait.min(Duration::from_secs(60)));
        let _ = child.kill();
        let _ = child.wait();
        match readings(&db) {
            0 => before += 1,
            ROWS => after += 1,
            n => panic!("round {round}: {n} of {ROWS} readings after a kill"),
        }
        let check = companion(&db, &["check", "--full"]);
        assert!(
            check.status.success(),
            "round {round}: {}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
    eprintln!("killed before the import finished: {before}; after: {after}");
    assert!(after > 0, "some rounds let the import finish");
}

/// A file that breaks after more rows than the import writes at a time: the rows before the
/// break were already flushed inside the import's transaction, and must not stay.
#[test]
fn a_file_broken_after_thousands_of_rows_imports_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    ok(&db, &["init", "--name", "Ana", "--tz", "UTC"]);
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HealthData locale=\"en_US\">\n");
    let start = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+00:00").expect("time");
    for i in 0..5_000 {
        let at = (start + chrono::Duration::minutes(10 * i)).format("%Y-%m-%d %H:%M:%S %z");
        xml.push_str(&format!(
            " <Record type=\"HKQuantityTypeIdentifierHeartRate\" sourceName=\"Watch\" unit=\"count/min\" startDate=\"{at}\" endDate=\"{at}\" value=\"{}\"/>\n",
            60 + i % 30
        ));
    }
    xml.push_str(" <Record type=\"HKQuantityTypeIdentifierHeartRate\" value=\"7\n");
    let file = dir.path().join("export.xml");
    std::fs::write(&file, xml).expect("write");
    let out = companion(&db, &["import", file.to_str().expect("utf-8")]);
    assert!(!out.status.success(), "a broken file is refused");
    assert_eq!(readings(&db), 0, "nothing of it stays");
}

/// A file that is not what its format says is refused in the record's language, naming what
/// it should have been, and nothing is imported: a JSON file given as HealthKit's export is not
/// an import of nothing.
#[test]
fn a_file_of_another_kind_is_refused_in_the_records_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    ok(
        &db,
        &[
            "init",
            "--name",
            "Mei",
            "--tz",
            "Asia/Shanghai",
            "--lang",
            "zh-Hans",
        ],
    );
    let file = dir.path().join("readings.json");
    std::fs::write(&file, "{\"records\": [").expect("write");
    let path = file.to_str().expect("utf-8");
    refused(
        &db,
        &["import", path],
        1,
        "不是Health Connect 记录的 JSON 文件",
    );
    refused(
        &db,
        &["import", "--format", "healthkit", path],
        1,
        "不是HealthKit 的 export.xml",
    );
    assert_eq!(readings(&db), 0);
}
