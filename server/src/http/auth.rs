//! Authentication of HTTP callers: the bearer token of a request and the [`Caller`] extractor
//! every protected handler takes. Hashing of passwords and tokens is in `crate::credentials`,
//! the login limits in `crate::store::rate_limits`.

use crate::credentials::token_hash;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use ceria_core::protocol::{Role, UserInfo};

/// The authenticated account of a request.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The account.
    pub user: UserInfo,
    /// The token's family (its login and the refreshes from it; logout ends it).
    pub family: String,
    /// When the family's login happened (a refresh never outlives its lifetime from then).
    pub family_started_ms: i64,
}

impl Caller {
    /// 403 unless the caller has one of `roles`: the API's one form of a role rule (the web
    /// console's `Staff::require` is its counterpart, answering 404).
    pub(crate) fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(ApiError::unauthenticated)?;
        if token.len() > 256 {
            return Err(ApiError::unauthenticated());
        }
        let hash = token_hash(token);
        let session = state
            .db_call(move |db| db.session(&hash, crate::store::now_ms()))
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Caller {
            user: session.user,
            family: session.family,
            family_started_ms: session.family_started_ms,
        })
    }
}
