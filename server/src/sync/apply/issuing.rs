//! Number leases, issuing, voiding and credit notes. The series' last number is read and advanced in
//! the mutation's transaction, after the organisation's lock is taken, so numbers are gapless and never
//! doubled, even with several server processes on one database.

use chrono::NaiveDate;
use remit_core::document::issued::{IssueCreditNote, IssueInvoice, NumberSource, VoidInvoice};
use remit_core::ids::CustomerId;
use remit_core::numbering::lease::{ReturnLease, TakeLease, device_series, next_device_code};
use remit_core::receivables::events::{self, AccountEvent};
use remit_core::sync::decide::{
    IssueContext, decide_credit_note, decide_issue, decide_lease, decide_void, issue_sequence,
};
use remit_core::sync::{EntityKind, MutationError, PatchOp};
use remit_core::validation::{Rule, ValidationError};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Applied, Ctx, Outcome, raise, settings};
use crate::store::{
    StoreError, changes, credit_notes, customers, drafts, invoices, leases, ledger, sequences,
};
use crate::webhooks::{self, Event};

fn invalid(field: &str, expected: &str) -> MutationError {
    MutationError::invalid(ValidationError::new(
        field,
        Rule::Matches {
            expected: expected.into(),
        },
    ))
}

fn unused_id() -> MutationError {
    invalid("id", "an id not used by another record")
}

/// Applies `event` to the customer's account as core replays it, and appends it when it applies. An
/// event that cannot apply is refused, so a stored account always replays.
async fn record_event(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    customer: CustomerId,
    event: &AccountEvent,
    change_no: u64,
) -> Result<Result<(), MutationError>, StoreError> {
    let stored = ledger::events(conn, ctx.organisation(), customer).await?;
    let mut account = match events::replay(&stored) {
        Ok(account) => account,
        Err(e) => return Err(StoreError::corrupt("account", e)),
    };
    if let Err(e) = event.apply(&mut account) {
        return Ok(Err(MutationError::invalid(e)));
    }
    ledger::append(conn, ctx.organisation(), customer, event, change_no).await?;
    Ok(Ok(()))
}

pub(super) async fn take_lease(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    request: TakeLease,
) -> Outcome {
    let organisation = ctx.organisation();
    if leases::find_lease(conn, organisation, request.id)
        .await?
        .is_some()
    {
        return Ok(Err(unused_id()));
    }
    let settings = settings(conn, organisation).await?;
    let (code, known) = leases::device_code(conn, organisation, ctx.client).await?;
    let code = code.unwrap_or_else(|| next_device_code(known));
    let sequence = device_series(&settings.invoice_series, &code).sequence_key(NaiveDate::MIN);
    let highest = leases::highest_leased(conn, organisation, &sequence).await?;
    let lease = match decide_lease(&request, &settings, ctx.client, &code, highest) {
        Ok(lease) => lease,
        Err(e) => return Ok(Err(e)),
    };
    let change = changes::next_change_no(conn, organisation).await?;
    leases::save_lease(conn, &lease, &code, change).await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary: json!({
            "op": "put", "entity": "number_lease", "id": lease.id, "device": code,
            "first": lease.first, "last": lease.last,
        }),
    }))
}

pub(super) async fn return_lease(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    request: ReturnLease,
) -> Outcome {
    let Some(lease) = leases::find_lease(conn, ctx.organisation(), request.id).await? else {
        return Ok(Err(invalid("id", "a lease the organisation granted")));
    };
    if lease.client_id != ctx.client {
        return Ok(Err(MutationError::forbidden(
            "id",
            "id must be a lease of this device",
        )));
    }
    let used = leases::highest_used_in_lease(conn, lease.id).await?;
    let returned = lease.hand_back(used);
    if returned == lease {
        return Ok(Ok(Applied {
            change_no: None,
            summary: json!({ "op": "none", "entity": "number_lease", "id": lease.id, "reason": "nothing to hand back" }),
        }));
    }
    let code = lease.series.branch.clone().unwrap_or_default();
    let change = changes::next_change_no(conn, ctx.organisation()).await?;
    leases::save_lease(conn, &returned, &code, change).await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary: json!({
            "op": "put", "entity": "number_lease", "id": lease.id,
            "returned_from": returned.returned_from, "last": lease.last,
        }),
    }))
}

pub(super) async fn issue_invoice(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    issue: IssueInvoice,
) -> Outcome {
    let organisation = ctx.organisation();
    let draft = &issue.draft;
    if invoices::find_invoice(conn, organisation, issue.invoice_id)
        .await?
        .is_some()
    {
        return Ok(Err(unused_id()));
    }
    let Some(customer) = customers::find_customer(conn, organisation, draft.customer_id).await?
    else {
        return Ok(Err(invalid(
            "draft.customer_id",
            "a customer of the organisation",
        )));
    };
    let settings = settings(conn, organisation).await?;
    let lease = match &issue.number {
        NumberSource::Leased { lease_id, .. } => {
            leases::find_lease(conn, organisation, *lease_id).await?
        }
        NumberSource::Server => None,
    };
    let number_taken = match &issue.number {
        NumberSource::Leased { number, .. } => {
            sequences::number_taken(conn, organisation, number.as_str()).await?
        }
        NumberSource::Server => false,
    };
    let sequence = issue_sequence(&issue, &settings, lease.as_ref());
    let decision = decide_issue(
        &issue,
        &IssueContext {
            settings: &settings,
            customer: &customer,
            client: ctx.client,
            draft_head: drafts::draft_head(conn, draft.id)
                .await?
                .filter(|(owner, _)| *owner == organisation)
                .map(|(_, head)| head),
            issued_from_draft: invoices::numbers_issued_from_draft(conn, organisation, draft.id)
                .await?,
            last_in_sequence: sequences::sequence_head(conn, organisation, &sequence).await?,
            lease: lease.as_ref(),
            number_taken,
        },
    );
    let issued = match decision {
        Ok(issued) => issued,
        Err(e) => return Ok(Err(e)),
    };
    let invoice = issued.invoice;
    let mut change = changes::next_change_no(conn, organisation).await?;
    invoices::insert_invoice(conn, &invoice, change, ctx.now).await?;
    let event = AccountEvent::Invoiced {
        invoice_id: invoice.id,
        number: invoice.number().clone(),
        issue_date: invoice.snapshot.issue_date,
        schedule: invoice.snapshot.schedule.clone(),
    };
    if let Err(e) = record_event(conn, ctx, invoice.customer_id, &event, change).await? {
        return Ok(Err(e));
    }
    // The draft became the invoice.
    if drafts::find_draft(conn, organisation, draft.id)
        .await?
        .is_some()
    {
        change = changes::next_change_no(conn, organisation).await?;
        drafts::delete_draft(conn, organisation, draft.id).await?;
        changes::insert_change(
            conn,
            organisation,
            &PatchOp::Del {
                change,
                entity: EntityKind::InvoiceDraft,
                id: draft.id.as_uuid(),
            },
        )
        .await?;
    }
    let exceptions = issued.exceptions.len();
    if let Some(last) = raise(conn, ctx, Some(invoice.customer_id), issued.exceptions).await? {
        change = last;
    }
    webhooks::enqueue(conn, organisation, Event::InvoiceIssued, &invoice, ctx.now).await?;
    tracing::info!(number = %invoice.number(), "invoice issued");
    Ok(Ok(Applied {
        change_no: Some(change),
        summary: json!({
            "op": "put", "entity": "invoice", "id": invoice.id, "number": invoice.number(),
            "draft_id": draft.id, "lease_id": invoice.lease_id, "digest": invoice.digest,
            "amount_due": invoice.snapshot.totals.amount_due.amount().to_string(),
            "exceptions": exceptions,
        }),
    }))
}

pub(super) async fn void_invoice(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    void: VoidInvoice,
) -> Outcome {
    let organisation = ctx.organisation();
    let Some(mut invoice) = invoices::find_invoice(conn, organisation, void.invoice_id).await?
    else {
        return Ok(Err(invalid(
            "invoice_id",
            "an issued invoice of the organisation",
        )));
    };
    let credit_notes = credit_notes::credit_notes_of(conn, organisation, invoice.id)
        .await?
        .len();
    let settings = settings(conn, organisation).await?;
    let voided = match decide_void(&void, &invoice, credit_notes, &settings) {
        Ok(Some(voided)) => voided,
        Ok(None) => {
            return Ok(Ok(Applied {
                change_no: None,
                summary: json!({ "op": "none", "entity": "invoice", "id": invoice.id, "reason": "already voided" }),
            }));
        }
        Err(e) => return Ok(Err(e)),
    };
    let on = voided.on;
    invoice.voided = Some(voided);
    let change = changes::next_change_no(conn, organisation).await?;
    invoices::mark_voided(conn, &invoice, change).await?;
    let event = AccountEvent::Voided {
        invoice_id: invoice.id,
        number: invoice.number().clone(),
        on,
    };
    if let Err(e) = record_event(conn, ctx, invoice.customer_id, &event, change).await? {
        return Ok(Err(e));
    }
    Ok(Ok(Applied {
        change_no: Some(change),
        summary: json!({
            "op": "void", "entity": "invoice", "id": invoice.id, "number": invoice.number(),
            "on": on, "reason": void.reason,
        }),
    }))
}

pub(super) async fn issue_credit_note(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    request: IssueCreditNote,
) -> Outcome {
    let organisation = ctx.organisation();
    if credit_notes::find_credit_note(conn, organisation, request.credit_note_id)
        .await?
        .is_some()
    {
        return Ok(Err(unused_id()));
    }
    let Some(invoice) = invoices::find_invoice(conn, organisation, request.invoice_id).await?
    else {
        return Ok(Err(invalid(
            "invoice_id",
            "an issued invoice of the organisation",
        )));
    };
    let earlier = credit_notes::credit_notes_of(conn, organisation, invoice.id).await?;
    let settings = settings(conn, organisation).await?;
    let sequence = settings.credit_note_series.sequence_key(request.issue_date);
    let last = sequences::sequence_head(conn, organisation, &sequence).await?;
    let note = match decide_credit_note(&request, &invoice, &earlier, &settings, last) {
        Ok(note) => note,
        Err(e) => return Ok(Err(e)),
    };
    let change = changes::next_change_no(conn, organisation).await?;
    credit_notes::insert_credit_note(conn, &note, change, ctx.now).await?;
    let event = AccountEvent::Credited {
        credit_note_id: note.id,
        number: note.snapshot.number.clone(),
        invoice_id: invoice.id,
        issue_date: note.snapshot.issue_date,
        amount: note.snapshot.totals.amount_due,
    };
    if let Err(e) = record_event(conn, ctx, invoice.customer_id, &event, change).await? {
        return Ok(Err(e));
    }
    Ok(Ok(Applied {
        change_no: Some(change),
        summary: json!({
            "op": "put", "entity": "credit_note", "id": note.id, "number": note.snapshot.number,
            "invoice": invoice.number(), "amount": note.snapshot.totals.amount_due.amount().to_string(),
        }),
    }))
}
