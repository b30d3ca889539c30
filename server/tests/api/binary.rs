//! The `remit` binary: migrate, add a user, serve on a port the OS picks, stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

fn remit() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_remit"));
    command.env("REMIT_LOG", "error");
    command
}

/// The `--db`/`--data` arguments for a test database: SQLite through the default file in the data
/// folder, PostgreSQL through its URL.
fn db_args(db: &TestDatabase, backend: Backend) -> Vec<String> {
    let data = db.dir.path().join("data").display().to_string();
    match backend {
        Backend::Sqlite => vec!["--data".into(), data],
        Backend::Postgres => vec!["--data".into(), data, "--db".into(), db.url.clone()],
    }
}

/// Reads the server's first line of output, waiting at most 30 seconds.
fn address_of(child: &mut Child) -> String {
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
fn stop(mut child: Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
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
