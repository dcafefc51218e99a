//! # The Companion relay
//!
//! Per record: an append-only log of opaque envelopes and signed membership entries, numbered
//! in one order every member sees; the latest encrypted snapshot per document; pending
//! invites. It authenticates every request (an Ed25519 signature by a member's device over
//! method, path, body hash, time and nonce; replays refused), checks each envelope's author
//! and role against the membership at the position it is given, and stores. It never holds a
//! key that decrypts health data. The protocol is docs/sync-protocol.md.

mod live;
mod rate;
mod relay;
pub mod storage;

pub use relay::{Creation, Limits, MOST_WAIT_SECONDS, Relay, creation_token, router};
pub use storage::{PostgresStorage, SqliteStorage, Storage, StorageError};

use std::net::SocketAddr;
use std::sync::Arc;

// SQLite itself, for the SQLite storage: rusqlite is built to link no SQLite of its own.
use companion_sqlite3mc as _;

/// Opens the relay's storage `db` (a SQLite file's path, or a `postgres://` URL: see
/// [`storage::open`]) and serves the relay on `listen` until the
/// process is interrupted. `COMPANION_RELAY_PAGE_ITEMS` (1 to 1000, default 1000) sets the most
/// items of one log page, `COMPANION_RELAY_PAGE_BYTES` (64 KiB to 128 MiB, default 16 MiB) its
/// most bytes (a log page's, and a page of snapshots'), `COMPANION_RELAY_ENVELOPE_BYTES` (64 KiB to 64 MiB, default 4 MiB) the most
/// bytes of one envelope ([`Limits`] says why). Prints `listening on ADDR` (the bound address, also when port 0
/// was asked for) on standard output once it accepts connections; logs one JSON line per
/// request on standard error.
///
/// Unless `open`, the relay takes new records only from devices that present its creation
/// token (made at the first start, kept in its database), which it prints on standard output
/// as `creation token: TOKEN` before `listening on`; `open` takes them from any device and
/// warns so on standard error.
pub fn serve(listen: &str, db: &str, open: bool) -> Result<(), String> {
    tune_malloc();
    let storage = storage::open(db).map_err(|e| e.to_string())?;
    let creation = if open {
        eprintln!(
            "warning: this relay takes new records from any device that reaches it (--open); \
             without --open it takes them only with its creation token"
        );
        Creation::Open
    } else {
        let token = creation_token(&*storage).map_err(|e| e.to_string())?;
        println!("creation token: {token}");
        Creation::Token(token)
    };
    let mut limits = Limits::default();
    limits.page = env_number("COMPANION_RELAY_PAGE_ITEMS", 1..=1000, limits.page)?;
    limits.page_bytes = env_number(
        "COMPANION_RELAY_PAGE_BYTES",
        64 << 10..=128 << 20,
        limits.page_bytes,
    )?;
    limits.envelope = env_number(
        "COMPANION_RELAY_ENVELOPE_BYTES",
        64 << 10..=64 << 20,
        limits.envelope,
    )?;
    limits.record_bytes = env_number(
        "COMPANION_RELAY_RECORD_BYTES",
        1 << 20..=1 << 40,
        limits.record_bytes as usize,
    )? as u64;
    limits.per_device_per_minute = env_number(
        "COMPANION_RELAY_DEVICE_RATE",
        10..=1_000_000,
        limits.per_device_per_minute as usize,
    )? as u32;
    limits.per_address_per_minute = env_number(
        "COMPANION_RELAY_ADDRESS_RATE",
        10..=1_000_000,
        limits.per_address_per_minute as usize,
    )? as u32;
    let relay = Arc::new(Relay::new(storage, limits, creation).map_err(|e| e.to_string())?);
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
        // With each connection's address: the unsigned endpoints are limited per address.
        axum::serve(
            listener,
            router(relay).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("the relay stopped: {e}"))
    })
}

/// The number the environment variable `name` holds, within `range`; `default` when unset.
fn env_number(
    name: &str,
    range: std::ops::RangeInclusive<usize>,
    default: usize,
) -> Result<usize, String> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                format!(
                    "{name} must be a number from {} to {}",
                    range.start(),
                    range.end()
                )
            }),
    }
}

/// Caps glibc's malloc arenas at two, before the relay's threads start. With one arena per
/// thread (the runtime's blocking threads, the PostgreSQL pool's), freed memory stayed spread
/// over many arenas and the relay's resident memory grew all through a soak: 146 MB after a
/// minute to 286 MB after ten, on PostgreSQL with 20 devices; with two arenas it stayed between
/// 47 and 71 MB (`relay_load`, README).
///
/// Also fixes the size from which a block is mapped on its own at 256 KiB. glibc raises that
/// threshold each time such a block is freed (up to 32 MiB), after which the envelopes and
/// pages of megabytes a hostile member sends were carved from the arenas and their holes kept:
/// a soak's heap stayed near 2 MB while its resident memory climbed from 21 to 50 MB. Blocks
/// above the fixed threshold go back to the system when freed. Elsewhere (musl, other
/// systems) nothing is done.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets tuning parameters of glibc's allocator; M_ARENA_MAX takes any
    // positive count and M_MMAP_THRESHOLD any size up to 32 MiB, and blocks and arenas made
    // before stay valid.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 10);
    }
}
