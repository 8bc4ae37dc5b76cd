//! Input limits checked before any JSON is deserialised: body size, nesting depth and string
//! length. A hostile body (2 MiB, 10,000 nested arrays, a 1 MB string) is refused with a 4xx
//! problem after a linear scan, before serde allocates anything for it.

use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// Largest JSON body accepted (1 MiB).
pub(crate) const MAX_JSON_BYTES: usize = 1024 * 1024;
/// Largest catalog accepted by `PUT /v1/catalog` (8 MiB: a catalog is a big document).
pub(crate) const MAX_CATALOG_BYTES: usize = 8 * 1024 * 1024;
/// Largest region table CSV (a whole-country decree is about 2.3 MB).
pub(crate) const MAX_REGIONS_BYTES: usize = 8 * 1024 * 1024;
/// Deepest JSON nesting accepted.
pub(crate) const MAX_JSON_DEPTH: usize = 32;
/// Longest JSON string accepted, in bytes as sent (escapes counted as written).
pub(crate) const MAX_STRING_BYTES: usize = 64 * 1024;

/// Why a JSON body was refused by the scan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum JsonLimitError {
    /// Nested deeper than allowed.
    #[error("JSON nested deeper than {max} levels")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A string is longer than allowed.
    #[error("JSON string longer than {max} bytes")]
    StringTooLong {
        /// The limit.
        max: usize,
    },
}

/// Scans `bytes` for nesting depth and string length. Syntax is left to the parser: this only
/// needs to be right on well-formed JSON and never loop or panic on anything else.
pub(crate) fn scan_json(
    bytes: &[u8],
    max_depth: usize,
    max_string: usize,
) -> Result<(), JsonLimitError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut string_len = 0usize;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                continue;
            }
            string_len += 1;
            if string_len > max_string {
                return Err(JsonLimitError::StringTooLong { max: max_string });
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                string_len = 0;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(JsonLimitError::TooDeep { max: max_depth });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Parses a JSON body after the size, depth and string checks.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    scan_json(bytes, MAX_JSON_DEPTH, MAX_STRING_BYTES)
        .map_err(|e| ApiError::malformed(e.to_string()))?;
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            // Right JSON, wrong shape: 422, like the rest of the input checks.
            Category::Data => ApiError::unprocessable(e.to_string()),
            Category::Syntax | Category::Eof | Category::Io => ApiError::malformed(e.to_string()),
        }
    })
}

/// Bodies up to this size are read to the end even when refused, so the client (which is
/// still sending) can read the 413 instead of failing on a reset connection.
pub(crate) const MAX_DRAINED_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a whole body, refusing more than `max` bytes with 413.
pub(crate) async fn read_body(req: Request, max: usize) -> Result<axum::body::Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_DRAINED_BYTES) {
        return Err(ApiError::body_too_large(max));
    }
    let mut body = req.into_body();
    let mut out = Vec::with_capacity(declared.map_or(1024, |d| d.min(max as u64) as usize));
    let mut total = 0u64;
    while let Some(chunk) = next_chunk(&mut body).await {
        let data = chunk.map_err(|_| ApiError::malformed("body could not be read"))?;
        total += data.len() as u64;
        if total > MAX_DRAINED_BYTES {
            return Err(ApiError::body_too_large(max));
        }
        if total <= max as u64 {
            out.extend_from_slice(&data);
        }
    }
    if total > max as u64 {
        return Err(ApiError::body_too_large(max));
    }
    Ok(axum::body::Bytes::from(out))
}

/// The next data chunk of a body (`None` at its end); trailers are skipped.
pub(crate) async fn next_chunk(
    body: &mut axum::body::Body,
) -> Option<Result<axum::body::Bytes, axum::Error>> {
    use axum::body::HttpBody;
    use std::pin::Pin;
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await?;
        match frame {
            Err(e) => return Some(Err(e)),
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    return Some(Ok(data));
                }
            }
        }
    }
}

/// A JSON request body of at most [`MAX_JSON_BYTES`], checked by [`scan_json`].
#[derive(Debug, Clone)]
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &AppState) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media = content_type.split(';').next().unwrap_or("").trim();
        if !(media.eq_ignore_ascii_case("application/json") || media.ends_with("+json")) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.malformed",
            )
            .detail("expected Content-Type: application/json"));
        }
        let bytes = read_body(req, MAX_JSON_BYTES).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_json() {
        let doc = br#"{"a": [1, {"b": "x\"y"}], "c": "[[[["}"#;
        assert_eq!(scan_json(doc, 3, 10), Ok(()));
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        let doc = format!(r#"{{"a": "{}"}}"#, "[".repeat(100));
        assert_eq!(scan_json(doc.as_bytes(), 2, 1000), Ok(()));
    }

    #[test]
    fn refuses_deep_nesting() {
        let doc = format!("{}{}", "[".repeat(33), "]".repeat(33));
        assert_eq!(
            scan_json(doc.as_bytes(), 32, 100),
            Err(JsonLimitError::TooDeep { max: 32 })
        );
        let ok = format!("{}{}", "[".repeat(32), "]".repeat(32));
        assert_eq!(scan_json(ok.as_bytes(), 32, 100), Ok(()));
    }

    #[test]
    fn refuses_long_strings_and_counts_escapes() {
        let doc = format!(r#"["{}"]"#, "a".repeat(11));
        assert_eq!(
            scan_json(doc.as_bytes(), 5, 10),
            Err(JsonLimitError::StringTooLong { max: 10 })
        );
        // An escaped quote does not end the string.
        let doc = br#"["aaaa\"aaaaaaa"]"#;
        assert!(scan_json(doc, 5, 10).is_err());
        let doc = format!(r#"["{}"]"#, "a".repeat(10));
        assert_eq!(scan_json(doc.as_bytes(), 5, 10), Ok(()));
    }

    #[test]
    fn garbage_never_panics() {
        for doc in [
            &b"\\\\\\\""[..],
            b"]]]]}}}",
            b"\"",
            b"",
            b"\xff\xfe[",
            b"\"\\",
        ] {
            let _ = scan_json(doc, 4, 4);
        }
    }

    #[test]
    fn wrong_types_are_422_and_bad_syntax_400() {
        #[derive(Debug, serde::Deserialize)]
        struct T {
            #[allow(dead_code)]
            n: u32,
        }
        let e = parse_json::<T>(br#"{"n": "x"}"#).unwrap_err();
        assert_eq!(e.status.as_u16(), 422);
        let e = parse_json::<T>(br#"{"n": 1"#).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        let e = parse_json::<T>(b"nope").unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert_eq!(parse_json::<T>(br#"{"n": 3}"#).unwrap().n, 3);
    }
}
