//! E-invoices: UBL 2.1 and UN/CEFACT CII (Invoice and CreditNote) read into core's EN 16931 model,
//! written back in either syntax, and checked against what core computes.
//!
//! - [`parse`] detects the syntax by root element and namespace and returns one [`EInvoice`] per
//!   document; a rule test set (a vefa `testSet` of invoice fragments, each marked with the rule it
//!   should pass or fail) gives one per fragment, with its [`Expectation`].
//! - [`to_ubl`] and [`to_cii`] write an [`EInvoice`] back; parsing what they write gives the same
//!   document, header and stated totals.
//! - [`check`] compares what the document states with what core computes and names the EN 16931 and
//!   Peppol rules that do not hold; [`report`] turns that into the one JSON line per document the CLI
//!   prints.
//!
//! Reading is pure: bytes in, values out; nothing is fetched, no clock is read.

mod check;
mod cii;
pub mod export;
mod read;
pub mod report;
mod ubl;
mod xml;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::document::TaxRounding;
use crate::document::en16931::{
    AllowanceCharge, Document, DocumentKind, Line, PayableRounding, PriceBasis,
};
use crate::money::Currency;
use crate::tax::TaxCategory;

pub use check::{Computed, Finding, LineMismatch, Report, check};
pub use cii::to_cii;
pub use export::{ExportError, from_snapshot, snapshot_to_cii, snapshot_to_ubl};
pub use ubl::{CREDIT_NOTE_MEANS, to_ubl};

/// Why bytes could not be read as e-invoices. Every variant names what it could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The bytes are not well-formed XML in UTF-8.
    #[error("not well-formed XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
    /// Elements nest deeper than any e-invoice does.
    #[error("elements nest deeper than {max} levels")]
    TooDeep { max: usize },
    /// The root element is neither a UBL Invoice or CreditNote, a CII CrossIndustryInvoice, nor a rule
    /// test set.
    #[error(
        "{{{namespace}}}{name} is not a UBL Invoice, UBL CreditNote, CII CrossIndustryInvoice or rule test set"
    )]
    UnknownRoot { namespace: String, name: String },
    /// A test of a rule test set has no invoice, or no expected outcome.
    #[error("test {index} of the rule test set: {detail}")]
    TestSet { index: usize, detail: String },
    /// A value that cannot be read as what its business term needs, with the element it was found in.
    #[error("{term} at {element}: {value:?} is not {expected}")]
    Invalid {
        term: &'static str,
        element: String,
        value: String,
        expected: &'static str,
    },
}

/// The syntax a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Syntax {
    #[serde(rename = "UBL")]
    Ubl,
    #[serde(rename = "CII")]
    Cii,
}

/// The seller (BG-4) or buyer (BG-7), as far as Remit needs them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    /// BT-27 / BT-44.
    pub name: Option<String>,
    /// BT-31 / BT-48.
    pub vat_id: Option<String>,
    /// BT-30 / BT-47: the legal registration identifier (an organisation number).
    pub legal_id: Option<String>,
    /// BT-35, BT-36, BT-162 / BT-50, BT-51, BT-163: at most three address lines.
    pub address_lines: Vec<String>,
    /// BT-37 / BT-52.
    pub city: Option<String>,
    /// BT-38 / BT-53.
    pub postcode: Option<String>,
    /// BT-40 / BT-55.
    pub country: Option<String>,
}

impl Party {
    /// Whether the party states a postal address (BG-5 / BG-8).
    fn has_address(&self) -> bool {
        self.country.is_some()
            || self.city.is_some()
            || self.postcode.is_some()
            || !self.address_lines.is_empty()
    }
}

/// The most address lines EN 16931 has room for (BT-35, BT-36, BT-162).
pub const MAX_ADDRESS_LINES: usize = 3;

/// The seller's account a credit transfer goes to (BG-17).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentAccount {
    /// BT-84: the IBAN (or another account identifier).
    pub id: String,
    /// BT-85.
    pub name: Option<String>,
    /// BT-86: the BIC.
    pub bic: Option<String>,
}

/// How the buyer is to pay (BG-16) and on what terms (BT-20).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payment {
    /// BT-81 (UNCL4461); the payment instructions are written only when it is set (BR-49).
    pub means_code: Option<String>,
    /// BT-83: the remittance information, Remit's ISO 11649 creditor reference.
    pub remittance: Option<String>,
    /// BG-17.
    pub account: Option<PaymentAccount>,
    /// BT-20: the payment terms in words.
    pub terms: Option<String>,
}

/// A period of days, both included (BG-14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoicePeriod {
    /// BT-73.
    pub start: NaiveDate,
    /// BT-74.
    pub end: NaiveDate,
}

/// When and where the goods or services were delivered (BG-13, BG-14).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryInfo {
    /// BT-72.
    pub date: Option<NaiveDate>,
    /// BG-14.
    pub period: Option<InvoicePeriod>,
    /// BT-80: the country delivered to.
    pub country: Option<String>,
}

/// A preceding invoice reference (BG-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrecedingInvoice {
    /// BT-25.
    pub number: String,
    /// BT-26.
    pub issue_date: Option<NaiveDate>,
}

/// What identifies a document and its parties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub syntax: Syntax,
    /// BT-24.
    pub customization_id: Option<String>,
    /// BT-1.
    pub number: Option<String>,
    /// BT-2.
    pub issue_date: Option<NaiveDate>,
    /// BT-9.
    pub due_date: Option<NaiveDate>,
    /// BT-3 (UNCL1001): 380, 381, 384 …; decides the document's
    /// [`DocumentKind`](crate::document::en16931::DocumentKind).
    pub type_code: Option<String>,
    /// BT-5 as the document states it; the currency amounts are computed in is `document.currency`.
    pub currency: Option<Currency>,
    /// BT-6.
    pub tax_currency: Option<Currency>,
    /// BT-111: the VAT total in the tax currency.
    pub tax_total_in_tax_currency: Option<Decimal>,
    /// BT-10.
    pub buyer_reference: Option<String>,
    /// BT-13.
    pub purchase_order: Option<String>,
    /// BG-13 and BG-14.
    pub delivery: DeliveryInfo,
    /// BG-16 and BT-20.
    pub payment: Payment,
    /// BT-22.
    pub notes: Vec<String>,
    /// BG-3.
    pub preceding: Vec<PrecedingInvoice>,
    pub seller: Party,
    pub buyer: Party,
}

/// One entry of the VAT breakdown (BG-23) as the document states it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatedVat {
    /// BT-118; `None` when absent or not a UNCL5305 code EN 16931 allows.
    pub category: Option<TaxCategory>,
    /// BT-119.
    pub rate: Option<Decimal>,
    /// BT-116.
    pub taxable: Option<Decimal>,
    /// BT-117.
    pub tax: Option<Decimal>,
    /// BT-120.
    pub exemption_reason: Option<String>,
    /// BT-121, a VATEX code.
    pub exemption_code: Option<String>,
}

/// The totals as the document states them (BG-22 and BG-23), each only when stated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatedTotals {
    /// BT-106.
    pub line_net_total: Option<Decimal>,
    /// BT-107.
    pub allowance_total: Option<Decimal>,
    /// BT-108.
    pub charge_total: Option<Decimal>,
    /// BT-109.
    pub tax_exclusive: Option<Decimal>,
    /// BT-110.
    pub tax_total: Option<Decimal>,
    /// Further VAT totals in the document currency: a document states BT-110 once (BR-CO-15).
    pub repeated_tax_totals: Vec<Decimal>,
    /// BT-112.
    pub tax_inclusive: Option<Decimal>,
    /// BT-113.
    pub prepaid: Option<Decimal>,
    /// BT-114.
    pub rounding: Option<Decimal>,
    /// BT-115.
    pub amount_due: Option<Decimal>,
    /// BG-23.
    pub vat: Vec<StatedVat>,
}

/// Whether a rule test set expects its fragment to pass or to fail the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Error,
}

/// What a rule test set says about one of its fragments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The rule the whole test set is about (`<testSet><assert><scope>`).
    pub scope: Option<String>,
    /// The rule this fragment is marked with (`<test><assert><success>` or `<error>`).
    pub rule: String,
    pub outcome: Outcome,
    pub description: Option<String>,
}

/// One e-invoice: its header, core's model of its amounts, and the totals it states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EInvoice {
    pub header: Header,
    /// Lines with their stated net (BT-131), prices, allowances and charges; prepaid (BT-113) and
    /// the stated rounding (BT-114) as `PayableRounding::Stated`.
    pub document: Document,
    pub stated: StatedTotals,
    /// Every value the reader had to supply because the document left it out or gave one EN 16931 does
    /// not allow, in words, so a report can say on what it rests.
    pub assumptions: Vec<String>,
    /// Set for a fragment of a rule test set.
    pub expectation: Option<Expectation>,
}

impl EInvoice {
    /// A document as either reader assembles it: net prices and VAT per document (what EN 16931
    /// states), the prepaid and rounding amounts as the document states them.
    fn read(
        header: Header,
        kind: DocumentKind,
        currency: Currency,
        lines: Vec<Line>,
        (allowances, charges): (Vec<AllowanceCharge>, Vec<AllowanceCharge>),
        stated: StatedTotals,
        assumptions: Vec<String>,
    ) -> Self {
        let document = Document {
            kind,
            currency,
            price_basis: PriceBasis::Net,
            tax_rounding: TaxRounding::PerDocument,
            lines,
            allowances,
            charges,
            prepaid: stated.prepaid.unwrap_or_default(),
            payable_rounding: stated
                .rounding
                .map_or(PayableRounding::None, PayableRounding::Stated),
        };
        Self {
            header,
            document,
            stated,
            assumptions,
            expectation: None,
        }
    }
}

/// Reads UBL Invoice, UBL CreditNote, CII CrossIndustryInvoice or a rule test set of fragments of
/// those; the syntax is recognised by root element and namespace.
pub fn parse(bytes: &[u8]) -> Result<Vec<EInvoice>, ParseError> {
    let root = xml::parse(bytes)?;
    if root.is(read::VEFA, "testSet") {
        return read_test_set(&root);
    }
    match read_document(&root) {
        Some(invoice) => Ok(vec![invoice?]),
        None => Err(ParseError::UnknownRoot {
            namespace: root.ns.clone(),
            name: root.name.clone(),
        }),
    }
}

/// Reads a document when the element is the root of one of the two syntaxes.
fn read_document(el: &xml::Element) -> Option<Result<EInvoice, ParseError>> {
    if ubl::is_root(el) {
        Some(ubl::read(el))
    } else if cii::is_root(el) {
        Some(cii::read(el))
    } else {
        None
    }
}

fn read_test_set(root: &xml::Element) -> Result<Vec<EInvoice>, ParseError> {
    let v = read::VEFA;
    let scope = root
        .text_at(&[(v, "assert"), (v, "scope")])
        .map(str::to_owned);
    root.all(v, "test")
        .enumerate()
        .map(|(index, test)| {
            let error = |detail: &str| ParseError::TestSet {
                index,
                detail: detail.to_owned(),
            };
            let assert = test
                .child(v, "assert")
                .ok_or_else(|| error("no <assert>"))?;
            let (outcome, rule) = match (assert.child(v, "success"), assert.child(v, "error")) {
                (Some(rule), None) => (Outcome::Success, rule.text()),
                (None, Some(rule)) => (Outcome::Error, rule.text()),
                _ => return Err(error("<assert> needs exactly one of <success> and <error>")),
            };
            let mut invoice = test
                .children
                .iter()
                .find_map(read_document)
                .ok_or_else(|| error("no UBL or CII invoice"))??;
            invoice.expectation = Some(Expectation {
                scope: scope.clone(),
                rule: rule.to_owned(),
                outcome,
                description: assert
                    .text_at(&[(v, "description")])
                    .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
            });
            Ok(invoice)
        })
        .collect()
}
