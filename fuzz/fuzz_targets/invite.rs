//! Invite codes and QR payloads as people type or scan them.
#![no_main]

use companion_core::sync::invite::Invite;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(invite) = Invite::parse(text) {
        // What parses gives the same invite from its own code and payload.
        let again = Invite::parse(&invite.code()).expect("its own code parses");
        assert_eq!(again.id(), invite.id());
        let again = Invite::parse(&invite.qr_payload()).expect("its own payload parses");
        assert_eq!(again.id(), invite.id());
    }
});
