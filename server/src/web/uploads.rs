//! The web pages' resumable uploads: the API's tus handlers (`http::uploads`, the same code,
//! limits and quotas) at `/layanan/unggah` for a signed-in citizen and at `/console/unggah`
//! for staff (an operator filing a request for a resident), with `assets/upload.js` as their
//! client.
//!
//! A web upload is authenticated by the page's session cookie plus the session's
//! anti-forgery token in the [`CSRF_HEADER`] header (the value of the page's `_csrf` field):
//! a page of another origin can make a browser send the cookie but can neither read the token
//! nor, without a CORS preflight this server never grants, set that header. So a hostile page
//! cannot upload into a signed-in citizen's account.

use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::uploads::{Uploader, collection, member, tus_resumable};
use crate::web::csrf;
use crate::web::i18n::Texts;
use crate::web::render::WebError;
use crate::web::session::Staff;
use crate::web::session::citizen::{Citizen, NoCitizen};
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware;
use ceria_core::protocol::UserInfo;

/// The request header carrying the session's anti-forgery token.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The upload routes of the citizens' pages and of the console.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/layanan/unggah", collection::<CitizenUploader>())
        .route("/layanan/unggah/{id}", member::<CitizenUploader>())
        .route("/console/unggah", collection::<StaffUploader>())
        .route("/console/unggah/{id}", member::<StaffUploader>())
        .layer(middleware::from_fn(tus_resumable))
}

/// A signed-in citizen uploading from the citizens' pages.
pub(crate) struct CitizenUploader(UserInfo);

/// A signed-in staff member uploading from the console.
pub(crate) struct StaffUploader(UserInfo);

impl Uploader for CitizenUploader {
    const BASE: &'static str = "/layanan/unggah";

    fn account(&self) -> &UserInfo {
        &self.0
    }
}

impl Uploader for StaffUploader {
    const BASE: &'static str = "/console/unggah";

    fn account(&self) -> &UserInfo {
        &self.0
    }
}

impl FromRequestParts<AppState> for CitizenUploader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match <Citizen as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(citizen) => {
                check_header(parts, &citizen.csrf)?;
                Ok(CitizenUploader(citizen.user))
            }
            Err(NoCitizen::SignIn) => Err(signed_out()),
            Err(NoCitizen::Error(e)) => Err(api_error(e)),
        }
    }
}

impl FromRequestParts<AppState> for StaffUploader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match <Staff as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(staff) => {
                check_header(parts, &staff.csrf)?;
                Ok(StaffUploader(staff.user))
            }
            // No session, or a citizen's token in the console's cookie: no staff session.
            Err(WebError::SignIn | WebError::NotFound) => Err(signed_out()),
            Err(e) => Err(api_error(e)),
        }
    }
}

/// 401 `auth.session_expired`: the page's session is gone (sign in again).
fn signed_out() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "auth.session_expired")
}

/// A web error as the problem an upload client reads.
fn api_error(e: WebError) -> ApiError {
    match e {
        WebError::Api(e) => e,
        WebError::SignIn | WebError::NotFound => signed_out(),
        WebError::Forged => forged(),
    }
}

/// 403 `web.forged`: the request lacks the session's anti-forgery token.
fn forged() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "web.forged")
}

/// Refuses a request whose [`CSRF_HEADER`] is not the session's token `expected`.
fn check_header(parts: &Parts, expected: &str) -> Result<(), ApiError> {
    let given = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    csrf::check(expected, given).map_err(|_| forged())
}

/// The texts `upload.js` shows, keyed as the script reads them, with `{name}`-style
/// placeholders it fills itself.
const SCRIPT_TEXTS: &[(&str, &str)] = &[
    ("progress", "web.upload.progress"),
    ("scaling", "web.upload.scaling"),
    ("sending", "web.upload.sending"),
    ("retrying", "web.upload.retrying"),
    ("done", "web.upload.done"),
    ("failed", "web.upload.failed"),
    ("gaveUp", "web.upload.gave_up"),
];

/// The texts of `upload.js` in the page's language, as the JSON object the script reads from
/// its tag's `data-texts` (no text is written in the script itself).
pub(crate) fn script_texts(t: &Texts) -> String {
    let texts: serde_json::Map<String, serde_json::Value> = SCRIPT_TEXTS
        .iter()
        .map(|(key, code)| ((*key).to_string(), t.get(code).into()))
        .collect();
    serde_json::Value::Object(texts).to_string()
}
