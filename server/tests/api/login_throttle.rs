//! Password guessing: after five failed sign-ins within fifteen minutes an account is refused with 429
//! until the oldest failure is fifteen minutes old, on every server process sharing the database.

use std::time::Duration;

use remit_server::application::Intervals;
use remit_server::auth::Role;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_backends;

const WRONG: &str = "not the password";

/// Fails to sign in `times` times with a wrong password, each answered 401.
async fn fail(browser: &Api, email: &str, times: usize) {
    for attempt in 1..=times {
        let (code, body) = error_of(browser.sign_in(email, WRONG).await).await;
        assert_eq!(code, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(body["error"], "invalid_credentials");
    }
}

/// Expects a sign-in to be refused as throttled; the `Retry-After` seconds.
async fn assert_throttled(response: reqwest::Response) -> u64 {
    let retry_after = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let (code, body) = error_of(response).await;
    assert_eq!(code, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "too_many_attempts");
    assert!(
        body["message"].as_str().unwrap().contains("try again"),
        "{body}"
    );
    retry_after
}

async fn five_failures_lock_the_account_even_against_the_right_password(backend: Backend) {
    let app = spawn_app(backend).await;
    app.set_up().await;
    app.user("Acme GmbH", "billing@acme.example", Role::Billing)
        .await;
    let browser = app.browser();

    fail(&browser, OWNER_EMAIL, 5).await;
    let retry_after = assert_throttled(browser.sign_in(OWNER_EMAIL, PASSWORD).await).await;
    assert!((899..=900).contains(&retry_after), "{retry_after}");
    // The same account however its address is written; refusals are not failures.
    assert_throttled(browser.sign_in(" OWNER@acme.Example", PASSWORD).await).await;
    assert_eq!(app.count("login_failures").await, 5);
    assert_eq!(
        browser.get("/api/session").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Another account of the same organisation is not affected.
    let response = browser.sign_in("billing@acme.example", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);

    // Fifteen minutes after the oldest failure, the right password works again and clears the count.
    sqlx::query("UPDATE login_failures SET failed_at_ms = $1")
        .bind(app.clock.now_ms() - 15 * 60 * 1000)
        .execute(app.store.pool())
        .await
        .unwrap();
    let response = browser.sign_in(OWNER_EMAIL, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.count("login_failures").await, 0);
}
on_both_backends!(five_failures_lock_the_account_even_against_the_right_password => five_failures_lock_the_account_even_against_the_right_password_sqlite, five_failures_lock_the_account_even_against_the_right_password_postgres);

async fn a_successful_sign_in_clears_the_failures(backend: Backend) {
    let app = spawn_app(backend).await;
    app.set_up().await;
    let browser = app.browser();

    fail(&browser, OWNER_EMAIL, 4).await;
    assert_eq!(
        browser.sign_in(OWNER_EMAIL, PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.count("login_failures").await, 0);
    // Eight failures in all, never five since the last success: still admitted.
    fail(&browser, OWNER_EMAIL, 4).await;
    assert_eq!(
        browser.sign_in(OWNER_EMAIL, PASSWORD).await.status(),
        StatusCode::OK
    );
}
on_both_backends!(a_successful_sign_in_clears_the_failures => a_successful_sign_in_clears_the_failures_sqlite, a_successful_sign_in_clears_the_failures_postgres);

async fn unknown_addresses_are_throttled_alike(backend: Backend) {
    let app = spawn_app(backend).await;
    app.set_up().await;
    let browser = app.browser();
    // Otherwise a 429 would tell which addresses have an account.
    fail(&browser, "nobody@acme.example", 5).await;
    assert_throttled(browser.sign_in("nobody@acme.example", WRONG).await).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT account_key FROM login_failures")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(stored.len(), 5);
    assert!(
        stored.iter().all(|key| !key.contains("nobody")),
        "addresses are stored hashed: {stored:?}"
    );
}
on_both_backends!(unknown_addresses_are_throttled_alike => unknown_addresses_are_throttled_alike_sqlite, unknown_addresses_are_throttled_alike_postgres);

async fn server_processes_on_one_database_share_the_count(backend: Backend) {
    let app = spawn_app(backend).await;
    app.set_up().await;
    let first = app.browser();
    let second = Api::new(&app.another_server().await);

    fail(&first, OWNER_EMAIL, 3).await;
    fail(&second, OWNER_EMAIL, 2).await;
    assert_throttled(first.sign_in(OWNER_EMAIL, PASSWORD).await).await;
    assert_throttled(second.sign_in(OWNER_EMAIL, PASSWORD).await).await;
}
on_both_backends!(server_processes_on_one_database_share_the_count => server_processes_on_one_database_share_the_count_sqlite, server_processes_on_one_database_share_the_count_postgres);

async fn concurrent_guesses_cannot_slip_past_the_count(backend: Backend) {
    let app = spawn_app(backend).await;
    app.set_up().await;
    let servers = [app.browser(), Api::new(&app.another_server().await)];
    let guesses: Vec<_> = (0..12)
        .map(|i| {
            let browser = servers[i % 2].clone();
            tokio::spawn(async move { browser.sign_in(OWNER_EMAIL, WRONG).await.status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 7), "{statuses:?}");
}
on_both_backends!(concurrent_guesses_cannot_slip_past_the_count => concurrent_guesses_cannot_slip_past_the_count_sqlite, concurrent_guesses_cannot_slip_past_the_count_postgres);

async fn stale_failures_of_every_account_are_swept(backend: Backend) {
    // The server's own sweeper, every 20 ms.
    let app = spawn_app_with(
        backend,
        Intervals {
            login_failure_sweep: Duration::from_millis(20),
            ..Intervals::default()
        },
    )
    .await;
    app.set_up().await;
    let browser = app.browser();
    fail(&browser, "gone@acme.example", 3).await;
    fail(&browser, OWNER_EMAIL, 2).await;
    // The first three failures, those of the address never tried again, are fifteen minutes old.
    sqlx::query(
        "UPDATE login_failures SET failed_at_ms = $1 \
         WHERE id IN (SELECT id FROM login_failures ORDER BY id LIMIT 3)",
    )
    .bind(app.clock.now_ms() - 15 * 60 * 1000)
    .execute(app.store.pool())
    .await
    .unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while app.count("login_failures").await == 5 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the sweeper runs within seconds");
    // The three stale failures are forgotten, the other two still count.
    assert_eq!(app.count("login_failures").await, 2);
    fail(&browser, OWNER_EMAIL, 3).await;
    assert_throttled(browser.sign_in(OWNER_EMAIL, PASSWORD).await).await;
}
on_both_backends!(stale_failures_of_every_account_are_swept => stale_failures_of_every_account_are_swept_sqlite, stale_failures_of_every_account_are_swept_postgres);
