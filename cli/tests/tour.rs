//! `companion tour`.

use std::process::Command;

#[test]
fn the_tour_runs_every_step() {
    let out = Command::new(env!("CARGO_BIN_EXE_companion"))
        .arg("tour")
        .output()
        .expect("tour");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains("Stored blood pressure 142/91 mmHg, pulse 72/min"),
        "{text}"
    );
    assert!(text.contains("error: invalid input: systolic must be between 50 and 300 mmHg"));
    assert!(
        text.contains("error: this dose would go beyond the minimum of 360 minutes between doses")
    );
    assert_eq!(
        text.matches("error:").count(),
        2,
        "only the two deliberate mistakes fail:\n{text}"
    );
    assert!(text.contains("URGENT: Very high blood pressure"));
    assert!(
        text.contains("blood pressure      2 readings  mean 163.5/106 mmHg"),
        "{text}"
    );
    assert!(text.contains("Wrote the report of the last 30 days"));
    assert!(text.contains("Done."));
}
