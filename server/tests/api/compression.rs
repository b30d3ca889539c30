//! What travels compressed: the app's hashed files as the build compressed them (Brotli or gzip twins,
//! chosen by `Accept-Encoding`), and API answers compressed on the fly.

use std::io::Read;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use remit_server::http::{AppState, app};
use tower::ServiceExt;

use crate::helpers::*;
use crate::on_both_backends;

const WASM: &str = "remit-app-0123456789abcdef_bg.wasm";

async fn get(
    state: &AppState,
    path: &str,
    accept_encoding: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(accept) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, accept);
    }
    let response = app(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body.to_vec())
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

fn varies_on_encoding(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::VARY)
        .iter()
        .any(|v| v.to_str().unwrap().eq_ignore_ascii_case("accept-encoding"))
}

async fn hashed_files_are_sent_as_their_precompressed_twins(backend: Backend) {
    let test = spawn_app(backend).await;
    // The twins' contents differ from the file's, so the body shows which one was sent.
    write_dist(
        &test.dist,
        &[
            ("index.html", "<!doctype html><title>Remit</title>"),
            (WASM, "\0asm identity"),
            (&format!("{WASM}.br"), "brotli twin"),
            (&format!("{WASM}.gz"), "gzip twin"),
        ],
    );
    let state = test.state();
    let path = format!("/{WASM}");
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), "brotli twin"),
        (Some("br;q=1.0, gzip;q=0.8"), Some("br"), "brotli twin"),
        (Some("gzip"), Some("gzip"), "gzip twin"),
        (Some("identity"), None, "\0asm identity"),
        (None, None, "\0asm identity"),
    ] {
        let (status, headers, served) = get(&state, &path, accept).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert_eq!(
            header(&headers, header::CONTENT_ENCODING),
            encoding,
            "{accept:?}"
        );
        assert_eq!(String::from_utf8(served).unwrap(), body, "{accept:?}");
        // Whatever was sent, its type and caching are the file's, and caches must key on the encoding.
        assert_eq!(
            header(&headers, header::CONTENT_TYPE),
            Some("application/wasm"),
            "{accept:?}"
        );
        assert_eq!(
            header(&headers, header::CACHE_CONTROL),
            Some("public, max-age=31536000, immutable"),
            "{accept:?}"
        );
        assert!(varies_on_encoding(&headers), "{accept:?}: {headers:?}");
    }

    // A file without twins is sent as it is, to any browser.
    let (status, headers, served) = get(&state, "/index.html", Some("br, gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, header::CONTENT_ENCODING), None);
    assert_eq!(served, b"<!doctype html><title>Remit</title>");
}
on_both_backends!(hashed_files_are_sent_as_their_precompressed_twins => hashed_files_are_sent_as_their_precompressed_twins_sqlite, hashed_files_are_sent_as_their_precompressed_twins_postgres);

async fn api_answers_are_compressed_for_browsers_that_accept_it(backend: Backend) {
    let test = spawn_app(backend).await;
    let state = test.state();
    let (status, headers, plain) = get(&state, "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, header::CONTENT_ENCODING), None);
    let document: serde_json::Value = serde_json::from_slice(&plain).unwrap();

    let (status, headers, gzipped) = get(&state, "/api/openapi.json", Some("gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, header::CONTENT_ENCODING), Some("gzip"));
    assert!(varies_on_encoding(&headers), "{headers:?}");
    assert!(
        gzipped.len() < plain.len() / 3,
        "{} of {} bytes",
        gzipped.len(),
        plain.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(gzipped.as_slice())
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&unzipped).unwrap(),
        document
    );

    let (status, headers, brotli) = get(&state, "/api/openapi.json", Some("gzip, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, header::CONTENT_ENCODING), Some("br"));
    assert!(
        brotli.len() < plain.len() / 3,
        "{} of {} bytes",
        brotli.len(),
        plain.len()
    );
    let mut unbrotlied = Vec::new();
    brotli::Decompressor::new(brotli.as_slice(), 4096)
        .read_to_end(&mut unbrotlied)
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&unbrotlied).unwrap(),
        document
    );
}
on_both_backends!(api_answers_are_compressed_for_browsers_that_accept_it => api_answers_are_compressed_for_browsers_that_accept_it_sqlite, api_answers_are_compressed_for_browsers_that_accept_it_postgres);
