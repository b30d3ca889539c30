//! The IndexedDB store in a real browser: schema versions, the v1 → v2 migration, atomic local changes,
//! reopening, the outbox, settling conflicts, invoices issued offline, and the inbox's threads. Each test uses its own
//! database name.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use remit_app::store::issuing::IssuedInvoice;
use remit_app::store::outbox::{change_stores, stage, stage_with};
use remit_app::store::records::DraftRecord;
use remit_app::store::schema::VERSION;
use remit_app::store::{Store, from_js, to_js};
use remit_core::customer::Customer;
use remit_core::decide::issuing::{granted_lease, issue_offline};
use remit_core::document::issue::Address;
use remit_core::document::issued::{Invoice, IssueInvoice, NumberSource};
use remit_core::document::{InvoiceDraft, InvoiceLine};
use remit_core::fixtures;
use remit_core::ids::{CustomerId, InvoiceId, LeaseId, OrganisationId, UserId};
use remit_core::numbering::lease::{NumberLease, TakeLease};
use remit_core::organisation::{Member, Role, SessionInfo};
use remit_core::sync::merge::{DraftConflict, LinePick, Resolution, Side};
use remit_core::sync::{
    Command, Cookie, EntityKind, MutationError, MutationErrorKind, MutationResult, MutationStatus,
    PatchOp, PullResponse, PushResponse, Record,
};
use rust_decimal::Decimal;
use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ORG: &str = fixtures::ORGANISATION;

fn db_name(test: &str) -> String {
    format!("remit-test-{test}-{}", Uuid::now_v7())
}

fn session() -> SessionInfo {
    SessionInfo {
        user: Member {
            id: UserId::parse("019a4d5e-0000-7000-8000-0000000000a1").unwrap(),
            email: "berit@fjord.example".into(),
            name: "Berit Billing".into(),
            role: Role::Owner,
        },
        organisation: fixtures::organisation(),
    }
}

/// A new customer of the organisation, paying in NOK.
fn customer(name: &str) -> Customer {
    fixtures::customer(new_id(), fixtures::organisation_id(), name, "NOK")
}

/// A new draft for `customer` of one line, 1.5 × 0.35 at 19 %.
fn draft(customer: &Customer) -> InvoiceDraft {
    let audit = fixtures::line(
        "Site audit",
        Decimal::new(15, 1),
        Decimal::new(35, 2),
        Decimal::from(19),
    );
    fixtures::draft_for(new_id(), customer, vec![audit])
}

/// A new UUIDv7 id of any kind.
fn new_id<T: TryFrom<Uuid, Error: std::fmt::Debug>>() -> T {
    T::try_from(Uuid::now_v7()).unwrap()
}

async fn signed_in_store(name: &str) -> Store {
    let store = Store::open(name).await.unwrap();
    store.begin_session(&session()).await.unwrap().unwrap();
    store
}

fn store_names(db: &Database) -> Vec<String> {
    let mut names: Vec<String> = db.object_store_names().collect();
    names.sort();
    names
}

#[wasm_bindgen_test]
async fn a_fresh_database_opens_at_the_current_version_with_a_store_per_record_kind() {
    let store = Store::open(&db_name("fresh")).await.unwrap();
    let db = store.database();
    assert_eq!(db.version() as u32, VERSION);
    assert_eq!(
        store_names(db),
        vec![
            "conflicts",
            "credit_note",
            "customers",
            "dispute",
            "exception",
            "invoice",
            "invoice_drafts",
            "item",
            "mail",
            "meta",
            "number_lease",
            "outbox",
            "payment",
            "refund",
            "rejected",
            "settings",
            "thread",
            "thread_message",
        ]
    );
    assert!(store.customers().await.unwrap().is_empty());
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(store.signed_in_session().await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn a_version_1_database_keeps_its_drafts_in_invoice_drafts() {
    let name = db_name("upgrade");
    let acme = customer("Acme");
    let old_draft = draft(&acme);

    write_v1(&name, &acme, &[to_js(&old_draft).unwrap()]).await;

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.database().version() as u32, VERSION);
    assert!(!store_names(store.database()).contains(&"drafts".to_string()));
    let migrated = store.draft(old_draft.id).await.unwrap().unwrap();
    assert_eq!(migrated.draft, old_draft);
    assert_eq!(
        migrated.totals.unwrap().amount_due.amount().to_string(),
        "0.63"
    );
    assert_eq!(store.drafts_of(acme.id).await.unwrap().len(), 1);
    assert_eq!(store.customers().await.unwrap(), vec![acme]);
}

/// Version 1 exactly as the first release wrote it: three stores keyed by `id`, the bare draft JSON.
async fn write_v1(name: &str, customer: &Customer, drafts: &[JsValue]) {
    let v1 = Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db| {
            for store in ["customers", "drafts", "outbox"] {
                db.create_object_store(store)
                    .with_key_path("id".into())
                    .build()?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let tx = v1
        .transaction(["customers", "drafts"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    tx.object_store("customers")
        .unwrap()
        .put(to_js(customer).unwrap())
        .await
        .unwrap();
    for draft in drafts {
        tx.object_store("drafts")
            .unwrap()
            .put(draft.clone())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    v1.close();
}

#[wasm_bindgen_test]
async fn a_version_1_draft_this_build_cannot_read_is_kept_as_written_and_passed_over() {
    let name = db_name("upgrade-unreadable");
    let acme = customer("Acme");
    let readable = draft(&acme);
    let unreadable_id = new_invoice_id().to_string();
    let unreadable = serde_json::json!({
        "id": unreadable_id,
        "customer_id": acme.id,
        "lines": "no list of lines",
    });
    write_v1(
        &name,
        &acme,
        &[to_js(&readable).unwrap(), to_js(&unreadable).unwrap()],
    )
    .await;

    let store = Store::open(&name).await.unwrap();
    let kept = raw(&store, "invoice_drafts", &unreadable_id).await.unwrap();
    assert_eq!(kept["draft"], unreadable);
    assert_eq!(kept["kept_from_v1"], true);
    let ids = |drafts: Vec<DraftRecord>| drafts.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(store.drafts().await.unwrap()), vec![readable.id]);
    assert_eq!(
        ids(store.drafts_of(acme.id).await.unwrap()),
        vec![readable.id]
    );
    let opened = store
        .draft(InvoiceId::parse(&unreadable_id).unwrap())
        .await
        .unwrap_err();
    assert!(
        opened.to_string().contains(&format!(
            "invoice_drafts row {unreadable_id} was kept from version 1"
        )),
        "{opened}"
    );
}

/// Writes `row` into the store named `name` as it is, past the app's own writes.
async fn put_raw(store: &Store, name: &str, row: &serde_json::Value) {
    let tx = store
        .database()
        .transaction(name)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    tx.object_store(name)
        .unwrap()
        .put(to_js(row).unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[wasm_bindgen_test]
async fn a_row_this_build_cannot_read_fails_the_read_naming_its_store_and_key() {
    let store = signed_in_store(&db_name("corrupt")).await;
    let acme = customer("Acme");
    let saved = draft(&acme);
    store
        .record(&Command::UpsertCustomer(acme.clone()))
        .await
        .unwrap();
    store
        .record(&Command::SaveDraft(saved.clone()))
        .await
        .unwrap();
    assert_eq!(store.customers().await.unwrap(), vec![acme.clone()]);

    // A customer without a currency, and a draft whose lines are no list: what a faulty upgrade leaves.
    let broken_customer = new_id::<CustomerId>().to_string();
    put_raw(
        &store,
        "customers",
        &serde_json::json!({ "id": broken_customer, "name": "Broken" }),
    )
    .await;
    let error = store.customers().await.unwrap_err().to_string();
    assert!(
        error.contains(&format!("customers row {broken_customer} is corrupt")),
        "{error}"
    );

    let mut broken_draft = serde_json::to_value(DraftRecord::new(saved.clone())).unwrap();
    broken_draft["draft"]["lines"] = serde_json::json!("no list of lines");
    put_raw(&store, "invoice_drafts", &broken_draft).await;
    let named = format!("invoice_drafts row {} is corrupt", saved.id);
    for error in [
        store.drafts().await.unwrap_err(),
        store.drafts_of(acme.id).await.unwrap_err(),
        store.draft(saved.id).await.unwrap_err(),
    ] {
        assert!(error.to_string().contains(&named), "{error}");
    }
}

#[wasm_bindgen_test]
async fn a_draft_and_its_mutation_are_stored_together() {
    let name = db_name("atomic");
    let store = signed_in_store(&name).await;
    let acme = customer("Acme");
    let saved = draft(&acme);

    let mutation = store
        .record(&Command::SaveDraft(saved.clone()))
        .await
        .unwrap();
    assert_eq!(mutation.id, 1);
    assert_eq!(store.draft(saved.id).await.unwrap().unwrap().draft, saved);
    assert_eq!(store.outbox().await.unwrap(), vec![mutation]);
    assert_eq!(
        store.sync_state().await.unwrap().unwrap().next_mutation_id,
        2
    );
}

#[wasm_bindgen_test]
async fn an_aborted_change_stores_neither_record_nor_mutation() {
    let store = signed_in_store(&db_name("abort")).await;
    let acme = customer("Acme");
    let lost = draft(&acme);

    let tx = store
        .database()
        .transaction(change_stores())
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    stage(&tx, &Command::SaveDraft(lost.clone())).await.unwrap();
    tx.abort().await.unwrap();

    assert_eq!(store.draft(lost.id).await.unwrap(), None);
    assert!(store.outbox().await.unwrap().is_empty());
    assert_eq!(
        store.sync_state().await.unwrap().unwrap().next_mutation_id,
        1
    );
}

#[wasm_bindgen_test]
async fn everything_is_there_after_reopening() {
    let name = db_name("reopen");
    let store = signed_in_store(&name).await;
    let acme = customer("Acme");
    let saved = draft(&acme);
    store
        .record(&Command::UpsertCustomer(acme.clone()))
        .await
        .unwrap();
    store
        .record(&Command::SaveDraft(saved.clone()))
        .await
        .unwrap();
    store.close();

    let again = Store::open(&name).await.unwrap();
    assert_eq!(again.signed_in_session().await.unwrap(), Some(session()));
    assert_eq!(again.customers().await.unwrap(), vec![acme]);
    let drafts = again.drafts().await.unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].draft, saved);
    assert_eq!(again.outbox_len().await.unwrap(), 2);
}

#[wasm_bindgen_test]
async fn the_outbox_keeps_mutation_order_and_loses_what_the_server_processed() {
    let store = signed_in_store(&db_name("outbox")).await;
    for name in ["A", "B", "C", "D"] {
        store
            .record(&Command::UpsertCustomer(customer(name)))
            .await
            .unwrap();
    }
    let outbox = store.outbox().await.unwrap();
    assert_eq!(
        outbox.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );

    let sync = store.sync_state().await.unwrap().unwrap();
    let sent = sync.push_request(&outbox, 2).unwrap();
    let reply = PushResponse {
        last_mutation_id: 2,
        results: vec![],
    };
    let outcome = store.apply_push(&sent, &reply).await.unwrap();
    assert_eq!(outcome.done, vec![1, 2]);
    assert_eq!(
        store
            .outbox()
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert_eq!(store.outbox_len().await.unwrap(), 2);
    let sync = store.sync_state().await.unwrap().unwrap();
    assert_eq!(sync.last_mutation_id, 2);
    assert_eq!(
        sync.push_request(&store.outbox().await.unwrap(), 100)
            .unwrap()
            .mutations[0]
            .id,
        3
    );
}

#[wasm_bindgen_test]
async fn another_account_cannot_take_over_pending_changes() {
    let store = signed_in_store(&db_name("accounts")).await;
    store
        .record(&Command::UpsertCustomer(customer("Acme")))
        .await
        .unwrap();
    let mut other = session();
    other.user.id = UserId::parse("019a4d5e-0000-7000-8000-0000000000a2").unwrap();
    other.user.email = "ola@fjord.example".into();
    let blocked = store.begin_session(&other).await.unwrap().unwrap_err();
    assert_eq!(blocked.email, "berit@fjord.example");
    assert_eq!(blocked.pending, 1);
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    assert_eq!(store.signed_in_session().await.unwrap(), Some(session()));
}

#[wasm_bindgen_test]
async fn a_push_reply_keeps_refused_changes_and_conflicting_drafts() {
    let store = signed_in_store(&db_name("refused")).await;
    let acme = customer("Acme");
    let mine = draft(&acme);
    store
        .record(&Command::UpsertCustomer(acme.clone()))
        .await
        .unwrap();
    store
        .record(&Command::SaveDraft(mine.clone()))
        .await
        .unwrap();
    let outbox = store.outbox().await.unwrap();
    let sent = store
        .sync_state()
        .await
        .unwrap()
        .unwrap()
        .push_request(&outbox, 100)
        .unwrap();
    let failure = |kind, message: &str| {
        Some(MutationError {
            kind,
            field: None,
            message: message.into(),
        })
    };
    let reply = PushResponse {
        last_mutation_id: 2,
        results: vec![
            MutationResult {
                id: 1,
                status: MutationStatus::Rejected,
                error: failure(MutationErrorKind::Forbidden, "read-only"),
            },
            MutationResult {
                id: 2,
                status: MutationStatus::Conflict,
                error: failure(MutationErrorKind::Conflict, "changed on another device"),
            },
        ],
    };
    store.apply_push(&sent, &reply).await.unwrap();

    assert_eq!(store.outbox_len().await.unwrap(), 0);
    let rejected = store.rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].mutation, outbox[0]);
    let conflicts = store.conflicts().await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].id, mine.id.as_uuid());
    assert_eq!(conflicts[0].draft.as_ref(), Some(&mine));

    store.dismiss_rejected(1).await.unwrap();
    assert!(store.rejected().await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_pulled_page_never_overwrites_a_pending_local_change() {
    let store = signed_in_store(&db_name("pull")).await;
    let mine = customer("Mine");
    store
        .record(&Command::UpsertCustomer(mine.clone()))
        .await
        .unwrap();
    let theirs = Customer {
        name: "Theirs".into(),
        ..mine.clone()
    };
    let other = customer("Other");
    let page = |cookie, last_mutation_id, patch| PullResponse {
        cookie: Cookie(cookie),
        last_mutation_id,
        patch,
        more: false,
        head: None,
    };

    let plan = store
        .apply_pull(page(
            2,
            0,
            vec![
                PatchOp::Put {
                    change: 1,
                    record: Record::Customer(theirs),
                },
                PatchOp::Put {
                    change: 2,
                    record: Record::Customer(other.clone()),
                },
            ],
        ))
        .await
        .unwrap();
    assert!(!plan.more);
    let mut names: Vec<String> = store
        .customers()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    assert_eq!(names, vec!["Mine", "Other"]);
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    assert_eq!(
        store.sync_state().await.unwrap().unwrap().cookie,
        Some(Cookie(2))
    );

    // The server has processed mutation 1: the next page confirms it and the outbox empties.
    store.apply_pull(page(3, 1, vec![])).await.unwrap();
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(store.customer(mine.id).await.unwrap(), Some(mine));
}

/// `mine` is saved here and its push loses to another device's save; the pull after it brings `theirs`
/// (`None`: the other device deleted the draft).
async fn lost_race(store: &Store, mine: &InvoiceDraft, theirs: Option<&InvoiceDraft>) {
    store
        .record(&Command::SaveDraft(mine.clone()))
        .await
        .unwrap();
    let outbox = store.outbox().await.unwrap();
    let sent = store
        .sync_state()
        .await
        .unwrap()
        .unwrap()
        .push_request(&outbox, 100)
        .unwrap();
    let last = sent.mutations.last().unwrap().id;
    let reply = PushResponse {
        last_mutation_id: last,
        results: vec![MutationResult {
            id: last,
            status: MutationStatus::Conflict,
            error: None,
        }],
    };
    store.apply_push(&sent, &reply).await.unwrap();
    let op = match theirs {
        Some(theirs) => PatchOp::Put {
            change: 5,
            record: Record::InvoiceDraft(Box::new(theirs.clone())),
        },
        None => PatchOp::Del {
            change: 5,
            entity: EntityKind::InvoiceDraft,
            id: mine.id.as_uuid(),
        },
    };
    store
        .apply_pull(PullResponse {
            cookie: Cookie(5),
            last_mutation_id: last,
            patch: vec![op],
            more: false,
            head: None,
        })
        .await
        .unwrap();
}

/// One of something at `unit_price`, at 25 %.
fn line(description: &str, unit_price: i64) -> InvoiceLine {
    fixtures::line(
        description,
        Decimal::ONE,
        Decimal::from(unit_price),
        Decimal::from(25),
    )
}

#[wasm_bindgen_test]
async fn a_merge_is_stored_with_its_mutation_and_the_conflict_is_gone() {
    let store = signed_in_store(&db_name("merge")).await;
    let acme = customer("Acme");
    let base = InvoiceDraft {
        version: 1,
        lines: vec![line("Audit", 100), line("Travel", 40)],
        ..draft(&acme)
    };
    let mine = InvoiceDraft {
        lines: vec![line("Audit", 100), line("Travel", 45), line("Report", 60)],
        ..base.clone()
    };
    let theirs = InvoiceDraft {
        version: 2,
        lines: vec![line("Audit", 120), line("Travel", 40)],
        ..base
    };
    lost_race(&store, &mine, Some(&theirs)).await;

    let held = store.conflict(mine.id.as_uuid()).await.unwrap().unwrap();
    assert_eq!(held.conflict.draft.as_ref(), Some(&mine));
    assert_eq!(held.stored.as_ref().map(|r| &r.draft), Some(&theirs));
    let conflict = DraftConflict::new(Some(&mine), Some(&theirs));
    let pick = |side, index| LinePick { side, index };
    let merge = Resolution::Merge {
        header: Side::Theirs,
        lines: vec![
            pick(Side::Theirs, 0),
            pick(Side::Mine, 1),
            pick(Side::Mine, 2),
        ],
    };
    let change = conflict.settle(&merge).unwrap();
    let mutation = store
        .settle_conflict(mine.id.as_uuid(), change.as_ref())
        .await
        .unwrap()
        .unwrap();

    assert_eq!(mutation.id, 2);
    assert_eq!(store.outbox().await.unwrap(), vec![mutation.clone()]);
    let Ok(Command::SaveDraft(queued)) = Command::decode(&mutation) else {
        panic!("a merge queues a draft save");
    };
    let stored = store.draft(mine.id).await.unwrap().unwrap();
    assert_eq!(stored.draft, queued);
    assert_eq!(stored.draft.version, 2);
    let prices: Vec<String> = stored
        .draft
        .lines
        .iter()
        .map(|l| l.unit_price.to_string())
        .collect();
    assert_eq!(prices, vec!["120", "45", "60"]);
    // 225.00 net, 25 % VAT: the totals stored beside the draft are core's.
    assert_eq!(
        stored.totals.unwrap().amount_due.amount().to_string(),
        "281.25"
    );
    assert!(store.conflicts().await.unwrap().is_empty());
    assert!(store.conflict(mine.id.as_uuid()).await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn taking_theirs_queues_nothing_and_a_conflict_is_settled_once() {
    let store = signed_in_store(&db_name("take-theirs")).await;
    let acme = customer("Acme");
    let mine = InvoiceDraft {
        version: 1,
        ..draft(&acme)
    };
    let theirs = InvoiceDraft {
        version: 2,
        note: "theirs".into(),
        ..mine.clone()
    };
    lost_race(&store, &mine, Some(&theirs)).await;

    let change = DraftConflict::new(Some(&mine), Some(&theirs))
        .settle(&Resolution::TakeTheirs)
        .unwrap();
    assert_eq!(change, None);
    let id = mine.id.as_uuid();
    assert_eq!(store.settle_conflict(id, None).await.unwrap(), None);
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(store.draft(mine.id).await.unwrap().unwrap().draft, theirs);
    assert!(store.conflicts().await.unwrap().is_empty());

    // A second tab settling the same conflict stores nothing.
    let again = Command::SaveDraft(theirs.clone());
    assert!(store.settle_conflict(id, Some(&again)).await.is_err());
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(
        store.sync_state().await.unwrap().unwrap().next_mutation_id,
        2
    );
}

#[wasm_bindgen_test]
async fn a_draft_deleted_elsewhere_is_restored_as_new() {
    let store = signed_in_store(&db_name("restore")).await;
    let acme = customer("Acme");
    let mine = InvoiceDraft {
        version: 3,
        ..draft(&acme)
    };
    lost_race(&store, &mine, None).await;

    let held = store.conflict(mine.id.as_uuid()).await.unwrap().unwrap();
    assert_eq!(held.stored, None);
    let conflict = DraftConflict::new(held.conflict.draft.as_ref(), None);
    let change = conflict.settle(&Resolution::KeepMine).unwrap();
    store
        .settle_conflict(mine.id.as_uuid(), change.as_ref())
        .await
        .unwrap();

    let restored = store.draft(mine.id).await.unwrap().unwrap().draft;
    assert_eq!(restored.version, 0);
    assert_eq!(restored.lines, mine.lines);
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    assert!(store.conflicts().await.unwrap().is_empty());
}

/// Reads the raw JSON of a record in the store named `store`.
async fn raw(store: &Store, name: &str, id: &str) -> Option<serde_json::Value> {
    let tx = store
        .database()
        .transaction(name)
        .with_mode(TransactionMode::Readonly)
        .build()
        .unwrap();
    let value: Option<wasm_bindgen::JsValue> =
        tx.object_store(name).unwrap().get(id).await.unwrap();
    value.map(|v| from_js(&v).unwrap())
}

#[wasm_bindgen_test]
async fn protocol_2_records_land_in_their_own_stores_and_settings_save_locally_at_once() {
    use remit_core::settings::Settings;

    let store = signed_in_store(&db_name("records-v3")).await;
    let org = OrganisationId::parse(ORG).unwrap();
    let mut settings = Settings::initial(org, "Acme GmbH");
    settings.period_locked_until = Some("2026-10-31".parse().unwrap());
    store
        .record(&Command::SaveSettings(settings.clone()))
        .await
        .unwrap();
    let local = raw(&store, "settings", ORG).await.unwrap();
    assert_eq!(local["period_locked_until"], "2026-10-31");
    assert_eq!(local["invoice_series"]["prefix"], "INV");

    let payment_id = "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4ed1";
    let payment: remit_core::receivables::payment::Payment =
        serde_json::from_value(serde_json::json!({
            "id": payment_id, "organisation_id": ORG,
            "customer_id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f",
            "amount": { "amount": "10.00", "currency": "EUR" },
            "received_on": "2026-11-27", "method": "bank_transfer", "reference": "",
            "instruction": { "kind": "oldest_due_first" },
            "allocation": { "lines": [], "unapplied": { "amount": "10.00", "currency": "EUR" } }
        }))
        .unwrap();
    store
        .apply_pull(PullResponse {
            cookie: Cookie(2),
            last_mutation_id: 1,
            patch: vec![PatchOp::Put {
                change: 2,
                record: Record::Payment(payment),
            }],
            more: false,
            head: None,
        })
        .await
        .unwrap();
    let pulled = raw(&store, "payment", payment_id).await.unwrap();
    assert_eq!(pulled["allocation"]["unapplied"]["amount"], "10.00");
    assert_eq!(store.outbox_len().await.unwrap(), 0);
}

/// A device ready to issue offline, as a pull leaves it: settings whose seller can be printed, the
/// customer, and a lease of this device's series `L1` with two numbers.
/// An invoice for `acme` issued on this device from a fresh draft, under a number of its lease.
async fn issue_for(store: &Store, acme: &Customer) -> Invoice {
    store
        .issue_offline(new_invoice_id(), draft(acme), &session().organisation)
        .await
        .unwrap()
        .unwrap()
}

async fn ready_to_issue(store: &Store, acme: &Customer) -> NumberLease {
    let org = fixtures::organisation_id();
    let seller = Address {
        country: "NO".into(),
        ..Address::default()
    };
    let settings = fixtures::settings_with_seller(org, "Fjord Consulting AS", seller);
    let client = store.sync_state().await.unwrap().unwrap().client_id;
    let take = TakeLease {
        id: LeaseId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: org,
        count: 2,
    };
    let lease = granted_lease(&take, &settings, client, "L1", 0).unwrap();
    let records = [
        Record::Settings(Box::new(settings)),
        Record::Customer(acme.clone()),
        Record::NumberLease(lease.clone()),
    ];
    store
        .apply_pull(PullResponse {
            cookie: Cookie(3),
            last_mutation_id: 0,
            patch: records
                .into_iter()
                .zip(1..)
                .map(|(record, change)| PatchOp::Put { change, record })
                .collect(),
            more: false,
            head: None,
        })
        .await
        .unwrap();
    lease
}

fn new_invoice_id() -> InvoiceId {
    InvoiceId::try_from(Uuid::now_v7()).unwrap()
}

#[wasm_bindgen_test]
async fn an_invoice_issued_offline_is_stored_with_its_mutation_in_one_transaction() {
    let store = signed_in_store(&db_name("issue-offline")).await;
    let acme = customer("Acme");
    let lease = ready_to_issue(&store, &acme).await;
    let saved = draft(&acme);
    store
        .record(&Command::SaveDraft(saved.clone()))
        .await
        .unwrap();

    // Staged and aborted: neither the invoice nor its mutation, and the draft is still a draft.
    let stock = store.lease_stock().await.unwrap();
    let settings = stock.settings.clone().unwrap();
    let (issue, invoice) = issue_offline(
        new_invoice_id(),
        saved.clone(),
        &settings,
        &acme,
        stock.client,
        &stock.leases,
        &stock.used,
    )
    .unwrap();
    let tx = store
        .database()
        .transaction(change_stores())
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let provisional = Record::Invoice(Box::new(invoice));
    stage_with(&tx, &Command::IssueInvoice(issue), Some(&provisional))
        .await
        .unwrap();
    tx.abort().await.unwrap();
    assert!(all_issued(&store).await.is_empty());
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    assert!(store.draft(saved.id).await.unwrap().is_some());

    let organisation = session().organisation;
    let first = store
        .issue_offline(new_invoice_id(), saved.clone(), &organisation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.number().as_str(), "INV-L1-000001");
    assert_eq!(first.lease_id, Some(lease.id));
    assert_eq!(store.draft(saved.id).await.unwrap(), None);
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 2);
    let Ok(Command::IssueInvoice(queued)) = Command::decode(&outbox[1]) else {
        panic!("an offline issue queues invoice.issue");
    };
    assert_eq!(queued.invoice_id, first.id);
    assert_eq!(
        queued.number,
        NumberSource::Leased {
            lease_id: lease.id,
            number: first.number().clone(),
        }
    );
    assert_eq!(
        all_issued(&store).await,
        vec![IssuedInvoice::Numbered {
            invoice: Box::new(first.clone()),
            awaiting_sync: true,
        }]
    );
    // 1.5 × 0.35 = 0.525 → 0.53; 19 % VAT = 0.10: the totals core froze.
    assert_eq!(
        first.snapshot.totals.amount_due.amount().to_string(),
        "0.63"
    );

    let second = store
        .issue_offline(new_invoice_id(), draft(&acme), &organisation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.number().as_str(), "INV-L1-000002");
    // The lease is used up: refused, and nothing is stored.
    let refused = store
        .issue_offline(new_invoice_id(), draft(&acme), &organisation)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("number"));
    assert_eq!(store.outbox_len().await.unwrap(), 3);
    assert_eq!(all_issued(&store).await.len(), 2);
}

#[wasm_bindgen_test]
async fn the_servers_invoice_replaces_the_provisional_one_when_pulled() {
    let store = signed_in_store(&db_name("issue-pulled")).await;
    let acme = customer("Acme");
    ready_to_issue(&store, &acme).await;
    let invoice = issue_for(&store, &acme).await;

    let server = Invoice {
        digest: "recorded by the server".into(),
        ..invoice.clone()
    };
    let page = |cookie, last_mutation_id| PullResponse {
        cookie: Cookie(cookie),
        last_mutation_id,
        patch: vec![PatchOp::Put {
            change: cookie,
            record: Record::Invoice(Box::new(server.clone())),
        }],
        more: false,
        head: None,
    };
    // A pull while the issue is still pending keeps the device's copy.
    let plan = store.apply_pull(page(4, 0)).await.unwrap();
    assert_eq!(
        plan.kept_local,
        vec![(EntityKind::Invoice, invoice.id.as_uuid())]
    );
    assert_eq!(
        store.issued_invoice(invoice.id).await.unwrap(),
        Some(IssuedInvoice::Numbered {
            invoice: Box::new(invoice.clone()),
            awaiting_sync: true,
        })
    );

    // Once the server has processed the issue, its copy is stored and nothing waits any more.
    store.apply_pull(page(5, 1)).await.unwrap();
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(
        store.issued_invoice(invoice.id).await.unwrap(),
        Some(IssuedInvoice::Numbered {
            invoice: Box::new(server),
            awaiting_sync: false,
        })
    );
}

#[wasm_bindgen_test]
async fn a_refused_offline_issue_leaves_no_invoice_and_a_server_issue_waits_for_its_number() {
    let store = signed_in_store(&db_name("issue-refused")).await;
    let acme = customer("Acme");
    ready_to_issue(&store, &acme).await;
    let invoice = issue_for(&store, &acme).await;
    let by_server = IssueInvoice {
        invoice_id: new_invoice_id(),
        draft: draft(&acme),
        number: NumberSource::Server,
    };
    store
        .record(&Command::IssueInvoice(by_server.clone()))
        .await
        .unwrap();
    let listed = all_issued(&store).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[0],
        IssuedInvoice::AwaitingNumber(Box::new(by_server.clone()))
    );

    let outbox = store.outbox().await.unwrap();
    let sent = store
        .sync_state()
        .await
        .unwrap()
        .unwrap()
        .push_request(&outbox, 100)
        .unwrap();
    let result = |id, status| MutationResult {
        id,
        status,
        error: None,
    };
    let reply = PushResponse {
        last_mutation_id: 2,
        results: vec![
            result(1, MutationStatus::Rejected),
            result(2, MutationStatus::Applied),
        ],
    };
    let outcome = store.apply_push(&sent, &reply).await.unwrap();
    assert_eq!(
        outcome.discard,
        vec![(EntityKind::Invoice, invoice.id.as_uuid())]
    );
    assert_eq!(store.issued_invoice(invoice.id).await.unwrap(), None);
    assert_eq!(store.rejected().await.unwrap().len(), 1);
}

#[wasm_bindgen_test]
async fn an_invoices_payments_are_pending_until_the_servers_record_with_its_allocation_is_pulled() {
    use remit_core::receivables::payment::RecordPayment;

    let store = signed_in_store(&db_name("payments")).await;
    let invoice = new_invoice_id();
    let other = new_invoice_id();
    let payment_id = Uuid::now_v7().to_string();
    let record: RecordPayment = serde_json::from_value(serde_json::json!({
        "id": payment_id, "organisation_id": ORG,
        "customer_id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f",
        "amount": { "amount": "3562.50", "currency": "NOK" },
        "received_on": "2026-11-27", "method": "bank_transfer", "reference": "RF18",
        "instruction": { "kind": "named", "invoices": [invoice.to_string()] }
    }))
    .unwrap();
    store
        .record(&Command::RecordPayment(record.clone()))
        .await
        .unwrap();

    // Recorded here: pending for its invoice only, and nothing in the `payment` store yet.
    let mine = store.payments_for_invoice(invoice).await.unwrap();
    assert_eq!(mine.pending, vec![record.clone()]);
    assert!(mine.recorded.is_empty());
    assert_eq!(
        store.payments_for_invoice(other).await.unwrap(),
        Default::default()
    );

    // The server's record, pulled after it processed the mutation, with the allocation it decided.
    let payment = nok_payment(&payment_id, invoice);
    store
        .apply_pull(PullResponse {
            cookie: Cookie(2),
            last_mutation_id: 1,
            patch: vec![PatchOp::Put {
                change: 2,
                record: Record::Payment(payment.clone()),
            }],
            more: false,
            head: None,
        })
        .await
        .unwrap();
    let mine = store.payments_for_invoice(invoice).await.unwrap();
    assert!(mine.pending.is_empty());
    assert_eq!(mine.recorded, vec![payment.clone()]);
    let applied: Vec<_> = payment.applied_to(invoice).collect();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0].amount.amount().to_string(), "3562.50");
    assert_eq!(payment.applied_to(other).count(), 0);
    assert!(
        store
            .payments_for_invoice(other)
            .await
            .unwrap()
            .recorded
            .is_empty()
    );
}

/// The server's record of a payment of 3,562.50 NOK applied to `invoice`, as a pull carries it.
fn nok_payment(payment_id: &str, invoice: InvoiceId) -> remit_core::receivables::payment::Payment {
    serde_json::from_value(serde_json::json!({
        "id": payment_id, "organisation_id": ORG,
        "customer_id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f",
        "amount": { "amount": "3562.50", "currency": "NOK" },
        "received_on": "2026-11-27", "method": "bank_transfer", "reference": "RF18",
        "instruction": { "kind": "named", "invoices": [invoice.to_string()] },
        "allocation": {
            "lines": [{
                "item": { "invoice_id": invoice.to_string(), "instalment": 0 },
                "amount": { "amount": "3562.50", "currency": "NOK" },
                "discount": { "amount": "0.00", "currency": "NOK" }
            }],
            "unapplied": { "amount": "0.00", "currency": "NOK" }
        }
    }))
    .unwrap()
}

#[wasm_bindgen_test]
async fn refunds_of_an_invoices_payments_are_pending_until_the_servers_record_is_pulled() {
    use remit_core::ids::{PaymentId, RefundId};
    use remit_core::receivables::payment::RefundPayment;

    let store = signed_in_store(&db_name("refunds")).await;
    let invoice = new_invoice_id();
    let payment_id = Uuid::now_v7().to_string();
    store
        .apply_pull(PullResponse {
            cookie: Cookie(1),
            last_mutation_id: 0,
            patch: vec![PatchOp::Put {
                change: 1,
                record: Record::Payment(nok_payment(&payment_id, invoice)),
            }],
            more: false,
            head: None,
        })
        .await
        .unwrap();
    // A refund of that payment: awaiting sync on this device, then as the server recorded it. A refund
    // of a payment of another invoice is not this invoice's.
    let refund: RefundPayment = serde_json::from_value(serde_json::json!({
        "id": Uuid::now_v7().to_string(), "organisation_id": ORG,
        "customer_id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f", "payment_id": payment_id,
        "amount": { "amount": "100.00", "currency": "NOK" },
        "paid_on": "2026-11-30", "method": "card", "reference": "card refund"
    }))
    .unwrap();
    let elsewhere = RefundPayment {
        id: RefundId::try_from(Uuid::now_v7()).unwrap(),
        payment_id: Some(PaymentId::try_from(Uuid::now_v7()).unwrap()),
        ..refund.clone()
    };
    for r in [&refund, &elsewhere] {
        store
            .record(&Command::RefundPayment(r.clone()))
            .await
            .unwrap();
    }
    let mine = store.payments_for_invoice(invoice).await.unwrap();
    assert_eq!(mine.pending_refunds, vec![refund.clone()]);
    assert!(mine.refunds.is_empty());
    store
        .apply_pull(PullResponse {
            cookie: Cookie(2),
            last_mutation_id: 1,
            patch: vec![PatchOp::Put {
                change: 2,
                record: Record::Refund(refund.clone()),
            }],
            more: false,
            head: None,
        })
        .await
        .unwrap();
    let mine = store.payments_for_invoice(invoice).await.unwrap();
    assert!(mine.pending_refunds.is_empty());
    assert_eq!(mine.refunds, vec![refund]);
}

#[wasm_bindgen_test]
async fn a_credit_note_waits_for_its_number_until_the_servers_record_is_pulled() {
    use remit_app::store::credit_notes::{IssuedCreditNote, issued_here};
    use remit_core::decide::issuing::credit_note;
    use remit_core::document::issue::CreditScope;
    use remit_core::document::issued::IssueCreditNote;
    use remit_core::ids::CreditNoteId;

    let store = signed_in_store(&db_name("credit-notes")).await;
    let acme = customer("Acme");
    ready_to_issue(&store, &acme).await;
    let invoice = issue_for(&store, &acme).await;
    let other = issue_for(&store, &acme).await;
    let settings = store.lease_stock().await.unwrap().settings.unwrap();
    let credit = |quantity: Decimal| IssueCreditNote {
        credit_note_id: CreditNoteId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: invoice.organisation_id,
        invoice_id: invoice.id,
        issue_date: invoice.snapshot.issue_date,
        scope: CreditScope::Lines(vec![(0, quantity)]),
        note: String::new(),
    };
    // 1 of the 1.5 invoiced, then the 0.5 left: both wait for the server's number.
    let first = credit(Decimal::ONE);
    let rest = credit(Decimal::new(5, 1));
    for request in [&first, &rest] {
        store
            .record(&Command::IssueCreditNote(request.clone()))
            .await
            .unwrap();
    }
    let listed = store.credit_notes_of(invoice.id).await.unwrap();
    assert_eq!(
        listed,
        vec![
            IssuedCreditNote::AwaitingNumber(Box::new(first.clone())),
            IssuedCreditNote::AwaitingNumber(Box::new(rest.clone())),
        ]
    );
    assert!(store.credit_notes_of(other.id).await.unwrap().is_empty());
    // Core takes each after those before it: together they credit the whole line, nothing is left.
    let here = issued_here(&invoice, &listed, &settings);
    assert_eq!(here.len(), 2);
    let earlier: Vec<_> = here.iter().map(|n| n.snapshot.clone()).collect();
    assert_eq!(invoice.snapshot.creditable(&earlier), vec![Decimal::ZERO]);
    // A third credit of the same line is refused here: nothing is left of it.
    let third = credit(Decimal::new(1, 1));
    assert!(credit_note(&third, &invoice, &here, &settings, None).is_err());

    // The server processed the invoices and the first credit note and numbered it: its record replaces
    // the pending one; the second still waits.
    let numbered = credit_note(&first, &invoice, &[], &settings, None).unwrap();
    store
        .apply_pull(PullResponse {
            cookie: Cookie(10),
            last_mutation_id: 3,
            patch: vec![PatchOp::Put {
                change: 10,
                record: Record::CreditNote(Box::new(numbered.clone())),
            }],
            more: false,
            head: None,
        })
        .await
        .unwrap();
    // What the numbered credit note credits is no longer open on the invoice; the other keeps its own.
    let payments = store.payments_for_invoice(invoice.id).await.unwrap();
    assert_eq!(payments.credited, vec![numbered.clone()]);
    let open = payments.balance(&invoice).unwrap().open().unwrap();
    let issued = remit_core::receivables::balance::InvoiceBalance::of(&invoice, &[], &[], &[])
        .unwrap()
        .open()
        .unwrap();
    assert_eq!(
        issued.checked_sub(open).unwrap(),
        numbered.snapshot.totals.amount_due
    );
    assert!(
        store
            .payments_for_invoice(other.id)
            .await
            .unwrap()
            .credited
            .is_empty()
    );
    assert_eq!(
        store.credit_note(first.credit_note_id).await.unwrap(),
        Some(IssuedCreditNote::Numbered(Box::new(numbered)))
    );
    assert_eq!(
        store.credit_note(rest.credit_note_id).await.unwrap(),
        Some(IssuedCreditNote::AwaitingNumber(Box::new(rest)))
    );
    assert_eq!(store.credit_note(third.credit_note_id).await.unwrap(), None);
}

/// Version 4 exactly as the ladder left it (see `schema`), before threads had stores.
async fn write_v4(name: &str) -> Database {
    Database::open(name)
        .with_version(4u32)
        .with_on_upgrade_needed(|_, db| {
            for store in [
                "customers",
                "outbox",
                "conflicts",
                "rejected",
                "item",
                "invoice",
                "credit_note",
                "payment",
                "refund",
                "dispute",
                "exception",
                "number_lease",
                "mail",
            ] {
                db.create_object_store(store)
                    .with_key_path("id".into())
                    .build()?;
            }
            db.create_object_store("invoice_drafts")
                .with_key_path("id".into())
                .build()?
                .create_index("by_customer", "customer_id".into())
                .build()?;
            db.create_object_store("settings")
                .with_key_path("organisation_id".into())
                .build()?;
            db.create_object_store("meta").build()?;
            Ok(())
        })
        .await
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_version_4_database_keeps_its_records_and_outbox_when_threads_get_their_stores() {
    use remit_core::ids::ClientId;
    use remit_core::sync::ClientSync;

    let name = db_name("upgrade-v4");
    let acme = customer("Acme");
    let mut sync = ClientSync::new(new_id::<ClientId>());
    let queued = sync.record(&Command::UpsertCustomer(acme.clone()));
    let v4 = write_v4(&name).await;
    let tx = v4
        .transaction(["customers", "outbox", "meta"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    tx.object_store("customers")
        .unwrap()
        .put(to_js(&acme).unwrap())
        .await
        .unwrap();
    tx.object_store("outbox")
        .unwrap()
        .put(to_js(&queued).unwrap())
        .await
        .unwrap();
    let meta = tx.object_store("meta").unwrap();
    for (key, value) in [
        ("session", to_js(&session()).unwrap()),
        ("signed_in", to_js(&true).unwrap()),
        ("sync", to_js(&sync).unwrap()),
    ] {
        meta.put(value)
            .with_key(key)
            .without_key_type()
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    v4.close();

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.database().version() as u32, VERSION);
    let names = store_names(store.database());
    assert!(names.contains(&"thread".to_owned()) && names.contains(&"thread_message".to_owned()));
    assert_eq!(store.customers().await.unwrap(), vec![acme]);
    assert_eq!(store.signed_in_session().await.unwrap(), Some(session()));
    assert_eq!(store.outbox().await.unwrap(), vec![queued.clone()]);
    // The queued change is still first; a reply written after the upgrade queues behind it.
    let reply = remit_core::receivables::thread::ReplyToThread {
        id: new_id(),
        organisation_id: fixtures::organisation_id(),
        thread_id: new_id(),
        body: "We are looking into it.".into(),
        written_at_ms: 1_764_600_000_000,
    };
    let sent = store.record(&Command::ReplyToThread(reply)).await.unwrap();
    assert_eq!(sent.id, queued.id + 1);
    let outbox = store.outbox().await.unwrap();
    assert_eq!(
        outbox.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![queued.id, sent.id]
    );
}

mod threads {
    use chrono::NaiveDate;
    use remit_app::store::threads::Message;
    use remit_core::ids::ThreadId;
    use remit_core::receivables::thread::{
        Author, InboxFilter, ReplyToThread, ResolveThread, Thread, ThreadKind, ThreadMessage,
        ThreadOutcome, ThreadReason, ThreadState,
    };

    use super::*;

    const DAY_MS: i64 = 86_400_000;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    /// A thread of `customer` opened `days_ago`.
    fn thread(customer: CustomerId, kind: ThreadKind, state: ThreadState, days_ago: i64) -> Thread {
        let opened_on = today() - chrono::Days::new(days_ago as u64);
        let opened_at_ms = 1_764_547_200_000 - days_ago * DAY_MS;
        Thread {
            id: new_id(),
            organisation_id: fixtures::organisation_id(),
            customer_id: customer,
            invoice_id: Some(new_invoice_id()),
            invoice_number: Some("INV-1".into()),
            kind,
            reason: ThreadReason::WrongAmount,
            lines: Vec::new(),
            opened_on,
            opened_at_ms,
            recorded_by: None,
            dispute_id: None,
            state,
            last_message_at_ms: opened_at_ms,
            messages: 1,
            resolution: None,
        }
    }

    fn message(thread: &Thread, author: Author, at: i64) -> ThreadMessage {
        ThreadMessage {
            id: new_id(),
            organisation_id: thread.organisation_id,
            thread_id: thread.id,
            customer_id: thread.customer_id,
            author,
            body: format!("written at {at}"),
            written_at_ms: at,
        }
    }

    fn reply(thread: &Thread, at: i64) -> ReplyToThread {
        ReplyToThread {
            id: new_id(),
            organisation_id: thread.organisation_id,
            thread_id: thread.id,
            body: "We credit the second line.".into(),
            written_at_ms: at,
        }
    }

    async fn pull(store: &Store, cookie: u64, last_mutation_id: u64, records: Vec<Record>) {
        store
            .apply_pull(PullResponse {
                cookie: Cookie(cookie),
                last_mutation_id,
                patch: records
                    .into_iter()
                    .zip(cookie * 100..)
                    .map(|(record, change)| PatchOp::Put { change, record })
                    .collect(),
                more: false,
                head: None,
            })
            .await
            .unwrap();
    }

    fn ids(entries: &[remit_app::store::threads::InboxEntry]) -> Vec<ThreadId> {
        entries.iter().map(|e| e.thread.id).collect()
    }

    #[wasm_bindgen_test]
    async fn the_inbox_shows_open_threads_in_cores_order_filtered_by_state_customer_and_age() {
        let store = signed_in_store(&db_name("inbox")).await;
        let acme: CustomerId = new_id();
        let other: CustomerId = new_id();
        let question = thread(acme, ThreadKind::Inquiry, ThreadState::Waiting, 9);
        let dispute = thread(acme, ThreadKind::Dispute, ThreadState::Waiting, 2);
        let answered = thread(acme, ThreadKind::Inquiry, ThreadState::Answered, 20);
        let resolved = thread(acme, ThreadKind::Dispute, ThreadState::Resolved, 30);
        let others = thread(other, ThreadKind::Inquiry, ThreadState::Waiting, 1);
        pull(
            &store,
            1,
            0,
            [&question, &dispute, &answered, &resolved, &others]
                .into_iter()
                .map(|t| Record::Thread(Box::new(t.clone())))
                .collect(),
        )
        .await;

        let open = store.inbox(InboxFilter::default(), today()).await.unwrap();
        // Waiting disputes first, then waiting questions oldest first, then the rest.
        assert_eq!(
            ids(&open),
            vec![dispute.id, question.id, others.id, answered.id]
        );
        assert!(open.iter().all(|e| !e.answered_here));
        let only = |state, customer, older_than_days| InboxFilter {
            state,
            customer,
            older_than_days,
        };
        let inbox = |filter| store.inbox(filter, today());
        assert_eq!(
            ids(&inbox(only(Some(ThreadState::Resolved), None, None))
                .await
                .unwrap()),
            vec![resolved.id]
        );
        assert_eq!(
            ids(&inbox(only(None, Some(other), None)).await.unwrap()),
            vec![others.id]
        );
        assert_eq!(
            ids(
                &inbox(only(Some(ThreadState::Waiting), Some(acme), Some(5)))
                    .await
                    .unwrap()
            ),
            vec![question.id]
        );
        assert_eq!(store.waiting_count().await.unwrap(), 3);
    }

    #[wasm_bindgen_test]
    async fn a_reply_written_here_waits_in_order_among_the_messages_until_the_server_records_it() {
        let store = signed_in_store(&db_name("thread-reply")).await;
        let acme: CustomerId = new_id();
        let asked = thread(acme, ThreadKind::Dispute, ThreadState::Waiting, 1);
        let t0 = asked.opened_at_ms;
        let first = message(&asked, Author::Customer, t0);
        let again = message(&asked, Author::Customer, t0 + 3_000);
        let elsewhere = thread(acme, ThreadKind::Inquiry, ThreadState::Waiting, 1);
        pull(
            &store,
            1,
            0,
            vec![
                Record::Thread(Box::new(asked.clone())),
                Record::Thread(Box::new(elsewhere.clone())),
                Record::ThreadMessage(again.clone()),
                Record::ThreadMessage(first.clone()),
                Record::ThreadMessage(message(&elsewhere, Author::Customer, t0)),
            ],
        )
        .await;
        assert_eq!(store.waiting_count().await.unwrap(), 2);

        // Written between the customer's two messages (a clock behind): shown where it was written.
        let mine = reply(&asked, t0 + 1_000);
        store
            .record(&Command::ReplyToThread(mine.clone()))
            .await
            .unwrap();
        let shown = store.thread(asked.id).await.unwrap().unwrap();
        assert_eq!(
            shown.messages,
            vec![
                Message::Recorded(first.clone()),
                Message::Pending(mine.clone()),
                Message::Recorded(again.clone()),
            ]
        );
        assert_eq!(shown.pending_resolution, None);
        assert_eq!(store.waiting_count().await.unwrap(), 1);
        let entry = store
            .inbox(InboxFilter::default(), today())
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.thread.id == asked.id)
            .unwrap();
        assert!(entry.answered_here);

        // The server recorded it (mutation 1): the message is the server's, shown once.
        let recorded = ThreadMessage {
            id: mine.id,
            organisation_id: asked.organisation_id,
            thread_id: asked.id,
            customer_id: acme,
            author: Author::User {
                user_id: session().user.id,
                name: session().user.name,
            },
            body: mine.body.clone(),
            written_at_ms: mine.written_at_ms,
        };
        let mut now_answered = asked.clone();
        now_answered.state = ThreadState::Answered;
        pull(
            &store,
            2,
            1,
            vec![
                Record::ThreadMessage(recorded.clone()),
                Record::Thread(Box::new(now_answered)),
            ],
        )
        .await;
        let shown = store.thread(asked.id).await.unwrap().unwrap();
        assert_eq!(
            shown.messages,
            vec![
                Message::Recorded(first),
                Message::Recorded(recorded),
                Message::Recorded(again),
            ]
        );
        assert_eq!(store.waiting_count().await.unwrap(), 1);
        assert_eq!(store.thread(new_id::<ThreadId>()).await.unwrap(), None);
    }

    #[wasm_bindgen_test]
    async fn a_credit_note_and_the_resolution_naming_it_are_queued_together_in_that_order() {
        use remit_app::store::credit_notes::IssuedCreditNote;
        use remit_core::document::issue::CreditScope;
        use remit_core::document::issued::IssueCreditNote;

        let store = signed_in_store(&db_name("thread-resolve")).await;
        let acme = customer("Acme");
        ready_to_issue(&store, &acme).await;
        let invoice = issue_for(&store, &acme).await;
        let mut disputed = thread(acme.id, ThreadKind::Dispute, ThreadState::Waiting, 0);
        disputed.invoice_id = Some(invoice.id);
        pull(
            &store,
            4,
            0,
            vec![Record::Thread(Box::new(disputed.clone()))],
        )
        .await;
        let issue = IssueCreditNote {
            credit_note_id: new_id(),
            organisation_id: invoice.organisation_id,
            invoice_id: invoice.id,
            issue_date: invoice.snapshot.issue_date,
            scope: CreditScope::Lines(vec![(0, Decimal::ONE)]),
            note: String::new(),
        };
        let resolve = ResolveThread {
            id: disputed.id,
            organisation_id: disputed.organisation_id,
            resolved_on: today(),
            outcome: ThreadOutcome::Credited,
            credit_note_id: Some(issue.credit_note_id),
            note: String::new(),
        };
        let before = store.outbox_len().await.unwrap();
        let queued = store
            .record_all(&[
                Command::IssueCreditNote(issue.clone()),
                Command::ResolveThread(resolve.clone()),
            ])
            .await
            .unwrap();
        assert_eq!(queued.len(), 2);
        assert_eq!(queued[1].id, queued[0].id + 1);
        let outbox = store.outbox().await.unwrap();
        assert_eq!(outbox.len() as u32, before + 2);
        assert_eq!(
            outbox[outbox.len() - 2..]
                .iter()
                .map(|m| m.name.clone())
                .collect::<Vec<_>>(),
            vec!["credit_note.issue", "thread.resolve"]
        );
        assert_eq!(
            store.credit_notes_of(invoice.id).await.unwrap(),
            vec![IssuedCreditNote::AwaitingNumber(Box::new(issue))]
        );
        let shown = store.thread(disputed.id).await.unwrap().unwrap();
        assert_eq!(shown.pending_resolution, Some(resolve));
        assert_eq!(store.waiting_count().await.unwrap(), 0);
    }
}

/// Every issued invoice as the home screen's first page lists them (newest first, those awaiting a
/// number on top).
async fn all_issued(store: &Store) -> Vec<remit_app::store::issuing::IssuedInvoice> {
    let page = store
        .invoice_page(
            &remit_app::store::lists::InvoiceQuery::default(),
            0,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        )
        .await
        .unwrap();
    assert!(
        page.total <= remit_app::store::lists::PAGE_SIZE,
        "one page holds them"
    );
    page.rows
}
