//! Keeps this device ready to issue offline: after each sync pass (so the device is online and its
//! copy of settings, leases and invoices is fresh) core decides whether to lease more numbers, and the
//! lease is recorded like any change. It reaches the server with the next pass.

use leptos::prelude::*;
use remit_core::ids::LeaseId;
use remit_core::numbering::lease::{TakeLease, lease_to_take};
use remit_core::sync::Command;
use uuid::Uuid;

use crate::state::AppState;
use crate::store::StoreError;

/// Records a `number_lease.take` when core says the device holds too few unused numbers.
pub async fn keep_leased(app: AppState) -> Result<(), StoreError> {
    // A read-only user's lease would be refused: they cannot issue at all.
    let may_write = app
        .session
        .with_untracked(|s| s.as_ref().is_some_and(|s| s.user.role.may_write()));
    if !may_write {
        return Ok(());
    }
    let stock = app.store().lease_stock().await?;
    let Some(settings) = stock.settings else {
        return Ok(());
    };
    let Some(count) = lease_to_take(
        stock.client,
        &settings,
        &stock.leases,
        &stock.used,
        &stock.outbox,
    ) else {
        return Ok(());
    };
    let id = LeaseId::try_from(Uuid::now_v7())?;
    app.record(Command::TakeLease(TakeLease {
        id,
        organisation_id: settings.organisation_id,
        count,
    }))
    .await
}
