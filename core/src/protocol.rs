//! The sync protocol's JSON messages, shared by the device sync engine and the reference
//! server so both sides serialise the very same types. `docs/protocol.md` describes the
//! endpoints; this module is the source of truth for the bodies.

use crate::report::Issue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most operations accepted in one push.
pub const MAX_PUSH_OPERATIONS: usize = 100;
/// Default and largest page size of a pull.
pub const PULL_PAGE_SIZE: usize = 200;

/// The state of a request in the review workflow.
///
/// `submitted -> verified | returned`, `returned -> submitted` (revised),
/// `submitted | verified -> processing`, `processing -> completed | rejected`,
/// `submitted | returned -> cancelled` (by the citizen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RequestState {
    /// Received by the registry, waiting for the nagari or registry.
    Submitted,
    /// Checked by the nagari operator.
    Verified,
    /// Returned to the citizen for fixing, with reasons.
    Returned,
    /// Being processed at the registry.
    Processing,
    /// Done: the document is ready (number and pickup information given).
    Completed,
    /// Refused, with a reason.
    Rejected,
    /// Withdrawn by the citizen.
    Cancelled,
}

impl RequestState {
    /// The stable code used on the wire and as the catalog's `states` key.
    pub fn code(self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::Verified => "verified",
            RequestState::Returned => "returned",
            RequestState::Processing => "processing",
            RequestState::Completed => "completed",
            RequestState::Rejected => "rejected",
            RequestState::Cancelled => "cancelled",
        }
    }

    /// Parses a state code.
    pub fn from_code(code: &str) -> Option<RequestState> {
        Some(match code {
            "submitted" => RequestState::Submitted,
            "verified" => RequestState::Verified,
            "returned" => RequestState::Returned,
            "processing" => RequestState::Processing,
            "completed" => RequestState::Completed,
            "rejected" => RequestState::Rejected,
            "cancelled" => RequestState::Cancelled,
            _ => return None,
        })
    }

    /// All states, in workflow order.
    pub const ALL: [RequestState; 7] = [
        RequestState::Submitted,
        RequestState::Verified,
        RequestState::Returned,
        RequestState::Processing,
        RequestState::Completed,
        RequestState::Rejected,
        RequestState::Cancelled,
    ];

    /// True once nothing more will happen to the request.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestState::Completed | RequestState::Rejected | RequestState::Cancelled
        )
    }
}

/// A file attached to a request, referenced by its content after a completed tus upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    /// The attachment requirement it satisfies (catalog id).
    pub requirement: String,
    /// Lower-case hex SHA-256 of the whole file.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type, e.g. `image/jpeg`.
    pub media_type: String,
}

/// The content of a request as the citizen (or an operator for them) filled it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPayload {
    /// Catalog service id.
    pub service: String,
    /// The catalog version the form was validated against on the device.
    pub catalog_version: String,
    /// Field values as text (`field id -> value`).
    pub values: BTreeMap<String, String>,
    /// Attached files.
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    /// The village (Kemendagri code) whose nagari handles the request.
    pub village: String,
    /// NIK of the citizen the request is for, when an operator submits on their behalf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

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

/// Why a request was returned: what to fix, per field or attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReturnReason {
    /// A field id or an attachment requirement id; `None` for the request as a whole.
    pub target: Option<String>,
    /// What the reviewer wrote.
    pub message: String,
}

/// The finished document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DocumentInfo {
    /// Document number (e.g. the certificate number).
    pub number: String,
    /// Where and how to get it (print it yourself, pick up at the nagari, ...).
    pub pickup: String,
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

/// The role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Role {
    /// A citizen: own requests only.
    Citizen,
    /// A nagari operator, bound to one village: submits for citizens, verifies its queue.
    Operator,
    /// A registry officer: processes, completes and rejects all requests.
    Officer,
    /// Accounts, catalog and regions.
    Admin,
}

/// `POST /v1/accounts` body (citizen self-registration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    /// The citizen's NIK; it is also their user name.
    pub nik: String,
    /// Full name as on the KTP-el / KK.
    pub name: String,
    /// Mobile number (any Indonesian notation; stored as E.164).
    pub phone: String,
    /// At least 8 characters.
    pub password: String,
}

/// `POST /v1/sessions` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// NIK for citizens, user name for staff.
    pub username: String,
    /// Password.
    pub password: String,
}

/// An account as the server describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// Server id.
    pub id: String,
    /// NIK (citizens) or user name (staff).
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The village an operator is bound to.
    #[serde(default)]
    pub village: Option<String>,
}

/// `POST /v1/sessions` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token.
    pub token: String,
    /// Expiry, in milliseconds since the Unix epoch.
    pub expires_at_ms: i64,
    /// Who logged in.
    pub user: UserInfo,
}

/// An error body (`application/problem+json`, RFC 9457) with a stable code and messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI naming the problem type, e.g. `https://ceria.invalid/problems/validation`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short English summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Stable machine code, e.g. `auth.invalid_credentials`.
    pub code: String,
    /// Message in Indonesian.
    pub message_id: String,
    /// Message in English.
    pub message_en: String,
    /// Further detail for developers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Validation issues, when the problem is about input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Issue>,
}
