//! Generated e-invoices survive both writers: parsing what `to_ubl` and `to_cii` write gives the same
//! header, document and stated totals, and core computes the same totals from it.

mod einvoice_common;

use chrono::NaiveDate;
use einvoice_common::as_written;
use proptest::prelude::*;
use remit_core::document::TaxRounding;
use remit_core::document::en16931::{
    AllowanceCharge, Document, DocumentKind, Line, PayableRounding, Price, PriceBasis, VatClass,
};
use remit_core::einvoice::{
    DeliveryInfo, EInvoice, Header, InvoicePeriod, Party, Payment, PaymentAccount,
    PrecedingInvoice, StatedTotals, StatedVat, Syntax, check, parse, to_cii, to_ubl,
};
use remit_core::money::Currency;
use remit_core::tax::{TaxCategory, TaxRate};
use rust_decimal::Decimal;

/// Text as a reader returns it: trimmed, non-empty, with the characters XML must escape.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9&<>\"'][A-Za-z0-9 &<>\"'.,/-]{0,12}[A-Za-z0-9&<>]"
}

fn decimal(max: i64, max_scale: u32) -> impl Strategy<Value = Decimal> {
    (-max..=max, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s))
}

fn positive(max: i64, max_scale: u32) -> impl Strategy<Value = Decimal> {
    (1..=max, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s))
}

fn vat() -> impl Strategy<Value = VatClass> {
    prop_oneof![
        prop::sample::select(vec![6i64, 12, 19, 25, 75]).prop_map(|r| VatClass {
            category: TaxCategory::S,
            rate: Some(TaxRate::new(Decimal::new(r, if r == 75 { 1 } else { 0 })).expect("rate")),
        }),
        prop::sample::select(vec![
            TaxCategory::Z,
            TaxCategory::E,
            TaxCategory::AE,
            TaxCategory::K
        ])
        .prop_map(|category| VatClass {
            category,
            rate: Some(TaxRate::new(Decimal::ZERO).expect("rate")),
        }),
        Just(VatClass {
            category: TaxCategory::O,
            rate: None,
        }),
    ]
}

fn allowance_charge(with_vat: bool) -> impl Strategy<Value = AllowanceCharge> {
    (
        prop::option::of(decimal(100_000, 2)),
        prop::option::of(positive(1_000_000, 2)),
        prop::option::of(positive(10_000, 2)),
        prop::option::of(text()),
        prop::option::of("[0-9]{2,3}|[A-Z]{2,3}"),
        vat(),
    )
        .prop_map(
            move |(amount, base, percent, reason, code, vat)| AllowanceCharge {
                // Either the amount is stated or it can be computed from base and percent.
                amount: amount.or(if base.is_some() && percent.is_some() {
                    None
                } else {
                    Some(Decimal::ONE)
                }),
                base,
                percent,
                reason: reason.unwrap_or_default(),
                reason_code: code.unwrap_or_default(),
                vat: with_vat.then_some(vat),
            },
        )
}

fn line() -> impl Strategy<Value = Line> {
    (
        ("[0-9]{1,3}", prop::option::of(text())),
        decimal(1_000_000, 3),
        prop::sample::select(vec!["", "C62", "HUR", "LTR"]),
        (
            positive(10_000_000, 4),
            prop::option::of(positive(1_000, 1)),
            prop::option::of(positive(10_000_000, 2)),
            prop::option::of(positive(100_000, 2)),
        ),
        prop::collection::vec(allowance_charge(false), 0..3),
        prop::collection::vec(allowance_charge(false), 0..2),
        vat(),
        prop::option::of(decimal(100_000_000, 2)),
    )
        .prop_map(
            |(
                (id, name),
                quantity,
                unit,
                (net, base, gross, discount),
                allowances,
                charges,
                vat,
                stated,
            )| {
                Line {
                    id,
                    name: name.unwrap_or_default(),
                    quantity,
                    unit_code: unit.to_owned(),
                    price: Price {
                        net,
                        base_quantity: base,
                        gross,
                        discount,
                    },
                    allowances,
                    charges,
                    vat,
                    exemption_reason: String::new(),
                    stated_net: stated,
                    additional_taxes: Vec::new(),
                    exemption_code: String::new(),
                    period: None,
                }
            },
        )
}

fn party() -> impl Strategy<Value = Party> {
    (
        prop::option::of(text()),
        prop::option::of("[A-Z]{2}[0-9]{8}"),
        prop::option::of("[0-9]{9}"),
        prop::collection::vec(text(), 0..=3),
        prop::option::of(text()),
        prop::option::of("[0-9]{4,5}"),
        prop::option::of("[A-Z]{2}"),
    )
        .prop_map(
            |(name, vat_id, legal_id, address_lines, city, postcode, country)| Party {
                name,
                vat_id,
                legal_id,
                address_lines,
                city,
                postcode,
                country,
            },
        )
}

/// Payment instructions as a writer can state them: a remittance or an account only with a means.
fn payment() -> impl Strategy<Value = Payment> {
    (
        prop::option::of((
            prop::sample::select(vec!["30", "58", "1", "ZZZ"]),
            prop::option::of("RF[0-9]{2}[A-Z0-9]{5,10}"),
            prop::option::of((
                "[A-Z]{2}[0-9]{2}[A-Z0-9]{11}",
                prop::option::of(text()),
                prop::option::of("[A-Z]{6}[A-Z0-9]{2}"),
            )),
        )),
        prop::option::of(text()),
    )
        .prop_map(|(means, terms)| {
            let (means_code, remittance, account) = match means {
                Some((code, remittance, account)) => (
                    Some(code.to_owned()),
                    remittance,
                    account.map(|(id, name, bic)| PaymentAccount { id, name, bic }),
                ),
                None => (None, None, None),
            };
            Payment {
                means_code,
                remittance,
                account,
                terms,
            }
        })
}

fn delivery() -> impl Strategy<Value = DeliveryInfo> {
    (
        prop::option::of(date()),
        prop::option::of((date(), 0i64..400)),
        prop::option::of("[A-Z]{2}"),
    )
        .prop_map(|(date, period, country)| DeliveryInfo {
            date,
            period: period.map(|(start, days)| InvoicePeriod {
                start,
                end: start + chrono::Duration::days(days),
            }),
            country,
        })
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..20_000).prop_map(|d| {
        NaiveDate::from_ymd_opt(2000, 1, 1).expect("date") + chrono::Duration::days(d)
    })
}

fn stated_vat() -> impl Strategy<Value = StatedVat> {
    (
        prop::option::of(prop::sample::select(TaxCategory::ALL.to_vec())),
        prop::option::of(decimal(10_000, 2)),
        prop::option::of(decimal(100_000_000, 2)),
        prop::option::of(decimal(100_000_000, 2)),
        prop::option::of(text()),
    )
        .prop_map(
            |(category, rate, taxable, tax, exemption_reason)| StatedVat {
                category,
                rate,
                taxable,
                tax,
                exemption_reason,
                exemption_code: None,
            },
        )
}

fn stated() -> impl Strategy<Value = StatedTotals> {
    let amount = || prop::option::of(decimal(1_000_000_000, 2));
    (
        (amount(), amount(), amount(), amount(), amount()),
        prop::collection::vec(decimal(1_000_000, 2), 0..2),
        (amount(), amount(), amount(), amount()),
        prop::collection::vec(stated_vat(), 0..4),
    )
        .prop_map(
            |(
                (lines, allowances, charges, exclusive, tax),
                repeated,
                (inclusive, prepaid, rounding, due),
                vat,
            )| {
                StatedTotals {
                    line_net_total: lines,
                    allowance_total: allowances,
                    charge_total: charges,
                    tax_exclusive: exclusive,
                    // A repeated VAT total is read as such only after a first one.
                    repeated_tax_totals: if tax.is_some() { repeated } else { Vec::new() },
                    tax_total: tax,
                    tax_inclusive: inclusive,
                    prepaid,
                    rounding,
                    amount_due: due,
                    vat,
                }
            },
        )
}

fn einvoice() -> impl Strategy<Value = EInvoice> {
    (
        (
            prop::sample::select(vec![
                Some("380"),
                Some("381"),
                Some("384"),
                Some("396"),
                None,
            ]),
            prop::sample::select(vec!["EUR", "SEK", "JPY", "BHD"]),
            prop::option::of((
                prop::sample::select(vec!["USD", "NOK"]),
                decimal(1_000_000, 2),
            )),
            (
                prop::option::of(text()),
                prop::option::of(text()),
                prop::option::of(text()),
            ),
            (prop::option::of(date()), prop::option::of(date())),
            prop::collection::vec(text(), 0..3),
            prop::collection::vec((text(), prop::option::of(date())), 0..2),
            (party(), party()),
        ),
        (prop::option::of(text()), delivery(), payment()),
        prop::collection::vec(line(), 1..6),
        prop::collection::vec(allowance_charge(true), 0..3),
        prop::collection::vec(allowance_charge(true), 0..3),
        stated(),
    )
        .prop_map(
            |(
                (
                    code,
                    currency,
                    tax_currency,
                    (customization, number, buyer_reference),
                    (issued, due),
                    notes,
                    preceding,
                    (seller, buyer),
                ),
                (purchase_order, delivery, payment),
                lines,
                allowances,
                charges,
                stated,
            )| {
                let kind = match code {
                    Some("381") | Some("396") => DocumentKind::CreditNote,
                    _ => DocumentKind::Invoice,
                };
                let currency = Currency::parse(currency).expect("currency");
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
                EInvoice {
                    header: Header {
                        syntax: Syntax::Ubl,
                        customization_id: customization,
                        number,
                        issue_date: issued,
                        due_date: due,
                        type_code: code.map(str::to_owned),
                        currency: Some(currency),
                        tax_currency: tax_currency
                            .map(|(c, _)| Currency::parse(c).expect("currency")),
                        tax_total_in_tax_currency: tax_currency.map(|(_, total)| total),
                        buyer_reference,
                        purchase_order,
                        delivery,
                        payment,
                        notes,
                        preceding: preceding
                            .into_iter()
                            .map(|(number, issue_date)| PrecedingInvoice { number, issue_date })
                            .collect(),
                        seller,
                        buyer,
                    },
                    document,
                    stated,
                    assumptions: Vec::new(),
                    expectation: None,
                }
            },
        )
}

fn read_back(written: &str) -> EInvoice {
    let mut invoices = parse(written.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{written}"));
    assert_eq!(invoices.len(), 1);
    invoices.remove(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn ubl_round_trips_preserve_the_document_and_its_totals(inv in einvoice()) {
        let back = read_back(&to_ubl(&inv).expect("an EN 16931 document is written"));
        prop_assert_eq!(as_written(&back, Syntax::Ubl), as_written(&inv, Syntax::Ubl));
        prop_assert_eq!(check(&back).computed, check(&inv).computed);
    }

    #[test]
    fn cii_round_trips_preserve_the_document_and_its_totals(inv in einvoice()) {
        let back = read_back(&to_cii(&inv).expect("an EN 16931 document is written"));
        prop_assert_eq!(as_written(&back, Syntax::Cii), as_written(&inv, Syntax::Cii));
        prop_assert_eq!(check(&back).computed, check(&inv).computed);
        let again = read_back(&to_ubl(&back).expect("an EN 16931 document is written"));
        prop_assert_eq!(as_written(&again, Syntax::Ubl), as_written(&inv, Syntax::Ubl));
    }
}
