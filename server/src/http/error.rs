//! API errors and their `application/problem+json` rendering.
//!
//! Handlers return [`ApiError`], which knows the HTTP status, the stable message code and its
//! parameters but no wording: the wording lives once, in the catalog's `messages`. A response
//! middleware ([`render_problems`]) words the problem with the catalog in force, so a newly
//! published catalog changes server messages too. A 500 never says more than `internal`; the
//! cause goes to the log.

use crate::http::state::AppState;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ceria_core::Issue;
use ceria_core::protocol::Problem;
use std::fmt::Display;

/// Base of the `type` URI of every problem.
pub(crate) const PROBLEM_TYPE_BASE: &str = "https://ceria.invalid/problems/";

/// An error answer: status, stable code, message parameters, optional issues and headers.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code, e.g. `auth.forbidden`.
    pub code: &'static str,
    /// Values for the message placeholders.
    pub params: Vec<(&'static str, String)>,
    /// Developer detail (never for 500s).
    pub detail: Option<String>,
    /// Worded validation issues.
    pub issues: Vec<Issue>,
    /// Extra response headers (`Retry-After`, `Tus-Version`, ...).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// An error with a status and a code.
    pub fn new(status: StatusCode, code: &'static str) -> ApiError {
        ApiError {
            status,
            code,
            params: Vec::new(),
            detail: None,
            issues: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds a message parameter.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> ApiError {
        self.params.push((name, value.into()));
        self
    }

    /// Adds developer detail.
    pub fn detail(mut self, detail: impl Into<String>) -> ApiError {
        self.detail = Some(detail.into());
        self
    }

    /// Adds worded issues.
    pub fn issues(mut self, issues: Vec<Issue>) -> ApiError {
        self.issues = issues;
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> ApiError {
        self.headers.push((name, value));
        self
    }

    /// 400 `request.malformed`: the body or query cannot be read.
    pub fn malformed(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "request.malformed").detail(detail)
    }

    /// 422 `request.malformed`: well-formed but not what the endpoint takes.
    pub fn unprocessable(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "request.malformed").detail(detail)
    }

    /// 413 `request.body_too_large` with the limit in bytes.
    pub fn body_too_large(max: usize) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request.body_too_large")
            .with("max", max.to_string())
    }

    /// 401 `auth.session_expired`: no token, an unknown one, or an expired one.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "auth.session_expired")
            .header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    /// 403 `auth.forbidden`: the caller's role may not do this.
    pub fn forbidden() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "auth.forbidden")
    }

    /// 404 `request.not_found`: absent, or not visible to the caller (same answer on purpose,
    /// so ids of other people's requests cannot be probed).
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "request.not_found")
    }

    /// 500 `internal`. The cause is logged, never sent.
    pub fn internal(cause: impl Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }
}

impl From<crate::store::DbError> for ApiError {
    fn from(e: crate::store::DbError) -> ApiError {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        for (name, value) in &self.headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        // An error may be answered before the request body was read (a refused token, a
        // wrong upload offset). The server then drops the connection, so tell the client not
        // to reuse it: otherwise its next request on that pooled connection fails mid-flight.
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        // Worded later by `render_problems`, which has the catalog.
        response.extensions_mut().insert(self);
        response
    }
}

/// Builds the problem body for `err` with the messages of the catalog in force.
pub(crate) fn problem(state: &AppState, err: &ApiError) -> Problem {
    let catalog = state.catalog();
    let message = catalog.message(err.code, &err.params);
    Problem {
        type_uri: format!("{PROBLEM_TYPE_BASE}{}", err.code),
        title: err.status.canonical_reason().unwrap_or("Error").to_string(),
        status: err.status.as_u16(),
        code: err.code.to_string(),
        message_id: message.id,
        message_en: message.en,
        detail: if err.status.is_server_error() {
            None
        } else {
            err.detail.clone()
        },
        issues: err.issues.clone(),
    }
}

/// Response middleware: turns an [`ApiError`] left in the response extensions into a
/// problem+json body.
pub(crate) async fn render_problems(
    State(state): State<AppState>,
    mut response: Response,
) -> Response {
    let Some(err) = response.extensions_mut().remove::<ApiError>() else {
        return response;
    };
    let body = match serde_json::to_vec(&problem(&state, &err)) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "problem serialisation");
            b"{\"code\":\"internal\"}".to_vec()
        }
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Answer for a panic caught at the edge: a plain `internal` problem (worded by
/// [`render_problems`], which sits outside the panic catcher).
pub(crate) fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("handler panicked").into_response()
}

#[cfg(test)]
mod tests {
    /// Every message code the server emits (problems, push conflicts and issues), each worded by
    /// the catalog's `messages`.
    const EMITTED_CODES: &[&str] = &[
        "auth.invalid_credentials",
        "auth.rate_limited",
        "auth.session_expired",
        "auth.forbidden",
        "auth.nik_taken",
        "auth.username_taken",
        "auth.weak_password",
        "request.not_found",
        "request.body_too_large",
        "request.malformed",
        "upload.checksum_mismatch",
        "upload.too_large",
        "upload.offset_mismatch",
        "upload.expired",
        "state.illegal_transition",
        "state.not_returned",
        "idempotency.key_reused",
        "catalog.outdated",
        "attachment.not_uploaded",
        "field.required",
        "choice.unknown",
        "internal",
        "quota.open_uploads",
        "quota.unattached_files",
        "quota.requests_per_day",
        "upload.metadata_too_large",
        "request.person_changed",
        "region.invalid",
        "region.unknown",
        "attachment.media_type",
        "attachment.too_many",
        "attachment.too_large",
        "attachment.unknown",
    ];

    #[test]
    fn every_emitted_code_is_worded_by_the_embedded_catalog() {
        let catalog = ceria_core::Catalog::embedded();
        for code in EMITTED_CODES {
            assert!(
                catalog.source().messages.contains_key(*code),
                "no message for {code}"
            );
        }
        let m = catalog.message("auth.rate_limited", &[("retry_after", "42".into())]);
        assert!(m.en.contains("42") && m.id.contains("42"), "{m:?}");
    }
}
