//! A line's details beyond the table's cells, folded under the line: its unit (UN/ECE Recommendation
//! 20), the quantity its price is for, a list price and the discount off it, its own allowances and
//! charges, why it charges no VAT, and the period it covers. Typed text is kept as typed and read into
//! core's line only to build the draft.

use std::str::FromStr;

use chrono::NaiveDate;
use leptos::prelude::*;
use remit_core::document::InvoiceLine;
use remit_core::document::parts::{Exemption, Period};
use remit_core::validation::{Rule, ValidationError};
use rust_decimal::Decimal;

use super::adjustment_table::{AdjustmentForm, AdjustmentTable, Rows, read_line_adjustments};
use super::field::in_words;
use super::line_table::{LineSlot, cell_name};

/// The unit codes offered as the user types; any other code of Recommendation 20 is accepted too.
const UNITS: [(&str, &str); 12] = [
    ("C62", "one (piece)"),
    ("H87", "piece"),
    ("HUR", "hour"),
    ("DAY", "day"),
    ("WEE", "week"),
    ("MON", "month"),
    ("ANN", "year"),
    ("KGM", "kilogram"),
    ("MTR", "metre"),
    ("LTR", "litre"),
    ("MTK", "square metre"),
    ("KWH", "kilowatt hour"),
];

/// A line's details as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineDetailsForm {
    pub unit_code: String,
    /// BT-149; empty for one.
    pub price_base: String,
    /// BT-148; empty for none.
    pub list_price: String,
    pub exemption_code: String,
    pub exemption_text: String,
    pub period_start: String,
    pub period_end: String,
    pub adjustments: Vec<AdjustmentForm>,
}

impl LineDetailsForm {
    pub fn from_line(line: &InvoiceLine) -> Self {
        let text = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
        let exemption = line.exemption.clone().unwrap_or_default();
        let period = |pick: fn(&Period) -> NaiveDate| {
            line.period
                .as_ref()
                .map(|p| pick(p).to_string())
                .unwrap_or_default()
        };
        Self {
            unit_code: line.unit_code.clone(),
            price_base: text(line.price_base_quantity),
            list_price: text(line.gross_price),
            exemption_code: exemption.code,
            exemption_text: exemption.text,
            period_start: period(|p| p.start),
            period_end: period(|p| p.end),
            adjustments: AdjustmentForm::from_line(&line.allowances, &line.charges),
        }
    }

    /// Writes the details into `line` (whose unit price is already read); an unreadable field is an error
    /// at its path below `lines[<index>]`.
    pub fn apply(&self, line: &mut InvoiceLine, index: usize) -> Result<(), ValidationError> {
        let path = format!("lines[{index}]");
        let error = |field: &str, rule: Rule| ValidationError::new(field, rule).within(&path);
        let decimal = |field: &str, text: &str| {
            let text = text.trim();
            (!text.is_empty())
                .then(|| Decimal::from_str(text).map_err(|_| error(field, Rule::Decimal)))
                .transpose()
        };
        let date = |field: &str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| error(field, Rule::Date))
        };
        line.unit_code = self.unit_code.trim().to_owned();
        line.price_base_quantity = decimal("price_base_quantity", &self.price_base)?;
        line.gross_price = decimal("gross_price", &self.list_price)?;
        // The discount is what the list price is above the unit price; core refuses a negative one.
        line.price_discount = line
            .gross_price
            .map(|list| list - line.unit_price)
            .filter(|discount| !discount.is_zero());
        let exemption = Exemption {
            code: self.exemption_code.trim().to_owned(),
            text: self.exemption_text.clone(),
        };
        line.exemption = (!exemption.is_empty()).then_some(exemption);
        line.period = match (self.period_start.trim(), self.period_end.trim()) {
            ("", "") => None,
            (start, end) => Some(Period {
                start: date("period.start", start)?,
                end: date("period.end", end)?,
            }),
        };
        (line.allowances, line.charges) = read_line_adjustments(&self.adjustments, index)?;
        Ok(())
    }

    /// Whether anything beyond the table's cells is set, so the line shows that it has details.
    pub fn is_set(&self) -> bool {
        let unit_only = Self {
            unit_code: self.unit_code.clone(),
            ..Self::default()
        };
        *self != unit_only
    }
}

/// What one input of the details is: its label, core's name of its field below the line
/// (`unit_code`, `period.start`), another field whose errors show beside it, its kind of input, and the
/// text it edits.
struct Detail {
    label: &'static str,
    field: &'static str,
    also: Option<&'static str>,
    input: Input,
    get: fn(&LineDetailsForm) -> &String,
    set: fn(&mut LineDetailsForm) -> &mut String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Text,
    /// A unit code, offered from [`UNITS`].
    Unit,
    Decimal,
    Date,
}

/// The inputs of a line's details, in the order Tab walks them.
const DETAILS: [Detail; 7] = [
    Detail {
        label: "Unit",
        field: "unit_code",
        also: None,
        input: Input::Unit,
        get: |d| &d.unit_code,
        set: |d| &mut d.unit_code,
    },
    Detail {
        label: "Price is for (quantity)",
        field: "price_base_quantity",
        also: None,
        input: Input::Decimal,
        get: |d| &d.price_base,
        set: |d| &mut d.price_base,
    },
    Detail {
        label: "List price before discount",
        field: "gross_price",
        also: None,
        input: Input::Decimal,
        get: |d| &d.list_price,
        set: |d| &mut d.list_price,
    },
    Detail {
        label: "VAT exemption code (VATEX)",
        field: "exemption.code",
        also: None,
        input: Input::Text,
        get: |d| &d.exemption_code,
        set: |d| &mut d.exemption_code,
    },
    Detail {
        label: "VAT exemption reason",
        field: "exemption.text",
        // The reason missing where the category needs one.
        also: Some("exemption"),
        input: Input::Text,
        get: |d| &d.exemption_text,
        set: |d| &mut d.exemption_text,
    },
    Detail {
        label: "Period from",
        field: "period.start",
        also: None,
        input: Input::Date,
        get: |d| &d.period_start,
        set: |d| &mut d.period_start,
    },
    Detail {
        label: "Period to",
        field: "period.end",
        also: None,
        input: Input::Date,
        get: |d| &d.period_end,
        set: |d| &mut d.period_end,
    },
];

/// A labelled input of line `index`'s details, with core's error about it beneath it.
#[component]
fn DetailInput(
    detail: &'static Detail,
    line: LineSlot,
    error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    let index = line.index;
    let name = cell_name(index, detail.field);
    let error_id = format!("{name}-error");
    let message = {
        let names = [Some(name.clone()), detail.also.map(|a| cell_name(index, a))];
        move || {
            error.with(|e| {
                e.as_ref()
                    .filter(|e| names.iter().flatten().any(|n| *n == e.field))
                    .map(in_words)
            })
        }
    };
    let invalid = message.clone();
    let described = message.clone();
    let text = move || {
        line.with(|l| (detail.get)(&l.details).clone())
            .unwrap_or_default()
    };
    let put = move |value: String| line.update(|l| *(detail.set)(&mut l.details) = value);
    view! {
        <label class="detail">
            <span>{detail.label}</span>
            <input
                name=name
                type=if detail.input == Input::Date { "date" } else { "text" }
                list=(detail.input == Input::Unit).then(|| format!("units-{index}"))
                inputmode=(detail.input == Input::Decimal).then_some("decimal")
                aria-invalid=move || invalid().map(|_| "true")
                aria-describedby={
                    let id = error_id.clone();
                    move || described().map(|_| id.clone())
                }
                prop:value=text
                on:input=move |ev| put(event_target_value(&ev))
            />
            {move || {
                message()
                    .map(|m| {
                        view! {
                            <span class="cell-error" id=error_id.clone() data-testid="cell-error">
                                {m}
                            </span>
                        }
                    })
            }}
        </label>
    }
}

/// The details of the line at `line`, shown under its row while open.
#[component]
pub fn LineDetails(line: LineSlot, error: Signal<Option<ValidationError>>) -> impl IntoView {
    let index = line.index;
    view! {
        <div class="line-details" id=format!("line-details-{index}")>
            <datalist id=format!("units-{index}")>
                {UNITS
                    .into_iter()
                    .map(|(code, name)| view! { <option value=code>{name}</option> })
                    .collect_view()}
            </datalist>
            {DETAILS
                .iter()
                .map(|detail| view! { <DetailInput detail line error /> })
                .collect_view()}
            <AdjustmentTable
                rows=Rows::Line(line)
                legend=format!("Allowances and charges on line {}", index + 1)
                error
            />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use remit_core::document::parts::Adjustment;
    use remit_core::tax::{TaxCategory, TaxRate};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn line() -> InvoiceLine {
        InvoiceLine {
            description: "Freight".into(),
            quantity: Decimal::ONE,
            unit_price: Decimal::new(900, 0),
            tax_category: TaxCategory::E,
            tax_rate: TaxRate::parse("0").unwrap(),
            unit_code: "HUR".into(),
            price_base_quantity: Some(Decimal::new(2, 0)),
            gross_price: Some(Decimal::new(950, 0)),
            price_discount: Some(Decimal::new(50, 0)),
            allowances: vec![Adjustment {
                percent: Some(Decimal::new(5, 0)),
                reason: "Loyalty".into(),
                ..Adjustment::default()
            }],
            charges: vec![Adjustment {
                amount: Some(Decimal::new(25000, 2)),
                reason: "Night shift".into(),
                ..Adjustment::default()
            }],
            exemption: Some(Exemption {
                code: "VATEX-EU-132-1I".into(),
                text: "Exempt educational material".into(),
            }),
            period: Some(Period {
                start: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
                end: NaiveDate::from_ymd_opt(2026, 11, 6).unwrap(),
            }),
            ..InvoiceLine::default()
        }
    }

    #[wasm_bindgen_test]
    fn every_detail_of_a_line_reads_back_as_it_was() {
        let loaded = line();
        let mut edited = InvoiceLine {
            unit_price: loaded.unit_price,
            ..InvoiceLine::default()
        };
        LineDetailsForm::from_line(&loaded)
            .apply(&mut edited, 0)
            .unwrap();
        assert_eq!(
            InvoiceLine {
                description: loaded.description.clone(),
                quantity: loaded.quantity,
                tax_category: loaded.tax_category,
                tax_rate: loaded.tax_rate,
                ..edited
            },
            loaded
        );
    }

    #[wasm_bindgen_test]
    fn the_discount_is_what_the_list_price_is_above_the_unit_price() {
        let mut form = LineDetailsForm::from_line(&InvoiceLine::default());
        form.list_price = "120".into();
        let mut l = InvoiceLine {
            unit_price: Decimal::new(100, 0),
            ..InvoiceLine::default()
        };
        form.apply(&mut l, 0).unwrap();
        assert_eq!(
            (l.gross_price, l.price_discount),
            (Some(Decimal::new(120, 0)), Some(Decimal::new(20, 0)))
        );
        form.list_price = String::new();
        form.apply(&mut l, 0).unwrap();
        assert_eq!((l.gross_price, l.price_discount), (None, None));
    }

    #[wasm_bindgen_test]
    fn an_unreadable_detail_is_named_by_its_line_and_field() {
        let cases = [
            (|f: &mut LineDetailsForm| f.price_base = "two".into()) as fn(&mut LineDetailsForm),
            |f| f.period_start = "2026-11-02".into(),
            |f| {
                f.adjustments = vec![AdjustmentForm {
                    value: "ten".into(),
                    ..AdjustmentForm::default()
                }];
            },
        ];
        let fields = [
            "lines[3].price_base_quantity",
            "lines[3].period.end",
            "lines[3].allowances[0].percent",
        ];
        for (change, field) in cases.into_iter().zip(fields) {
            let mut form = LineDetailsForm::default();
            change(&mut form);
            let error = form.apply(&mut InvoiceLine::default(), 3).unwrap_err();
            assert_eq!(error.field, field);
        }
    }
}
