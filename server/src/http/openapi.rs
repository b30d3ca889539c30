//! `GET /api/openapi.json`: the API described for people and tools, written by hand in `openapi.json`.
//! The tests below hold it to [`ROUTES`](super::ROUTES): it describes exactly the routes the server
//! answers, and every schema it refers to exists.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The OpenAPI 3.1 document.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub async fn document() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        DOCUMENT,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::http::{API_PREFIX, ROUTES};

    fn parsed() -> Value {
        serde_json::from_str(DOCUMENT).expect("openapi.json is JSON")
    }

    #[test]
    fn the_document_describes_exactly_the_routes_of_the_table() {
        let doc = parsed();
        assert_eq!(doc["openapi"], "3.1.0");
        let described: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, operations)| {
                operations
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(move |method| (method.to_uppercase(), path.clone()))
            })
            .collect();
        let routed: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|r| (r.method.to_string(), format!("{API_PREFIX}{}", r.path)))
            .collect();
        assert_eq!(described, routed);
    }

    #[test]
    fn every_operation_has_an_id_and_responses_and_every_reference_resolves() {
        let doc = parsed();
        for (path, operations) in doc["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                assert!(operation["operationId"].is_string(), "{method} {path}");
                assert!(
                    !operation["responses"].as_object().unwrap().is_empty(),
                    "{method} {path}"
                );
            }
        }
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 20, "{refs:?}");
        for reference in refs {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{reference} is not local"));
            assert!(doc.pointer(pointer).is_some(), "{reference} resolves");
        }
    }

    fn collect_refs(value: &Value, refs: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    refs.push(reference.clone());
                }
                map.values().for_each(|v| collect_refs(v, refs));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
            _ => {}
        }
    }
}
