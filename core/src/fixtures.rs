//! Documents the unit tests share, so each test states only what it is about.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::document::{InvoiceDraft, InvoiceLine, TaxRounding};
use crate::ids::{CustomerId, InvoiceId, OrganisationId};
use crate::money::Currency;
use crate::tax::{TaxCategory, TaxRate};

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
    }
}

/// Draft `019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f` of one organisation and customer, issued 2026-11-23 and
/// due 2026-12-07, VAT rounded per document, never seen by the server.
pub fn draft(currency: &str, lines: Vec<InvoiceLine>) -> InvoiceDraft {
    InvoiceDraft {
        id: InvoiceId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f").expect("a v7 id"),
        organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001")
            .expect("a v7 id"),
        customer_id: CustomerId::parse("019a4d5e-0000-7000-8000-000000000002").expect("a v7 id"),
        currency: Currency::parse(currency).expect("a known currency"),
        issue_date: NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date"),
        due_date: NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date"),
        tax_rounding: TaxRounding::PerDocument,
        lines,
        note: String::new(),
        version: 0,
    }
}
