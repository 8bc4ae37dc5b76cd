//! A minimal tus 1.0.0 client (core, creation, termination): create an upload with the
//! SHA-256 of the whole file in its metadata, learn the server's offset with HEAD, append
//! chunks with PATCH, and terminate an upload that is no longer wanted. Resuming is just HEAD
//! then PATCH from the offset the server reports.
//!
//! No `Upload-Checksum` is sent per chunk: a server must drop a patch it cannot verify, so a
//! checksum would turn every cut connection into a whole chunk thrown away. Without it the
//! server keeps every byte that reached it (TLS authenticates each one on the way) and the
//! whole file is checked once, against the `sha256` metadata, when it is complete (460).

use crate::device::sync::http_api::{Api, Failure};
use crate::device::sync::transport::HttpRequest;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

const TUS_VERSION: &str = "1.0.0";

/// The answer to a PATCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatchOutcome {
    /// Stored; the new offset.
    Advanced(u64),
    /// 409: the server's offset differs (an earlier PATCH was partly kept): ask with HEAD.
    OffsetMismatch,
    /// 460: the whole file did not match the SHA-256 announced at creation (only the chunk
    /// that completes the file can get it); the server discarded the upload.
    ChecksumMismatch,
    /// 404/410: the upload expired or was removed; create a new one.
    Gone,
}

/// tus calls for one account.
pub(crate) struct TusClient<'a> {
    api: &'a Api,
    token: &'a str,
}

impl<'a> TusClient<'a> {
    /// A client authenticating with `token`.
    pub(crate) fn new(api: &'a Api, token: &'a str) -> TusClient<'a> {
        TusClient { api, token }
    }

    fn request(&self, method: &str, url: String) -> HttpRequest {
        HttpRequest::new(method, url)
            .header("Tus-Resumable", TUS_VERSION)
            .header("Authorization", format!("Bearer {}", self.token))
    }

    /// Creates an upload of `size` bytes whose whole content hashes to `sha256`; returns its
    /// absolute URL.
    pub(crate) fn create(
        &self,
        size: u64,
        sha256: &str,
        media_type: &str,
        file_name: &str,
    ) -> Result<String, Failure> {
        let metadata = format!(
            "filename {},filetype {},sha256 {}",
            B64.encode(file_name),
            B64.encode(media_type),
            B64.encode(sha256)
        );
        let request = self
            .request("POST", self.api.url("/v1/uploads"))
            .header("Upload-Length", size.to_string())
            .header("Upload-Metadata", metadata);
        let response = self.api.call(request)?;
        if response.status != 201 {
            return Err(Failure::Protocol(format!(
                "tus create answered {}",
                response.status
            )));
        }
        let location = response
            .header("Location")
            .ok_or_else(|| Failure::Protocol("tus create without Location".to_string()))?;
        Ok(self.api.resolve(location))
    }

    /// The server's offset of the upload; `None` when it is gone (expired, removed).
    pub(crate) fn offset(&self, url: &str) -> Result<Option<u64>, Failure> {
        let request = self
            .request("HEAD", url.to_string())
            .header("Cache-Control", "no-store");
        match self.api.call(request) {
            Ok(response) => parse_offset(response.header("Upload-Offset")).map(Some),
            Err(Failure::Refused {
                status: 404 | 410, ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Appends `chunk` at `offset`. When the connection breaks, the server keeps what reached
    /// it: ask [`TusClient::offset`] before sending more.
    pub(crate) fn patch(
        &self,
        url: &str,
        offset: u64,
        chunk: Vec<u8>,
    ) -> Result<PatchOutcome, Failure> {
        let request = self
            .request("PATCH", url.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(chunk);
        match self.api.call(request) {
            Ok(response) => {
                parse_offset(response.header("Upload-Offset")).map(PatchOutcome::Advanced)
            }
            Err(Failure::Refused { status: 409, .. }) => Ok(PatchOutcome::OffsetMismatch),
            Err(Failure::Refused { status: 460, .. }) => Ok(PatchOutcome::ChecksumMismatch),
            Err(Failure::Refused {
                status: 404 | 410, ..
            }) => Ok(PatchOutcome::Gone),
            Err(e) => Err(e),
        }
    }

    /// Terminates an upload (tus termination): the server frees what it holds. True when it
    /// did, false when the upload was already gone.
    pub(crate) fn terminate(&self, url: &str) -> Result<bool, Failure> {
        match self.api.call(self.request("DELETE", url.to_string())) {
            Ok(_) => Ok(true),
            Err(Failure::Refused {
                status: 404 | 410, ..
            }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

fn parse_offset(value: Option<&str>) -> Result<u64, Failure> {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| Failure::Protocol("tus answer without a valid Upload-Offset".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::sync::transport::{HttpResponse, Transport, TransportError};
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    struct Recorder {
        seen: Mutex<Vec<HttpRequest>>,
        replies: Mutex<Vec<HttpResponse>>,
    }

    impl Transport for Recorder {
        fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            self.seen.lock().unwrap().push(request);
            self.replies
                .lock()
                .unwrap()
                .pop()
                .ok_or_else(|| TransportError::Io("cut".into()))
        }
    }

    fn reply(status: u16, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            body: vec![],
        }
    }

    #[test]
    fn create_head_patch_speak_tus() {
        let rec = Arc::new(Recorder::default());
        *rec.replies.lock().unwrap() = vec![
            reply(460, &[]),
            reply(204, &[("Upload-Offset", "8")]),
            reply(200, &[("Upload-Offset", "3")]),
            reply(201, &[("Location", "/v1/uploads/u1")]),
        ];
        let api = Api::new("http://s:9", rec.clone());
        let tus = TusClient::new(&api, "tok");
        let url = tus.create(8, "ab", "image/jpeg", "ktp.jpg").unwrap();
        assert_eq!(url, "http://s:9/v1/uploads/u1");
        assert_eq!(tus.offset(&url).unwrap(), Some(3));
        assert_eq!(
            tus.patch(&url, 3, b"12345".to_vec()).unwrap(),
            PatchOutcome::Advanced(8)
        );
        assert_eq!(
            tus.patch(&url, 8, b"x".to_vec()).unwrap(),
            PatchOutcome::ChecksumMismatch
        );
        assert!(
            tus.patch(&url, 8, b"x".to_vec())
                .unwrap_err()
                .is_retryable()
        );

        let seen = rec.seen.lock().unwrap();
        let create = &seen[0];
        assert_eq!(create.header_value("Upload-Length"), Some("8"));
        assert_eq!(
            create.header_value("Upload-Metadata"),
            Some("filename a3RwLmpwZw==,filetype aW1hZ2UvanBlZw==,sha256 YWI=")
        );
        assert_eq!(create.header_value("authorization"), Some("Bearer tok"));
        let patch = &seen[2];
        assert_eq!(patch.method, "PATCH");
        assert_eq!(patch.header_value("Upload-Offset"), Some("3"));
        assert_eq!(patch.body, b"12345");
        assert_eq!(
            patch.header_value("Upload-Checksum"),
            None,
            "a cut chunk must stay usable"
        );
        assert!(
            seen.iter()
                .all(|r| r.header_value("Tus-Resumable") == Some("1.0.0"))
        );
    }

    #[test]
    fn expired_upload_reads_as_gone() {
        let rec = Arc::new(Recorder::default());
        *rec.replies.lock().unwrap() = vec![
            reply(404, &[]),
            reply(204, &[]),
            reply(410, &[]),
            reply(404, &[]),
        ];
        let api = Api::new("http://s:9", rec.clone());
        let tus = TusClient::new(&api, "tok");
        assert_eq!(tus.offset("http://s:9/v1/uploads/x").unwrap(), None);
        assert_eq!(
            tus.patch("http://s:9/v1/uploads/x", 0, vec![1]).unwrap(),
            PatchOutcome::Gone
        );
        assert!(tus.terminate("http://s:9/v1/uploads/x").unwrap());
        assert!(!tus.terminate("http://s:9/v1/uploads/x").unwrap());
        let seen = rec.seen.lock().unwrap();
        assert_eq!(seen[2].method, "DELETE");
        assert_eq!(seen[2].header_value("Tus-Resumable"), Some("1.0.0"));
    }
}
