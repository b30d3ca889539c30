//! The EN 16931 semantic model of a commercial document, and its totals.
//!
//! This is the general shape every Remit document is computed through: drafts made in the app, issued
//! invoices and credit notes, and e-invoices received as UBL or CII. Field names carry the standard's
//! business-term numbers (BT-…) so a reader can check each rule against the norm.
//!
//! The arithmetic, in the standard's order:
//! - line net (BT-131) = quantity × net price ÷ base quantity + line charges − line allowances,
//!   rounded to the currency's minor units;
//! - per VAT category and rate (BG-23): taxable (BT-116) = Σ line nets + document charges − document
//!   allowances of that category and rate; tax (BT-117) = taxable × rate, rounded once per group
//!   (or per line, when the document's [`TaxRounding`] says so);
//! - BT-106 = Σ BT-131, BT-107 = Σ allowances, BT-108 = Σ charges, BT-109 = BT-106 − BT-107 + BT-108,
//!   BT-110 = Σ BT-117, BT-112 = BT-109 + BT-110, BT-115 = BT-112 − BT-113 (prepaid) + BT-114 (rounding).
//!
//! Every rounding is half away from zero ([`DOCUMENT_ROUNDING`]); every operation is checked, and an
//! overflow is an error naming the field.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use super::TaxRounding;
use super::parts::Period;
use crate::money::{Currency, Money, Rounding};
use crate::tax::{TaxCategory, TaxRate};
use crate::validation::{Rule, ValidationError};
use crate::wire::{self, Fields};

/// Every amount on a document is rounded half away from zero (EN 16931, and what tax authorities expect).
pub const DOCUMENT_ROUNDING: Rounding = Rounding::HalfAwayFromZero;

/// Invoice or credit note (from the type code, BT-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum DocumentKind {
    #[default]
    Invoice,
    CreditNote,
}

/// Whether unit prices are stated without VAT (the EN 16931 norm) or including it (retail, where the
/// price the customer sees must be preserved to the cent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    #[default]
    Net,
    /// Prices include VAT: per category and rate, tax = gross × r ÷ (100 + r), net = gross − tax.
    Gross,
}

/// Which line amounts the document totals are built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineNetBasis {
    /// Compute each line's net from quantity, price, allowances and charges (Remit's own documents).
    #[default]
    Computed,
    /// Use the line net amounts (BT-131) a received document states, where it states them: the standard's
    /// own basis for BR-CO-10. The recomputed line amount is still reported per line.
    Stated,
}

/// How the amount due is brought to something payable (BT-114).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum PayableRounding {
    /// No rounding amount.
    #[default]
    None,
    /// Cash rounding to a multiple of this increment (0.05 CHF, 1 SEK); the difference is BT-114.
    ToIncrement(Decimal),
    /// A rounding amount stated by a received document.
    Stated(Decimal),
}

impl<'de> Deserialize<'de> for PayableRounding {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, Self::read)
    }
}

impl PayableRounding {
    const VARIANTS: &[&str] = &["none", "to_increment", "stated"];

    fn read(fields: &mut Fields) -> Result<Self, serde_json::Error> {
        let kind = fields.tag("kind")?;
        Ok(match kind.as_str() {
            "none" => {
                fields.take::<()>("value")?;
                Self::None
            }
            "to_increment" => Self::ToIncrement(fields.take("value")?),
            "stated" => Self::Stated(fields.take("value")?),
            _ => return Err(wire::unknown(&kind, Self::VARIANTS)),
        })
    }
}

/// The VAT of a line or of a document-level allowance or charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct VatClass {
    pub category: TaxCategory,
    /// `None` only for category O (outside the scope of VAT), which carries no rate (BR-O-05).
    pub rate: Option<TaxRate>,
}

impl VatClass {
    /// The rate used in arithmetic: a missing rate (category O) taxes at zero.
    pub fn percent(&self) -> Decimal {
        self.rate.map(TaxRate::percent).unwrap_or_default()
    }
}

/// An allowance (discount) or charge, on a line (BG-27/BG-28) or on the document (BG-20/BG-21).
/// Either the amount is stated, or it is `base × percent ÷ 100`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AllowanceCharge {
    /// BT-92 / BT-99 / BT-136 / BT-141.
    pub amount: Option<Decimal>,
    /// BT-93 / BT-100 / BT-137 / BT-142.
    pub base: Option<Decimal>,
    /// BT-94 / BT-101 / BT-138 / BT-143.
    pub percent: Option<Decimal>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub reason_code: String,
    /// Document level only: the VAT category and rate it belongs to (BT-95/96, BT-102/103).
    pub vat: Option<VatClass>,
}

/// The price of one line (BG-29).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Price {
    /// BT-146: net price (or the gross-of-VAT price when the document's basis is [`PriceBasis::Gross`]).
    pub net: Decimal,
    /// BT-149: the quantity the price is for (a price per 100 units has 100); 1 when absent.
    pub base_quantity: Option<Decimal>,
    /// BT-148: list price before the price discount, informational.
    pub gross: Option<Decimal>,
    /// BT-147: discount per unit already deducted from the gross price, informational.
    pub discount: Option<Decimal>,
}

/// One line (BG-25).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Line {
    /// BT-126.
    pub id: String,
    /// BT-153 item name.
    pub name: String,
    /// BT-129; negative on a correcting line.
    pub quantity: Decimal,
    /// BT-130, UN/ECE rec 20 (`C62` one, `HUR` hour …).
    pub unit_code: String,
    pub price: Price,
    #[serde(default)]
    pub allowances: Vec<AllowanceCharge>,
    #[serde(default)]
    pub charges: Vec<AllowanceCharge>,
    pub vat: VatClass,
    /// BT-120 / BT-121, when the category needs one.
    #[serde(default)]
    pub exemption_reason: String,
    /// BT-131 as a received document states it.
    pub stated_net: Option<Decimal>,
    /// BT-121: the VATEX code of the exemption, when the line names one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exemption_code: String,
    /// BG-26: the period the line is invoiced for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Taxes charged on top of VAT (excise, a provincial sales tax). EN 16931 cannot express them: a
    /// document carrying any is refused by the e-invoice writers ([`Document::check_en16931`]).
    #[serde(default)]
    pub additional_taxes: Vec<AdditionalTax>,
}

/// A tax charged on a line besides its VAT, at `percent` of the line net — or, when `compound`, of the
/// line net plus its VAT (tax on tax, as some regimes levy it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct AdditionalTax {
    pub name: String,
    pub percent: Decimal,
    #[serde(default)]
    pub compound: bool,
}

/// One additional tax over the document: its base and amount, rounded once per tax and rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionalTaxTotal {
    pub tax: AdditionalTax,
    pub base: Money,
    pub amount: Money,
}

/// The amounts of a document that determine its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    /// BT-5.
    pub currency: Currency,
    #[serde(default)]
    pub price_basis: PriceBasis,
    #[serde(default)]
    pub tax_rounding: TaxRounding,
    pub lines: Vec<Line>,
    /// BG-20.
    #[serde(default)]
    pub allowances: Vec<AllowanceCharge>,
    /// BG-21.
    #[serde(default)]
    pub charges: Vec<AllowanceCharge>,
    /// BT-113.
    #[serde(default)]
    pub prepaid: Decimal,
    #[serde(default)]
    pub payable_rounding: PayableRounding,
}

/// One line's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTotal {
    /// BT-131 as computed from quantity, price, allowances and charges.
    pub computed: Money,
    /// The amount the document totals used: the stated BT-131 under [`LineNetBasis::Stated`] when
    /// present, otherwise `computed`.
    pub used: Money,
}

/// VAT of one category and rate (BG-23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatBreakdown {
    pub category: TaxCategory,
    pub rate: Option<TaxRate>,
    /// BT-116.
    pub taxable: Money,
    /// BT-117.
    pub tax: Money,
}

/// Every total EN 16931 names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub lines: Vec<LineTotal>,
    /// BT-106.
    pub line_net_total: Money,
    /// BT-107.
    pub allowance_total: Money,
    /// BT-108.
    pub charge_total: Money,
    /// BT-109.
    pub tax_exclusive: Money,
    /// BG-23, ordered by category then rate.
    pub vat: Vec<VatBreakdown>,
    /// BT-110.
    pub tax_total: Money,
    /// BT-112.
    pub tax_inclusive: Money,
    /// BT-113.
    pub prepaid: Money,
    /// BT-114.
    pub rounding: Money,
    /// BT-115.
    pub amount_due: Money,
    /// Taxes besides VAT, by tax (empty on any document EN 16931 can express). They are part of
    /// BT-112 and BT-115 but not of BT-110, which is VAT only.
    #[serde(default)]
    pub additional_taxes: Vec<AdditionalTaxTotal>,
}

impl Document {
    /// Whether EN 16931 (and so UBL and CII) can express the document: it has no taxes besides VAT.
    /// Writing such a document as an e-invoice would state totals the standard's rules contradict.
    pub fn check_en16931(&self) -> Result<(), ValidationError> {
        match self.lines.iter().position(|l| !l.additional_taxes.is_empty()) {
            Some(i) => Err(ValidationError::new(
                format!("lines[{i}].additional_taxes"),
                Rule::Format {
                    detail: "EN 16931 knows only VAT; a document with other taxes cannot be an e-invoice".into(),
                },
            )),
            None => Ok(()),
        }
    }
}

/// The path of a field, built only when an error needs it: formatting `lines[9999].quantity` for every
/// line of a large invoice would cost more than the arithmetic.
type FieldName<'a> = &'a dyn Fn() -> String;

/// Checked decimal arithmetic that names the field on overflow.
struct Calc<'a> {
    field: FieldName<'a>,
}

impl Calc<'_> {
    fn err(&self) -> ValidationError {
        ValidationError::new((self.field)(), Rule::Overflow)
    }
    fn mul(&self, a: Decimal, b: Decimal) -> Result<Decimal, ValidationError> {
        a.checked_mul(b).ok_or_else(|| self.err())
    }
    fn div(&self, a: Decimal, b: Decimal) -> Result<Decimal, ValidationError> {
        a.checked_div(b).ok_or_else(|| self.err())
    }
    fn add(&self, a: Decimal, b: Decimal) -> Result<Decimal, ValidationError> {
        a.checked_add(b).ok_or_else(|| self.err())
    }
    fn sub(&self, a: Decimal, b: Decimal) -> Result<Decimal, ValidationError> {
        a.checked_sub(b).ok_or_else(|| self.err())
    }
}

impl AllowanceCharge {
    /// The amount, stated or `base × percent ÷ 100` rounded to the currency; `default_base` stands in
    /// for a missing base (the line amount, for a line allowance).
    pub fn resolved_amount(
        &self,
        currency: Currency,
        default_base: Option<Decimal>,
        field: &str,
    ) -> Result<Money, ValidationError> {
        self.amount_in(currency, default_base, &|| field.to_owned())
    }

    fn amount_in(
        &self,
        currency: Currency,
        default_base: Option<Decimal>,
        field: FieldName,
    ) -> Result<Money, ValidationError> {
        if let Some(amount) = self.amount {
            return Ok(Money::rounded(amount, currency, DOCUMENT_ROUNDING));
        }
        let calc = Calc { field };
        match (self.base.or(default_base), self.percent) {
            (Some(base), Some(percent)) => {
                let amount = calc.div(calc.mul(base, percent)?, Decimal::ONE_HUNDRED)?;
                Ok(Money::rounded(amount, currency, DOCUMENT_ROUNDING))
            }
            _ => Err(ValidationError::new(
                format!("{}.amount", field()),
                Rule::Required,
            )),
        }
    }
}

impl Line {
    /// quantity × price ÷ base quantity, unrounded: the line amount before allowances and charges.
    fn gross_amount(&self, field: FieldName) -> Result<Decimal, ValidationError> {
        let calc = Calc {
            field: &|| format!("{}.quantity", field()),
        };
        let base = self.price.base_quantity.unwrap_or(Decimal::ONE);
        if base <= Decimal::ZERO {
            return Err(ValidationError::new(
                format!("{}.price.base_quantity", field()),
                Rule::Positive,
            ));
        }
        calc.div(calc.mul(self.quantity, self.price.net)?, base)
    }

    /// BT-131 from quantity, price, allowances and charges, rounded to the currency; errors name the
    /// line's fields below `field` (`lines[3]`).
    pub fn computed_net(&self, currency: Currency, field: &str) -> Result<Money, ValidationError> {
        self.net_in(currency, &|| field.to_owned())
    }

    /// The amounts of the line's allowances and of its charges, each as [`Line::computed_net`] deducts
    /// or adds it (a percentage is taken of quantity × price ÷ base quantity): what a printed line
    /// states beside its net.
    pub fn adjustment_amounts(
        &self,
        currency: Currency,
        field: &str,
    ) -> Result<(Vec<Money>, Vec<Money>), ValidationError> {
        let field: FieldName = &|| field.to_owned();
        let gross = self.gross_amount(field)?;
        let resolve = |list: &[AllowanceCharge], name: &str| {
            list.iter()
                .enumerate()
                .map(|(i, a)| {
                    a.amount_in(currency, Some(gross), &|| {
                        format!("{}.{name}[{i}]", field())
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok((
            resolve(&self.allowances, "allowances")?,
            resolve(&self.charges, "charges")?,
        ))
    }

    fn net_in(&self, currency: Currency, field: FieldName) -> Result<Money, ValidationError> {
        let calc = Calc { field };
        let gross = self.gross_amount(field)?;
        let mut net = Money::rounded(gross, currency, DOCUMENT_ROUNDING).amount();
        for (i, a) in self.allowances.iter().enumerate() {
            let amount = a.amount_in(currency, Some(gross), &|| {
                format!("{}.allowances[{i}]", field())
            })?;
            net = calc.sub(net, amount.amount())?;
        }
        for (i, c) in self.charges.iter().enumerate() {
            let amount = c.amount_in(currency, Some(gross), &|| {
                format!("{}.charges[{i}]", field())
            })?;
            net = calc.add(net, amount.amount())?;
        }
        Ok(Money::rounded(net, currency, DOCUMENT_ROUNDING))
    }
}

#[derive(Default)]
struct Group {
    lines: Decimal,
    adjustments: Decimal,
    per_line_tax: Decimal,
}

/// Computes every total of a document.
#[allow(
    clippy::too_many_lines,
    reason = "the EN 16931 calculation in the order of the standard; to be split"
)]
pub fn compute(doc: &Document, basis: LineNetBasis) -> Result<Totals, ValidationError> {
    let currency = doc.currency;
    let money = |amount: Decimal| Money::rounded(amount, currency, DOCUMENT_ROUNDING);
    let mut groups: BTreeMap<(TaxCategory, Option<TaxRate>), Group> = BTreeMap::new();
    let mut additional: BTreeMap<&AdditionalTax, Decimal> = BTreeMap::new();
    let mut lines = Vec::with_capacity(doc.lines.len());
    let mut line_net_total = Decimal::ZERO;

    for (i, line) in doc.lines.iter().enumerate() {
        let field = || format!("lines[{i}]");
        let calc = Calc { field: &field };
        let computed = line.net_in(currency, &field)?;
        let used = match (basis, line.stated_net) {
            (LineNetBasis::Stated, Some(stated)) => money(stated),
            _ => computed,
        };
        line_net_total = calc.add(line_net_total, used.amount())?;
        let group = groups
            .entry((line.vat.category, line.vat.rate))
            .or_default();
        group.lines = calc.add(group.lines, used.amount())?;
        for (t, extra) in line.additional_taxes.iter().enumerate() {
            if doc.price_basis == PriceBasis::Gross {
                return Err(ValidationError::new(
                    format!("lines[{i}].additional_taxes[{t}]"),
                    Rule::Format {
                        detail: "additional taxes need net prices".into(),
                    },
                ));
            }
            let base = if extra.compound {
                let vat = calc.div(
                    calc.mul(used.amount(), line.vat.percent())?,
                    Decimal::ONE_HUNDRED,
                )?;
                calc.add(used.amount(), vat)?
            } else {
                used.amount()
            };
            let sum = additional.entry(extra).or_insert(Decimal::ZERO);
            *sum = calc.add(*sum, base)?;
        }
        if doc.tax_rounding == TaxRounding::PerLine && doc.price_basis == PriceBasis::Net {
            let tax = money(calc.div(
                calc.mul(used.amount(), line.vat.percent())?,
                Decimal::ONE_HUNDRED,
            )?);
            group.per_line_tax = calc.add(group.per_line_tax, tax.amount())?;
        }
        lines.push(LineTotal { computed, used });
    }

    // With VAT-inclusive prices a document allowance or charge is inclusive too: it joins its group's
    // gross, and the group's VAT is carved out of the sum. Issuing states it net (`inclusive`).
    let mut allowance_total = Decimal::ZERO;
    let mut charge_total = Decimal::ZERO;
    for (list, sign, name) in [
        (&doc.allowances, Decimal::NEGATIVE_ONE, "allowances"),
        (&doc.charges, Decimal::ONE, "charges"),
    ] {
        for (i, ac) in list.iter().enumerate() {
            let field = || format!("{name}[{i}]");
            let calc = Calc { field: &field };
            let amount = ac.amount_in(currency, None, &field)?.amount();
            let vat = ac
                .vat
                .ok_or_else(|| ValidationError::new(format!("{}.vat", field()), Rule::Required))?;
            let group = groups.entry((vat.category, vat.rate)).or_default();
            group.adjustments = calc.add(group.adjustments, calc.mul(sign, amount)?)?;
            if sign.is_sign_negative() {
                allowance_total = calc.add(allowance_total, amount)?;
            } else {
                charge_total = calc.add(charge_total, amount)?;
            }
        }
    }

    let mut vat = Vec::with_capacity(groups.len());
    let mut tax_total = Decimal::ZERO;
    let mut tax_exclusive_sum = Decimal::ZERO;
    for ((category, rate), group) in groups {
        let calc = Calc {
            field: &|| "vat".to_owned(),
        };
        let percent = rate.map(TaxRate::percent).unwrap_or_default();
        let base = calc.add(group.lines, group.adjustments)?;
        let (taxable, tax) = match doc.price_basis {
            PriceBasis::Net => {
                let tax = match doc.tax_rounding {
                    TaxRounding::PerLine if group.adjustments.is_zero() => group.per_line_tax,
                    _ => money(calc.div(calc.mul(base, percent)?, Decimal::ONE_HUNDRED)?).amount(),
                };
                (base, tax)
            }
            PriceBasis::Gross => {
                // The gross the customer sees is kept: the tax is carved out of it, the net is the rest.
                let tax = money(calc.div(
                    calc.mul(base, percent)?,
                    calc.add(Decimal::ONE_HUNDRED, percent)?,
                )?)
                .amount();
                (calc.sub(base, tax)?, tax)
            }
        };
        tax_total = calc.add(tax_total, tax)?;
        tax_exclusive_sum = calc.add(tax_exclusive_sum, taxable)?;
        vat.push(VatBreakdown {
            category,
            rate,
            taxable: money(taxable),
            tax: money(tax),
        });
    }

    let calc = Calc {
        field: &|| "totals".to_owned(),
    };
    let (line_net_total, tax_exclusive) = match doc.price_basis {
        PriceBasis::Net => {
            let exclusive = calc.add(calc.sub(line_net_total, allowance_total)?, charge_total)?;
            (line_net_total, exclusive)
        }
        // Lines were stated with VAT (and there are no document allowances or charges): the net is what
        // remains of each group after carving its tax out.
        PriceBasis::Gross => (tax_exclusive_sum, tax_exclusive_sum),
    };
    let mut additional_taxes = Vec::with_capacity(additional.len());
    let mut additional_total = Decimal::ZERO;
    for (tax, base) in additional {
        let amount = money(calc.div(calc.mul(base, tax.percent)?, Decimal::ONE_HUNDRED)?);
        additional_total = calc.add(additional_total, amount.amount())?;
        additional_taxes.push(AdditionalTaxTotal {
            tax: tax.clone(),
            base: money(base),
            amount,
        });
    }
    let tax_inclusive = calc.add(calc.add(tax_exclusive, tax_total)?, additional_total)?;
    let before_rounding = calc.sub(tax_inclusive, doc.prepaid)?;
    let rounding = match doc.payable_rounding {
        PayableRounding::None => Decimal::ZERO,
        PayableRounding::Stated(amount) => amount,
        PayableRounding::ToIncrement(increment) => {
            let payable = DOCUMENT_ROUNDING
                .round_to_increment(before_rounding, increment)
                .ok_or_else(|| ValidationError::new("payable_rounding", Rule::Positive))?;
            calc.sub(payable, before_rounding)?
        }
    };
    Ok(Totals {
        lines,
        line_net_total: money(line_net_total),
        allowance_total: money(allowance_total),
        charge_total: money(charge_total),
        tax_exclusive: money(tax_exclusive),
        vat,
        tax_total: money(tax_total),
        tax_inclusive: money(tax_inclusive),
        prepaid: money(doc.prepaid),
        rounding: money(rounding),
        amount_due: money(calc.add(before_rounding, rounding)?),
        additional_taxes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn vat(category: TaxCategory, rate: Decimal) -> VatClass {
        VatClass {
            category,
            rate: Some(TaxRate::new(rate).unwrap()),
        }
    }

    fn line(quantity: Decimal, price: Decimal, rate: Decimal) -> Line {
        Line {
            id: "1".into(),
            name: "Item".into(),
            quantity,
            unit_code: "C62".into(),
            price: Price {
                net: price,
                ..Price::default()
            },
            vat: vat(TaxCategory::S, rate),
            ..Line::default()
        }
    }

    fn doc(currency: &str, lines: Vec<Line>) -> Document {
        Document {
            kind: DocumentKind::Invoice,
            currency: Currency::parse(currency).unwrap(),
            price_basis: PriceBasis::Net,
            tax_rounding: TaxRounding::PerDocument,
            lines,
            allowances: vec![],
            charges: vec![],
            prepaid: Decimal::ZERO,
            payable_rounding: PayableRounding::None,
        }
    }

    fn percent_off(base: Decimal, percent: Decimal, vat: Option<VatClass>) -> AllowanceCharge {
        AllowanceCharge {
            base: Some(base),
            percent: Some(percent),
            vat,
            ..AllowanceCharge::default()
        }
    }

    fn fixed(amount: Decimal, vat: Option<VatClass>) -> AllowanceCharge {
        AllowanceCharge {
            amount: Some(amount),
            vat,
            ..AllowanceCharge::default()
        }
    }

    /// (BT-106, BT-107, BT-108, BT-109, BT-110, BT-112, BT-113, BT-114, BT-115)
    fn bt(t: &Totals) -> [String; 9] {
        [
            &t.line_net_total,
            &t.allowance_total,
            &t.charge_total,
            &t.tax_exclusive,
            &t.tax_total,
            &t.tax_inclusive,
            &t.prepaid,
            &t.rounding,
            &t.amount_due,
        ]
        .map(|m| m.amount().to_string())
    }

    fn strs<const N: usize>(a: [&str; N]) -> [String; N] {
        a.map(str::to_owned)
    }

    #[test]
    fn a_price_per_base_quantity_divides_after_multiplying() {
        // 3 units at 10.00 per 3 units: 10.00, where dividing first would give 3 × 3.333… = 9.999… → 10.00
        // only by luck; 7 units at 1.00 per 3 units = 2.3333 → 2.33.
        let mut a = line(dec!(3), dec!(10), dec!(25));
        a.price.base_quantity = Some(dec!(3));
        let mut b = line(dec!(7), dec!(1), dec!(25));
        b.price.base_quantity = Some(dec!(3));
        let t = compute(&doc("EUR", vec![a, b]), LineNetBasis::Computed).unwrap();
        assert_eq!(t.lines[0].computed.amount(), dec!(10.00));
        assert_eq!(t.lines[1].computed.amount(), dec!(2.33));
    }

    #[test]
    fn line_allowances_and_charges_adjust_the_line_net() {
        let mut l = line(dec!(10), dec!(20), dec!(25));
        l.allowances.push(percent_off(dec!(200), dec!(10), None));
        l.charges.push(fixed(dec!(5), None));
        // A percentage without a base is taken of the line amount.
        l.allowances.push(AllowanceCharge {
            percent: Some(dec!(2.5)),
            ..AllowanceCharge::default()
        });
        let t = compute(&doc("EUR", vec![l]), LineNetBasis::Computed).unwrap();
        assert_eq!(t.lines[0].computed.amount(), dec!(180.00)); // 200 − 20 + 5 − 5
    }

    #[test]
    fn a_lines_adjustment_amounts_are_the_ones_its_net_deducts_and_adds() {
        let mut l = line(dec!(10), dec!(20), dec!(25));
        l.allowances.push(percent_off(dec!(200), dec!(10), None));
        l.allowances.push(AllowanceCharge {
            percent: Some(dec!(2.5)),
            ..AllowanceCharge::default()
        });
        l.charges.push(fixed(dec!(5), None));
        let eur = Currency::parse("EUR").unwrap();
        let (allowances, charges) = l.adjustment_amounts(eur, "lines[0]").unwrap();
        let amounts = |list: Vec<Money>| list.iter().map(Money::amount).collect::<Vec<_>>();
        assert_eq!(amounts(allowances), [dec!(20.00), dec!(5.00)]);
        assert_eq!(amounts(charges), [dec!(5.00)]);
        l.allowances.push(AllowanceCharge::default());
        let err = l.adjustment_amounts(eur, "lines[0]").unwrap_err();
        assert_eq!(err.field, "lines[0].allowances[2].amount");
    }

    #[test]
    fn document_allowances_and_charges_move_into_their_vat_group() {
        let s25 = vat(TaxCategory::S, dec!(25));
        let s12 = vat(TaxCategory::S, dec!(12));
        let mut d = doc(
            "SEK",
            vec![
                line(dec!(1), dec!(1000), dec!(25)),
                line(dec!(2), dec!(100), dec!(12)),
            ],
        );
        d.allowances
            .push(percent_off(dec!(1000), dec!(10), Some(s25)));
        d.charges.push(fixed(dec!(50), Some(s12)));
        d.prepaid = dec!(100);
        let t = compute(&d, LineNetBasis::Computed).unwrap();
        // S25: 1000 − 100 = 900 → 225; S12: 200 + 50 = 250 → 30.
        assert_eq!(
            bt(&t),
            strs([
                "1200.00", "100.00", "50.00", "1150.00", "255.00", "1405.00", "100.00", "0.00",
                "1305.00"
            ])
        );
        let groups: Vec<_> = t
            .vat
            .iter()
            .map(|v| (v.taxable.amount(), v.tax.amount()))
            .collect();
        assert_eq!(
            groups,
            vec![(dec!(250.00), dec!(30.00)), (dec!(900.00), dec!(225.00))]
        );
    }

    #[test]
    fn a_document_allowance_must_name_its_vat() {
        let mut d = doc("EUR", vec![line(dec!(1), dec!(10), dec!(19))]);
        d.allowances.push(fixed(dec!(1), None));
        assert_eq!(
            compute(&d, LineNetBasis::Computed).unwrap_err(),
            ValidationError::new("allowances[0].vat", Rule::Required)
        );
        d.allowances[0] = AllowanceCharge {
            percent: Some(dec!(5)),
            vat: Some(vat(TaxCategory::S, dec!(19))),
            ..AllowanceCharge::default()
        };
        assert_eq!(
            compute(&d, LineNetBasis::Computed).unwrap_err().field,
            "allowances[0].amount"
        );
    }

    #[test]
    fn vat_inclusive_prices_keep_the_gross_the_customer_saw() {
        let mut d = doc("EUR", vec![line(dec!(3), dec!(9.99), dec!(19))]);
        d.price_basis = PriceBasis::Gross;
        let t = compute(&d, LineNetBasis::Computed).unwrap();
        // 29.97 × 19 / 119 = 4.785… → 4.79; net 25.18.
        assert_eq!(
            bt(&t),
            strs([
                "25.18", "0.00", "0.00", "25.18", "4.79", "29.97", "0.00", "0.00", "29.97"
            ])
        );
    }

    #[test]
    fn cash_rounding_makes_the_amount_payable_and_states_the_difference() {
        let mut d = doc("CHF", vec![line(dec!(1), dec!(10.01), dec!(8.1))]);
        d.payable_rounding = PayableRounding::ToIncrement(dec!(0.05));
        let t = compute(&d, LineNetBasis::Computed).unwrap();
        // 10.01 + 0.81 = 10.82 → 10.80 payable; BT-114 = −0.02.
        assert_eq!(t.tax_inclusive.amount(), dec!(10.82));
        assert_eq!(t.rounding.amount(), dec!(-0.02));
        assert_eq!(t.amount_due.amount(), dec!(10.80));
    }

    #[test]
    fn stated_line_nets_are_the_basis_when_asked_and_the_computed_ones_are_kept() {
        let mut l = line(dec!(2), dec!(1273), dec!(25));
        l.stated_net = Some(dec!(1273));
        let d = doc("NOK", vec![l]);
        let stated = compute(&d, LineNetBasis::Stated).unwrap();
        assert_eq!(stated.line_net_total.amount(), dec!(1273.00));
        assert_eq!(stated.lines[0].computed.amount(), dec!(2546.00));
        let computed = compute(&d, LineNetBasis::Computed).unwrap();
        assert_eq!(computed.line_net_total.amount(), dec!(2546.00));
    }

    #[test]
    fn additional_taxes_stack_on_vat_and_a_compound_one_taxes_the_vat_too() {
        let levy = AdditionalTax {
            name: "Excise".into(),
            percent: dec!(10),
            compound: false,
        };
        let provincial = AdditionalTax {
            name: "Provincial sales tax".into(),
            percent: dec!(9.975),
            compound: true,
        };
        let mut a = line(dec!(1), dec!(100), dec!(5));
        a.additional_taxes = vec![levy.clone(), provincial.clone()];
        let mut b = line(dec!(2), dec!(50), dec!(5));
        b.additional_taxes = vec![levy.clone()];
        let t = compute(&doc("CAD", vec![a, b]), LineNetBasis::Computed).unwrap();
        // VAT 5 % of 200 = 10; excise 10 % of 200 = 20; provincial 9.975 % of (100 + 5) = 10.47375 → 10.47.
        let extra: Vec<_> = t
            .additional_taxes
            .iter()
            .map(|x| (x.tax.name.as_str(), x.base.amount(), x.amount.amount()))
            .collect();
        assert_eq!(
            extra,
            vec![
                ("Excise", dec!(200.00), dec!(20.00)),
                ("Provincial sales tax", dec!(105.00), dec!(10.47))
            ]
        );
        assert_eq!(t.tax_total.amount(), dec!(10.00), "BT-110 stays VAT only");
        assert_eq!(t.tax_inclusive.amount(), dec!(240.47));
        assert_eq!(t.amount_due.amount(), dec!(240.47));
    }

    #[test]
    fn a_document_with_other_taxes_is_not_expressible_in_en16931() {
        let mut d = doc(
            "CAD",
            vec![
                line(dec!(1), dec!(1), dec!(5)),
                line(dec!(1), dec!(1), dec!(5)),
            ],
        );
        assert_eq!(d.check_en16931(), Ok(()));
        d.lines[1].additional_taxes.push(AdditionalTax {
            name: "Excise".into(),
            percent: dec!(1),
            compound: false,
        });
        assert_eq!(
            d.check_en16931().unwrap_err().field,
            "lines[1].additional_taxes"
        );
        d.price_basis = PriceBasis::Gross;
        assert_eq!(
            compute(&d, LineNetBasis::Computed).unwrap_err().field,
            "lines[1].additional_taxes[0]"
        );
    }

    #[test]
    fn category_o_has_no_rate_and_no_tax() {
        let mut l = line(dec!(1), dec!(100), dec!(0));
        l.vat = VatClass {
            category: TaxCategory::O,
            rate: None,
        };
        let t = compute(&doc("SEK", vec![l]), LineNetBasis::Computed).unwrap();
        assert_eq!((t.vat[0].rate, t.vat[0].tax.amount()), (None, dec!(0.00)));
    }

    #[test]
    fn overflow_names_the_line() {
        let huge = Decimal::from_i128_with_scale(10_i128.pow(27), 0);
        let err = compute(
            &doc(
                "EUR",
                vec![
                    line(dec!(1), dec!(1), dec!(19)),
                    line(huge, dec!(100), dec!(19)),
                ],
            ),
            LineNetBasis::Computed,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ValidationError::new("lines[1].quantity", Rule::Overflow)
        );
    }

    fn arb_line() -> impl Strategy<Value = Line> {
        (
            -10_000i64..100_000,
            0u32..3,
            0i64..10_000_000,
            0u32..4,
            prop::sample::select(vec![dec!(0), dec!(6), dec!(12), dec!(19), dec!(25)]),
            prop::option::of(0i64..5_000),
        )
            .prop_map(|(q, qs, p, ps, rate, allowance)| {
                let mut l = line(Decimal::new(q, qs), Decimal::new(p, ps), rate);
                if let Some(a) = allowance {
                    l.allowances.push(fixed(Decimal::new(a, 2), None));
                }
                l
            })
    }

    proptest! {
        #[test]
        fn the_vat_breakdown_always_sums_to_bt109_and_bt110(
            lines in prop::collection::vec(arb_line(), 1..30),
            allowance in 0i64..100_000,
            charge in 0i64..100_000,
            prepaid in 0i64..100_000,
            per_line in any::<bool>(),
        ) {
            let mut d = doc("EUR", lines);
            d.tax_rounding = if per_line { TaxRounding::PerLine } else { TaxRounding::PerDocument };
            d.allowances.push(fixed(Decimal::new(allowance, 2), Some(vat(TaxCategory::S, dec!(25)))));
            d.charges.push(fixed(Decimal::new(charge, 2), Some(vat(TaxCategory::S, dec!(12)))));
            d.prepaid = Decimal::new(prepaid, 2);
            let t = compute(&d, LineNetBasis::Computed).unwrap();
            let eur = d.currency;
            prop_assert_eq!(Money::sum(eur, t.vat.iter().map(|v| v.taxable)).unwrap(), t.tax_exclusive);
            prop_assert_eq!(Money::sum(eur, t.vat.iter().map(|v| v.tax)).unwrap(), t.tax_total);
            prop_assert_eq!(t.tax_exclusive.checked_add(t.tax_total).unwrap(), t.tax_inclusive);
            prop_assert_eq!(
                t.tax_inclusive.checked_sub(t.prepaid).unwrap().checked_add(t.rounding).unwrap(),
                t.amount_due
            );
        }

        #[test]
        fn vat_inclusive_groups_never_lose_a_cent_of_the_gross(
            lines in prop::collection::vec(arb_line(), 1..30),
        ) {
            let mut d = doc("EUR", lines);
            for l in &mut d.lines { l.allowances.clear(); }
            d.price_basis = PriceBasis::Gross;
            let gross: Decimal = d.lines.iter().map(|l| l.computed_net(d.currency, "l").unwrap().amount()).sum();
            let t = compute(&d, LineNetBasis::Computed).unwrap();
            prop_assert_eq!(t.tax_inclusive.amount(), gross);
        }
    }
}
