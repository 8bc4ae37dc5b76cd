//! tus 1.0.0 protocol details that need no I/O: header names, `Upload-Metadata` and
//! `Upload-Checksum` parsing, and the HTTP date of `Upload-Expires`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ceria_core::Date;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The protocol version spoken.
pub(crate) const VERSION: &str = "1.0.0";
/// Extensions supported.
pub(crate) const EXTENSIONS: &str = "creation,creation-with-upload,termination,checksum,expiration";
/// Checksum algorithms supported.
pub(crate) const CHECKSUM_ALGORITHMS: &str = "sha1,sha256";
/// The media type of a PATCH body.
pub(crate) const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// Why a tus header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TusHeaderError {
    /// `Upload-Metadata` is not `key base64,key base64`.
    #[error("Upload-Metadata: {0}")]
    Metadata(String),
    /// `Upload-Checksum` is not `<algorithm> <base64>`.
    #[error("Upload-Checksum: {0}")]
    Checksum(String),
}

/// Parses `Upload-Metadata`: comma-separated `key base64value` pairs (value optional).
pub(crate) fn parse_metadata(header: &str) -> Result<BTreeMap<String, String>, TusHeaderError> {
    let mut out = BTreeMap::new();
    for pair in header.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut parts = pair.split(' ');
        let key = parts.next().unwrap_or_default();
        let value = parts.next().unwrap_or_default();
        if parts.next().is_some() || key.is_empty() || !key.is_ascii() {
            return Err(TusHeaderError::Metadata(format!("bad pair `{pair}`")));
        }
        let bytes = STANDARD
            .decode(value)
            .map_err(|_| TusHeaderError::Metadata(format!("value of `{key}` is not base64")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| TusHeaderError::Metadata(format!("value of `{key}` is not UTF-8")))?;
        if out.insert(key.to_string(), text).is_some() {
            return Err(TusHeaderError::Metadata(format!("`{key}` given twice")));
        }
    }
    Ok(out)
}

/// A per-patch checksum being computed.
#[derive(Debug, Clone)]
pub(crate) enum PatchChecksum {
    /// SHA-1 and the expected digest.
    Sha1(Sha1, Vec<u8>),
    /// SHA-256 and the expected digest.
    Sha256(Sha256, Vec<u8>),
}

impl PatchChecksum {
    /// Parses `Upload-Checksum: <algorithm> <base64 digest>`.
    pub fn parse(header: &str) -> Result<PatchChecksum, TusHeaderError> {
        let (algorithm, digest) = header
            .trim()
            .split_once(' ')
            .ok_or_else(|| TusHeaderError::Checksum("expected `<algorithm> <base64>`".into()))?;
        let digest = STANDARD
            .decode(digest.trim())
            .map_err(|_| TusHeaderError::Checksum("digest is not base64".into()))?;
        match algorithm.to_ascii_lowercase().as_str() {
            "sha1" if digest.len() == 20 => Ok(PatchChecksum::Sha1(Sha1::new(), digest)),
            "sha256" if digest.len() == 32 => Ok(PatchChecksum::Sha256(Sha256::new(), digest)),
            "sha1" | "sha256" => Err(TusHeaderError::Checksum(
                "digest has the wrong length".into(),
            )),
            other => Err(TusHeaderError::Checksum(format!(
                "unsupported algorithm `{other}`"
            ))),
        }
    }

    /// Feeds bytes of the patch.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            PatchChecksum::Sha1(h, _) => h.update(data),
            PatchChecksum::Sha256(h, _) => h.update(data),
        }
    }

    /// True when the bytes fed match the expected digest.
    pub fn matches(self) -> bool {
        match self {
            PatchChecksum::Sha1(h, want) => h.finalize().as_slice() == want.as_slice(),
            PatchChecksum::Sha256(h, want) => h.finalize().as_slice() == want.as_slice(),
        }
    }
}

/// Formats Unix milliseconds as an RFC 9110 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub(crate) fn http_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Out of the core's date range only for a clock ~270,000 years off.
    let (y, m, d) =
        Date::from_days(days).map_or((1970, 1, 1), |date| (date.year(), date.month(), date.day()));
    let weekday = DAYS
        .get(days.rem_euclid(7) as usize)
        .copied()
        .unwrap_or("Thu");
    let month = MONTHS
        .get((m as usize).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_pairs() {
        let m = parse_metadata("filename a3RwLmpwZw==,filetype aW1hZ2UvanBlZw==,is_confidential")
            .unwrap();
        assert_eq!(m.get("filename").map(String::as_str), Some("ktp.jpg"));
        assert_eq!(m.get("filetype").map(String::as_str), Some("image/jpeg"));
        assert_eq!(m.get("is_confidential").map(String::as_str), Some(""));
        assert!(parse_metadata("").unwrap().is_empty());
        assert!(parse_metadata("filename !!!").is_err());
        assert!(parse_metadata("a YQ==,a YQ==").is_err());
        assert!(parse_metadata("a YQ== extra").is_err());
    }

    #[test]
    fn checksums() {
        let digest = STANDARD.encode(Sha256::digest(b"abc"));
        let mut c = PatchChecksum::parse(&format!("sha256 {digest}")).unwrap();
        c.update(b"a");
        c.update(b"bc");
        assert!(c.matches());
        let mut c = PatchChecksum::parse(&format!("sha256 {digest}")).unwrap();
        c.update(b"abd");
        assert!(!c.matches());
        let sha1 = STANDARD.encode(Sha1::digest(b"abc"));
        let mut c = PatchChecksum::parse(&format!("SHA1 {sha1}")).unwrap();
        c.update(b"abc");
        assert!(c.matches());
        assert!(PatchChecksum::parse("md5 AAAA").is_err());
        assert!(
            PatchChecksum::parse(&format!("sha1 {digest}")).is_err(),
            "wrong length"
        );
        assert!(PatchChecksum::parse("sha256").is_err());
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(951_782_400_000), "Tue, 29 Feb 2000 00:00:00 GMT");
    }
}
