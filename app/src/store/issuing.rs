//! Issuing on this device: the organisation's settings, this device's number leases, issuing offline
//! (core's decision and its mutation in one transaction), and the issued invoices — pulled from the
//! server, issued offline and awaiting sync, or sent for the server's next number that has not come
//! back yet. Each read is one transaction, so the outbox and the records it is compared with are seen
//! at the same moment.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use remit_core::customer::Customer;
use remit_core::decide::catalogue::current_settings;
use remit_core::decide::issuing::issue_offline;
use remit_core::document::InvoiceDraft;
use remit_core::document::issued::{Invoice, IssueInvoice, NumberSource};
use remit_core::ids::{ClientId, CustomerId, InvoiceId};
use remit_core::numbering::InvoiceNumber;
use remit_core::numbering::lease::NumberLease;
use remit_core::organisation::Organisation;
use remit_core::settings::Settings;
use remit_core::sync::{ClientSync, Command, EntityKind, Mutation, MutationError, Record};
use wasm_bindgen::JsValue;

use super::meta::{self, SYNC};
use super::outbox::{change_stores, read_outbox, stage_with};
use super::records::{decode, read_all};
use super::schema::{BY_LEASE, META, OUTBOX, store_of};
use super::{Store, StoreError, StoreResult, from_js};

fn invoices() -> &'static str {
    store_of(EntityKind::Invoice)
}

fn leases() -> &'static str {
    store_of(EntityKind::NumberLease)
}

fn settings() -> &'static str {
    store_of(EntityKind::Settings)
}

/// An invoice on the home screen's list.
#[derive(Debug, Clone, PartialEq)]
pub enum IssuedInvoice {
    /// Recorded with its number: pulled from the server, or issued here offline under a leased number
    /// (`awaiting_sync` until the server has it).
    Numbered {
        invoice: Box<Invoice>,
        awaiting_sync: bool,
    },
    /// Sent to the server for its series' next number, which arrives with a pull.
    AwaitingNumber(Box<IssueInvoice>),
}

impl IssuedInvoice {
    pub fn id(&self) -> InvoiceId {
        match self {
            IssuedInvoice::Numbered { invoice, .. } => invoice.id,
            IssuedInvoice::AwaitingNumber(issue) => issue.invoice_id,
        }
    }

    pub fn customer_id(&self) -> CustomerId {
        match self {
            IssuedInvoice::Numbered { invoice, .. } => invoice.customer_id,
            IssuedInvoice::AwaitingNumber(issue) => issue.draft.customer_id,
        }
    }
}

/// What core needs to decide on this device's leases: for a new lease, or an offline issue.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseStock {
    pub client: ClientId,
    /// `None` until settings were saved (here, or pulled from another device's save).
    pub settings: Option<Settings>,
    /// Every lease the device knows; core picks this device's own.
    pub leases: Vec<NumberLease>,
    /// The numbers on every invoice the device holds, its provisional ones among them.
    pub used: Vec<InvoiceNumber>,
    pub outbox: Vec<Mutation>,
}

impl Store {
    /// The organisation's settings as last saved or pulled; `None` before the first save.
    pub async fn settings(&self) -> StoreResult<Option<Settings>> {
        let tx = self.read(&[settings()])?;
        Ok(read_all(&tx, settings()).await?.into_iter().next())
    }

    /// This device's identity, settings, leases, used numbers and outbox, read together.
    pub async fn lease_stock(&self) -> StoreResult<LeaseStock> {
        let tx = self.read(&[settings(), leases(), invoices(), OUTBOX, META])?;
        read_stock(&tx).await
    }

    /// Issues `draft` offline under this device's next leased number: reads the settings (what a new
    /// `organisation` starts with when none were saved), the customer, the leases and the numbers
    /// used; core decides ([`issue_offline`]); and the mutation is staged with the provisional invoice.
    /// All in one transaction, so two tabs can never issue the same leased number, and the invoice is
    /// never stored without its mutation. Core's refusal (no free leased number, a draft that cannot
    /// be issued) stores nothing.
    pub async fn issue_offline(
        &self,
        invoice_id: InvoiceId,
        draft: InvoiceDraft,
        organisation: &Organisation,
    ) -> StoreResult<Result<Invoice, MutationError>> {
        let tx = self.write(&change_stores())?;
        let stock = read_stock(&tx).await?;
        let customer: Option<Customer> = tx
            .object_store(store_of(EntityKind::Customer))?
            .get(draft.customer_id.to_string())
            .await?
            .map(|row: JsValue| from_js(&row))
            .transpose()?;
        let Some(customer) = customer else {
            tx.abort().await?;
            return Err(StoreError::MissingCustomer);
        };
        let settings = current_settings(stock.settings, organisation.id, &organisation.name);
        let decided = issue_offline(
            invoice_id,
            draft,
            &settings,
            &customer,
            stock.client,
            &stock.leases,
            &stock.used,
        );
        let (issue, invoice) = match decided {
            Ok(issued) => issued,
            Err(refused) => {
                tx.abort().await?;
                return Ok(Err(refused));
            }
        };
        let provisional = Record::Invoice(Box::new(invoice.clone()));
        stage_with(&tx, &Command::IssueInvoice(issue), Some(&provisional)).await?;
        tx.commit().await?;
        Ok(Ok(invoice))
    }
}

async fn read_stock(tx: &Transaction<'_>) -> StoreResult<LeaseStock> {
    // Only invoices issued under a lease can use a leased number; the `by_lease` index holds just those,
    // so an organisation's 20,000 server-numbered invoices are not read for it.
    let store = tx.object_store(invoices())?;
    let invoices: Vec<Invoice> = store
        .index(BY_LEASE)?
        .get_all::<JsValue>()
        .await?
        .map(|row| decode(&store, &row?))
        .collect::<StoreResult<_>>()?;
    // The settings store holds one row, the organisation's.
    let settings = read_all(tx, settings()).await?.into_iter().next();
    Ok(LeaseStock {
        client: sync_state(tx).await?.client_id,
        settings,
        leases: read_all(tx, leases()).await?,
        used: invoices.into_iter().map(|i| i.snapshot.number).collect(),
        outbox: read_outbox(tx).await?,
    })
}

/// Server-numbered issues still in the outbox.
pub(super) fn awaiting_number(outbox: &[Mutation]) -> impl Iterator<Item = IssueInvoice> + '_ {
    outbox.iter().filter_map(|m| match Command::decode(m) {
        Ok(Command::IssueInvoice(issue)) if issue.number == NumberSource::Server => Some(issue),
        _ => None,
    })
}

pub(super) async fn sync_state(tx: &Transaction<'_>) -> StoreResult<ClientSync> {
    meta::get(&tx.object_store(META)?, SYNC)
        .await?
        .ok_or_else(|| StoreError::SignedOut)
}
