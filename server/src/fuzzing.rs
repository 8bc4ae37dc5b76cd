//! Entry points for the fuzz targets in `fuzz/` (cargo feature `fuzzing`, off in every normal
//! build): the parsers of untrusted input that live in the private HTTP layer, reached through
//! exactly the code the handlers run, so a fuzzer finding here is a finding in the server.
//!
//! Errors are reported as the HTTP status the client would get: anything but a 4xx is a bug.

use crate::http::error::ApiError;
use crate::http::{limits, tus, uploads};
use axum::http::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The tus request headers the upload routes read, as raw bytes off the wire. A value that
/// HTTP does not allow in a header (a line break, a NUL) never reaches a handler, so it is
/// treated as absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct TusHeaders<'a> {
    /// `Upload-Offset` (PATCH).
    pub upload_offset: Option<&'a [u8]>,
    /// `Upload-Length` (POST).
    pub upload_length: Option<&'a [u8]>,
    /// `Upload-Metadata` (POST).
    pub upload_metadata: Option<&'a [u8]>,
    /// `Upload-Checksum` (PATCH).
    pub upload_checksum: Option<&'a [u8]>,
}

/// What the upload routes make of [`TusHeaders`]; `Err` holds the answer's HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TusReading {
    /// `Upload-Offset` as the PATCH handler reads it.
    pub upload_offset: Result<Option<u64>, u16>,
    /// `Upload-Length` as the POST handler reads it.
    pub upload_length: Result<Option<u64>, u16>,
    /// `Upload-Metadata` pairs as the POST handler reads them.
    pub upload_metadata: Result<BTreeMap<String, String>, u16>,
    /// `Upload-Checksum`: whether `patch` matched the digest (`None` without the header).
    pub checksum_matches: Option<Result<bool, u16>>,
}

/// Reads `headers` with the handlers' own parsers; `patch` stands in for a PATCH body to
/// check against `Upload-Checksum`.
pub fn read_tus_headers(headers: TusHeaders<'_>, patch: &[u8]) -> TusReading {
    let mut map = HeaderMap::new();
    for (name, value) in [
        ("upload-offset", headers.upload_offset),
        ("upload-length", headers.upload_length),
        ("upload-metadata", headers.upload_metadata),
        ("upload-checksum", headers.upload_checksum),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_bytes(v).ok()) {
            map.insert(name, v);
        }
    }
    let status = |e: ApiError| e.status.as_u16();
    let malformed = |detail: String| status(ApiError::malformed(detail));
    let upload_metadata = match map.get("upload-metadata") {
        None => Ok(BTreeMap::new()),
        Some(v) => v
            .to_str()
            .map_err(|e| malformed(e.to_string()))
            .and_then(|s| tus::parse_metadata(s).map_err(|e| malformed(e.to_string()))),
    };
    let checksum_matches = map.get("upload-checksum").map(|v| {
        let text = v.to_str().map_err(|e| malformed(e.to_string()))?;
        let mut checksum = tus::PatchChecksum::parse(text).map_err(|e| malformed(e.to_string()))?;
        checksum.update(patch);
        Ok(checksum.matches())
    });
    TusReading {
        upload_offset: uploads::header_u64(&map, "upload-offset").map_err(status),
        upload_length: uploads::header_u64(&map, "upload-length").map_err(status),
        upload_metadata,
        checksum_matches,
    }
}

/// Parses a JSON request body as the server's JSON extractor does (depth and string-length
/// scan, then serde); `Err` holds the answer's HTTP status (400 or 422).
pub fn parse_json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, u16> {
    limits::parse_json(bytes).map_err(|e| e.status.as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ceria_core::protocol::PushRequest;

    #[test]
    fn reads_tus_headers_like_the_handlers() {
        let r = read_tus_headers(
            TusHeaders {
                upload_offset: Some(b"10"),
                upload_length: Some(b"+5"),
                upload_metadata: Some(b"filename a3RwLmpwZw=="),
                upload_checksum: Some(b"sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0="),
            },
            b"abc",
        );
        assert_eq!(r.upload_offset, Ok(Some(10)));
        assert_eq!(r.upload_length, Err(400));
        assert_eq!(
            r.upload_metadata
                .ok()
                .and_then(|m| m.get("filename").cloned()),
            Some("ktp.jpg".to_string())
        );
        assert_eq!(r.checksum_matches, Some(Ok(true)));
        let none = read_tus_headers(TusHeaders::default(), b"");
        assert_eq!(none.upload_offset, Ok(None));
        assert_eq!(none.checksum_matches, None);
    }

    #[test]
    fn json_bodies_fail_with_4xx() {
        assert_eq!(
            parse_json_body::<PushRequest>(br#"{"operations": []}"#),
            Ok(PushRequest { operations: vec![] })
        );
        assert_eq!(parse_json_body::<PushRequest>(b"{"), Err(400));
        assert_eq!(
            parse_json_body::<PushRequest>(br#"{"operations": 1}"#),
            Err(422)
        );
    }
}
