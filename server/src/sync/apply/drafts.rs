//! Customers and invoice drafts: the facts of `remit_core::decide::drafts`' decisions.

use remit_core::customer::Customer;
use remit_core::decide::Decision;
use remit_core::decide::drafts::{
    DraftFacts, decide_customer_upsert, decide_draft_delete, decide_draft_save,
};
use remit_core::document::InvoiceDraft;
use remit_core::sync::mutation::DraftRef;
use sqlx::AnyConnection;

use super::{ApplyError, Ctx};
use crate::store::{customers, drafts};

pub(super) async fn upsert_customer(
    conn: &mut AnyConnection,
    customer: Customer,
) -> Result<Decision, ApplyError> {
    let owner = customers::customer_owner(conn, customer.id).await?;
    Ok(decide_customer_upsert(customer, owner)?)
}

pub(super) async fn save_draft(
    conn: &mut AnyConnection,
    ctx: Ctx,
    draft: InvoiceDraft,
) -> Result<Decision, ApplyError> {
    let facts = DraftFacts {
        stored: drafts::draft_head(conn, draft.id).await?,
        customer_owner: customers::customer_owner(conn, draft.customer_id).await?,
        client: ctx.cause.client,
    };
    Ok(decide_draft_save(draft, &facts)?)
}

pub(super) async fn delete_draft(
    conn: &mut AnyConnection,
    ctx: Ctx,
    target: DraftRef,
) -> Result<Decision, ApplyError> {
    let stored = drafts::draft_head(conn, target.id).await?;
    Ok(decide_draft_delete(&target, stored, ctx.cause.client)?)
}
