//! The customer's questions and disputes: the facts of `remit_core::decide::threads`' decisions. The
//! customer's own messages arrive from the portal through the organisation's system client, so who
//! writes is read off the mutation's user: the system user writes for the customer, anyone else is a
//! billing user answering. The mails that tell the customer are queued by [`super::carry_out`].

use remit_core::decide::threads::{
    OpenThreadFacts, ReplyFacts, ResolveThreadFacts, decide_thread_open, decide_thread_reply,
    decide_thread_resolve,
};
use remit_core::decide::{Decision, Stored};
use remit_core::ids::{CustomerId, OrganisationId, UserId};
use remit_core::receivables::dispute::Dispute;
use remit_core::receivables::thread::{
    Author, OpenThread, ReplyToThread, ResolveThread, Thread, ThreadMessage,
};
use remit_core::sync::EntityKind;
use sqlx::AnyConnection;

use super::{ApplyError, Ctx};
use crate::store::{StoreError, accounts, credit_notes, customers, invoices, records};
use crate::sync::system::SystemClient;

/// Who the mutation's user writes as.
async fn author(conn: &mut AnyConnection, ctx: Ctx) -> Result<Author, StoreError> {
    let organisation = ctx.organisation();
    if ctx.cause.user == SystemClient::of(organisation).user {
        return Ok(Author::Customer);
    }
    let name = accounts::person_named(conn, organisation, ctx.cause.user)
        .await?
        .ok_or_else(|| StoreError::corrupt("user", "a mutation's user is not stored"))?;
    Ok(Author::User {
        user_id: ctx.cause.user,
        name,
    })
}

async fn thread(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: remit_core::ids::ThreadId,
) -> Result<Option<Stored<Thread>>, StoreError> {
    records::find_record::<Thread>(conn, organisation, EntityKind::Thread, id.as_uuid()).await
}

/// The customer's address for mail, empty when they have none (or are not found).
async fn customer_email(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: Option<CustomerId>,
) -> Result<String, StoreError> {
    let Some(customer) = customer else {
        return Ok(String::new());
    };
    Ok(customers::find_customer(conn, organisation, customer)
        .await?
        .map(|c| c.email)
        .unwrap_or_default())
}

pub(super) async fn open_thread(
    conn: &mut AnyConnection,
    ctx: Ctx,
    open: OpenThread,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let invoice = match open.invoice_id {
        Some(id) => invoices::find_invoice(conn, organisation, id).await?,
        None => None,
    };
    let recorded_by: Option<UserId> = match author(conn, ctx).await? {
        Author::Customer => None,
        Author::User { user_id, .. } => Some(user_id),
    };
    let facts = OpenThreadFacts {
        stored: thread(conn, organisation, open.id)
            .await?
            .map(|stored| stored.record),
        customer_known: customers::find_customer(conn, organisation, open.customer_id)
            .await?
            .is_some(),
        invoice,
        recorded_by,
    };
    Ok(decide_thread_open(&open, &facts)?)
}

pub(super) async fn reply(
    conn: &mut AnyConnection,
    ctx: Ctx,
    reply: ReplyToThread,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let thread = thread(conn, organisation, reply.thread_id).await?;
    let customer = thread.as_ref().map(|t| t.record.customer_id);
    let facts = ReplyFacts {
        stored: records::find_record::<ThreadMessage>(
            conn,
            organisation,
            EntityKind::ThreadMessage,
            reply.id.as_uuid(),
        )
        .await?
        .map(|stored| stored.record),
        customer_email: customer_email(conn, organisation, customer).await?,
        author: author(conn, ctx).await?,
        thread,
    };
    Ok(decide_thread_reply(&reply, &facts)?)
}

pub(super) async fn resolve(
    conn: &mut AnyConnection,
    ctx: Ctx,
    resolve: ResolveThread,
) -> Result<Decision, ApplyError> {
    let organisation = ctx.organisation();
    let thread = thread(conn, organisation, resolve.id).await?;
    let dispute = match thread.as_ref().and_then(|t| t.record.dispute_id) {
        Some(id) => {
            records::find_record::<Dispute>(conn, organisation, EntityKind::Dispute, id.as_uuid())
                .await?
        }
        None => None,
    };
    let credit_note = match resolve.credit_note_id {
        Some(id) => credit_notes::find_credit_note(conn, organisation, id).await?,
        None => None,
    };
    let customer = thread.as_ref().map(|t| t.record.customer_id);
    let facts = ResolveThreadFacts {
        customer_email: customer_email(conn, organisation, customer).await?,
        thread,
        dispute,
        credit_note,
        resolved_by: ctx.cause.user,
    };
    Ok(decide_thread_resolve(&resolve, &facts)?)
}
