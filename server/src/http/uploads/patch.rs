//! Appending to an upload (`PATCH`): the bytes of the body from the upload's offset, made
//! durable by a task that owns the upload's lock and lease even if the client vanishes
//! mid-body; the checksum extension; completion into a blob stored once by SHA-256.

use super::*;

/// `PATCH /v1/uploads/{id}`: appends bytes at `Upload-Offset`.
pub(crate) async fn patch<U: Uploader>(
    State(state): State<AppState>,
    lock: UploadLock,
    caller: U,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    if !is_offset_stream(req.headers()) {
        return Err(
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.malformed")
                .detail("Content-Type must be application/offset+octet-stream"),
        );
    }
    let offset = header_u64(req.headers(), "upload-offset")?
        .ok_or_else(|| ApiError::malformed("Upload-Offset is required"))?;
    let checksum = req
        .headers()
        .get("upload-checksum")
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::malformed("Upload-Checksum must be ASCII"))
                .and_then(|s| {
                    PatchChecksum::parse(s).map_err(|e| ApiError::malformed(e.to_string()))
                })
        })
        .transpose()?;
    let declared = header_u64(req.headers(), "content-length")?;
    let row = owned_upload(&state, caller.account(), &id).await?;
    if declared.is_some_and(|n| offset.saturating_add(n) > row.length) {
        return Err(ApiError::malformed("the patch goes past Upload-Length"));
    }
    let guard = match lock.0 {
        Some(guard) => guard,
        None => state.lock_upload(&row.id).await,
    };
    patch_locked(state, row.id, offset, checksum, req.into_body(), guard).await
}

/// Appends the body, holding the upload's lock and then its lease, in a task that outlives
/// the connection (so the lease is always given back).
pub(super) async fn patch_locked(
    state: AppState,
    id: String,
    offset: u64,
    checksum: Option<PatchChecksum>,
    body: Body,
    guard: tokio::sync::OwnedMutexGuard<()>,
) -> Result<Response, ApiError> {
    let task = tokio::spawn(async move {
        let _guard = guard;
        // The upload as it stands once this is its one writer: another PATCH may have moved
        // the offset meanwhile.
        let (row, mut lease) = Lease::take(&state, &id).await?;
        let result = append(&state, &mut lease, row, offset, checksum, body).await;
        lease.release(&state).await;
        result
    });
    task.await.map_err(ApiError::internal)?
}

pub(super) async fn append(
    state: &AppState,
    lease: &mut Lease,
    row: UploadRow,
    offset: u64,
    mut checksum: Option<PatchChecksum>,
    mut body: Body,
) -> Result<Response, ApiError> {
    let id = row.id.clone();
    if row.offset != offset {
        return Err(
            ApiError::new(StatusCode::CONFLICT, "upload.offset_mismatch")
                .header(h("upload-offset"), value(row.offset)),
        );
    }
    if row.completed_ms.is_some() {
        return Ok(patched_response(&row, row.offset));
    }
    let remaining = row.length - row.offset;
    let mut writer = state
        .blobs
        .append_at(&id, offset)
        .await
        .map_err(ApiError::internal)?;
    let mut overflow = false;
    let mut cut = false;
    loop {
        match tokio::time::timeout(CHUNK_TIMEOUT, next_chunk(&mut body)).await {
            Ok(None) => break,
            Ok(Some(Ok(data))) => {
                if writer.written() + data.len() as u64 > remaining {
                    overflow = true;
                    break;
                }
                if let Some(c) = checksum.as_mut() {
                    c.update(&data);
                }
                writer.write(&data).await.map_err(ApiError::internal)?;
                if let Err(lost) = lease.keep(state).await {
                    // Another writer took over: what it writes is the upload now.
                    writer.discard().await.map_err(ApiError::internal)?;
                    return Err(lost);
                }
            }
            Ok(Some(Err(_))) | Err(_) => {
                cut = true;
                break;
            }
        }
    }
    let received = writer.written();
    let verified = match checksum {
        None => true,
        Some(c) => !cut && !overflow && c.matches(),
    };
    if overflow || !verified {
        // Nothing of a patch that failed its checksum (or overflowed) is kept.
        writer.discard().await.map_err(ApiError::internal)?;
        state
            .blobs
            .truncate_part(&id, offset)
            .await
            .map_err(ApiError::internal)?;
        if overflow {
            return Err(ApiError::malformed("the patch goes past Upload-Length"));
        }
        if cut {
            return Err(ApiError::malformed("the patch was cut off"));
        }
        return Err(checksum_mismatch());
    }
    let new_offset = writer.sync().await.map_err(ApiError::internal)?;
    lease.record_offset(state, new_offset).await?;
    if cut {
        tracing::info!(upload = %id, received, "patch cut off; bytes kept for resume");
        return Err(ApiError::malformed("the patch was cut off"));
    }
    if new_offset < row.length {
        return Ok(patched_response(&row, new_offset));
    }
    finish(state, &row).await?;
    let key = id.clone();
    let done = state
        .db_call(move |db| db.upload(&key))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(patched_response(&done, new_offset))
}

pub(super) fn checksum_mismatch() -> ApiError {
    let status = StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST);
    ApiError::new(status, "upload.checksum_mismatch")
}

/// Hashes a complete upload, checks the announced SHA-256 and stores the blob.
pub(super) async fn finish(state: &AppState, row: &UploadRow) -> Result<(), ApiError> {
    let (sha, size) = state
        .blobs
        .hash_part(&row.id)
        .await
        .map_err(ApiError::internal)?;
    if row
        .expected_sha256
        .as_deref()
        .is_some_and(|want| want != sha)
    {
        discard(state, &row.id).await?;
        return Err(checksum_mismatch().detail("the file's SHA-256 differs from metadata sha256"));
    }
    state
        .blobs
        .promote(&row.id, &sha)
        .await
        .map_err(ApiError::internal)?;
    let id = row.id.clone();
    let now = now_ms();
    // A finished file no request refers to is kept this long (then swept).
    let keep = i64::try_from(state.config.unattached_file_expiry.as_millis()).unwrap_or(i64::MAX);
    state
        .db_call(move |db| db.complete_upload(&id, &sha, size, now, now.saturating_add(keep)))
        .await
}

pub(super) fn patched_response(row: &UploadRow, offset: u64) -> Response {
    let mut r = (
        StatusCode::NO_CONTENT,
        [(h("upload-offset"), value(offset))],
    )
        .into_response();
    if let Some((name, v)) = expires_header(row) {
        r.headers_mut().insert(name, v);
    }
    if let Some(sha) = &row.sha256 {
        // Not part of tus: lets a client check what the server stored.
        r.headers_mut().insert(h("upload-sha256"), value(sha));
    }
    r
}
