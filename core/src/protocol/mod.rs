//! The HTTP API's JSON bodies, shared by the device, the reference server and the CLI so all
//! sides serialise the very same types. `docs/protocol.md` and `docs/openapi.json` describe the
//! endpoints; this module is the source of truth for the bodies. Serde types only: no storage,
//! no I/O.
//!
//! - `request`: a request's content and workflow state;
//! - `sync`: push and pull;
//! - `accounts`: roles, registration, sessions;
//! - `identity`: whether a citizen owns their NIK, and how that is shown;
//! - `review`: the review queue, request detail and transitions of staff;
//! - here: the error body every endpoint answers with.
//!
//! Every type is re-exported here, so its path is `ceria_core::protocol::Name`.

mod accounts;
mod identity;
mod request;
mod review;
mod sync;

pub use accounts::{LoginRequest, LoginResponse, RegisterRequest, Role, UserInfo};
pub use identity::{
    IdentityDocument, IdentityEvent, IdentityMethod, IdentityState, InPersonCheck, ReclaimRequest,
    ReclaimResponse, RegisterProof,
};
pub use request::{AttachmentRef, DocumentInfo, RequestPayload, RequestState, ReturnReason};
pub use review::{
    AuditEntry, MAX_QUEUE_PAGE, QueuePage, RequestDetail, RequestSummary, StoredAttachment,
    TransitionRequest,
};
pub use sync::{
    MAX_PUSH_OPERATIONS, Operation, OperationOutcome, OperationResult, PULL_PAGE_SIZE,
    PullResponse, PushRequest, PushResponse, StatusChange,
};

use crate::report::Issue;
use serde::{Deserialize, Serialize};

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
