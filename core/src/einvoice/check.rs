//! What a document states, against what core computes.
//!
//! Core computes every total with [`LineNetBasis::Stated`]: the document totals are built from the line
//! net amounts (BT-131) the document states — the standard's own basis for BR-CO-10 — plus its
//! allowances, charges, prepaid amount and rounding. Each line's net is also recomputed from quantity,
//! price, base quantity, allowances and charges; a difference is a [`LineMismatch`], and a violation only
//! where Peppol's PEPPOL-EN16931-R120 says so.
//!
//! Each rule checks one relation of the standard, the way its schematron does: the value the document
//! states against the value computed from that relation's inputs. Sums over lines, allowances and
//! charges (BT-106, BT-107, BT-108, and the taxable amount per VAT category and rate) come from core;
//! the relations between totals (BT-109, BT-112, BT-115, BT-117) take the totals the document states as
//! inputs, so one wrong amount fires the one rule it breaks rather than every total after it.
//!
//! A rule is evaluated only when the document states its subject; a difference within the rule's own
//! tolerance is a note, not a violation. The tolerances are the rules' own, as the current EN 16931
//! UBL schematron writes them, applied to both syntaxes: none for BR-CO-10 … BR-CO-16 and the -08/-09
//! rules of the zero-rated and exempt categories; under one currency unit on the magnitudes for
//! BR-CO-17, BR-S-08/09, BR-AF-08/09 and BR-AG-08/09; 0.02 inclusive for PEPPOL-EN16931-R040 and R120.
//! The Peppol rules (R040, R046, R120) are Peppol BIS rules on UBL: on a CII document what they would
//! say is a note.

use rust_decimal::Decimal;

use super::{EInvoice, StatedVat, Syntax};
use crate::document::en16931::{
    self, AllowanceCharge, DOCUMENT_ROUNDING, Document, LineNetBasis, PayableRounding, VatBreakdown,
};
use crate::money::{Currency, Money};
use crate::tax::{RateRule, TaxCategory};

/// What core computed for a document. A total that could not be computed is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    /// BT-131 of each line, from quantity, price, base quantity, allowances and charges.
    pub lines: Vec<Option<Money>>,
    /// BT-106.
    pub line_net_total: Option<Money>,
    /// BT-107.
    pub allowance_total: Option<Money>,
    /// BT-108.
    pub charge_total: Option<Money>,
    /// BT-109.
    pub tax_exclusive: Option<Money>,
    /// BG-23, by category and rate.
    pub vat: Option<Vec<VatBreakdown>>,
    /// BT-110.
    pub tax_total: Option<Money>,
    /// BT-112.
    pub tax_inclusive: Option<Money>,
    /// BT-113.
    pub prepaid: Option<Money>,
    /// BT-114.
    pub rounding: Option<Money>,
    /// BT-115.
    pub amount_due: Option<Money>,
}

/// A line whose stated net (BT-131) is not what its quantity, price, allowances and charges give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMismatch {
    /// The line identifier (BT-126), or its position from 1 when it has none.
    pub line: String,
    pub stated: Decimal,
    pub computed: Money,
}

/// A rule that does not hold: the value the document states and the value the rule computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub stated: Option<Decimal>,
    pub computed: Option<Decimal>,
}

/// The outcome of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub computed: Computed,
    pub line_mismatches: Vec<LineMismatch>,
    pub violations: Vec<Finding>,
    /// Differences within a rule's tolerance, rules that could not be evaluated, and the reader's
    /// assumptions.
    pub notes: Vec<String>,
}

impl Report {
    /// Whether the document breaks this rule.
    pub fn violates(&self, rule: &str) -> bool {
        self.violations.iter().any(|f| f.rule == rule)
    }

    /// Whether every evaluated rule holds.
    pub fn is_consistent(&self) -> bool {
        self.violations.is_empty()
    }
}

/// How far a stated value may be from the computed one.
#[derive(Debug, Clone, Copy)]
enum Tolerance {
    /// Equal.
    None,
    /// Closer than this (the EN 16931 "under one unit" slack).
    Under(Decimal),
    /// At most this (Peppol's `u:slack`).
    AtMost(Decimal),
}

/// Checks a document against core's computation and the EN 16931 and Peppol rules named in the
/// module documentation.
pub fn check(invoice: &EInvoice) -> Report {
    let mut notes = Vec::new();
    let computed = computed(&invoice.document, &mut notes);
    let mut checker = Checker {
        invoice,
        currency: invoice.document.currency,
        report: Report {
            computed,
            line_mismatches: Vec::new(),
            violations: Vec::new(),
            notes,
        },
    };
    checker.lines();
    checker.allowance_percentages();
    checker.document_totals();
    for vat in &invoice.stated.vat {
        checker.vat_entry(vat);
    }
    checker
        .report
        .notes
        .extend(invoice.assumptions.iter().map(|a| format!("assumed: {a}")));
    checker.report
}

/// Core's totals; when the whole computation fails (a document allowance without VAT category, a
/// base quantity of zero, an overflow), the totals that do not depend on the failing part.
fn computed(doc: &Document, notes: &mut Vec<String>) -> Computed {
    match en16931::compute(doc, LineNetBasis::Stated) {
        Ok(t) => Computed {
            lines: t.lines.iter().map(|l| Some(l.computed)).collect(),
            line_net_total: Some(t.line_net_total),
            allowance_total: Some(t.allowance_total),
            charge_total: Some(t.charge_total),
            tax_exclusive: Some(t.tax_exclusive),
            vat: Some(t.vat),
            tax_total: Some(t.tax_total),
            tax_inclusive: Some(t.tax_inclusive),
            prepaid: Some(t.prepaid),
            rounding: Some(t.rounding),
            amount_due: Some(t.amount_due),
        },
        Err(e) => {
            notes.push(format!(
                "core cannot compute every total: {e}; the totals that depend on it are null"
            ));
            partial(doc)
        }
    }
}

fn partial(doc: &Document) -> Computed {
    let currency = doc.currency;
    let money = |d: Decimal| Money::rounded(d, currency, DOCUMENT_ROUNDING);
    let lines: Vec<Option<Money>> = doc
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| l.computed_net(currency, &format!("lines[{i}]")).ok())
        .collect();
    let line_net_total = doc
        .lines
        .iter()
        .zip(&lines)
        .try_fold(Decimal::ZERO, |sum, (line, computed)| {
            let used = line
                .stated_net
                .map(|s| money(s).amount())
                .or(computed.map(|c| c.amount()))?;
            sum.checked_add(used)
        })
        .map(money);
    let sum = |list: &[AllowanceCharge], name: &str| {
        list.iter()
            .enumerate()
            .try_fold(Decimal::ZERO, |sum, (i, ac)| {
                let amount = ac
                    .resolved_amount(currency, None, &format!("{name}[{i}]"))
                    .ok()?;
                sum.checked_add(amount.amount())
            })
            .map(money)
    };
    let allowance_total = sum(&doc.allowances, "allowances");
    let charge_total = sum(&doc.charges, "charges");
    let tax_exclusive = match (line_net_total, allowance_total, charge_total) {
        (Some(l), Some(a), Some(c)) => l
            .amount()
            .checked_sub(a.amount())
            .and_then(|d| d.checked_add(c.amount()))
            .map(money),
        _ => None,
    };
    Computed {
        lines,
        line_net_total,
        allowance_total,
        charge_total,
        tax_exclusive,
        vat: None,
        tax_total: None,
        tax_inclusive: None,
        prepaid: Some(money(doc.prepaid)),
        rounding: match doc.payable_rounding {
            PayableRounding::None => Some(Money::zero(currency)),
            PayableRounding::Stated(r) => Some(money(r)),
            PayableRounding::ToIncrement(_) => None,
        },
        amount_due: None,
    }
}

struct Checker<'a> {
    invoice: &'a EInvoice,
    currency: Currency,
    report: Report,
}

/// The breakdown rules -08 and -09 of a VAT category and whether it groups by rate (the categories
/// that charge VAT); `None` for a category EN 16931 has no breakdown rules for (B).
fn category_rules(category: TaxCategory) -> Option<(&'static str, &'static str, bool)> {
    let rules = category.rules();
    let by_rate = matches!(rules.rate, RateRule::Positive | RateRule::NotNegative);
    rules.breakdown_rules.map(|(r08, r09)| (r08, r09, by_rate))
}

impl Checker<'_> {
    fn round(&self, d: Decimal) -> Decimal {
        DOCUMENT_ROUNDING.round(d, self.currency.minor_units())
    }

    fn peppol(&self) -> bool {
        self.invoice.header.syntax == Syntax::Ubl
    }

    /// Compares a stated value with the computed one under the rule's tolerance.
    fn compare(
        &mut self,
        rule: &'static str,
        stated: Decimal,
        computed: Decimal,
        tolerance: Tolerance,
        peppol: bool,
    ) {
        if stated == computed {
            return;
        }
        // A difference too large to represent is beyond any tolerance.
        let difference = stated.checked_sub(computed).map(|d| d.abs());
        let within = match (tolerance, difference) {
            (Tolerance::Under(t), Some(d)) => d < t,
            (Tolerance::AtMost(t), Some(d)) => d <= t,
            (Tolerance::None, _) | (_, None) => false,
        };
        let shown = self.round(computed);
        if within {
            self.report.notes.push(format!(
                "{rule}: states {stated}, computed {shown}; within the rule's tolerance"
            ));
        } else if peppol && !self.peppol() {
            self.report.notes.push(format!(
                "{rule} (a Peppol BIS rule on UBL) would not hold: states {stated}, computed {shown}"
            ));
        } else {
            self.violation(rule, Some(stated), Some(shown));
        }
    }

    fn violation(
        &mut self,
        rule: &'static str,
        stated: Option<Decimal>,
        computed: Option<Decimal>,
    ) {
        self.report.violations.push(Finding {
            rule,
            stated,
            computed,
        });
    }

    fn not_evaluated(&mut self, rule: &str, why: &str) {
        self.report
            .notes
            .push(format!("{rule} not evaluated: {why}"));
    }

    /// Line mismatches, PEPPOL-EN16931-R120 and R046.
    fn lines(&mut self) {
        let invoice = self.invoice;
        for (i, line) in invoice.document.lines.iter().enumerate() {
            let label = if line.id.is_empty() {
                (i + 1).to_string()
            } else {
                line.id.clone()
            };
            let computed = self.report.computed.lines.get(i).copied().flatten();
            if let (Some(stated), Some(computed)) = (line.stated_net, computed)
                && stated != computed.amount()
            {
                self.report.line_mismatches.push(LineMismatch {
                    line: label.clone(),
                    stated,
                    computed,
                });
            }
            match self.r120_expression(line) {
                Some(expected) => self.compare(
                    "PEPPOL-EN16931-R120",
                    line.stated_net.unwrap_or_default(),
                    expected,
                    Tolerance::AtMost(Decimal::new(2, 2)),
                    true,
                ),
                None => self.not_evaluated(
                    "PEPPOL-EN16931-R120",
                    &format!("line {label}: its amounts cannot be computed"),
                ),
            }
            if let Some(gross) = line.price.gross {
                let discount = line.price.discount.unwrap_or_default();
                match gross.checked_sub(discount) {
                    Some(expected) => self.compare(
                        "PEPPOL-EN16931-R046",
                        line.price.net,
                        expected,
                        Tolerance::None,
                        true,
                    ),
                    None => self.not_evaluated("PEPPOL-EN16931-R046", "overflow"),
                }
            }
        }
    }

    /// R120's own arithmetic: quantity × (price ÷ base quantity, 1 when absent or zero) + Σ charges −
    /// Σ allowances, unrounded.
    fn r120_expression(&self, line: &en16931::Line) -> Option<Decimal> {
        let base = line
            .price
            .base_quantity
            .filter(|b| !b.is_zero())
            .unwrap_or(Decimal::ONE);
        let gross = line
            .quantity
            .checked_mul(line.price.net.checked_div(base)?)?;
        let sum = |list: &[AllowanceCharge]| {
            list.iter().try_fold(Decimal::ZERO, |sum, ac| {
                let amount = ac
                    .resolved_amount(self.currency, Some(gross), "line")
                    .ok()?;
                sum.checked_add(amount.amount())
            })
        };
        gross
            .checked_add(sum(&line.charges)?)?
            .checked_sub(sum(&line.allowances)?)
    }

    /// PEPPOL-EN16931-R040 on document and line allowances and charges (not on price discounts).
    fn allowance_percentages(&mut self) {
        let doc = &self.invoice.document;
        let all = doc.allowances.iter().chain(&doc.charges).chain(
            doc.lines
                .iter()
                .flat_map(|l| l.allowances.iter().chain(&l.charges)),
        );
        for ac in all {
            if let (Some(base), Some(percent)) = (ac.base, ac.percent) {
                match base
                    .checked_mul(percent)
                    .and_then(|p| p.checked_div(Decimal::ONE_HUNDRED))
                {
                    Some(expected) => self.compare(
                        "PEPPOL-EN16931-R040",
                        ac.amount.unwrap_or_default(),
                        expected,
                        Tolerance::AtMost(Decimal::new(2, 2)),
                        true,
                    ),
                    None => self.not_evaluated("PEPPOL-EN16931-R040", "overflow"),
                }
            }
        }
    }

    /// BR-CO-10 … BR-CO-16.
    fn document_totals(&mut self) {
        let s = &self.invoice.stated;
        let c = self.report.computed.clone();
        let doc = &self.invoice.document;
        self.sum_rule("BR-CO-10", s.line_net_total, c.line_net_total, true);
        self.sum_rule(
            "BR-CO-11",
            s.allowance_total,
            c.allowance_total,
            doc.allowances.is_empty(),
        );
        self.sum_rule(
            "BR-CO-12",
            s.charge_total,
            c.charge_total,
            doc.charges.is_empty(),
        );
        if let (Some(stated), Some(lines)) = (s.tax_exclusive, s.line_net_total) {
            let expected = lines
                .checked_sub(s.allowance_total.unwrap_or_default())
                .and_then(|d| d.checked_add(s.charge_total.unwrap_or_default()));
            self.relation("BR-CO-13", stated, expected);
        }
        let stated_taxes: Vec<Decimal> = s.vat.iter().filter_map(|v| v.tax).collect();
        if let Some(stated) = s.tax_total
            && !stated_taxes.is_empty()
        {
            let expected = stated_taxes
                .iter()
                .try_fold(Decimal::ZERO, |sum, t| sum.checked_add(*t));
            self.relation("BR-CO-14", stated, expected);
        }
        if let (Some(stated), Some(exclusive), Some(tax)) =
            (s.tax_inclusive, s.tax_exclusive, s.tax_total)
        {
            self.relation("BR-CO-15", stated, exclusive.checked_add(tax));
        }
        for repeated in &s.repeated_tax_totals {
            self.report.notes.push(
                "BR-CO-15: the VAT total (BT-110) is stated more than once in the invoice currency"
                    .to_owned(),
            );
            self.violation("BR-CO-15", Some(*repeated), s.tax_total);
        }
        if let (Some(stated), Some(inclusive)) = (s.amount_due, s.tax_inclusive) {
            let expected = inclusive
                .checked_sub(s.prepaid.unwrap_or_default())
                .and_then(|d| d.checked_add(s.rounding.unwrap_or_default()));
            self.relation("BR-CO-16", stated, expected);
        }
    }

    /// A stated total against core's sum; when the total is not stated, it must have nothing to sum.
    fn sum_rule(
        &mut self,
        rule: &'static str,
        stated: Option<Decimal>,
        computed: Option<Money>,
        may_be_absent: bool,
    ) {
        match (stated, computed) {
            (Some(stated), Some(computed)) => {
                self.compare(rule, stated, computed.amount(), Tolerance::None, false)
            }
            (Some(_), None) => self.not_evaluated(rule, "the sum cannot be computed"),
            (None, computed) if !may_be_absent => {
                self.violation(rule, None, computed.map(|c| c.amount()))
            }
            (None, _) => {}
        }
    }

    /// A stated total against the same relation over the stated totals it combines.
    fn relation(&mut self, rule: &'static str, stated: Decimal, expected: Option<Decimal>) {
        match expected {
            Some(expected) => {
                let expected = self.round(expected);
                self.compare(rule, stated, expected, Tolerance::None, false);
            }
            None => self.not_evaluated(rule, "overflow"),
        }
    }

    /// BR-CO-17 and the category rules -08 and -09 on one stated VAT breakdown entry.
    fn vat_entry(&mut self, vat: &StatedVat) {
        let one = Tolerance::Under(Decimal::ONE);
        if let (Some(tax), Some(taxable)) = (vat.tax, vat.taxable) {
            self.tax_of("BR-CO-17", tax, taxable, vat.rate);
        }
        let Some(category) = vat.category else {
            return;
        };
        let Some((rule_08, rule_09, positive_rate)) = category_rules(category) else {
            return;
        };
        if let Some(taxable) = vat.taxable {
            // The positive-rate categories group by rate; the others by category alone.
            let rate = if positive_rate {
                match vat.rate {
                    Some(r) => Some(r),
                    None => return self.not_evaluated(rule_08, "no rate (BT-119) stated"),
                }
            } else {
                None
            };
            match self.group_taxable(category, rate) {
                Some(expected) => self.compare(
                    rule_08,
                    taxable,
                    expected,
                    if positive_rate { one } else { Tolerance::None },
                    false,
                ),
                None => self.not_evaluated(rule_08, "the VAT breakdown cannot be computed"),
            }
        }
        match (positive_rate, vat.tax) {
            (true, Some(tax)) => {
                if let (Some(taxable), Some(_)) = (vat.taxable, vat.rate) {
                    self.tax_of(rule_09, tax, taxable, vat.rate);
                }
            }
            (false, Some(tax)) => self.compare(rule_09, tax, Decimal::ZERO, Tolerance::None, false),
            (_, None) => {}
        }
    }

    /// Core's taxable amount of a category (at one rate, or over all its rates).
    fn group_taxable(&self, category: TaxCategory, rate: Option<Decimal>) -> Option<Decimal> {
        let groups = self.report.computed.vat.as_ref()?;
        groups
            .iter()
            .filter(|g| g.category == category)
            .filter(|g| rate.is_none_or(|r| g.rate.map(|gr| gr.percent()) == Some(r)))
            .try_fold(Decimal::ZERO, |sum, g| sum.checked_add(g.taxable.amount()))
    }

    /// tax = taxable × rate ÷ 100 rounded, compared on magnitudes with under one unit of slack; a rate
    /// that rounds to zero (or none) needs a tax that rounds to zero.
    fn tax_of(
        &mut self,
        rule: &'static str,
        tax: Decimal,
        taxable: Decimal,
        rate: Option<Decimal>,
    ) {
        match rate.filter(|r| !DOCUMENT_ROUNDING.round(*r, 0).is_zero()) {
            Some(rate) => {
                let Some(magnitude) = taxable
                    .abs()
                    .checked_mul(rate)
                    .and_then(|d| d.checked_div(Decimal::ONE_HUNDRED))
                else {
                    return self.not_evaluated(rule, "overflow");
                };
                let expected = self.round(magnitude);
                if tax.abs() == expected {
                    return;
                }
                let signed = if taxable.is_sign_negative() {
                    -expected
                } else {
                    expected
                };
                let within = tax
                    .abs()
                    .checked_sub(expected)
                    .is_some_and(|d| d.abs() < Decimal::ONE);
                if within {
                    self.report.notes.push(format!(
                        "{rule}: states {tax}, computed {signed}; within the rule's tolerance"
                    ));
                } else {
                    self.violation(rule, Some(tax), Some(signed));
                }
            }
            None => {
                if !DOCUMENT_ROUNDING.round(tax, 0).is_zero() {
                    self.violation(rule, Some(tax), Some(self.round(Decimal::ZERO)));
                }
            }
        }
    }
}
