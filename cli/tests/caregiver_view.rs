//! Issue 34 through the command line: alerts that stay until someone has seen them, and very
//! high glucose.

mod common;

use common::{init, ok};

#[test]
fn last_nights_crisis_is_still_on_today_as_improving_after_a_stage_2_reading() {
    let dir = tempfile::tempdir().expect("dir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "186/122", "--at", "-10h"]);
    ok(&db, &["reading", "add", "bp", "150/94", "--at", "-1h"]);
    let today = ok(&db, &["today"]);
    assert!(
        today.contains("Very high blood pressure (186/122 mmHg"),
        "{today}"
    );
    assert!(today.contains("Improving: 150/94 mmHg"), "{today}");
    let list = ok(&db, &["alerts", "list"]);
    assert!(list.contains("(Improving: 150/94 mmHg"), "{list}");
    // Back in range: the resolution names the reading.
    ok(&db, &["reading", "add", "bp", "122/76", "--at", "-5m"]);
    let list = ok(&db, &["alerts", "list"]);
    assert!(list.contains("(Back in range: 122/76 mmHg"), "{list}");
    let today = ok(&db, &["today"]);
    assert!(today.contains("Back in range: 122/76 mmHg"), "{today}");
}

#[test]
fn glucose_of_420_tells_of_ketones() {
    let dir = tempfile::tempdir().expect("dir");
    let db = init(&dir);
    let out = ok(&db, &["reading", "add", "glucose", "420"]);
    assert!(out.contains("Very high glucose"), "{out}");
    assert!(out.contains("ketones above 240 mg/dL"), "{out}");
    assert!(!out.contains("URGENT"), "not urgent: {out}");
    let today = ok(&db, &["today"]);
    assert!(today.contains("Very high glucose (420 mg/dL"), "{today}");
}
