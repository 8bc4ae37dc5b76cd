//! Accounts and sessions: citizen self-registration, login (rate-limited), logout, `me`.

use crate::credentials;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::identity::describe;
use crate::http::limits::JsonBody;
use crate::http::state::{AppState, blocking};
use crate::identity;
use crate::store::accounts::NewUser;
use crate::store::now_ms;
use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use ceria_core::protocol::{LoginRequest, LoginResponse, RegisterRequest, Role, UserInfo};
use std::net::SocketAddr;
use std::time::Instant;

/// The routes of accounts and sessions.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/accounts", post(register))
        .route("/v1/sessions", post(login))
        .route("/v1/sessions/current", delete(logout))
        .route("/v1/sessions/current/refresh", post(refresh))
        .route("/v1/me", get(me))
}

/// `POST /v1/accounts`: a citizen registers with NIK, name, phone and password. The account
/// starts unverified (see `http::identity`).
pub(crate) async fn register(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<RegisterRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen_account(&state, &req.nik, &req.name, &req.phone, req.password).await?;
    let created = state
        .db_call(move |db| db.create_user(&user, now_ms()))
        .await?;
    let user = created.ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "auth.nik_taken"))?;
    Ok((StatusCode::CREATED, Json(describe(&state, user).await?)))
}

/// A citizen account to store, from the identity data and password a person gave (at
/// registration, or at the counter when they reclaim their NIK): checked, normalised, the
/// password hashed.
pub(crate) async fn citizen_account(
    state: &AppState,
    nik: &str,
    name: &str,
    phone: &str,
    password: String,
) -> Result<NewUser, ApiError> {
    let catalog = state.catalog();
    let id = identity::check_registration(&catalog, nik, name, phone).map_err(|issues| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "request.malformed")
            .detail("invalid identity data")
            .issues(issues)
    })?;
    if !identity::password_ok(&password) {
        return Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "auth.weak_password")
                .with("min", credentials::MIN_PASSWORD_CHARS.to_string()),
        );
    }
    let hash =
        blocking(move || credentials::hash_password(&password).map_err(ApiError::internal)).await?;
    Ok(NewUser {
        username: id.nik,
        name: id.name,
        role: Role::Citizen,
        village: None,
        phone: Some(id.phone),
        password_hash: hash,
    })
}

/// Citizens may type their NIK in groups (`1305 0141 0790 0001`): the account name is the
/// 16 digits.
fn login_name(input: &str) -> String {
    let compact: String = input.chars().filter(|c| *c != ' ').collect();
    if compact.len() == 16 && compact.bytes().all(|b| b.is_ascii_digit()) {
        compact
    } else {
        input.trim().to_string()
    }
}

/// `POST /v1/sessions`: logs in; failed attempts are limited per account and per address.
pub(crate) async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let username = login_name(&req.username);
    let account_key = format!("u:{}", username.to_lowercase());
    let ip_key = format!("ip:{}", peer.ip());
    let keys = [account_key.as_str(), ip_key.as_str()];
    if let Some(wait) = state.limiter.blocked(&keys, Instant::now()) {
        return Err(rate_limited(wait));
    }
    let lookup = username.clone();
    let found = state.db_call(move |db| db.login_user(&lookup)).await?;
    let password = req.password;
    let (user, ok) = blocking(move || {
        Ok(match found {
            Some((user, hash)) => {
                let ok = password.len() <= credentials::MAX_PASSWORD_BYTES
                    && credentials::verify_password(&password, &hash);
                (Some(user), ok)
            }
            None => {
                // Same work for an unknown name: timing must not reveal which names exist.
                let _ = credentials::verify_password(&password, credentials::decoy_hash());
                (None, false)
            }
        })
    })
    .await?;
    let user = match (user, ok) {
        (Some(user), true) => user,
        _ => {
            state.limiter.failed(&keys, Instant::now());
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.invalid_credentials",
            ));
        }
    };
    new_session(&state, user).await.map(Json)
}

/// A fresh token for `user`, valid for the configured session lifetime.
async fn new_session(state: &AppState, user: UserInfo) -> Result<LoginResponse, ApiError> {
    let token = credentials::new_token();
    let hash = credentials::token_hash(&token);
    let now = now_ms();
    let ttl = i64::try_from(state.config.session_ttl.as_millis()).unwrap_or(i64::MAX);
    let expires_at_ms = now.saturating_add(ttl);
    let user_id = user.id.clone();
    state
        .db_call(move |db| db.create_session(&hash, &user_id, now, expires_at_ms))
        .await?;
    Ok(LoginResponse {
        token,
        expires_at_ms,
        user: describe(state, user).await?,
    })
}

/// `POST /v1/sessions/current/refresh`: a new token for a session that is still valid, so a
/// device that syncs now and then never has to ask for the password again.
///
/// The old token is not revoked: it keeps its own (earlier) expiry. If the answer is lost on
/// a dropped connection the device still holds a working token and simply refreshes again
/// at its next sync; a stolen old token still dies when it would have.
pub(crate) async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<LoginResponse>, ApiError> {
    new_session(&state, caller.user).await.map(Json)
}

/// 429 `auth.rate_limited` with `Retry-After`.
fn rate_limited(wait_secs: u64) -> ApiError {
    let value = HeaderValue::from_str(&wait_secs.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("60"));
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "auth.rate_limited")
        .with("retry_after", wait_secs.to_string())
        .header(header::RETRY_AFTER, value)
}

/// `DELETE /v1/sessions/current`: logout; the token stops working at once.
pub(crate) async fn logout(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    state
        .db_call(move |db| db.delete_session(&caller.token_hash))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/me`: the logged-in account, with its identity state.
pub(crate) async fn me(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<UserInfo>, ApiError> {
    describe(&state, caller.user).await.map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nik_typed_in_groups_is_the_account_name() {
        assert_eq!(login_name("1305 0141 0790 0001"), "1305014107900001");
        assert_eq!(login_name(" operator.sintuk "), "operator.sintuk");
        assert_eq!(login_name("1305 01"), "1305 01");
    }

    #[test]
    fn rate_limit_problem_carries_retry_after() {
        let e = rate_limited(42);
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            e.headers
                .iter()
                .any(|(n, v)| n == header::RETRY_AFTER && v == "42")
        );
        assert_eq!(e.params, vec![("retry_after", "42".to_string())]);
    }
}
