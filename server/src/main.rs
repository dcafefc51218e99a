//! `companion-server --listen ADDR --db relay.db|postgres://… [--open]`: the relay for
//! deployments (the same as `companion serve`). Flags override the environment:
//! `COMPANION_LISTEN` (default 127.0.0.1:8080) and `COMPANION_RELAY_DB` (required when --db is
//! not given). Without `--open` the relay takes new records only with its creation token,
//! which it prints at start.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut listen = std::env::var("COMPANION_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let mut db = std::env::var("COMPANION_RELAY_DB").ok();
    let mut open = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--open" {
            open = true;
            continue;
        }
        match (arg.as_str(), args.next()) {
            ("--listen", Some(v)) => listen = v,
            ("--db", Some(v)) => db = Some(v),
            _ => {
                eprintln!(
                    "usage: companion-server --listen ADDR --db RELAY.db|postgres://URL [--open]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let Some(db) = db else {
        eprintln!("companion-server needs --db RELAY.db (or COMPANION_RELAY_DB)");
        return ExitCode::from(2);
    };
    match companion_server::serve(&listen, &db, open) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
