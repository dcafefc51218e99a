//! The workspace over HTTP: sign-in, the patient list, the patient page and the clinician's
//! actions. Every page and API call but the sign-in form checks the session; every form post
//! also checks the session's form token; every patient viewed or changed is logged.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use companion_core::device::Device;
use companion_core::model::Language;
use companion_core::zone::Zone;

use crate::actions::{Change, Form, apply};
use crate::error::{ClinicError, Result};
use crate::gather::{PERIODS, Records, patient_row, patient_rows};
use crate::pages;
use crate::row::{Flag, filter, sort_by_need};
use crate::staff::Staff;

/// The session cookie's name.
pub const COOKIE: &str = "companion_clinic";
/// Failed sign-ins of one name within [`LOCKOUT`] before it is refused for that long.
const MAX_FAILURES: u32 = 5;
/// How long failures are counted, and how long a name stays refused.
const LOCKOUT: Duration = Duration::minutes(15);

/// The clinic's workspace: the device's records and its staff.
pub struct Clinic {
    device: Device,
    staff: Mutex<Staff>,
    records: Mutex<Records>,
    failures: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
    zone: Zone,
    secure_cookie: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Clinic {
    /// The workspace over `device`'s records, its staff in `staff`, times shown in `zone`;
    /// the session cookie is marked `Secure` (sent over HTTPS only) unless `secure_cookie` is
    /// false (plain HTTP on a loopback address, for trying it out).
    pub fn new(device: Device, staff: Staff, zone: Zone, secure_cookie: bool) -> Self {
        Self {
            device,
            staff: Mutex::new(staff),
            records: Mutex::new(Records::default()),
            failures: Mutex::new(HashMap::new()),
            zone,
            secure_cookie,
        }
    }
}

/// The workspace's routes.
pub fn router(clinic: Arc<Clinic>) -> Router {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/", get(list_page))
        .route("/api/patients", get(list_json))
        .route("/patients/{id}", get(patient_page))
        .route("/api/patients/{id}", get(patient_json))
        .route("/patients/{id}/report", get(report))
        .route("/patients/{id}/fhir", get(fhir_export))
        .route("/patients/{id}/medications/{mid}", post(change_medication))
        .route("/patients/{id}/medications", post(add_medication))
        .route("/patients/{id}/targets", post(set_target))
        .route("/patients/{id}/journeys", post(start_journey))
        .route("/patients/{id}/appointments", post(book_follow_up))
        .fallback(not_found)
        .with_state(clinic)
        .layer(axum::middleware::map_response(headers))
}

/// Headers on every answer: nothing cached, nothing framed by another site, no script.
async fn headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; \
             form-action 'self'; frame-ancestors 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    response
}

/// Runs blocking work (SQLite, Argon2) off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ClinicError::StaffFile {
            reason: "a worker stopped",
        })
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// The form token of a session: a digest of its token, checked on every form post.
fn form_token(session: &str) -> String {
    let d = ring::digest::digest(
        &ring::digest::SHA256,
        format!("companion-clinic-form\n{session}").as_bytes(),
    );
    hex::encode(d.as_ref())
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// A signed-in staff member: their name and session token.
struct Who {
    name: String,
    token: String,
    form: String,
}

impl Who {
    fn pair(&self) -> (&str, &str) {
        (&self.name, &self.form)
    }
}

/// The staff member whose session the request carries, if it is open.
async fn who(clinic: &Arc<Clinic>, headers: &HeaderMap) -> Result<Option<Who>> {
    let Some(token) = cookie(headers) else {
        return Ok(None);
    };
    let c = clinic.clone();
    let t = token.clone();
    let name = blocking(move || lock(&c.staff).session(&t, Utc::now())).await??;
    Ok(name.map(|name| Who {
        form: form_token(&token),
        name,
        token,
    }))
}

/// What a request without an open session gets: pages go to the sign-in form, API calls and
/// posts are refused.
fn unsigned(api: bool) -> Response {
    if api {
        (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "sign in first"})),
        )
            .into_response()
    } else {
        redirect("/login")
    }
}

fn failure(e: &ClinicError, who: Option<&Who>) -> Response {
    let (status, title) = match e {
        ClinicError::NoSuchPatient => (StatusCode::NOT_FOUND, "No such patient"),
        ClinicError::BadRequest { .. } => (StatusCode::BAD_REQUEST, "Not changed"),
        ClinicError::Fhir(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Not exported"),
        ClinicError::Record(companion_core::Error::Invalid(_))
        | ClinicError::Record(companion_core::Error::NotFound { .. })
        | ClinicError::Record(companion_core::Error::AlreadyExists { .. })
        | ClinicError::Record(companion_core::Error::NameTaken { .. }) => {
            (StatusCode::BAD_REQUEST, "Not changed")
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "Something failed"),
    };
    html(
        status,
        pages::problem(title, &e.to_string(), who.map(Who::pair)),
    )
}

async fn not_found(State(clinic): State<Arc<Clinic>>, headers: HeaderMap) -> Response {
    match who(&clinic, &headers).await {
        Ok(Some(w)) => failure(&ClinicError::NoSuchPatient, Some(&w)),
        _ => unsigned(false),
    }
}

async fn login_form() -> Response {
    html(StatusCode::OK, pages::sign_in(None))
}

fn parse_form(body: &[u8]) -> Form {
    form_urlencoded::parse(body).into_owned().collect()
}

async fn login(State(clinic): State<Arc<Clinic>>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let name = form.get("name").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let now = Utc::now();
    {
        let mut failures = lock(&clinic.failures);
        failures.retain(|_, (_, since)| now - *since < LOCKOUT);
        if failures.get(&name).is_some_and(|(n, _)| *n >= MAX_FAILURES) {
            return html(
                StatusCode::TOO_MANY_REQUESTS,
                pages::sign_in(Some(
                    "Too many wrong passwords for this name: try again in 15 minutes.",
                )),
            );
        }
    }
    let c = clinic.clone();
    let n = name.clone();
    let signed = blocking(move || lock(&c.staff).sign_in(&n, &password, now)).await;
    match signed {
        Ok(Ok(token)) => {
            lock(&clinic.failures).remove(&name);
            let secure = if clinic.secure_cookie { "; Secure" } else { "" };
            let set = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}");
            let mut response = redirect("/");
            if let Ok(value) = HeaderValue::from_str(&set) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Ok(Err(ClinicError::SignInRefused)) => {
            let mut failures = lock(&clinic.failures);
            let entry = failures.entry(name).or_insert((0, now));
            entry.0 += 1;
            html(
                StatusCode::UNAUTHORIZED,
                pages::sign_in(Some("Wrong name or password.")),
            )
        }
        Ok(Err(e)) | Err(e) => failure(&e, None),
    }
}

async fn logout(State(clinic): State<Arc<Clinic>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(Some(w)) = who(&clinic, &headers).await else {
        return redirect("/login");
    };
    if parse_form(&body).get("form_token") != Some(&w.form) {
        return failure(
            &ClinicError::BadRequest {
                field: "form_token",
            },
            Some(&w),
        );
    }
    let c = clinic.clone();
    let _ = blocking(move || lock(&c.staff).sign_out(&w.token)).await;
    let mut response = redirect("/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("companion_clinic=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

/// The list's query: `days` (7, 14, 30 or 90; default 30) and any number of `filter`s.
fn list_query(query: Option<&str>) -> Result<(u32, Vec<Flag>)> {
    let mut days = 30;
    let mut filters = Vec::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*k {
            "days" => {
                days = v
                    .parse()
                    .ok()
                    .filter(|d| PERIODS.contains(d))
                    .ok_or(ClinicError::BadRequest { field: "days" })?;
            }
            "filter" => {
                let f = Flag::named(&v).ok_or(ClinicError::BadRequest { field: "filter" })?;
                if !filters.contains(&f) {
                    filters.push(f);
                }
            }
            _ => {}
        }
    }
    Ok((days, filters))
}

struct Listed {
    rows: Vec<crate::row::PatientRow>,
    unreadable: usize,
}

async fn listed(clinic: &Arc<Clinic>, who: &Who, days: u32, filters: &[Flag]) -> Result<Listed> {
    let c = clinic.clone();
    let filters = filters.to_vec();
    let name = who.name.clone();
    blocking(move || {
        let now = Utc::now();
        let (mut rows, unreadable) = {
            let mut records = lock(&c.records);
            patient_rows(&mut records, &c.device, days, now)?
        };
        filter(&mut rows, &filters);
        sort_by_need(&mut rows);
        lock(&c.staff).log_all(&name, rows.iter().map(|r| r.id.as_str()), "list", now)?;
        Ok(Listed { rows, unreadable })
    })
    .await?
}

async fn list_page(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let w = match who(&clinic, &headers).await {
        Ok(Some(w)) => w,
        Ok(None) => return unsigned(false),
        Err(e) => return failure(&e, None),
    };
    let (days, filters) = match list_query(query.as_deref()) {
        Ok(q) => q,
        Err(e) => return failure(&e, Some(&w)),
    };
    match listed(&clinic, &w, days, &filters).await {
        Ok(l) => html(
            StatusCode::OK,
            pages::list(&pages::ListView {
                rows: &l.rows,
                unreadable: l.unreadable,
                days,
                filters: &filters,
                who: w.pair(),
                zone: &clinic.zone,
            }),
        ),
        Err(e) => failure(&e, Some(&w)),
    }
}

fn json_failure(e: &ClinicError) -> Response {
    let status = match e {
        ClinicError::NoSuchPatient => StatusCode::NOT_FOUND,
        ClinicError::BadRequest { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(serde_json::json!({"error": e.to_string()}))).into_response()
}

async fn list_json(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let w = match who(&clinic, &headers).await {
        Ok(Some(w)) => w,
        Ok(None) => return unsigned(true),
        Err(e) => return json_failure(&e),
    };
    let (days, filters) = match list_query(query.as_deref()) {
        Ok(q) => q,
        Err(e) => return json_failure(&e),
    };
    match listed(&clinic, &w, days, &filters).await {
        Ok(l) => Json(serde_json::json!({
            "days": days,
            "filters": filters,
            "unreadable": l.unreadable,
            "patients": l.rows,
        }))
        .into_response(),
        Err(e) => json_failure(&e),
    }
}

/// The `days` of a patient page's query (default 30).
fn days_of(query: Option<&str>) -> Result<u32> {
    Ok(list_query(query)?.0)
}

fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

struct PatientData {
    row: crate::row::PatientRow,
    medications: Vec<companion_core::model::Medication>,
    templates: Vec<(String, String)>,
    views: Vec<crate::staff::View>,
    language: Language,
}

async fn patient_data(
    clinic: &Arc<Clinic>,
    who: &Who,
    id: String,
    days: u32,
) -> Result<PatientData> {
    let c = clinic.clone();
    let name = who.name.clone();
    blocking(move || {
        let now = Utc::now();
        let record = lock(&c.records).open(&c.device, &id)?;
        let row = patient_row(&record, days, now)?;
        let language = record.profile()?.language;
        let medications = record.medications(false)?;
        let templates = record
            .journey_templates()?
            .into_iter()
            .map(|t| (t.id.clone(), t.title.get(Language::English).to_string()))
            .collect();
        let staff = lock(&c.staff);
        staff.log(&name, &id, "patient", now)?;
        let views = staff.views(Some(&id), 20)?;
        Ok(PatientData {
            row,
            medications,
            templates,
            views,
            language,
        })
    })
    .await?
}

/// The texts a change's redirect names in `done=`.
fn done_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "change-medication" => {
            "Medication changed: it reaches the patient's phone at its next sync."
        }
        "change-target" => "Target set: it reaches the patient's phone at its next sync.",
        "add-medication" => "Medication added: it reaches the patient's phone at its next sync.",
        "start-journey" => "Journey started.",
        "book-follow-up" => "Follow-up booked: it reaches the patient's phone at its next sync.",
        _ => return None,
    })
}

async fn patient_page(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let w = match who(&clinic, &headers).await {
        Ok(Some(w)) => w,
        Ok(None) => return unsigned(false),
        Err(e) => return failure(&e, None),
    };
    let days = match days_of(query.as_deref()) {
        Ok(d) => d,
        Err(e) => return failure(&e, Some(&w)),
    };
    let message = query_value(query.as_deref(), "done").and_then(|k| done_text(&k));
    match patient_data(&clinic, &w, id, days).await {
        Ok(d) => html(
            StatusCode::OK,
            pages::patient(&pages::PatientView {
                row: &d.row,
                medications: &d.medications,
                templates: &d.templates,
                days,
                views: &d.views,
                message,
                who: w.pair(),
                language: d.language,
            }),
        ),
        Err(e) => failure(&e, Some(&w)),
    }
}

async fn patient_json(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let w = match who(&clinic, &headers).await {
        Ok(Some(w)) => w,
        Ok(None) => return unsigned(true),
        Err(e) => return json_failure(&e),
    };
    let days = match days_of(query.as_deref()) {
        Ok(d) => d,
        Err(e) => return json_failure(&e),
    };
    match patient_data(&clinic, &w, id, days).await {
        Ok(d) => Json(serde_json::json!({
            "patient": d.row,
            "medications": d.medications,
        }))
        .into_response(),
        Err(e) => json_failure(&e),
    }
}

async fn report(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let w = match who(&clinic, &headers).await {
        Ok(Some(w)) => w,
        Ok(None) => return unsigned(false),
        Err(e) => return failure(&e, None),
    };
    let days = match days_of(query.as_deref()) {
        Ok(d) => d,
        Err(e) => return failure(&e, Some(&w)),
    };
    let language = query_value(query.as_deref(), "lang").and_then(|l| l.parse::<Language>().ok());
    let c = clinic.clone();
    let name = w.name.clone();
    let made = blocking(move || -> Result<String> {
        let now = Utc::now();
        let record = lock(&c.records).open(&c.device, &id)?;
        let zone = record.profile()?.home_time_zone;
        let html = record.report_html(
            now - Duration::days(i64::from(days)),
            now,
            now,
            &zone,
            language,
        )?;
        lock(&c.staff).log(&name, &id, "report", now)?;
        Ok(html)
    })
    .await;
    match made {
        Ok(Ok(body)) => html(StatusCode::OK, body),
        Ok(Err(e)) | Err(e) => failure(&e, Some(&w)),
    }
}

async fn fhir_export(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let w = match who(&clinic, &headers).await {
        Ok(Some(w)) => w,
        Ok(None) => return unsigned(false),
        Err(e) => return failure(&e, None),
    };
    let c = clinic.clone();
    let name = w.name.clone();
    let made = blocking(move || -> Result<Vec<u8>> {
        let now = Utc::now();
        let record = lock(&c.records).open(&c.device, &id)?;
        let bundle = companion_fhir::export(&record, now)?;
        lock(&c.staff).log(&name, &id, "export", now)?;
        serde_json::to_vec_pretty(&bundle).map_err(|_| ClinicError::BadRequest { field: "bundle" })
    })
    .await;
    match made {
        Ok(Ok(body)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/fhir+json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"patient.fhir.json\"",
                ),
            ],
            body,
        )
            .into_response(),
        Ok(Err(e)) | Err(e) => failure(&e, Some(&w)),
    }
}

/// A clinician's change: checks the session and the form token, reads the form into a
/// [`Change`], writes it, logs it, and goes back to the patient page.
async fn change(
    clinic: Arc<Clinic>,
    headers: HeaderMap,
    id: String,
    body: Bytes,
    read: impl FnOnce(&Form, &Zone) -> Result<Change> + Send + 'static,
) -> Response {
    let w = match who(&clinic, &headers).await {
        Ok(Some(w)) => w,
        Ok(None) => return unsigned(true),
        Err(e) => return failure(&e, None),
    };
    let form = parse_form(&body);
    if form.get("form_token") != Some(&w.form) {
        return failure(
            &ClinicError::BadRequest {
                field: "form_token",
            },
            Some(&w),
        );
    }
    let c = clinic.clone();
    let name = w.name.clone();
    let rid = id.clone();
    let done = blocking(move || -> Result<&'static str> {
        let now = Utc::now();
        let mut record = lock(&c.records).open(&c.device, &rid)?;
        let zone = Zone::named(&record.profile()?.home_time_zone).unwrap_or_else(Zone::utc);
        let change = read(&form, &zone)?;
        apply(&mut record, &change, &name, now)?;
        lock(&c.staff).log(&name, &rid, change.what(), now)?;
        Ok(change.what())
    })
    .await;
    match done {
        Ok(Ok(what)) => redirect(&format!(
            "/patients/{}?done={}",
            form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>(),
            what.replace(' ', "-")
        )),
        Ok(Err(e)) | Err(e) => failure(&e, Some(&w)),
    }
}

async fn change_medication(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path((id, mid)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    change(clinic, headers, id, body, move |f, _| {
        Change::medication(&mid, f)
    })
    .await
}

async fn add_medication(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    change(clinic, headers, id, body, |f, zone| {
        Change::add_medication(f, Utc::now().with_timezone(zone).date_naive())
    })
    .await
}

async fn set_target(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    change(clinic, headers, id, body, |f, _| Change::bp_target(f)).await
}

async fn start_journey(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    change(clinic, headers, id, body, |f, _| Change::start_journey(f)).await
}

async fn book_follow_up(
    State(clinic): State<Arc<Clinic>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    change(clinic, headers, id, body, |f, _| Change::follow_up(f)).await
}

/// Serves the workspace on `listen` until interrupted: prints `listening on ADDR` once it
/// accepts connections.
pub fn serve(clinic: Arc<Clinic>, listen: &str) -> std::result::Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the runtime: {e}"))?;
    runtime.block_on(async move {
        let addr: SocketAddr = listen
            .parse()
            .map_err(|_| format!("not an address to listen on: {listen}"))?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("could not listen on {addr}: {e}"))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("could not read the bound address: {e}"))?;
        println!("listening on {bound}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        axum::serve(listener, router(clinic))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| format!("the workspace stopped: {e}"))
    })
}
