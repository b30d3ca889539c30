//! The read side of the REST API for other systems: issued invoices, payments, statements, aging, the
//! numbering report and exception items, each the organisation's own, each decided by core.

use remit_core::document::issued::Invoice;
use remit_core::ids::{InvoiceId, LeaseId};
use remit_core::numbering::lease::NumberLease;
use remit_core::receivables::allocation::Instruction;
use remit_core::sync::{PatchOp, Record};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

async fn issued_invoices_are_listed_by_customer_and_shown_with_their_credit_notes(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let (nordlys, fjord) = (customer(org, "Nordlys AS"), customer(org, "Fjord AS"));
    let (first, second) = (draft(&nordlys), draft(&fjord));
    let (a, b): (InvoiceId, InvoiceId) = (new_id(), new_id());
    let reply = owner
        .push(
            new_client(),
            vec![
                upsert(1, &nordlys),
                upsert(2, &fjord),
                issue_numbered(3, a, &first),
                issue_numbered(4, b, &second),
                credit(5, org, a, "2026-11-24"),
            ],
        )
        .await;
    assert_applied(&reply);

    let all = get_json(&owner, "/api/invoices").await;
    let numbers: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["snapshot"]["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["INV-2026-000001", "INV-2026-000002"]);
    let only_fjord = get_json(&owner, &format!("/api/invoices?customer_id={}", fjord.id)).await;
    let only_fjord: Vec<Invoice> = serde_json::from_value(only_fjord).unwrap();
    assert_eq!(only_fjord.len(), 1);
    assert_eq!(only_fjord[0].id, b);
    assert_eq!(only_fjord[0].customer_id, fjord.id);

    let shown = get_json(&owner, &format!("/api/invoices/{a}")).await;
    let invoice: Invoice = serde_json::from_value(shown["invoice"].clone()).unwrap();
    assert_eq!(invoice.id, a);
    assert_eq!(invoice.digest.len(), 64);
    assert_eq!(invoice.voided, None);
    assert_eq!(invoice.snapshot.buyer.name, "Nordlys AS");
    let notes = shown["credit_notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["invoice_id"], json!(a));
    assert_eq!(notes[0]["snapshot"]["preceding_invoice"], "INV-2026-000001");

    let unknown = owner
        .get(&format!("/api/invoices/{}", first.id))
        .await
        .status();
    assert_eq!(unknown, StatusCode::NOT_FOUND, "a draft's id is no invoice");
    let (status, error) = error_of(owner.get("/api/invoices?customer_id=42").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["field"], "customer_id");
    assert_eq!(
        error["message"], "customer_id must be a version-7 UUID",
        "{error}"
    );
}
on_both_backends!(issued_invoices_are_listed_by_customer_and_shown_with_their_credit_notes => issued_invoices_are_listed_by_customer_and_shown_with_their_credit_notes_sqlite, issued_invoices_are_listed_by_customer_and_shown_with_their_credit_notes_postgres);

async fn payments_statements_aging_and_exceptions_come_from_the_customers_account(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let nordlys = customer(org, "Nordlys AS");
    let quiet = customer(org, "Quiet AS");
    let invoice: InvoiceId = new_id();
    let part = payment(&nordlys, "10.00", "2026-12-01");
    let mut too_much = payment(&nordlys, "100.00", "2026-12-05");
    too_much.instruction = Instruction::Named(vec![invoice]);
    let reply = owner
        .push(
            new_client(),
            vec![
                upsert(1, &nordlys),
                upsert(2, &quiet),
                issue_numbered(3, invoice, &draft(&nordlys)),
                pay(4, &part),
                pay(5, &too_much),
            ],
        )
        .await;
    assert_applied(&reply);
    let due = get_json(&owner, &format!("/api/invoices/{invoice}")).await["invoice"]["snapshot"]
        ["totals"]["amount_due"]["amount"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(due, "24.67");

    let payments = get_json(&owner, "/api/payments").await;
    let ids: Vec<&Value> = payments
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids, [&json!(part.id), &json!(too_much.id)]);
    let none = get_json(&owner, &format!("/api/payments?customer_id={}", quiet.id)).await;
    assert_eq!(none, json!([]));

    // December: opening 24.67 from November, then the two payments.
    let statement = get_json(
        &owner,
        &format!(
            "/api/customers/{}/statement?from=2026-12-01&to=2026-12-31",
            nordlys.id
        ),
    )
    .await;
    let forward = &statement["balance_forward"][0];
    assert_eq!(forward["opening"]["amount"], "24.67");
    let lines: Vec<(&str, &str)> = forward["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["amount"]["amount"].as_str().unwrap(),
                l["balance"]["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [("-10.00", "14.67"), ("-100.00", "-85.33")]);
    assert_eq!(forward["closing"]["amount"], "-85.33");
    let open = &statement["open_items"][0];
    assert_eq!(open["items"], json!([]));
    assert_eq!(open["unapplied"]["amount"], "85.33");
    assert_eq!(open["total_due"]["amount"], "-85.33");

    let quiet_statement = get_json(
        &owner,
        &format!(
            "/api/customers/{}/statement?from=2026-12-01&to=2026-12-31",
            quiet.id
        ),
    )
    .await;
    assert_eq!(
        quiet_statement["balance_forward"][0]["closing"]["amount"],
        "0.00"
    );
    assert_eq!(quiet_statement["balance_forward"][0]["currency"], "EUR");

    let aging = get_json(
        &owner,
        &format!("/api/customers/{}/aging?on=2027-02-01", nordlys.id),
    )
    .await;
    assert_eq!(aging["on"], "2027-02-01");
    assert_eq!(
        aging["reports"][0]["total"]["amount"], "0.00",
        "nothing is open"
    );

    let exceptions = get_json(&owner, "/api/exceptions").await;
    let kinds: Vec<&str> = exceptions
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["overpayment"]);
    assert_eq!(exceptions[0]["customer_id"], json!(nordlys.id));

    for (path, field) in [
        (
            format!("/api/customers/{}/statement?to=2026-12-31", nordlys.id),
            "from",
        ),
        (
            format!(
                "/api/customers/{}/statement?from=2026-12-01&to=2026-13-01",
                nordlys.id
            ),
            "to",
        ),
        (
            format!(
                "/api/customers/{}/statement?from=2026-12-31&to=2026-12-01",
                nordlys.id
            ),
            "to",
        ),
        (format!("/api/customers/{}/aging", nordlys.id), "on"),
        (
            format!("/api/customers/{}/aging?on=yesterday", nordlys.id),
            "on",
        ),
        ("/api/payments?customer_id=".to_owned(), "customer_id"),
    ] {
        let (status, error) = error_of(owner.get(&path).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {error}");
        assert_eq!(error["error"], "bad_request");
        assert_eq!(error["field"], field, "{path}: {error}");
    }
    let stranger = customer(org, "Not stored");
    let status = owner
        .get(&format!(
            "/api/customers/{}/aging?on=2027-02-01",
            stranger.id
        ))
        .await
        .status();
    assert_eq!(status, StatusCode::NOT_FOUND);
}
on_both_backends!(payments_statements_aging_and_exceptions_come_from_the_customers_account => payments_statements_aging_and_exceptions_come_from_the_customers_account_sqlite, payments_statements_aging_and_exceptions_come_from_the_customers_account_postgres);

async fn aging_buckets_what_is_open_by_days_past_due(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let nordlys = customer(org, "Nordlys AS");
    let reply = owner
        .push(
            new_client(),
            vec![
                upsert(1, &nordlys),
                issue_numbered(2, new_id(), &draft(&nordlys)),
            ],
        )
        .await;
    assert_applied(&reply);
    // Due 2026-12-23 (30 days); 40 days late on 2027-02-01.
    let aging = get_json(
        &owner,
        &format!("/api/customers/{}/aging?on=2027-02-01", nordlys.id),
    )
    .await;
    let buckets: Vec<(&str, &str)> = aging["reports"][0]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap(),
                b["amount"]["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        buckets,
        [
            ("Current", "0.00"),
            ("1–30", "0.00"),
            ("31–60", "24.67"),
            ("61–90", "0.00"),
            ("90+", "0.00")
        ]
    );
}
on_both_backends!(aging_buckets_what_is_open_by_days_past_due => aging_buckets_what_is_open_by_days_past_due_sqlite, aging_buckets_what_is_open_by_days_past_due_postgres);

/// The lease a device was granted, as the device learns it from a pull.
async fn pulled_lease(api: &Api, client: remit_core::ids::ClientId, id: LeaseId) -> NumberLease {
    let pulled = api.pull(client, None, Some(5000)).await;
    pulled
        .patch
        .into_iter()
        .rev()
        .find_map(|op| match op {
            PatchOp::Put {
                record: Record::NumberLease(lease),
                ..
            } if lease.id == id => Some(lease),
            _ => None,
        })
        .expect("the lease is pulled")
}

/// A range of a sequence report: first and last number, and their use.
type Range = (u64, u64, String);

async fn the_numbering_report_accounts_for_every_issued_leased_and_returned_number(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let laptop = new_client();
    let nordlys = customer(org, "Nordlys AS");
    let (first, second): (LeaseId, LeaseId) = (new_id(), new_id());
    assert_applied(
        &owner
            .push(
                laptop,
                vec![upsert(1, &nordlys), take_lease(2, org, first, 5)],
            )
            .await,
    );
    let lease = pulled_lease(&owner, laptop, first).await;
    let day = date("2026-11-23");
    let number = |n| lease.series.format(day, n).unwrap();
    assert_applied(
        &owner
            .push(
                laptop,
                vec![
                    issue_leased(3, new_id(), &draft(&nordlys), first, number(1)),
                    issue_leased(4, new_id(), &draft(&nordlys), first, number(2)),
                    return_lease(5, org, first),
                    take_lease(6, org, second, 2),
                    issue_numbered(7, new_id(), &draft(&nordlys)),
                ],
            )
            .await,
    );

    let report = get_json(&owner, "/api/numbering/report").await;
    let summary: Vec<(String, Vec<Range>, Vec<u64>)> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["sequence"].as_str().unwrap().to_owned(),
                s["ranges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        (
                            r["from"].as_u64().unwrap(),
                            r["to"].as_u64().unwrap(),
                            r["use"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect(),
                serde_json::from_value(s["missing"].clone()).unwrap(),
            )
        })
        .collect();
    let range = |from, to, use_: &str| (from, to, use_.to_owned());
    assert_eq!(
        summary,
        [
            (
                "Invoice/INV/2026".to_owned(),
                vec![range(1, 1, "issued")],
                vec![]
            ),
            (
                "Invoice/INV/L1".to_owned(),
                vec![
                    range(1, 2, "issued"),
                    range(3, 5, "returned_unused"),
                    range(6, 7, "leased")
                ],
                vec![]
            ),
        ]
    );
}
on_both_backends!(the_numbering_report_accounts_for_every_issued_leased_and_returned_number => the_numbering_report_accounts_for_every_issued_leased_and_returned_number_sqlite, the_numbering_report_accounts_for_every_issued_leased_and_returned_number_postgres);
