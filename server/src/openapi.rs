//! The OpenAPI 3.1 document of the whole API, kept in the repository (`docs/openapi.json`) and
//! served at `/v1/openapi.json`. A test checks that it documents exactly the routes served.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The document, compiled in.
pub const OPENAPI_JSON: &str = include_str!("../../docs/openapi.json");

/// `GET /v1/openapi.json`.
pub async fn openapi() -> Response {
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
    use super::*;
    use crate::app::ROUTES;
    use std::collections::BTreeSet;

    #[test]
    fn documents_exactly_the_routes_served() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        assert_eq!(doc["openapi"].as_str().unwrap_or(""), "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        let mut documented = BTreeSet::new();
        for (path, item) in paths {
            for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
                if item.get(method).is_some() {
                    documented.insert((method.to_string(), path.clone()));
                }
            }
        }
        let served: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(documented, served);
        for (method, path) in &documented {
            let op = &paths[path.as_str()][method.as_str()];
            assert!(
                op["operationId"].is_string(),
                "{method} {path} has an operationId"
            );
            assert!(op["responses"].is_object(), "{method} {path} has responses");
        }
    }
}
