//! Requests to the relay: signed, retried while no relay answers, and its refusals read
//! (a clock far off named as such).

use super::*;

/// How often a request that found no relay is tried, and the first pause between tries
/// (doubled after each).
pub(crate) const ATTEMPTS: u32 = 4;

pub(crate) const FIRST_PAUSE: Duration = Duration::from_millis(200);

pub(crate) fn now_ms() -> Result<i64> {
    Ok(crate::clock::now()?.timestamp_millis())
}

pub(crate) fn relay_error(resp: &Response) -> SyncError {
    #[derive(Deserialize)]
    struct Body {
        error: String,
        /// The relay's clock when it refused a request as stale.
        relay_time_ms: Option<i64>,
    }
    let (code, relay_time) = serde_json::from_slice::<Body>(&resp.body)
        .map(|b| (b.error, b.relay_time_ms))
        .unwrap_or_else(|_| ("unknown".into(), None));
    if let (Some(relay_ms), Ok(here_ms)) = (relay_time.filter(|_| code == "stale"), now_ms()) {
        return clock_off(here_ms, relay_ms);
    }
    match code.as_str() {
        "invite_unknown" => SyncError::Invite("unknown to the relay"),
        "invite_used" => SyncError::Invite("already used"),
        "invite_expired" => SyncError::Invite("expired"),
        _ => SyncError::Relay {
            status: resp.status,
            code,
        },
    }
}

/// How far this device's clock (`here_ms`) is from the relay's (`relay_ms`), in minutes.
pub(crate) fn clock_off(here_ms: i64, relay_ms: i64) -> SyncError {
    let diff = here_ms.saturating_sub(relay_ms);
    SyncError::ClockOff {
        minutes: (diff.unsigned_abs() + 30_000) / 60_000,
        ahead: diff > 0,
    }
}

/// Makes requests for one device: signs them, retries those that found no relay (or a relay
/// error, 5xx) with doubling pauses, counts them.
pub(crate) struct Caller<'a> {
    pub(crate) transport: &'a mut dyn Transport,
    pub(crate) relay: String,
    /// The relay's creation token, from the address it was given in (`http://TOKEN@host`),
    /// sent only with a record's creation.
    pub(crate) creation_token: Option<String>,
    pub(crate) pause: Duration,
    pub(crate) requests: u64,
    pub(crate) sent: u64,
    pub(crate) received: u64,
}

impl<'a> Caller<'a> {
    pub(crate) fn new(transport: &'a mut dyn Transport, relay: &str) -> Self {
        let (relay, creation_token) = split_relay_token(relay);
        Self {
            transport,
            relay,
            creation_token,
            pause: FIRST_PAUSE,
            requests: 0,
            sent: 0,
            received: 0,
        }
    }

    /// Sends a request signed by `signer` (unsigned when `None`), returns a 2xx response.
    pub(crate) fn call(
        &mut self,
        signer: Option<&crypto::SigningKey>,
        method: &'static str,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<Response> {
        let mut pause = self.pause;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(pause);
                pause *= 2;
            }
            let mut headers = vec![("content-type".to_string(), content_type.to_string())];
            if let (Some(token), ("POST", "/v1/records")) = (&self.creation_token, (method, path)) {
                headers.push((wire::headers::RELAY_TOKEN.to_string(), token.clone()));
            }
            if let Some(k) = signer {
                for (name, value) in wire::sign_request(k, method, path, &body, now_ms()?)? {
                    headers.push((name.to_string(), value));
                }
            }
            let request = Request {
                method,
                path: path.to_string(),
                headers,
                body: body.clone(),
            };
            self.requests += 1;
            self.sent += body.len() as u64;
            match self.transport.send(&self.relay, &request) {
                Ok(resp) => {
                    self.received += resp.body.len() as u64;
                    if (200..300).contains(&resp.status) {
                        return Ok(resp);
                    }
                    if resp.status >= 500 || resp.status == 429 {
                        last = format!("status {}", resp.status);
                        continue;
                    }
                    return Err(relay_error(&resp).into());
                }
                Err(e) => last = e,
            }
        }
        Err(SyncError::Unreachable { detail: last }.into())
    }
}

/// A relay's address without the creation token it may carry (`http://TOKEN@host:port`, as
/// an invite gives it to the record's first device), and the token. The address kept and put
/// in invite codes is the one without it. Trailing slashes are dropped.
pub fn split_relay_token(relay: &str) -> (String, Option<String>) {
    let relay = relay.trim().trim_end_matches('/');
    if let Some((scheme, rest)) = relay.split_once("://") {
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some((token, host)) = rest[..authority_end].rsplit_once('@') {
            let token = token.trim();
            let address = format!("{scheme}://{host}{}", &rest[authority_end..]);
            return (address, (!token.is_empty()).then(|| token.to_string()));
        }
    }
    (relay.to_string(), None)
}

pub(crate) fn json<T: for<'de> Deserialize<'de>>(resp: &Response, what: &'static str) -> Result<T> {
    serde_json::from_slice(&resp.body).map_err(|_| SyncError::Malformed { what }.into())
}

#[derive(Deserialize)]
pub(crate) struct Seq {
    pub(crate) seq: u64,
}

#[cfg(test)]
mod relay_address_tests {
    use super::split_relay_token;

    #[test]
    fn the_token_is_taken_out_of_the_address() {
        let cases = [
            ("http://127.0.0.1:8080", ("http://127.0.0.1:8080", None)),
            (
                "http://ab12@127.0.0.1:8080/",
                ("http://127.0.0.1:8080", Some("ab12")),
            ),
            (
                "https://tok@relay.example.org/base",
                ("https://relay.example.org/base", Some("tok")),
            ),
            (
                "https://relay.example.org/a@b",
                ("https://relay.example.org/a@b", None),
            ),
            ("http://@host", ("http://host", None)),
        ];
        for (given, (address, token)) in cases {
            assert_eq!(
                split_relay_token(given),
                (address.to_string(), token.map(str::to_string)),
                "{given}"
            );
        }
    }
}

#[cfg(test)]
mod clock_tests {
    use super::{SyncError, clock_off};

    #[test]
    fn a_clock_off_is_told_in_whole_minutes_and_which_way() {
        let minute = 60_000;
        assert_eq!(
            clock_off(10 * minute + 29_000, 0),
            SyncError::ClockOff {
                minutes: 10,
                ahead: true
            }
        );
        assert_eq!(
            clock_off(0, 5 * minute + 31_000),
            SyncError::ClockOff {
                minutes: 6,
                ahead: false
            }
        );
        assert_eq!(
            clock_off(0, 20 * minute).to_string(),
            "this device's clock is 20 minutes behind; set the date and time"
        );
    }
}
