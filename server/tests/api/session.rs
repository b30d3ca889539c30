//! First-run setup, signing in and out, sessions and the CSRF guard.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

async fn setup_creates_the_owner_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    let status: serde_json::Value = browser.get("/api/setup").await.json().await.unwrap();
    assert_eq!(status, json!({"needed": true}));

    let mut short = setup_body();
    short["password"] = json!("too short");
    let (code, body) = error_of(browser.post("/api/setup", &short).await).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "invalid");
    assert_eq!(body["field"], "password");

    let mut bad_zone = setup_body();
    bad_zone["time_zone"] = json!("Berlin");
    let (_, body) = error_of(browser.post("/api/setup", &bad_zone).await).await;
    assert_eq!(body["field"], "time_zone");
    // A name shaped like a zone but missing from the time-zone database is refused alike.
    let mut no_such_zone = setup_body();
    no_such_zone["time_zone"] = json!("Europe/Atlantis");
    let (code, unknown) = error_of(browser.post("/api/setup", &no_such_zone).await).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown, body);
    assert_eq!(app.count("users").await, 0);

    let response = browser.post("/api/setup", &setup_body()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in [
        "remit_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=2592000",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    let info: serde_json::Value = response.json().await.unwrap();
    assert_eq!(info["user"]["email"], OWNER_EMAIL);
    assert_eq!(info["user"]["role"], "owner");
    assert_eq!(info["organisation"]["name"], "Acme GmbH");
    assert_eq!(info["organisation"]["time_zone"], "Europe/Berlin");
    assert_eq!(info["organisation"]["currency"], "EUR");

    // The setup signed the owner in.
    let me: serde_json::Value = browser.get("/api/session").await.json().await.unwrap();
    assert_eq!(me, info);

    let status: serde_json::Value = browser.get("/api/setup").await.json().await.unwrap();
    assert_eq!(status, json!({"needed": false}));
    let mut again = setup_body();
    again["email"] = json!("intruder@evil.example");
    let (code, body) = error_of(app.browser().post("/api/setup", &again).await).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(body["error"], "already_set_up");
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("organisations").await, 1);
}
on_both_backends!(setup_creates_the_owner_once => setup_creates_the_owner_once_sqlite, setup_creates_the_owner_once_postgres);

async fn sign_in_and_out(backend: Backend) {
    let app = spawn_app(backend).await;
    app.set_up().await;
    let browser = app.browser();

    let (code, body) = error_of(browser.get("/api/session").await).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthenticated");

    let (code, wrong_password) =
        error_of(browser.sign_in(OWNER_EMAIL, "wrong password!").await).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password["error"], "invalid_credentials");
    let (code, unknown_email) =
        error_of(browser.sign_in("nobody@acme.example", PASSWORD).await).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown_email, wrong_password,
        "the two failures must look alike"
    );
    assert_eq!(
        browser.get("/api/session").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let response = browser.sign_in("  Owner@ACME.example ", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let token = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let info: serde_json::Value = response.json().await.unwrap();
    assert_eq!(info["user"]["email"], OWNER_EMAIL);
    let me = browser.get("/api/session").await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<serde_json::Value>().await.unwrap(), info);

    // Two sessions now: the setup's and this one.
    assert_eq!(app.count("sessions").await, 2);
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    let raw = token.trim_start_matches("remit_session=");
    assert!(
        stored.iter().all(|h| h != raw),
        "the raw token must not be stored"
    );

    let response = browser
        .http
        .delete(browser.url("/api/session"))
        .send()
        .await
        .unwrap();
    let (code, body) = error_of(response).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "csrf");
    assert_eq!(browser.get("/api/session").await.status(), StatusCode::OK);

    let response = browser.delete("/api/session").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        browser.get("/api/session").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("sessions").await, 1);
    // The old token is dead on the server, not only forgotten by the browser.
    let replayed = reqwest::Client::new()
        .get(browser.url("/api/session"))
        .header("cookie", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
}
on_both_backends!(sign_in_and_out => sign_in_and_out_sqlite, sign_in_and_out_postgres);

async fn state_changes_need_the_csrf_header(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = app.browser();
    for path in [
        "/api/setup",
        "/api/session",
        "/api/sync/push",
        "/api/sync/pull",
    ] {
        let (code, body) =
            error_of(browser.post_without_csrf_header(path, &setup_body()).await).await;
        assert_eq!(code, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"], "csrf", "{path}");
    }
    let wrong_value = browser
        .http
        .post(browser.url("/api/setup"))
        .header("X-Remit-Request", "yes")
        .json(&setup_body())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_value.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("users").await, 0);
}
on_both_backends!(state_changes_need_the_csrf_header => state_changes_need_the_csrf_header_sqlite, state_changes_need_the_csrf_header_postgres);

async fn an_expired_session_cannot_push(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let client = new_client();
    let c = customer(organisation_of(&info), "Before expiry");
    assert_eq!(
        owner
            .push(client, vec![upsert(1, &c)])
            .await
            .last_mutation_id,
        1
    );

    sqlx::query("UPDATE sessions SET expires_at_ms = $1")
        .bind(app.clock.now_ms() - 1)
        .execute(app.store.pool())
        .await
        .unwrap();

    let c2 = customer(organisation_of(&info), "After expiry");
    let (code, body) = error_of(owner.push_raw(client, vec![upsert(2, &c2)]).await).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthenticated");
    assert_eq!(
        owner.get("/api/session").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        owner.pull_raw(client, None, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("customers").await, 1);
}
on_both_backends!(an_expired_session_cannot_push => an_expired_session_cannot_push_sqlite, an_expired_session_cannot_push_postgres);
