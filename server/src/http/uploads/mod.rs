//! Resumable uploads: the tus 1.0.0 protocol at `/v1/uploads` (core, creation,
//! creation-with-upload, termination, checksum, expiration), within per-account quotas (open
//! uploads, finished files no request refers to, metadata size).
//!
//! The same handlers serve the web pages' uploads (`/layanan/unggah`, `/console/unggah`):
//! they are generic over the [`Uploader`], the way a route authenticates its caller (a bearer
//! token here, a web session with its anti-forgery header in `crate::web::uploads`), so the
//! protocol, limits and quotas exist once.
//!
//! A PATCH is consumed by a spawned task that owns the upload's lock: if the client vanishes
//! mid-body the task still makes the bytes received durable and records the new offset before
//! the lock is released. PATCH and HEAD take that lock first of all ([`UploadLock`], before
//! even the session is checked), so a HEAD sent right after a cut, even one that overtakes
//! the cut PATCH on its way through authentication, waits (briefly) for it and tells the
//! client exactly where to resume: a cut PATCH without `Upload-Checksum` costs the client
//! nothing it has to send again.
//!
//! That lock orders the requests of one process; across instances sharing the database, the
//! upload's [`lease`] in the database makes each PATCH, termination and sweep the upload's one
//! writer (the loser of a race between instances gets 423 `upload.locked`).

mod create;
mod lease;
mod patch;

pub(crate) use create::{create, record_within_quota};
pub(crate) use patch::patch;
use patch::patch_locked;

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::limits::next_chunk;
use crate::http::state::AppState;
use crate::http::tus::{self, PatchChecksum};
use crate::store::uploads::{QuotaExceeded, UploadQuota, UploadRow};
use crate::store::{new_id, now_ms};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use ceria_core::protocol::UserInfo;
use lease::Lease;
use std::time::Duration;

/// The account an upload route serves, authenticated the way that route requires; the
/// uploads it creates are its own and live under [`Uploader::BASE`].
pub(crate) trait Uploader:
    FromRequestParts<AppState, Rejection = ApiError> + Send + Sync + 'static
{
    /// The path of the route's uploads (`/v1/uploads`): where [`collection`] is routed, and
    /// [`member`] at `{BASE}/{id}` (the `Location` of a new upload).
    const BASE: &'static str;

    /// The account that owns the uploads.
    fn account(&self) -> &UserInfo;
}

impl Uploader for Caller {
    const BASE: &'static str = "/v1/uploads";

    fn account(&self) -> &UserInfo {
        &self.user
    }
}

/// The API's tus routes (bearer tokens), every answer carrying `Tus-Resumable`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/uploads", collection::<Caller>())
        .route("/v1/uploads/{id}", member::<Caller>())
        .layer(middleware::from_fn(tus_resumable))
}

/// The methods of an uploader's collection route (`U::BASE`): discovery and creation.
pub(crate) fn collection<U: Uploader>() -> MethodRouter<AppState> {
    axum::routing::options(options).post(create::<U>)
}

/// The methods of one upload's route (`U::BASE/{id}`): offset, append, termination.
pub(crate) fn member<U: Uploader>() -> MethodRouter<AppState> {
    axum::routing::head(head::<U>)
        .patch(patch::<U>)
        .delete(terminate::<U>)
}

/// How long a PATCH may stall between two chunks before it counts as cut off (the upload's
/// [`lease::LEASE`] outlasts it).
const CHUNK_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a HEAD waits for a PATCH of the same upload still in progress (typically one
/// whose connection was just cut and whose bytes are being made durable). After that it
/// answers with the offset recorded so far, which is safe, only maybe short.
const HEAD_SETTLE_WAIT: Duration = Duration::from_secs(2);

/// The lock of the upload named in the path, taken before any other work on a PATCH (waiting
/// as long as it takes) or a HEAD (waiting at most [`HEAD_SETTLE_WAIT`]; `None` after that).
/// Being an extractor placed before the [`Uploader`], it orders a PATCH before a HEAD that arrives
/// after it, however long their authentication takes.
pub(crate) struct UploadLock(Option<tokio::sync::OwnedMutexGuard<()>>);

impl FromRequestParts<AppState> for UploadLock {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let id = parts
            .uri
            .path()
            .rsplit('/')
            .next()
            .filter(|id| crate::store::blobs::is_upload_id(id));
        let Some(id) = id else {
            return Ok(UploadLock(None));
        };
        if parts.method == Method::HEAD {
            let waited = tokio::time::timeout(HEAD_SETTLE_WAIT, state.lock_upload(id)).await;
            return Ok(UploadLock(waited.ok()));
        }
        Ok(UploadLock(Some(state.lock_upload(id).await)))
    }
}

fn h(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

fn value(text: impl ToString) -> HeaderValue {
    HeaderValue::from_str(&text.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Middleware on every upload route: `Tus-Resumable` on each response, 412 for a client that
/// speaks another version (`OPTIONS` is exempt, it is how versions are discovered).
pub(crate) async fn tus_resumable(req: Request, next: Next) -> Response {
    let version_ok = req.method() == Method::OPTIONS
        || req
            .headers()
            .get("tus-resumable")
            .is_some_and(|v| v == tus::VERSION);
    let mut response = if version_ok {
        next.run(req).await
    } else {
        ApiError::new(StatusCode::PRECONDITION_FAILED, "request.malformed")
            .detail("Tus-Resumable must be 1.0.0")
            .header(h("tus-version"), HeaderValue::from_static(tus::VERSION))
            .into_response()
    };
    response
        .headers_mut()
        .insert(h("tus-resumable"), HeaderValue::from_static(tus::VERSION));
    response
}

/// `OPTIONS /v1/uploads`: what this server supports.
pub(crate) async fn options(State(state): State<AppState>) -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (h("tus-version"), HeaderValue::from_static(tus::VERSION)),
            (
                h("tus-extension"),
                HeaderValue::from_static(tus::EXTENSIONS),
            ),
            (
                h("tus-checksum-algorithm"),
                HeaderValue::from_static(tus::CHECKSUM_ALGORITHMS),
            ),
            (h("tus-max-size"), value(state.config.max_upload_bytes)),
        ],
    )
        .into_response()
}

fn too_large(state: &AppState) -> ApiError {
    let mb = state.config.max_upload_bytes.div_ceil(1024 * 1024);
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "upload.too_large").with("max_mb", mb.to_string())
}

/// Reads a tus header holding a non-negative integer (`Upload-Length`, `Upload-Offset`).
pub(crate) fn header_u64(headers: &HeaderMap, name: &str) -> Result<Option<u64>, ApiError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| ApiError::malformed(format!("{name} must be a non-negative integer"))),
    }
}

fn is_offset_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case(tus::OFFSET_OCTET_STREAM)
        })
}

fn expires_header(row: &UploadRow) -> Option<(HeaderName, HeaderValue)> {
    row.completed_ms
        .is_none()
        .then(|| (h("upload-expires"), value(tus::http_date(row.expires_ms))))
}

/// The caller's upload `id`, or 404 (also for other people's uploads), or 410 when expired.
async fn owned_upload(state: &AppState, owner: &UserInfo, id: &str) -> Result<UploadRow, ApiError> {
    if !crate::store::blobs::is_upload_id(id) {
        return Err(ApiError::not_found());
    }
    let key = id.to_string();
    let row = state
        .db_call(move |db| db.upload(&key))
        .await?
        .filter(|r| r.owner_id == owner.id)
        .ok_or_else(ApiError::not_found)?;
    if row.completed_ms.is_none() && row.expires_ms <= now_ms() {
        // Unless another instance is writing it right now (then its sweep comes later).
        if let Ok((_, lease)) = Lease::take(state, &row.id).await {
            discard(state, &row.id).await?;
            lease.release(state).await;
        }
        return Err(ApiError::new(StatusCode::GONE, "upload.expired"));
    }
    Ok(row)
}

/// Deletes an upload's record and partial file.
async fn discard(state: &AppState, id: &str) -> Result<(), ApiError> {
    let key = id.to_string();
    state.db_call(move |db| db.delete_upload(&key)).await?;
    state
        .blobs
        .remove_part(id)
        .await
        .map_err(ApiError::internal)
}

/// `HEAD /v1/uploads/{id}`: how many bytes are safely stored (once a PATCH in progress has
/// recorded what it received, see [`UploadLock`]).
pub(crate) async fn head<U: Uploader>(
    State(state): State<AppState>,
    _settled: UploadLock,
    caller: U,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = owned_upload(&state, caller.account(), &id).await?;
    let mut response = (
        StatusCode::OK,
        [
            (h("upload-offset"), value(row.offset)),
            (h("upload-length"), value(row.length)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response();
    if !row.metadata.is_empty() {
        response
            .headers_mut()
            .insert(h("upload-metadata"), value(&row.metadata));
    }
    if let Some((name, v)) = expires_header(&row) {
        response.headers_mut().insert(name, v);
    }
    Ok(response)
}

/// `DELETE /v1/uploads/{id}`: termination.
pub(crate) async fn terminate<U: Uploader>(
    State(state): State<AppState>,
    caller: U,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let row = owned_upload(&state, caller.account(), &id).await?;
    let _guard = state.lock_upload(&row.id).await;
    let (_, lease) = Lease::take(&state, &row.id).await?;
    let discarded = discard(&state, &row.id).await;
    lease.release(&state).await;
    discarded?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes expired unfinished uploads (run periodically).
pub(crate) async fn sweep(state: &AppState) -> Result<usize, ApiError> {
    let now = now_ms();
    let expired = state.db_call(move |db| db.expired_uploads(now)).await?;
    let mut swept = 0;
    for id in &expired {
        let _guard = state.lock_upload(id).await;
        // One being written through another instance is left for the next sweep.
        let Ok((_, lease)) = Lease::take(state, id).await else {
            continue;
        };
        let discarded = discard(state, id).await;
        lease.release(state).await;
        discarded?;
        swept += 1;
    }
    Ok(swept)
}

/// Deletes finished uploads that no request of their owner refers to once they expire, and
/// the stored files nothing refers to any more (run periodically).
pub(crate) async fn sweep_unattached(state: &AppState) -> Result<usize, ApiError> {
    let now = now_ms();
    let (uploads, orphaned) = state
        .db_call(move |db| db.sweep_unattached_uploads(now))
        .await?;
    for sha256 in &orphaned {
        state
            .blobs
            .remove_blob(sha256)
            .await
            .map_err(ApiError::internal)?;
    }
    Ok(uploads)
}
