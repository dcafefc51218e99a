//! Membership entries as the log serves them: parsed and replayed at a position, an entry
//! that does not verify or does not fit is refused, never a panic.
#![no_main]

use companion_core::sync::membership::{Entry, Membership};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Entry::parse(data);
    let mut m = Membership::default();
    // Two entries: the input split at its first newline (a genesis, then what follows).
    let (first, second) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &data[..0]),
    };
    if m.apply(1, first).is_ok() {
        let _ = m.apply(2, second);
        let _ = m.members().count();
        let _ = m.owners();
        let _ = m.needs_rotation();
    }
});
