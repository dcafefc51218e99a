//! What the relay and other members send: envelopes and snapshots, log pages, blob lists
//! and decrypted payloads. Any bytes give a value or an error, never a panic; what decodes
//! encodes back to the same bytes.
#![no_main]

use companion_core::sync::wire::{self, Envelope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let record = [7u8; 16];
    if let Ok(env) = Envelope::parse(record, data) {
        assert_eq!(env.bytes, data);
        let _ = env.author_id();
        let _ = env.verify(&[1u8; 32]);
        let _ = env.open(&[2u8; 32]);
    }
    if let Ok(items) = wire::decode_items(data) {
        assert_eq!(wire::encode_items(&items), data);
    }
    if let Ok(blobs) = wire::decode_blobs(data) {
        assert_eq!(wire::encode_blobs(&blobs), data);
    }
    if let Ok(payload) = wire::decode_payload(data) {
        let again = wire::decode_payload(&wire::encode_payload(&payload));
        assert_eq!(again.ok(), Some(payload));
    }
});
