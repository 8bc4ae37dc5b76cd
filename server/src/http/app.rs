//! The HTTP application: the routes of every resource module, merged, and the layers around
//! them (problem rendering, problems for axum's own rejections, panic catching, request log,
//! request body inactivity timeout).

use crate::http::error::{ApiError, panic_response, render_problems};
use crate::http::state::AppState;
use crate::http::{
    accounts, catalog, exports, holidays, identity, openapi, review, stats, sync, uploads, users,
};
use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::map_request_body::MapRequestBodyLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::{Level, Span};

/// Marks the answer of the fallback: no route matched. On the wire it is the same 404
/// `request.not_found` as a resource that does not exist; the marker lets the OpenAPI test
/// tell "no such route" from "no such resource".
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoRoute;

/// Builds the application for `state`.
pub(crate) fn router(state: AppState) -> Router {
    let body_timeout = state.config.body_read_timeout;
    Router::new()
        .merge(openapi::router())
        .merge(accounts::router())
        .merge(catalog::router())
        .merge(identity::router())
        .merge(exports::router())
        .merge(holidays::router())
        .merge(review::router())
        .merge(stats::router())
        .merge(sync::router())
        .merge(uploads::router())
        .merge(users::router())
        .merge(crate::web::router(state.clone()))
        .fallback(no_route)
        // A body that stalls longer than this between two chunks fails to read (a 400, or a
        // cut-off tus PATCH that keeps what arrived); a slow body that keeps coming does not.
        .layer(
            ServiceBuilder::new()
                .layer(RequestBodyTimeoutLayer::new(body_timeout))
                .layer(MapRequestBodyLayer::new(Body::new)),
        )
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::map_response(rejection_problem))
        .layer(middleware::map_response_with_state(
            state.clone(),
            render_problems,
        ))
        .layer(
            // One line per request (`LogAnswer`): nothing when it starts, and failures are
            // already in that line.
            TraceLayer::new_for_http()
                .make_span_with(RequestSpan)
                .on_request(())
                .on_response(LogAnswer)
                .on_failure(())
                .on_body_chunk(())
                .on_eos(()),
        )
        .with_state(state)
}

async fn no_route() -> Response {
    let mut response = ApiError::not_found().into_response();
    response.extensions_mut().insert(NoRoute);
    response
}

/// Longest text of an axum rejection kept as the problem's `detail`.
const MAX_REJECTION_DETAIL: usize = 1024;

/// Gives axum's own error answers a problem body: the bare 405 (keeping its `Allow` header)
/// and the plain-text rejections of its extractors (a path segment that does not decode as
/// UTF-8, `/v1/requests/%FF%FE`; a malformed query), so every error is problem+json.
async fn rejection_problem(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error())
        || !plain
        || response.extensions().get::<ApiError>().is_some()
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = match axum::body::to_bytes(body, MAX_REJECTION_DETAIL).await {
        Ok(text) if !text.is_empty() => String::from_utf8_lossy(&text).into_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let code = match status {
        StatusCode::NOT_FOUND => "request.not_found",
        s if s.is_server_error() => "internal",
        _ => "request.malformed",
    };
    let mut problem = ApiError::new(status, code).detail(detail).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}

/// The span of a request in the request log: its method and path. At WARN level, so the
/// warning of a 500 still names its request under `RUST_LOG=warn`.
#[derive(Debug, Clone, Copy)]
struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &axum::http::Request<B>) -> Span {
        tracing::span!(
            Level::WARN,
            "request",
            method = %req.method(),
            path = %req.uri().path()
        )
    }
}

/// The one line of the request log, written when the answer is ready: status and latency
/// (method and path come from [`RequestSpan`]); server errors at WARN, the rest at INFO.
#[derive(Debug, Clone, Copy)]
struct LogAnswer;

impl<B> OnResponse<B> for LogAnswer {
    fn on_response(self, response: &axum::http::Response<B>, latency: Duration, _: &Span) {
        let status = response.status().as_u16();
        let ms = latency.as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::warn!(status, ms, "answered");
        } else {
            tracing::info!(status, ms, "answered");
        }
    }
}
