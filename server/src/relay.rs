//! The relay's HTTP endpoints and the checks behind them (docs/sync-protocol.md, "Relay").

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use companion_protocol::Role;
use companion_protocol::crypto;
use companion_protocol::membership::{Body, Entry, Membership, unb64};
use companion_protocol::wire::{self, Envelope, Item, ItemKind, headers};
use serde::Deserialize;

use crate::live::Live;
use crate::storage::{Storage, StoredInvite, Tx};

/// Size limits and clocks of a relay.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes of one request body (a batch of envelopes, a snapshot).
    pub body: usize,
    /// Most bytes of one envelope. A reading, a dose or a journal entry is well under 1 KB
    /// of changes, and a device seals at most about 1 MiB of changes into one envelope; the
    /// default of 4 MiB leaves room for that and keeps any one item far below what a device
    /// reads in one response (256 MiB).
    pub envelope: usize,
    /// Most bytes of one snapshot (one document of the record, its whole state): a month of a
    /// patient's readings and doses is well under a megabyte.
    pub snapshot: usize,
    /// Most item bytes of one log page (a page always holds at least one item): with the
    /// envelope limit, a page always fits what a device reads in one response.
    pub page_bytes: usize,
    /// Most bytes one record may keep in its log after its compaction point (what the
    /// snapshots do not cover yet): a patient's ten years are a few tens of megabytes.
    pub record_bytes: u64,
    /// Most requests one device may make per minute (half a minute's worth at once): a
    /// device syncing and long-polling makes a few.
    pub per_device_per_minute: u32,
    /// Most requests per minute from one network address to the endpoints that take no
    /// device signature (an invite looked up before joining, a record created): a person
    /// joins or shares a few times a year; a flood of lookups is refused before it reaches
    /// the storage.
    pub per_address_per_minute: u32,
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
            envelope: 4 << 20,
            snapshot: 16 << 20,
            page_bytes: 16 << 20,
            record_bytes: 1 << 30,
            per_device_per_minute: 600,
            per_address_per_minute: 120,
            entry: 64 << 10,
            page: 1000,
            skew_ms: 5 * 60 * 1000,
            invite_ms: 30 * 24 * 3600 * 1000,
        }
    }
}

/// The relay: its storage, its limits, and the readers waiting for a record's log to grow.
/// Each write runs in one storage transaction holding the record's lock, so that every
/// envelope is judged against the membership at the position it gets.
pub struct Relay {
    storage: Box<dyn Storage>,
    limits: Limits,
    creation: Creation,
    rates: crate::rate::Rates,
    /// Per network address, for the endpoints that take no device signature.
    address_rates: crate::rate::Rates,
    live: Arc<Live>,
}

/// Who may create records on a relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// A device that presents this token (the relay's own, [`creation_token`]).
    Token(String),
    /// Any device (a family's own relay, tests).
    Open,
}

/// The relay's creation token, made at its first start and kept in its database: 128 random
/// bits in hex. Relay processes over one database share it.
pub fn creation_token(storage: &dyn Storage) -> Result<String, crate::StorageError> {
    const KEY: &str = "creation_token";
    let mut tx = storage.begin(Some(KEY))?;
    if let Some(token) = tx.setting(KEY)? {
        return Ok(token);
    }
    let fresh = companion_protocol::crypto::random::<16>()
        .map_err(|_| crate::StorageError::new("no random numbers for the creation token"))?;
    tx.put_setting_once(KEY, &crypto::hex(&fresh))?;
    let token = tx.setting(KEY)?;
    tx.commit()?;
    token.ok_or_else(|| crate::StorageError::new("the creation token was not kept"))
}

impl Relay {
    /// A relay over `storage`, creating records as `creation` says. Appends made by other
    /// relay processes over the same database wake this one's waiting readers too (where the
    /// storage can tell).
    pub fn new(
        storage: Box<dyn Storage>,
        limits: Limits,
        creation: Creation,
    ) -> Result<Self, crate::StorageError> {
        let live = Arc::new(Live::default());
        let woken = Arc::clone(&live);
        storage.watch_others(Arc::new(move |record| woken.appended(record)))?;
        Ok(Self {
            storage,
            rates: crate::rate::Rates::new(limits.per_device_per_minute),
            address_rates: crate::rate::Rates::new(limits.per_address_per_minute),
            limits,
            creation,
            live,
        })
    }

    /// Commits `tx` and wakes the readers waiting on `record` (its log grew).
    fn commit_append(&self, tx: Box<dyn Tx + '_>, record: &str) -> Result<(), ApiError> {
        tx.commit()?;
        self.live.appended(Some(record));
        Ok(())
    }
}

/// A refusal: the status, a code clients switch on, and a sentence for people.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    /// The limit a refused request went beyond, in bytes (in the JSON as `limit`).
    limit: Option<usize>,
    /// The relay's clock, when a request was refused for the time it carried (in the JSON as
    /// `relay_time_ms`), so that the device can say how far off its clock is.
    relay_time_ms: Option<i64>,
}

fn err(status: StatusCode, code: &'static str, message: &'static str) -> ApiError {
    ApiError {
        status,
        code,
        message,
        limit: None,
        relay_time_ms: None,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({"error": self.code, "message": self.message});
        if let Some(limit) = self.limit {
            body["limit"] = limit.into();
        }
        if let Some(time) = self.relay_time_ms {
            body["relay_time_ms"] = time.into();
        }
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
    fn new(method: Method, uri: &Uri, headers: HeaderMap, body: Bytes) -> Self {
        let path = uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        Self {
            method,
            path,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The query parameter `key`'s value as sent, if present (`?after=` gives `""`).
    fn query(&self, key: &str) -> Option<&str> {
        let (_, q) = self.path.split_once('?')?;
        q.split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// The signing device's id, once its signature (by `key`, looked up from the id) verifies
    /// and its time and nonce pass.
    fn authenticate(
        &self,
        relay: &Relay,
        tx: &mut dyn Tx,
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
            return Err(ApiError {
                relay_time_ms: Some(now),
                ..unauth("stale", "the request's time is too far from the relay's")
            });
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
        if !tx.remember_nonce(&device, nonce, time, now - 2 * relay.limits.skew_ms)? {
            return Err(unauth("replay", "the request was sent before"));
        }
        // Counted once the device proved who it is: nobody spends another's requests.
        if !relay.rates.allow(&device) {
            return Err(err(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests from this device: wait a little and try again",
            ));
        }
        Ok(device)
    }
}

/// The membership of `record` as its stored log has it.
fn membership(tx: &mut dyn Tx, record: &str) -> Result<Membership, ApiError> {
    if !tx.record_exists(record)? {
        return Err(err(
            StatusCode::NOT_FOUND,
            "no_record",
            "the relay has no such record",
        ));
    }
    let mut m = Membership::default();
    for (seq, bytes) in tx.membership(record)? {
        m.apply(seq, &bytes).map_err(|_| {
            err(
                StatusCode::INTERNAL_SERVER_ERROR,
                "storage",
                "a stored membership entry does not verify",
            )
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

/// Runs `f` on a blocking thread (storage calls block), turning a panic into a 500.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(internal()))
}

fn create_record(relay: &Relay, call: Call, _: Vec<String>) -> Reply {
    if let Creation::Token(token) = &relay.creation {
        // Compared as digests: the time taken says nothing of how much of it matched.
        let given = call.header(wire::headers::RELAY_TOKEN).unwrap_or_default();
        if crypto::sha256(given.trim().as_bytes()) != crypto::sha256(token.as_bytes()) {
            return Err(err(
                StatusCode::FORBIDDEN,
                "creation_token",
                "this relay takes new records only from devices that present its creation token \
                 (companion invite --relay-token TOKEN, or http://TOKEN@host in the relay's address)",
            ));
        }
    }
    if call.body.len() > relay.limits.entry {
        return Err(too_large(relay.limits.entry));
    }
    let (_, body) = Entry::parse(&call.body).map_err(|_| malformed("not a membership entry"))?;
    let Body::Genesis { record, device, .. } = &body else {
        return Err(malformed("a record begins with a genesis entry"));
    };
    if uuid_ok(record).is_none() {
        return Err(malformed("the record id is not a UUID"));
    }
    let key = device
        .signing_key()
        .map_err(|_| malformed("a malformed device card"))?;
    let mut tx = relay.storage.begin(Some(record))?;
    let signer = call.authenticate(relay, &mut *tx, |d| (d == device.id).then(|| key.clone()))?;
    let exists = tx.record_exists(record)?;
    if exists {
        // The same genesis again (a retry after a lost answer) is taken.
        let digest = crypto::sha256(&call.body);
        if tx.find(record, &digest)? == Some(1) {
            tx.commit()?;
            return Ok(json_reply(StatusCode::OK, serde_json::json!({"seq": 1})));
        }
        // Another one only in place of a genesis nothing followed: its creator never heard
        // that the relay took it, kept no keys, and tries again with new ones.
        if tx.tip(record)? != 1 || !tx.snapshots(record, "", 1)?.snapshots.is_empty() {
            return Err(err(
                StatusCode::CONFLICT,
                "record_exists",
                "the record is already shared",
            ));
        }
    }
    Membership::default()
        .apply(1, &call.body)
        .map_err(|_| forbidden("the genesis does not verify"))?;
    if exists {
        tx.replace_genesis(record, &signer, &call.body)?;
    } else {
        tx.create_record(record, &signer, &call.body, now_ms())?;
    }
    relay.commit_append(tx, record)?;
    Ok(json_reply(
        StatusCode::CREATED,
        serde_json::json!({"seq": 1}),
    ))
}

fn uuid_ok(record: &str) -> Option<()> {
    wire::record_bytes(record).ok().map(|_| ())
}

/// A request body beyond `limit` bytes.
fn too_large(limit: usize) -> ApiError {
    ApiError {
        limit: Some(limit),
        ..err(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the request body is larger than the relay takes (limit, in bytes)",
        )
    }
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
    let mut tx = relay.storage.begin(Some(record))?;
    let m = membership(&mut *tx, record)?;
    let device = call.authenticate(relay, &mut *tx, |d| member_key(&m, d))?;
    let role = m.member(&device).map(|x| x.role).unwrap_or(Role::Viewer);
    if !role.writes() {
        return Err(forbidden("a viewer may not write"));
    }
    let key = member_key(&m, &device).ok_or(internal())?;
    let epoch = m.epoch();
    let mut parsed = Vec::with_capacity(blobs.len());
    for blob in &blobs {
        if blob.len() > relay.limits.envelope {
            return Err(ApiError {
                limit: Some(relay.limits.envelope),
                ..err(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "envelope_too_large",
                    "an envelope is larger than the relay takes (limit, in bytes)",
                )
            });
        }
        let env = Envelope::parse(record_bytes, blob).map_err(|_| malformed("not an envelope"))?;
        if env.covers.is_some() {
            return Err(malformed("a snapshot where an envelope belongs"));
        }
        if env.author_id() != device || !env.verify(&key) {
            return Err(forbidden("an envelope not signed by the requesting member"));
        }
        // An envelope already stored keeps its position whatever the key epoch now (a device
        // sending again what a relay restored from a backup may have lost).
        let known = tx.find(record, &crypto::sha256(&env.bytes))?.is_some();
        if env.epoch != epoch && !known {
            return Err(err(
                StatusCode::CONFLICT,
                "stale_epoch",
                "the record key changed: pull, seal again under the new key, push",
            ));
        }
        parsed.push(env);
    }
    let adding: u64 = parsed.iter().map(|e| e.bytes.len() as u64).sum();
    if tx.stored_bytes(record)?.saturating_add(adding) > relay.limits.record_bytes {
        return Err(ApiError {
            limit: usize::try_from(relay.limits.record_bytes).ok(),
            ..err(
                StatusCode::PAYLOAD_TOO_LARGE,
                "record_quota",
                "the record's log holds as many bytes as the relay keeps for one record (limit)",
            )
        });
    }
    let mut seqs = Vec::with_capacity(parsed.len());
    for env in parsed {
        let digest = crypto::sha256(&env.bytes);
        seqs.push(tx.append(
            record,
            ItemKind::Envelope as u8,
            &device,
            &digest,
            &env.bytes,
        )?);
    }
    relay.commit_append(tx, record)?;
    Ok(json_reply(
        StatusCode::OK,
        serde_json::json!({"seqs": seqs}),
    ))
}

#[derive(Deserialize, Clone, Copy)]
struct LogQuery {
    after: Option<u64>,
    limit: Option<usize>,
    envelopes_after: Option<u64>,
    wait: Option<u64>,
}

/// The longest a reader may wait for the log to grow, in seconds (below the clients' own
/// request timeouts, and below what proxies commonly allow an idle response).
pub const MOST_WAIT_SECONDS: u64 = 25;

/// `GET /v1/records/{r}/log?after=N[&limit=N][&envelopes_after=N][&wait=S]`: a page of the
/// log. With `wait`, a reader that is up to date is answered when the log grows, or after `S`
/// seconds (at most [`MOST_WAIT_SECONDS`]) with an empty page: a long poll.
async fn get_log(
    State(relay): State<Arc<Relay>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(record): Path<String>,
) -> Response {
    let call = Call::new(method, &uri, headers, Bytes::new());
    let answer = async {
        let query: LogQuery = serde_json::from_value(query_json(&call.path))
            .map_err(|_| malformed("the query is not after=N&limit=N"))?;
        let wait = query.wait.unwrap_or(0).min(MOST_WAIT_SECONDS);
        // Subscribed before the first read, so that an append between the read and the wait
        // still wakes it.
        let mut woken = relay.live.subscribe(&record);
        let r = Arc::clone(&relay);
        let rec = record.clone();
        let (device, page) = blocking(move || {
            let mut tx = r.storage.begin(None)?;
            let m = membership(&mut *tx, &rec)?;
            let device = call.authenticate(&r, &mut *tx, |d| member_key(&m, d))?;
            let page = log_page(&r, &mut *tx, &rec, &device, &query)?;
            tx.commit()?;
            Ok((device, page))
        })
        .await?;
        // A log behind the reader (a relay restored from a backup) is news too.
        if !page.items.is_empty() || wait == 0 || page.tip < page.after {
            return Ok(page.into_response());
        }
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(wait);
        loop {
            match tokio::time::timeout_at(deadline, woken.changed()).await {
                Ok(Ok(())) => {}
                // Timed out (or the notifier is gone): an empty page, the reader asks again.
                _ => return Ok(page.into_response()),
            }
            let r = Arc::clone(&relay);
            let (rec, dev) = (record.clone(), device.clone());
            let next = blocking(move || {
                let mut tx = r.storage.begin(None)?;
                // Still a member? A removed device learns nothing by waiting.
                if membership(&mut *tx, &rec)?.member(&dev).is_none() {
                    return Err(err(
                        StatusCode::FORBIDDEN,
                        "not_member",
                        "the signing device is not a member of this record",
                    ));
                }
                let page = log_page(&r, &mut *tx, &rec, &dev, &query)?;
                tx.commit()?;
                Ok(page)
            })
            .await?;
            if !next.items.is_empty() {
                return Ok(next.into_response());
            }
        }
    };
    answer.await.unwrap_or_else(|e: ApiError| e.into_response())
}

/// One page of the log as `device` is shown it: its own envelopes as empty `Own` items, the
/// envelopes a snapshot it loaded covers (or compaction dropped) left out.
struct Page {
    items: Vec<Item>,
    more: bool,
    tip: u64,
    /// The position the page starts after, and the log's running digest there (how a device
    /// notices a log that is not the one it read: a relay restored from a backup).
    after: u64,
    at_digest: Option<Vec<u8>>,
    /// The position the page accounts for (its last item, or the tip on the last page: the
    /// envelopes left out are accounted for too), and the running digest there.
    through: u64,
    last_digest: Option<Vec<u8>>,
    /// The compaction point: envelopes at or before it are only in the snapshots.
    compacted: u64,
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut resp = (
            StatusCode::OK,
            [("content-type", "application/octet-stream")],
            wire::encode_items(&self.items),
        )
            .into_response();
        let h = resp.headers_mut();
        h.insert(
            headers::MORE,
            HeaderValue::from_static(if self.more { "true" } else { "false" }),
        );
        if let Ok(v) = HeaderValue::from_str(&self.tip.to_string()) {
            h.insert(headers::TIP, v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.compacted.to_string()) {
            h.insert(headers::COMPACTED, v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.through.to_string()) {
            h.insert(headers::THROUGH, v);
        }
        for (name, digest) in [
            (headers::AT_DIGEST, &self.at_digest),
            (headers::LAST_DIGEST, &self.last_digest),
        ] {
            if let Some(v) = digest
                .as_ref()
                .and_then(|d| HeaderValue::from_str(&crypto::hex(d)).ok())
            {
                h.insert(name, v);
            }
        }
        resp
    }
}

fn log_page(
    relay: &Relay,
    tx: &mut dyn Tx,
    record: &str,
    device: &str,
    query: &LogQuery,
) -> Result<Page, ApiError> {
    let limit = query
        .limit
        .unwrap_or(relay.limits.page)
        .clamp(1, relay.limits.page);
    let after = query.after.unwrap_or(0);
    let skip = query.envelopes_after.unwrap_or(0);
    let compacted = tx.compacted(record)?;
    if after < compacted && skip < compacted {
        return Err(err(
            StatusCode::CONFLICT,
            "compacted",
            "the log's early envelopes are compacted into the snapshots: load them first",
        ));
    }
    // Bounded in bytes too: a member's huge envelopes (stored before the envelope limit, or
    // under a larger one) come one to a page rather than making a page no device can read.
    let limit = tx
        .fitting(
            record,
            after,
            limit,
            skip.max(compacted),
            relay.limits.page_bytes,
        )?
        .max(1);
    let (rows, tip) = tx.log(record, after, limit, skip.max(compacted))?;
    let at_digest = if after > 0 {
        tx.chain_at(record, after)?
    } else {
        None
    };
    let full = rows.len() == limit;
    let last = rows.last().map(|r| r.seq).unwrap_or(after);
    // The position the page accounts for: its last item, or, on the last page, the tip (the
    // envelopes after the last item were left out).
    let through = if full { last } else { last.max(tip) };
    let last_digest = if through > 0 {
        tx.chain_at(record, through)?
    } else {
        None
    };
    let items: Vec<Item> = rows
        .into_iter()
        .map(|r| {
            let envelope = r.kind == ItemKind::Envelope as u8;
            if envelope && r.author == device {
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
    Ok(Page {
        items,
        more: full && last < tip,
        tip,
        after,
        through,
        at_digest,
        last_digest,
        compacted,
    })
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
        return Err(too_large(relay.limits.entry));
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
    let mut tx = relay.storage.begin(Some(record))?;
    let mut m = membership(&mut *tx, record)?;
    let device = call.authenticate(relay, &mut *tx, |d| member_key(&m, d))?;
    if m.member(&device).map(|x| x.role) != Some(Role::Owner) {
        return Err(forbidden("only the owner may invite"));
    }
    let tip = tx.tip(record)?;
    m.apply(tip + 1, &entry_bytes)
        .map_err(|_| forbidden("the invite entry does not verify"))?;
    if tx.invite(invite)?.is_some() {
        return Err(err(
            StatusCode::CONFLICT,
            "invite_exists",
            "the invite exists",
        ));
    }
    tx.put_invite(
        invite,
        &StoredInvite {
            record: record.clone(),
            bundle,
            expires_ms: *expires,
            used_by: None,
        },
    )?;
    let seq = tx.append(
        record,
        ItemKind::Membership as u8,
        &device,
        &crypto::sha256(&entry_bytes),
        &entry_bytes,
    )?;
    relay.commit_append(tx, record)?;
    Ok(json_reply(
        StatusCode::CREATED,
        serde_json::json!({"seq": seq}),
    ))
}

/// `POST /v1/records/{r}/membership`: an entry that needs no other step (a removal, a
/// departure, a rotation).
fn post_membership(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    if call.body.len() > relay.limits.entry {
        return Err(too_large(relay.limits.entry));
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
    let mut tx = relay.storage.begin(Some(record))?;
    let mut m = membership(&mut *tx, record)?;
    let device = call.authenticate(relay, &mut *tx, |d| member_key(&m, d))?;
    // The membership rules decide who may (the owner, or a member leaving on its own); the
    // request must come from the entry's signer.
    if device != by {
        return Err(forbidden(
            "a membership entry posted by another device than its signer",
        ));
    }
    // The same entry again (an answer lost on the way) keeps its position.
    if let Some(seq) = tx.find(record, &crypto::sha256(&call.body))? {
        return Ok(json_reply(StatusCode::OK, serde_json::json!({"seq": seq})));
    }
    let tip = tx.tip(record)?;
    m.apply(tip + 1, &call.body)
        .map_err(|_| forbidden("the entry does not verify where it would stand"))?;
    let seq = tx.append(
        record,
        ItemKind::Membership as u8,
        &device,
        &crypto::sha256(&call.body),
        &call.body,
    )?;
    relay.commit_append(tx, record)?;
    Ok(json_reply(
        StatusCode::CREATED,
        serde_json::json!({"seq": seq}),
    ))
}

fn get_invite(relay: &Relay, _call: Call, params: Vec<String>) -> Reply {
    let id = &params[0];
    let mut tx = relay.storage.begin(None)?;
    let invite = tx.invite(id)?.ok_or(err(
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
            "bundle": companion_protocol::membership::b64(&invite.bundle),
            "expires": invite.expires_ms,
        }),
    ))
}

fn post_join(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    if call.body.len() > relay.limits.entry {
        return Err(too_large(relay.limits.entry));
    }
    let (_, body) = Entry::parse(&call.body).map_err(|_| malformed("not a membership entry"))?;
    let Body::Join { invite, device, .. } = &body else {
        return Err(malformed("not a join entry"));
    };
    let key = device
        .signing_key()
        .map_err(|_| malformed("a malformed device card"))?;
    let mut tx = relay.storage.begin(Some(record))?;
    let signer = call.authenticate(relay, &mut *tx, |d| (d == device.id).then(|| key.clone()))?;
    let stored = tx
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
            && let Some(seq) = tx.find(record, &digest)?
        {
            tx.commit()?;
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
    let mut m = membership(&mut *tx, record)?;
    let tip = tx.tip(record)?;
    m.apply(tip + 1, &call.body)
        .map_err(|_| forbidden("the join entry does not verify"))?;
    let seq = tx.append(
        record,
        ItemKind::Membership as u8,
        &signer,
        &digest,
        &call.body,
    )?;
    tx.use_invite(invite, &signer)?;
    relay.commit_append(tx, record)?;
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
    if call.body.len() > relay.limits.snapshot {
        return Err(ApiError {
            limit: Some(relay.limits.snapshot),
            ..err(
                StatusCode::PAYLOAD_TOO_LARGE,
                "snapshot_too_large",
                "a snapshot is larger than the relay takes (limit, in bytes)",
            )
        });
    }
    let record_bytes =
        wire::record_bytes(record).map_err(|_| malformed("the record id is not a UUID"))?;
    let env = Envelope::parse(record_bytes, &call.body).map_err(|_| malformed("not a snapshot"))?;
    let covers = env.covers.ok_or(malformed("not a snapshot"))?;
    let mut tx = relay.storage.begin(Some(record))?;
    let m = membership(&mut *tx, record)?;
    let device = call.authenticate(relay, &mut *tx, |d| member_key(&m, d))?;
    if m.member(&device).map(|x| x.role) != Some(Role::Owner) {
        return Err(forbidden("only the owner uploads snapshots"));
    }
    let key = member_key(&m, &device).ok_or(internal())?;
    if env.author_id() != device || !env.verify(&key) {
        return Err(forbidden("a snapshot not signed by the requesting owner"));
    }
    let tip = tx.tip(record)?;
    if covers > tip {
        return Err(malformed(
            "a snapshot covering positions the log does not have",
        ));
    }
    tx.put_snapshot(record, slot, covers, &env.bytes)?;
    tx.compact(record)?;
    tx.commit()?;
    Ok(json_reply(
        StatusCode::OK,
        serde_json::json!({"covers": covers}),
    ))
}

fn get_snapshots(relay: &Relay, call: Call, params: Vec<String>) -> Reply {
    let record = &params[0];
    let mut tx = relay.storage.begin(None)?;
    let m = membership(&mut *tx, record)?;
    call.authenticate(relay, &mut *tx, |d| member_key(&m, d))?;
    // `?after=SLOT` (empty: from the first) asks for a page within the page's byte limit; a
    // device of an earlier version asks without it, and gets every snapshot at once.
    let after = call.query("after").map(|a| a.to_string());
    if let Some(a) = &after
        && !(a.is_empty() || a.len() == 32 && a.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "after is not a slot",
        ));
    }
    let max = if after.is_some() {
        relay.limits.page_bytes
    } else {
        usize::MAX
    };
    let page = tx.snapshots(record, after.as_deref().unwrap_or(""), max)?;
    tx.commit()?;
    let last = page
        .snapshots
        .last()
        .map(|(slot, _)| slot.clone())
        .unwrap_or_default();
    let blobs: Vec<Vec<u8>> = page.snapshots.into_iter().map(|(_, b)| b).collect();
    let mut response = (
        StatusCode::OK,
        [("content-type", "application/octet-stream")],
        wire::encode_blobs(&blobs),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        headers::MORE,
        HeaderValue::from_static(if page.more { "true" } else { "false" }),
    );
    if let Ok(v) = HeaderValue::from_str(&last) {
        headers.insert(headers::LAST_SLOT, v);
    }
    Ok(response)
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
                return too_large(relay.limits.body).into_response();
            };
            let call = Call::new(method, &uri, headers, body);
            let params = params.map(|Path(p)| p).unwrap_or_default();
            blocking(move || $f(&relay, call, params))
                .await
                .unwrap_or_else(|e| e.into_response())
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
        .route(
            "/v1/records",
            post(route!(create_record)).route_layer(middleware::from_fn_with_state(
                Arc::clone(&relay),
                by_address,
            )),
        )
        .route(
            "/v1/records/{record}/envelopes",
            post(route!(post_envelopes)),
        )
        .route("/v1/records/{record}/log", get(get_log))
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
        .route(
            "/v1/invites/{invite}",
            get(route!(get_invite)).route_layer(middleware::from_fn_with_state(
                Arc::clone(&relay),
                by_address,
            )),
        )
        .fallback(|| async { err(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(log_request))
        .with_state(relay)
}

/// Refuses a request to an endpoint that takes no device signature once its network address
/// has made too many (the address is known when the relay serves with it: `serve` does).
async fn by_address(State(relay): State<Arc<Relay>>, request: Request, next: Next) -> Response {
    let address = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    if let Some(address) = address
        && !relay.address_rates.allow(&address)
    {
        return err(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address: wait a little and try again",
        )
        .into_response();
    }
    next.run(request).await
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
