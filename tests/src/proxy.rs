//! A faulty HTTP proxy between devices and a relay, on loopback: it drops requests, drops
//! answers, delivers requests twice, delays them (so that requests of different devices
//! overtake each other), cuts requests and answers off mid-body, and replays old requests
//! later, out of order. Its choices come from a seeded generator, so a failing seed can be
//! run again. [`FaultyProxy::calm`] makes it pass everything (to let the devices converge).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy did to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded as it is.
    Pass,
    /// Forwarded after a pause of up to 400 ms.
    Delay,
    /// Never forwarded; the device's connection closed.
    DropRequest,
    /// Forwarded; the answer thrown away and the device's connection closed.
    DropAnswer,
    /// Forwarded twice; the device gets the second answer.
    Duplicate,
    /// Half of it forwarded, then both connections closed.
    CutRequest,
    /// Forwarded; the device gets half of the answer.
    CutAnswer,
    /// Forwarded; sent again later, after other requests.
    ReplayLater,
}

const FAULTS: [(Fault, u64); 8] = [
    (Fault::Pass, 46),
    (Fault::Delay, 16),
    (Fault::DropRequest, 8),
    (Fault::DropAnswer, 8),
    (Fault::Duplicate, 7),
    (Fault::CutRequest, 5),
    (Fault::CutAnswer, 5),
    (Fault::ReplayLater, 5),
];

struct Shared {
    upstream: String,
    rng: Mutex<u64>,
    calm: AtomicBool,
    counts: Mutex<Vec<(Fault, u64)>>,
    later: Mutex<Vec<Vec<u8>>>,
    requests: AtomicU64,
}

impl Shared {
    fn next(&self) -> u64 {
        let mut s = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        // xorshift64*
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        s.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn choose(&self) -> Fault {
        if self.calm.load(Ordering::SeqCst) {
            return Fault::Pass;
        }
        let total: u64 = FAULTS.iter().map(|(_, w)| w).sum();
        let mut pick = self.next() % total;
        for (fault, weight) in FAULTS {
            if pick < weight {
                return fault;
            }
            pick -= weight;
        }
        Fault::Pass
    }
}

/// The proxy; it stops accepting when dropped (connections under way finish).
pub struct FaultyProxy {
    /// `http://127.0.0.1:PORT`, the address devices are given.
    pub url: String,
    shared: Arc<Shared>,
}

impl FaultyProxy {
    /// A proxy to the relay at `upstream` (`127.0.0.1:PORT`), its faults drawn from `seed`.
    pub fn start(upstream: &str, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Arc::new(Shared {
            upstream: upstream.to_string(),
            rng: Mutex::new(seed | 1),
            calm: AtomicBool::new(false),
            counts: Mutex::new(FAULTS.iter().map(|(f, _)| (*f, 0)).collect()),
            later: Mutex::new(Vec::new()),
            requests: AtomicU64::new(0),
        });
        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let s = Arc::clone(&s);
                std::thread::spawn(move || serve(&s, conn));
            }
        });
        Self { url, shared }
    }

    /// From now on every request passes, and the requests kept for a late replay are sent.
    pub fn calm(&self) {
        self.shared.calm.store(true, Ordering::SeqCst);
        let later =
            std::mem::take(&mut *self.shared.later.lock().unwrap_or_else(|e| e.into_inner()));
        for request in later {
            let _ = forward(&self.shared.upstream, &request, request.len());
        }
    }

    /// Passes everything while `calm` (setting a scenario up) without replaying the kept
    /// requests; `false` brings the faults back.
    pub fn calm_for_setup(&self, calm: bool) {
        self.shared.calm.store(calm, Ordering::SeqCst);
    }

    /// How often each fault was applied.
    pub fn counts(&self) -> Vec<(Fault, u64)> {
        self.shared
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Requests seen.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

/// Reads one HTTP/1.1 request (head and a Content-Length body) off `reader`, with
/// `Connection: close` forced so that each answer ends with its connection.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if lower.starts_with("connection:") {
            continue;
        }
        head.extend_from_slice(line.as_bytes());
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    head.extend(body);
    Some(head)
}

/// Sends the first `send` bytes of `request` to the relay and reads its whole answer (empty
/// when the request was cut).
fn forward(upstream: &str, request: &[u8], send: usize) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).ok()?;
    up.set_read_timeout(Some(Duration::from_secs(40))).ok()?;
    up.write_all(&request[..send]).ok()?;
    if send < request.len() {
        let _ = up.shutdown(Shutdown::Both);
        return None;
    }
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).ok()?;
    Some(answer)
}

fn serve(s: &Shared, conn: TcpStream) {
    let Ok(reader_side) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reader_side);
    let mut conn = conn;
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    s.requests.fetch_add(1, Ordering::SeqCst);
    let fault = s.choose();
    if let Some(c) = s
        .counts
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter_mut()
        .find(|(f, _)| *f == fault)
    {
        c.1 += 1;
    }
    let answer = match fault {
        Fault::Pass => forward(&s.upstream, &request, request.len()),
        Fault::Delay => {
            std::thread::sleep(Duration::from_millis(s.next() % 400));
            forward(&s.upstream, &request, request.len())
        }
        Fault::DropRequest => None,
        Fault::DropAnswer => {
            let _ = forward(&s.upstream, &request, request.len());
            None
        }
        Fault::Duplicate => {
            let _ = forward(&s.upstream, &request, request.len());
            forward(&s.upstream, &request, request.len())
        }
        Fault::CutRequest => forward(&s.upstream, &request, request.len() / 2),
        Fault::CutAnswer => {
            forward(&s.upstream, &request, request.len()).map(|a| a[..a.len() / 2].to_vec())
        }
        Fault::ReplayLater => {
            s.later
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(request.clone());
            forward(&s.upstream, &request, request.len())
        }
    };
    if let Some(answer) = answer {
        let _ = conn.write_all(&answer);
    }
    let _ = conn.shutdown(Shutdown::Both);
    // Now and then a kept request goes again, after others.
    if !s.calm.load(Ordering::SeqCst) && s.next().is_multiple_of(4) {
        let old = {
            let mut later = s.later.lock().unwrap_or_else(|e| e.into_inner());
            if later.is_empty() {
                None
            } else {
                let i = (s.next() as usize) % later.len();
                Some(later.swap_remove(i))
            }
        };
        if let Some(old) = old {
            let _ = forward(&s.upstream, &old, old.len());
        }
    }
}
