//! What the server benches share: a server started as `remit serve` runs it, ids, customers and drafts
//! made up for seeding, and a database URL per bench run.

use std::path::Path;

use remit_core::customer::Customer;
use remit_core::document::en16931::PriceBasis;
use remit_core::document::issue::Address;
use remit_core::document::{InvoiceDraft, InvoiceLine, TaxRounding};
use remit_core::ids::{ClientId, CustomerId, InvoiceId, OrganisationId};
use remit_core::money::Currency;
use remit_core::tax::{TaxCategory, TaxRate};
use remit_server::application::{Application, Config, Intervals};
use remit_server::clock::Clock;
use remit_server::store::Store;
use rust_decimal::Decimal;
use uuid::Uuid;

/// The server, listening on a free local port, as `remit serve` runs it. Each bench adds what it asks
/// of it.
pub struct LocalServer {
    pub address: String,
    pub store: Store,
}

impl LocalServer {
    pub async fn start(url: &str, dist: &Path) -> Self {
        let server = Application::build(Config {
            database_url: url.to_owned(),
            host: "127.0.0.1".into(),
            port: 0,
            dist: dist.to_owned(),
            clock: Clock::system(),
            intervals: Intervals::default(),
            mail: None,
            trusted_proxy: None,
            gateways: Default::default(),
        })
        .await
        .expect("start the server");
        let address = format!("http://{}", server.address());
        let store = server.store().clone();
        tokio::spawn(server.run_until_stopped(std::future::pending()));
        Self { address, store }
    }
}

pub fn new_client() -> ClientId {
    ClientId::try_from(Uuid::now_v7()).expect("UUIDv7")
}

pub fn customer(organisation: OrganisationId, n: usize) -> Customer {
    Customer {
        id: CustomerId::try_from(Uuid::now_v7()).expect("UUIDv7"),
        organisation_id: organisation,
        name: format!("Customer {n}"),
        email: format!("ap{n}@customer.example"),
        currency: Currency::parse("EUR").expect("EUR"),
        payment_terms_days: 30,
        tax_id: String::new(),
        address: Address::default(),
        language: None,
    }
}

pub fn draft(customer: &Customer, lines: usize) -> InvoiceDraft {
    InvoiceDraft {
        id: InvoiceId::try_from(Uuid::now_v7()).expect("UUIDv7"),
        organisation_id: customer.organisation_id,
        customer_id: customer.id,
        currency: customer.currency,
        issue_date: "2026-11-23".parse().expect("date"),
        due_date: "2026-12-23".parse().expect("date"),
        tax_rounding: TaxRounding::PerDocument,
        lines: (0..lines)
            .map(|n| InvoiceLine {
                description: format!("Consulting, week {n}"),
                quantity: format!("{}.5", n + 1).parse().expect("quantity"),
                unit_price: "120.35".parse().expect("price"),
                tax_category: TaxCategory::S,
                tax_rate: TaxRate::parse("19").expect("rate"),
                ..InvoiceLine::default()
            })
            .collect(),
        note: String::new(),
        version: 0,
        price_basis: PriceBasis::Net,
        allowances: Vec::new(),
        charges: Vec::new(),
        prepaid: Decimal::ZERO,
        buyer_reference: String::new(),
        purchase_order: String::new(),
        delivery: None,
        cash_rounding: false,
        terms: None,
        accounting_rate: None,
    }
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}
