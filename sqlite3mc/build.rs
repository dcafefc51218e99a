//! Compiles the SQLite3 Multiple Ciphers amalgamation into a static library.

use std::env;

fn main() {
    let dir = sqlite3mc_src::source_dir();
    let source = dir.join(sqlite3mc_src::SOURCE_FILE);
    println!("cargo:rerun-if-changed={}", source.display());
    println!("cargo:rerun-if-changed=build.rs");
    println!(
        "cargo:rustc-env=COMPANION_SQLITE3MC_VERSION={}",
        sqlite3mc_src::SQLITE3MC_VERSION
    );
    let mut build = cc::Build::new();
    build.file(&source).include(dir).warnings(false);
    // The options libsqlite3-sys's bundled build used, so that SQLite behaves as before,
    // without the extensions Companion never uses (full-text search, R*Tree, loadable
    // extensions): they only cost the phone library bytes.
    for flag in [
        "SQLITE_DEFAULT_FOREIGN_KEYS=1",
        "SQLITE_ENABLE_API_ARMOR",
        "SQLITE_ENABLE_MEMORY_MANAGEMENT",
        "SQLITE_THREADSAFE=1",
        "SQLITE_DEFAULT_MEMSTATUS=0",
        "SQLITE_USE_URI",
        "SQLITE_OMIT_LOAD_EXTENSION",
        "SQLITE_OMIT_DEPRECATED",
        "HAVE_USLEEP=1",
        "HAVE_ISNAN",
        "_POSIX_THREAD_SAFE_FUNCTIONS",
        // One cipher: ChaCha20-Poly1305 (sqleet's scheme), the default of SQLite3MC. The others
        // (AES-CBC, SQLCipher's, RC4, Ascon, AEGIS) are left out.
        "HAVE_CIPHER_CHACHA20=1",
        "HAVE_CIPHER_AES_128_CBC=0",
        "HAVE_CIPHER_AES_256_CBC=0",
        "HAVE_CIPHER_SQLCIPHER=0",
        "HAVE_CIPHER_RC4=0",
        "HAVE_CIPHER_ASCON128=0",
        "HAVE_CIPHER_AEGIS=0",
        "CODEC_TYPE=CODEC_TYPE_CHACHA20",
    ] {
        match flag.split_once('=') {
            Some((name, value)) => build.define(name, value),
            None => build.define(flag, None),
        };
    }
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os != "windows" {
        build.define("HAVE_LOCALTIME_R", None);
    }
    // Android has no place SQLite finds for temporary files: keep them in memory, as
    // Android's own SQLite does.
    if target_os == "android" {
        build.define("SQLITE_TEMP_STORE", "3");
    }
    build.compile("sqlite3mc");
}
