//! Typed records and their shape in IndexedDB, and the reads the screens need.
//!
//! Records are JSON objects (see [`super::to_js`]): a draft record holds the draft exactly as core
//! serializes it plus the totals core computed when it was stored, so anyone reading the database sees
//! the same amounts the screen showed.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use remit_core::customer::Customer;
use remit_core::document::{DocumentTotals, InvoiceDraft, compute};
use remit_core::ids::{CustomerId, InvoiceId};
use remit_core::sync::{EntityKind, Mutation, MutationError, Record};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::outbox::outbox_key;
use super::schema::{BY_CUSTOMER, CONFLICTS, CUSTOMERS, INVOICE_DRAFTS, REJECTED, store_of};
use super::{Store, StoreResult, from_js, to_js};

/// Writes a record into its store: a draft with the totals core computes for it, any other record as
/// core serializes it.
pub(super) async fn put_record(tx: &Transaction<'_>, record: &Record) -> StoreResult<()> {
    let store = tx.object_store(store_of(record.kind()))?;
    let value = match record {
        Record::InvoiceDraft(draft) => to_js(&DraftRecord::new(draft.clone()))?,
        other => {
            let mut tagged = serde_json::to_value(other)?;
            to_js(&tagged["value"].take())?
        }
    };
    store.put(value).await?;
    Ok(())
}

/// Deletes a record from its store.
pub(super) async fn delete_record(
    tx: &Transaction<'_>,
    kind: EntityKind,
    id: Uuid,
) -> StoreResult<()> {
    tx.object_store(store_of(kind))?
        .delete(id.to_string())
        .await?;
    Ok(())
}

/// Every row of `store` in `tx` that this build can read; see [`Store::all`].
pub(super) async fn read_all<T: serde::de::DeserializeOwned>(
    tx: &Transaction<'_>,
    store: &str,
) -> StoreResult<Vec<T>> {
    let rows = tx.object_store(store)?.get_all::<JsValue>().await?;
    let mut out = Vec::new();
    for row in rows {
        if let Ok(value) = from_js(&row?) {
            out.push(value);
        }
    }
    Ok(out)
}

/// One row of `invoice_drafts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftRecord {
    pub id: InvoiceId,
    /// Duplicated out of `draft` for the `by_customer` index (an index needs a top-level key path).
    pub customer_id: CustomerId,
    pub draft: InvoiceDraft,
    /// What core computed from `draft` when it was stored; `None` if it could not be computed. A copy for
    /// readers of the database: the editor always recomputes from `draft`.
    pub totals: Option<DocumentTotals>,
}

impl DraftRecord {
    pub fn new(draft: InvoiceDraft) -> Self {
        Self {
            id: draft.id,
            customer_id: draft.customer_id,
            totals: compute(&draft).ok(),
            draft,
        }
    }

    /// Turns a version-1 `drafts` row (the bare draft) into a version-2 record. A row this build cannot
    /// read is wrapped as it is, so the upgrade never loses anything; [`Store::drafts`] skips it.
    pub fn from_v1(v1: &JsValue) -> StoreResult<JsValue> {
        let raw: serde_json::Value = from_js(v1)?;
        match serde_json::from_value::<InvoiceDraft>(raw.clone()) {
            Ok(draft) => to_js(&DraftRecord::new(draft)),
            Err(_) => to_js(&json!({
                "id": raw["id"],
                "customer_id": raw["customer_id"],
                "draft": raw,
                "totals": null,
            })),
        }
    }
}

/// One row of `conflicts`: the local copy of a draft whose push lost a race with another device. Keyed
/// by the draft's id; a later conflict of the same draft replaces it with the later local copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictRecord {
    pub id: Uuid,
    pub mutation: Mutation,
    pub error: Option<MutationError>,
    /// The draft as this device last saved it (for a conflicting save); `None` for a conflicting delete,
    /// where the other device's version comes back with the next pull.
    pub draft: Option<InvoiceDraft>,
}

/// One row of `rejected`: a mutation the server refused, kept to show the user. Keyed by mutation id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedRecord {
    pub id: u64,
    pub mutation: Mutation,
    pub error: Option<MutationError>,
}

impl Store {
    /// Every customer, by name.
    pub async fn customers(&self) -> StoreResult<Vec<Customer>> {
        let mut customers: Vec<Customer> = self.all(CUSTOMERS).await?;
        customers.sort_by_key(|c| c.name.to_lowercase());
        Ok(customers)
    }

    pub async fn customer(&self, id: CustomerId) -> StoreResult<Option<Customer>> {
        self.one(CUSTOMERS, &id.to_string()).await
    }

    /// Every readable draft, newest first (ids are UUIDv7, so they sort by creation time).
    pub async fn drafts(&self) -> StoreResult<Vec<DraftRecord>> {
        let mut drafts: Vec<DraftRecord> = self.all(INVOICE_DRAFTS).await?;
        drafts.sort_by_key(|d| std::cmp::Reverse(d.id));
        Ok(drafts)
    }

    pub async fn draft(&self, id: InvoiceId) -> StoreResult<Option<DraftRecord>> {
        self.one(INVOICE_DRAFTS, &id.to_string()).await
    }

    /// A customer's drafts, through the `by_customer` index.
    pub async fn drafts_of(&self, customer: CustomerId) -> StoreResult<Vec<DraftRecord>> {
        let tx = self.read(&[INVOICE_DRAFTS])?;
        let drafts = tx.object_store(INVOICE_DRAFTS)?;
        let index = drafts.index(BY_CUSTOMER)?;
        let rows = index
            .get_all::<JsValue>()
            .with_query(customer.to_string())
            .await?;
        let mut drafts = Vec::new();
        for row in rows {
            if let Ok(draft) = from_js(&row?) {
                drafts.push(draft);
            }
        }
        drafts.sort_by_key(|d: &DraftRecord| std::cmp::Reverse(d.id));
        Ok(drafts)
    }

    pub async fn conflicts(&self) -> StoreResult<Vec<ConflictRecord>> {
        self.all(CONFLICTS).await
    }

    pub async fn rejected(&self) -> StoreResult<Vec<RejectedRecord>> {
        self.all(REJECTED).await
    }

    /// Forgets a refused change once the user has read it.
    pub async fn dismiss_rejected(&self, id: u64) -> StoreResult<()> {
        let tx = self.write(&[REJECTED])?;
        tx.object_store(REJECTED)?.delete(outbox_key(id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every row of `store` that this build can read. A row it cannot read (written by a newer build, or
    /// kept as-is by a migration) is left in place and skipped, never deleted.
    async fn all<T: serde::de::DeserializeOwned>(&self, store: &str) -> StoreResult<Vec<T>> {
        let tx = self.read(&[store])?;
        read_all(&tx, store).await
    }

    async fn one<T: serde::de::DeserializeOwned>(
        &self,
        store: &str,
        key: &str,
    ) -> StoreResult<Option<T>> {
        let tx = self.read(&[store])?;
        let row: Option<JsValue> = tx.object_store(store)?.get(key).await?;
        row.map(|r| from_js(&r)).transpose()
    }
}
