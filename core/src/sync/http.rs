//! The real transport: HTTP(S) with reqwest's blocking client, TLS by rustls on ring with
//! the webpki roots (no second crypto library, no platform verifier to initialise).

use std::time::Duration;

use super::{Request, Response, Transport};

/// Most bytes a response may have (a page of the log, the snapshots).
const MAX_RESPONSE: u64 = 256 << 20;

/// HTTP transport to a relay.
pub struct HttpTransport {
    client: reqwest::blocking::Client,
}

impl HttpTransport {
    /// A transport with a 30-second timeout per request.
    pub fn new() -> Result<Self, String> {
        reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map(|client| Self { client })
            .map_err(|e| e.to_string())
    }
}

impl Transport for HttpTransport {
    fn send(&mut self, base: &str, request: &Request) -> Result<Response, String> {
        use std::io::Read;
        let url = format!("{}{}", base.trim_end_matches('/'), request.path);
        let method = match request.method {
            "GET" => reqwest::Method::GET,
            "PUT" => reqwest::Method::PUT,
            _ => reqwest::Method::POST,
        };
        let mut builder = self.client.request(method, &url);
        for (k, v) in &request.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if request.method != "GET" {
            builder = builder.body(request.body.clone());
        }
        let resp = builder.send().map_err(|e| without_url(&e))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let mut body = Vec::new();
        resp.take(MAX_RESPONSE)
            .read_to_end(&mut body)
            .map_err(|e| e.kind().to_string())?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// What went wrong, without the URL (which names the record).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    kind.to_string()
}
