//! Pulling changes: in the organisation's order, page by page, each exactly once.

use remit_core::ids::CustomerId;
use remit_core::sync::{MutationStatus, PatchOp, Record};

use crate::helpers::*;
use crate::on_both_backends;

async fn pages_deliver_every_change_once_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let client = new_client();
    let customers: Vec<_> = (1..=23)
        .map(|i| customer(org, &format!("Customer {i:02}")))
        .collect();
    let mutations = customers
        .iter()
        .enumerate()
        .map(|(i, c)| upsert(i as u64 + 1, c))
        .collect();
    assert_eq!(owner.push(client, mutations).await.last_mutation_id, 23);

    let reader = new_client();
    let mut cookie = None;
    let mut pages = Vec::new();
    let mut seen: Vec<(u64, CustomerId)> = Vec::new();
    loop {
        let page = owner.pull(reader, cookie, Some(5)).await;
        assert!(page.patch.len() <= 5);
        assert_eq!(page.last_mutation_id, 0, "the reader pushed nothing");
        // Every page says the newest change, so a device can show how far it has come.
        assert_eq!(page.head, Some(23));
        for op in &page.patch {
            match op {
                PatchOp::Put {
                    change,
                    record: Record::Customer(c),
                } => seen.push((*change, c.id)),
                other => panic!("{other:?}"),
            }
        }
        pages.push(page.patch.len());
        cookie = Some(page.cookie.0);
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, [5, 5, 5, 5, 3]);
    let progress = owner
        .pull(reader, Some(10), Some(5))
        .await
        .progress(Some(remit_core::sync::Cookie(10)))
        .expect("the server says its newest change");
    assert_eq!((progress.so_far, progress.about), (5, 13));
    assert_eq!(cookie, Some(23));
    assert_eq!(
        seen,
        customers
            .iter()
            .enumerate()
            .map(|(i, c)| (i as u64 + 1, c.id))
            .collect::<Vec<_>>()
    );
    // The pusher's own pull reports its progress; an empty page keeps the cookie.
    let last = owner.pull(client, Some(23), Some(5)).await;
    assert!(last.patch.is_empty());
    assert_eq!(last.cookie.0, 23);
    assert_eq!(last.last_mutation_id, 23);
    assert!(!last.more);
    // A page exactly as large as what is left is the last one; one smaller is not.
    let exact = owner.pull(reader, None, Some(23)).await;
    assert_eq!((exact.patch.len(), exact.more), (23, false));
    let short = owner.pull(reader, None, Some(22)).await;
    assert_eq!(
        (short.patch.len(), short.more, short.cookie.0),
        (22, true, 22)
    );
    // Without a limit, one page of up to 500 holds everything.
    let all = owner.pull(reader, None, None).await;
    assert_eq!(all.patch.len(), 23);
    assert!(!all.more);
}
on_both_backends!(pages_deliver_every_change_once_in_order => pages_deliver_every_change_once_in_order_sqlite, pages_deliver_every_change_once_in_order_postgres);

async fn two_servers_on_one_database_number_changes_without_gaps(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let second = Api::new(&app.another_server().await);
    let response = second.sign_in(OWNER_EMAIL, PASSWORD).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);

    let batch = |n: usize| -> Vec<_> {
        (1..=n)
            .map(|i| upsert(i as u64, &customer(org, &format!("Customer {i}"))))
            .collect()
    };
    let (a, b) = (new_client(), new_client());
    let (first, second_reply) = tokio::join!(owner.push(a, batch(15)), second.push(b, batch(15)));
    for reply in [&first, &second_reply] {
        assert_eq!(reply.last_mutation_id, 15);
        assert!(
            reply
                .results
                .iter()
                .all(|r| r.status == MutationStatus::Applied)
        );
    }
    let pulled = owner.pull(new_client(), None, None).await;
    let changes: Vec<u64> = pulled.patch.iter().map(PatchOp::change).collect();
    assert_eq!(changes, (1..=30).collect::<Vec<_>>());
    assert_eq!(app.count("customers").await, 30);
}
on_both_backends!(two_servers_on_one_database_number_changes_without_gaps => two_servers_on_one_database_number_changes_without_gaps_sqlite, two_servers_on_one_database_number_changes_without_gaps_postgres);

/// A pull from the start serves each record at its latest change only: a device never holds a record's
/// older state between two pages, and a record changed five times travels once.
async fn a_pull_serves_each_record_at_its_latest_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let mut c = customer(org, "Name 1");
    let mut mutations = vec![upsert(1, &c)];
    for n in 2..=5 {
        c.name = format!("Name {n}");
        mutations.push(upsert(n, &c));
    }
    let other = customer(org, "Other");
    mutations.push(upsert(6, &other));
    owner.push(new_client(), mutations).await;

    let first = owner.pull(new_client(), None, Some(1)).await;
    let second = owner
        .pull(new_client(), Some(first.cookie.0), Some(1))
        .await;
    let names: Vec<String> = first
        .patch
        .iter()
        .chain(&second.patch)
        .filter_map(|op| match op {
            PatchOp::Put {
                record: Record::Customer(c),
                ..
            } => Some(c.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["Name 5", "Other"]);
    assert_eq!(first.cookie.0, 5, "the customer's latest change");
    assert!(!second.more);
}
on_both_backends!(a_pull_serves_each_record_at_its_latest_change => a_pull_serves_each_record_at_its_latest_change_sqlite, a_pull_serves_each_record_at_its_latest_change_postgres);
