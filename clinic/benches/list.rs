//! The patient list over many patients with a year of data each: the JSON behind the list and
//! the list's HTML (its first paint: the page has no script), side by side with a bare SQL
//! aggregate over the same rows in one plain SQLite table (per patient and kind over the
//! period: count, mean, latest; taken over logged doses), the least raw SQLite could do for
//! the same figures. Cold (every row computed, on every core) and warm (no record written
//! since the last list: rows reused). Interleaved: baseline, JSON, warm JSON, HTML, in turn,
//! each run; medians printed with the ratios.
//!
//! Run: `cargo bench -p companion-clinic --bench list` (COMPANION_BENCH_PATIENTS, default
//! 1000; the setup writes about 1,100 readings and 180 doses per patient). Numbers are
//! printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, NaiveTime, Utc};
use companion_clinic::gather::{Records, patient_rows};
use companion_clinic::pages;
use companion_clinic::row::sort_by_need;
use companion_core::device::Device;
use companion_core::keystore::{KeyStore, MemoryKeyStore};
use companion_core::model::{
    DoseAmount, DoseEvent, DoseStatus, MealContext, Measurement, Medication, Profile, Reading,
    Schedule,
};
use companion_core::zone::Zone;
use rusqlite::{Connection, params};

const RUNS: usize = 5;
const DAYS: u32 = 30;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let patients: usize = std::env::var("COMPANION_BENCH_PATIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let device = Device::open(dir.path(), keys).unwrap();
    let mut sql = Connection::open(dir.path().join("plain.db")).unwrap();
    sql.execute_batch(
        "CREATE TABLE readings (patient INTEGER NOT NULL, kind TEXT NOT NULL, at_ms INTEGER NOT NULL, v1 REAL NOT NULL, v2 REAL);
         CREATE INDEX readings_by_time ON readings (at_ms);
         CREATE TABLE doses (patient INTEGER NOT NULL, at_ms INTEGER NOT NULL, taken INTEGER NOT NULL);
         CREATE INDEX doses_by_time ON doses (at_ms);",
    )
    .unwrap();
    let now = Utc::now();
    let start = now - Span::days(365);
    let setup = Instant::now();
    for p in 0..patients {
        let mut record = device
            .create(&Profile::new(&format!("Patient {p:04}"), "Europe/Berlin").unwrap())
            .unwrap();
        let mut readings = Vec::new();
        for day in 0..365 {
            let morning = (start + Span::days(day) + Span::hours(7)).fixed_offset();
            let sys = 120 + ((p * 7 + day as usize * 3) % 45) as u16;
            let dia = 70 + ((p * 5 + day as usize) % 25) as u16;
            for (i, at) in [morning, morning + Span::hours(12)].into_iter().enumerate() {
                let m = Measurement::BloodPressure {
                    systolic: sys + i as u16,
                    diastolic: dia,
                    pulse: None,
                };
                readings.push(Reading::new(m, at).unwrap());
            }
            let g = Measurement::Glucose {
                mg_dl: 90.0 + ((p * 11 + day as usize * 13) % 90) as f64,
                context: MealContext::Fasting,
            };
            readings.push(Reading::new(g, morning).unwrap());
            if day % 7 == 0 {
                let w = Measurement::Weight {
                    kg: 70.0 + (p % 30) as f64,
                };
                readings.push(Reading::new(w, morning).unwrap());
            }
        }
        record.add_readings(&readings).unwrap();
        let mut m = Medication::new(
            "Ramipril",
            DoseAmount::parse("5 mg").unwrap(),
            Schedule::FixedTimes {
                times: vec![
                    NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
                    NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
                ],
            },
            (now - Span::days(90)).date_naive(),
        )
        .unwrap();
        m.recorded_at = None;
        record.add_medication(&m).unwrap();
        let zone = Zone::named("Europe/Berlin").unwrap();
        let mut doses = Vec::new();
        for day in 0..89 {
            let date = (now - Span::days(89 - day))
                .with_timezone(&zone)
                .date_naive();
            for h in [8, 20] {
                if (p + day as usize + h).is_multiple_of(6) {
                    continue; // missed
                }
                let scheduled = date
                    .and_hms_opt(h as u32, 0, 0)
                    .unwrap()
                    .and_local_timezone(zone.clone())
                    .earliest()
                    .unwrap()
                    .fixed_offset();
                let dose = DoseEvent::new(
                    &m.id,
                    DoseStatus::Taken,
                    scheduled + Span::minutes(10),
                    Some(scheduled),
                )
                .unwrap();
                doses.push(dose);
            }
        }
        record.import_doses(&doses).unwrap();
        let tx = sql.transaction().unwrap();
        for r in &readings {
            let (v1, v2) = r.measurement.values();
            tx.execute(
                "INSERT INTO readings VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    p as i64,
                    r.measurement.kind().as_str(),
                    r.at.timestamp_millis(),
                    v1,
                    v2
                ],
            )
            .unwrap();
        }
        for d in &doses {
            tx.execute(
                "INSERT INTO doses VALUES (?1, ?2, 1)",
                params![p as i64, d.at.timestamp_millis()],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    println!(
        "setup: {patients} patients, a year of data each, in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let from_ms = (now - Span::days(i64::from(DAYS))).timestamp_millis();
    let aggregate = || {
        let mut stmt = sql
            .prepare_cached(
                "SELECT patient, kind, count(*), avg(v1), avg(v2), max(at_ms) FROM readings
                 WHERE at_ms >= ?1 GROUP BY patient, kind",
            )
            .unwrap();
        let rows: Vec<(i64, String, i64, f64, Option<f64>, i64)> = stmt
            .query_map([from_ms], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut stmt = sql
            .prepare_cached(
                "SELECT patient, count(*), sum(taken) FROM doses WHERE at_ms >= ?1 GROUP BY patient",
            )
            .unwrap();
        let doses: Vec<(i64, i64, i64)> = stmt
            .query_map([from_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (rows, doses)
    };
    // Cold: every row computed (the first list after the workspace starts, or every record
    // written since); warm: no record written since the last list, a minute ago at most.
    let mut warm_records = Records::default();
    let mut json = |cold: bool| {
        let mut fresh = Records::default();
        let records = if cold { &mut fresh } else { &mut warm_records };
        let (mut rows, _) = patient_rows(records, &device, DAYS, Utc::now()).unwrap();
        sort_by_need(&mut rows);
        let bytes = serde_json::to_vec(&rows).unwrap();
        (rows, bytes)
    };
    let zone = Zone::utc();
    let (mut base, mut api, mut paint, mut warm) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let t = Instant::now();
        black_box(aggregate());
        base.push(t.elapsed());
        let t = Instant::now();
        black_box(json(true));
        api.push(t.elapsed());
        let t = Instant::now();
        black_box(json(false));
        warm.push(t.elapsed());
        let t = Instant::now();
        let (rows, _) = json(true);
        let html = pages::list(&pages::ListView {
            rows: &rows,
            unreadable: 0,
            days: DAYS,
            filters: &[],
            who: ("bench", "token"),
            zone: &zone,
        });
        black_box(html);
        paint.push(t.elapsed());
    }
    let (base, api, paint, warm) = (median(base), median(api), median(paint), median(warm));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("list of {patients} patients over {DAYS} days, median of {RUNS} interleaved runs:");
    println!("  bare SQL aggregate (baseline)  {:>10.1} ms", ms(base));
    println!(
        "  the list's JSON                {:>10.1} ms  {:>7.1}x",
        ms(api),
        ms(api) / ms(base)
    );
    println!(
        "  the list's HTML (first paint)  {:>10.1} ms  {:>7.1}x",
        ms(paint),
        ms(paint) / ms(base)
    );
    println!(
        "  the list's JSON, nothing new   {:>10.1} ms  {:>7.1}x",
        ms(warm),
        ms(warm) / ms(base)
    );
}
