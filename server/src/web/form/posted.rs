//! Reading a post of the form: `multipart/form-data` (the form's own encoding, with the files
//! of a no-JS post) or a plain urlencoded form (the live check's script, tests). Text parts
//! become [`Fields`]; file parts named `file.<requirement>` are kept in memory, bounded by the
//! route's body limit, and stored only after the anti-forgery check.

use crate::http::error::ApiError;
use crate::web::render::{Fields, WebError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};

/// The field prefix of a value: `v.<field id>`.
pub(crate) const VALUE: &str = "v.";
/// The field prefix of a file chosen without the upload script: `file.<requirement>`.
pub(crate) const FILE: &str = "file.";
/// The field prefix of a file the upload script finished: `upload.<requirement>` = SHA-256.
pub(crate) const UPLOAD: &str = "upload.";

/// Largest body of one post of the form: a few files at the catalog's size limit (10 MB)
/// chosen at once without the upload script, plus the text.
pub(crate) const MAX_POST_BYTES: usize = 48 * 1024 * 1024;
/// Largest text part (a value, a token); longer ones are cut off by validation anyway.
const MAX_TEXT_BYTES: usize = 8 * 1024;
/// Most text parts.
const MAX_TEXT_PARTS: usize = 1024;

/// A file chosen for a requirement.
#[derive(Debug, Clone)]
pub(crate) struct PostedFile {
    /// The requirement (catalog attachment id).
    pub requirement: String,
    /// Its bytes.
    pub bytes: Bytes,
}

/// A post of the form.
#[derive(Debug, Clone, Default)]
pub(crate) struct Posted {
    /// The text fields.
    pub fields: Fields,
    /// The chosen files, non-empty ones only.
    pub files: Vec<PostedFile>,
}

impl Posted {
    /// What the post asks for: `send`, `check`, `choose` (a region level), or save.
    pub(crate) fn action(&self) -> &str {
        self.fields.get("action").unwrap_or("save")
    }
}

fn too_large() -> WebError {
    WebError::Api(
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "web.form.post_too_large")
            .with("max_mb", (MAX_POST_BYTES / (1024 * 1024)).to_string()),
    )
}

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = WebError;

    /// A body that is neither form reads as an empty post: it carries no anti-forgery token,
    /// so the handler refuses it (403) before looking further.
    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let fields = Fields::from_request(req, state).await?;
            return Ok(Posted {
                fields,
                files: Vec::new(),
            });
        }
        let Ok(mut parts) = Multipart::from_request(req, state).await else {
            return Ok(Posted::default());
        };
        let mut posted = Posted::default();
        while let Some(part) = parts.next_field().await.map_err(|_| too_large())? {
            let name = part.name().unwrap_or_default().to_string();
            if let Some(requirement) = name.strip_prefix(FILE) {
                let requirement = requirement.to_string();
                let bytes = part.bytes().await.map_err(|_| too_large())?;
                if !bytes.is_empty() {
                    posted.files.push(PostedFile { requirement, bytes });
                }
                continue;
            }
            let bytes = part.bytes().await.map_err(|_| too_large())?;
            if bytes.len() > MAX_TEXT_BYTES || posted.fields.0.len() >= MAX_TEXT_PARTS {
                return Err(too_large());
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            posted.fields.0.push((name, text));
        }
        Ok(posted)
    }
}
