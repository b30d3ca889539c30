//! VAT-inclusive entry. A draft may state its unit prices, and the amounts of its allowances and
//! charges, with VAT ([`PriceBasis::Gross`]); an issued document always states net prices (BT-146, at
//! most four decimals) and net allowances and charges, so UBL and CII print what EN 16931 expects. Issuing converts each price so that the document's gross total is reproduced; where no net
//! price of four decimals can reproduce it, [`unreproducible`] says by how much, before issue.

use rust_decimal::Decimal;

use super::en16931::{self, LineNetBasis, PriceBasis};
use super::{InvoiceDraft, InvoiceLine};
use crate::money::Money;
use crate::tax::TaxRate;
use crate::validation::{Rule, ValidationError};

/// Decimals of a net unit price (BT-146).
pub const PRICE_DECIMALS: u32 = 4;

/// How far around the plain conversion and around the first estimate a line's price is searched, in
/// steps of 0.0001.
const SEARCH_STEPS: i64 = 3;

/// The draft with net unit prices: unchanged when its prices are already net. Each gross price (and list
/// price, and line or document allowance or charge amount) is divided by 1 + rate; then, per VAT category and rate,
/// the price of the line with the largest quantity is nudged by ten-thousandths until the group's
/// taxable amount plus its VAT equals the gross the draft showed, or as near as four decimals allow
/// (when two are equally near, the one not above the shown gross: the customer never pays more).
pub fn to_net_prices(draft: &InvoiceDraft) -> Result<InvoiceDraft, ValidationError> {
    if draft.price_basis == PriceBasis::Net {
        return Ok(draft.clone());
    }
    let shown = en16931::compute(&draft.to_document(), LineNetBasis::Computed)?;
    let mut net = draft.clone();
    net.price_basis = PriceBasis::Net;
    for line in &mut net.lines {
        to_net_line(line)?;
    }
    for adjustment in net.allowances.iter_mut().chain(net.charges.iter_mut()) {
        if let Some(amount) = adjustment.adjustment.amount {
            // Stated in minor units, like BT-92 and BT-99; a percentage needs nothing: its base, the
            // group's line nets, becomes net with the lines.
            adjustment.adjustment.amount = Some(net_of(amount, adjustment.tax_rate, 2)?);
        }
    }
    for group in &shown.vat {
        let Some(rate) = group.rate else { continue };
        let target = group.taxable.checked_add(group.tax)?.amount();
        let in_group = |l: &InvoiceLine| l.tax_category == group.category && l.tax_rate == rate;
        let Some(i) = (0..net.lines.len())
            .filter(|&i| in_group(&net.lines[i]) && !net.lines[i].quantity.is_zero())
            .max_by_key(|&i| net.lines[i].quantity.abs())
        else {
            continue;
        };
        fit_line(&mut net, i, (group.category, rate), target)?;
    }
    Ok(net)
}

/// The entered gross total less the gross total of the issued (net-price) document: zero when every cent
/// is reproduced. The editor shows it before issue.
pub fn unreproducible(draft: &InvoiceDraft) -> Result<Money, ValidationError> {
    let shown = en16931::compute(&draft.to_document(), LineNetBasis::Computed)?;
    let issued = en16931::compute(&to_net_prices(draft)?.to_document(), LineNetBasis::Computed)?;
    shown.tax_inclusive.checked_sub(issued.tax_inclusive)
}

fn overflow(field: &str) -> ValidationError {
    ValidationError::new(field, Rule::Overflow)
}

/// `amount ÷ (1 + rate)`, rounded to `decimals`.
fn net_of(amount: Decimal, rate: TaxRate, decimals: u32) -> Result<Decimal, ValidationError> {
    let divisor = Decimal::ONE_HUNDRED + rate.percent();
    let net = amount
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|a| a.checked_div(divisor))
        .ok_or_else(|| overflow("unit_price"))?;
    Ok(en16931::DOCUMENT_ROUNDING.round(net, decimals))
}

fn to_net_line(line: &mut InvoiceLine) -> Result<(), ValidationError> {
    let rate = line.tax_rate;
    line.unit_price = net_of(line.unit_price, rate, PRICE_DECIMALS)?;
    if let Some(gross) = line.gross_price {
        let list = net_of(gross, rate, PRICE_DECIMALS)?;
        line.gross_price = Some(list);
        if line.price_discount.is_some() {
            line.price_discount = Some(list - line.unit_price);
        }
    }
    for adjustment in line.allowances.iter_mut().chain(line.charges.iter_mut()) {
        if let Some(amount) = adjustment.amount {
            // Line adjustments are in the currency's minor units, like every amount on a line.
            adjustment.amount = Some(net_of(amount, rate, 2)?);
        }
    }
    Ok(())
}

/// Searches the price of line `i` for the one whose group gross is nearest `target`.
fn fit_line(
    net: &mut InvoiceDraft,
    i: usize,
    group: (crate::tax::TaxCategory, TaxRate),
    target: Decimal,
) -> Result<(), ValidationError> {
    let step = Decimal::new(1, PRICE_DECIMALS);
    let gross_of = |draft: &InvoiceDraft| -> Result<Decimal, ValidationError> {
        let t = en16931::compute(&draft.to_document(), LineNetBasis::Computed)?;
        let v = t
            .vat
            .iter()
            .find(|v| v.category == group.0 && v.rate == Some(group.1))
            .ok_or_else(|| overflow("vat"))?;
        Ok(v.taxable.checked_add(v.tax)?.amount())
    };
    let miss = target - gross_of(net)?;
    if miss.is_zero() {
        return Ok(());
    }
    // The price change that would move the group gross by `miss`, as the first estimate.
    let line = &net.lines[i];
    let per_unit = line.price_base_quantity.unwrap_or(Decimal::ONE);
    let estimate = net_of(miss, group.1, 10)?
        .checked_mul(per_unit)
        .and_then(|d| d.checked_div(line.quantity))
        .ok_or_else(|| overflow("unit_price"))?;
    let original = line.unit_price;
    let start = en16931::DOCUMENT_ROUNDING.round(original + estimate, PRICE_DECIMALS);
    // Nearer the gross first; at equal distance, not above it (a non-negative miss); then the price
    // nearest the plain conversion.
    let mut best = (miss.abs(), miss.is_sign_negative(), Decimal::ZERO, original);
    for centre in [original, start] {
        for k in -SEARCH_STEPS..=SEARCH_STEPS {
            let price = centre + step * Decimal::from(k);
            if price < Decimal::ZERO {
                continue;
            }
            net.lines[i].unit_price = price;
            let miss = target - gross_of(net)?;
            let candidate = (
                miss.abs(),
                miss.is_sign_negative(),
                (price - original).abs(),
                price,
            );
            if candidate < best {
                best = candidate;
            }
        }
    }
    let line = &mut net.lines[i];
    line.unit_price = best.3;
    if let (Some(list), Some(_)) = (line.gross_price, line.price_discount) {
        line.price_discount = Some(list - line.unit_price);
    } else if line.gross_price.is_some() {
        line.gross_price = Some(line.unit_price);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::compute;
    use crate::document::parts::{Adjustment, DocumentAdjustment};
    use crate::fixtures;
    use crate::tax::TaxCategory;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn gross_draft(lines: Vec<InvoiceLine>) -> InvoiceDraft {
        InvoiceDraft {
            price_basis: PriceBasis::Gross,
            ..fixtures::draft("EUR", lines)
        }
    }

    fn line(quantity: Decimal, price: Decimal, rate: Decimal) -> InvoiceLine {
        fixtures::line("Item", quantity, price, rate)
    }

    #[test]
    fn inclusive_prices_become_net_prices_of_four_decimals() {
        // (lines as quantity × gross price at rate, shown due, shown VAT, issued net prices, cents lost)
        type Case = (
            Vec<(Decimal, Decimal, Decimal)>,
            Decimal,
            Decimal,
            Vec<Decimal>,
            Decimal,
        );
        let cases: Vec<Case> = vec![
            // 29.97 × 19/119 = 4.79 carved out, net 25.18; but 25.18 × 19 % = 4.78 and 25.19 × 19 % =
            // 4.79: no net total gives 29.97, and the cent is reported (issued 29.96, never above).
            (
                vec![(dec!(3), dec!(9.99), dec!(19))],
                dec!(29.97),
                dec!(4.79),
                vec![dec!(8.3949)],
                dec!(0.01),
            ),
            (
                vec![(dec!(1), dec!(119), dec!(19))],
                dec!(119.00),
                dec!(19.00),
                vec![dec!(100)],
                dec!(0),
            ),
            (
                vec![(dec!(2), dec!(10), dec!(25))],
                dec!(20.00),
                dec!(4.00),
                vec![dec!(8)],
                dec!(0),
            ),
            (
                vec![
                    (dec!(7), dec!(4.99), dec!(7)),
                    (dec!(1), dec!(12.50), dec!(19)),
                ],
                dec!(47.43),
                dec!(4.29),
                // 7 % group: shown 32.64 + 2.29 = 34.93; net 32.65 gives 34.94, 32.64 gives 34.92.
                vec![dec!(4.6635), dec!(10.5042)],
                dec!(0.01),
            ),
        ];
        for (lines, due, vat, prices, lost) in cases {
            let d = gross_draft(lines.iter().map(|&(q, p, r)| line(q, p, r)).collect());
            let shown = compute(&d).unwrap();
            assert_eq!(
                (shown.amount_due.amount(), shown.tax_total.amount()),
                (due, vat),
                "{lines:?}"
            );
            let net = to_net_prices(&d).unwrap();
            assert_eq!(net.price_basis, PriceBasis::Net);
            let got: Vec<_> = net.lines.iter().map(|l| l.unit_price).collect();
            assert_eq!(got, prices, "{lines:?}");
            assert!(got.iter().all(|p| p.scale() <= PRICE_DECIMALS));
            assert_eq!(unreproducible(&d).unwrap().amount(), lost, "{lines:?}");
        }
    }

    #[test]
    fn a_net_draft_is_left_as_it_is() {
        let d = fixtures::draft("EUR", vec![line(dec!(3), dec!(9.99), dec!(19))]);
        assert_eq!(to_net_prices(&d).unwrap(), d);
        assert!(unreproducible(&d).unwrap().is_zero());
    }

    fn document_adjustment(
        amount: Option<Decimal>,
        percent: Option<Decimal>,
        rate: Decimal,
    ) -> DocumentAdjustment {
        DocumentAdjustment {
            adjustment: Adjustment {
                amount,
                percent,
                reason_code: String::new(),
                reason: "Loyalty discount".into(),
            },
            tax_category: TaxCategory::S,
            tax_rate: TaxRate::new(rate).unwrap(),
        }
    }

    #[test]
    fn inclusive_document_allowances_and_charges_are_inclusive_and_issued_net() {
        // 3 × 9.99 gross at 19 % less 3 % (0.90 of 29.97): 29.07 gross, of which 4.64 VAT. Freight of
        // 11.90 with VAT is 10.00 net. The issued draft states the freight net and keeps the
        // percentage, and reproduces the shown 40.97.
        let mut d = gross_draft(vec![line(dec!(3), dec!(9.99), dec!(19))]);
        d.allowances
            .push(document_adjustment(None, Some(dec!(3)), dec!(19)));
        d.charges
            .push(document_adjustment(Some(dec!(11.90)), None, dec!(19)));
        let adjusted = |d: &InvoiceDraft| {
            let t = en16931::compute(&d.to_document(), LineNetBasis::Computed).unwrap();
            (t.allowance_total.amount(), t.charge_total.amount())
        };
        assert_eq!(adjusted(&d), (dec!(0.90), dec!(11.90)));
        let shown = compute(&d).unwrap();
        assert_eq!(shown.amount_due.amount(), dec!(40.97));
        assert_eq!(shown.tax_total.amount(), dec!(6.54));
        let net = to_net_prices(&d).unwrap();
        assert_eq!(net.charges[0].adjustment.amount, Some(dec!(10.00)));
        assert_eq!(net.allowances[0].adjustment.percent, Some(dec!(3)));
        assert_eq!(adjusted(&net).1, dec!(10.00));
        let issued = compute(&net).unwrap();
        assert_eq!(
            issued
                .amount_due
                .checked_add(unreproducible(&d).unwrap())
                .unwrap(),
            shown.amount_due
        );
    }

    fn arb_line() -> impl Strategy<Value = InvoiceLine> {
        (
            1i64..500,
            0u32..2,
            1i64..100_000,
            prop::sample::select(vec![dec!(5), dec!(7), dec!(19), dec!(25)]),
        )
            .prop_map(|(q, qs, p, rate)| line(Decimal::new(q, qs), Decimal::new(p, 2), rate))
    }

    proptest! {
        #[test]
        fn issued_net_prices_reproduce_the_gross_within_the_reported_cents(
            lines in prop::collection::vec(arb_line(), 1..12),
            discount in prop::option::of(0i64..=20),
        ) {
            let mut d = gross_draft(lines);
            if let Some(percent) = discount {
                let rate = d.lines[0].tax_rate.percent();
                d.allowances.push(document_adjustment(None, Some(Decimal::from(percent)), rate));
            }
            let shown = compute(&d).unwrap();
            let net = to_net_prices(&d).unwrap();
            let issued = compute(&net).unwrap();
            let lost = unreproducible(&d).unwrap();
            prop_assert_eq!(shown.tax_inclusive.checked_sub(issued.tax_inclusive).unwrap(), lost);
            // Per VAT group, at most a cent plus half of what one ten-thousandth of the price moves on
            // the largest quantity (a price of four decimals cannot move the total more finely).
            let largest = d.lines.iter().map(|l| l.quantity.abs()).max().unwrap_or_default();
            let grain = dec!(0.01) + largest * dec!(0.0001) * dec!(1.25) / dec!(2);
            prop_assert!(lost.amount().abs() <= grain * Decimal::from(shown.vat.len()), "{}", lost);
            prop_assert!(net.lines.iter().all(|l| l.unit_price.scale() <= PRICE_DECIMALS));
            prop_assert!(net.lines.iter().all(|l| l.tax_category == TaxCategory::S));
        }
    }
}
