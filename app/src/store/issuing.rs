//! What issuing reads: the organisation's settings, this device's number leases, and the issued
//! invoices — pulled from the server, issued offline and awaiting sync, or sent for the server's next
//! number that has not come back yet. Each read is one transaction, so the outbox and the records it
//! is compared with are seen at the same moment.

use indexed_db_futures::transaction::Transaction;
use remit_core::document::issued::{Invoice, IssueInvoice, NumberSource};
use remit_core::ids::{ClientId, CustomerId, InvoiceId};
use remit_core::numbering::InvoiceNumber;
use remit_core::numbering::lease::NumberLease;
use remit_core::settings::Settings;
use remit_core::sync::{ClientSync, Command, EntityKind, Mutation};

use super::meta::{self, SYNC};
use super::outbox::read_outbox;
use super::records::read_all;
use super::schema::{META, OUTBOX, store_of};
use super::{Store, StoreError, StoreResult};

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

    /// Issued invoices, newest first (invoice ids are UUIDv7, made at issue), each with whether it
    /// still waits for the server.
    pub async fn issued_invoices(&self) -> StoreResult<Vec<IssuedInvoice>> {
        let tx = self.read(&[invoices(), OUTBOX, META])?;
        let sync = sync_state(&tx).await?;
        let outbox = read_outbox(&tx).await?;
        let pending = sync.pending_targets(&outbox);
        let invoices: Vec<Invoice> = read_all(&tx, invoices()).await?;
        let mut list: Vec<IssuedInvoice> = awaiting_number(&outbox)
            .filter(|issue| invoices.iter().all(|i| i.id != issue.invoice_id))
            .map(|issue| IssuedInvoice::AwaitingNumber(Box::new(issue)))
            .collect();
        list.extend(invoices.into_iter().map(|invoice| {
            let awaiting_sync = pending.contains(&(EntityKind::Invoice, invoice.id.as_uuid()));
            IssuedInvoice::Numbered {
                invoice: Box::new(invoice),
                awaiting_sync,
            }
        }));
        list.sort_by_key(|i| std::cmp::Reverse(i.id()));
        Ok(list)
    }

    pub async fn issued_invoice(&self, id: InvoiceId) -> StoreResult<Option<IssuedInvoice>> {
        Ok(self
            .issued_invoices()
            .await?
            .into_iter()
            .find(|i| i.id() == id))
    }

    /// This device's identity, settings, leases, used numbers and outbox, read together.
    pub async fn lease_stock(&self) -> StoreResult<LeaseStock> {
        let tx = self.read(&[settings(), leases(), invoices(), OUTBOX, META])?;
        let invoices: Vec<Invoice> = read_all(&tx, invoices()).await?;
        // The settings store holds one row, the organisation's.
        let settings = read_all(&tx, settings()).await?.into_iter().next();
        Ok(LeaseStock {
            client: sync_state(&tx).await?.client_id,
            settings,
            leases: read_all(&tx, leases()).await?,
            used: invoices.into_iter().map(|i| i.snapshot.number).collect(),
            outbox: read_outbox(&tx).await?,
        })
    }
}

/// Server-numbered issues still in the outbox.
fn awaiting_number(outbox: &[Mutation]) -> impl Iterator<Item = IssueInvoice> + '_ {
    outbox.iter().filter_map(|m| match Command::decode(m) {
        Ok(Command::IssueInvoice(issue)) if issue.number == NumberSource::Server => Some(issue),
        _ => None,
    })
}

async fn sync_state(tx: &Transaction<'_>) -> StoreResult<ClientSync> {
    meta::get(&tx.object_store(META)?, SYNC)
        .await?
        .ok_or_else(|| StoreError("no sync state: sign in first".into()))
}
