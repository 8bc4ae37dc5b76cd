//! The in-workspace `uniffi-bindgen`, so the generator always matches the library's UniFFI version.
fn main() {
    uniffi::uniffi_bindgen_main()
}
