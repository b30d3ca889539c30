//! A stored row the server cannot read back fails the read that meets it with the store's corrupt
//! error: a body an upgrade left unreadable must surface, never vanish from a list.

use remit_core::settings::Settings;
use remit_core::sync::EntityKind;
use remit_server::store::{StoreError, changes, customers, drafts, invoices, records};

use crate::helpers::*;
use crate::on_both_backends;

/// A JSON body that is no record of any kind.
const UNREADABLE: &str = r#"{"written_by": "a build that never was"}"#;

/// Asserts that `read` failed because a stored `what` cannot be read back.
fn assert_corrupt<T: std::fmt::Debug>(read: Result<T, StoreError>, what: &str) {
    match read {
        Err(StoreError::Corrupt { what: found, .. }) => assert_eq!(found, what),
        other => panic!("expected a corrupt {what}, got {other:?}"),
    }
}

async fn a_row_that_does_not_read_back_fails_the_read_as_corrupt(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let acme = customer(org, "Acme");
    let kept = draft(&acme);
    let issued = draft(&acme);
    let invoice = new_id();
    let reply = owner
        .push(
            new_client(),
            vec![
                upsert(1, &acme),
                save(2, &kept),
                save(3, &issued),
                issue_numbered(4, invoice, &issued),
            ],
        )
        .await;
    assert_applied(&reply);

    let mut conn = app.store.read().await.unwrap();
    assert_eq!(
        customers::list_customers(&mut conn, org).await.unwrap(),
        vec![acme.clone()]
    );
    assert!(drafts::find_draft(&mut conn, org, kept.id).await.is_ok());
    let settings = records::list_records::<Settings>(&mut conn, org, EntityKind::Settings, None);
    assert_eq!(settings.await.unwrap().len(), 1);
    assert_eq!(
        invoices::list_invoices(&mut conn, org, None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        !changes::changes_after(&mut conn, org, 0, 100)
            .await
            .unwrap()
            .is_empty()
    );

    for sql in [
        "UPDATE customers SET body = $1 WHERE organisation_id = $2",
        "UPDATE invoice_drafts SET body = $1 WHERE organisation_id = $2",
        "UPDATE records SET body = $1 WHERE organisation_id = $2",
        "UPDATE invoices SET body = $1 WHERE organisation_id = $2",
        "UPDATE changes SET body = $1 WHERE organisation_id = $2 AND op = 'put'",
    ] {
        sqlx::query(sql)
            .bind(UNREADABLE)
            .bind(org.to_string())
            .execute(&mut *conn)
            .await
            .unwrap();
    }

    assert_corrupt(customers::list_customers(&mut conn, org).await, "customer");
    assert_corrupt(
        customers::find_customer(&mut conn, org, acme.id).await,
        "customer",
    );
    assert_corrupt(drafts::find_draft(&mut conn, org, kept.id).await, "draft");
    assert_corrupt(
        records::list_records::<Settings>(&mut conn, org, EntityKind::Settings, None).await,
        "record",
    );
    assert_corrupt(
        records::find_record::<Settings>(&mut conn, org, EntityKind::Settings, org.as_uuid()).await,
        "record",
    );
    assert_corrupt(
        invoices::list_invoices(&mut conn, org, None).await,
        "invoice",
    );
    assert_corrupt(
        invoices::find_invoice(&mut conn, org, invoice).await,
        "invoice",
    );
    assert_corrupt(
        changes::changes_after(&mut conn, org, 0, 100).await,
        "change",
    );
}
on_both_backends!(a_row_that_does_not_read_back_fails_the_read_as_corrupt =>
    a_row_that_does_not_read_back_fails_the_read_as_corrupt_sqlite,
    a_row_that_does_not_read_back_fails_the_read_as_corrupt_postgres);
