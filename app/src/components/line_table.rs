//! The invoice lines table: what the user typed per line, and the line nets core computed from it.
//!
//! Inputs keep the user's text as typed (`1.5`, `0.35`); it is parsed into core's types only to build the
//! draft, so a half-typed number never rewrites what is on screen.
//!
//! Each line is a signal of its own inside the list's signal: a keystroke in a line re-runs that line's
//! cells and the draft's totals, never the other rows (a 500-line draft repaints one row and the totals).

use std::str::FromStr;

use leptos::prelude::*;
use remit_core::catalogue::Item;
use remit_core::document::{DocumentTotals, InvoiceLine};
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::validation::{Rule, ValidationError};
use rust_decimal::Decimal;

use super::field::in_words;
use super::item_picker::{ItemPicker, Picker};
use super::line_details::{LineDetails, LineDetailsForm};
use super::money::amount_text;

/// A line's cells in the order Tab and Enter walk them; each input is named `lines[<i>].<cell>`.
pub const CELLS: [&str; 5] = [
    "description",
    "quantity",
    "unit_price",
    "tax_category",
    "tax_rate",
];

/// The name of cell `cell` of line `index` (`lines[2].unit_price`), as core names it in an error.
pub fn cell_name(index: usize, cell: &str) -> String {
    format!("lines[{index}].{cell}")
}

/// The line and the position in [`CELLS`] of the cell named `name`.
pub fn cell_of(name: &str) -> Option<(usize, usize)> {
    let (index, cell) = name.strip_prefix("lines[")?.split_once("].")?;
    Some((index.parse().ok()?, CELLS.iter().position(|c| *c == cell)?))
}

/// One line as typed, a signal of its own.
pub type LineSignal = ArcRwSignal<LineForm>;

/// The lines as typed: the list changes when a line is added, moved or removed; a line's own signal when
/// it is typed in.
pub type Lines = RwSignal<Vec<LineSignal>>;

/// A new line's signal holding `form`.
pub fn line_signal(form: LineForm) -> LineSignal {
    ArcRwSignal::new(form)
}

/// A new, empty line's signal.
pub fn blank_line() -> LineSignal {
    line_signal(LineForm::default())
}

/// A copy of `line` with a signal of its own (a duplicated line is edited apart from its original).
pub fn copy_line(line: &LineSignal) -> LineSignal {
    line_signal(line.get_untracked())
}

/// One line as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineForm {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_category: String,
    pub tax_rate: String,
    /// Unit, price base, list price, allowances and charges, exemption and period, folded under the row.
    pub details: LineDetailsForm,
    /// The line as loaded (or as an item filled it): the fields the editor has no input for (the item
    /// it came from) are saved as they were, never dropped.
    pub rest: InvoiceLine,
}

impl Default for LineForm {
    fn default() -> Self {
        Self {
            description: String::new(),
            quantity: "1".into(),
            unit_price: String::new(),
            tax_category: TaxCategory::default().code().into(),
            tax_rate: String::new(),
            details: LineDetailsForm::from_line(&InvoiceLine::default()),
            rest: InvoiceLine::default(),
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
            details: LineDetailsForm::from_line(line),
            rest: line.clone(),
        }
    }

    /// The line takes `item`'s name, price and VAT; every field stays editable.
    pub fn take_item(&mut self, item: &Item) {
        self.description.clone_from(&item.name);
        self.unit_price = item.unit_price.to_string();
        self.tax_category = item.tax_category.code().into();
        self.tax_rate = item.tax_rate.percent().to_string();
        self.rest.item_id = Some(item.id);
        self.details.unit_code.clone_from(&item.unit);
    }

    /// Reads the typed text into core's line; an unreadable field is an error at its path
    /// (`lines[2].unit_price`). Business rules are core's (`InvoiceDraft::validate`), not checked here.
    pub fn to_line(&self, index: usize) -> Result<InvoiceLine, ValidationError> {
        let path = format!("lines[{index}]");
        let decimal = |field: &str, text: &str| {
            Decimal::from_str(text.trim())
                .map_err(|_| ValidationError::new(field, Rule::Decimal).within(&path))
        };
        let mut line = InvoiceLine {
            description: self.description.clone(),
            quantity: decimal("quantity", &self.quantity)?,
            unit_price: decimal("unit_price", &self.unit_price)?,
            tax_category: TaxCategory::parse(&self.tax_category).map_err(|e| e.within(&path))?,
            tax_rate: TaxRate::parse(&self.tax_rate).map_err(|e| e.within(&path))?,
            ..self.rest.clone()
        };
        self.details.apply(&mut line, index)?;
        Ok(line)
    }
}

/// The editable lines with their nets. `totals` is `None` while the draft cannot be computed; `error` is
/// core's objection to show, beside its cell when it is about one.
#[component]
pub fn LineTable(
    lines: Lines,
    #[prop(into)] totals: Signal<Option<DocumentTotals>>,
    picker: Picker,
    #[prop(into)] error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    // The rows change only when a line is added or removed, not on a keystroke in one.
    let count = Memo::new(move |_| lines.with(Vec::len));
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
                <For each=move || 0..count.get() key=|i| *i let:i>
                    <LineRow line=LineSlot { lines, index: i } totals picker error />
                </For>
            </tbody>
        </table>
        <button
            type="button"
            class="secondary"
            data-testid="add-line"
            on:click=move |_| lines.update(|l| l.push(blank_line()))
        >
            "Add line"
        </button>
    }
}

impl LineForm {
    /// The text of cell `cell` (one of [`CELLS`]).
    fn cell(&self, cell: &str) -> Option<&String> {
        Some(match cell {
            "description" => &self.description,
            "quantity" => &self.quantity,
            "unit_price" => &self.unit_price,
            "tax_category" => &self.tax_category,
            "tax_rate" => &self.tax_rate,
            _ => return None,
        })
    }

    fn cell_mut(&mut self, cell: &str) -> Option<&mut String> {
        Some(match cell {
            "description" => &mut self.description,
            "quantity" => &mut self.quantity,
            "unit_price" => &mut self.unit_price,
            "tax_category" => &mut self.tax_category,
            "tax_rate" => &mut self.tax_rate,
            _ => return None,
        })
    }
}

/// Line `index` of the table, whichever line is there now (a move or a removal puts another line in its
/// place): what its row reads and writes. Copy: reactive handles.
#[derive(Clone, Copy)]
pub struct LineSlot {
    pub lines: Lines,
    pub index: usize,
}

impl LineSlot {
    /// Reads the line, if there is one at this place; the caller re-runs when it is edited or when
    /// lines are added, moved or removed (never on a keystroke in another line).
    pub fn read<T>(&self, f: impl FnOnce(Option<&LineForm>) -> T) -> T {
        self.lines.with(|lines| match lines.get(self.index) {
            Some(line) => line.with(|l| f(Some(l))),
            None => f(None),
        })
    }

    /// What `f` reads of the line, if there is one at this place (tracked, as [`Self::read`]).
    pub fn with<T>(&self, f: impl FnOnce(&LineForm) -> T) -> Option<T> {
        self.read(|line| line.map(f))
    }

    /// Edits the line at this place, if any: only this line's readers and the draft re-run.
    pub fn update(&self, f: impl FnOnce(&mut LineForm)) {
        if let Some(line) = self.lines.with_untracked(|l| l.get(self.index).cloned()) {
            line.update(f);
        }
    }
}

/// What a cell reads and writes in its line, and core's error about it.
#[derive(Clone, Copy)]
pub struct CellState {
    pub line: LineSlot,
    pub cell: &'static str,
    pub error: Signal<Option<ValidationError>>,
}

impl CellState {
    pub fn name(&self) -> String {
        cell_name(self.line.index, self.cell)
    }

    /// The cell's text as typed.
    pub fn text(&self) -> String {
        self.line
            .with(|line| line.cell(self.cell).cloned())
            .flatten()
            .unwrap_or_default()
    }

    pub fn set(&self, value: String) {
        self.line.update(|line| {
            if let Some(text) = line.cell_mut(self.cell) {
                *text = value;
            }
        });
    }

    /// Core's error about this cell, in the user's words.
    pub fn message(&self) -> Option<String> {
        let name = self.name();
        self.error
            .with(|e| e.as_ref().filter(|e| e.field == name).map(in_words))
    }

    /// The id of the cell's error message, while there is one (for `aria-describedby`).
    pub fn described_by(&self) -> Option<String> {
        self.message().map(|_| format!("{}-error", self.name()))
    }
}

/// The message beside a cell core objects to.
#[component]
pub fn CellError(state: CellState) -> impl IntoView {
    move || {
        state.message().map(|m| {
            view! {
                <span class="cell-error" id=format!("{}-error", state.name()) data-testid="cell-error">
                    {m}
                </span>
            }
        })
    }
}

/// A numeric cell: right-aligned, decimal keyboard on phones.
#[component]
fn NumberCell(state: CellState, label: &'static str) -> impl IntoView {
    view! {
        <td class="num">
            <input
                name=state.name()
                aria-label=label
                inputmode="decimal"
                aria-invalid=move || state.message().map(|_| "true")
                aria-describedby=move || state.described_by()
                prop:value=move || state.text()
                on:input=move |ev| state.set(event_target_value(&ev))
            />
            <CellError state />
        </td>
    }
}

#[component]
fn LineRow(
    line: LineSlot,
    totals: Signal<Option<DocumentTotals>>,
    picker: Picker,
    error: Signal<Option<ValidationError>>,
) -> impl IntoView {
    let index = line.index;
    let state = move |cell| CellState { line, cell, error };
    let category = state("tax_category");
    let open = RwSignal::new(false);
    // The options compare with this row's category only: a keystroke elsewhere re-runs nothing here.
    let chosen = Memo::new(move |_| category.text());
    // The totals change on every keystroke; this row's cell only when its own net does.
    let net = Memo::new(move |_| {
        totals.with(|t| t.as_ref().and_then(|t| t.line_nets.get(index).copied()))
    });
    view! {
        <tr>
            <td class="description">
                <ItemPicker state=state("description") picker />
            </td>
            <NumberCell state=state("quantity") label="Quantity" />
            <NumberCell state=state("unit_price") label="Unit price" />
            <td>
                <select
                    name=category.name()
                    aria-label="VAT category"
                    on:change=move |ev| category.set(event_target_value(&ev))
                >
                    {TaxCategory::ALL
                        .into_iter()
                        .map(|c| {
                            let selected = move || chosen.with(|t| t == c.code());
                            view! {
                                <option value=c.code() prop:selected=selected>
                                    {c.code()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <CellError state=category />
            </td>
            <NumberCell state=state("tax_rate") label="VAT rate in percent" />
            <td class="num" data-testid=format!("line-net-{index}")>
                {move || amount_text(net.get())}
            </td>
            <td class="actions">
                <LineButtons line open />
            </td>
        </tr>
        {move || {
            open.get()
                .then(|| {
                    view! {
                        <tr class="line-details-row">
                            <td colspan="7">
                                <LineDetails line error />
                            </td>
                        </tr>
                    }
                })
        }}
    }
}

/// A line's edits by button: what the label says before and after the line's position, the button's
/// text, and the edit.
type LineEdit = (
    &'static str,
    &'static str,
    &'static str,
    fn(&mut Vec<LineSignal>, usize),
);

const LINE_EDITS: [LineEdit; 4] = [
    ("Move", " up", "↑", |l, at| {
        shift(l, at, true);
    }),
    ("Move", " down", "↓", |l, at| {
        shift(l, at, false);
    }),
    ("Duplicate", "", "Duplicate", |l, at| {
        duplicate(l, at, copy_line);
    }),
    ("Remove", "", "Remove", |l, at| {
        delete(l, at);
    }),
];

/// A line's own buttons: its details, move up and down, duplicate, remove. The keyboard does the same
/// (the editor's shortcuts) with the same list edits.
#[component]
fn LineButtons(line: LineSlot, open: RwSignal<bool>) -> impl IntoView {
    let (lines, index) = (line.lines, line.index);
    let has_details = move || line.with(|l| l.details.is_set()).unwrap_or_default();
    let edit =
        move |change: fn(&mut Vec<LineSignal>, usize)| move |_| lines.update(|l| change(l, index));
    let position = index + 1;
    view! {
        <button
            type="button"
            class="link"
            aria-expanded=move || open.get().to_string()
            aria-controls=format!("line-details-{index}")
            aria-label=format!("Details of line {position}")
            data-testid=format!("line-details-{index}-toggle")
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {move || if has_details() { "Details •" } else { "Details" }}
        </button>
        {LINE_EDITS
            .into_iter()
            .map(|(verb, after, text, change)| {
                view! {
                    <button
                        type="button"
                        class="link"
                        aria-label=format!("{verb} line {position}{after}")
                        on:click=edit(change)
                    >
                        {text}
                    </button>
                }
            })
            .collect_view()}
    }
}

/// Inserts `new` after line `at` (at the end without one); returns its index.
pub fn insert_after<T>(lines: &mut Vec<T>, at: Option<usize>, new: T) -> usize {
    let index = at.map_or(lines.len(), |at| (at + 1).min(lines.len()));
    lines.insert(index, new);
    index
}

/// Removes line `at`; returns the line that takes the focus (the next, else the previous), if any.
pub fn delete<T>(lines: &mut Vec<T>, at: usize) -> Option<usize> {
    if at >= lines.len() {
        return None;
    }
    lines.remove(at);
    (!lines.is_empty()).then(|| at.min(lines.len() - 1))
}

/// Moves line `at` one place up (or down); returns where it is now.
pub fn shift<T>(lines: &mut [T], at: usize, up: bool) -> usize {
    let to = if up {
        at.saturating_sub(1)
    } else {
        (at + 1).min(lines.len().saturating_sub(1))
    };
    if at < lines.len() {
        lines.swap(at, to);
        to
    } else {
        at
    }
}

/// Puts `copy` of line `at` below it; returns the copy's index.
pub fn duplicate<T>(lines: &mut Vec<T>, at: usize, copy: impl FnOnce(&T) -> T) -> Option<usize> {
    let copy = copy(lines.get(at)?);
    Some(insert_after(lines, Some(at), copy))
}

#[cfg(test)]
mod tests {
    use remit_core::document::parts::Adjustment;
    use rust_decimal::Decimal;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn lines_are_added_deleted_moved_and_duplicated_in_place() {
        let mut lines = vec!['a', 'b', 'c'];
        assert_eq!(insert_after(&mut lines, Some(0), 'x'), 1);
        assert_eq!(lines, ['a', 'x', 'b', 'c']);
        assert_eq!(insert_after(&mut lines, None, 'y'), 4);
        assert_eq!(delete(&mut lines, 4), Some(3));
        assert_eq!(delete(&mut lines, 1), Some(1));
        assert_eq!(lines, ['a', 'b', 'c']);
        assert_eq!(shift(&mut lines, 0, true), 0);
        assert_eq!(shift(&mut lines, 2, false), 2);
        assert_eq!(shift(&mut lines, 1, true), 0);
        assert_eq!(lines, ['b', 'a', 'c']);
        assert_eq!(duplicate(&mut lines, 2, char::clone), Some(3));
        assert_eq!(lines, ['b', 'a', 'c', 'c']);
        let mut one = vec!['a'];
        assert_eq!(delete(&mut one, 0), None);
        assert_eq!(duplicate(&mut one, 0, char::clone), None);
    }

    #[wasm_bindgen_test]
    fn a_keystroke_in_one_line_re_runs_only_that_lines_readers() {
        Owner::new().with(|| {
            let lines: Lines = RwSignal::new((0..3).map(|_| blank_line()).collect());
            let runs = ArcRwSignal::new([0usize; 3]);
            let quantities = (0..3)
                .map(|index| {
                    let (slot, runs) = (LineSlot { lines, index }, runs.clone());
                    Memo::new(move |_| {
                        runs.update_untracked(|r| r[index] += 1);
                        slot.with(|l| l.quantity.clone()).unwrap_or_default()
                    })
                })
                .collect::<Vec<_>>();
            let read = || quantities.iter().map(|q| q.get()).collect::<Vec<_>>();
            assert_eq!(read(), ["1", "1", "1"]);
            LineSlot { lines, index: 1 }.update(|l| l.quantity = "12".into());
            assert_eq!(read(), ["1", "12", "1"]);
            assert_eq!(runs.get_untracked(), [1, 2, 1]);
            // A line added, moved or removed: each place reads the line now there.
            lines.update(|l| {
                duplicate(l, 1, copy_line);
            });
            LineSlot { lines, index: 2 }.update(|l| l.quantity = "3".into());
            assert_eq!(read(), ["1", "12", "3"]);
            assert_eq!(
                lines.with_untracked(|l| l[3].with_untracked(|l| l.quantity.clone())),
                "1"
            );
        });
    }

    #[wasm_bindgen_test]
    fn a_line_keeps_the_fields_the_table_has_no_cell_for() {
        let line = InvoiceLine {
            description: "Hull cleaning".into(),
            quantity: Decimal::new(3, 0),
            unit_price: Decimal::new(12050, 2),
            tax_rate: TaxRate::parse("25").unwrap(),
            unit_code: "HUR".into(),
            price_base_quantity: Some(Decimal::ONE),
            allowances: vec![Adjustment {
                percent: Some(Decimal::new(10, 0)),
                reason: "Loyalty".into(),
                ..Adjustment::default()
            }],
            ..InvoiceLine::default()
        };
        let mut form = LineForm::from_line(&line);
        form.quantity = "4".into();
        let edited = form.to_line(0).unwrap();
        assert_eq!(edited.quantity, Decimal::new(4, 0));
        assert_eq!(
            InvoiceLine {
                quantity: line.quantity,
                ..edited
            },
            line
        );
    }
}
