//! The HTTP application: routes, layers (problem rendering, panic catching, request log).

use crate::error::{ApiError, panic_response, render_problems};
use crate::state::AppState;
use crate::{
    openapi, routes_accounts, routes_catalog, routes_review, routes_stats, routes_sync,
    routes_uploads,
};
use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, head, post};
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;

/// Every route served, `(method, path)` in OpenAPI notation (checked against the document).
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/v1/openapi.json"),
    ("post", "/v1/accounts"),
    ("post", "/v1/sessions"),
    ("delete", "/v1/sessions/current"),
    ("post", "/v1/sessions/current/refresh"),
    ("get", "/v1/me"),
    ("get", "/v1/catalog"),
    ("put", "/v1/catalog"),
    ("get", "/v1/regions"),
    ("options", "/v1/uploads"),
    ("post", "/v1/uploads"),
    ("head", "/v1/uploads/{id}"),
    ("patch", "/v1/uploads/{id}"),
    ("delete", "/v1/uploads/{id}"),
    ("post", "/v1/sync/push"),
    ("get", "/v1/sync/pull"),
    ("get", "/v1/requests"),
    ("get", "/v1/requests/{id}"),
    ("get", "/v1/requests/{id}/attachments/{sha256}"),
    ("post", "/v1/requests/{id}/transitions"),
    ("get", "/v1/stats"),
];

/// Builds the application for `state`.
pub fn router(state: AppState) -> Router {
    let uploads = Router::new()
        .route(
            "/v1/uploads",
            axum::routing::options(routes_uploads::options).post(routes_uploads::create),
        )
        .route(
            "/v1/uploads/{id}",
            head(routes_uploads::head)
                .patch(routes_uploads::patch)
                .delete(routes_uploads::terminate),
        )
        .layer(middleware::from_fn(routes_uploads::tus_resumable));
    Router::new()
        .route("/healthz", get(routes_stats::healthz))
        .route("/readyz", get(routes_stats::readyz))
        .route("/v1/openapi.json", get(openapi::openapi))
        .route("/v1/accounts", post(routes_accounts::register))
        .route("/v1/sessions", post(routes_accounts::login))
        .route(
            "/v1/sessions/current",
            axum::routing::delete(routes_accounts::logout),
        )
        .route(
            "/v1/sessions/current/refresh",
            post(routes_accounts::refresh),
        )
        .route("/v1/me", get(routes_accounts::me))
        .route(
            "/v1/catalog",
            get(routes_catalog::get_catalog).put(routes_catalog::put_catalog),
        )
        .route("/v1/regions", get(routes_catalog::get_regions))
        .route("/v1/sync/push", post(routes_sync::push))
        .route("/v1/sync/pull", get(routes_sync::pull))
        .route("/v1/requests", get(routes_review::list))
        .route("/v1/requests/{id}", get(routes_review::detail))
        .route(
            "/v1/requests/{id}/attachments/{sha256}",
            get(routes_review::attachment),
        )
        .route(
            "/v1/requests/{id}/transitions",
            post(routes_review::transition),
        )
        .route("/v1/stats", get(routes_stats::get_stats))
        .merge(uploads)
        .fallback(|| async { ApiError::not_found() })
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::map_response(method_not_allowed_problem))
        .layer(middleware::map_response_with_state(
            state.clone(),
            render_problems,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
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

/// One log line per request.
async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::warn!(%method, %path, status, ms, "request");
    } else {
        tracing::info!(%method, %path, status, ms, "request");
    }
    response.into_response()
}
