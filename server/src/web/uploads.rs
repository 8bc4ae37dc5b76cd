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
use crate::web::form::routes::Audience;
use crate::web::i18n::Texts;
use crate::web::render::WebError;
use crate::web::session::Staff;
use crate::web::session::citizen::Citizen;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware;
use ceria_core::protocol::UserInfo;
use std::marker::PhantomData;

/// The request header carrying the session's anti-forgery token.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The upload routes of the citizens' pages and of the console.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(routes::<Citizen>())
        .merge(routes::<Staff>())
        .layer(middleware::from_fn(tus_resumable))
}

/// The tus routes of audience `A`, at [`Audience::UPLOADS`].
fn routes<A: Audience>() -> Router<AppState>
where
    A::Rejection: Into<WebError>,
{
    Router::new()
        .route(A::UPLOADS, collection::<FormUploader<A>>())
        .route(
            &format!("{}/{{id}}", A::UPLOADS),
            member::<FormUploader<A>>(),
        )
}

/// A signed-in account of audience `A` uploading from its pages.
pub(crate) struct FormUploader<A>(UserInfo, PhantomData<A>);

impl<A: Audience> Uploader for FormUploader<A>
where
    A::Rejection: Into<WebError>,
{
    const BASE: &'static str = A::UPLOADS;

    fn account(&self) -> &UserInfo {
        &self.0
    }
}

impl<A: Audience> FromRequestParts<AppState> for FormUploader<A>
where
    A::Rejection: Into<WebError>,
{
    type Rejection = ApiError;

    /// Any account of the session kind (as its pages' scripts upload), with the session's
    /// anti-forgery token in the header; no session (or a token of the other kind in the
    /// cookie) is 401.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let session = A::from_request_parts(parts, state)
            .await
            .map_err(|e| api_error(e.into()))?;
        let (user, csrf) = session.session();
        check_header(parts, csrf)?;
        Ok(FormUploader(user.clone(), PhantomData))
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
