//! Two devices editing one draft.

use remit_core::document::InvoiceDraft;
use remit_core::sync::{MutationErrorKind, MutationStatus, PatchOp, Record};

use crate::helpers::*;
use crate::on_both_backends;

async fn the_second_edit_from_the_same_base_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let (laptop, info) = app.set_up().await;
    let (phone, _) = app
        .user(
            "Acme GmbH",
            "billing@acme.example",
            remit_server::auth::Role::Billing,
        )
        .await;
    let (laptop_id, phone_id) = (new_client(), new_client());
    let c = customer(organisation_of(&info), "Hooli Inc");
    let d = draft(&c);
    laptop
        .push(laptop_id, vec![upsert(1, &c), save(2, &d)])
        .await;

    // The phone takes its copy from a pull: version 1.
    let pulled = phone.pull(phone_id, None, None).await;
    let base: InvoiceDraft = pulled
        .patch
        .iter()
        .find_map(|op| match op {
            PatchOp::Put {
                record: Record::InvoiceDraft(d),
                ..
            } => Some((**d).clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(base.version, 1);

    let laptop_edit = InvoiceDraft {
        note: "edited on the laptop".into(),
        ..base.clone()
    };
    let phone_edit = InvoiceDraft {
        note: "edited on the phone".into(),
        ..base.clone()
    };
    let first = laptop.push(laptop_id, vec![save(3, &laptop_edit)]).await;
    assert_eq!(first.results[0].status, MutationStatus::Applied);
    let second = phone.push(phone_id, vec![save(1, &phone_edit)]).await;
    assert_eq!(second.results[0].status, MutationStatus::Conflict);
    assert_eq!(
        second.results[0].error.as_ref().unwrap().kind,
        MutationErrorKind::Conflict
    );
    assert_eq!(
        second.last_mutation_id, 1,
        "a conflict is processed, not retried"
    );

    let view: serde_json::Value = phone
        .get(&format!("/api/invoice-drafts/{}", d.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["draft"]["note"], "edited on the laptop");
    assert_eq!(view["version"], 2);

    // The laptop's own queued edits from the same base keep applying.
    let again = InvoiceDraft {
        note: "laptop, offline edit".into(),
        ..base
    };
    let reply = laptop.push(laptop_id, vec![save(4, &again)]).await;
    assert_eq!(reply.results[0].status, MutationStatus::Applied);
    let view: serde_json::Value = laptop
        .get(&format!("/api/invoice-drafts/{}", d.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["draft"]["note"], "laptop, offline edit");
    assert_eq!(view["version"], 3);
    let conflicts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE status = 'conflict'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(conflicts, 1);
}
on_both_backends!(the_second_edit_from_the_same_base_is_a_conflict => the_second_edit_from_the_same_base_is_a_conflict_sqlite, the_second_edit_from_the_same_base_is_a_conflict_postgres);
