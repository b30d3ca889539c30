//! Local changes and the outbox.
//!
//! A change is a core [`Command`]. [`stage`] writes its local effect, the mutation core records for it
//! and the advanced [`ClientSync`] into one transaction; [`Store::record`] commits that transaction.
//! An invoice issued offline also carries the provisional invoice core decided ([`stage_with`]). The
//! sync state is read inside the same transaction, so two tabs (or a sync reply arriving meanwhile) can
//! never hand out the same mutation id twice.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use remit_core::sync::{ClientSync, Command, LocalEffect, Mutation, Record};
use wasm_bindgen::JsValue;

use super::meta::{self, SYNC};
use super::records::{delete_record, put_record};
use super::schema::{META, OUTBOX, record_stores};
use super::{Store, StoreError, StoreResult, from_js, to_js};

/// The stores a local change writes: the record stores, the outbox and `meta`.
pub fn change_stores() -> Vec<&'static str> {
    let mut stores = record_stores();
    stores.extend([OUTBOX, META]);
    stores
}

/// Stages `command` in `tx` (opened read-write over [`change_stores`]): the record, its mutation and the
/// sync state. Nothing is stored until the caller commits `tx`; dropping or aborting it stores none of it.
pub async fn stage(tx: &Transaction<'_>, command: &Command) -> StoreResult<Mutation> {
    stage_with(tx, command, None).await
}

/// [`stage`], plus a `provisional` record the device shows until the server's copy arrives: the invoice
/// it issued offline, as core decided it. It is written in the same transaction as the mutation, so an
/// invoice can never be on screen without the mutation that tells the server about it.
pub async fn stage_with(
    tx: &Transaction<'_>,
    command: &Command,
    provisional: Option<&Record>,
) -> StoreResult<Mutation> {
    let meta = tx.object_store(META)?;
    let mut sync: ClientSync = meta::get(&meta, SYNC)
        .await?
        .ok_or_else(|| StoreError::SignedOut)?;
    let mutation = sync.record(command);
    match command.local_effect() {
        LocalEffect::Put(record) => put_record(tx, &record).await?,
        LocalEffect::Delete(kind, id) => delete_record(tx, kind, id).await?,
        LocalEffect::Nothing => {}
    }
    if let Some(record) = provisional {
        put_record(tx, record).await?;
    }
    tx.object_store(OUTBOX)?.put(to_js(&mutation)?).await?;
    meta::put(&meta, SYNC, &sync).await?;
    Ok(mutation)
}

/// The key of a mutation id (in `outbox` and `rejected`). Mutation ids are stored as JSON numbers; a `u64` would cross into JS as a BigInt,
/// which is not a valid IndexedDB key. Ids stay far below 2^53.
pub(super) fn outbox_key(id: u64) -> f64 {
    id as f64
}

impl Store {
    /// Stores a local change and its mutation in one transaction.
    pub async fn record(&self, command: &Command) -> StoreResult<Mutation> {
        let tx = self.write(&change_stores())?;
        let mutation = stage(&tx, command).await?;
        tx.commit().await?;
        Ok(mutation)
    }

    /// Stores several local changes in one transaction, their mutations in the given order: the server
    /// processes them in that order (a credit note before the resolution that names it), and either all
    /// of them wait to sync or none.
    pub async fn record_all(&self, commands: &[Command]) -> StoreResult<Vec<Mutation>> {
        let tx = self.write(&change_stores())?;
        let mut mutations = Vec::with_capacity(commands.len());
        for command in commands {
            mutations.push(stage(&tx, command).await?);
        }
        tx.commit().await?;
        Ok(mutations)
    }

    /// Every mutation waiting to sync, oldest first (the outbox is keyed by mutation id).
    pub async fn outbox(&self) -> StoreResult<Vec<Mutation>> {
        let tx = self.read(&[OUTBOX])?;
        read_outbox(&tx).await
    }

    /// How many changes wait to sync.
    pub async fn outbox_len(&self) -> StoreResult<u32> {
        let tx = self.read(&[OUTBOX])?;
        Ok(tx.object_store(OUTBOX)?.count().await?)
    }
}

pub(super) async fn read_outbox(tx: &Transaction<'_>) -> StoreResult<Vec<Mutation>> {
    let rows = tx.object_store(OUTBOX)?.get_all::<JsValue>().await?;
    rows.map(|row| from_js(&row?)).collect()
}
