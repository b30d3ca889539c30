//! The built app. Files come from the dist folder; a path that names no file and has no extension is a
//! route of the app, answered with `index.html` (the app routes on the client).
//!
//! Caching: Trunk puts a content hash into the names of the JavaScript, wasm and CSS files, so those never
//! change and are cached for a year. `index.html` (which names the current hashes) and the service worker
//! must be revalidated on every load, or an update would never arrive. Other files (manifest, icons) keep
//! their names across releases and are cached briefly.
//!
//! Compression: the build writes a Brotli (`.br`) and a gzip (`.gz`) twin of every hashed file
//! (`app/build/compress.mjs`); a browser that accepts one of them gets it, with `Content-Encoding`, the
//! others get the file as it is. Every answer carries `Vary: Accept-Encoding` so that a shared cache never
//! hands Brotli to a browser that did not ask for it.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::{AppError, AppState};

pub const NO_CACHE: &str = "no-cache";
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const SHORT: &str = "public, max-age=3600";

pub async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/api" || path.starts_with("/api/") {
        return AppError::NotFound.into_response();
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let (parts, body) = request.into_parts();
    let fallback = Request::from_parts(parts.clone(), Body::empty());
    let served = ServeDir::new(&state.dist)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(Request::from_parts(parts, body))
        .await;
    let response = match served {
        Ok(response) if response.status() == StatusCode::NOT_FOUND && is_app_route(&path) => {
            match ServeFile::new(state.dist.join("index.html"))
                .oneshot(fallback)
                .await
            {
                Ok(response) => response.map(Body::new),
                Err(never) => match never {},
            }
        }
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    vary_on_encoding(with_cache_control(&path, response))
}

fn vary_on_encoding(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(header::VARY, header::ACCEPT_ENCODING.into());
    response
}

fn with_cache_control(path: &str, mut response: Response) -> Response {
    let success = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    if success {
        let html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let policy = cache_policy(file_name(path), html);
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// How long a browser may keep a file without asking again.
fn cache_policy(file_name: &str, html: bool) -> &'static str {
    if html || file_name == "sw.js" {
        NO_CACHE
    } else if is_hashed(file_name) {
        IMMUTABLE
    } else {
        SHORT
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

/// A path the app routes on the client: no file extension in its last segment.
fn is_app_route(path: &str) -> bool {
    !file_name(path).contains('.')
}

/// Whether a file name carries a Trunk content hash: a `-` then exactly 16 hex digits, then `.` or `_`
/// (`remit-app-1a2b3c4d5e6f7a8b.js`, `remit-app-1a2b3c4d5e6f7a8b_bg.wasm`).
fn is_hashed(file_name: &str) -> bool {
    file_name.split('-').skip(1).any(|part| {
        let digits = part.chars().take_while(char::is_ascii_hexdigit).count();
        digits == 16 && matches!(part[16..].chars().next(), Some('.' | '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        for hashed in [
            "remit-app-1a2b3c4d5e6f7a8b.js",
            "remit-app-1a2b3c4d5e6f7a8b_bg.wasm",
            "style-0123456789abcdef.css",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for plain in [
            "index.html",
            "manifest.json",
            "remit-app.js",
            "icon-192.png",
            "remit-app-1a2b3c4d5e6f7a8.js",
            "remit-app-1a2b3c4d5e6f7a8b9.js",
            "remit-app-1a2b3c4d5e6f7a8b",
            "remit-app-1a2b3c4d5e6f7a8g.js",
        ] {
            assert!(!is_hashed(plain), "{plain}");
        }
    }

    #[test]
    fn html_and_the_service_worker_are_always_revalidated() {
        assert_eq!(cache_policy("index.html", true), NO_CACHE);
        assert_eq!(cache_policy("invoices", true), NO_CACHE);
        assert_eq!(cache_policy("sw.js", false), NO_CACHE);
        assert_eq!(
            cache_policy("remit-app-1a2b3c4d5e6f7a8b.js", false),
            IMMUTABLE
        );
        assert_eq!(cache_policy("manifest.json", false), SHORT);
    }

    #[test]
    fn only_paths_without_an_extension_are_app_routes() {
        assert!(is_app_route("/"));
        assert!(is_app_route(
            "/invoices/019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f"
        ));
        assert!(!is_app_route("/missing.js"));
        assert!(!is_app_route("/icons/missing.png"));
    }
}
