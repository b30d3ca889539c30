//! Carrying out a core [`Decision`]: every write takes the organisation's next change number and is
//! stored with the account event recorded at it; then the exception items; then the notices are queued
//! as webhook deliveries and the mails for the sender. All in the mutation's transaction, so all of it
//! commits or none.

use remit_core::decide::threads::AnswerMail;
use remit_core::decide::{Change, Decision, Write};
use remit_core::ids::{CustomerId, InvoiceId};
use remit_core::sync::{EntityKind, PatchOp, Record};
use serde_json::Value;
use sqlx::AnyConnection;

use super::{Accounts, Ctx};
use crate::store::records::RecordWrite;
use crate::store::{
    StoreError, changes, credit_notes, customers, drafts, gateway, invoices, leases, ledger, mail,
    records,
};
use crate::webhooks;

/// What an applied mutation did.
#[derive(Debug)]
pub struct Applied {
    /// The last change it appended; `None` when it changed nothing (deleting a draft that is gone).
    pub change_no: Option<u64>,
    /// What the audit log records of it.
    pub audit: Value,
    /// Customers to tell, by mail with a fresh portal link, that their question has an answer.
    pub answers: Vec<AnswerMail>,
}

/// Carries out `decision`; `read` are the customers' accounts as its facts were loaded.
pub(super) async fn carry_out(
    conn: &mut AnyConnection,
    ctx: Ctx,
    decision: Decision,
    mut read: Accounts,
) -> Result<Applied, StoreError> {
    let mut change_no = None;
    for change in decision.writes() {
        change_no = Some(store(conn, ctx, change, &mut read).await?);
    }
    for item in &decision.exceptions {
        tracing::warn!(exception = %item.message, "exception item raised");
    }
    for notice in &decision.notices {
        webhooks::enqueue(conn, ctx.organisation(), notice, ctx.now).await?;
    }
    for outgoing in &decision.mails {
        mail::insert(conn, outgoing, ctx.now).await?;
    }
    for refund in &decision.refunds {
        gateway::queue_refund(conn, refund, ctx.now).await?;
    }
    Ok(Applied {
        change_no,
        audit: decision.audit,
        answers: decision.answers,
    })
}

/// Stores one change under the next change number, and the account event recorded at it.
async fn store(
    conn: &mut AnyConnection,
    ctx: Ctx,
    change: Change,
    read: &mut Accounts,
) -> Result<u64, StoreError> {
    let organisation = ctx.organisation();
    let change_no = changes::next_change_no(conn, organisation).await?;
    let at = At { ctx, change_no };
    match change.write {
        Write::Customer(customer) => {
            customers::upsert_customer(conn, &customer, change_no, ctx.now).await?;
            put(conn, at, Record::Customer(customer)).await?;
        }
        Write::Draft { draft, totals } => {
            let client = ctx.cause.client;
            drafts::save_draft(conn, &draft, &totals, client, change_no, ctx.now).await?;
            put(conn, at, Record::InvoiceDraft(Box::new(draft))).await?;
        }
        Write::DeleteDraft(id) => delete_draft(conn, at, id).await?,
        Write::Record {
            record,
            customer,
            version,
        } => put_record(conn, at, &record, customer, version).await?,
        Write::Lease { lease, device_code } => {
            leases::save_lease(conn, &lease, &device_code, change_no).await?;
        }
        Write::Invoice(invoice) => {
            invoices::insert_invoice(conn, &invoice, change_no, ctx.now).await?;
        }
        Write::Void(invoice) => invoices::mark_voided(conn, &invoice, change_no).await?,
        Write::CreditNote(note) => {
            credit_notes::insert_credit_note(conn, &note, change_no, ctx.now).await?;
        }
    }
    if let Some((customer, event)) = change.account {
        let before = read.take(customer);
        ledger::append(conn, organisation, customer, &event, change_no, before).await?;
    }
    Ok(change_no)
}

/// A write's place: the mutation's context and the change number it takes.
#[derive(Clone, Copy)]
struct At {
    ctx: Ctx,
    change_no: u64,
}

/// Appends the change that puts `record` (kept in its own table) to the organisation's log.
async fn put(conn: &mut AnyConnection, at: At, record: Record) -> Result<(), StoreError> {
    let op = PatchOp::Put {
        change: at.change_no,
        record,
    };
    changes::insert_change(conn, at.ctx.organisation(), &op).await
}

async fn delete_draft(conn: &mut AnyConnection, at: At, id: InvoiceId) -> Result<(), StoreError> {
    let organisation = at.ctx.organisation();
    drafts::delete_draft(conn, organisation, id).await?;
    let op = PatchOp::Del {
        change: at.change_no,
        entity: EntityKind::InvoiceDraft,
        id: id.as_uuid(),
    };
    changes::insert_change(conn, organisation, &op).await
}

async fn put_record(
    conn: &mut AnyConnection,
    at: At,
    record: &Record,
    customer: Option<CustomerId>,
    version: u64,
) -> Result<(), StoreError> {
    let write = RecordWrite {
        record,
        customer,
        version,
        client: at.ctx.cause.client,
        change_no: at.change_no,
        now_ms: at.ctx.now,
    };
    records::put_record(conn, at.ctx.organisation(), write).await
}
