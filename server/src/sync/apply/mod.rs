//! Applying one mutation: decode and check it through core, load the facts core's decision needs, ask
//! core, and carry out the decision. One module per part of the business, matching `remit_core::decide`;
//! none of them decides anything itself.
//!
//! - [`drafts`]: customers and invoice drafts.
//! - [`catalogue`]: catalogue items and the organisation's settings.
//! - [`issuing`]: number leases, issuing, voiding, credit notes.
//! - [`receivables`]: payments, refunds, disputes, exception items.
//! - [`mail`]: issued documents sent by mail.
//! - [`threads`]: the customer's questions and disputes.
//! - [`carry_out`]: storing a decision's writes, account events, exception items, notices and mail.

mod carry_out;
mod catalogue;
mod drafts;
mod issuing;
mod mail;
mod receivables;
mod threads;

use remit_core::decide::{Cause, Decision, ensure_own};
use remit_core::ids::{CustomerId, InvoiceId, OrganisationId};
use remit_core::receivables::account::Account;
use remit_core::sync::{Command, Mutation, MutationError};
use sqlx::AnyConnection;

use super::Caller;
use crate::store::records::settings;
use crate::store::{StoreError, changes, ledger, records};

pub use carry_out::Applied;

/// Why a mutation was not applied: core refused it (recorded as its result), or the database failed
/// (the push fails and is sent again).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("refused: {0}")]
    Refused(#[from] MutationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who applies a mutation, and when.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub cause: Cause,
    pub now: i64,
}

impl Ctx {
    fn organisation(&self) -> OrganisationId {
        self.cause.organisation
    }
}

/// Decodes and checks the mutation through core, loads the facts, asks core, carries out the decision.
pub async fn apply(
    conn: &mut AnyConnection,
    caller: &Caller,
    ctx: Ctx,
    mutation: &Mutation,
) -> Result<Applied, ApplyError> {
    let command = Command::decode(mutation)?;
    command.check(caller.organisation_id, caller.role)?;
    // Every write of the organisation waits here for the one before it to commit, so a decision is
    // always taken on committed state: two issues never both read the same last number. (SQLite's
    // `BEGIN IMMEDIATE` already serialises writers; on PostgreSQL this is the clock row's lock.)
    changes::lock_organisation(conn, ctx.organisation()).await?;
    let (kind, id) = command.target();
    ensure_own(
        records::record_owner(conn, kind, id).await?,
        ctx.organisation(),
    )?;
    let mut read = Accounts::default();
    let decision = decide(conn, ctx, command, &mut read).await?;
    Ok(carry_out::carry_out(conn, ctx, decision, read).await?)
}

/// Loads the facts of `command` and asks core for its decision; the customers' accounts it reads are
/// kept in `read` for carrying the decision out.
async fn decide(
    conn: &mut AnyConnection,
    ctx: Ctx,
    command: Command,
    read: &mut Accounts,
) -> Result<Decision, ApplyError> {
    match command {
        Command::UpsertCustomer(customer) => drafts::upsert_customer(conn, customer).await,
        Command::SaveDraft(draft) => drafts::save_draft(conn, ctx, draft).await,
        Command::DeleteDraft(target) => drafts::delete_draft(conn, ctx, target).await,
        Command::UpsertItem(item) => catalogue::upsert_item(conn, ctx, item).await,
        Command::SaveSettings(settings) => catalogue::save_settings(conn, ctx, settings).await,
        Command::TakeLease(request) => issuing::take_lease(conn, ctx, request).await,
        Command::ReturnLease(request) => issuing::return_lease(conn, ctx, request).await,
        Command::IssueInvoice(issue) => issuing::issue_invoice(conn, ctx, issue, read).await,
        Command::VoidInvoice(void) => issuing::void_invoice(conn, ctx, void, read).await,
        Command::IssueCreditNote(request) => {
            issuing::issue_credit_note(conn, ctx, request, read).await
        }
        Command::RecordPayment(payment) => {
            receivables::record_payment(conn, ctx, payment, read).await
        }
        Command::RefundPayment(refund) => receivables::refund(conn, ctx, refund, read).await,
        Command::OpenDispute(open) => receivables::open_dispute(conn, ctx, open).await,
        Command::ResolveDispute(resolve) => receivables::resolve_dispute(conn, ctx, resolve).await,
        Command::ResolveException(resolve) => {
            receivables::resolve_exception(conn, ctx, resolve).await
        }
        Command::SendMail(request) => mail::send_mail(conn, ctx, request).await,
        Command::OpenThread(open) => threads::open_thread(conn, ctx, open).await,
        Command::ReplyToThread(reply) => threads::reply(conn, ctx, reply).await,
        Command::ResolveThread(resolve) => threads::resolve(conn, ctx, resolve).await,
        Command::RefundRefused(refused) => receivables::refund_refused(conn, ctx, refused).await,
    }
}

/// The customers' positions a mutation read, each as [`ledger::current`] read it: carrying out the
/// decision applies its event to that position instead of reading the snapshot again.
#[derive(Default)]
pub(super) struct Accounts(Vec<(CustomerId, ledger::Read)>);

impl Accounts {
    /// A customer's account at its position (its snapshot, kept by core's apply of each event, see
    /// [`ledger`]), with the settled `invoices` the command names restored into it.
    async fn read(
        &mut self,
        conn: &mut AnyConnection,
        organisation: OrganisationId,
        customer: CustomerId,
        invoices: &[InvoiceId],
    ) -> Result<Account, StoreError> {
        let read = ledger::current(conn, organisation, customer, invoices).await?;
        let account = read.account();
        self.0.push((customer, read));
        Ok(account)
    }

    /// The customer's position as read, once.
    fn take(&mut self, customer: CustomerId) -> Option<ledger::Read> {
        let at = self.0.iter().position(|(c, _)| *c == customer)?;
        Some(self.0.swap_remove(at).1)
    }
}
