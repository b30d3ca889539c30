//! Number leases, issuing, voiding and credit notes: the facts of `remit_core::decide::issuing`'s
//! decisions. The series' last number is read here and the next one stored in the mutation's
//! transaction, after the organisation's lock is taken, so numbers are gapless and never doubled, even
//! with several server processes on one database.

use remit_core::decide::Decision;
use remit_core::decide::issuing::{
    CreditNoteFacts, IssueFacts, LeaseFacts, ReturnFacts, VoidFacts, credit_note_sequence,
    decide_credit_note_issue, decide_invoice_issue, decide_invoice_void, decide_lease_return,
    decide_lease_take, device_code, issue_sequence, lease_sequence,
};
use remit_core::document::issued::{IssueCreditNote, IssueInvoice, NumberSource, VoidInvoice};
use remit_core::numbering::lease::{NumberLease, ReturnLease, TakeLease};
use sqlx::AnyConnection;

use super::{Accounts, ApplyError, Ctx, settings};
use crate::store::{credit_notes, customers, drafts, invoices, leases, sequences};

pub(super) async fn take_lease(
    conn: &mut AnyConnection,
    ctx: Ctx,
    request: TakeLease,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let settings = settings(conn, organisation).await?;
    let (given, known) = leases::device_code(conn, organisation, ctx.cause.client).await?;
    let device_code = device_code(given, known);
    let sequence = lease_sequence(&settings, &device_code);
    let facts = LeaseFacts {
        id_taken: leases::find_lease(conn, organisation, request.id)
            .await?
            .is_some(),
        highest_leased: leases::highest_leased(conn, organisation, &sequence).await?,
        settings,
        client: ctx.cause.client,
        device_code,
    };
    Ok(decide_lease_take(&request, &facts)?)
}

pub(super) async fn return_lease(
    conn: &mut AnyConnection,
    ctx: Ctx,
    request: ReturnLease,
) -> Result<Decision, ApplyError> {
    let lease = leases::find_lease(conn, ctx.organisation(), request.id).await?;
    let highest_used = match &lease {
        Some(lease) => leases::highest_used_in_lease(conn, lease.id).await?,
        None => 0,
    };
    let facts = ReturnFacts {
        lease,
        highest_used,
        client: ctx.cause.client,
    };
    Ok(decide_lease_return(&request, &facts)?)
}

/// The lease an issue names, and whether its number is already on an invoice.
async fn leased(
    conn: &mut AnyConnection,
    ctx: Ctx,
    issue: &IssueInvoice,
) -> Result<(Option<NumberLease>, bool), ApplyError> {
    let organisation = ctx.organisation();
    Ok(match &issue.number {
        NumberSource::Leased { lease_id, number } => (
            leases::find_lease(conn, organisation, *lease_id).await?,
            sequences::number_taken(conn, organisation, number.as_str()).await?,
        ),
        NumberSource::Server => (None, false),
    })
}

pub(super) async fn issue_invoice(
    conn: &mut AnyConnection,
    ctx: Ctx,
    issue: IssueInvoice,
    read: &mut Accounts,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let draft = &issue.draft;
    let settings = settings(conn, organisation).await?;
    let (lease, number_taken) = leased(conn, ctx, &issue).await?;
    let sequence = issue_sequence(&issue, &settings, lease.as_ref());
    let facts = IssueFacts {
        cause: ctx.cause,
        id_taken: invoices::find_invoice(conn, organisation, issue.invoice_id)
            .await?
            .is_some(),
        customer: customers::find_customer(conn, organisation, draft.customer_id).await?,
        draft_head: drafts::draft_head(conn, draft.id)
            .await?
            .filter(|(owner, _)| *owner == organisation)
            .map(|(_, head)| head),
        issued_from_draft: invoices::numbers_issued_from_draft(conn, organisation, draft.id)
            .await?,
        last_in_sequence: sequences::sequence_head(conn, organisation, &sequence).await?,
        account: read
            .read(conn, organisation, draft.customer_id, &[issue.invoice_id])
            .await?,
        settings,
        lease,
        number_taken,
    };
    Ok(decide_invoice_issue(&issue, &facts)?)
}

pub(super) async fn void_invoice(
    conn: &mut AnyConnection,
    ctx: Ctx,
    void: VoidInvoice,
    read: &mut Accounts,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let invoice = invoices::find_invoice(conn, organisation, void.invoice_id).await?;
    let (credit_notes, account) = match &invoice {
        Some(invoice) => (
            credit_notes::credit_notes_of(conn, organisation, invoice.id)
                .await?
                .len(),
            read.read(conn, organisation, invoice.customer_id, &[invoice.id])
                .await?,
        ),
        None => (0, Default::default()),
    };
    let facts = VoidFacts {
        invoice,
        credit_notes,
        settings: settings(conn, organisation).await?,
        account,
    };
    Ok(decide_invoice_void(&void, &facts)?)
}

pub(super) async fn issue_credit_note(
    conn: &mut AnyConnection,
    ctx: Ctx,
    request: IssueCreditNote,
    read: &mut Accounts,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let invoice = invoices::find_invoice(conn, organisation, request.invoice_id).await?;
    let (earlier, account) = match &invoice {
        Some(invoice) => (
            credit_notes::credit_notes_of(conn, organisation, invoice.id).await?,
            read.read(conn, organisation, invoice.customer_id, &[invoice.id])
                .await?,
        ),
        None => (Vec::new(), Default::default()),
    };
    let settings = settings(conn, organisation).await?;
    let sequence = credit_note_sequence(&request, &settings);
    let facts = CreditNoteFacts {
        id_taken: credit_notes::find_credit_note(conn, organisation, request.credit_note_id)
            .await?
            .is_some(),
        invoice,
        earlier,
        last_in_sequence: sequences::sequence_head(conn, organisation, &sequence).await?,
        settings,
        account,
    };
    Ok(decide_credit_note_issue(&request, &facts)?)
}
