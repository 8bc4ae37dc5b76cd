//! Identity of citizen accounts over HTTP: a citizen proves their NIK against the population
//! register extract; an operator or officer verifies an account after checking the KTP-el or
//! KK in person, or gives the owner of a NIK that someone else registered a new verified
//! account (reclaim); officers read the identity audit log. `docs/protocol.md`, "Identity".

use crate::http::accounts::citizen_account;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::limits::JsonBody;
use crate::http::state::{AppState, blocking};
use crate::identity;
use crate::population::{self, FactError, RegisterFacts, RegisterKey};
use crate::store::identity::{CheckLimit, RegisterCheck};
use crate::store::now_ms;
use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use ceria_core::Finding;
use ceria_core::protocol::{
    IdentityEvent, InPersonCheck, ReclaimRequest, ReclaimResponse, RegisterProof, Role, UserInfo,
};
use std::collections::HashMap;

/// Longest note a staff member may put on record.
const MAX_NOTE_CHARS: usize = 500;

/// The routes of identity checks.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/identity", post(prove))
        .route("/v1/identity/verifications", post(verify_in_person))
        .route("/v1/identity/reclaims", post(reclaim))
        .route("/v1/identity/events", get(events))
}

/// `user` with its identity state (`GET /v1/me`, login and refresh answers).
pub(crate) async fn describe(state: &AppState, user: UserInfo) -> Result<UserInfo, ApiError> {
    state.db_call(move |db| db.with_identity(user)).await
}

fn citizen_only(caller: &Caller) -> Result<(), ApiError> {
    match caller.user.role {
        Role::Citizen => Ok(()),
        _ => Err(ApiError::forbidden()),
    }
}

/// Operators and officers check documents in person. Any operator, not only the one of the
/// citizen's village: the server does not know where a citizen lives (the NIK's prefix is
/// where they were first registered), and a citizen should be served at the nearest office.
/// Every such act is in the identity audit log with the staff member and their village.
fn document_checker(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Operator, Role::Officer])
}

fn fact_problem(state: &AppState, err: FactError, proof: &RegisterProof) -> ApiError {
    let catalog = state.catalog();
    let field = err.field();
    let finding = match err {
        FactError::NomorKk if !proof.nomor_kk.trim().is_empty() => Finding::error("kk.length")
            .with(
                "length",
                proof
                    .nomor_kk
                    .chars()
                    .filter(char::is_ascii_digit)
                    .count()
                    .to_string(),
            ),
        FactError::BirthDate if !proof.birth_date.trim().is_empty() => {
            Finding::error("date.invalid")
        }
        _ => Finding::error("field.required"),
    };
    ApiError::unprocessable(format!("`{field}` cannot be read"))
        .issues(vec![catalog.issue(Some(field), &finding)])
}

/// `POST /v1/me/identity`: the citizen gives No. KK, birth date and mother's name; when all
/// match the register extract for their NIK, the account is verified. Failed checks are
/// limited per account (in the database, so across restarts and server instances).
pub(crate) async fn prove(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(proof): JsonBody<RegisterProof>,
) -> Result<Json<UserInfo>, ApiError> {
    citizen_only(&caller)?;
    prove_register(&state, caller.user, proof).await.map(Json)
}

/// Checks the facts a citizen gave against the population register extract and, when they
/// match, verifies the account (failures counted and limited). The one path of the API and
/// the citizens' web pages; `user` must be a citizen.
pub(crate) async fn prove_register(
    state: &AppState,
    user: UserInfo,
    proof: RegisterProof,
) -> Result<UserInfo, ApiError> {
    let facts = RegisterFacts::new(
        &user.username,
        &proof.nomor_kk,
        &proof.birth_date,
        &proof.mother_name,
    )
    .map_err(|e| fact_problem(state, e, &proof))?;
    let no_register = || ApiError::new(StatusCode::CONFLICT, "identity.no_register");
    // A file read: off the async threads, as every other disk access of a handler.
    let data_dir = state.config.data_dir.clone();
    let key = blocking(move || RegisterKey::load(&data_dir).map_err(ApiError::internal))
        .await?
        .ok_or_else(no_register)?;
    let value = key.proof(&facts);
    let who = user.clone();
    let limit = CheckLimit {
        max_failures: population::MAX_FAILED_CHECKS,
        window_ms: population::CHECK_WINDOW_MS,
    };
    let outcome = state
        .db_call(move |db| db.check_register(&who, &value, limit, now_ms()))
        .await?;
    match outcome {
        RegisterCheck::Verified => describe(state, user).await,
        RegisterCheck::Mismatch { attempts_left } => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "identity.mismatch",
        )
        .with("attempts_left", attempts_left.to_string())),
        RegisterCheck::Locked { retry_after_ms } => {
            let secs = (retry_after_ms + 999) / 1000;
            let value = HeaderValue::from_str(&secs.to_string())
                .unwrap_or_else(|_| HeaderValue::from_static("3600"));
            Err(
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "identity.attempts_exceeded")
                    .with("retry_after", secs.to_string())
                    .header(header::RETRY_AFTER, value),
            )
        }
        RegisterCheck::NoRegister => Err(no_register()),
    }
}

/// A staff note: trimmed, blank is none, at most [`MAX_NOTE_CHARS`].
fn note(input: Option<String>) -> Result<Option<String>, ApiError> {
    let note = input
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    match note {
        Some(n) if n.chars().count() > MAX_NOTE_CHARS => Err(ApiError::unprocessable(format!(
            "`note`: at most {MAX_NOTE_CHARS} characters"
        ))),
        n => Ok(n),
    }
}

fn nik_of(state: &AppState, input: &str) -> Result<String, ApiError> {
    identity::check_nik(&state.catalog(), "nik", input)
        .map_err(|issues| ApiError::unprocessable("invalid NIK").issues(issues))
}

/// `POST /v1/identity/verifications`: an operator or officer saw the KTP-el or KK of the
/// person holding the account of `nik` and verifies it.
pub(crate) async fn verify_in_person(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(check): JsonBody<InPersonCheck>,
) -> Result<Json<UserInfo>, ApiError> {
    document_checker(&caller)?;
    let nik = nik_of(&state, &check.nik)?;
    let note = note(check.note)?;
    let method = check.document.method();
    let actor = caller.user;
    state
        .db_call(move |db| db.verify_in_person(&nik, method, &actor, note.as_deref(), now_ms()))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "identity.no_account"))
}

/// `POST /v1/identity/reclaims`: the owner of a NIK, checked in person, gets a new verified
/// account with the password they chose at the counter. An account that held the NIK before
/// is disabled: its sessions end, it can no longer log in, and the requests it filed stay in
/// the registry (filed under the owner's NIK, so the owner now follows them too).
pub(crate) async fn reclaim(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<ReclaimRequest>,
) -> Result<(StatusCode, Json<ReclaimResponse>), ApiError> {
    document_checker(&caller)?;
    let note = note(req.note)?;
    let owner = citizen_account(&state, &req.nik, &req.name, &req.phone, req.password).await?;
    let method = req.document.method();
    let actor = caller.user;
    let done = state
        .db_call(move |db| db.reclaim(&owner, method, &actor, note.as_deref(), now_ms()))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReclaimResponse {
            user: done.user,
            replaced: done.replaced,
            sessions_ended: done.sessions_ended,
        }),
    ))
}

/// `GET /v1/identity/events?nik=`: the identity audit log of a NIK (officers, admins).
pub(crate) async fn events(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Vec<IdentityEvent>>, ApiError> {
    caller.require(&[Role::Officer, Role::Admin])?;
    let Query(query) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
    let nik = nik_of(&state, query.get("nik").map(String::as_str).unwrap_or(""))?;
    state
        .db_call(move |db| db.identity_events(&nik))
        .await
        .map(Json)
}

#[cfg(test)]
mod tests {
    use ceria_core::protocol::IdentityState;

    #[test]
    fn every_identity_code_is_worded_with_its_params() {
        let catalog = ceria_core::Catalog::embedded();
        let cases: [(&str, Option<&'static str>); 6] = [
            ("identity.mismatch", Some("attempts_left")),
            ("identity.attempts_exceeded", Some("retry_after")),
            ("identity.no_register", None),
            ("identity.no_account", None),
            (IdentityState::Unverified.message_code(), None),
            (IdentityState::Verified.message_code(), None),
        ];
        for (code, param) in cases {
            assert!(catalog.source().messages.contains_key(code), "{code}");
            if let Some(param) = param {
                let m = catalog.message(code, &[(param, "4242".into())]);
                assert!(m.id.contains("4242") && m.en.contains("4242"), "{m:?}");
            }
        }
    }
}
