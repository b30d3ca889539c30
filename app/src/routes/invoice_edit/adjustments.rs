//! Document allowances (BG-20) and charges (BG-21): a fixed amount or a percentage, a reason, and the
//! VAT category and rate they fall under. Core computes what they do to the totals.

use std::str::FromStr;

use leptos::prelude::*;
use remit_core::document::InvoiceDraft;
use remit_core::document::parts::{Adjustment, DocumentAdjustment};
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::validation::{Rule, ValidationError};
use rust_decimal::Decimal;

use crate::components::field::in_words;

/// One row as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentForm {
    pub charge: bool,
    /// The amount, or the percentage when `percent`.
    pub value: String,
    pub percent: bool,
    pub reason: String,
    pub tax_category: String,
    pub tax_rate: String,
    /// Kept as loaded: the form has no input for a reason code.
    reason_code: String,
}

impl Default for AdjustmentForm {
    fn default() -> Self {
        Self {
            charge: false,
            value: String::new(),
            percent: true,
            reason: String::new(),
            tax_category: TaxCategory::default().code().into(),
            tax_rate: String::new(),
            reason_code: String::new(),
        }
    }
}

impl AdjustmentForm {
    /// The rows of a loaded draft: its allowances, then its charges.
    pub fn from_draft(draft: &InvoiceDraft) -> Vec<Self> {
        let row = |charge: bool| {
            move |d: &DocumentAdjustment| {
                let a = &d.adjustment;
                Self {
                    charge,
                    value: a
                        .percent
                        .or(a.amount)
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                    percent: a.percent.is_some(),
                    reason: a.reason.clone(),
                    tax_category: d.tax_category.code().into(),
                    tax_rate: d.tax_rate.to_string(),
                    reason_code: a.reason_code.clone(),
                }
            }
        };
        let allowances = draft.allowances.iter().map(row(false));
        allowances
            .chain(draft.charges.iter().map(row(true)))
            .collect()
    }

    /// The path core names this row by: its place among the allowances or among the charges.
    fn path(rows: &[Self], index: usize) -> String {
        let charge = rows[index].charge;
        let place = rows[..index].iter().filter(|r| r.charge == charge).count();
        let list = if charge { "charges" } else { "allowances" };
        format!("{list}[{place}]")
    }

    fn to_adjustment(&self, path: &str) -> Result<DocumentAdjustment, ValidationError> {
        let field = if self.percent { "percent" } else { "amount" };
        let value = Decimal::from_str(self.value.trim()).map_err(|_| {
            ValidationError::new(field, Rule::Decimal)
                .within("adjustment")
                .within(path)
        })?;
        Ok(DocumentAdjustment {
            adjustment: Adjustment {
                amount: (!self.percent).then_some(value),
                percent: self.percent.then_some(value),
                reason_code: self.reason_code.clone(),
                reason: self.reason.clone(),
            },
            tax_category: TaxCategory::parse(&self.tax_category).map_err(|e| e.within(path))?,
            tax_rate: TaxRate::parse(&self.tax_rate).map_err(|e| e.within(path))?,
        })
    }
}

/// The rows read into core's allowances and charges; an unreadable field is an error at its path.
pub type Adjustments = (Vec<DocumentAdjustment>, Vec<DocumentAdjustment>);

pub fn read_adjustments(rows: &[AdjustmentForm]) -> Result<Adjustments, ValidationError> {
    let (mut allowances, mut charges) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let adjustment = row.to_adjustment(&AdjustmentForm::path(rows, i))?;
        if row.charge {
            charges.push(adjustment);
        } else {
            allowances.push(adjustment);
        }
    }
    Ok((allowances, charges))
}

/// The table of allowances and charges, with a button to add a row.
#[component]
pub fn AdjustmentTable(
    rows: RwSignal<Vec<AdjustmentForm>>,
    #[prop(into)] error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    let count = Memo::new(move |_| rows.with(Vec::len));
    // An objection to the lists as a whole (core refuses them on VAT-inclusive prices).
    let whole = move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field == "allowances" || e.field == "charges")
                .map(|e| {
                    view! {
                        <span class="field-error" role="alert" data-testid="field-error">
                            {in_words(e)}
                        </span>
                    }
                })
        })
    };
    let body = move || {
        (0..count.get())
            .map(|index| view! { <AdjustmentRow rows error index /> })
            .collect_view()
    };
    view! {
        <fieldset class="adjustments">
            <legend>"Allowances and charges on the whole invoice"</legend>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Amount or percentage"</th>
                        <th scope="col">"Of"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col">"VAT category"</th>
                        <th scope="col">"VAT rate %"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Remove"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
            <button
                type="button"
                class="secondary"
                data-testid="add-adjustment"
                on:click=move |_| rows.update(|r| r.push(AdjustmentForm::default()))
            >
                "Add allowance or charge"
            </button>
            {whole}
        </fieldset>
    }
}

#[component]
fn AdjustmentRow(
    rows: RwSignal<Vec<AdjustmentForm>>,
    error: Signal<Option<ValidationError>>,
    index: usize,
) -> impl IntoView {
    let read = move |pick: fn(&AdjustmentForm) -> String| {
        move || rows.with(|r| r.get(index).map(pick).unwrap_or_default())
    };
    let write = move |put: fn(&mut AdjustmentForm, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            rows.update(|r| {
                if let Some(row) = r.get_mut(index) {
                    put(row, value);
                }
            });
        }
    };
    let message = move || {
        let path = rows.with(|r| (index < r.len()).then(|| AdjustmentForm::path(r, index)))?;
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field.starts_with(&format!("{path}.")))
                .map(in_words)
        })
    };
    let kind = read(|r| if r.charge { "charge" } else { "allowance" }.into());
    let unit = read(|r| if r.percent { "percent" } else { "amount" }.into());
    let category = read(|r| r.tax_category.clone());
    view! {
        <tr data-testid=format!("adjustment-{index}")>
            <td>
                <select
                    name=format!("adjustment-{index}-kind")
                    aria-label="Allowance or charge"
                    on:change=write(|r, v| r.charge = v == "charge")
                >
                    <option value="allowance" prop:selected=move || kind() == "allowance">
                        "Allowance"
                    </option>
                    <option value="charge" prop:selected=move || kind() == "charge">
                        "Charge"
                    </option>
                </select>
            </td>
            <td>
                <input
                    name=format!("adjustment-{index}-value")
                    aria-label="Amount or percentage"
                    inputmode="decimal"
                    prop:value=read(|r| r.value.clone())
                    on:input=write(|r, v| r.value = v)
                />
            </td>
            <td>
                <select
                    name=format!("adjustment-{index}-unit")
                    aria-label="Amount or percentage of the lines"
                    on:change=write(|r, v| r.percent = v == "percent")
                >
                    <option value="percent" prop:selected=move || unit() == "percent">
                        "% of the lines"
                    </option>
                    <option value="amount" prop:selected=move || unit() == "amount">
                        "Amount"
                    </option>
                </select>
            </td>
            <td>
                <input
                    name=format!("adjustment-{index}-reason")
                    aria-label="Reason"
                    prop:value=read(|r| r.reason.clone())
                    on:input=write(|r, v| r.reason = v)
                />
            </td>
            <td>
                <select
                    name=format!("adjustment-{index}-category")
                    aria-label="VAT category"
                    on:change=write(|r, v| r.tax_category = v)
                >
                    {TaxCategory::ALL
                        .into_iter()
                        .map(|c| {
                            let selected = move || category() == c.code();
                            view! {
                                <option value=c.code() prop:selected=selected>
                                    {c.code()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td>
                <input
                    name=format!("adjustment-{index}-rate")
                    aria-label="VAT rate in percent"
                    inputmode="decimal"
                    prop:value=read(|r| r.tax_rate.clone())
                    on:input=write(|r, v| r.tax_rate = v)
                />
            </td>
            <td class="actions">
                <button
                    type="button"
                    class="link"
                    aria-label="Remove allowance or charge"
                    on:click=move |_| {
                        rows.update(|r| {
                            if index < r.len() {
                                r.remove(index);
                            }
                        })
                    }
                >
                    "Remove"
                </button>
            </td>
        </tr>
        {move || {
            message()
                .map(|m| {
                    view! {
                        <tr>
                            <td colspan="7">
                                <span class="field-error" role="alert" data-testid="field-error">
                                    {m}
                                </span>
                            </td>
                        </tr>
                    }
                })
        }}
    }
}
