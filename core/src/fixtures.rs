//! Builders the tests share, so each test states only what it is about: core's own unit tests, and,
//! with the `test-support` feature (which the server's and the app's dev-dependencies turn on), the
//! server's API tests and the app's browser tests. One set, so a new required field is added in one
//! place.
//!
//! Pure like the rest of core: a builder that makes a new entity takes its id, and the shell's test
//! makes a fresh one where it needs one.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::customer::Customer;
use crate::decide::issuing::{IssueContext, issued_invoice};
use crate::document::en16931::PriceBasis;
use crate::document::issue::Address;
use crate::document::issued::{Invoice, IssueInvoice, NumberSource};
use crate::document::{InvoiceDraft, InvoiceLine, TaxRounding};
use crate::ids::{ClientId, CustomerId, InvoiceId, OrganisationId};
use crate::money::Currency;
use crate::organisation::{Organisation, TimeZoneName};
use crate::settings::Settings;
use crate::tax::{TaxCategory, TaxRate};

/// The id of [`organisation`].
pub const ORGANISATION: &str = "019a4d5e-0000-7000-8000-000000000001";
/// The id of [`draft`]'s customer.
pub const CUSTOMER: &str = "019a4d5e-0000-7000-8000-000000000002";

pub fn organisation_id() -> OrganisationId {
    OrganisationId::parse(ORGANISATION).expect("a v7 id")
}

/// Fjord Consulting AS, dating its documents in Europe/Oslo and billing in NOK.
pub fn organisation() -> Organisation {
    Organisation {
        id: organisation_id(),
        name: "Fjord Consulting AS".into(),
        time_zone: TimeZoneName::parse("Europe/Oslo").expect("a time zone"),
        currency: Currency::parse("NOK").expect("a known currency"),
    }
}

/// A customer paying in `currency` on 14 days' terms, with no e-mail address, tax id or postal address.
pub fn customer(
    id: CustomerId,
    organisation: OrganisationId,
    name: &str,
    currency: &str,
) -> Customer {
    Customer {
        id,
        organisation_id: organisation,
        name: name.into(),
        email: String::new(),
        currency: Currency::parse(currency).expect("a known currency"),
        payment_terms_days: 14,
        tax_id: String::new(),
        address: Address::default(),
        language: None,
    }
}

/// A postal address of one line.
pub fn address(line: &str, postcode: &str, city: &str, country: &str) -> Address {
    Address {
        lines: vec![line.into()],
        postcode: postcode.into(),
        city: city.into(),
        country: country.into(),
    }
}

/// The organisation's initial settings with the seller at `address`, with a VAT identifier of its
/// country: what issuing a standard-rated invoice needs (BR-S-02).
pub fn settings_with_seller(
    organisation: OrganisationId,
    name: &str,
    address: Address,
) -> Settings {
    let mut settings = Settings::initial(organisation, name);
    settings.seller.tax_id = format!("{}999999999", address.country);
    settings.seller.address = address;
    settings
}

/// A standard-rated line.
pub fn line(
    description: &str,
    quantity: Decimal,
    unit_price: Decimal,
    rate: Decimal,
) -> InvoiceLine {
    InvoiceLine {
        description: description.into(),
        quantity,
        unit_price,
        tax_category: TaxCategory::S,
        tax_rate: TaxRate::new(rate).expect("a valid rate"),
        ..InvoiceLine::default()
    }
}

/// Draft `id` for `customer` in the customer's currency, issued 2026-11-23 and due 2026-12-07, VAT
/// rounded per document, no note, never seen by the server.
pub fn draft_for(id: InvoiceId, customer: &Customer, lines: Vec<InvoiceLine>) -> InvoiceDraft {
    InvoiceDraft {
        id,
        organisation_id: customer.organisation_id,
        customer_id: customer.id,
        currency: customer.currency,
        issue_date: NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date"),
        due_date: NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date"),
        tax_rounding: TaxRounding::PerDocument,
        lines,
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

/// Draft `019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f` of [`organisation_id`] for customer [`CUSTOMER`] in
/// `currency`, as [`draft_for`] makes it.
pub fn draft(currency: &str, lines: Vec<InvoiceLine>) -> InvoiceDraft {
    let customer = customer(
        CustomerId::parse(CUSTOMER).expect("a v7 id"),
        organisation_id(),
        "Fiskeri AS",
        currency,
    );
    draft_for(
        InvoiceId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f").expect("a v7 id"),
        &customer,
        lines,
    )
}

/// The settings of Nordlys AS (Kaigata 1, Bodø, Norway), the seller of [`issued`], in organisation
/// [`organisation_id`].
pub fn nordlys() -> Settings {
    settings_with_seller(
        organisation_id(),
        "Nordlys AS",
        address("Kaigata 1", "8006", "Bodø", "NO"),
    )
}

/// Invoice `…00f1` of Nordlys AS ([`nordlys`]) to Fiskeri AS (customer [`CUSTOMER`], in NOK) with
/// `lines`, issued as [`draft`] is dated under the server's next number: INV-2026-000001.
pub fn issued(lines: Vec<InvoiceLine>) -> Invoice {
    let customer = customer(
        CustomerId::parse(CUSTOMER).expect("a v7 id"),
        organisation_id(),
        "Fiskeri AS",
        "NOK",
    );
    let issue = IssueInvoice {
        invoice_id: InvoiceId::parse("019a4d5e-0000-7000-8000-0000000000f1").expect("a v7 id"),
        draft: draft("NOK", lines),
        number: NumberSource::Server,
    };
    let settings = nordlys();
    let ctx = IssueContext {
        settings: &settings,
        customer: &customer,
        client: ClientId::parse("019a4d5e-0000-7000-8000-0000000000c1").expect("a v7 id"),
        draft_head: None,
        issued_from_draft: Vec::new(),
        last_in_sequence: None,
        lease: None,
        number_taken: false,
    };
    issued_invoice(&issue, &ctx)
        .expect("the fixtures' draft issues")
        .invoice
}
