//! The workspace's long lists, one page at a time, read through the indexes of version 6.
//!
//! A page is found from keys alone: the order comes from an index or the store's own key (ids are
//! UUIDv7, so the store's order is the order of creation), a filter is a key range of an index, each
//! word searched for is a prefix range of the `by_word` index, and only the rows of the page asked for
//! are read. So a page costs its own rows, whatever the size of the books: the home screen reads at most
//! [`PAGE_SIZE`] rows of each list ([`super::rows_read`] counts them for the test that says so).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use indexed_db_futures::KeyRange;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use remit_core::customer::Customer;
use remit_core::document::issued::Invoice;
use remit_core::ids::{CustomerId, InvoiceId};
use remit_core::receivables::listing::{InvoiceFilter, StatusBounds};
use remit_core::search;
use remit_core::sync::EntityKind;
use wasm_bindgen::JsValue;

use super::issuing::{IssuedInvoice, awaiting_number, sync_state};
use super::outbox::read_outbox;
use super::records::{DraftRecord, DraftRow, decode};
use super::schema::{
    BY_NAME, BY_STATUS_DUE, BY_WORD, CUSTOMERS, INVOICE_DRAFTS, META, OUTBOX, store_of,
};
use super::{Store, StoreResult};

/// Rows on one page of a list.
pub const PAGE_SIZE: usize = 25;

/// One page of a list, and how many rows the whole list has.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Rows in the whole list (every page).
    pub total: usize,
    /// This page's index, from 0.
    pub page: usize,
}

impl<T> Page<T> {
    /// How many pages the list has (at least one, even when empty).
    pub fn pages(&self) -> usize {
        self.total.div_ceil(PAGE_SIZE).max(1)
    }
}

/// Which issued invoices a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceQuery {
    pub filter: InvoiceFilter,
    /// Words as typed: each must start a word of the invoice's number or its buyer's name.
    pub search: String,
}

impl Store {
    /// One page of the issued invoices `query` asks for on `today`: for every invoice, newest first,
    /// with the issues still waiting for the server's number on top of the first page; for a filter,
    /// in the order core gives it (open ones soonest due first).
    pub async fn invoice_page(
        &self,
        query: &InvoiceQuery,
        page: usize,
        today: NaiveDate,
    ) -> StoreResult<Page<IssuedInvoice>> {
        let invoices = store_of(EntityKind::Invoice);
        let tx = self.read(&[invoices, OUTBOX, META])?;
        let store = tx.object_store(invoices)?;
        let words = search::query_words(&query.search);
        let keys = match (query.filter.bounds(today), words.split_first()) {
            (None, None) => {
                let mut keys = keys_of(&store).await?;
                keys.reverse();
                keys
            }
            // Every invoice matching the words, newest first: the matches alone, sorted by their keys
            // (UUIDv7, so by time), without reading the keys of every invoice.
            (None, Some((first, rest))) => {
                let mut keys = word_keys(&store, first).await?;
                keys.sort_unstable_by(|a, b| b.cmp(a));
                keys.dedup();
                keep_matching(&store, rest, &mut keys).await?;
                keys
            }
            (Some(bounds), _) => {
                let mut keys =
                    keys_of_index(&store, BY_STATUS_DUE, Some(status_range(bounds))).await?;
                if bounds.newest_first {
                    keys.reverse();
                }
                keep_matching(&store, &words, &mut keys).await?;
                keys
            }
        };

        let outbox = read_outbox(&tx).await?;
        let pending = sync_state(&tx).await?.pending_targets(&outbox);
        let awaiting: Vec<IssuedInvoice> = if query.filter == InvoiceFilter::All && words.is_empty()
        {
            awaiting_number(&outbox)
                .filter(|issue| !keys.contains(&issue.invoice_id.to_string()))
                .map(|issue| IssuedInvoice::AwaitingNumber(Box::new(issue)))
                .collect()
        } else {
            Vec::new()
        };
        let total = awaiting.len() + keys.len();
        let start = page * PAGE_SIZE;
        let mut rows: Vec<IssuedInvoice> =
            awaiting.into_iter().skip(start).take(PAGE_SIZE).collect();
        let from = start.saturating_sub(total - keys.len());
        for key in keys.iter().skip(from).take(PAGE_SIZE - rows.len()) {
            let invoice: Invoice = self.read_row(&store, key).await?;
            let awaiting_sync = pending.contains(&(EntityKind::Invoice, invoice.id.as_uuid()));
            rows.push(IssuedInvoice::Numbered {
                invoice: Box::new(invoice),
                awaiting_sync,
            });
        }
        Ok(Page { rows, total, page })
    }

    /// One page of the drafts, newest first; drafts kept unreadable from version 1 are passed over.
    pub async fn draft_page(&self, page: usize) -> StoreResult<Page<DraftRecord>> {
        let tx = self.read(&[INVOICE_DRAFTS])?;
        let store = tx.object_store(INVOICE_DRAFTS)?;
        let mut keys = keys_of(&store).await?;
        keys.reverse();
        let mut rows = Vec::new();
        for key in keys.iter().skip(page * PAGE_SIZE).take(PAGE_SIZE) {
            if let Some(row) = store.get::<JsValue, _, _>(key.as_str()).await? {
                rows.extend(DraftRow::decode(&store, &row)?.readable());
            }
        }
        Ok(Page {
            rows,
            total: keys.len(),
            page,
        })
    }

    /// One page of the customers whose name's words start with the words of `search` (every customer
    /// for a blank search), by name ignoring case and accents.
    pub async fn customer_page(&self, search: &str, page: usize) -> StoreResult<Page<Customer>> {
        let tx = self.read(&[CUSTOMERS])?;
        let store = tx.object_store(CUSTOMERS)?;
        let mut keys = keys_of_index(&store, BY_NAME, None).await?;
        keep_matching(&store, &search::query_words(search), &mut keys).await?;
        let mut rows = Vec::new();
        for key in keys.iter().skip(page * PAGE_SIZE).take(PAGE_SIZE) {
            rows.push(self.read_row(&store, key).await?);
        }
        Ok(Page {
            rows,
            total: keys.len(),
            page,
        })
    }

    /// The names of `customers` (those on this device), one read each.
    pub async fn customer_names(
        &self,
        customers: impl IntoIterator<Item = CustomerId>,
    ) -> StoreResult<HashMap<CustomerId, String>> {
        let tx = self.read(&[CUSTOMERS])?;
        let store = tx.object_store(CUSTOMERS)?;
        let mut names = HashMap::new();
        for id in customers.into_iter().collect::<HashSet<_>>() {
            if let Some(row) = store.get::<JsValue, _, _>(id.to_string().as_str()).await? {
                let customer: Customer = decode(&store, &row)?;
                names.insert(id, customer.name);
            }
        }
        Ok(names)
    }

    /// Issued invoice `id`, with whether it still waits for the server; or the issue still waiting
    /// for the server's number.
    pub async fn issued_invoice(&self, id: InvoiceId) -> StoreResult<Option<IssuedInvoice>> {
        let invoices = store_of(EntityKind::Invoice);
        let tx = self.read(&[invoices, OUTBOX, META])?;
        let store = tx.object_store(invoices)?;
        let outbox = read_outbox(&tx).await?;
        match store.get::<JsValue, _, _>(id.to_string().as_str()).await? {
            Some(row) => {
                let invoice: Invoice = decode(&store, &row)?;
                let pending = sync_state(&tx).await?.pending_targets(&outbox);
                let awaiting_sync = pending.contains(&(EntityKind::Invoice, id.as_uuid()));
                Ok(Some(IssuedInvoice::Numbered {
                    invoice: Box::new(invoice),
                    awaiting_sync,
                }))
            }
            None => Ok(awaiting_number(&outbox)
                .find(|issue| issue.invoice_id == id)
                .map(|issue| IssuedInvoice::AwaitingNumber(Box::new(issue)))),
        }
    }

    async fn read_row<T: serde::de::DeserializeOwned>(
        &self,
        store: &ObjectStore<'_>,
        key: &str,
    ) -> StoreResult<T> {
        let row: Option<JsValue> = store.get(key).await?;
        let row = row.ok_or_else(|| {
            super::StoreError::Corrupt(format!("{} row {key} vanished while listed", store.name()))
        })?;
        decode(store, &row)
    }
}

/// The primary keys of `store`, in its order.
async fn keys_of(store: &ObjectStore<'_>) -> StoreResult<Vec<String>> {
    texts(store.get_all_keys::<JsValue>().await?.collect())
}

/// The primary keys of the rows of `store` in the order of its index `name`, within `range`.
async fn keys_of_index(
    store: &ObjectStore<'_>,
    name: &str,
    range: Option<KeyRange<JsValue>>,
) -> StoreResult<Vec<String>> {
    let index = store.index(name)?;
    let keys = match range {
        None => index.get_all_keys::<JsValue>().await?.collect::<Vec<_>>(),
        Some(range) => index
            .get_all_keys::<JsValue>()
            .with_query::<JsValue, _>(range)
            .await?
            .collect::<Vec<_>>(),
    };
    texts(keys)
}

fn texts(keys: Vec<indexed_db_futures::Result<JsValue>>) -> StoreResult<Vec<String>> {
    keys.into_iter()
        .map(|key| {
            let key = key?;
            key.as_string().ok_or_else(|| {
                super::StoreError::Corrupt(format!("a key that is not text: {key:?}"))
            })
        })
        .collect()
}

/// Keeps the `keys` (in their order) of rows that have, for each query word, a word starting with it
/// (the store's `by_word` index; a blank query keeps every key).
async fn keep_matching(
    store: &ObjectStore<'_>,
    words: &[String],
    keys: &mut Vec<String>,
) -> StoreResult<()> {
    for word in words {
        let found: HashSet<String> = word_keys(store, word).await?.into_iter().collect();
        keys.retain(|k| found.contains(k));
    }
    Ok(())
}

/// The keys of the rows with a word starting with `word` (the `by_word` index's prefix range; a row
/// with two such words comes twice).
async fn word_keys(store: &ObjectStore<'_>, word: &str) -> StoreResult<Vec<String>> {
    let upper = format!("{word}\u{ffff}");
    let range = KeyRange::Bound(
        JsValue::from_str(word),
        false,
        JsValue::from_str(&upper),
        false,
    );
    keys_of_index(store, BY_WORD, Some(range)).await
}

/// `[status, due date]` keys of the `by_status_due` index within `bounds`. An array sorts after every
/// text in IndexedDB, so `[status, []]` is above every due date of the status.
fn status_range(bounds: StatusBounds) -> KeyRange<JsValue> {
    let key = |day: Option<NaiveDate>, high: bool| -> JsValue {
        let second: JsValue = match (day, high) {
            (Some(day), _) => JsValue::from_str(&day.to_string()),
            (None, false) => JsValue::from_str(""),
            (None, true) => js_sys::Array::new().into(),
        };
        js_sys::Array::of2(&JsValue::from_str(bounds.status.as_str()), &second).into()
    };
    KeyRange::Bound(
        key(bounds.from, false),
        false,
        key(bounds.before, true),
        bounds.before.is_some(),
    )
}
