//! Creating an upload (`POST`): the tus creation and creation-with-upload extensions, within
//! the account's quotas (open uploads, finished files no request refers to, metadata size).

use super::*;

/// `POST /v1/uploads`: creates an upload (and takes its first bytes if a body is sent).
pub(crate) async fn create<U: Uploader>(
    State(state): State<AppState>,
    caller: U,
    req: Request,
) -> Result<Response, ApiError> {
    let headers = req.headers().clone();
    if headers.contains_key("upload-defer-length") {
        return Err(ApiError::malformed("Upload-Defer-Length is not supported"));
    }
    let length = header_u64(&headers, "upload-length")?
        .ok_or_else(|| ApiError::malformed("Upload-Length is required"))?;
    if length > state.config.max_upload_bytes {
        return Err(too_large(&state));
    }
    let raw_metadata = headers
        .get("upload-metadata")
        .map(|v| v.to_str().map(str::to_string))
        .transpose()
        .map_err(|_| ApiError::malformed("Upload-Metadata must be ASCII"))?
        .unwrap_or_default();
    check_metadata_size(&state, &raw_metadata)?;
    let metadata =
        tus::parse_metadata(&raw_metadata).map_err(|e| ApiError::malformed(e.to_string()))?;
    let expected_sha256 = match metadata.get("sha256") {
        None => None,
        Some(hex) => {
            let hex = hex.trim().to_ascii_lowercase();
            if !crate::store::blobs::is_sha256_hex(&hex) {
                return Err(ApiError::malformed("metadata sha256 must be 64 hex digits"));
            }
            Some(hex)
        }
    };
    let now = now_ms();
    let expiry = i64::try_from(state.config.upload_expiry.as_millis()).unwrap_or(i64::MAX);
    let row = UploadRow {
        id: new_id(),
        owner_id: caller.account().id.clone(),
        length,
        offset: 0,
        metadata: raw_metadata,
        filetype: metadata.get("filetype").cloned(),
        expected_sha256,
        sha256: None,
        created_ms: now,
        expires_ms: now.saturating_add(expiry),
        completed_ms: None,
    };
    create_within_quota(&state, &row).await?;
    let location = format!("{}/{}", U::BASE, row.id);
    let has_body =
        is_offset_stream(&headers) && header_u64(&headers, "content-length")?.is_none_or(|n| n > 0);
    // An empty file is complete as soon as it exists.
    let mut response = if has_body || length == 0 {
        let body = if has_body {
            req.into_body()
        } else {
            Body::empty()
        };
        let mut patched = first_patch(state, row, body).await?;
        *patched.status_mut() = StatusCode::CREATED;
        patched
    } else {
        let mut r = StatusCode::CREATED.into_response();
        if let Some((name, v)) = expires_header(&row) {
            r.headers_mut().insert(name, v);
        }
        r
    };
    response
        .headers_mut()
        .insert(header::LOCATION, value(location));
    Ok(response)
}

/// 400 `upload.metadata_too_large` for an `Upload-Metadata` over the configured size.
pub(super) fn check_metadata_size(state: &AppState, raw: &str) -> Result<(), ApiError> {
    let max = state.config.max_upload_metadata_bytes;
    if raw.len() > max {
        return Err(
            ApiError::new(StatusCode::BAD_REQUEST, "upload.metadata_too_large")
                .with("max_kb", max.div_ceil(1024).to_string()),
        );
    }
    Ok(())
}

/// Records a new upload row if the owner's quotas allow another one (the API's uploads and the
/// web form's plain file posts both count here).
pub(crate) async fn record_within_quota(
    state: &AppState,
    row: &UploadRow,
) -> Result<Result<(), QuotaExceeded>, ApiError> {
    let quota = UploadQuota {
        max_open: state.config.max_open_uploads,
        max_unattached: state.config.max_unattached_files,
    };
    let stored = row.clone();
    state
        .db_call(move |db| db.create_upload_within(&stored, &quota, now_ms()))
        .await
}

/// Records a new upload and its empty partial file, if the owner's quotas allow another one
/// (checked and recorded in one transaction, so concurrent creations cannot overshoot):
/// 429 `quota.open_uploads` or `quota.unattached_files` otherwise.
pub(super) async fn create_within_quota(state: &AppState, row: &UploadRow) -> Result<(), ApiError> {
    if let Err(exceeded) = record_within_quota(state, row).await? {
        let (code, max) = exceeded.problem();
        return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, code).with("max", max.to_string()));
    }
    let made = state
        .blobs
        .create_part(&row.id)
        .await
        .map_err(ApiError::internal);
    if made.is_err() {
        let id = row.id.clone();
        state.db_call(move |db| db.delete_upload(&id)).await?;
    }
    made
}

/// The body of a creation-with-upload. If it fails (past `Upload-Length`, a bad checksum, a
/// cut connection), the client got no `Location` and can never resume: the upload is removed
/// rather than left as an orphan counting against the quota.
pub(super) async fn first_patch(
    state: AppState,
    row: UploadRow,
    body: Body,
) -> Result<Response, ApiError> {
    let id = row.id.clone();
    let guard = state.lock_upload(&id).await;
    let result = patch_locked(state.clone(), row.id, 0, None, body, guard).await;
    if result.is_err() {
        let _guard = state.lock_upload(&id).await;
        discard(&state, &id).await?;
    }
    result
}
