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
    // Every message got all its arguments (Fluent shows a missing one as `{$name}`).
    assert!(!text.contains("{$"), "{text}");
    assert!(
        text.contains("Stored blood pressure 142/91 mmHg, pulse 72/min"),
        "{text}"
    );
    assert!(text.contains("error: invalid input: systolic must be between 50 and 300 mmHg"));
    assert!(
        text.contains("error: this dose would go beyond the minimum of 360 minutes between doses")
    );
    assert!(
        text.contains("did you mean 6.2 mmol/L (112 mg/dL)?"),
        "{text}"
    );
    assert!(text.contains("Stored weight 81.4 kg"), "{text}");
    assert!(
        text.contains("grade 2 hypertension (ESH 2023, office readings)"),
        "{text}"
    );
    assert!(text.contains("URGENT: Low oxygen level (89 %)"), "{text}");
    assert!(text.contains("0.5 tablet"), "{text}");
    assert!(text.contains("office bp"), "{text}");
    // Journeys: started, a card read with its source, FINDRISC scored, the day at a glance.
    assert!(
        text.contains("Started Getting blood pressure under control"),
        "{text}"
    );
    assert!(text.contains("Source: World Health Organization"), "{text}");
    assert!(
        text.contains("so the test does not apply"),
        "FINDRISC is declined for her diagnosed diabetes: {text}"
    );
    assert!(text.contains("Mood check (PHQ-2): 1 points"), "{text}");
    assert!(text.contains("Stage 1 of 4"), "{text}");
    assert!(text.contains("Next appointment: "), "{text}");
    assert_eq!(
        text.matches("error:").count(),
        5,
        "only the four deliberate mistakes and the declined FINDRISC fail:\n{text}"
    );
    // Sharing through a relay on loopback: three devices converge.
    assert!(
        text.contains("Joined record") && text.contains("as caregiver"),
        "{text}"
    );
    assert!(text.contains("as clinician"), "{text}");
    assert!(text.contains("error: your role in this shared record may not change journal"));
    assert!(
        text.contains("Ramipril         5 mg       active   daily at 07:30"),
        "{text}"
    );
    assert!(text.contains("0 quarantined"), "{text}");
    assert!(!text.contains("quarantined (never applied)"), "{text}");
    assert!(
        text.contains("Riverside Clinic · clinician · device"),
        "{text}"
    );
    assert!(text.contains("admitted at log position 5"), "{text}");
    assert!(text.contains("URGENT: Very high blood pressure"));
    assert!(
        text.contains(
            "blood pressure      2 readings  mean 164/106 mmHg  systolic 142-185, diastolic 91-121"
        ),
        "{text}"
    );
    assert!(text.contains("Wrote the report of the last 30 days"));
    assert!(text.contains("Done."));
    // Issue 15: the report step names a real file that outlives the tour.
    assert!(
        !text.contains("{dir}") && !text.contains("{report}"),
        "{text}"
    );
    let report = std::env::temp_dir().join("companion-tour-report.html");
    assert!(text.contains(&*report.to_string_lossy()), "{text}");
    assert!(report.exists(), "the report stays after the tour");
}
