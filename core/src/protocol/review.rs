//! The review API of nagari operators and registry officers: the queue
//! (`GET /v1/requests`), a request's detail (`GET /v1/requests/{id}`) and transitions
//! (`POST /v1/requests/{id}/transitions`).

use super::accounts::Role;
use super::request::{AttachmentRef, DocumentInfo, RequestPayload, RequestState, ReturnReason};
use crate::report::Issue;
use serde::{Deserialize, Serialize};

/// Largest page of the queue.
pub const MAX_QUEUE_PAGE: usize = 200;

/// A request in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    /// Server id.
    pub id: String,
    /// Receipt code.
    pub tracking_code: String,
    /// Service id.
    pub service: String,
    /// Village code.
    pub village: String,
    /// NIK of the citizen the request is for.
    pub citizen_nik: String,
    /// Current state.
    pub state: RequestState,
    /// Submission time (ms).
    pub created_ms: i64,
    /// Last change (ms).
    pub updated_ms: i64,
}

/// A page of the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    /// Requests, oldest first.
    pub items: Vec<RequestSummary>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// One entry of a request's audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Feed position.
    pub seq: i64,
    /// Who (user name).
    pub actor: String,
    /// Their role.
    pub actor_role: Role,
    /// State before (`None` for the submission).
    pub from: Option<RequestState>,
    /// State after.
    pub to: RequestState,
    /// When (ms).
    pub at_ms: i64,
    /// Reviewer's note.
    pub note: Option<String>,
    /// What to fix, when returned.
    pub reasons: Vec<ReturnReason>,
    /// The document, when completed.
    pub document: Option<DocumentInfo>,
}

/// An attachment of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAttachment {
    /// Requirement id.
    pub requirement: String,
    /// Hex SHA-256 (the download key).
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// Media type.
    pub media_type: String,
}

impl From<&StoredAttachment> for AttachmentRef {
    /// The stored file as a request refers to it again (a revision keeps its files).
    fn from(a: &StoredAttachment) -> Self {
        AttachmentRef {
            requirement: a.requirement.clone(),
            sha256: a.sha256.clone(),
            size: a.size,
            media_type: a.media_type.clone(),
        }
    }
}

/// Everything a reviewer sees of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    /// The summary.
    pub request: RequestSummary,
    /// The form as submitted (latest revision).
    pub payload: RequestPayload,
    /// Files.
    pub attachments: Vec<StoredAttachment>,
    /// Audit log, oldest first.
    pub history: Vec<AuditEntry>,
    /// What validation warns about the form, as on the day it was submitted.
    #[serde(default)]
    pub warnings: Vec<Issue>,
}

/// `POST /v1/requests/{id}/transitions` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// Target state.
    pub to: RequestState,
    /// Note (required to reject).
    #[serde(default)]
    pub note: Option<String>,
    /// What to fix (required to return).
    #[serde(default)]
    pub reasons: Vec<ReturnReason>,
    /// The document (required to complete).
    #[serde(default)]
    pub document: Option<DocumentInfo>,
}
