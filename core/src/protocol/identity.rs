//! Identity of citizen accounts: whether the person holding an account has shown that the
//! NIK is theirs, and the bodies of the endpoints that establish it (a check against the
//! population register extract the registry imported, an in-person check of the KTP-el or
//! KK by a nagari operator or registry officer, and the reclaim of a NIK someone else
//! registered). `docs/protocol.md` ("Identity") says what each state allows.

use crate::protocol::UserInfo;
use serde::{Deserialize, Serialize};

/// Whether a citizen account has shown that its NIK belongs to the person holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum IdentityState {
    /// Registered with a NIK, not yet shown to own it: files and follows its own requests
    /// only, never those an operator filed for that NIK.
    Unverified,
    /// Shown to own the NIK (register extract or in-person check): also follows the requests
    /// filed for that NIK by others.
    Verified,
}

impl IdentityState {
    /// The stable code used on the wire and in stored rows.
    pub fn code(self) -> &'static str {
        match self {
            IdentityState::Unverified => "unverified",
            IdentityState::Verified => "verified",
        }
    }

    /// Parses a state code; `None` for a code no state has.
    pub fn from_code(code: &str) -> Option<IdentityState> {
        Some(match code {
            "unverified" => IdentityState::Unverified,
            "verified" => IdentityState::Verified,
            _ => return None,
        })
    }

    /// The catalog message that tells the person what the state means and what to do.
    pub fn message_code(self) -> &'static str {
        match self {
            IdentityState::Unverified => "identity.unverified",
            IdentityState::Verified => "identity.verified",
        }
    }
}

/// How an account's identity was established (also the method of the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityMethod {
    /// The citizen gave No. KK, birth date and mother's name matching the register extract.
    Register,
    /// An operator or officer saw the KTP-el.
    KtpEl,
    /// An operator or officer saw the family card (KK).
    Kk,
}

impl IdentityMethod {
    /// The stable code used on the wire and in stored rows.
    pub fn code(self) -> &'static str {
        match self {
            IdentityMethod::Register => "register",
            IdentityMethod::KtpEl => "ktp_el",
            IdentityMethod::Kk => "kk",
        }
    }

    /// Parses a method code.
    pub fn from_code(code: &str) -> Option<IdentityMethod> {
        Some(match code {
            "register" => IdentityMethod::Register,
            "ktp_el" => IdentityMethod::KtpEl,
            "kk" => IdentityMethod::Kk,
            _ => return None,
        })
    }
}

/// A document an operator or officer checks in person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityDocument {
    /// The electronic identity card.
    KtpEl,
    /// The family card.
    Kk,
}

impl IdentityDocument {
    /// The method an in-person check of this document records.
    pub fn method(self) -> IdentityMethod {
        match self {
            IdentityDocument::KtpEl => IdentityMethod::KtpEl,
            IdentityDocument::Kk => IdentityMethod::Kk,
        }
    }
}

/// `POST /v1/me/identity` body: the citizen proves the NIK with what the population register
/// holds about them. All three must match the register extract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterProof {
    /// The family card number (16 digits; spaces and dots allowed).
    pub nomor_kk: String,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// Mother's maiden name as on the KK (case, spacing and punctuation do not matter).
    pub mother_name: String,
}

/// `POST /v1/identity/verifications` body: an operator or officer saw the person's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InPersonCheck {
    /// The NIK of the account to verify (as printed; spaces allowed).
    pub nik: String,
    /// The document that was checked.
    pub document: IdentityDocument,
    /// What the staff member wants on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /v1/identity/reclaims` body: the owner of a NIK, checked in person, gets a verified
/// account for it, whoever registered the NIK before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReclaimRequest {
    /// The owner's NIK.
    pub nik: String,
    /// Full name as on the KTP-el / KK.
    pub name: String,
    /// Mobile number.
    pub phone: String,
    /// The new password, chosen by the owner at the counter.
    pub password: String,
    /// The document that was checked.
    pub document: IdentityDocument,
    /// What the staff member wants on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /v1/identity/reclaims` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReclaimResponse {
    /// The owner's new, verified account.
    pub user: UserInfo,
    /// The account that held the NIK before, now disabled, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced: Option<String>,
    /// How many sessions of that account were ended.
    #[serde(default)]
    pub sessions_ended: u64,
}

/// One entry of the identity audit log (`GET /v1/identity/events`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityEvent {
    /// Order of the log.
    pub seq: i64,
    /// The NIK the event is about.
    pub nik: String,
    /// The account the event is about (its server id).
    pub account: String,
    /// `verified` (the account was verified) or `disabled` (a reclaim took the NIK from it).
    pub action: String,
    /// How the identity was checked.
    pub method: IdentityMethod,
    /// Who did it: the user name of the staff member, or of the citizen for `register`.
    pub actor: String,
    /// The actor's role.
    pub actor_role: crate::protocol::Role,
    /// The operator's village, when an operator did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_village: Option<String>,
    /// When (ms since the Unix epoch).
    pub at_ms: i64,
    /// The staff member's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for s in [IdentityState::Unverified, IdentityState::Verified] {
            assert_eq!(IdentityState::from_code(s.code()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.code())
            );
        }
        for m in [
            IdentityMethod::Register,
            IdentityMethod::KtpEl,
            IdentityMethod::Kk,
        ] {
            assert_eq!(IdentityMethod::from_code(m.code()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.code())
            );
        }
        assert_eq!(IdentityDocument::Kk.method(), IdentityMethod::Kk);
    }
}
