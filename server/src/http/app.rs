//! The HTTP application: the routes of every resource module, merged, and the layers around
//! them (problem rendering, panic catching, request log).

use crate::http::error::{ApiError, panic_response, render_problems};
use crate::http::state::AppState;
use crate::http::{accounts, catalog, identity, openapi, review, stats, sync, uploads};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::{Level, Span};

/// Marks the answer of the fallback: no route matched. On the wire it is the same 404
/// `request.not_found` as a resource that does not exist; the marker lets the OpenAPI test
/// tell "no such route" from "no such resource".
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoRoute;

/// Builds the application for `state`.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(openapi::router())
        .merge(accounts::router())
        .merge(catalog::router())
        .merge(identity::router())
        .merge(review::router())
        .merge(stats::router())
        .merge(sync::router())
        .merge(uploads::router())
        .fallback(no_route)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::map_response(method_not_allowed_problem))
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

/// Gives axum's bare 405 (which keeps its `Allow` header) a problem body.
async fn method_not_allowed_problem(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
        || response.extensions().get::<ApiError>().is_some()
    {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut problem = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "request.malformed")
        .detail("method not allowed")
        .into_response();
    for (name, value) in &parts.headers {
        problem.headers_mut().insert(name.clone(), value.clone());
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
