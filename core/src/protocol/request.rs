//! A request as it travels: its content (payload and attachments), its state in the review
//! workflow, and what a reviewer sends back (reasons to fix, the finished document).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
