//! The relay's HTTP endpoints and the checks behind them (docs/sync-protocol.md, "Relay").

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use companion_core::crypto;
use companion_core::sync::Role;
use companion_core::sync::membership::{Body, Entry, Membership, unb64};
use companion_core::sync::wire::{self, Envelope, Item, ItemKind, headers};
use serde::Deserialize;

use crate::storage::{Storage, StoredInvite};

/// Size limits and clocks of a relay.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes of one request body (a batch of envelopes, a snapshot).
    pub body: usize,
    /// Most bytes of one membership entry or invite.
    pub entry: usize,
    /// Most items in one log page.
    pub page: usize,
    /// How far a request's time may be from the relay's clock, in milliseconds.
    pub skew_ms: i64,
    /// The longest an invite may be valid for, in milliseconds.
    pub invite_ms: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body: 64 << 20,
            entry: 64 << 10,
            page: 1000,
            skew_ms: 5 * 60 * 1000,
            invite_ms: 30 * 24 * 3600 * 1000,
        }
    }
}

/// The relay: its storage, its limits, and the lock that makes each check and the append it
/// decides one step (so that every envelope is judged against the membership at the position
/// it gets).
pub struct Relay {
    storage: Box<dyn Storage>,
    limits: Limits,
    writes: Mutex<()>,
}

impl Relay {
    /// A relay over `storage`.
    pub fn new(storage: Box<dyn Storage>, limits: Limits) -> Self {
        Self {
            storage,
            limits,
            writes: Mutex::new(()),
        }
    }
}

/// A refusal: the status, a code clients switch on, and a sentence for people.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
}

fn err(status: StatusCode, code: &'static str, message: &'static str) -> ApiError {
    ApiError {
        status,
        code,
        message,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.code, "message": self.message});
        (
            self.status,
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

impl From<crate::storage::StorageError> for ApiError {
    fn from(_: crate::storage::StorageError) -> Self {
        err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage",
            "the relay could not store or read",
        )
    }
}

fn malformed(message: &'static str) -> ApiError {
    err(StatusCode::BAD_REQUEST, "malformed", message)
}

fn forbidden(message: &'static str) -> ApiError {
    err(StatusCode::FORBIDDEN, "forbidden", message)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The request as the handlers see it.
struct Call {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Call {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The signing device's id, once its signature (by `key`, looked up from the id) verifies
    /// and its time and nonce pass.
    fn authenticate(
        &self,
        relay: &Relay,
        key_of: impl FnOnce(&str) -> Option<Vec<u8>>,
    ) -> Result<String, ApiError> {
        let unauth = |code, message| err(StatusCode::UNAUTHORIZED, code, message);
        let device = self
            .header(headers::DEVICE)
            .ok_or(unauth("unauthenticated", "the request is not signed"))?
            .to_string();
        let time: i64 = self
            .header(headers::TIME)
            .and_then(|t| t.parse().ok())
            .ok_or(unauth("unauthenticated", "the request has no time"))?;
        let nonce = self
            .header(headers::NONCE)
            .filter(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or(unauth("unauthenticated", "the request has no nonce"))?;
        let sig = self
            .header(headers::SIGNATURE)
            .and_then(|s| unb64(s).ok())
            .ok_or(unauth("unauthenticated", "the request has no signature"))?;
        let now = now_ms();
        if (time - now).abs() > relay.limits.skew_ms {
            return Err(unauth(
                "stale",
                "the request's time is too far from the relay's",
            ));
        }
        let key = key_of(&device).ok_or(err(
            StatusCode::FORBIDDEN,
            "not_member",
            "the signing device is not a member of this record",
        ))?;
        let msg = wire::request_message(self.method.as_str(), &self.path, &self.body, time, nonce);
        if !crypto::verify(&key, &msg, &sig) || crypto::device_id(&key) != device {
            return Err(unauth(
                "bad_signature",
                "the request's signature does not verify",
            ));
        }
        if !relay
            .storage
            .remember_nonce(&device, nonce, time, now - 2 * relay.limits.skew_ms)?
        {
            return Err(unauth("replay", "the request was sent before"));
        }
        Ok(device)
    }
}

/// The membership of `record` as its stored log has it.
fn membership(relay: &Relay, record: &str) -> Result<Membership, ApiError> {
    if !relay.storage.record_exists(record)? {
        return Err(err(
            StatusCode::NOT_FOUND,
            "no_record",
            "the relay has no such record",
        ));
    }
    let mut m = Membership::default();
    for (seq, bytes) in relay.storage.membership(record)? {
        m.apply(seq, &bytes).map_err(|_| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "storage",
            message: "a stored membership entry does not verify",
        })?;
    }
    Ok(m)
}

fn member_key(m: &Membership, device: &str) -> Option<Vec<u8>> {
    m.member(device).and_then(|x| x.device.signing_key().ok())
}

fn json_reply(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        value.to_string(),
    )
        .into_response()
}

type Reply = Result<Response, ApiError>;

async fn blocking(
    relay: Arc<Relay>,
    call: Call,
    f: fn(&Relay, Call, Vec<String>) -> Reply,
    params: Vec<String>,
) -> Response {
    match tokio::task::spawn_blocking(move || f(&relay, call, params)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => e.into_response(),
        Err(_) => err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the relay failed on this request",
        )
        .into_response(),
    }
}

fn create_record(relay: &Relay, call: Call, _: Vec<String>) -> Reply {
    if call.body.len() > relay.limits.entry {
        return Err(too_large());
    }
    let (_, body) = Entry::parse(&call.body).map_err(|_| malformed("not a membership entry"))?;
    let Body::Genesis { record, device } = &body else {
        return Err(malformed("a record begins with a genesis entry"));
    };
    if uuid_ok(record).is_none() {
        return Err(malformed("the record id is not a UUID"));
    }
    let key = device
        .signing_key()
        .map_err(|_| malformed("a malformed device card"))?;
    let signer = call.authenticate(relay, |d| (d == device.id).then(|| key.clone()))?;
    let _guard = relay.writes.lock().map_err(|_| internal())?;
    if relay.storage.record_exists(record)? {
        // The same genesis again (a retry after a lost answer) is taken; another is not.
        let digest = crypto::sha256(&call.body);
        if relay.storage.find(record, &digest)? == Some(1) {
            return Ok(json_reply(StatusCode::OK, serde_json::json!({"seq": 1})));
        }
        return Err(err(
            StatusCode::CONFLICT,
            "record_exists",
            "the record is already shared",
        ));
    }
    Membership::default()
        .apply(1, &call.body)
        .map_err(|_| forbidden("the genesis does not verify"))?;
    relay
        .storage
        .create_record(record, &signer, &call.body, now_ms())?;
    Ok(json_reply(
        StatusCode::CREATED,
        serde_json::json!({"seq": 1}),
    ))
}

fn uuid_ok(record: &str) -> Option<()> {
    wire::record_bytes(record).ok().map(|_| ())
}

fn too_large() -> ApiError {
    err(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        "the request body is too large",
    )
}

fn internal() -> ApiError {
    err(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the relay failed on this request",
    )
}

fn post_envelopes(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    let blobs = wire::decode_blobs(&call.body).map_err(|_| malformed("not a list of envelopes"))?;
    if blobs.is_empty() {
        return Err(malformed("no envelopes"));
    }
    let record_bytes =
        wire::record_bytes(record).map_err(|_| malformed("the record id is not a UUID"))?;
    let _guard = relay.writes.lock().map_err(|_| internal())?;
    let m = membership(relay, record)?;
    let device = call.authenticate(relay, |d| member_key(&m, d))?;
    let role = m.member(&device).map(|x| x.role).unwrap_or(Role::Viewer);
    if !role.writes() {
        return Err(forbidden("a viewer may not write"));
    }
    let key = member_key(&m, &device).ok_or(internal())?;
    let epoch = m.epoch();
    let mut parsed = Vec::with_capacity(blobs.len());
    for blob in &blobs {
        let env = Envelope::parse(record_bytes, blob).map_err(|_| malformed("not an envelope"))?;
        if env.covers.is_some() {
            return Err(malformed("a snapshot where an envelope belongs"));
        }
        if env.author_id() != device || !env.verify(&key) {
            return Err(forbidden("an envelope not signed by the requesting member"));
        }
        if env.epoch != epoch {
            return Err(err(
                StatusCode::CONFLICT,
                "stale_epoch",
                "the record key changed: pull, seal again under the new key, push",
            ));
        }
        parsed.push(env);
    }
    let mut seqs = Vec::with_capacity(parsed.len());
    for env in parsed {
        let digest = crypto::sha256(&env.bytes);
        seqs.push(relay.storage.append(
            record,
            ItemKind::Envelope as u8,
            &device,
            &digest,
            &env.bytes,
        )?);
    }
    Ok(json_reply(
        StatusCode::OK,
        serde_json::json!({"seqs": seqs}),
    ))
}

#[derive(Deserialize)]
struct LogQuery {
    after: Option<u64>,
    limit: Option<usize>,
    envelopes_after: Option<u64>,
}

fn get_log(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    let query: LogQuery = serde_json::from_value(query_json(&call.path))
        .map_err(|_| malformed("the query is not after=N&limit=N"))?;
    let m = membership(relay, record)?;
    let device = call.authenticate(relay, |d| member_key(&m, d))?;
    let limit = query
        .limit
        .unwrap_or(relay.limits.page)
        .clamp(1, relay.limits.page);
    let after = query.after.unwrap_or(0);
    let skip = query.envelopes_after.unwrap_or(0);
    let (rows, tip) = relay.storage.log(record, after, limit)?;
    let last = rows.last().map(|r| r.seq).unwrap_or(after);
    let items: Vec<Item> = rows
        .into_iter()
        .map(|r| {
            let envelope = r.kind == ItemKind::Envelope as u8;
            if envelope && (r.author == device || r.seq <= skip) {
                Item {
                    seq: r.seq,
                    kind: ItemKind::Own,
                    bytes: Vec::new(),
                }
            } else {
                Item {
                    seq: r.seq,
                    kind: ItemKind::from_code(r.kind).unwrap_or(ItemKind::Envelope),
                    bytes: r.bytes,
                }
            }
        })
        .collect();
    let mut resp = (
        StatusCode::OK,
        [("content-type", "application/octet-stream")],
        wire::encode_items(&items),
    )
        .into_response();
    let h = resp.headers_mut();
    h.insert(
        headers::MORE,
        HeaderValue::from_static(if last < tip { "true" } else { "false" }),
    );
    if let Ok(v) = HeaderValue::from_str(&tip.to_string()) {
        h.insert("companion-tip", v);
    }
    Ok(resp)
}

/// `a=1&b=2` as a JSON object of numbers (the only query values the relay takes).
fn query_json(path: &str) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    if let Some((_, q)) = path.split_once('?') {
        for pair in q.split('&') {
            if let Some((k, v)) = pair.split_once('=') {
                let value = v
                    .parse::<u64>()
                    .map(serde_json::Value::from)
                    .unwrap_or_else(|_| serde_json::Value::from(v));
                map.insert(k.to_string(), value);
            }
        }
    }
    serde_json::Value::Object(map)
}

#[derive(Deserialize)]
struct NewInvite {
    entry: Entry,
    bundle: String,
    expires: i64,
}

fn post_invite(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    if call.body.len() > relay.limits.entry {
        return Err(too_large());
    }
    let new: NewInvite =
        serde_json::from_slice(&call.body).map_err(|_| malformed("not an invite"))?;
    let bundle = unb64(&new.bundle).map_err(|_| malformed("the bundle is not base64"))?;
    let entry_bytes = new.entry.to_bytes();
    let (_, body) = Entry::parse(&entry_bytes).map_err(|_| malformed("not a membership entry"))?;
    let Body::Invite {
        invite, expires, ..
    } = &body
    else {
        return Err(malformed("not an invite entry"));
    };
    let now = now_ms();
    if *expires != new.expires || *expires <= now || *expires > now + relay.limits.invite_ms {
        return Err(malformed(
            "the invite's expiry is in the past or too far ahead",
        ));
    }
    let _guard = relay.writes.lock().map_err(|_| internal())?;
    let mut m = membership(relay, record)?;
    let device = call.authenticate(relay, |d| member_key(&m, d))?;
    if m.member(&device).map(|x| x.role) != Some(Role::Owner) {
        return Err(forbidden("only the owner may invite"));
    }
    let tip = relay.storage.tip(record)?;
    m.apply(tip + 1, &entry_bytes)
        .map_err(|_| forbidden("the invite entry does not verify"))?;
    if relay.storage.invite(invite)?.is_some() {
        return Err(err(
            StatusCode::CONFLICT,
            "invite_exists",
            "the invite exists",
        ));
    }
    relay.storage.put_invite(
        invite,
        &StoredInvite {
            record: record.clone(),
            bundle,
            expires_ms: *expires,
            used_by: None,
        },
    )?;
    let seq = relay.storage.append(
        record,
        ItemKind::Membership as u8,
        &device,
        &crypto::sha256(&entry_bytes),
        &entry_bytes,
    )?;
    Ok(json_reply(
        StatusCode::CREATED,
        serde_json::json!({"seq": seq}),
    ))
}

/// `POST /v1/records/{r}/membership`: an owner's entry that needs no other step (a removal).
fn post_membership(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    if call.body.len() > relay.limits.entry {
        return Err(too_large());
    }
    let (_, body) = Entry::parse(&call.body).map_err(|_| malformed("not a membership entry"))?;
    let by = match &body {
        Body::Remove { by, .. } | Body::Rotate { by, .. } => by.clone(),
        _ => {
            return Err(malformed(
                "not a removal or a rotation (invites and joins have their own endpoints)",
            ));
        }
    };
    let _guard = relay.writes.lock().map_err(|_| internal())?;
    let mut m = membership(relay, record)?;
    let device = call.authenticate(relay, |d| member_key(&m, d))?;
    // The membership rules decide who may (the owner, or a member leaving on its own); the
    // request must come from the entry's signer.
    if device != by {
        return Err(forbidden(
            "a membership entry posted by another device than its signer",
        ));
    }
    let tip = relay.storage.tip(record)?;
    m.apply(tip + 1, &call.body)
        .map_err(|_| forbidden("the entry does not verify where it would stand"))?;
    let seq = relay.storage.append(
        record,
        ItemKind::Membership as u8,
        &device,
        &crypto::sha256(&call.body),
        &call.body,
    )?;
    Ok(json_reply(
        StatusCode::CREATED,
        serde_json::json!({"seq": seq}),
    ))
}

fn get_invite(relay: &Relay, _call: Call, params: Vec<String>) -> Reply {
    let id = &params[0];
    let invite = relay.storage.invite(id)?.ok_or(err(
        StatusCode::NOT_FOUND,
        "invite_unknown",
        "the relay knows no such invite",
    ))?;
    if invite.used_by.is_some() {
        return Err(err(StatusCode::GONE, "invite_used", "the invite was used"));
    }
    if invite.expires_ms <= now_ms() {
        return Err(err(
            StatusCode::GONE,
            "invite_expired",
            "the invite expired",
        ));
    }
    Ok(json_reply(
        StatusCode::OK,
        serde_json::json!({
            "record": invite.record,
            "bundle": companion_core::sync::membership::b64(&invite.bundle),
            "expires": invite.expires_ms,
        }),
    ))
}

fn post_join(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    if call.body.len() > relay.limits.entry {
        return Err(too_large());
    }
    let (_, body) = Entry::parse(&call.body).map_err(|_| malformed("not a membership entry"))?;
    let Body::Join { invite, device, .. } = &body else {
        return Err(malformed("not a join entry"));
    };
    let key = device
        .signing_key()
        .map_err(|_| malformed("a malformed device card"))?;
    let signer = call.authenticate(relay, |d| (d == device.id).then(|| key.clone()))?;
    let _guard = relay.writes.lock().map_err(|_| internal())?;
    let stored = relay
        .storage
        .invite(invite)?
        .filter(|i| i.record == *record)
        .ok_or(err(
            StatusCode::NOT_FOUND,
            "invite_unknown",
            "the relay knows no such invite",
        ))?;
    let digest = crypto::sha256(&call.body);
    if let Some(used_by) = &stored.used_by {
        // The same join again (a retry after a lost answer) gets its position.
        if *used_by == signer
            && let Some(seq) = relay.storage.find(record, &digest)?
        {
            return Ok(json_reply(StatusCode::OK, serde_json::json!({"seq": seq})));
        }
        return Err(err(StatusCode::GONE, "invite_used", "the invite was used"));
    }
    if stored.expires_ms <= now_ms() {
        return Err(err(
            StatusCode::GONE,
            "invite_expired",
            "the invite expired",
        ));
    }
    let mut m = membership(relay, record)?;
    let tip = relay.storage.tip(record)?;
    m.apply(tip + 1, &call.body)
        .map_err(|_| forbidden("the join entry does not verify"))?;
    let seq = relay.storage.append(
        record,
        ItemKind::Membership as u8,
        &signer,
        &digest,
        &call.body,
    )?;
    relay.storage.use_invite(invite, &signer)?;
    Ok(json_reply(
        StatusCode::CREATED,
        serde_json::json!({"seq": seq}),
    ))
}

fn put_snapshot(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let (record, slot) = (&params[0], &params[1]);
    if slot.len() != 32 || !slot.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed("a snapshot slot is 32 hex digits"));
    }
    let record_bytes =
        wire::record_bytes(record).map_err(|_| malformed("the record id is not a UUID"))?;
    let env = Envelope::parse(record_bytes, &call.body).map_err(|_| malformed("not a snapshot"))?;
    let covers = env.covers.ok_or(malformed("not a snapshot"))?;
    let _guard = relay.writes.lock().map_err(|_| internal())?;
    let m = membership(relay, record)?;
    let device = call.authenticate(relay, |d| member_key(&m, d))?;
    if m.member(&device).map(|x| x.role) != Some(Role::Owner) {
        return Err(forbidden("only the owner uploads snapshots"));
    }
    let key = member_key(&m, &device).ok_or(internal())?;
    if env.author_id() != device || !env.verify(&key) {
        return Err(forbidden("a snapshot not signed by the requesting owner"));
    }
    let tip = relay.storage.tip(record)?;
    if covers > tip {
        return Err(malformed(
            "a snapshot covering positions the log does not have",
        ));
    }
    relay
        .storage
        .put_snapshot(record, slot, covers, &env.bytes)?;
    Ok(json_reply(
        StatusCode::OK,
        serde_json::json!({"covers": covers}),
    ))
}

fn get_snapshots(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    let m = membership(relay, record)?;
    call.authenticate(relay, |d| member_key(&m, d))?;
    let blobs = relay.storage.snapshots(record)?;
    Ok((
        StatusCode::OK,
        [("content-type", "application/octet-stream")],
        wire::encode_blobs(&blobs),
    )
        .into_response())
}

macro_rules! route {
    ($f:ident) => {
        |State(relay): State<Arc<Relay>>,
         method: Method,
         uri: Uri,
         headers: HeaderMap,
         params: Option<Path<Vec<String>>>,
         body: Result<Bytes, axum::extract::rejection::BytesRejection>| async move {
            let Ok(body) = body else {
                return too_large().into_response();
            };
            let path = uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            blocking(
                relay,
                Call {
                    method,
                    path,
                    headers,
                    body,
                },
                $f,
                params.map(|Path(p)| p).unwrap_or_default(),
            )
            .await
        }
    };
}

/// The relay's routes, with body limits and one JSON log line per request on standard
/// error (method, route pattern, status, duration, sizes: never a body, a key or a path
/// parameter beyond the route).
pub fn router(relay: Arc<Relay>) -> Router {
    let limit = relay.limits.body;
    Router::new()
        .route(
            "/health",
            get(|| async { json_reply(StatusCode::OK, serde_json::json!({"status": "ok"})) }),
        )
        .route("/v1/records", post(route!(create_record)))
        .route(
            "/v1/records/{record}/envelopes",
            post(route!(post_envelopes)),
        )
        .route("/v1/records/{record}/log", get(route!(get_log)))
        .route("/v1/records/{record}/invites", post(route!(post_invite)))
        .route("/v1/records/{record}/join", post(route!(post_join)))
        .route(
            "/v1/records/{record}/membership",
            post(route!(post_membership)),
        )
        .route("/v1/records/{record}/snapshots", get(route!(get_snapshots)))
        .route(
            "/v1/records/{record}/snapshots/{slot}",
            put(route!(put_snapshot)),
        )
        .route("/v1/invites/{invite}", get(route!(get_invite)))
        .fallback(|| async { err(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(log_request))
        .with_state(relay)
}

async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let bytes_in = request
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let response = next.run(request).await;
    let line = serde_json::json!({
        "ts_ms": now_ms(),
        "method": method,
        "route": route,
        "status": response.status().as_u16(),
        "ms": started.elapsed().as_secs_f64() * 1000.0,
        "bytes_in": bytes_in,
    });
    eprintln!("{line}");
    response
}
