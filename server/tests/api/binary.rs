//! The `remit` binary: migrate, add a user, serve on a port the OS picks, log, stop on SIGTERM once the
//! requests in flight are answered.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

use remit_core::sync::{MutationStatus, PushResponse};
use remit_server::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::helpers::*;
use crate::on_both_backends;

pub(crate) fn remit() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_remit"));
    command.env("REMIT_LOG", "error");
    command
}

/// The `--db`/`--data` arguments for a test database: SQLite through the default file in the data
/// folder, PostgreSQL through its URL.
pub(crate) fn db_args(db: &TestDatabase, backend: Backend) -> Vec<String> {
    let data = db.dir.path().join("data").display().to_string();
    match backend {
        Backend::Sqlite => vec!["--data".into(), data],
        Backend::Postgres => vec!["--data".into(), data, "--db".into(), db.url.clone()],
    }
}

/// Reads the server's first line of output, waiting at most 30 seconds.
pub(crate) fn address_of(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server prints its address");
    line.trim()
        .strip_prefix("Remit is running at ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned()
}

async fn the_binary_serves_on_a_chosen_port_and_stops_on_sigterm(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let args = db_args(&db, backend);

    let status = remit()
        .arg("migrate")
        .args(&args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mut fresh = remit()
        .arg("serve")
        .args(&args)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let address = address_of(&mut fresh);
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    assert!(
        !address.ends_with(":0"),
        "the real port is printed: {address}"
    );
    let status: serde_json::Value = reqwest::get(format!("{address}/api/setup"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status, json!({"needed": true}));
    stop(fresh);

    let output = remit()
        .args([
            "user",
            "add",
            "--org",
            "Cli Org",
            "--email",
            "cli@acme.example",
            "--password",
            PASSWORD,
            "--currency",
            "CHF",
            "--time-zone",
            "Europe/Zurich",
        ])
        .args(&args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut server = remit()
        .arg("serve")
        .args(&args)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let address = address_of(&mut server);
    let api = Api::new(&address);
    let status: serde_json::Value = api.get("/api/setup").await.json().await.unwrap();
    assert_eq!(status, json!({"needed": false}));
    let response = api.sign_in("cli@acme.example", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let info: serde_json::Value = response.json().await.unwrap();
    assert_eq!(info["organisation"]["name"], "Cli Org");
    assert_eq!(info["organisation"]["currency"], "CHF");
    assert_eq!(info["organisation"]["time_zone"], "Europe/Zurich");
    assert_eq!(info["user"]["role"], "owner");
    stop(server);
}
on_both_backends!(the_binary_serves_on_a_chosen_port_and_stops_on_sigterm => the_binary_serves_on_a_chosen_port_and_stops_on_sigterm_sqlite, the_binary_serves_on_a_chosen_port_and_stops_on_sigterm_postgres);

/// Sends SIGTERM and expects a clean exit within ten seconds.
pub(crate) fn stop(mut child: Child) {
    terminate(&child);
    exits_cleanly(&mut child);
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Expects the process to exit with success within ten seconds.
fn exits_cleanly(child: &mut Child) {
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "the server exits cleanly on SIGTERM: {status}"
            );
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("the server did not stop within ten seconds of SIGTERM");
}

/// The server's JSON log lines as they are written; each line is checked to be one JSON object.
fn follow_logs(stderr: ChildStderr) -> mpsc::UnboundedReceiver<Value> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            let parsed = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("a log line is not JSON ({e}): {line}"));
            if tx.send(parsed).is_err() {
                return;
            }
        }
    });
    rx
}

fn message(line: &Value) -> &str {
    line["fields"]["message"].as_str().unwrap_or_default()
}

const MUTATIONS: u64 = 1500;

async fn sigterm_lets_a_push_in_flight_finish_and_the_logs_tell_it(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let args = db_args(&db, backend);
    let added = remit()
        .args(["user", "add", "--org", "Acme GmbH", "--email", OWNER_EMAIL])
        .args(["--password", PASSWORD])
        .args(&args)
        .output()
        .unwrap();
    assert!(added.status.success());
    let mut server = remit()
        .env("REMIT_LOG", "info")
        .env("REMIT_LOG_FORMAT", "json")
        .arg("serve")
        .args(&args)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = address_of(&mut server);
    let mut logs = follow_logs(server.stderr.take().unwrap());

    let owner = Api::new(&address);
    let signed_in = owner.sign_in(OWNER_EMAIL, PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("remit_session=")
        .to_owned();
    let info: Value = signed_in.json().await.unwrap();
    let org = organisation_of(&info);
    let client = new_client();
    let mutations = (1..=MUTATIONS)
        .map(|i| upsert(i, &customer(org, &format!("Customer {i}"))))
        .collect();
    let push = tokio::spawn(async move { owner.push_raw(client, mutations).await });

    let mut seen = Vec::new();
    while !seen.iter().any(|l| message(l) == "mutation processed") {
        let line = tokio::time::timeout(Duration::from_secs(30), logs.recv())
            .await
            .expect("the push starts within 30 seconds")
            .expect("the server is running");
        seen.push(line);
    }
    terminate(&server);
    let response = push.await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let reply: PushResponse = response.json().await.unwrap();
    assert_eq!(reply.last_mutation_id, MUTATIONS);
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.status == MutationStatus::Applied)
    );
    exits_cleanly(&mut server);
    while let Some(line) = logs.recv().await {
        seen.push(line);
    }

    // The signal arrived while the push was being processed, and the push still ran to its end.
    let shutting_down = seen
        .iter()
        .position(|l| message(l) == "shutting down")
        .expect("the shutdown is logged");
    let processed: Vec<usize> = (0..seen.len())
        .filter(|i| message(&seen[*i]) == "mutation processed")
        .collect();
    assert_eq!(processed.len() as u64, MUTATIONS);
    assert!(shutting_down < *processed.last().unwrap());
    let first = &seen[processed[0]]["fields"];
    assert_eq!(first["client_id"], client.to_string());
    assert_eq!(first["mutation_id"], 1);
    assert_eq!(first["name"], "customer.upsert");
    assert_eq!(first["status"], "applied");
    let answered = seen
        .iter()
        .find(|l| message(l) == "response" && l["span"]["path"] == "/api/sync/push")
        .expect("the push's response is logged");
    assert_eq!(answered["span"]["method"], "POST");
    assert_eq!(answered["fields"]["status"], 200);
    assert!(answered["fields"]["latency_ms"].is_u64());
    assert_eq!(
        seen.iter()
            .filter(|l| message(l) == "response" && l["span"]["path"] == "/api/session")
            .count(),
        1
    );
    let everything = seen.iter().map(Value::to_string).collect::<String>();
    for secret in [PASSWORD, token.as_str()] {
        assert!(!everything.contains(secret), "the logs hold {secret:?}");
    }

    // Each mutation committed whole: its record, its change, its result, its audit row.
    let store = Store::connect(&database_url(&db, backend)).await.unwrap();
    let mut counts = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM customers",
        "SELECT COUNT(*) FROM changes",
        "SELECT COUNT(*) FROM mutation_results",
        "SELECT COUNT(*) FROM audit_log",
        "SELECT last_mutation_id FROM sync_clients",
    ] {
        let n: i64 = sqlx::query_scalar(sql)
            .fetch_one(store.pool())
            .await
            .unwrap();
        counts.push(n);
    }
    let all = i64::try_from(MUTATIONS).unwrap();
    assert_eq!(counts, [all; 5]);
    store.close().await;
}
on_both_backends!(sigterm_lets_a_push_in_flight_finish_and_the_logs_tell_it => sigterm_lets_a_push_in_flight_finish_and_the_logs_tell_it_sqlite, sigterm_lets_a_push_in_flight_finish_and_the_logs_tell_it_postgres);

/// The database a `remit` process given [`db_args`] uses.
fn database_url(db: &TestDatabase, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => format!(
            "sqlite://{}",
            db.dir.path().join("data").join("remit.db").display()
        ),
        Backend::Postgres => db.url.clone(),
    }
}
