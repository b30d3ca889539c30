//! Organisations are walled off from each other; read-only users change nothing.

use remit_core::sync::{MutationErrorKind, MutationStatus};
use remit_server::auth::Role;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_backends;

async fn another_organisation_can_neither_read_nor_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, a_info) = app.set_up().await;
    let (b, b_info) = app
        .user("Other Org", "bob@other.example", Role::Owner)
        .await;
    let (org_a, org_b) = (organisation_of(&a_info), organisation_of(&b_info));
    assert_ne!(org_a, org_b);
    let a_client = new_client();
    let c = customer(org_a, "A's customer");
    let d = draft(&c);
    a.push(a_client, vec![upsert(1, &c), save(2, &d)]).await;

    let path = format!("/api/invoice-drafts/{}", d.id);
    assert_eq!(a.get(&path).await.status(), StatusCode::OK);
    let (code, body) = error_of(b.get(&path).await).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    assert_eq!(
        b.get("/api/customers")
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap(),
        serde_json::json!([])
    );

    // Writing into A's organisation by name…
    let b_client = new_client();
    let mut hijack = c.clone();
    hijack.name = "Stolen".into();
    let reply = b.push(b_client, vec![upsert(1, &hijack)]).await;
    assert_eq!(reply.results[0].status, MutationStatus::Rejected);
    let error = reply.results[0].error.as_ref().unwrap();
    assert_eq!(error.kind, MutationErrorKind::Forbidden);
    assert_eq!(error.field.as_deref(), Some("organisation_id"));
    // …or by reusing A's ids inside B's organisation.
    let mut collision = c.clone();
    collision.organisation_id = org_b;
    collision.name = "Stolen".into();
    let mut draft_collision = d.clone();
    draft_collision.organisation_id = org_b;
    let reply = b
        .push(
            b_client,
            vec![upsert(2, &collision), save(3, &draft_collision)],
        )
        .await;
    for result in &reply.results {
        assert_eq!(result.status, MutationStatus::Rejected);
        assert_eq!(
            result.error.as_ref().unwrap().kind,
            MutationErrorKind::Forbidden
        );
    }
    assert_eq!(reply.last_mutation_id, 3);
    let customers: serde_json::Value = a.get("/api/customers").await.json().await.unwrap();
    assert_eq!(customers[0]["name"], "A's customer");
    assert_eq!(customers[0]["organisation_id"], org_a.to_string());

    // B's pull shows none of A's changes.
    let pulled = b.pull(b_client, None, None).await;
    assert!(pulled.patch.is_empty());
    assert_eq!(pulled.last_mutation_id, 3);

    // A's device cannot be used from B's organisation.
    let (code, body) = error_of(b.push_raw(a_client, vec![upsert(3, &collision)]).await).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "forbidden");
    assert_eq!(
        b.pull_raw(a_client, None, None).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(a.pull(a_client, None, None).await.last_mutation_id, 2);
}
on_both_backends!(another_organisation_can_neither_read_nor_write => another_organisation_can_neither_read_nor_write_sqlite, another_organisation_can_neither_read_nor_write_postgres);

async fn a_read_only_user_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let seen = customer(org, "Visible");
    owner.push(new_client(), vec![upsert(1, &seen)]).await;
    let (reader, reader_info) = app
        .user("Acme GmbH", "auditor@acme.example", Role::ReadOnly)
        .await;
    assert_eq!(reader_info["user"]["role"], "read_only");
    assert_eq!(organisation_of(&reader_info), org);

    let client = new_client();
    let reply = reader
        .push(
            client,
            vec![upsert(1, &customer(org, "Sneaky")), upsert(2, &seen)],
        )
        .await;
    assert_eq!(reply.last_mutation_id, 2);
    for result in &reply.results {
        assert_eq!(result.status, MutationStatus::Rejected);
        assert_eq!(
            result.error.as_ref().unwrap().kind,
            MutationErrorKind::Forbidden
        );
    }
    assert_eq!(app.count("customers").await, 1);
    assert_eq!(app.count("changes").await, 1);
    // Reading is what the role is for.
    let pulled = reader.pull(client, None, None).await;
    assert_eq!(pulled.patch.len(), 1);
    assert_eq!(pulled.last_mutation_id, 2);
}
on_both_backends!(a_read_only_user_changes_nothing => a_read_only_user_changes_nothing_sqlite, a_read_only_user_changes_nothing_postgres);
