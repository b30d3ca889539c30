//! The totals under a document, the same table on every screen that shows one: net total, one row per
//! VAT rate and category, VAT total, amount due. The amounts are core's; this only lays them out.

use leptos::prelude::*;
use remit_core::document::DocumentTotals;
use remit_core::document::en16931::Totals;
use remit_core::money::{Currency, Money};

use super::money::{amount_text, money_text};

/// One VAT breakdown row: what it is (`VAT S 25 % of 2850.00`) and the tax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatRow {
    pub label: String,
    pub tax: Money,
}

/// The totals a document shows, from a draft's (core's `compute`) or an issued snapshot's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSums {
    pub net: Money,
    /// The net total after document allowances and charges (BT-109).
    pub tax_exclusive: Money,
    pub vat: Vec<VatRow>,
    pub tax: Money,
    pub due: Money,
}

fn vat_label(category: impl std::fmt::Display, rate: Option<String>, taxable: Money) -> String {
    match rate {
        Some(rate) => format!("VAT {category} {rate} % of {}", money_text(taxable)),
        None => format!("VAT {category} of {}", money_text(taxable)),
    }
}

impl From<&DocumentTotals> for DocumentSums {
    fn from(t: &DocumentTotals) -> Self {
        Self {
            net: t.line_net_total,
            tax_exclusive: t.tax_exclusive,
            vat: t
                .vat
                .iter()
                .map(|v| VatRow {
                    label: vat_label(v.category, Some(v.rate.to_string()), v.taxable),
                    tax: v.tax,
                })
                .collect(),
            tax: t.tax_total,
            due: t.amount_due,
        }
    }
}

impl From<&Totals> for DocumentSums {
    fn from(t: &Totals) -> Self {
        Self {
            net: t.line_net_total,
            tax_exclusive: t.tax_exclusive,
            vat: t
                .vat
                .iter()
                .map(|v| VatRow {
                    label: vat_label(v.category, v.rate.map(|r| r.to_string()), v.taxable),
                    tax: v.tax,
                })
                .collect(),
            tax: t.tax_total,
            due: t.amount_due,
        }
    }
}

/// `view! { <TotalsTable sums=Some(DocumentSums::from(&totals)) currency=Some(currency) /> }`: the
/// amount cells stay empty while `sums` is `None` (a draft core cannot compute yet).
#[component]
pub fn TotalsTable(
    #[prop(into)] sums: Signal<Option<DocumentSums>>,
    #[prop(into)] currency: Signal<Option<Currency>>,
) -> impl IntoView {
    let cell = move |pick: fn(&DocumentSums) -> Money| {
        move || amount_text(sums.with(|s| s.as_ref().map(pick)))
    };
    let vat_rows = move || {
        sums.with(|s| {
            s.iter()
                .flat_map(|s| s.vat.clone())
                .map(|row| {
                    view! {
                        <tr class="vat">
                            <th scope="row">{row.label}</th>
                            <td class="num">{money_text(row.tax)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    // Shown only when document allowances or charges change the net total.
    let adjusted = move || {
        sums.with(|s| {
            s.as_ref().filter(|s| s.tax_exclusive != s.net).map(|s| {
                view! {
                    <tr>
                        <th scope="row">"After allowances and charges"</th>
                        <td class="num" data-testid="total-tax-exclusive">
                            {money_text(s.tax_exclusive)}
                        </td>
                    </tr>
                }
            })
        })
    };
    let code = move || {
        currency
            .get()
            .map(|c| c.code().to_owned())
            .unwrap_or_default()
    };
    view! {
        <table class="totals">
            <tbody>
                <tr>
                    <th scope="row">"Net total"</th>
                    <td class="num" data-testid="total-net">
                        {cell(|s| s.net)}
                    </td>
                </tr>
                {adjusted}
                {vat_rows}
                <tr>
                    <th scope="row">"VAT total"</th>
                    <td class="num" data-testid="total-tax">
                        {cell(|s| s.tax)}
                    </td>
                </tr>
                <tr class="due">
                    <th scope="row">{move || format!("Amount due {}", code())}</th>
                    <td class="num" data-testid="total-due">
                        {cell(|s| s.due)}
                    </td>
                </tr>
            </tbody>
        </table>
    }
}
