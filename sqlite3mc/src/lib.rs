//! SQLite3 Multiple Ciphers, compiled and linked for rusqlite.
//!
//! rusqlite is built with its `in_gecko` feature: `libsqlite3-sys` then brings its bindings but
//! links no SQLite of its own, and this crate links the one SQLite the process has, the
//! SQLite3MC amalgamation (SQLite with page encryption) compiled by `build.rs` with only its
//! ChaCha20-Poly1305 cipher. A crate that uses rusqlite names this one (`use
//! companion_sqlite3mc as _;`) so that the library is linked.
//!
//! What it guarantees: every `rusqlite::Connection` in the process understands `PRAGMA key`
//! (an encrypted file is unreadable without its key) and opens plaintext files as before.

/// The SQLite3 Multiple Ciphers release compiled in.
pub const SQLITE3MC_VERSION: &str = env!("COMPANION_SQLITE3MC_VERSION");
