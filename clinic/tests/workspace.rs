//! The workspace over real HTTP on loopback, with real record files and a real staff file:
//! nothing answers without an open session, a post without the session's form token changes
//! nothing, bad input is refused with the field named and changes nothing, a name is locked out
//! after repeated wrong passwords, and every patient viewed or changed is in the access log.
#![allow(missing_docs)]

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime, Utc};
use companion_clinic::{Clinic, Staff, router};
use companion_core::device::Device;
use companion_core::keystore::{KeyStore, MemoryKeyStore};
use companion_core::model::{DoseAmount, Measurement, Medication, Profile, Reading, Schedule};
use companion_core::zone::Zone;
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};

const PASSWORD: &str = "correct horse battery";

struct Workspace {
    base: String,
    client: Client,
    device: Device,
    keys: Arc<dyn KeyStore>,
    dir: tempfile::TempDir,
    patient: String,
    medication: String,
}

fn workspace(secure_cookie: bool) -> Workspace {
    let dir = tempfile::tempdir().expect("dir");
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
    let device = Device::open(dir.path(), keys.clone()).expect("device");
    let mut record = device
        .create(&Profile::new("Ana", "UTC").expect("profile"))
        .expect("record");
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut m = Medication::new(
        "Amlodipine",
        DoseAmount::parse("5 mg").expect("dose"),
        Schedule::FixedTimes {
            times: vec![NaiveTime::from_hms_opt(8, 0, 0).expect("t")],
        },
        start,
    )
    .expect("med");
    m.recorded_at = Some(Utc::now());
    record.add_medication(&m).expect("add");
    let bp = Reading::new(
        Measurement::BloodPressure {
            systolic: 150,
            diastolic: 95,
            pulse: None,
        },
        Utc::now().fixed_offset(),
    )
    .expect("reading");
    record.add_reading(&bp).expect("reading");
    let patient = record.id().to_string();
    drop(record);
    let staff = Staff::open(dir.path(), &keys).expect("staff");
    staff
        .set_user("dr.lee", PASSWORD, Utc::now())
        .expect("user");
    let clinic = Arc::new(Clinic::new(
        device.clone(),
        staff,
        Zone::utc(),
        secure_cookie,
    ));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            axum::serve(listener, router(clinic)).await.expect("serve");
        });
    });
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Workspace {
        base: format!("http://{addr}"),
        client,
        device,
        keys,
        dir,
        patient,
        medication: m.id,
    }
}

impl Workspace {
    fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut r = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            r = r.header("cookie", format!("companion_clinic={c}"));
        }
        r.send().expect("get")
    }

    fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Response {
        let mut r = self.client.post(format!("{}{path}", self.base)).form(form);
        if let Some(c) = cookie {
            r = r.header("cookie", format!("companion_clinic={c}"));
        }
        r.send().expect("post")
    }

    /// Signs in; returns the session token and the Set-Cookie header.
    fn sign_in(&self) -> (String, String) {
        let r = self.post(
            "/login",
            None,
            &[("name", "dr.lee"), ("password", PASSWORD)],
        );
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let set = r
            .headers()
            .get("set-cookie")
            .expect("cookie")
            .to_str()
            .expect("ascii")
            .to_string();
        let token = set
            .split(';')
            .next()
            .and_then(|c| c.split_once('='))
            .map(|(_, v)| v.to_string())
            .expect("token");
        (token, set)
    }

    fn form_token(&self, cookie: &str) -> String {
        let page = self
            .get(&format!("/patients/{}", self.patient), Some(cookie))
            .text()
            .expect("page");
        let at = page
            .find("name=\"form_token\" value=\"")
            .expect("form token")
            + 25;
        page[at..at + 64].to_string()
    }

    fn medication(&self) -> Medication {
        self.device
            .open_record(Some(&self.patient))
            .expect("open")
            .medication(&self.medication)
            .expect("med")
    }
}

#[test]
fn nothing_answers_without_an_open_session() {
    let w = workspace(true);
    let p = &w.patient;
    let pages = [
        "/".to_string(),
        format!("/patients/{p}"),
        format!("/patients/{p}/report"),
        format!("/patients/{p}/fhir"),
        "/elsewhere".to_string(),
    ];
    for cookie in [None, Some("0".repeat(64).as_str())] {
        for page in &pages {
            let r = w.get(page, cookie);
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{page}");
            assert_eq!(r.headers()["location"], "/login");
        }
        for api in ["/api/patients".to_string(), format!("/api/patients/{p}")] {
            let r = w.get(&api, cookie);
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{api}");
            assert!(!r.text().expect("body").contains("Ana"));
        }
        let r = w.post(
            &format!("/patients/{p}/targets"),
            cookie,
            &[("systolic", "120"), ("diastolic", "70")],
        );
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, set) = w.sign_in();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    // After signing out the session opens nothing.
    let (token, _) = w.sign_in();
    let form = w.form_token(&token);
    let r = w.post("/logout", Some(&token), &[("form_token", &form)]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        w.get("/api/patients", Some(&token)).status(),
        StatusCode::UNAUTHORIZED
    );
    // Without the Secure flag only when asked (plain HTTP on this machine).
    let plain = workspace(false);
    assert!(!plain.sign_in().1.contains("Secure"));
}

#[test]
fn a_change_needs_the_form_token_and_bad_input_changes_nothing() {
    let w = workspace(true);
    let (token, _) = w.sign_in();
    let form = w.form_token(&token);
    let path = format!("/patients/{}/medications/{}", w.patient, w.medication);
    let before = w.medication();
    for fields in [
        vec![("times", "21:30")],
        vec![("form_token", "0"), ("times", "21:30")],
    ] {
        let r = w.post(&path, Some(&token), &fields);
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().expect("body").contains("form_token"));
    }
    for (fields, named) in [
        (vec![("times", "25:99")], "times"),
        (vec![("dose", "a lot")], "dose"),
        (vec![], "dose"),
    ] {
        let mut fields = fields;
        fields.push(("form_token", &form));
        let r = w.post(&path, Some(&token), &fields);
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{named}");
        assert!(r.text().expect("body").contains(named), "{named}");
    }
    assert_eq!(w.medication(), before, "nothing changed");
    let r = w.post(
        &path,
        Some(&token),
        &[("form_token", &form), ("times", "21:30"), ("dose", "10 mg")],
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = w.medication();
    assert_eq!(after.dose, DoseAmount::parse("10 mg").expect("dose"));
    assert_eq!(
        after.schedule,
        Schedule::FixedTimes {
            times: vec![NaiveTime::from_hms_opt(21, 30, 0).expect("t")]
        }
    );
    assert_eq!(after.history.len(), 1, "the old schedule is kept");
    // Queries: a period or a filter that does not exist is refused; an unknown patient is 404.
    for q in ["/?days=5", "/?filter=bogus", "/api/patients?days=abc"] {
        assert_eq!(
            w.get(q, Some(&token)).status(),
            StatusCode::BAD_REQUEST,
            "{q}"
        );
    }
    assert_eq!(
        w.get("/patients/not-a-record", Some(&token)).status(),
        StatusCode::NOT_FOUND
    );
    // The access log: the patient page, then the change.
    let staff = Staff::open(w.dir.path(), &w.keys).expect("staff");
    let what: Vec<String> = staff
        .views(Some(&w.patient), 50)
        .expect("views")
        .into_iter()
        .map(|v| v.what)
        .collect();
    assert!(what.contains(&"change medication".to_string()), "{what:?}");
    assert!(what.contains(&"patient".to_string()), "{what:?}");
}

#[test]
fn the_list_shows_the_core_figures_and_a_name_is_locked_out_after_wrong_passwords() {
    let w = workspace(true);
    let (token, _) = w.sign_in();
    let list: serde_json::Value = w
        .get("/api/patients?days=7", Some(&token))
        .json()
        .expect("json");
    let row = &list["patients"][0];
    assert_eq!(row["name"], "Ana");
    assert_eq!(row["bp"]["systolic"], 150.0);
    assert_eq!(row["bp"]["above_target"], true);
    assert_eq!(row["days_since_data"], 0);
    assert!(
        row["flags"]
            .as_array()
            .expect("flags")
            .contains(&"bp-above-target".into())
    );
    // A reading written after the list was shown is in the next list.
    let mut record = w.device.open_record(Some(&w.patient)).expect("open");
    let lower = Reading::new(
        Measurement::BloodPressure {
            systolic: 110,
            diastolic: 65,
            pulse: None,
        },
        Utc::now().fixed_offset(),
    )
    .expect("reading");
    record.add_reading(&lower).expect("reading");
    drop(record);
    let list: serde_json::Value = w
        .get("/api/patients?days=7", Some(&token))
        .json()
        .expect("json");
    assert_eq!(list["patients"][0]["bp"]["systolic"], 130.0, "{list:#}");
    // An urgent alert raised 40 days ago and never acknowledged is open in every period, and
    // puts its patient first.
    let mut old = w
        .device
        .create(&Profile::new("Bo", "UTC").expect("profile"))
        .expect("record");
    let crisis = Reading::new(
        Measurement::BloodPressure {
            systolic: 185,
            diastolic: 121,
            pulse: None,
        },
        (Utc::now() - chrono::Duration::days(40)).fixed_offset(),
    )
    .expect("reading");
    old.add_reading(&crisis).expect("reading");
    drop(old);
    let list: serde_json::Value = w
        .get("/api/patients?days=7", Some(&token))
        .json()
        .expect("json");
    let first = &list["patients"][0];
    assert_eq!(first["name"], "Bo", "{list:#}");
    assert_eq!(first["urgent_open"], 1);
    assert_eq!(first["crisis"], true);
    for _ in 0..5 {
        let r = w.post(
            "/login",
            None,
            &[("name", "dr.lee"), ("password", "wrong one!")],
        );
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = w.post(
        "/login",
        None,
        &[("name", "dr.lee"), ("password", PASSWORD)],
    );
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}
