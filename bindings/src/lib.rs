//! `ceria-ffi`: the UniFFI surface of the Ceria core. Thin: no business logic lives here.
uniffi::setup_scaffolding!();
