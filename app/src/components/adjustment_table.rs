//! Allowances and charges as typed: a fixed amount or a percentage, and a reason. On the whole invoice
//! (BG-20, BG-21) each row also names the VAT category and rate it falls under; on a line (BG-27,
//! BG-28) it takes the line's. Core computes what they do to the totals.

use std::str::FromStr;

use leptos::prelude::*;
use remit_core::document::InvoiceDraft;
use remit_core::document::parts::{Adjustment, DocumentAdjustment};
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::validation::{Rule, ValidationError};
use rust_decimal::Decimal;

use super::field::in_words;
use super::line_table::LineSlot;

/// One row as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentForm {
    pub charge: bool,
    /// The amount, or the percentage when `percent`.
    pub value: String,
    pub percent: bool,
    pub reason: String,
    /// Only on the whole invoice.
    pub tax_category: String,
    pub tax_rate: String,
    /// UNCL5189 for an allowance, UNCL7161 for a charge; core checks it against the code list.
    pub reason_code: String,
}

/// The allowance reasons offered as the user types (UNCL5189, as EN 16931 restricts it).
const ALLOWANCE_REASONS: [(&str, &str); 8] = [
    ("95", "Discount"),
    ("100", "Special rebate"),
    ("104", "Standard"),
    ("105", "Yearly turnover"),
    ("64", "Special agreement"),
    ("65", "Production error discount"),
    ("66", "New outlet discount"),
    ("68", "End-of-range discount"),
];

/// The charge reasons offered as the user types (UNCL7161); any code of the list is accepted.
const CHARGE_REASONS: [(&str, &str); 5] = [
    ("FC", "Freight service"),
    ("PC", "Packing"),
    ("SH", "Special handling"),
    ("ABK", "Miscellaneous"),
    ("ZZZ", "Mutually defined"),
];

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
    fn from_adjustment(charge: bool, a: &Adjustment) -> Self {
        Self {
            charge,
            value: a
                .percent
                .or(a.amount)
                .map(|v| v.to_string())
                .unwrap_or_default(),
            percent: a.percent.is_some(),
            reason: a.reason.clone(),
            reason_code: a.reason_code.clone(),
            ..Self::default()
        }
    }

    /// The rows of a loaded draft: its allowances, then its charges.
    pub fn from_draft(draft: &InvoiceDraft) -> Vec<Self> {
        let row = |charge: bool| {
            move |d: &DocumentAdjustment| Self {
                tax_category: d.tax_category.code().into(),
                tax_rate: d.tax_rate.to_string(),
                ..Self::from_adjustment(charge, &d.adjustment)
            }
        };
        let allowances = draft.allowances.iter().map(row(false));
        allowances
            .chain(draft.charges.iter().map(row(true)))
            .collect()
    }

    /// The rows of a line's allowances, then its charges.
    pub fn from_line(allowances: &[Adjustment], charges: &[Adjustment]) -> Vec<Self> {
        let allowances = allowances.iter().map(|a| Self::from_adjustment(false, a));
        allowances
            .chain(charges.iter().map(|a| Self::from_adjustment(true, a)))
            .collect()
    }

    /// The path core names row `index` by, below `within` (`lines[1]`, or nothing for the whole
    /// invoice): its place among the allowances or among the charges.
    fn path(rows: &[Self], index: usize, within: &str) -> String {
        let charge = rows[index].charge;
        let place = rows[..index].iter().filter(|r| r.charge == charge).count();
        let list = if charge { "charges" } else { "allowances" };
        format!("{within}{list}[{place}]")
    }

    /// The amount or percentage and reason; an unreadable value is an error at `field_path`.
    fn to_adjustment(
        &self,
        field_path: impl Fn(&str) -> String,
    ) -> Result<Adjustment, ValidationError> {
        let field = if self.percent { "percent" } else { "amount" };
        let value = Decimal::from_str(self.value.trim())
            .map_err(|_| ValidationError::new(field_path(field), Rule::Decimal))?;
        Ok(Adjustment {
            amount: (!self.percent).then_some(value),
            percent: self.percent.then_some(value),
            reason_code: self.reason_code.clone(),
            reason: self.reason.clone(),
        })
    }

    fn to_document_adjustment(&self, path: &str) -> Result<DocumentAdjustment, ValidationError> {
        Ok(DocumentAdjustment {
            adjustment: self.to_adjustment(|field| format!("{path}.adjustment.{field}"))?,
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
        let adjustment = row.to_document_adjustment(&AdjustmentForm::path(rows, i, ""))?;
        if row.charge {
            charges.push(adjustment);
        } else {
            allowances.push(adjustment);
        }
    }
    Ok((allowances, charges))
}

/// A line's rows read into its allowances and charges; errors at `lines[<line>].allowances[<i>]…`.
pub fn read_line_adjustments(
    rows: &[AdjustmentForm],
    line: usize,
) -> Result<(Vec<Adjustment>, Vec<Adjustment>), ValidationError> {
    let within = format!("lines[{line}].");
    let (mut allowances, mut charges) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let path = AdjustmentForm::path(rows, i, &within);
        let adjustment = row.to_adjustment(|field| format!("{path}.{field}"))?;
        if row.charge {
            charges.push(adjustment);
        } else {
            allowances.push(adjustment);
        }
    }
    Ok((allowances, charges))
}

/// Where the rows live: the whole invoice's own list, or one line's.
#[derive(Clone, Copy)]
pub enum Rows {
    Document(RwSignal<Vec<AdjustmentForm>>),
    Line(LineSlot),
}

static NO_ROWS: Vec<AdjustmentForm> = Vec::new();

impl Rows {
    fn with<T>(self, f: impl FnOnce(&Vec<AdjustmentForm>) -> T) -> T {
        match self {
            Rows::Document(rows) => rows.with(f),
            Rows::Line(line) => line.read(|l| f(l.map_or(&NO_ROWS, |l| &l.details.adjustments))),
        }
    }

    fn update(self, f: impl FnOnce(&mut Vec<AdjustmentForm>)) {
        match self {
            Rows::Document(rows) => rows.update(f),
            Rows::Line(line) => line.update(|l| f(&mut l.details.adjustments)),
        }
    }

    /// Whether a row names its own VAT (on the whole invoice only).
    fn has_vat(self) -> bool {
        matches!(self, Rows::Document(_))
    }

    /// What core's paths and the inputs' names start with.
    fn within(self) -> String {
        match self {
            Rows::Document(_) => String::new(),
            Rows::Line(line) => format!("lines[{}].", line.index),
        }
    }

    /// The name of input `field` of row `index`: `adjustment-0-value`, `lines[1].adjustment-0-value`.
    fn input(self, index: usize, field: &str) -> String {
        format!("{}adjustment-{index}-{field}", self.within())
    }
}

/// The table of allowances and charges, with a button to add a row.
#[component]
pub fn AdjustmentTable(
    rows: Rows,
    #[prop(into)] legend: String,
    #[prop(into)] error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    let count = Memo::new(move |_| rows.with(Vec::len));
    let body = move || {
        (0..count.get())
            .map(|index| view! { <AdjustmentRow rows error index /> })
            .collect_view()
    };
    let vat_headers = rows.has_vat().then(|| {
        view! {
            <th scope="col">"VAT category"</th>
            <th scope="col">"VAT rate %"</th>
        }
    });
    let codes = |id: String, list: &'static [(&'static str, &'static str)]| {
        view! {
            <datalist id=id>
                {list
                    .iter()
                    .map(|(code, name)| view! { <option value=*code>{*name}</option> })
                    .collect_view()}
            </datalist>
        }
    };
    view! {
        <fieldset class="adjustments">
            <legend>{legend}</legend>
            {codes(rows.input(0, "allowance-reasons"), &ALLOWANCE_REASONS)}
            {codes(rows.input(0, "charge-reasons"), &CHARGE_REASONS)}
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Amount or percentage"</th>
                        <th scope="col">"Of"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col">"Reason code"</th>
                        {vat_headers}
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
                data-testid=format!("{}add-adjustment", rows.within())
                on:click=move |_| rows.update(|r| r.push(AdjustmentForm::default()))
            >
                "Add allowance or charge"
            </button>
        </fieldset>
    }
}

/// A select of two choices; `chosen` tells which value is selected.
#[component]
fn Choice(
    name: String,
    label: &'static str,
    options: [(&'static str, &'static str); 2],
    chosen: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    on_change: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <select name=name aria-label=label on:change=move |ev| on_change(event_target_value(&ev) == options[1].0)>
            {options
                .into_iter()
                .map(|(value, text)| {
                    view! {
                        <option value=value prop:selected=move || chosen() == value>
                            {text}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

#[component]
fn AdjustmentRow(
    rows: Rows,
    error: Signal<Option<ValidationError>>,
    index: usize,
) -> impl IntoView {
    let read = move |pick: fn(&AdjustmentForm) -> String| {
        move || rows.with(|r| r.get(index).map(pick).unwrap_or_default())
    };
    let put = move |change: fn(&mut AdjustmentForm, String), value: String| {
        rows.update(|r| {
            if let Some(row) = r.get_mut(index) {
                change(row, value);
            }
        });
    };
    let write = move |change: fn(&mut AdjustmentForm, String)| {
        move |ev: leptos::ev::Event| put(change, event_target_value(&ev))
    };
    let message = move || {
        let path = rows
            .with(|r| (index < r.len()).then(|| AdjustmentForm::path(r, index, &rows.within())))?;
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field.starts_with(&format!("{path}.")))
                .map(in_words)
        })
    };
    let charge = move || rows.with(|r| r.get(index).is_some_and(|r| r.charge));
    let percent = move || rows.with(|r| r.get(index).is_none_or(|r| r.percent));
    let of = if rows.has_vat() {
        "% of the lines"
    } else {
        "% of the line"
    };
    let columns = if rows.has_vat() { "8" } else { "6" };
    let reasons = move || {
        let list = if charge() {
            "charge-reasons"
        } else {
            "allowance-reasons"
        };
        rows.input(0, list)
    };
    let category = read(|r| r.tax_category.clone());
    let vat_cells = rows.has_vat().then(|| {
        view! {
            <td>
                <select
                    name=rows.input(index, "category")
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
                    name=rows.input(index, "rate")
                    aria-label="VAT rate in percent"
                    inputmode="decimal"
                    prop:value=read(|r| r.tax_rate.clone())
                    on:input=write(|r, v| r.tax_rate = v)
                />
            </td>
        }
    });
    view! {
        <tr data-testid=rows.input(index, "row")>
            <td>
                <Choice
                    name=rows.input(index, "kind")
                    label="Allowance or charge"
                    options=[("allowance", "Allowance"), ("charge", "Charge")]
                    chosen=move || if charge() { "charge" } else { "allowance" }
                    on_change=move |is_charge| put(|r, v| r.charge = v == "true", is_charge.to_string())
                />
            </td>
            <td>
                <input
                    name=rows.input(index, "value")
                    aria-label="Amount or percentage"
                    inputmode="decimal"
                    prop:value=read(|r| r.value.clone())
                    on:input=write(|r, v| r.value = v)
                />
            </td>
            <td>
                <Choice
                    name=rows.input(index, "unit")
                    label="Amount or percentage of the lines"
                    options=[("percent", of), ("amount", "Amount")]
                    chosen=move || if percent() { "percent" } else { "amount" }
                    on_change=move |amount| put(|r, v| r.percent = v != "true", amount.to_string())
                />
            </td>
            <td>
                <input
                    name=rows.input(index, "reason")
                    aria-label="Reason"
                    prop:value=read(|r| r.reason.clone())
                    on:input=write(|r, v| r.reason = v)
                />
            </td>
            <td>
                <input
                    name=rows.input(index, "reason_code")
                    aria-label="Reason code"
                    class="code"
                    list=reasons
                    prop:value=read(|r| r.reason_code.clone())
                    on:input=write(|r, v| r.reason_code = v.trim().to_owned())
                />
            </td>
            {vat_cells}
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
                            <td colspan=columns>
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
