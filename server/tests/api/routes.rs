//! The route table is the whole API: the server answers every route of `ROUTES` and nothing else under
//! `/api/`, and serves the OpenAPI document that describes them.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use remit_server::http::{API_PREFIX, AppState, ROUTES, app, openapi};
use tower::ServiceExt;

use crate::helpers::*;
use crate::on_both_backends;

const METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// A path of the table with its parameters filled in.
fn concrete(path: &str) -> String {
    format!(
        "{API_PREFIX}{}",
        path.replace("{id}", "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e60")
    )
}

fn declared(method: &Method, path: &str) -> bool {
    ROUTES.iter().any(|r| {
        r.path == path
            && (r.method == *method || (*method == Method::HEAD && r.method == Method::GET))
    })
}

/// Asks without a session, with the CSRF header and an empty JSON object as body.
async fn probe(state: &AppState, method: &Method, path: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method.clone())
        .uri(path)
        .header("x-remit-request", "1")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn the_api_answers_the_routes_of_the_table_and_nothing_else(backend: Backend) {
    let test = spawn_app(backend).await;
    let state = AppState {
        store: test.store.clone(),
        dist: test.dist.clone(),
    };
    let mut paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
    paths.sort_unstable();
    paths.dedup();
    for path in &paths {
        for method in &METHODS {
            let (status, body) = probe(&state, method, &concrete(path)).await;
            if declared(method, path) {
                assert!(
                    ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&status),
                    "{method} {path} is in the table but answered {status} {body}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is not in the table but answered {body}"
                );
            }
        }
    }
    // Paths next to the table's: their parents, children and the API's root.
    let mut neighbours = vec![API_PREFIX.to_owned(), format!("{API_PREFIX}/")];
    for path in &paths {
        neighbours.push(concrete(&format!("{path}/more")));
        let mut parent = *path;
        while let Some((up, _)) = parent.rsplit_once('/') {
            if !up.is_empty() && !paths.contains(&up) {
                neighbours.push(concrete(up));
            }
            parent = up;
        }
    }
    for path in &neighbours {
        for method in &METHODS {
            let (status, body) = probe(&state, method, path).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{method} {path} is not in the table but answered {body}"
            );
        }
    }
}
on_both_backends!(the_api_answers_the_routes_of_the_table_and_nothing_else => the_api_answers_the_routes_of_the_table_and_nothing_else_sqlite, the_api_answers_the_routes_of_the_table_and_nothing_else_postgres);

async fn the_openapi_document_is_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.browser().get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: serde_json::Value = response.json().await.unwrap();
    let stored: serde_json::Value = serde_json::from_str(openapi::DOCUMENT).unwrap();
    assert_eq!(served, stored);
    assert_eq!(served["info"]["title"], "Remit API");
}
on_both_backends!(the_openapi_document_is_served => the_openapi_document_is_served_sqlite, the_openapi_document_is_served_postgres);
