//! The public status check: `GET /layanan/cek` (the form) and `POST /layanan/cek` (receipt
//! code and the last 4 digits of the NIK of the person the request is for). The code alone
//! reveals nothing: only the right pair shows the state and the service, and a wrong pair
//! gets the very answer of an unknown code. Checks count against database-backed limits
//! (`store::rate_limits`, as logins do), per address and per typed code (so the 10,000
//! possible digits of one code cannot be tried from many addresses), with growing waits.
//!
//! The form has no anti-forgery token: it changes nothing and shows nothing without both
//! factors, and another site posting it learns nothing (the answer is not readable to it).

use crate::http::accounts::limited;
use crate::http::client_addr::ClientAddr;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::store::now_ms;
use crate::store::rate_limits::{Admission, Limit};
use crate::tracking;
use crate::web::csrf;
use crate::web::i18n::Lang;
use crate::web::render::{Fields, Page, WebError, html};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Checks allowed per address and per minute.
pub(crate) const CHECKS_PER_ADDRESS_PER_MINUTE: u32 = 20;
/// Checks allowed per receipt code and per minute, from anywhere.
pub(crate) const CHECKS_PER_CODE_PER_MINUTE: u32 = 10;

/// The routes of the status check.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/layanan/cek", get(form).post(check))
}

/// What a right pair shows: nothing personal.
struct Found {
    state: String,
    service: String,
    code: String,
}

#[derive(Template)]
#[template(path = "public/status.html")]
struct Status {
    page: Page,
    code: String,
    found: Option<Found>,
    error: Option<String>,
}

fn render(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    code: String,
    found: Option<Found>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let page = Page::portal(state, lang, "/layanan/cek", "web.portal.status.title");
    let body = html(&Status {
        page,
        code,
        found,
        error,
    })?;
    Ok((status, body).into_response())
}

/// `GET /layanan/cek`.
async fn form(State(state): State<AppState>, lang: Lang) -> Result<Response, WebError> {
    render(&state, lang, StatusCode::OK, String::new(), None, None)
}

/// Looks the pair up; `Ok(None)` for an unknown code and a wrong pair alike.
async fn look_up(
    state: &AppState,
    addr: std::net::IpAddr,
    code: &str,
    digits: &str,
) -> Result<Option<Found>, ApiError> {
    let canonical = tracking::normalize(code);
    let limits = vec![
        Limit {
            key: format!("status:{addr}"),
            max: CHECKS_PER_ADDRESS_PER_MINUTE,
            window_ms: 60_000,
            backoff: true,
        },
        Limit {
            key: format!(
                "status-code:{}",
                canonical.clone().unwrap_or_else(|| code.to_uppercase())
            ),
            max: CHECKS_PER_CODE_PER_MINUTE,
            window_ms: 60_000,
            backoff: true,
        },
    ];
    let take = limits.clone();
    if let Admission::Refused { retry_after_ms } = state
        .db_call(move |db| db.take_attempt(&take, now_ms()))
        .await?
    {
        return Err(limited("web.portal.status.limited", retry_after_ms));
    }
    let head = match canonical {
        Some(c) => {
            state
                .db_call(move |db| db.request_by_tracking_code(&c))
                .await?
        }
        None => None,
    };
    let right = head.filter(|h| {
        let last4 = h.citizen_nik.get(h.citizen_nik.len().saturating_sub(4)..);
        digits.len() == 4 && last4.is_some_and(|l| csrf::same(l, digits))
    });
    match right {
        Some(h) => Ok(Some(Found {
            state: h.state.code().to_string(),
            service: h.service,
            code: h.tracking_code,
        })),
        None => {
            state
                .db_call(move |db| db.attempt_failed(&limits, now_ms()))
                .await?;
            Ok(None)
        }
    }
}

/// `POST /layanan/cek`: `kode` and `nik4`.
async fn check(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    lang: Lang,
    form: Fields,
) -> Result<Response, WebError> {
    let code = form
        .get("kode")
        .unwrap_or_default()
        .chars()
        .take(40)
        .collect::<String>();
    let digits = form.get("nik4").unwrap_or_default().to_string();
    let page_texts = crate::web::i18n::Texts::new(&state, lang);
    match look_up(&state, addr, &code, &digits).await {
        Ok(Some(mut found)) => {
            // Worded in the page's language.
            found.state = page_texts.state(&found.state);
            if let Some(s) = page_texts.catalog().service(&found.service) {
                found.service = page_texts.label(&s.name).to_string();
            }
            render(&state, lang, StatusCode::OK, code, Some(found), None)
        }
        Ok(None) => {
            let error = Some(page_texts.get("web.portal.status.not_found"));
            render(&state, lang, StatusCode::NOT_FOUND, code, None, error)
        }
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            let error = Some(page_texts.with(e.code, &e.params));
            let mut r = render(&state, lang, e.status, code, None, error)?;
            if let Some(v) = e
                .headers
                .iter()
                .find(|(k, _)| k == axum::http::header::RETRY_AFTER)
            {
                r.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v.1.clone());
            }
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
