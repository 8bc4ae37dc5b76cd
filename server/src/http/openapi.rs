//! The OpenAPI 3.1 document of the whole API, kept in the repository (`docs/openapi.json`) and
//! served at `/v1/openapi.json`. Its tests check that it documents exactly the routes served.

use crate::http::state::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The document, compiled in.
pub(crate) const OPENAPI_JSON: &str = include_str!("../../../docs/openapi.json");

/// The route of the document.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/openapi.json", get(openapi))
}

/// `GET /v1/openapi.json`.
pub(crate) async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    //! The documented API is the served API: every operation of the document is sent to the
    //! real router, and every route registered in `src/http/` is in the document.

    use super::*;
    use crate::Config;
    use crate::http::app::{NoRoute, router};
    use axum::Router;
    use axum::body::Body;
    use axum::extract::connect_info::MockConnectInfo;
    use axum::http::{Method, Request, StatusCode};
    use std::collections::{BTreeMap, BTreeSet};
    use std::net::SocketAddr;
    use tower::ServiceExt;

    /// The methods an OpenAPI path item can hold that this API could serve.
    const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

    /// `path -> methods` of the document.
    fn documented() -> BTreeMap<String, BTreeSet<String>> {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        assert_eq!(doc["openapi"].as_str().unwrap_or(""), "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        let mut out = BTreeMap::new();
        for (path, item) in paths {
            let methods: BTreeSet<String> = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_string())
                .collect();
            for method in &methods {
                let op = &item[method.as_str()];
                assert!(
                    op["operationId"].is_string(),
                    "{method} {path}: operationId"
                );
                assert!(op["responses"].is_object(), "{method} {path}: responses");
            }
            out.insert(path.clone(), methods);
        }
        out
    }

    /// Every path passed to `.route(` in the HTTP modules' source.
    fn registered_paths() -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
        let mut paths = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let file = entry.unwrap().path();
            if file.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let source = std::fs::read_to_string(&file).unwrap();
            // Tests (this one included) register no routes.
            let source = source.split("#[cfg(test)]").next().unwrap_or("");
            for (at, _) in source.match_indices(".route(") {
                let rest = source[at + ".route(".len()..].trim_start();
                // Routes are registered with literal paths, so this scan sees all of them.
                let path = rest
                    .strip_prefix('"')
                    .and_then(|r| r.split_once('"'))
                    .map(|(path, _)| path.to_string());
                match path {
                    Some(path) => paths.insert(path),
                    None => panic!("{}: a route without a literal path", file.display()),
                };
            }
        }
        assert!(!paths.is_empty(), "no routes found in {}", dir.display());
        paths
    }

    /// The router over a fresh data directory, with a peer address as `serve` provides.
    fn app(dir: &tempfile::TempDir) -> Router {
        let listen = SocketAddr::from(([127, 0, 0, 1], 0));
        let state = crate::open_state(&Config::new(dir.path(), listen)).unwrap();
        router(state).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))))
    }

    /// `path` with plausible values for its parameters.
    fn concrete(path: &str) -> String {
        path.replace("{sha256}", &"ab".repeat(32))
            .replace("{id}", "01938f3a-5b2c-7d4e-8f60-123456789abc")
    }

    /// Sends `method path` without credentials or body (as a tus client would); the answer's status and whether it
    /// came from the fallback (no route matched).
    async fn send(app: &Router, method: &str, path: &str) -> (StatusCode, bool) {
        let request = Request::builder()
            .method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
            .uri(concrete(path))
            // Without it the tus routes answer 412 before any method matching.
            .header("Tus-Resumable", crate::http::tus::VERSION)
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        (
            response.status(),
            response.extensions().get::<NoRoute>().is_some(),
        )
    }

    #[tokio::test]
    async fn every_documented_operation_is_served() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir);
        for (path, methods) in documented() {
            for method in methods {
                let (status, no_route) = send(&app, &method, &path).await;
                assert!(!no_route, "{method} {path}: no such route");
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            }
        }
    }

    #[tokio::test]
    async fn every_served_route_is_documented() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir);
        let documented = documented();
        for path in registered_paths() {
            let Some(methods) = documented.get(&path) else {
                panic!("{path} is served but not in docs/openapi.json");
            };
            for method in METHODS.iter().filter(|m| !methods.contains(**m)) {
                // HEAD of a GET route is served with it (RFC 9110) and not documented apart.
                if *method == "head" && methods.contains("get") {
                    continue;
                }
                let (status, _) = send(&app, method, &path).await;
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is served but not in docs/openapi.json"
                );
            }
        }
    }

    #[tokio::test]
    async fn an_unknown_route_is_told_apart_from_a_missing_resource() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir);
        assert_eq!(
            send(&app, "get", "/v1/nothing-here").await,
            (StatusCode::NOT_FOUND, true)
        );
        assert_eq!(
            send(&app, "get", "/v1/openapi.json").await,
            (StatusCode::OK, false)
        );
    }
}
