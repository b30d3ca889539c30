//! The built app: files from the dist folder, the client-side routes, and how long browsers cache them.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use remit_server::http::{AppState, app};
use tower::ServiceExt;

use crate::helpers::*;
use crate::on_both_backends;

const INDEX: &str = "<!doctype html><title>Remit</title>";

struct Served {
    status: StatusCode,
    cache_control: Option<String>,
    content_type: Option<String>,
    body: String,
}

async fn get(state: &AppState, path: &str) -> Served {
    let response = app(state.clone())
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (status, cache_control, content_type) = (
        response.status(),
        header(header::CACHE_CONTROL),
        header(header::CONTENT_TYPE),
    );
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Served {
        status,
        cache_control,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn the_app_is_served_with_fitting_cache_headers(backend: Backend) {
    let test = spawn_app(backend).await;
    write_dist(
        &test.dist,
        &[
            ("index.html", INDEX),
            ("sw.js", "self.addEventListener('fetch', () => {});"),
            ("remit-app-0123456789abcdef.js", "export default 1;"),
            ("remit-app-0123456789abcdef_bg.wasm", "\0asm"),
            ("style-fedcba9876543210.css", "body{}"),
            ("manifest.json", "{}"),
            ("icons/icon-192.png", "png"),
        ],
    );
    let state = test.state();
    let no_cache = Some("no-cache".to_owned());
    let immutable = Some("public, max-age=31536000, immutable".to_owned());

    for path in [
        "/",
        "/index.html",
        "/invoices/019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f",
        "/settings",
    ] {
        let served = get(&state, path).await;
        assert_eq!(served.status, StatusCode::OK, "{path}");
        assert_eq!(served.body, INDEX, "{path}");
        assert_eq!(served.cache_control, no_cache, "{path}");
        assert!(served.content_type.unwrap().starts_with("text/html"));
    }
    let sw = get(&state, "/sw.js").await;
    assert_eq!(sw.status, StatusCode::OK);
    assert_eq!(sw.cache_control, no_cache);

    for (path, mime) in [
        ("/remit-app-0123456789abcdef.js", "javascript"),
        ("/remit-app-0123456789abcdef_bg.wasm", "application/wasm"),
        ("/style-fedcba9876543210.css", "text/css"),
    ] {
        let served = get(&state, path).await;
        assert_eq!(served.status, StatusCode::OK, "{path}");
        assert_eq!(served.cache_control, immutable, "{path}");
        assert!(served.content_type.unwrap().contains(mime), "{path}");
    }
    for path in ["/manifest.json", "/icons/icon-192.png"] {
        let served = get(&state, path).await;
        assert_eq!(served.status, StatusCode::OK, "{path}");
        assert_eq!(
            served.cache_control.as_deref(),
            Some("public, max-age=3600"),
            "{path}"
        );
    }

    // A missing file is missing (not the app's HTML under a script's name); the API never falls back.
    assert_eq!(
        get(&state, "/remit-app-ffffffffffffffff.js").await.status,
        StatusCode::NOT_FOUND
    );
    let api = get(&state, "/api/no-such-thing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["error"], "not_found");
    let wrong_method = get(&state, "/api/sync/push").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = serde_json::from_str(&wrong_method.body).unwrap();
    assert_eq!(body["error"], "method_not_allowed");
}
on_both_backends!(the_app_is_served_with_fitting_cache_headers => the_app_is_served_with_fitting_cache_headers_sqlite, the_app_is_served_with_fitting_cache_headers_postgres);
