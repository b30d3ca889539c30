//! Payments, refunds, disputes and exception items. Money received or paid out is a fact: it is
//! recorded whatever the customer's account says, and core turns what does not fit into customer credit
//! and exception items.

use remit_core::ids::InvoiceId;
use remit_core::receivables::dispute::{Dispute, OpenDispute, ResolveDispute};
use remit_core::receivables::events::{self, AccountEvent};
use remit_core::receivables::exception::{ExceptionItem, ExceptionResolution, ResolveException};
use remit_core::receivables::payment::{self, Payment, RecordPayment, RefundPayment};
use remit_core::sync::{EntityKind, MutationError, Record};
use remit_core::validation::{Rule, ValidationError};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Applied, Ctx, Outcome, raise, settings, store_record};
use crate::store::{StoreError, customers, invoices, ledger, records};
use crate::webhooks::{self, Event};

fn invalid(field: &str, expected: &str) -> MutationError {
    MutationError::invalid(ValidationError::new(
        field,
        Rule::Matches {
            expected: expected.into(),
        },
    ))
}

fn unchanged(entity: &str, id: impl serde::Serialize, reason: &str) -> Outcome {
    Ok(Ok(Applied {
        change_no: None,
        summary: json!({ "op": "none", "entity": entity, "id": id, "reason": reason }),
    }))
}

async fn account(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    customer: remit_core::ids::CustomerId,
) -> Result<remit_core::receivables::account::Account, StoreError> {
    let stored = ledger::events(conn, ctx.organisation(), customer).await?;
    events::replay(&stored).map_err(|e| StoreError::corrupt("account", e))
}

pub(super) async fn record_payment(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    received: RecordPayment,
) -> Outcome {
    let organisation = ctx.organisation();
    let kind = EntityKind::Payment;
    if let Some(stored) =
        records::find_record::<Payment>(conn, organisation, kind, received.id.as_uuid()).await?
    {
        // The same payment, recorded again through another path: never twice.
        return if stored.received == received {
            unchanged("payment", received.id, "already recorded")
        } else {
            Ok(Err(invalid("id", "an id not used by another payment")))
        };
    }
    if customers::find_customer(conn, organisation, received.customer_id)
        .await?
        .is_none()
    {
        return Ok(Err(invalid(
            "customer_id",
            "a customer of the organisation",
        )));
    }
    let mut voided: Vec<InvoiceId> = Vec::new();
    for &id in received.named_invoices() {
        match invoices::find_invoice(conn, organisation, id).await? {
            Some(invoice) if invoice.customer_id != received.customer_id => {
                return Ok(Err(invalid(
                    "instruction.invoices",
                    "invoices of the paying customer",
                )));
            }
            Some(invoice) if invoice.voided.is_some() => voided.push(id),
            Some(_) => {}
            None => {
                return Ok(Err(invalid(
                    "instruction.invoices",
                    "issued invoices of the organisation",
                )));
            }
        }
    }
    let mut account = account(conn, ctx, received.customer_id).await?;
    let settings = settings(conn, organisation).await?;
    let outcome = match payment::receive(&mut account, &received, &voided, &settings) {
        Ok(outcome) => outcome,
        Err(e) => return Ok(Err(MutationError::invalid(e))),
    };
    let customer = received.customer_id;
    let summary = json!({
        "op": "put", "entity": "payment", "id": received.id,
        "amount": received.amount.amount().to_string(), "currency": received.amount.currency(),
        "allocated": outcome.payment.allocation.lines.len(),
        "unapplied": outcome.payment.allocation.unapplied.amount().to_string(),
        "exceptions": outcome.exceptions.len(),
    });
    webhooks::enqueue(
        conn,
        organisation,
        Event::PaymentReceived,
        &outcome.payment,
        ctx.now,
    )
    .await?;
    let mut change = store_record(
        conn,
        ctx,
        Record::Payment(outcome.payment),
        Some(customer),
        1,
    )
    .await?;
    ledger::append(
        conn,
        organisation,
        customer,
        &AccountEvent::Received(received),
        change,
    )
    .await?;
    if let Some(last) = raise(conn, ctx, Some(customer), outcome.exceptions).await? {
        change = last;
    }
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}

pub(super) async fn refund(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    refund: RefundPayment,
) -> Outcome {
    let organisation = ctx.organisation();
    if let Some(stored) = records::find_record::<RefundPayment>(
        conn,
        organisation,
        EntityKind::Refund,
        refund.id.as_uuid(),
    )
    .await?
    {
        return if stored == refund {
            unchanged("refund", refund.id, "already recorded")
        } else {
            Ok(Err(invalid("id", "an id not used by another refund")))
        };
    }
    if customers::find_customer(conn, organisation, refund.customer_id)
        .await?
        .is_none()
    {
        return Ok(Err(invalid(
            "customer_id",
            "a customer of the organisation",
        )));
    }
    if let Some(payment_id) = refund.payment_id {
        let paid = records::find_record::<Payment>(
            conn,
            organisation,
            EntityKind::Payment,
            payment_id.as_uuid(),
        )
        .await?;
        if paid.is_none_or(|p| p.received.customer_id != refund.customer_id) {
            return Ok(Err(invalid("payment_id", "a payment of the same customer")));
        }
    }
    let mut account = account(conn, ctx, refund.customer_id).await?;
    let exceptions = match payment::refund(&mut account, &refund) {
        Ok(exceptions) => exceptions,
        Err(e) => return Ok(Err(MutationError::invalid(e))),
    };
    let customer = refund.customer_id;
    let summary = json!({
        "op": "put", "entity": "refund", "id": refund.id,
        "amount": refund.amount.amount().to_string(), "currency": refund.amount.currency(),
        "exceptions": exceptions.len(),
    });
    let mut change =
        store_record(conn, ctx, Record::Refund(refund.clone()), Some(customer), 1).await?;
    ledger::append(
        conn,
        organisation,
        customer,
        &AccountEvent::Refunded(refund),
        change,
    )
    .await?;
    if let Some(last) = raise(conn, ctx, Some(customer), exceptions).await? {
        change = last;
    }
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}

async fn mark_disputed(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    dispute: &Dispute,
    open: bool,
    change: u64,
) -> Result<(), StoreError> {
    let event = AccountEvent::Disputed {
        invoice_id: dispute.opened.invoice_id,
        open,
    };
    ledger::append(
        conn,
        ctx.organisation(),
        dispute.customer_id,
        &event,
        change,
    )
    .await
}

pub(super) async fn open_dispute(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    open: OpenDispute,
) -> Outcome {
    let organisation = ctx.organisation();
    if let Some(stored) =
        records::find_record::<Dispute>(conn, organisation, EntityKind::Dispute, open.id.as_uuid())
            .await?
    {
        return if stored.opened == open {
            unchanged("dispute", open.id, "already open")
        } else {
            Ok(Err(invalid("id", "an id not used by another dispute")))
        };
    }
    let Some(invoice) = invoices::find_invoice(conn, organisation, open.invoice_id).await? else {
        return Ok(Err(invalid(
            "invoice_id",
            "an issued invoice of the organisation",
        )));
    };
    let dispute = Dispute {
        customer_id: invoice.customer_id,
        opened: open,
        resolution: None,
    };
    let summary = json!({
        "op": "put", "entity": "dispute", "id": dispute.opened.id,
        "invoice": invoice.number(), "reason": dispute.opened.reason,
    });
    let change = store_record(
        conn,
        ctx,
        Record::Dispute(dispute.clone()),
        Some(dispute.customer_id),
        1,
    )
    .await?;
    mark_disputed(conn, ctx, &dispute, true, change).await?;
    webhooks::enqueue(conn, organisation, Event::DisputeOpened, &dispute, ctx.now).await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}

pub(super) async fn resolve_dispute(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    resolve: ResolveDispute,
) -> Outcome {
    let organisation = ctx.organisation();
    let Some(mut dispute) = records::find_record::<Dispute>(
        conn,
        organisation,
        EntityKind::Dispute,
        resolve.id.as_uuid(),
    )
    .await?
    else {
        return Ok(Err(invalid("id", "an open dispute of the organisation")));
    };
    if !dispute.is_open() {
        return unchanged("dispute", resolve.id, "already resolved");
    }
    if resolve.resolved_on < dispute.opened.opened_on {
        return Ok(Err(invalid(
            "resolved_on",
            &format!(
                "on or after {}, the day it was opened",
                dispute.opened.opened_on
            ),
        )));
    }
    let summary = json!({
        "op": "put", "entity": "dispute", "id": resolve.id, "outcome": resolve.outcome,
    });
    dispute.resolution = Some(resolve);
    let change = store_record(
        conn,
        ctx,
        Record::Dispute(dispute.clone()),
        Some(dispute.customer_id),
        2,
    )
    .await?;
    mark_disputed(conn, ctx, &dispute, false, change).await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}

pub(super) async fn resolve_exception(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    resolve: ResolveException,
) -> Outcome {
    let organisation = ctx.organisation();
    let Some(mut item) = records::find_record::<ExceptionItem>(
        conn,
        organisation,
        EntityKind::Exception,
        resolve.id.as_uuid(),
    )
    .await?
    else {
        return Ok(Err(invalid("id", "an exception item of the organisation")));
    };
    if item.resolution.is_some() {
        return unchanged("exception", resolve.id, "already resolved");
    }
    item.resolution = Some(ExceptionResolution {
        remedy: resolve.remedy,
        note: resolve.note.trim().to_owned(),
        resolved_by: ctx.caller.user_id,
    });
    let customer = item.customer_id;
    let summary =
        json!({ "op": "put", "entity": "exception", "id": item.id, "remedy": resolve.remedy });
    let change = store_record(conn, ctx, Record::Exception(item), customer, 2).await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}
