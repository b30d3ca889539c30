//! What the lists read through indexes: each `invoice`, `payment` and `customers` row carries a
//! `listing` object that core computes ([`InvoiceListing`], [`CustomerListing`], [`Payment::invoices`]),
//! kept current as records arrive, so a list reads one page of rows, never every row.
//!
//! An invoice's status depends on its payments and credit notes, which may arrive on a later page of a
//! pull than the invoice. After every pull page the invoices its records touch are listed again from
//! what the store holds then ([`refresh_invoices`]), so the last page leaves every status right.
//! Payments still in the outbox are not counted: a list shows what the books say once the server has
//! allocated a payment (the invoice screen shows pending payments as such).

use std::collections::{BTreeSet, HashMap};

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionRef;
use remit_core::document::issued::{CreditNote, Invoice};
use remit_core::ids::InvoiceId;
use remit_core::receivables::balance::InvoiceBalance;
use remit_core::receivables::listing::{CustomerListing, InvoiceListing};
use remit_core::receivables::payment::Payment;
use remit_core::sync::{EntityKind, Record};
use serde_json::{Value, json};
use wasm_bindgen::JsValue;

use super::records::decode;
use super::schema::{BY_INVOICE, CUSTOMERS, store_of};
use super::{StoreResult, from_js, to_js};

/// The field of a stored row that holds its listing.
pub const LISTING: &str = "listing";

/// The listing stored beside `record`, for the kinds that have one.
pub(super) fn listing_of(record: &Record) -> Option<Value> {
    match record {
        Record::Invoice(invoice) => InvoiceListing::unpaid(invoice)
            .ok()
            .and_then(|l| serde_json::to_value(l).ok()),
        Record::Payment(payment) => Some(json!({ "invoices": payment.invoices() })),
        Record::Customer(customer) => {
            serde_json::to_value(CustomerListing::of(&customer.name)).ok()
        }
        _ => None,
    }
}

/// The invoices whose listing `records` may change: the invoices themselves, those a payment
/// concerns, those a credit note credits.
pub(super) fn touched_invoices<'a>(
    records: impl IntoIterator<Item = &'a Record>,
) -> BTreeSet<InvoiceId> {
    let mut out = BTreeSet::new();
    for record in records {
        match record {
            Record::Invoice(invoice) => {
                out.insert(invoice.id);
            }
            Record::Payment(payment) => out.extend(payment.invoices()),
            Record::CreditNote(note) => {
                out.insert(note.invoice_id);
            }
            _ => {}
        }
    }
    out
}

/// Lists each of `invoices` again from its payments and credit notes as stored now (read through their
/// `by_invoice` indexes). An invoice not on this device is passed over; one of `written` (just put with
/// the listing of nothing paid) with no payment nor credit note is left as it is.
pub(super) async fn refresh_invoices(
    tx: &TransactionRef<'_>,
    invoices: &BTreeSet<InvoiceId>,
    written: &BTreeSet<InvoiceId>,
) -> StoreResult<()> {
    if invoices.is_empty() {
        return Ok(());
    }
    let store = tx.object_store(store_of(EntityKind::Invoice))?;
    let payments = tx.object_store(store_of(EntityKind::Payment))?;
    let by_payment = payments.index(BY_INVOICE)?;
    let credit_notes = tx.object_store(store_of(EntityKind::CreditNote))?;
    let by_credit_note = credit_notes.index(BY_INVOICE)?;
    for id in invoices {
        let key = id.to_string();
        let paid: Vec<Payment> = by_payment
            .get_all::<JsValue>()
            .with_query(key.as_str())
            .await?
            .map(|r| decode(&payments, &r?))
            .collect::<StoreResult<_>>()?;
        let credited: Vec<CreditNote> = by_credit_note
            .get_all::<JsValue>()
            .with_query(key.as_str())
            .await?
            .map(|r| decode(&credit_notes, &r?))
            .collect::<StoreResult<_>>()?;
        if paid.is_empty() && credited.is_empty() && written.contains(id) {
            // Just written with the listing of nothing paid, which is what it still is.
            continue;
        }
        let Some(row) = store.get::<JsValue, _, _>(key.as_str()).await? else {
            continue;
        };
        let invoice: Invoice = decode(&store, &row)?;
        store
            .put(with_listing(&row, listed(&invoice, &paid, &credited))?)
            .await?;
    }
    Ok(())
}

/// The listing of `invoice` after `paid` and `credited`; without them when core cannot count them
/// (a payment in another currency, which core refuses to mix): the row is still listed, as unpaid.
fn listed(invoice: &Invoice, paid: &[Payment], credited: &[CreditNote]) -> Option<InvoiceListing> {
    InvoiceBalance::of(invoice, paid, credited, &[])
        .and_then(|balance| InvoiceListing::of(invoice, &balance))
        .or_else(|_| InvoiceListing::unpaid(invoice))
        .ok()
}

/// `row` with `listing` in place of the one it had.
fn with_listing(row: &JsValue, listing: Option<impl serde::Serialize>) -> StoreResult<JsValue> {
    let mut value: Value = from_js(row)?;
    if let Value::Object(fields) = &mut value {
        match listing {
            Some(listing) => fields.insert(LISTING.into(), serde_json::to_value(listing)?),
            None => fields.remove(LISTING),
        };
    }
    to_js(&value)
}

/// Gives every stored `customers`, `payment` and `invoice` row its listing: the upgrade to version 6,
/// inside its `versionchange` transaction (so only IndexedDB requests are awaited here).
pub(super) async fn list_stored_rows(tx: &TransactionRef<'_>) -> StoreResult<()> {
    let customers = tx.object_store(CUSTOMERS)?;
    for row in customers.get_all::<JsValue>().await? {
        let row = row?;
        let customer: remit_core::customer::Customer = decode(&customers, &row)?;
        customers
            .put(with_listing(
                &row,
                Some(CustomerListing::of(&customer.name)),
            )?)
            .await?;
    }
    let payments = tx.object_store(store_of(EntityKind::Payment))?;
    let mut paid: HashMap<InvoiceId, Vec<Payment>> = HashMap::new();
    for row in payments.get_all::<JsValue>().await? {
        let row = row?;
        let payment: Payment = decode(&payments, &row)?;
        payments
            .put(with_listing(
                &row,
                Some(json!({ "invoices": payment.invoices() })),
            )?)
            .await?;
        for invoice in payment.invoices() {
            paid.entry(invoice).or_default().push(payment.clone());
        }
    }
    let credit_notes = tx.object_store(store_of(EntityKind::CreditNote))?;
    let mut credited: HashMap<InvoiceId, Vec<CreditNote>> = HashMap::new();
    for row in credit_notes.get_all::<JsValue>().await? {
        let note: CreditNote = decode(&credit_notes, &row?)?;
        credited.entry(note.invoice_id).or_default().push(note);
    }
    let invoices = tx.object_store(store_of(EntityKind::Invoice))?;
    for row in invoices.get_all::<JsValue>().await? {
        let row = row?;
        let invoice: Invoice = decode(&invoices, &row)?;
        let listing = listed(
            &invoice,
            paid.get(&invoice.id).map_or(&[], Vec::as_slice),
            credited.get(&invoice.id).map_or(&[], Vec::as_slice),
        );
        invoices.put(with_listing(&row, listing)?).await?;
    }
    Ok(())
}
