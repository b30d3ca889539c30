//! Applying one mutation: decode and check it through core, load what core's decision needs, ask core,
//! store the outcome. One module per part of the business; none of them decides anything itself.
//!
//! - [`drafts`]: customers and invoice drafts.
//! - [`catalogue`]: catalogue items and the organisation's settings.
//! - [`issuing`]: number leases, issuing, voiding, credit notes.
//! - [`receivables`]: payments, refunds, disputes, exception items.

mod catalogue;
mod drafts;
mod issuing;
mod receivables;

use remit_core::ids::{ClientId, CustomerId, ExceptionId, OrganisationId};
use remit_core::receivables::exception::{ExceptionItem, ExceptionKind};
use remit_core::settings::Settings;
use remit_core::sync::{Command, EntityKind, Mutation, MutationError, Record};
use sqlx::AnyConnection;
use uuid::Uuid;

use super::Caller;
use crate::store::changes;
use crate::store::records::{self, RecordWrite};
use crate::store::{StoreError, accounts};

/// What an applied mutation did.
pub struct Applied {
    /// The last change it appended; `None` when it changed nothing (deleting a draft that is gone).
    pub change_no: Option<u64>,
    pub summary: serde_json::Value,
}

/// A mutation's effect, or its refusal; the outer error is a failure of the database.
pub type Outcome = Result<Result<Applied, MutationError>, StoreError>;

/// Who applies a mutation, and when.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub caller: &'a Caller,
    pub client: ClientId,
    pub now: i64,
}

impl Ctx<'_> {
    fn organisation(&self) -> OrganisationId {
        self.caller.organisation_id
    }
}

/// Decodes, checks and decides the mutation through core, then stores its effect.
pub async fn apply(
    conn: &mut AnyConnection,
    caller: &Caller,
    client: ClientId,
    mutation: &Mutation,
    now: i64,
) -> Outcome {
    let command = match Command::decode(mutation)
        .and_then(|c| c.check(caller.organisation_id, caller.role).map(|()| c))
    {
        Ok(command) => command,
        Err(e) => return Ok(Err(e)),
    };
    // Every write of the organisation waits here for the one before it to commit, so a decision is
    // always taken on committed state: two issues never both read the same last number. (SQLite's
    // `BEGIN IMMEDIATE` already serialises writers; on PostgreSQL this is the clock row's lock.)
    changes::lock_organisation(conn, caller.organisation_id).await?;
    let (kind, id) = command.target();
    if let Some(e) = foreign(
        records::record_owner(conn, kind, id).await?,
        &caller.organisation_id,
    ) {
        return Ok(Err(e));
    }
    let ctx = Ctx {
        caller,
        client,
        now,
    };
    match command {
        Command::UpsertCustomer(customer) => drafts::upsert_customer(conn, customer, now).await,
        Command::SaveDraft(draft) => drafts::save_draft(conn, draft, client, now).await,
        Command::DeleteDraft(target) => drafts::delete_draft(conn, target, client).await,
        Command::UpsertItem(item) => catalogue::upsert_item(conn, ctx, item).await,
        Command::SaveSettings(settings) => catalogue::save_settings(conn, ctx, settings).await,
        Command::TakeLease(request) => issuing::take_lease(conn, ctx, request).await,
        Command::ReturnLease(request) => issuing::return_lease(conn, ctx, request).await,
        Command::IssueInvoice(issue) => issuing::issue_invoice(conn, ctx, issue).await,
        Command::VoidInvoice(void) => issuing::void_invoice(conn, ctx, void).await,
        Command::IssueCreditNote(request) => issuing::issue_credit_note(conn, ctx, request).await,
        Command::RecordPayment(payment) => receivables::record_payment(conn, ctx, payment).await,
        Command::RefundPayment(refund) => receivables::refund(conn, ctx, refund).await,
        Command::OpenDispute(open) => receivables::open_dispute(conn, ctx, open).await,
        Command::ResolveDispute(resolve) => receivables::resolve_dispute(conn, ctx, resolve).await,
        Command::ResolveException(resolve) => {
            receivables::resolve_exception(conn, ctx, resolve).await
        }
    }
}

/// Takes the next change number and stores `record` in the `records` table under it.
async fn store_record(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    record: Record,
    customer: Option<CustomerId>,
    version: u64,
) -> Result<u64, StoreError> {
    let change_no = changes::next_change_no(conn, ctx.organisation()).await?;
    records::put_record(
        conn,
        ctx.organisation(),
        RecordWrite {
            record: &record,
            customer,
            version,
            client: ctx.client,
            change_no,
            now_ms: ctx.now,
        },
    )
    .await?;
    Ok(change_no)
}

/// Raises an exception item for each broken rule a recorded fact came with. Returns the last change.
async fn raise(
    conn: &mut AnyConnection,
    ctx: Ctx<'_>,
    customer: Option<CustomerId>,
    kinds: Vec<ExceptionKind>,
) -> Result<Option<u64>, StoreError> {
    let mut last = None;
    for kind in kinds {
        let id = ExceptionId::try_from(Uuid::now_v7())
            .map_err(|e| StoreError::corrupt("exception id", e))?;
        tracing::warn!(exception = %kind.describe(), "exception item raised");
        let item = ExceptionItem::raise(id, ctx.organisation(), customer, kind);
        last = Some(store_record(conn, ctx, Record::Exception(item), customer, 1).await?);
    }
    Ok(last)
}

/// The organisation's settings: as last saved, or what a new organisation starts with.
async fn settings(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> Result<Settings, StoreError> {
    if let Some(settings) = records::find_record(
        conn,
        organisation,
        EntityKind::Settings,
        organisation.as_uuid(),
    )
    .await?
    {
        return Ok(settings);
    }
    let name = accounts::organisation(conn, organisation)
        .await?
        .map(|o| o.name)
        .ok_or_else(|| {
            StoreError::corrupt("organisation", "a signed-in organisation is missing")
        })?;
    Ok(Settings::initial(organisation, &name))
}

/// Refuses to touch an id that another organisation already uses. Ids come from clients; a client must
/// not be able to overwrite (or learn more than the existence of) another tenant's record.
fn foreign(owner: Option<OrganisationId>, caller: &OrganisationId) -> Option<MutationError> {
    match owner {
        Some(owner) if owner != *caller => Some(MutationError::forbidden(
            "id",
            "id is already used by a record the signed-in user cannot change",
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_another_organisations_id_is_foreign() {
        let mine = OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap();
        let theirs = OrganisationId::parse("019a4d5e-0000-7000-8000-000000000002").unwrap();
        assert!(foreign(None, &mine).is_none());
        assert!(foreign(Some(mine), &mine).is_none());
        assert_eq!(
            foreign(Some(theirs), &mine).unwrap().kind,
            remit_core::sync::MutationErrorKind::Forbidden
        );
    }
}
