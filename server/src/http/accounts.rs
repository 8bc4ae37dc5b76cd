//! Accounts and sessions: citizen self-registration (limited per address), login (limited
//! per address and per account and address, counted before the password is checked),
//! logout of a login's whole token family, refresh within the family's lifetime, `me`.

use crate::credentials;
use crate::http::auth::Caller;
use crate::http::client_addr::ClientAddr;
use crate::http::error::ApiError;
use crate::http::identity::describe;
use crate::http::limits::JsonBody;
use crate::http::state::{AppState, blocking};
use crate::identity;
use crate::store::accounts::NewUser;
use crate::store::now_ms;
use crate::store::rate_limits::{Admission, Limit};
use crate::store::sessions::NewToken;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use ceria_core::protocol::{LoginRequest, LoginResponse, RegisterRequest, Role, UserInfo};
use std::time::Duration;

/// The routes of accounts and sessions.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/accounts", post(register))
        .route("/v1/sessions", post(login))
        .route("/v1/sessions/current", delete(logout))
        .route("/v1/sessions/current/refresh", post(refresh))
        .route("/v1/me", get(me))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// `POST /v1/accounts`: a citizen registers with NIK, name, phone and password. The account
/// starts unverified (see `http::identity`).
pub(crate) async fn register(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(req): JsonBody<RegisterRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let user = register_citizen(&state, addr, req).await?;
    Ok((StatusCode::CREATED, Json(describe(&state, user).await?)))
}

/// Registers a citizen: the per-address limit (counted before the checks and the hash), the
/// identity checks of the core (NIK, name as on the KTP-el, phone normalised), the password
/// policy, then the account. The one path of the API and the citizens' web pages.
pub(crate) async fn register_citizen(
    state: &AppState,
    addr: std::net::IpAddr,
    req: RegisterRequest,
) -> Result<UserInfo, ApiError> {
    // Counted before the checks and the hash: a registration attempt costs one.
    let limit = [Limit {
        key: format!("register:{addr}"),
        max: state.config.registrations_per_address_per_hour,
        window_ms: 3_600_000,
        backoff: false,
    }];
    if let Admission::Refused { retry_after_ms } = state
        .db_call(move |db| db.take_attempt(&limit, now_ms()))
        .await?
    {
        return Err(limited("auth.registration_limited", retry_after_ms));
    }
    let account = citizen_account(state, &req.nik, &req.name, &req.phone, req.password).await;
    let user = give_back_if_busy(state, account, vec![format!("register:{addr}")]).await?;
    let created = state
        .db_call(move |db| db.create_user(&user, now_ms()))
        .await?;
    created.ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "auth.nik_taken"))
}

/// The attempt counted against `keys` is given back when the password was never checked
/// because hashing was saturated (503 `server.busy`): a person told to retry in a few seconds
/// must not use up their attempts on the server's load.
async fn give_back_if_busy<T>(
    state: &AppState,
    outcome: Result<T, ApiError>,
    keys: Vec<String>,
) -> Result<T, ApiError> {
    match outcome {
        Err(e) if e.code == "server.busy" => {
            state
                .db_call(move |db| {
                    let refund: Vec<&str> = keys.iter().map(String::as_str).collect();
                    db.attempt_succeeded(&refund, &[], now_ms())
                })
                .await?;
            Err(e)
        }
        other => other,
    }
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
    // The estimator takes milliseconds: off the async threads.
    let own_data = [id.nik.clone(), id.name.clone(), id.phone.clone()];
    let password = blocking(move || {
        let own: Vec<&str> = own_data.iter().map(String::as_str).collect();
        match identity::check_password(&password, &own) {
            Ok(()) => Ok(password),
            Err(p) => Err(p.params().into_iter().fold(
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, p.code()),
                |e, (k, v)| e.with(k, v),
            )),
        }
    })
    .await?;
    let hash = state
        .hashing
        .run(move || credentials::hash_password(&password).map_err(ApiError::internal))
        .await?;
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

/// The two limits a login counts against: the (account, address) pair, so failures from an
/// attacker's address never lock the owner out elsewhere, and the address, against spraying
/// many accounts. Both back off.
fn login_limits(state: &AppState, username: &str, addr: std::net::IpAddr) -> [Limit; 2] {
    [
        Limit {
            key: format!("login:{}|{addr}", username.to_lowercase()),
            max: state.config.login_failures_per_minute,
            window_ms: 60_000,
            backoff: true,
        },
        Limit {
            key: format!("login:{addr}"),
            max: state.config.login_failures_per_address_per_minute,
            window_ms: 60_000,
            backoff: true,
        },
    ]
}

/// `POST /v1/sessions`: logs in (see [`check_login`]) and answers a fresh token.
pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let user = check_login(&state, addr, &req.username, req.password).await?;
    let family = crate::store::new_id();
    let now = now_ms();
    let lifetime = state.config.session_ttl;
    new_token(&state, user, family, now, true, lifetime)
        .await
        .map(Json)
}

/// Checks a login (the JSON API's and the web console's): the attempt is counted before the
/// password is checked, and every path costs the same: an over-long password is refused
/// before any lookup, a known and an unknown name are both verified once (the unknown one
/// against a decoy hash). The account, if the password is right and it is not disabled.
pub(crate) async fn check_login(
    state: &AppState,
    addr: std::net::IpAddr,
    username: &str,
    password: String,
) -> Result<UserInfo, ApiError> {
    let username = login_name(username);
    let limits = login_limits(state, &username, addr);
    let take = limits.clone();
    if let Admission::Refused { retry_after_ms } = state
        .db_call(move |db| db.take_attempt(&take, now_ms()))
        .await?
    {
        return Err(limited("auth.rate_limited", retry_after_ms));
    }
    let verified = if password.len() > credentials::MAX_PASSWORD_BYTES {
        None
    } else {
        let lookup = username.clone();
        let found = state.db_call(move |db| db.login_user(&lookup)).await?;
        let checked = state
            .hashing
            .run(move || {
                Ok(match found {
                    Some((user, hash, disabled)) => {
                        credentials::verify_password(&password, &hash).then_some((user, disabled))
                    }
                    None => {
                        // Same work for an unknown name: timing must not reveal which exist.
                        let _ = credentials::verify_password(&password, credentials::decoy_hash());
                        None
                    }
                })
            })
            .await;
        let keys: Vec<String> = limits.iter().map(|l| l.key.clone()).collect();
        give_back_if_busy(state, checked, keys).await?
    };
    let Some((user, disabled)) = verified else {
        state
            .db_call(move |db| db.attempt_failed(&limits, now_ms()))
            .await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.invalid_credentials",
        ));
    };
    let [pair, address] = limits;
    state
        .db_call(move |db| db.attempt_succeeded(&[&address.key], &[&pair.key], now_ms()))
        .await?;
    if disabled {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.account_disabled",
        ));
    }
    Ok(user)
}

/// A fresh token for `user` in `family` (started at `family_started_ms`), valid for
/// `lifetime` (the API's session lifetime, or the web console's shorter one) but never past
/// the family's lifetime. A new login (`new_login`) may end the account's oldest logins
/// beyond the cap.
pub(crate) async fn new_token(
    state: &AppState,
    user: UserInfo,
    family: String,
    family_started_ms: i64,
    new_login: bool,
    lifetime: Duration,
) -> Result<LoginResponse, ApiError> {
    let now = now_ms();
    let family_end = family_started_ms.saturating_add(millis(state.config.session_family_lifetime));
    let expires_at_ms = now.saturating_add(millis(lifetime)).min(family_end);
    if expires_at_ms <= now {
        return Err(ApiError::unauthenticated());
    }
    let token = credentials::new_token();
    let hash = credentials::token_hash(&token);
    let user_id = user.id.clone();
    let cap = new_login.then_some(state.config.max_sessions_per_account);
    state
        .db_call(move |db| {
            let t = NewToken {
                token_hash: &hash,
                user_id: &user_id,
                family: &family,
                family_started_ms,
                expires_ms: expires_at_ms,
            };
            db.create_session(&t, now, cap)
        })
        .await?;
    Ok(LoginResponse {
        token,
        expires_at_ms,
        user: describe(state, user).await?,
    })
}

/// `POST /v1/sessions/current/refresh`: a new token of the same login (family) for a session
/// that is still valid, so a device that syncs now and then rarely asks for the password.
///
/// The old token is not revoked: it keeps its own (earlier) expiry. If the answer is lost on
/// a dropped connection the device still holds a working token and simply refreshes again
/// at its next sync. No token of a family outlives the family's lifetime from its login, and
/// a logout ends them all, so a stolen token dies.
pub(crate) async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<LoginResponse>, ApiError> {
    let lifetime = state.config.session_ttl;
    new_token(
        &state,
        caller.user,
        caller.family,
        caller.family_started_ms,
        false,
        lifetime,
    )
    .await
    .map(Json)
}

/// 429 with the code of the limit, `retry_after` and `Retry-After` (whole seconds, at least 1).
pub(crate) fn limited(code: &'static str, wait_ms: i64) -> ApiError {
    let wait_secs = u64::try_from(wait_ms.max(1).saturating_add(999) / 1000).unwrap_or(60);
    let value = HeaderValue::from(wait_secs);
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, code)
        .with("retry_after", wait_secs.to_string())
        .header(header::RETRY_AFTER, value)
}

/// `DELETE /v1/sessions/current`: logout; every token of this login stops working at once.
pub(crate) async fn logout(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    state
        .db_call(move |db| db.end_family(&caller.family))
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
        let e = limited("auth.rate_limited", 41_200);
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            e.headers
                .iter()
                .any(|(n, v)| n == header::RETRY_AFTER && v == "42")
        );
        assert_eq!(e.params, vec![("retry_after", "42".to_string())]);
        assert_eq!(limited("auth.rate_limited", 0).params[0].1, "1");
    }
}
