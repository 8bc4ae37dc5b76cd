//! Accounts and sessions: roles, registration, login and the account description.

use serde::{Deserialize, Serialize};

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

impl Role {
    /// The stable code used on the wire and in stored rows.
    pub fn code(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Operator => "operator",
            Role::Officer => "officer",
            Role::Admin => "admin",
        }
    }

    /// Parses a role code; `None` for a code no role has. What an unknown code means is the
    /// caller's decision (the server treats its row as corrupt, a device may read it as the
    /// least privileged role).
    pub fn from_code(code: &str) -> Option<Role> {
        Some(match code {
            "citizen" => Role::Citizen,
            "operator" => Role::Operator,
            "officer" => Role::Officer,
            "admin" => Role::Admin,
            _ => return None,
        })
    }

    /// All roles, least privileged first.
    pub const ALL: [Role; 4] = [Role::Citizen, Role::Operator, Role::Officer, Role::Admin];
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
    /// Citizens: whether the account has shown that it owns its NIK (absent for staff, and
    /// from servers that predate identity checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<crate::protocol::IdentityState>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.code()));
        }
        assert_eq!(Role::from_code("root"), None);
        assert_eq!(Role::from_code("Admin"), None);
    }
}
