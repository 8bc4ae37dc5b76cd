//! The files of a post, per attachment requirement (the contract with the upload script,
//! `upload.js`): `upload.<req>` names a file the script finished uploading with tus (its
//! SHA-256), `file.<req>` carries a file chosen without the script.
//!
//! A hash the draft does not have yet is taken when it is a completed upload of the signed-in
//! account (the check the sync push makes); otherwise posted bytes are stored here as a
//! completed upload would be: checked by content against the catalog, within the size limit,
//! counted in the account's upload quota, and stored once by SHA-256 in the blob store.
//! Otherwise the draft keeps what it had for that requirement.

use crate::http::error::ApiError;
use crate::http::state::{AppState, blocking};
use crate::store::blobs::is_sha256_hex;
use crate::store::drafts::WebDraft;
use crate::store::uploads::UploadRow;
use crate::store::{new_id, now_ms};
use crate::web::form::posted::{Posted, PostedFile, UPLOAD};
use ceria_core::catalog::attachments::{AttachedFile, SNIFF_BYTES, media_type_of, too_large};
use ceria_core::protocol::{AttachmentRef, UserInfo};
use ceria_core::{Catalog, Finding, Issue};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Applies the files of `posted` to `draft`; answers the problems per requirement (a file
/// refused by content or size, a quota reached, an upload that is not the account's).
pub(crate) async fn apply(
    state: &AppState,
    user: &UserInfo,
    catalog: &Catalog,
    draft: &mut WebDraft,
    posted: &Posted,
) -> Result<BTreeMap<String, Issue>, ApiError> {
    let mut problems = BTreeMap::new();
    let Some(service) = catalog.service(&draft.service) else {
        return Ok(problems);
    };
    for requirement in service.attachments.iter().map(|a| a.id.clone()) {
        let had: Option<String> = draft
            .attachments
            .iter()
            .find(|a| a.requirement == requirement)
            .map(|a| a.sha256.clone());
        let uploaded = posted
            .fields
            .get(&format!("{UPLOAD}{requirement}"))
            .map(str::to_ascii_lowercase)
            .filter(|sha| is_sha256_hex(sha));
        let chosen = posted.files.iter().find(|f| f.requirement == requirement);
        let found = match (uploaded, chosen) {
            // The script uploaded a new file.
            (Some(sha), _) if had.as_deref() != Some(sha.as_str()) => {
                owned(state, user, &requirement, &sha)
                    .await?
                    .ok_or_else(|| {
                        catalog.attachment_issue(
                            &draft.service,
                            &requirement,
                            &Finding::error("attachment.not_uploaded")
                                .with("attachment", requirement.clone()),
                        )
                    })
            }
            // A file chosen without the script.
            (_, Some(file)) => store(state, user, catalog, &draft.service, file).await?,
            _ => continue,
        };
        match found {
            Ok(file) => {
                draft.attachments.retain(|a| a.requirement != requirement);
                draft.attachments.push(file);
            }
            Err(issue) => {
                problems.insert(requirement, issue);
            }
        }
    }
    Ok(problems)
}

/// The account's completed upload `sha256` as an attachment of `requirement`; none when the
/// account has no such upload.
async fn owned(
    state: &AppState,
    user: &UserInfo,
    requirement: &str,
    sha256: &str,
) -> Result<Option<AttachmentRef>, ApiError> {
    let (st, owner, sha) = (state.clone(), user.id.clone(), sha256.to_string());
    let facts = blocking(move || {
        if st.db.owned_upload_size(&owner, &sha)?.is_none() {
            return Ok(None);
        }
        crate::http::sync::stored_file(&st, &sha)
    })
    .await?;
    Ok(facts.map(|(size, media_type)| AttachmentRef {
        requirement: requirement.to_string(),
        sha256: sha256.to_string(),
        size,
        media_type: media_type.to_string(),
    }))
}

/// Stores a file posted without the script, as a completed tus upload of `user` would be.
async fn store(
    state: &AppState,
    user: &UserInfo,
    catalog: &Catalog,
    service: &str,
    file: &PostedFile,
) -> Result<Result<AttachmentRef, Issue>, ApiError> {
    let requirement = file.requirement.as_str();
    let refuse = |finding: Finding| {
        Ok(Err(catalog.attachment_issue(
            service,
            requirement,
            &finding,
        )))
    };
    let size = file.bytes.len() as u64;
    if size > state.config.max_upload_bytes {
        return refuse(too_large(state.config.max_upload_bytes));
    }
    let head = file
        .bytes
        .get(..SNIFF_BYTES.min(file.bytes.len()))
        .unwrap_or_default();
    let media_type = media_type_of(head);
    let attached = AttachedFile {
        requirement,
        media_type,
        size,
    };
    if let Err(finding) = catalog.check_attachment(service, attached, 0) {
        return refuse(finding);
    }
    let sha256 = hex::encode(Sha256::digest(&file.bytes));
    let done = AttachmentRef {
        requirement: requirement.to_string(),
        sha256: sha256.clone(),
        size,
        media_type: media_type.to_string(),
    };
    // The same content uploaded before is not stored twice.
    let (owner, sha) = (user.id.clone(), sha256.clone());
    if state
        .db_call(move |db| db.owned_upload_size(&owner, &sha))
        .await?
        == Some(size)
    {
        return Ok(Ok(done));
    }
    let now = now_ms();
    let expiry = i64::try_from(state.config.upload_expiry.as_millis()).unwrap_or(i64::MAX);
    let row = UploadRow {
        id: new_id(),
        owner_id: user.id.clone(),
        length: size,
        offset: 0,
        metadata: String::new(),
        filetype: Some(media_type.to_string()),
        expected_sha256: Some(sha256.clone()),
        sha256: None,
        created_ms: now,
        expires_ms: now.saturating_add(expiry),
        completed_ms: None,
    };
    if let Err(exceeded) = crate::http::uploads::record_within_quota(state, &row).await? {
        let (code, max) = exceeded.problem();
        return refuse(Finding::error(code).with("max", max.to_string()));
    }
    if let Err(e) = write_blob(state, &row.id, &sha256, &file.bytes).await {
        let id = row.id.clone();
        state.db_call(move |db| db.delete_upload(&id)).await?;
        let _ = state.blobs.remove_part(&row.id).await;
        return Err(e);
    }
    let keep = i64::try_from(state.config.unattached_file_expiry.as_millis()).unwrap_or(i64::MAX);
    let (id, sha) = (row.id.clone(), sha256);
    state
        .db_call(move |db| db.complete_upload(&id, &sha, size, now, now.saturating_add(keep)))
        .await?;
    Ok(Ok(done))
}

/// Writes the bytes of upload `id` and stores them as the blob `sha256`.
async fn write_blob(
    state: &AppState,
    id: &str,
    sha256: &str,
    bytes: &[u8],
) -> Result<(), ApiError> {
    state
        .blobs
        .create_part(id)
        .await
        .map_err(ApiError::internal)?;
    let mut writer = state
        .blobs
        .append_at(id, 0)
        .await
        .map_err(ApiError::internal)?;
    writer.write(bytes).await.map_err(ApiError::internal)?;
    let written = writer.sync().await.map_err(ApiError::internal)?;
    let key = id.to_string();
    state
        .db_call(move |db| db.set_upload_offset(&key, written))
        .await?;
    state
        .blobs
        .promote(id, sha256)
        .await
        .map_err(ApiError::internal)
}
