//! The tus headers of `/v1/uploads` (`Upload-Offset`, `Upload-Length`, `Upload-Metadata`,
//! `Upload-Checksum`) read by the server's own parsers through `ceria_server::fuzzing`.
//! Input: the four header values and a patch body, separated by newlines (which a header
//! value cannot hold).
//!
//! Beyond "no panic": every refusal is a 400, an accepted number is exactly the digits sent,
//! and accepted metadata keys are non-empty ASCII.

#![no_main]

use ceria_server::fuzzing::{TusHeaders, read_tus_headers};
use libfuzzer_sys::fuzz_target;

/// Whether `value` reads as `n`: plain decimal digits, leading zeros allowed.
fn is_decimal_of(value: &[u8], n: u64) -> bool {
    let text = String::from_utf8_lossy(value);
    let trimmed = text.trim_start_matches('0');
    !value.is_empty()
        && value.iter().all(u8::is_ascii_digit)
        && (trimmed == n.to_string() || (n == 0 && trimmed.is_empty()))
}

fuzz_target!(|data: &[u8]| {
    let [offset, length, metadata, checksum, patch] = ceria_fuzz::parts::<5>(data);
    // An empty part stands for an absent header, so both cases are reached.
    let headers = TusHeaders {
        upload_offset: (!offset.is_empty()).then_some(offset),
        upload_length: (!length.is_empty()).then_some(length),
        upload_metadata: (!metadata.is_empty()).then_some(metadata),
        upload_checksum: (!checksum.is_empty()).then_some(checksum),
    };
    let reading = read_tus_headers(headers, patch);
    for (raw, read) in [
        (headers.upload_offset, reading.upload_offset),
        (headers.upload_length, reading.upload_length),
    ] {
        match read {
            Ok(Some(n)) => assert!(raw.is_some_and(|v| is_decimal_of(v, n)), "{raw:?} -> {n}"),
            Ok(None) => {}
            Err(status) => assert_eq!(status, 400),
        }
    }
    match reading.upload_metadata {
        Ok(pairs) => assert!(pairs.keys().all(|k| !k.is_empty() && k.is_ascii())),
        Err(status) => assert_eq!(status, 400),
    }
    if let Some(Err(status)) = reading.checksum_matches {
        assert_eq!(status, 400);
    }
});
