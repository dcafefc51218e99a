//! The UniFFI binding generator, pinned to the UniFFI version the library is built with:
//! `cargo run -p companion-ffi --features bindgen --bin uniffi-bindgen -- generate --library
//! target/debug/libcompanion_ffi.so --language kotlin --out-dir OUT`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
