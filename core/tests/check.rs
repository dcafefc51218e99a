//! A record that checks itself: an index row edited behind its back is not served, `check`
//! finds it, `repair` rebuilds it from the documents; a damaged page is reported and stops
//! writes.

mod common;

use common::{bp, keys, new_record};
use companion_core::model::Measurement;
use companion_core::{Error, HealthRecord, ReadingQuery};

fn tamper(path: &std::path::Path) {
    let conn = common::sqlite(path);
    let changed = conn
        .execute(
            "UPDATE entries SET body = replace(body, '\"systolic\":152', '\"systolic\":219')
             WHERE collection = 'readings'",
            [],
        )
        .expect("edit behind the record's back");
    assert_eq!(
        changed, 2,
        "every readings row is rewritten, one really changes"
    );
}

#[test]
fn an_index_row_edited_behind_the_records_back_is_found_refused_and_repaired() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let mut record = new_record(&dir);
    let high = bp(152, 91, "2026-11-20T08:00:00+01:00");
    record.add_reading(&high).expect("add");
    record
        .add_reading(&bp(128, 82, "2026-11-21T08:00:00+01:00"))
        .expect("add");
    assert!(record.check_full().expect("check").is_ok());
    drop(record);

    tamper(&path);
    let mut record = HealthRecord::open(&path, &keys(&path)).expect("open");
    // Not served as fact.
    let err = record.reading(&high.id).expect_err("refused");
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(record.readings(&ReadingQuery::default()).is_err());
    // And nothing more is written into a record known to be damaged.
    let err = record
        .add_reading(&bp(120, 80, "2026-11-22T08:00:00+01:00"))
        .expect_err("refused");
    assert!(err.to_string().contains("writes are refused"), "{err}");

    let report = record.check_full().expect("check");
    assert!(!report.is_ok());
    assert!(report.index_only(), "{report:?}");
    assert_eq!(report.bad_checksums, 1, "{report:?}");
    assert_eq!(report.differing_rows, 1, "{report:?}");
    assert_eq!(report.collections, vec!["readings".to_string()]);
    let text = format!("{report:?}");
    assert!(
        !text.contains("219") && !text.contains("152"),
        "no values in the report"
    );

    let repaired = record.repair().expect("repair");
    assert!(repaired.rebuilt);
    assert!(repaired.after.is_ok(), "{repaired:?}");
    let back = record.reading(&high.id).expect("served again");
    assert!(matches!(
        back.measurement,
        Measurement::BloodPressure { systolic: 152, .. }
    ));
    record
        .add_reading(&bp(120, 80, "2026-11-22T08:00:00+01:00"))
        .expect("writes allowed again");
    assert!(record.check_full().expect("check").is_ok());
}

#[test]
fn a_damaged_page_is_reported_and_stops_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let mut record = new_record(&dir);
    let readings: Vec<_> = (0..400)
        .map(|i| {
            bp(
                110 + (i % 40) as u16,
                70,
                &format!("2026-11-{:02}T{:02}:00:00+01:00", 1 + i / 20, i % 20),
            )
        })
        .collect();
    record.add_readings(&readings).expect("add");
    record.compact().expect("compact");
    drop(record);
    // Fold the WAL into the file, then overwrite a page in the middle of it.
    let conn = common::sqlite(&path);
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    let page: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("page size");
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("page count");
    drop(conn);
    let mut bytes = std::fs::read(&path).expect("read");
    let start = (pages / 2 * page) as usize;
    for b in &mut bytes[start..start + page as usize] {
        *b = 0x5a;
    }
    std::fs::write(&path, &bytes).expect("damage");

    let mut record = match HealthRecord::open(&path, &keys(&path)) {
        Ok(r) => r,
        // SQLite may notice at once: then that is the clear error.
        Err(e) => {
            assert_eq!(
                e.storage_kind(),
                Some(companion_core::StorageKind::Corrupt),
                "{e:?}"
            );
            return;
        }
    };
    let report = record.check_full().expect("check runs");
    assert!(!report.is_ok());
    assert!(!report.integrity.is_empty(), "{report:?}");
    assert!(!report.index_only());
    // Reading everything touches the damage; from then on nothing is written.
    let _ = record.readings(&ReadingQuery::default());
    let _ = record.export();
    let write = record.add_reading(&bp(120, 80, "2026-11-30T08:00:00+01:00"));
    assert!(write.is_err(), "no write into a damaged file");
    let repaired = record.repair().expect("repair reports");
    assert!(
        !repaired.after.is_ok(),
        "the file itself stays damaged: {repaired:?}"
    );
}
