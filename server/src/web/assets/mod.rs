//! The console's static files: one stylesheet and small scripts of our own (no third-party
//! file: `console.js` and `upload.js` (the forms' resumable uploads) on every page, `form.js`
//! on the request form's pages), embedded in the binary and served under a name carrying a
//! hash of their content (`console.3f2a9c1b0d.css`), so browsers may keep them for a year and
//! a new build is fetched at once.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

use crate::http::state::AppState;
use crate::web::render::WebError;

/// One embedded file.
#[derive(Debug)]
pub(crate) struct Asset {
    url: String,
    content_type: &'static str,
    bytes: &'static [u8],
}

impl Asset {
    fn new(stem: &str, ext: &str, content_type: &'static str, bytes: &'static [u8]) -> Asset {
        let hash = hex::encode(Sha256::digest(bytes));
        let short = hash.get(..10).unwrap_or(&hash);
        Asset {
            url: format!("/console/assets/{stem}.{short}.{ext}"),
            content_type,
            bytes,
        }
    }

    /// Where the page links it.
    pub(crate) fn url(&'static self) -> &'static str {
        &self.url
    }
}

/// The stylesheet.
pub(crate) static STYLESHEET: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "console",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("console.css"),
    )
});

/// The script (progressive enhancement only: every page works without it).
pub(crate) static SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "console",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("console.js"),
    )
});

/// The script of the request form (`form.js`): live checks, relevance, region pickers.
/// Loaded only by the form's pages.
pub(crate) static FORM_SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "form",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("form.js"),
    )
});

/// The uploads' script: resumable uploads of the forms' attachments (`web::uploads`).
pub(crate) static UPLOAD_SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "upload",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("upload.js"),
    )
});

/// The route of the assets.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/console/assets/{name}", get(serve))
}

async fn serve(Path(name): Path<String>) -> Result<Response, WebError> {
    let asset = [&*STYLESHEET, &*SCRIPT, &*FORM_SCRIPT, &*UPLOAD_SCRIPT]
        .into_iter()
        .find(|a| a.url.rsplit('/').next() == Some(name.as_str()))
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes,
    )
        .into_response())
}
