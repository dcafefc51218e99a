//! Issue 34 through the command line: alerts that stay until someone has seen them, very high
//! glucose, and a backup that holds the whole record and restores it exactly.

mod common;

use common::{add_med, companion, init, json, ok, sqlite};

/// A new record for `name` in Shanghai, in `lang`, at `file` in `dir`; init's line is checked
/// to be in that language.
fn record_in(dir: &tempfile::TempDir, file: &str, name: &str, lang: &str) -> std::path::PathBuf {
    let db = dir.path().join(file);
    let created = ok(
        &db,
        &[
            "init",
            "--name",
            name,
            "--tz",
            "Asia/Shanghai",
            "--lang",
            lang,
        ],
    );
    let said = if lang == "zh-Hans" {
        format!("已为 {name} 创建记录")
    } else {
        format!("Created a record for {name}")
    };
    assert!(created.starts_with(&said), "{created}");
    db
}

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

/// A record with something in every collection the store keeps.
fn full_record(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = init(dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    ok(&db, &["med", "edit", "Metformin", "--inventory", "30"]);
    ok(&db, &["med", "refill", "Metformin", "--amount", "60"]);
    ok(
        &db,
        &[
            "dose",
            "take",
            "Metformin",
            "--at",
            "2026-11-30T08:05:00+01:00",
        ],
    );
    ok(&db, &["reading", "add", "bp", "186/122", "--at", "-3h"]);
    ok(&db, &["reading", "add", "bp", "150/94", "--at", "-2h"]);
    ok(&db, &["targets", "set", "--by", "Dr Lee", "--bp", "130/80"]);
    let visit = (chrono::Utc::now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    ok(&db, &["plan", "home-bp", "--before", &visit]);
    ok(
        &db,
        &[
            "appointment",
            "add",
            "GP check-up",
            "--at",
            &format!("{visit} 09:30"),
        ],
    );
    ok(&db, &["journal", "add", "Slept well", "--mood", "4"]);
    ok(&db, &["journey", "start", "hypertension-12w"]);
    ok(&db, &["ask", "phq2", "q1=1", "q2=2"]);
    ok(&db, &["profile", "set", "--tz", "Asia/Shanghai"]);
    db
}

/// The store's entries per collection, live ones, read from the file itself.
fn stored(db: &std::path::Path) -> Vec<(String, i64)> {
    let conn = sqlite(db);
    let mut st = conn
        .prepare(
            "SELECT collection, COUNT(*) FROM entries WHERE deleted = 0 \
             GROUP BY collection ORDER BY collection",
        )
        .expect("query");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
}

#[test]
fn export_json_holds_every_collection_the_store_holds() {
    let dir = tempfile::tempdir().expect("dir");
    let db = full_record(&dir);
    let export = json(&db, &["export", "--json"]);
    let key = |collection: &str| {
        match collection {
            "responses" => "questionnaire_responses",
            "templates" => "journey_templates",
            other => other,
        }
        .to_string()
    };
    let stored = stored(&db);
    assert!(stored.len() >= 14, "every collection is filled: {stored:?}");
    for (collection, count) in stored {
        let held = match &export[key(&collection)] {
            serde_json::Value::Array(list) => list.len() as i64,
            serde_json::Value::Object(_) => 1,
            other => panic!("{collection} is not in the export: {other}"),
        };
        assert_eq!(held, count, "{collection}");
    }
}

#[test]
fn restore_puts_a_backup_into_a_new_record_exactly_and_refuses_a_record_that_is_not_empty() {
    let dir = tempfile::tempdir().expect("dir");
    let db = full_record(&dir);
    let backup = dir.path().join("backup.json");
    ok(
        &db,
        &["export", "--json", "--out", backup.to_str().expect("utf-8")],
    );
    let copy = dir.path().join("copy.db");
    let out = ok(&copy, &["restore", backup.to_str().expect("utf-8")]);
    assert!(out.starts_with("Restored "), "{out}");
    let mut before = json(&db, &["export", "--json"]);
    let mut after = json(&copy, &["export", "--json"]);
    before["record_id"] = serde_json::Value::Null;
    after["record_id"] = serde_json::Value::Null;
    assert_eq!(before, after);
    assert_eq!(stored(&db), stored(&copy));

    // Into a record that is not empty: refused, nothing changes.
    let out = companion(&db, &["restore", backup.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(
        json(&db, &["export", "--json"])["readings"],
        before["readings"]
    );

    // Into a record just made, with its profile only: allowed.
    let fresh = dir.path().join("fresh.db");
    ok(&fresh, &["init", "--name", "Ana", "--tz", "Europe/Berlin"]);
    ok(&fresh, &["restore", backup.to_str().expect("utf-8")]);
    let mut again = json(&fresh, &["export", "--json"]);
    again["record_id"] = serde_json::Value::Null;
    assert_eq!(before, again);

    // A file that is not a backup: refused, no record left behind.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, b"{\"profile\": 3}").expect("write");
    let nowhere = dir.path().join("nowhere.db");
    let out = companion(&nowhere, &["restore", junk.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a backup written by companion export --json"),
        "{err}"
    );
    assert!(!nowhere.exists());
}

#[test]
fn findrisc_is_declined_for_a_diagnosed_diabetes_with_the_reason_in_the_records_language() {
    let dir = tempfile::tempdir().expect("dir");
    let answers = [
        "age=under-45",
        "bmi=under-25",
        "waist=low",
        "active=yes",
        "vegetables=every-day",
        "bp-medication=no",
        "high-glucose=no",
        "family=no",
    ];
    for (lang, needle) in [("en", "does not apply"), ("zh-Hans", "不适用")] {
        let db = record_in(&dir, &format!("{lang}.db"), "Mei", lang);
        ok(&db, &["profile", "set", "--condition", "type 2 diabetes"]);
        let mut args = vec!["ask", "findrisc"];
        args.extend(answers);
        let out = companion(&db, &args);
        assert_eq!(out.status.code(), Some(1), "{lang}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{lang}: {err}");
        assert_eq!(
            json(&db, &["export", "--json"])["questionnaire_responses"],
            serde_json::json!([]),
            "nothing stored"
        );
    }
    // A questionnaire that applies, in a Chinese record: its result reads in Chinese only.
    let db = dir.path().join("zh-Hans.db");
    let out = ok(&db, &["ask", "phq2", "q1=1", "q2=2"]);
    assert!(
        out.contains("分") && out.contains("已保存到记录中"),
        "{out}"
    );
    for english in ["points", "Stored", "Source", "Please"] {
        assert!(!out.contains(english), "{english} in: {out}");
    }
}

/// Words a Chinese page may hold: units, acronyms, and what the patient typed or runs.
fn english_words(text: &str) -> Vec<String> {
    let allowed = [
        "mmHg",
        "mmol",
        "kg",
        "mg",
        "companion",
        "profile",
        "set",
        "allergy",
        "none",
        "allergies",
        "journey",
        "read",
        "home",
        "bp",
        "how",
        "salt",
        "today",
    ];
    text.lines()
        // A card's source is the publication's own title.
        .filter(|l| !l.trim_start().starts_with("来源："))
        .flat_map(|l| {
            // Ids and times in brackets are for copying, not reading.
            let mut kept = String::new();
            let mut depth = 0;
            for c in l.chars() {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ if depth == 0 => kept.push(c),
                    _ => {}
                }
            }
            // Ids aside: a UUID (hex groups joined by '-'), or letters with digits.
            let kept: Vec<&str> = kept
                .split(|c: char| c.is_whitespace() || "（）()：:，,".contains(c))
                .filter(|t| {
                    !(t.contains('-') && t.chars().all(|c| c == '-' || c.is_ascii_hexdigit()))
                })
                .collect();
            kept.join(" ")
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
                .filter(|w| w.len() > 1 && w.chars().any(|c| c.is_ascii_lowercase()))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| !allowed.contains(&w.as_str()))
        .collect()
}

#[test]
fn a_chinese_record_reads_chinese_on_today_plan_and_targets() {
    let dir = tempfile::tempdir().expect("dir");
    let db = record_in(&dir, "zh.db", "李梅", "zh-Hans");
    add_med(&db, "二甲双胍", "500 mg", "08:00,20:00");
    ok(&db, &["med", "edit", "二甲双胍", "--inventory", "3"]);
    ok(&db, &["reading", "add", "bp", "186/122", "--at", "-10h"]);
    ok(&db, &["reading", "add", "bp", "150/94", "--at", "-1h"]);
    let visit = (chrono::Utc::now() + chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();
    let plan = ok(&db, &["plan", "home-bp", "--before", &visit]);
    assert!(plan.contains("血压测量"), "{plan}");
    ok(&db, &["journey", "start", "hypertension-12w"]);
    ok(&db, &["targets", "set", "--by", "李医生", "--bp", "130/80"]);
    let targets = ok(&db, &["targets", "show"]);
    assert!(
        targets.contains("+08:00 设定"),
        "the patient's clock: {targets}"
    );
    let today = ok(&db, &["today"]);
    assert!(today.contains("好转中"), "{today}");
    for page in [&plan, &targets, &today] {
        assert_eq!(english_words(page), Vec::<String>::new(), "{page}");
    }
    let reminders = ok(&db, &["reminders", "--hours", "48", "--json"]);
    assert!(
        reminders.contains("先安静坐 5 分钟") && !reminders.contains("Sit quietly"),
        "the measurement reminder in Chinese: {reminders}"
    );
}

#[test]
fn stats_say_why_typed_glucose_has_no_time_in_range() {
    let dir = tempfile::tempdir().expect("dir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "glucose", "110", "--at", "-2h"]);
    ok(&db, &["reading", "add", "glucose", "140", "--at", "-1h"]);
    let out = ok(&db, &["stats", "--days", "7"]);
    assert!(out.contains("no sensor interval"), "{out}");
    assert!(out.contains("--sensor-minutes"), "{out}");
}

#[test]
fn a_chinese_record_reads_chinese_in_its_lists_and_refusals() {
    let dir = tempfile::tempdir().expect("dir");
    let db = record_in(&dir, "zh.db", "李梅", "zh-Hans");
    add_med(&db, "二甲双胍", "500 mg", "08:00,20:00");
    ok(&db, &["reading", "add", "bp", "150/94", "--at", "-2h"]);
    ok(
        &db,
        &[
            "reading",
            "add",
            "glucose",
            "7.2",
            "--context",
            "fasting",
            "--at",
            "-1h",
        ],
    );
    ok(&db, &["journal", "add", "有点累", "--mood", "3"]);
    let mut pages = Vec::new();
    for args in [
        &["med", "list"][..],
        &["reading", "list"],
        &["journal", "list"],
        &["stats", "--days", "7"],
        &["profile", "show"],
        &["journey", "list"],
        &["adherence", "--days", "7"],
    ] {
        pages.push(ok(&db, args));
    }
    for page in &pages {
        // The ids of the templates and the zone's name are for copying, not reading.
        let words: Vec<String> = english_words(page)
            .into_iter()
            .filter(|w| {
                ![
                    "hypertension",
                    "type",
                    "diabetes",
                    "surgery",
                    "recovery",
                    "Asia",
                    "Shanghai",
                    "ESH",
                    "Companion",
                    "built",
                    "in",
                    "sensor",
                    "minutes",
                ]
                .contains(&w.as_str())
            })
            .collect();
        assert_eq!(words, Vec::<String>::new(), "{page}");
    }
    // Refusals too.
    let out = companion(&db, &["reading", "add", "bp", "400/91"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("收缩压必须在 50 到 300 mmHg 之间"), "{err}");
    ok(
        &db,
        &[
            "dose",
            "take",
            "二甲双胍",
            "--scheduled",
            "yesterday 08:00",
            "--at",
            "yesterday 08:05",
        ],
    );
    let out = companion(
        &db,
        &[
            "dose",
            "take",
            "二甲双胍",
            "--scheduled",
            "yesterday 08:00",
            "--at",
            "yesterday 08:10",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("这次剂量已由 李梅") && err.contains("--confirm"),
        "{err}"
    );
    // With a dose taken, adherence and the reminders read Chinese too.
    for args in [
        &["adherence", "--days", "3"][..],
        &["reminders", "--hours", "24"],
    ] {
        let page = ok(&db, args);
        assert!(!page.trim().is_empty(), "{args:?}");
        assert_eq!(english_words(&page), Vec::<String>::new(), "{page}");
    }
}

#[test]
fn a_chinese_record_refuses_in_chinese_whatever_refuses() {
    let dir = tempfile::tempdir().expect("dir");
    let db = record_in(&dir, "zh.db", "李梅", "zh-Hans");
    add_med(&db, "二甲双胍", "500 mg", "08:00,20:00");
    for (args, needle) in [
        (
            &["journal", "add", ""][..],
            "日记条目：需要文字、情绪或症状",
        ),
        (
            &["reading", "add", "bp", "120/80", "--at", "1800-01-01T00:00"],
            "日期早于 1900 年",
        ),
        (
            &["today", "--tz", "Mars/Base"],
            "设备时区不是已知的 IANA 时区",
        ),
        (&["reading", "delete", "0123abcd"], "找不到该编号的测量"),
        (&["reading", "add", "weight", "1,000"], "体重"),
        (
            &["med", "add", "X", "--dose", "5 mg", "--cycle", "3x"],
            "应为两个整数",
        ),
        (&["sync"], "尚未共享"),
    ] {
        let out = companion(&db, args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        let words: Vec<String> = english_words(&err)
            .into_iter()
            .filter(|w| {
                ![
                    "error", "cycle", "init", "tz", "name", "invite", "role", "relay", "join",
                ]
                .contains(&w.as_str())
            })
            .collect();
        assert_eq!(words, Vec::<String>::new(), "{args:?}: {err}");
    }
    // Before a record is open, the system's language.
    let missing = dir.path().join("none").join("r.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_companion"))
        .arg("--db")
        .arg(&missing)
        .arg("today")
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("处没有记录"), "{err}");
    let out = companion(&missing, &["today"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no record at"),
        "English without a Chinese system"
    );
}
