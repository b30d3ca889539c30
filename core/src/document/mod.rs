//! Invoices and their lines. A draft is editable and has no number; its totals are always derived by
//! [`totals::compute`], never stored as the source of truth.

pub mod en16931;
pub mod issue;
pub mod issued;
pub mod totals;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, InvoiceId, OrganisationId};
use crate::money::Currency;
use crate::tax::{TaxCategory, TaxRate};
use crate::validation::{Rule, ValidationError, optional_text, required_text};

pub use totals::{DocumentTotals, VatBreakdown, compute};

/// Where VAT is rounded. Stored on each document, so recomputing an old document never drifts when the
/// organisation later changes its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxRounding {
    /// VAT per category and rate over the sum of the line nets, rounded once (EN 16931, BR-CO-17).
    #[default]
    PerDocument,
    /// VAT rounded on each line, then summed per category and rate.
    PerLine,
}

/// One line of an invoice: a quantity of something at a net unit price, under one VAT category and rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub description: String,
    /// May be negative (a returned item); any number of decimals.
    pub quantity: Decimal,
    /// Net price per unit, never negative (BR-27); any number of decimals.
    pub unit_price: Decimal,
    #[serde(default)]
    pub tax_category: TaxCategory,
    pub tax_rate: TaxRate,
}

/// An invoice being prepared. `version` is the server's version of the draft this copy is based on
/// (0 for a draft the server has never seen); the sync protocol uses it to detect concurrent edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDraft {
    pub id: InvoiceId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    pub currency: Currency,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    #[serde(default)]
    pub tax_rounding: TaxRounding,
    pub lines: Vec<InvoiceLine>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub version: u64,
}

impl InvoiceLine {
    pub const MAX_DESCRIPTION: usize = 1000;

    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("description", &self.description, Self::MAX_DESCRIPTION)?;
        if self.unit_price < Decimal::ZERO {
            return Err(ValidationError::new("unit_price", Rule::NotNegative));
        }
        self.tax_category.check_rate(self.tax_rate, "tax_rate")
    }
}

impl InvoiceDraft {
    pub const MAX_LINES: usize = 100_000;
    pub const MAX_NOTE: usize = 5000;

    /// Checks every field and that the totals can be computed exactly; the first broken rule is reported
    /// with its path (`lines[2].unit_price`).
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.due_date < self.issue_date {
            return Err(ValidationError::new(
                "due_date",
                Rule::Matches {
                    expected: "on or after the issue date".into(),
                },
            ));
        }
        if self.lines.len() > Self::MAX_LINES {
            return Err(ValidationError::new(
                "lines",
                Rule::Range {
                    min: "0".into(),
                    max: Self::MAX_LINES.to_string(),
                },
            ));
        }
        optional_text("note", &self.note, Self::MAX_NOTE)?;
        for (i, line) in self.lines.iter().enumerate() {
            line.validate()
                .map_err(|e| e.within(&format!("lines[{i}]")))?;
        }
        compute(self).map(|_| ())
    }
}
