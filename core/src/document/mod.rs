//! Invoices and their lines. A draft is editable and has no number; its totals are always derived by
//! [`totals::compute`], never stored as the source of truth.

pub mod einvoice_rules;
pub mod en16931;
pub mod inclusive;
pub mod issue;
pub mod issued;
pub mod parts;
pub mod totals;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::check_unit_code;
use crate::ids::{CustomerId, InvoiceId, ItemId, OrganisationId};
use crate::money::{Currency, Money};
use crate::tax::{TaxCategory, TaxRate};
use crate::terms::{PaymentPlan, PaymentTerms, ScheduledPayment};
use crate::validation::{Rule, ValidationError, optional_text, required_text};
use en16931::PriceBasis;
use parts::{Adjustment, Delivery, DocumentAdjustment, Exemption, Period, Side};

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
    /// The catalogue item the line was filled in from, if any; the line keeps its own copy of every value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemId>,
    /// BT-130, UN/ECE Recommendation 20 (`C62` one, `HUR` hour).
    #[serde(default = "default_unit", skip_serializing_if = "is_default_unit")]
    pub unit_code: String,
    /// BT-149: the quantity the unit price is for (a price per 100 pieces has 100); 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_base_quantity: Option<Decimal>,
    /// BT-148: the list price before the price discount; when given, `unit_price` is
    /// `gross_price − price_discount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_price: Option<Decimal>,
    /// BT-147: the discount per unit taken off the list price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_discount: Option<Decimal>,
    /// BG-27.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowances: Vec<Adjustment>,
    /// BG-28.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<Adjustment>,
    /// BT-120/BT-121, where the category needs a reason (checked at issue: a draft may be unfinished).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Exemption>,
    /// BG-26.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

/// An empty line: no description, nothing at 0, standard rate 0 % (which [`InvoiceLine::validate`]
/// refuses until a rate is chosen), one piece (`C62`).
impl Default for InvoiceLine {
    fn default() -> Self {
        Self {
            description: String::new(),
            quantity: Decimal::ZERO,
            unit_price: Decimal::ZERO,
            tax_category: TaxCategory::default(),
            tax_rate: TaxRate::default(),
            item_id: None,
            unit_code: default_unit(),
            price_base_quantity: None,
            gross_price: None,
            price_discount: None,
            allowances: Vec::new(),
            charges: Vec::new(),
            exemption: None,
            period: None,
        }
    }
}

fn default_unit() -> String {
    "C62".into()
}

fn is_default_unit(unit: &str) -> bool {
    unit == "C62"
}

fn is_net(basis: &PriceBasis) -> bool {
    *basis == PriceBasis::Net
}

fn is_false(b: &bool) -> bool {
    !b
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
    /// Whether unit prices include VAT; issuing converts them to net prices ([`issue`]).
    #[serde(default, skip_serializing_if = "is_net")]
    pub price_basis: PriceBasis,
    /// BG-20.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowances: Vec<DocumentAdjustment>,
    /// BG-21.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<DocumentAdjustment>,
    /// BT-113: paid in advance.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub prepaid: Decimal,
    /// BT-10.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub buyer_reference: String,
    /// BT-13.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub purchase_order: String,
    /// BT-72 / BG-14.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// Round the amount due to the currency's cash increment ([`Currency::cash_increment`], BT-114).
    #[serde(default, skip_serializing_if = "is_false")]
    pub cash_rounding: bool,
    /// The chosen terms: instalments (one for plain terms such as net 30) and an optional early-payment
    /// discount. When set, `due_date` is the date they give ([`InvoiceDraft::payment_schedule`]);
    /// without them (a draft saved before terms could be chosen) the invoice is due net `due_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<PaymentPlan>,
    /// The confirmed rate to the organisation's accounting currency (BT-6), needed at issue when the
    /// draft's currency differs from it: the snapshot then states the VAT total in it (BT-111).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting_rate: Option<AccountingRate>,
}

/// A rate the user confirmed: one unit of the document's currency is worth `rate` units of the
/// accounting currency, as of `date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountingRate {
    pub rate: Decimal,
    pub date: NaiveDate,
}

impl AccountingRate {
    /// The accounting currency (BT-6) a document in `currency` must also state its VAT total in, when
    /// the books are kept in another one: exactly then a confirmed rate is needed at issue, and the
    /// editor asks for it.
    pub fn needed_for(currency: Currency, accounting: Option<Currency>) -> Option<Currency> {
        accounting.filter(|books| *books != currency)
    }
}

/// What the chosen terms mean for a draft: when it falls due, and each instalment with its amount and
/// its early-payment discount (last day and amount).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsPreview {
    /// The due date of the last instalment (BT-9).
    pub due_date: NaiveDate,
    pub instalments: Vec<ScheduledPayment>,
}

impl InvoiceLine {
    pub const MAX_DESCRIPTION: usize = 1000;

    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("description", &self.description, Self::MAX_DESCRIPTION)?;
        if self.unit_price < Decimal::ZERO {
            return Err(ValidationError::new("unit_price", Rule::NotNegative));
        }
        self.tax_category.check_rate(self.tax_rate, "tax_rate")?;
        check_unit_code("unit_code", &self.unit_code)?;
        if self.price_base_quantity.is_some_and(|q| q <= Decimal::ZERO) {
            return Err(ValidationError::new("price_base_quantity", Rule::Positive));
        }
        self.check_list_price()?;
        for (name, list, side) in [
            ("allowances", &self.allowances, Side::Allowance),
            ("charges", &self.charges, Side::Charge),
        ] {
            for (i, a) in list.iter().enumerate() {
                a.validate(side)
                    .map_err(|e| e.within(&format!("{name}[{i}]")))?;
            }
        }
        if let Some(exemption) = &self.exemption {
            exemption.validate().map_err(|e| e.within("exemption"))?;
            if !exemption.is_empty() {
                self.tax_category.check_exemption(true, "exemption")?;
            }
        }
        if let Some(period) = &self.period {
            period.validate().map_err(|e| e.within("period"))?;
        }
        Ok(())
    }

    /// The net unit price a list price and its discount make (BT-146 = BT-148 − BT-147), `None`
    /// without a list price.
    pub fn derived_unit_price(&self) -> Option<Decimal> {
        let gross = self.gross_price?;
        gross.checked_sub(self.price_discount.unwrap_or_default())
    }

    fn check_list_price(&self) -> Result<(), ValidationError> {
        if self.gross_price.is_some_and(|g| g < Decimal::ZERO) {
            return Err(ValidationError::new("gross_price", Rule::NotNegative));
        }
        match (self.gross_price, self.price_discount) {
            (None, Some(_)) => Err(ValidationError::new("gross_price", Rule::Required)),
            (_, Some(d)) if d < Decimal::ZERO => {
                Err(ValidationError::new("price_discount", Rule::NotNegative))
            }
            (Some(_), _) if self.derived_unit_price() != Some(self.unit_price) => {
                Err(ValidationError::new(
                    "unit_price",
                    Rule::Matches {
                        expected: format!(
                            "the list price less the price discount ({})",
                            self.derived_unit_price().unwrap_or_default()
                        ),
                    },
                ))
            }
            _ => Ok(()),
        }
    }

    /// Whether the line states why it charges no VAT where its category needs a reason (BR-E-10 …).
    pub fn check_exemption(&self) -> Result<(), ValidationError> {
        let present = self.exemption.as_ref().is_some_and(|e| !e.is_empty());
        self.tax_category.check_exemption(present, "exemption")
    }
}

impl InvoiceDraft {
    pub const MAX_LINES: usize = 100_000;
    pub const MAX_NOTE: usize = 5000;
    pub const MAX_REFERENCE: usize = 200;

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
        self.validate_document_fields()?;
        compute(self).map(|_| ())
    }

    fn validate_document_fields(&self) -> Result<(), ValidationError> {
        for (name, list, side) in [
            ("allowances", &self.allowances, Side::Allowance),
            ("charges", &self.charges, Side::Charge),
        ] {
            for (i, a) in list.iter().enumerate() {
                a.validate(side)
                    .map_err(|e| e.within(&format!("{name}[{i}]")))?;
            }
        }
        if self.prepaid < Decimal::ZERO {
            return Err(ValidationError::new("prepaid", Rule::NotNegative));
        }
        Money::exact(self.prepaid, self.currency).map_err(|e| ValidationError {
            field: "prepaid".into(),
            ..e
        })?;
        optional_text(
            "buyer_reference",
            &self.buyer_reference,
            Self::MAX_REFERENCE,
        )?;
        optional_text("purchase_order", &self.purchase_order, Self::MAX_REFERENCE)?;
        if let Some(delivery) = &self.delivery {
            delivery.validate().map_err(|e| e.within("delivery"))?;
        }
        if let Some(plan) = &self.terms {
            plan.validate().map_err(|e| e.within("terms"))?;
            let due = plan
                .due_date(self.issue_date)
                .map_err(|e| e.within("terms"))?;
            if due != self.due_date {
                return Err(ValidationError::new(
                    "due_date",
                    Rule::Matches {
                        expected: format!("{due}, the date the payment terms give"),
                    },
                ));
            }
        }
        self.check_split_payment()?;
        if self
            .accounting_rate
            .is_some_and(|r| r.rate <= Decimal::ZERO)
        {
            return Err(ValidationError::new("accounting_rate.rate", Rule::Positive));
        }
        if self.cash_rounding && self.currency.cash_increment().is_none() {
            return Err(ValidationError::new(
                "cash_rounding",
                Rule::Matches {
                    expected: format!("off: {} has no cash rounding", self.currency),
                },
            ));
        }
        Ok(())
    }

    /// BR-B-02: an invoice with split payment (B) has no standard-rated (S) line, allowance or charge.
    fn check_split_payment(&self) -> Result<(), ValidationError> {
        let categories = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (format!("lines[{i}].tax_category"), l.tax_category))
            .chain(
                self.allowances
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (format!("allowances[{i}].tax_category"), a.tax_category)),
            )
            .chain(
                self.charges
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("charges[{i}].tax_category"), c.tax_category)),
            );
        let mut seen_b = false;
        let mut first_s = None;
        for (field, category) in categories {
            match category {
                TaxCategory::B => seen_b = true,
                TaxCategory::S if first_s.is_none() => first_s = Some(field),
                _ => {}
            }
        }
        match first_s {
            Some(field) if seen_b => Err(ValidationError::new(
                field,
                Rule::Matches {
                    expected: "not S on an invoice with split payment (B) (BR-B-02)".into(),
                },
            )),
            _ => Ok(()),
        }
    }

    /// The plan the invoice is issued with: the chosen terms, or — for a draft without them — net the
    /// days from the issue date to the due date.
    pub fn payment_plan(&self) -> Result<PaymentPlan, ValidationError> {
        if let Some(plan) = &self.terms {
            return Ok(plan.clone());
        }
        let days = (self.due_date - self.issue_date).num_days();
        u16::try_from(days)
            .ok()
            .filter(|d| *d <= PaymentTerms::MAX_DAYS)
            .map(|days| PaymentPlan::single(PaymentTerms::Net { days }))
            .ok_or_else(|| {
                ValidationError::new(
                    "due_date",
                    Rule::Range {
                        min: self.issue_date.to_string(),
                        max: format!("{} days later", PaymentTerms::MAX_DAYS),
                    },
                )
            })
    }

    /// The due date, instalments and early-payment discount the chosen terms give for this draft's
    /// amount due (as it will be issued), for the editor to show live; `None` without terms.
    pub fn payment_schedule(&self) -> Result<Option<TermsPreview>, ValidationError> {
        let Some(plan) = &self.terms else {
            return Ok(None);
        };
        let due = plan
            .due_date(self.issue_date)
            .map_err(|e| e.within("terms"))?;
        let issued = inclusive::to_net_prices(self)?;
        let amount_due = compute(&issued)?.amount_due;
        let instalments = plan
            .schedule(self.issue_date, amount_due)
            .map_err(|e| e.within("terms"))?;
        Ok(Some(TermsPreview {
            due_date: due,
            instalments,
        }))
    }

    /// What issuing needs beyond [`Self::validate`]: at least one line, and an exemption reason on
    /// every line whose category needs one.
    pub fn check_complete(&self) -> Result<(), ValidationError> {
        if self.lines.is_empty() {
            return Err(ValidationError::new("lines", Rule::Required));
        }
        for (i, line) in self.lines.iter().enumerate() {
            line.check_exemption()
                .map_err(|e| e.within(&format!("lines[{i}]")))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_to_the_books_is_needed_exactly_when_the_currencies_differ() {
        let code = |c: &str| Currency::parse(c).unwrap();
        let cases = [
            ("EUR", Some("NOK"), Some("NOK")),
            ("NOK", Some("NOK"), None),
            ("EUR", None, None),
        ];
        for (document, books, needed) in cases {
            assert_eq!(
                AccountingRate::needed_for(code(document), books.map(code)),
                needed.map(code),
                "{document} into {books:?}"
            );
        }
    }
}
