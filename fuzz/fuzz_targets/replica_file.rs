//! Replica export files, whatever a file holds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = companion_core::replica_file::decode(data) {
        let _ = file.record_id.len() + file.documents.len();
    }
});
