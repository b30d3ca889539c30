//! Payments, refunds, disputes and exception items: the facts of `remit_core::decide::receivables`'
//! decisions.

use remit_core::decide::Decision;
use remit_core::decide::receivables::{
    OpenDisputeFacts, PaymentFacts, RefundFacts, decide_dispute_open, decide_dispute_resolve,
    decide_exception_resolve, decide_payment_record, decide_payment_refund,
};
use remit_core::gateway::{RefundRefused, RefundRefusedFacts, decide_refund_refused};
use remit_core::receivables::dispute::{Dispute, OpenDispute, ResolveDispute};
use remit_core::receivables::exception::{ExceptionItem, ResolveException};
use remit_core::receivables::payment::{Payment, RecordPayment, RefundPayment};
use remit_core::sync::EntityKind;
use sqlx::AnyConnection;

use super::{Accounts, ApplyError, Ctx, settings};
use crate::store::{customers, gateway, invoices, records};

pub(super) async fn record_payment(
    conn: &mut AnyConnection,
    ctx: Ctx,
    received: RecordPayment,
    read: &mut Accounts,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let id = received.id.as_uuid();
    let mut named_invoices = Vec::new();
    for &invoice in received.named_invoices() {
        named_invoices.extend(invoices::find_invoice(conn, organisation, invoice).await?);
    }
    let facts = PaymentFacts {
        cause: ctx.cause,
        stored: records::find_record::<Payment>(conn, organisation, EntityKind::Payment, id)
            .await?
            .map(|stored| stored.record),
        customer_known: customers::find_customer(conn, organisation, received.customer_id)
            .await?
            .is_some(),
        named_invoices,
        account: read
            .read(
                conn,
                organisation,
                received.customer_id,
                received.named_invoices(),
            )
            .await?,
        settings: settings(conn, organisation).await?,
    };
    Ok(decide_payment_record(&received, &facts)?)
}

pub(super) async fn refund(
    conn: &mut AnyConnection,
    ctx: Ctx,
    refund: RefundPayment,
    read: &mut Accounts,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let payment = match refund.payment_id {
        Some(id) => records::find_record(conn, organisation, EntityKind::Payment, id.as_uuid())
            .await?
            .map(|stored| stored.record),
        None => None,
    };
    let id = refund.id.as_uuid();
    let gateway = match refund.payment_id {
        Some(payment) => gateway::charge_of(conn, organisation, payment).await?,
        None => None,
    };
    let facts = RefundFacts {
        cause: ctx.cause,
        stored: records::find_record(conn, organisation, EntityKind::Refund, id)
            .await?
            .map(|stored| stored.record),
        customer_known: customers::find_customer(conn, organisation, refund.customer_id)
            .await?
            .is_some(),
        payment,
        account: read
            .read(conn, organisation, refund.customer_id, &[])
            .await?,
        gateway,
    };
    Ok(decide_payment_refund(&refund, &facts)?)
}

/// `refund.refused`: the refund as recorded, and the exception item already raised for it.
pub(super) async fn refund_refused(
    conn: &mut AnyConnection,
    ctx: Ctx,
    refused: RefundRefused,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let facts = RefundRefusedFacts {
        refund: records::find_record::<RefundPayment>(
            conn,
            organisation,
            EntityKind::Refund,
            refused.refund_id.as_uuid(),
        )
        .await?
        .map(|stored| stored.record),
        raised: records::find_record::<ExceptionItem>(
            conn,
            organisation,
            EntityKind::Exception,
            refused.exception_id().as_uuid(),
        )
        .await?
        .map(|stored| stored.record),
    };
    Ok(decide_refund_refused(&refused, &facts)?)
}

pub(super) async fn open_dispute(
    conn: &mut AnyConnection,
    ctx: Ctx,
    open: OpenDispute,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let facts = OpenDisputeFacts {
        stored: records::find_record::<Dispute>(
            conn,
            organisation,
            EntityKind::Dispute,
            open.id.as_uuid(),
        )
        .await?
        .map(|stored| stored.record),
        invoice: invoices::find_invoice(conn, organisation, open.invoice_id).await?,
    };
    Ok(decide_dispute_open(&open, &facts)?)
}

pub(super) async fn resolve_dispute(
    conn: &mut AnyConnection,
    ctx: Ctx,
    resolve: ResolveDispute,
) -> Result<Decision, ApplyError> {
    let kind = EntityKind::Dispute;
    let id = resolve.id.as_uuid();
    let stored = records::find_record::<Dispute>(conn, ctx.organisation(), kind, id).await?;
    Ok(decide_dispute_resolve(&resolve, stored.as_ref())?)
}

pub(super) async fn resolve_exception(
    conn: &mut AnyConnection,
    ctx: Ctx,
    resolve: ResolveException,
) -> Result<Decision, ApplyError> {
    let kind = EntityKind::Exception;
    let id = resolve.id.as_uuid();
    let stored = records::find_record::<ExceptionItem>(conn, ctx.organisation(), kind, id).await?;
    Ok(decide_exception_resolve(
        &resolve,
        stored.as_ref(),
        &ctx.cause,
    )?)
}
