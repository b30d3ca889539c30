//! Several `remit serve` processes on one database: numbers stay gapless and single, no mutation is
//! lost, and a change committed late is never skipped by a pull.

use std::process::{Child, Stdio};

use remit_core::document::issued::{Invoice, NumberSource};
use remit_core::sync::{MutationStatus, PatchOp, Record};
use remit_server::store::{changes, customers};
use reqwest::StatusCode;
use serde_json::Value;

use crate::binary::{address_of, db_args, remit};
use crate::helpers::*;
use crate::on_both_backends;

/// A server process of its own, killed when dropped.
struct Process(Child, String);

impl Process {
    fn start(args: &[String]) -> Self {
        let mut child = remit()
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let address = address_of(&mut child);
        Self(child, address)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const DEVICES_PER_PROCESS: usize = 2;
const ISSUES_PER_DEVICE: u64 = 12;

/// Two server processes share one database while four devices issue invoices through them at once:
/// the series' numbers are exactly 1..N, each once, both processes issued some, and every mutation
/// has its result.
async fn two_processes_issue_one_gapless_series(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let args = db_args(&db, backend);
    let added = remit()
        .args(["user", "add", "--org", "Acme GmbH", "--email", OWNER_EMAIL])
        .args(["--password", PASSWORD])
        .args(&args)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let processes = [Process::start(&args), Process::start(&args)];

    let mut apis = Vec::new();
    for process in &processes {
        let api = Api::new(&process.1);
        let response = api.sign_in(OWNER_EMAIL, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        let info: Value = response.json().await.unwrap();
        apis.push((api, organisation_of(&info)));
    }
    let org = apis[0].1;
    let c = customer(org, "Hooli Inc");
    let setup = apis[0]
        .0
        .push(
            new_client(),
            vec![save_settings(1, &issuing_settings(org)), upsert(2, &c)],
        )
        .await;
    assert!(
        setup
            .results
            .iter()
            .all(|r| r.status == MutationStatus::Applied)
    );

    let mut devices = Vec::new();
    for (api, _) in &apis {
        for _ in 0..DEVICES_PER_PROCESS {
            let (api, c) = (api.clone(), c.clone());
            devices.push(tokio::spawn(async move {
                let client = new_client();
                let mut applied = 0;
                for id in 1..=ISSUES_PER_DEVICE {
                    let (mutation, _) = issue(id, &draft(&c), NumberSource::Server);
                    let reply = api.push(client, vec![mutation]).await;
                    assert_eq!(reply.last_mutation_id, id);
                    applied += usize::from(reply.results[0].status == MutationStatus::Applied);
                }
                applied
            }));
        }
    }
    let mut per_process = [0; 2];
    for (i, device) in devices.into_iter().enumerate() {
        per_process[i / DEVICES_PER_PROCESS] += device.await.unwrap();
    }
    let total = 2 * DEVICES_PER_PROCESS * ISSUES_PER_DEVICE as usize;
    assert_eq!(
        per_process.iter().sum::<usize>(),
        total,
        "every issue applied"
    );
    assert!(
        per_process.iter().all(|n| *n > 0),
        "both processes issued: {per_process:?}"
    );

    let mut numbers: Vec<String> = pull_all(&apis[1].0, new_client())
        .await
        .into_iter()
        .filter_map(|op| match op {
            PatchOp::Put {
                record: Record::Invoice(invoice),
                ..
            } => Some(Invoice::clone(&invoice).number().to_string()),
            _ => None,
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=total).map(|n| format!("INV-2026-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

/// A write transaction that took change number n but has not committed holds back every later write of
/// its organisation, so a pull can never pass n and miss it for good: the held change arrives.
async fn a_change_committed_late_is_never_skipped_by_a_pull(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let puller = new_client();
    owner
        .push(new_client(), vec![upsert(1, &customer(org, "First"))])
        .await;

    let held_customer = customer(org, "Held");
    let mut held = app.store.write().await.unwrap();
    let n = changes::next_change_no(&mut held, org).await.unwrap();
    customers::upsert_customer(&mut held, &held_customer, n, 0)
        .await
        .unwrap();
    changes::insert_change(
        &mut held,
        org,
        &PatchOp::Put {
            change: n,
            record: Record::Customer(held_customer.clone()),
        },
    )
    .await
    .unwrap();

    let (writer, later) = (owner.clone(), customer(org, "Later"));
    let mut push =
        tokio::spawn(async move { writer.push(new_client(), vec![upsert(1, &later)]).await });
    let waited = tokio::time::timeout(std::time::Duration::from_millis(300), &mut push).await;
    assert!(waited.is_err(), "a later write waits for the held one");
    let first = owner.pull(puller, None, None).await;
    assert_eq!(
        first.cookie.0,
        n - 1,
        "the pull sees only what is committed"
    );

    held.commit().await.unwrap();
    let pushed = push.await.unwrap();
    assert_eq!(pushed.results[0].status, MutationStatus::Applied);
    let second = owner.pull(puller, Some(first.cookie.0), None).await;
    let names: Vec<String> = second
        .patch
        .iter()
        .filter_map(|op| match op {
            PatchOp::Put {
                record: Record::Customer(c),
                ..
            } => Some(c.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["Held", "Later"]);
}

on_both_backends!(two_processes_issue_one_gapless_series => two_processes_issue_one_gapless_series_sqlite, two_processes_issue_one_gapless_series_postgres);
on_both_backends!(a_change_committed_late_is_never_skipped_by_a_pull => a_change_committed_late_is_never_skipped_by_a_pull_sqlite, a_change_committed_late_is_never_skipped_by_a_pull_postgres);
