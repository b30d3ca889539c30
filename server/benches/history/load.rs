//! Load on the server (issue #11 §3; the portal's page of issue #14): requests repeated by `wrk`
//! against a server on a local port, and the same requests sent one after another for callgrind.
//!
//! - the REST statement and the portal's statement page of a customer with `sizes.portal` (500) open
//!   invoices: ≥ 2,000 requests/s with p99 ≤ 50 ms (`wrk -t2 -c32`);
//! - a page of a first sync of the history bench's organisation (500 issued invoices) and an
//!   incremental pull with nothing new (no target);
//! - on PostgreSQL, the REST statement against 1 and 2 `remit serve` processes of this build at a few
//!   connection counts (the curve, no target).
//!
//! `wrk` runs on the same two cores as the server, so its rates are floors; callgrind's instructions
//! per request (`load-seed`, `load-requests`) are the figure that does not move with the machine's load.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use remit_core::ids::{ClientId, OrganisationId};
use remit_core::sync::{Command, Cookie, PullRequest};
use serde::{Deserialize, Serialize};

use super::common::{LocalServer, customer, new_client};
use super::{Org, Sizes, issues, measured, report, settings, sqlite_files, sqlite_url};

/// wrk's connections for the figures with targets (issue #14's `-c32`).
const CONNECTIONS: usize = 32;
/// The connection counts of the 1-versus-2-processes curve.
const CURVE: [usize; 3] = [4, 16, 64];
/// The year the REST statement covers (every seeded invoice is in it).
const STATEMENT_PERIOD: &str = "from=2026-01-01&to=2026-12-31";

/// One request as `wrk` repeats it and `load-requests` sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    /// `GET` or `POST`.
    method: String,
    /// Path and query.
    path: String,
    /// The session cookie (`remit_session=…`) for an API route.
    cookie: Option<String>,
    /// A JSON body.
    body: Option<String>,
}

impl Request {
    fn get(path: String, cookie: Option<String>) -> Self {
        Self {
            method: "GET".into(),
            path,
            cookie,
            body: None,
        }
    }

    fn post(path: &str, cookie: String, body: &impl Serialize) -> Self {
        Self {
            method: "POST".into(),
            path: path.into(),
            cookie: Some(cookie),
            body: Some(serde_json::to_string(body).expect("json")),
        }
    }

    /// Sends it to the server at `address` and reads the whole answer, which must be a success.
    async fn send(&self, http: &reqwest::Client, address: &str) {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).expect("method");
        let mut request = http.request(method, format!("{address}{}", self.path));
        if let Some(cookie) = &self.cookie {
            request = request
                .header(reqwest::header::COOKIE, cookie)
                .header("X-Remit-Request", "1");
        }
        if let Some(body) = &self.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        assert!(
            status.is_success(),
            "{} {}: {status}",
            self.method,
            self.path
        );
        response.bytes().await.expect("body");
    }

    /// wrk's Lua script for it: its method, headers and body, and each of wrk's threads on one of
    /// `ports` in turn (so two threads spread over two servers).
    fn wrk_script(&self, ports: &[u16]) -> String {
        let mut script = format!("wrk.method = {}\n", lua_string(&self.method));
        if let Some(cookie) = &self.cookie {
            script += &format!("wrk.headers[\"Cookie\"] = {}\n", lua_string(cookie));
            script += "wrk.headers[\"X-Remit-Request\"] = \"1\"\n";
        }
        if let Some(body) = &self.body {
            script += "wrk.headers[\"Content-Type\"] = \"application/json\"\n";
            script += &format!("wrk.body = {}\n", lua_string(body));
        }
        let ports: Vec<String> = ports.iter().map(|p| format!("\"{p}\"")).collect();
        script += &format!(
            "local ports = {{ {} }}\n\
             local threads = 0\n\
             function setup(thread)\n  \
               thread.addr = wrk.lookup(\"127.0.0.1\", ports[threads % #ports + 1])[1]\n  \
               threads = threads + 1\n\
             end\n",
            ports.join(", ")
        );
        script
    }
}

/// `text` as a Lua string literal (the requests are ASCII: JSON, cookies, paths).
fn lua_string(text: &str) -> String {
    assert!(text.is_ascii(), "a request for wrk is ASCII: {text:?}");
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// The requests the load benches repeat, as `load-seed` writes them beside its database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Requests {
    /// The portal's statement page of the customer with open invoices (no session: the link is the key).
    pub portal: Request,
    /// The REST statement of that customer for the year.
    pub statement: Request,
    /// A page of a first sync: 500 issued invoices, to a device the server has never seen.
    pub pull: Request,
    /// An incremental pull with nothing new, from the organisation's own device.
    pub incremental: Request,
}

impl Requests {
    fn named(&self, name: &str) -> &Request {
        match name {
            "portal" => &self.portal,
            "statement" => &self.statement,
            "pull" => &self.pull,
            "pull-incremental" => &self.incremental,
            other => panic!("unknown request {other}: portal, statement, pull or pull-incremental"),
        }
    }
}

/// A customer of `open` issued, open invoices in an organisation of its own: its portal statement page
/// (a link made through the API) and its REST statement under its owner's session.
pub async fn open_customer(server: &LocalServer, open: usize) -> (Request, Request) {
    let email = "portal@bench.example";
    let org = server.organisation(email).await;
    let payer = customer(org.id, 0);
    org.push(vec![
        Command::SaveSettings(settings(org.id)),
        Command::UpsertCustomer(payer.clone()),
    ])
    .await;
    org.push(issues(std::slice::from_ref(&payer), open)).await;
    let cookie = server.session_cookie(email).await;
    let link: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/api/customers/{}/portal-links",
            server.address, payer.id
        ))
        .header(reqwest::header::COOKIE, &cookie)
        .header("X-Remit-Request", "1")
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("make a link")
        .json()
        .await
        .expect("the link");
    let portal = link["url"].as_str().expect("url").to_owned();
    let statement = format!("/api/customers/{}/statement?{STATEMENT_PERIOD}", payer.id);
    (
        Request::get(portal, None),
        Request::get(statement, Some(cookie)),
    )
}

/// The pulls of `org` (its settings and customers, then its issued invoices), as its owner `email`: a
/// first sync's page of invoices (a device never seen, after the last change before the first invoice)
/// and an incremental pull with nothing new (`org`'s own device, at the latest change).
pub async fn pulls(server: &LocalServer, org: &Org, email: &str) -> (Request, Request) {
    let cookie = server.session_cookie(email).await;
    let (first_invoice, latest) = change_numbers(server, org.id).await;
    let device = org.sync.lock().await.client_id;
    let pull = |client_id: ClientId, after: u64| {
        Request::post(
            "/api/sync/pull",
            cookie.clone(),
            &PullRequest {
                client_id,
                cookie: Some(Cookie(after)),
            },
        )
    };
    (pull(new_client(), first_invoice - 1), pull(device, latest))
}

/// The organisation's first invoice's change number and its latest change number.
async fn change_numbers(server: &LocalServer, organisation: OrganisationId) -> (u64, u64) {
    let (first, latest): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT MIN(change_no) FROM changes WHERE organisation_id = $1 AND entity = 'invoice'), \
                (SELECT MAX(change_no) FROM changes WHERE organisation_id = $1)",
    )
    .bind(organisation.to_string())
    .fetch_one(server.store.pool())
    .await
    .expect("change numbers");
    let number = |n: i64| u64::try_from(n).expect("a change number");
    (number(first), number(latest))
}

/// What `wrk --latency` measured.
struct Measured {
    rate: f64,
    p50: f64,
    p99: f64,
    /// wrk's socket errors (timeouts under overload), if any.
    errors: Option<String>,
}

impl Measured {
    fn detail(&self) -> String {
        let errors = self.errors.as_deref().unwrap_or("");
        format!("p50 {:.1} ms, p99 {:.1} ms {errors}", self.p50, self.p99)
    }
}

/// `request` repeated by `wrk` (2 threads, `connections` connections) for `seconds` against the servers
/// at `addresses`, wrk's threads spread across them; `None` when wrk is not installed or failed.
async fn wrk(
    addresses: &[&str],
    request: &Request,
    connections: usize,
    seconds: u32,
) -> Option<Measured> {
    let ports: Vec<u16> = addresses
        .iter()
        .map(|a| {
            a.rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("a local address")
        })
        .collect();
    let script = tempfile::NamedTempFile::new().expect("script file");
    std::fs::write(script.path(), request.wrk_script(&ports)).expect("write the script");
    let args = [
        "-t2".to_owned(),
        format!("-c{connections}"),
        format!("-d{seconds}s"),
        "--latency".to_owned(),
        "-s".to_owned(),
        script.path().display().to_string(),
        format!("{}{}", addresses[0], request.path),
    ];
    let ran =
        tokio::task::spawn_blocking(move || std::process::Command::new("wrk").args(args).output())
            .await
            .expect("wrk's thread");
    let out = match ran {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => return None,
    };
    // A bench that measured refusals (a lost session, a wrong body) would look fast: it fails instead.
    assert!(
        !out.contains("Non-2xx or 3xx responses"),
        "{} {} answered errors under wrk:\n{out}",
        request.method,
        request.path
    );
    // The servers may still be answering what wrk left in flight: one more request each waits behind
    // those, so that the next run starts on idle servers.
    let http = reqwest::Client::new();
    for address in addresses {
        request.send(&http, address).await;
    }
    Some(Measured {
        rate: wrk_figure(&out, "Requests/sec:").unwrap_or(0.0),
        p50: wrk_figure(&out, "50%").unwrap_or(f64::INFINITY),
        p99: wrk_figure(&out, "99%").unwrap_or(f64::INFINITY),
        errors: out
            .lines()
            .find(|l| l.trim_start().starts_with("Socket errors:"))
            .map(|l| format!("({})", l.trim())),
    })
}

/// A figure of `wrk --latency`'s output: the number after `label` (latencies in milliseconds).
fn wrk_figure(out: &str, label: &str) -> Option<f64> {
    let line = out.lines().find(|l| l.trim_start().starts_with(label))?;
    let value = line.trim_start()[label.len()..].trim();
    let (number, unit) = value.split_at(
        value
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(value.len()),
    );
    let number: f64 = number.trim().parse().ok()?;
    Some(match unit.trim() {
        "us" => number / 1e3,
        "s" => number * 1e3,
        _ => number,
    })
}

/// Each request under wrk against the bench's server, each figure beside its target.
pub async fn under_wrk(backend: &str, server: &LocalServer, requests: &Requests, sizes: Sizes) {
    let address = [server.address.as_str()];
    let targeted = [
        (
            format!(
                "portal statement of {} open invoices under wrk",
                sizes.portal
            ),
            &requests.portal,
        ),
        (
            format!(
                "REST statement of a {}-invoice customer under wrk",
                sizes.portal
            ),
            &requests.statement,
        ),
    ];
    for (what, request) in targeted {
        let Some(m) = wrk(&address, request, CONNECTIONS, sizes.wrk_seconds).await else {
            println!("load bench ({backend}) SKIPPED: wrk is not installed or failed");
            return;
        };
        report(
            backend,
            &format!("{what}: requests/s"),
            m.rate,
            "≥ 2000",
            m.rate >= 2000.0,
            "",
        );
        report(
            backend,
            &format!("{what}: p99 ms"),
            m.p99,
            "≤ 50 ms",
            m.p99 <= 50.0,
            &m.detail(),
        );
    }
    for (what, request) in [
        (
            "a first sync's page of 500 invoices under wrk",
            &requests.pull,
        ),
        (
            "an incremental pull with nothing new under wrk",
            &requests.incremental,
        ),
    ] {
        let m = wrk(&address, request, CONNECTIONS, sizes.wrk_seconds)
            .await
            .expect("wrk ran a moment ago");
        measured(backend, &format!("{what}: requests/s"), m.rate, "");
        measured(backend, &format!("{what}: p99 ms"), m.p99, &m.detail());
    }
}

/// A `remit serve` process of this build on the database at `url`, stopped when dropped.
struct Process {
    child: Child,
    address: String,
}

impl Process {
    fn start(url: &str, folder: &Path) -> Self {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_remit"))
            .args(["serve", "--port", "0", "--db", url])
            .arg("--data")
            .arg(folder)
            .arg("--dist")
            .arg(folder)
            // As the in-process server of the other figures, which logs nothing: warnings only.
            .env("REMIT_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start remit serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server's first line");
        let address = line
            .trim()
            .strip_prefix("Remit is running at ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self { child, address }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The REST statement against 1 and then 2 `remit serve` processes on the database at `url` (PostgreSQL),
/// at each of [`CURVE`]'s connection counts: the curve, without a target.
pub async fn processes(backend: &str, url: &str, statement: &Request, sizes: Sizes) {
    let folder = tempfile::tempdir().expect("temporary folder");
    for count in [1, 2] {
        let servers: Vec<Process> = (0..count)
            .map(|_| Process::start(url, folder.path()))
            .collect();
        let addresses: Vec<&str> = servers.iter().map(|s| s.address.as_str()).collect();
        for connections in CURVE {
            let Some(m) = wrk(&addresses, statement, connections, sizes.wrk_seconds).await else {
                println!("process curve ({backend}) SKIPPED: wrk is not installed or failed");
                return;
            };
            let what = format!(
                "REST statement, {count} process{}, {connections} connections",
                if count == 1 { "" } else { "es" }
            );
            measured(backend, &format!("{what}: requests/s"), m.rate, "");
            measured(backend, &format!("{what}: p99 ms"), m.p99, &m.detail());
        }
    }
}

/// Seeds `dir/load.db` with the load benches' customer of `open` invoices and an organisation of
/// `invoices` issued invoices (ten per customer) to pull from; the requests go to `dir/load.json`.
pub async fn seed(dir: &Path, open: usize, invoices: usize) {
    std::fs::create_dir_all(dir).expect("seed folder");
    let db = dir.join("load.db");
    for file in sqlite_files(&db) {
        let _ = std::fs::remove_file(file);
    }
    let server = LocalServer::start(&sqlite_url(&db), dir).await;
    let (portal, statement) = open_customer(&server, open).await;
    let email = "pull@bench.example";
    let org = server.organisation(email).await;
    let customers: Vec<_> = (0..invoices.div_ceil(10))
        .map(|n| customer(org.id, n))
        .collect();
    org.push(
        std::iter::once(Command::SaveSettings(settings(org.id)))
            .chain(customers.iter().cloned().map(Command::UpsertCustomer))
            .collect(),
    )
    .await;
    org.push(issues(&customers, invoices)).await;
    let (pull, incremental) = pulls(&server, &org, email).await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(server.store.pool())
        .await
        .expect("checkpoint");
    server.store.close().await;
    let requests = Requests {
        portal,
        statement,
        pull,
        incremental,
    };
    std::fs::write(
        dir.join("load.json"),
        serde_json::to_vec_pretty(&requests).expect("json"),
    )
    .expect("write the requests");
}

/// Sends the seeded request `name` (`portal`, `statement`, `pull`, `pull-incremental`) `count` times in
/// turn to a server on a copy of `dir/load.db`.
pub async fn requests(dir: &Path, name: &str, count: usize) {
    let requests: Requests =
        serde_json::from_slice(&std::fs::read(dir.join("load.json")).expect("the seeded requests"))
            .expect("requests");
    let request = requests.named(name);
    let work = tempfile::tempdir().expect("temporary folder");
    let db: PathBuf = work.path().join("load.db");
    std::fs::copy(dir.join("load.db"), &db).expect("copy database");
    let server = LocalServer::start(&sqlite_url(&db), work.path()).await;
    let http = reqwest::Client::new();
    for _ in 0..count {
        request.send(&http, &server.address).await;
    }
}
