//! Typed records and their shape in IndexedDB, and the reads the screens need.
//!
//! Records are JSON objects (see [`super::to_js`]): a draft record holds the draft exactly as core
//! serializes it plus the totals core computed when it was stored, so anyone reading the database sees
//! the same amounts the screen showed.

use indexed_db_futures::KeyPath;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use remit_core::catalogue::Item;
use remit_core::customer::Customer;
use remit_core::document::{DocumentTotals, InvoiceDraft, compute};
use remit_core::ids::{CustomerId, InvoiceId, ItemId};
use remit_core::mail::{Mail, MailedDocument};
use remit_core::sync::{EntityKind, Mutation, MutationError, Record};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::listing::{LISTING, listing_of};
use super::outbox::outbox_key;
use super::schema::{BY_CUSTOMER, CONFLICTS, CUSTOMERS, INVOICE_DRAFTS, REJECTED, store_of};
use super::{Store, StoreError, StoreResult, from_js, to_js};

/// Writes a record into its store: a draft with the totals core computes for it, any other record as
/// core serializes it.
pub(super) async fn put_record(tx: &Transaction<'_>, record: &Record) -> StoreResult<()> {
    let store = tx.object_store(store_of(record.kind()))?;
    let value = match record {
        Record::InvoiceDraft(draft) => to_js(&DraftRecord::new((**draft).clone()))?,
        other => {
            let mut tagged = serde_json::to_value(other)?;
            let mut value = tagged["value"].take();
            if let (Some(listing), serde_json::Value::Object(fields)) =
                (listing_of(other), &mut value)
            {
                fields.insert(LISTING.into(), listing);
            }
            to_js(&value)?
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

/// Every row of `store` in `tx`. A row this build cannot read is corrupt (an upgrade that wrote it
/// wrongly, a bug): the read fails naming the store and the row's key, rather than the row vanishing from
/// the screen.
pub(super) async fn read_all<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    store: &str,
) -> StoreResult<Vec<T>> {
    let handle = tx.object_store(store)?;
    let rows = handle.get_all::<JsValue>().await?;
    rows.map(|row| decode(&handle, &row?)).collect()
}

/// One row of `store` read as `T`, or the error naming it as corrupt.
pub(super) fn decode<T: DeserializeOwned>(
    store: &ObjectStore<'_>,
    row: &JsValue,
) -> StoreResult<T> {
    decode_json(store, from_js(row)?)
}

fn decode_json<T: DeserializeOwned>(
    store: &ObjectStore<'_>,
    row: serde_json::Value,
) -> StoreResult<T> {
    let key = match store.key_path() {
        Some(KeyPath::One(path)) => key_text(&row[path.as_str()]),
        _ => "(its key is not in the row)".into(),
    };
    serde_json::from_value(row).map_err(|e| StoreError::corrupt(&store.name(), &key, e))
}

/// A key as the error names it: a string key as it is.
fn key_text(key: &serde_json::Value) -> String {
    match key {
        serde_json::Value::String(key) => key.clone(),
        other => other.to_string(),
    }
}

/// The mark of a draft row kept as version 1 wrote it.
const KEPT_FROM_V1: &str = "kept_from_v1";

/// A row of `invoice_drafts`, as it may be stored.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftRow {
    Readable(Box<DraftRecord>),
    /// A version-1 draft this build could not read when the database was upgraded, kept as v1 wrote it
    /// (see [`DraftRecord::from_v1`]) so the upgrade loses nothing. Not shown; never deleted.
    KeptFromV1 {
        id: String,
    },
}

impl DraftRow {
    pub(super) fn decode(drafts: &ObjectStore<'_>, row: &JsValue) -> StoreResult<Self> {
        let row: serde_json::Value = from_js(row)?;
        if row[KEPT_FROM_V1] == serde_json::Value::Bool(true) {
            return Ok(DraftRow::KeptFromV1 {
                id: key_text(&row["id"]),
            });
        }
        decode_json(drafts, row).map(|record| DraftRow::Readable(Box::new(record)))
    }

    pub fn readable(self) -> Option<DraftRecord> {
        match self {
            DraftRow::Readable(record) => Some(*record),
            DraftRow::KeptFromV1 { .. } => None,
        }
    }
}

/// The drafts among `rows` of `invoice_drafts`, newest first (ids are UUIDv7, so they sort by creation
/// time): every row is read, the ones kept from version 1 are passed over.
fn readable_drafts(
    drafts: &ObjectStore<'_>,
    rows: impl Iterator<Item = indexed_db_futures::Result<JsValue>>,
) -> StoreResult<Vec<DraftRecord>> {
    let mut out = Vec::new();
    for row in rows {
        out.extend(DraftRow::decode(drafts, &row?)?.readable());
    }
    out.sort_by_key(|d| std::cmp::Reverse(d.id));
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
    /// read is kept as it is, marked `kept_from_v1`, so the upgrade never loses anything; the readers
    /// know the mark and pass the row over ([`DraftRow::KeptFromV1`]).
    pub fn from_v1(v1: &JsValue) -> StoreResult<JsValue> {
        let raw: serde_json::Value = from_js(v1)?;
        match serde_json::from_value::<InvoiceDraft>(raw.clone()) {
            Ok(draft) => to_js(&DraftRecord::new(draft)),
            Err(_) => to_js(&json!({
                "id": raw["id"],
                "customer_id": raw["customer_id"],
                "draft": raw,
                "totals": null,
                KEPT_FROM_V1: true,
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

    /// Every catalogue item, archived ones too, by name.
    pub async fn items(&self) -> StoreResult<Vec<Item>> {
        let mut items: Vec<Item> = self.all(store_of(EntityKind::Item)).await?;
        items.sort_by_cached_key(|i| crate::catalogue::fold(&i.name));
        Ok(items)
    }

    pub async fn item(&self, id: ItemId) -> StoreResult<Option<Item>> {
        self.one(store_of(EntityKind::Item), &id.to_string()).await
    }

    /// The mails sent of `document`, oldest first (ids are UUIDv7).
    pub async fn mails_of(&self, document: MailedDocument) -> StoreResult<Vec<Mail>> {
        let mut mails: Vec<Mail> = self.all(store_of(EntityKind::Mail)).await?;
        mails.retain(|m| m.document == document);
        mails.sort_by_key(|m| m.id.as_uuid());
        Ok(mails)
    }

    /// Every draft, newest first (ids are UUIDv7, so they sort by creation time); drafts kept
    /// unreadable from version 1 are passed over.
    pub async fn drafts(&self) -> StoreResult<Vec<DraftRecord>> {
        let tx = self.read(&[INVOICE_DRAFTS])?;
        let drafts = tx.object_store(INVOICE_DRAFTS)?;
        let rows = drafts.get_all::<JsValue>().await?;
        readable_drafts(&drafts, rows)
    }

    /// Draft `id`; a draft kept unreadable from version 1 is an error naming it.
    pub async fn draft(&self, id: InvoiceId) -> StoreResult<Option<DraftRecord>> {
        let tx = self.read(&[INVOICE_DRAFTS])?;
        let drafts = tx.object_store(INVOICE_DRAFTS)?;
        let row: Option<JsValue> = drafts.get(id.to_string()).await?;
        row.map(|row| match DraftRow::decode(&drafts, &row)? {
            DraftRow::Readable(record) => Ok(*record),
            DraftRow::KeptFromV1 { id } => Err(StoreError::Corrupt(format!(
                "{INVOICE_DRAFTS} row {id} was kept from version 1 as it was, which this build \
                 cannot read"
            ))),
        })
        .transpose()
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
        readable_drafts(&drafts, rows)
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

    /// Every row of `store`; a corrupt one fails the read ([`read_all`]) and stays in place.
    async fn all<T: DeserializeOwned>(&self, store: &str) -> StoreResult<Vec<T>> {
        let tx = self.read(&[store])?;
        read_all(&tx, store).await
    }

    async fn one<T: DeserializeOwned>(&self, store: &str, key: &str) -> StoreResult<Option<T>> {
        let tx = self.read(&[store])?;
        let handle = tx.object_store(store)?;
        let row: Option<JsValue> = handle.get(key).await?;
        row.map(|r| decode(&handle, &r)).transpose()
    }
}
