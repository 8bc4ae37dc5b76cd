//! The sync API's bodies: `POST /v1/sync/push` (batched, idempotent operations) and
//! `GET /v1/sync/pull` (status changes in server order).

use super::request::{DocumentInfo, RequestPayload, RequestState, ReturnReason};
use crate::report::Issue;
use serde::{Deserialize, Serialize};

/// Most operations accepted in one push.
pub const MAX_PUSH_OPERATIONS: usize = 100;
/// Default and largest page size of a pull.
pub const PULL_PAGE_SIZE: usize = 200;

/// One operation in a push. `op_id` is a client-generated UUID and the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Operation {
    /// A new request.
    Submit {
        /// Idempotency key.
        op_id: String,
        /// The device's id of the request (UUIDv7), echoed in status changes.
        local_id: String,
        /// The request.
        request: RequestPayload,
    },
    /// A corrected version of a request that was returned for fixing.
    Revise {
        /// Idempotency key.
        op_id: String,
        /// Server id of the returned request.
        request_id: String,
        /// The corrected request.
        request: RequestPayload,
    },
    /// Withdraw a request that is still `submitted` or `returned`.
    Cancel {
        /// Idempotency key.
        op_id: String,
        /// Server id of the request.
        request_id: String,
    },
}

impl Operation {
    /// The idempotency key.
    pub fn op_id(&self) -> &str {
        match self {
            Operation::Submit { op_id, .. }
            | Operation::Revise { op_id, .. }
            | Operation::Cancel { op_id, .. } => op_id,
        }
    }
}

/// `POST /v1/sync/push` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    /// Up to [`MAX_PUSH_OPERATIONS`] operations, applied in order.
    pub operations: Vec<Operation>,
}

/// What happened to one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OperationOutcome {
    /// Stored. Replays of the same `op_id` return this same outcome.
    Accepted {
        /// Server id of the request.
        request_id: String,
        /// Short code for the receipt, e.g. `CR-7K3M-9QXD`.
        tracking_code: String,
        /// The request's state after the operation.
        state: RequestState,
    },
    /// Not stored: the request does not validate (per-field issues from the core) or refers to
    /// an attachment that is not fully uploaded.
    Rejected {
        /// What to fix.
        issues: Vec<Issue>,
    },
    /// Not applied: the request is not in a state that allows it.
    Conflict {
        /// Stable code, e.g. `state.not_returned`.
        code: String,
        /// The request's current state.
        state: Option<RequestState>,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// Not applied: the device validated against an older catalog; refresh and check again.
    CatalogOutdated {
        /// The server's current catalog version.
        current_version: String,
    },
}

/// The result of one operation, in the order of the push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationResult {
    /// The operation's idempotency key.
    pub op_id: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: OperationOutcome,
}

/// `POST /v1/sync/push` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per operation, same order.
    pub results: Vec<OperationResult>,
}

/// One status change visible to the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Position in the server's feed.
    pub seq: i64,
    /// Server id of the request.
    pub request_id: String,
    /// The device's id of the request, if it was submitted through sync.
    pub local_id: Option<String>,
    /// Receipt code.
    pub tracking_code: String,
    /// Catalog service id.
    pub service: String,
    /// The new state.
    pub state: RequestState,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Reviewer's note.
    #[serde(default)]
    pub note: Option<String>,
    /// What to fix, when returned.
    #[serde(default)]
    pub reasons: Vec<ReturnReason>,
    /// The document, when completed.
    #[serde(default)]
    pub document: Option<DocumentInfo>,
}

/// `GET /v1/sync/pull?since=CURSOR&limit=N` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Changes in server order.
    pub changes: Vec<StatusChange>,
    /// Cursor for the next pull (opaque to clients).
    pub next_cursor: String,
    /// True when more changes are waiting.
    pub more: bool,
}
