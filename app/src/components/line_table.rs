//! The invoice lines table: what the user typed per line, and the line nets core computed from it.
//!
//! Inputs keep the user's text as typed (`1.5`, `0.35`); it is parsed into core's types only to build the
//! draft, so a half-typed number never rewrites what is on screen.

use std::str::FromStr;

use leptos::prelude::*;
use remit_core::document::{DocumentTotals, InvoiceLine};
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::validation::{Rule, ValidationError};
use rust_decimal::Decimal;

use super::money::amount_text;

/// One line as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineForm {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_category: String,
    pub tax_rate: String,
}

impl Default for LineForm {
    fn default() -> Self {
        Self {
            description: String::new(),
            quantity: "1".into(),
            unit_price: String::new(),
            tax_category: TaxCategory::default().code().into(),
            tax_rate: String::new(),
        }
    }
}

impl LineForm {
    pub fn from_line(line: &InvoiceLine) -> Self {
        Self {
            description: line.description.clone(),
            quantity: line.quantity.to_string(),
            unit_price: line.unit_price.to_string(),
            tax_category: line.tax_category.code().into(),
            tax_rate: line.tax_rate.to_string(),
        }
    }

    /// Reads the typed text into core's line; an unreadable field is an error at its path
    /// (`lines[2].unit_price`). Business rules are core's (`InvoiceDraft::validate`), not checked here.
    pub fn to_line(&self, index: usize) -> Result<InvoiceLine, ValidationError> {
        let path = format!("lines[{index}]");
        let decimal = |field: &str, text: &str| {
            Decimal::from_str(text.trim())
                .map_err(|_| ValidationError::new(field, Rule::Decimal).within(&path))
        };
        Ok(InvoiceLine {
            description: self.description.clone(),
            quantity: decimal("quantity", &self.quantity)?,
            unit_price: decimal("unit_price", &self.unit_price)?,
            tax_category: TaxCategory::parse(&self.tax_category).map_err(|e| e.within(&path))?,
            tax_rate: TaxRate::parse(&self.tax_rate).map_err(|e| e.within(&path))?,
            ..InvoiceLine::default()
        })
    }
}

/// The editable lines with their nets. `totals` is `None` while the draft cannot be computed.
#[component]
pub fn LineTable(
    lines: RwSignal<Vec<LineForm>>,
    #[prop(into)] totals: Signal<Option<DocumentTotals>>,
) -> impl IntoView {
    let count = move || lines.with(Vec::len);
    view! {
        <table class="lines">
            <thead>
                <tr>
                    <th class="description">"Description"</th>
                    <th class="num">"Quantity"</th>
                    <th class="num">"Unit price"</th>
                    <th>"VAT"</th>
                    <th class="num">"Rate %"</th>
                    <th class="num">"Net"</th>
                    <th class="actions">
                        <span class="visually-hidden">"Remove"</span>
                    </th>
                </tr>
            </thead>
            <tbody>
                <For each=move || 0..count() key=|i| *i let:i>
                    <LineRow lines totals index=i />
                </For>
            </tbody>
        </table>
        <button
            type="button"
            class="secondary"
            data-testid="add-line"
            on:click=move |_| lines.update(|l| l.push(LineForm::default()))
        >
            "Add line"
        </button>
    }
}

#[component]
fn LineRow(
    lines: RwSignal<Vec<LineForm>>,
    totals: Signal<Option<DocumentTotals>>,
    index: usize,
) -> impl IntoView {
    let text = move |read: fn(&LineForm) -> &String| {
        move || {
            lines.with(|l| {
                l.get(index)
                    .map(|line| read(line).clone())
                    .unwrap_or_default()
            })
        }
    };
    let edit = move |write: fn(&mut LineForm) -> &mut String| {
        move |ev| {
            let value = event_target_value(&ev);
            lines.update(|l| {
                if let Some(line) = l.get_mut(index) {
                    *write(line) = value;
                }
            });
        }
    };
    let net = move || {
        amount_text(totals.with(|t| t.as_ref().and_then(|t| t.line_nets.get(index).copied())))
    };
    let name = move |field: &str| format!("lines[{index}].{field}");
    view! {
        <tr>
            <td class="description">
                <input
                    name=name("description")
                    aria-label="Description"
                    prop:value=text(|l| &l.description)
                    on:input=edit(|l| &mut l.description)
                />
            </td>
            <td class="num">
                <input
                    name=name("quantity")
                    aria-label="Quantity"
                    inputmode="decimal"
                    prop:value=text(|l| &l.quantity)
                    on:input=edit(|l| &mut l.quantity)
                />
            </td>
            <td class="num">
                <input
                    name=name("unit_price")
                    aria-label="Unit price"
                    inputmode="decimal"
                    prop:value=text(|l| &l.unit_price)
                    on:input=edit(|l| &mut l.unit_price)
                />
            </td>
            <td>
                <select
                    name=name("tax_category")
                    aria-label="VAT category"
                    prop:value=text(|l| &l.tax_category)
                    on:change=edit(|l| &mut l.tax_category)
                >
                    {TaxCategory::ALL
                        .into_iter()
                        .map(|c| view! { <option value=c.code()>{c.code()}</option> })
                        .collect_view()}
                </select>
            </td>
            <td class="num">
                <input
                    name=name("tax_rate")
                    aria-label="VAT rate in percent"
                    inputmode="decimal"
                    prop:value=text(|l| &l.tax_rate)
                    on:input=edit(|l| &mut l.tax_rate)
                />
            </td>
            <td class="num" data-testid=format!("line-net-{index}")>
                {net}
            </td>
            <td class="actions">
                <button
                    type="button"
                    class="link"
                    aria-label="Remove line"
                    on:click=move |_| {
                        lines
                            .update(|l| {
                                if index < l.len() {
                                    l.remove(index);
                                }
                            })
                    }
                >
                    "Remove"
                </button>
            </td>
        </tr>
    }
}
