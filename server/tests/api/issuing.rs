//! Issuing: server numbers gapless per series, leased numbers for devices offline, voids and credit
//! notes, and the numbering report that accounts for every number.

use remit_core::document::issue::CreditScope;
use remit_core::document::issued::IssueCreditNote;
use remit_core::document::issued::{Invoice, NumberSource, VoidInvoice};
use remit_core::ids::{CreditNoteId, LeaseId};
use remit_core::numbering::lease::{NumberLease, ReturnLease, TakeLease};
use remit_core::numbering::report::SequenceReport;
use remit_core::numbering::{InvoiceNumber, NumberUse};
use remit_core::receivables::exception::{ExceptionItem, ExceptionKind};
use remit_core::sync::{Command, MutationErrorKind, MutationStatus, PatchOp, Record};
use remit_server::store::sequences;
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both_backends;

fn invoices(patch: &[PatchOp]) -> Vec<Invoice> {
    puts(patch, |r| match r {
        Record::Invoice(i) => Some((**i).clone()),
        _ => None,
    })
}

fn leases(patch: &[PatchOp]) -> Vec<NumberLease> {
    puts(patch, |r| match r {
        Record::NumberLease(l) => Some(l.clone()),
        _ => None,
    })
}

fn exceptions(patch: &[PatchOp]) -> Vec<ExceptionItem> {
    puts(patch, |r| match r {
        Record::Exception(e) => Some(e.clone()),
        _ => None,
    })
}

fn statuses(response: &remit_core::sync::PushResponse) -> Vec<MutationStatus> {
    response.results.iter().map(|r| r.status).collect()
}

/// Issuing is refused until the seller has an address to print, and then takes 1, 2, 3… of the year's
/// series; the draft becomes the invoice.
async fn the_server_numbers_each_invoice_next_in_its_series(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let client = new_client();
    let c = customer(org, "Hooli Inc");
    let drafts: Vec<_> = (0..3).map(|_| draft(&c)).collect();
    let (early, _) = issue(3, &drafts[0], NumberSource::Server);
    let reply = owner
        .push(client, vec![upsert(1, &c), save(2, &drafts[0]), early])
        .await;
    let error = reply.results[2].error.as_ref().unwrap();
    assert_eq!(
        error.field.as_deref(),
        Some("settings.seller.address.country")
    );

    let mut mutations = vec![save_settings(4, &issuing_settings(org))];
    for (i, d) in drafts.iter().enumerate() {
        let id = 5 + 2 * i as u64;
        mutations.push(save(id, d));
        mutations.push(issue(id + 1, d, NumberSource::Server).0);
    }
    let reply = owner.push(client, mutations).await;
    assert!(
        statuses(&reply)
            .iter()
            .all(|s| *s == MutationStatus::Applied),
        "{reply:?}"
    );

    let patch = pull_all(&owner, new_client()).await;
    let numbers: Vec<String> = invoices(&patch)
        .iter()
        .map(|i| i.number().to_string())
        .collect();
    assert_eq!(
        numbers,
        ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003"]
    );
    let first = &invoices(&patch)[0];
    assert_eq!(first.snapshot.buyer.address.country, "AT");
    assert_eq!(first.digest, first.snapshot.digest());
    assert_eq!(
        first.snapshot.totals.amount_due.amount().to_string(),
        "24.67"
    );
    assert_eq!(
        app.count("invoice_drafts").await,
        0,
        "each draft became its invoice"
    );
    assert!(
        patch
            .iter()
            .any(|op| matches!(op, PatchOp::Del { id, .. } if *id == drafts[0].id.as_uuid()))
    );
}

/// A second device issuing a draft another device already issued online is refused: it has no number
/// yet, so nothing happened in the world.
async fn a_draft_is_issued_once_by_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let c = customer(org, "Hooli Inc");
    let d = draft(&c);
    let (laptop, phone) = (new_client(), new_client());
    owner
        .push(
            laptop,
            vec![
                save_settings(1, &issuing_settings(org)),
                upsert(2, &c),
                save(3, &d),
                issue(4, &d, NumberSource::Server).0,
            ],
        )
        .await;
    let reply = owner
        .push(phone, vec![issue(1, &d, NumberSource::Server).0])
        .await;
    let error = reply.results[0].error.as_ref().unwrap();
    assert_eq!(error.kind, MutationErrorKind::Conflict);
    assert!(
        error.message.contains("INV-2026-000001"),
        "{}",
        error.message
    );
    assert_eq!(app.count("invoices").await, 1);
}

/// A device leases numbers of its own series, issues offline from them (the server records each, even
/// in a closed period, and raises an exception item), hands back the rest, and the numbering report
/// accounts for every number.
async fn invoices_issued_offline_under_leased_numbers_are_facts(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let laptop = new_client();
    let c = customer(org, "Hooli Inc");
    let lease_id = LeaseId::try_from(Uuid::now_v7()).unwrap();
    let take = Command::TakeLease(TakeLease {
        id: lease_id,
        organisation_id: org,
        count: 5,
    });
    let reply = owner
        .push(
            laptop,
            vec![
                save_settings(1, &issuing_settings(org)),
                upsert(2, &c),
                take.to_mutation(3),
            ],
        )
        .await;
    assert!(
        statuses(&reply)
            .iter()
            .all(|s| *s == MutationStatus::Applied),
        "{reply:?}"
    );
    let lease = leases(&pull_all(&owner, laptop).await).remove(0);
    assert_eq!((lease.first, lease.last), (1, 5));
    assert_eq!(lease.series.branch.as_deref(), Some("L1"));

    // Meanwhile, at the desk, the month is closed.
    let mut closed = issuing_settings(org);
    closed.version = 1;
    closed.period_locked_until = Some("2026-11-30".parse().unwrap());
    owner
        .push(new_client(), vec![save_settings(1, &closed)])
        .await;

    // Offline, the laptop issued two invoices dated in the closed month.
    let leased = |n: u32| NumberSource::Leased {
        lease_id,
        number: InvoiceNumber::parse(&format!("INV-L1-{n:06}")).unwrap(),
    };
    let (first, second) = (draft(&c), draft(&c));
    let reply = owner
        .push(
            laptop,
            vec![
                save(4, &first),
                issue(5, &first, leased(1)).0,
                issue(6, &second, leased(2)).0,
                // A number outside the lease is not a fact but a fault: refused, naming the field.
                issue(7, &draft(&c), leased(6)).0,
                Command::ReturnLease(ReturnLease {
                    id: lease_id,
                    organisation_id: org,
                })
                .to_mutation(8),
            ],
        )
        .await;
    assert_eq!(
        statuses(&reply),
        [
            MutationStatus::Applied,
            MutationStatus::Applied,
            MutationStatus::Applied,
            MutationStatus::Rejected,
            MutationStatus::Applied
        ]
    );
    assert_eq!(
        reply.results[3].error.as_ref().unwrap().field.as_deref(),
        Some("number.number")
    );

    let patch = pull_all(&owner, new_client()).await;
    let numbers: Vec<String> = invoices(&patch)
        .iter()
        .map(|i| i.number().to_string())
        .collect();
    assert_eq!(numbers, ["INV-L1-000001", "INV-L1-000002"]);
    let raised = exceptions(&patch);
    assert_eq!(raised.len(), 2);
    assert!(
        raised
            .iter()
            .all(|e| matches!(e.kind, ExceptionKind::IssuedInClosedPeriod { .. }))
    );
    assert_eq!(leases(&patch).last().unwrap().returned_from, Some(3));

    let mut conn = app.store.read().await.unwrap();
    let uses = sequences::number_uses(&mut conn, org).await.unwrap();
    let device: Vec<(u64, NumberUse)> = uses
        .iter()
        .filter(|(s, _, _)| s == "Invoice/INV/L1")
        .map(|(_, n, u)| (*n, *u))
        .collect();
    let report = SequenceReport::build("Invoice/INV/L1", &device).unwrap();
    assert!(report.is_whole(), "{report:?}");
    let ranges: Vec<(u64, u64, NumberUse)> = report
        .ranges
        .iter()
        .map(|r| (r.from, r.to, r.use_))
        .collect();
    assert_eq!(
        ranges,
        [(1, 2, NumberUse::Issued), (3, 5, NumberUse::ReturnedUnused)]
    );
}

/// A void keeps the number on record; a credit note takes the next credit-note number and never
/// credits more than was invoiced; both are audited.
async fn voids_and_credit_notes_correct_issued_invoices(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let client = new_client();
    let c = customer(org, "Hooli Inc");
    let (a, b) = (draft(&c), draft(&c));
    let (issue_a, a_id) = issue(4, &a, NumberSource::Server);
    let (issue_b, b_id) = issue(5, &b, NumberSource::Server);
    owner
        .push(
            client,
            vec![
                save_settings(1, &issuing_settings(org)),
                upsert(2, &c),
                save(3, &a),
                issue_a,
                issue_b,
            ],
        )
        .await;
    let void = |id: u64| {
        Command::VoidInvoice(VoidInvoice {
            invoice_id: a_id,
            organisation_id: org,
            on: "2026-11-24".parse().unwrap(),
            reason: "Billed to the wrong customer".into(),
        })
        .to_mutation(id)
    };
    let credit = |id: u64, n: &str| {
        Command::IssueCreditNote(IssueCreditNote {
            credit_note_id: CreditNoteId::try_from(Uuid::now_v7()).unwrap(),
            organisation_id: org,
            invoice_id: b_id,
            issue_date: "2026-11-25".parse().unwrap(),
            scope: CreditScope::Lines(vec![(1, n.parse().unwrap())]),
            note: String::new(),
        })
        .to_mutation(id)
    };
    let reply = owner
        .push(
            client,
            vec![
                void(6),
                void(7),
                credit(8, "1"),
                credit(9, "1"),
                credit(10, "1"),
            ],
        )
        .await;
    assert_eq!(
        statuses(&reply),
        [
            MutationStatus::Applied,
            MutationStatus::Applied,
            MutationStatus::Applied,
            MutationStatus::Applied,
            MutationStatus::Rejected
        ]
    );
    assert_eq!(
        reply.results[4].error.as_ref().unwrap().field.as_deref(),
        Some("scope.lines[0].quantity")
    );
    let patch = pull_all(&owner, new_client()).await;
    let voided = invoices(&patch)
        .into_iter()
        .rfind(|i| i.id == a_id)
        .unwrap();
    assert_eq!(
        voided.voided.unwrap().reason,
        "Billed to the wrong customer"
    );
    let notes: Vec<String> = puts(&patch, |r| match r {
        Record::CreditNote(n) => Some(n.snapshot.number.to_string()),
        _ => None,
    });
    assert_eq!(notes, ["CN-2026-000001", "CN-2026-000002"]);

    let mut conn = app.store.read().await.unwrap();
    let uses = sequences::number_uses(&mut conn, org).await.unwrap();
    assert!(uses.contains(&("Invoice/INV/2026".into(), 1, NumberUse::Voided)));
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE mutation_name IN ('invoice.void', 'credit_note.issue') \
         AND status = 'applied'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        audited, 4,
        "two voids (the second changes nothing) and two credit notes"
    );
}

on_both_backends!(the_server_numbers_each_invoice_next_in_its_series => the_server_numbers_each_invoice_next_in_its_series_sqlite, the_server_numbers_each_invoice_next_in_its_series_postgres);
on_both_backends!(a_draft_is_issued_once_by_the_server => a_draft_is_issued_once_by_the_server_sqlite, a_draft_is_issued_once_by_the_server_postgres);
on_both_backends!(invoices_issued_offline_under_leased_numbers_are_facts => invoices_issued_offline_under_leased_numbers_are_facts_sqlite, invoices_issued_offline_under_leased_numbers_are_facts_postgres);
on_both_backends!(voids_and_credit_notes_correct_issued_invoices => voids_and_credit_notes_correct_issued_invoices_sqlite, voids_and_credit_notes_correct_issued_invoices_postgres);
