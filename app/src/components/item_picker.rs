//! A line's description cell that finds catalogue items as the user types: an ARIA combobox with a
//! listbox of matching items (↑ ↓ choose, Enter takes the item, Escape closes the list). Taking an item
//! fills the line's description, price and VAT (all still editable) and moves on to the quantity.

use leptos::prelude::*;
use remit_core::catalogue::Item;
use remit_core::money::Currency;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent};

use super::line_table::{CELLS, CellError, CellState, cell_name};
use crate::catalogue::suggestions;

/// How many items the list offers at once.
const SHOWN: usize = 8;

/// The catalogue the lines pick from, and which line's list is open. Copy: reactive handles.
#[derive(Clone, Copy)]
pub struct Picker {
    items: StoredValue<Vec<Item>>,
    /// The document's currency: only items priced in it are offered.
    currency: Signal<Option<Currency>>,
    /// The line whose list is open.
    pub open: RwSignal<Option<usize>>,
}

impl Picker {
    pub fn new(items: Vec<Item>, currency: Signal<Option<Currency>>) -> Self {
        Self {
            items: StoredValue::new(items),
            currency,
            open: RwSignal::new(None),
        }
    }

    fn suggest(&self, query: &str) -> Vec<Item> {
        let currency = self.currency.get();
        self.items.with_value(|items| {
            suggestions(items, query, currency, SHOWN)
                .into_iter()
                .cloned()
                .collect()
        })
    }

    /// Opens line `index`'s list and puts the focus in its description.
    pub fn search(&self, index: usize) {
        self.open.set(Some(index));
        focus_cell(index, 0);
    }
}

/// Moves the focus to cell `cell` (a position in [`CELLS`]) of line `line` once the lines on screen
/// have caught up with the last change (a line added, moved or filled), selecting its text so that
/// typing replaces it.
pub fn focus_cell(line: usize, cell: usize) {
    request_animation_frame(move || focus_cell_now(line, cell));
}

/// [`focus_cell`] at once, for a cell already on screen with its text (the next cell of a line).
pub fn focus_cell_now(line: usize, cell: usize) {
    let Some(cell) = CELLS.get(cell) else {
        return;
    };
    let selector = format!("[name=\"{}\"]", cell_name(line, cell));
    let Ok(Some(element)) = document().query_selector(&selector) else {
        return;
    };
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        // Focus fails only on an element that cannot take it; the focus stays where it was.
        let _ = element.focus();
    }
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.select();
    }
}

/// The description input of the line `state` is about, with its list of items.
#[component]
pub fn ItemPicker(state: CellState, picker: Picker) -> impl IntoView {
    let index = state.line.index;
    let active = RwSignal::new(0usize);
    // Searched only while this line's list is open: typing in one line of many searches once.
    let found = Memo::new(move |_| {
        if picker.open.get() == Some(index) {
            picker.suggest(&state.text())
        } else {
            Vec::new()
        }
    });
    let shown = move || found.with(|f| !f.is_empty());
    let list_id = list_id_of(index);
    let option_id = move |k: usize| format!("{}-{k}", list_id_of(index));
    let pick = move |k: usize| {
        if let Some(item) = found.with_untracked(|f| f.get(k).cloned()) {
            state.line.update(|line| line.take_item(&item));
            picker.open.set(None);
            focus_cell(index, 1);
        }
    };
    let keydown = move |ev: KeyboardEvent| {
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        let count = found.with_untracked(Vec::len);
        let open = picker.open.get_untracked() == Some(index) && count > 0;
        match ev.key().as_str() {
            "ArrowDown" if open => active.update(|a| *a = (*a + 1) % count),
            "ArrowDown" => {
                active.set(0);
                picker.open.set(Some(index));
            }
            "ArrowUp" if open => active.update(|a| *a = (*a + count - 1) % count),
            "Enter" if open && !ev.shift_key() => pick(active.get_untracked().min(count - 1)),
            "Escape" if open => picker.open.set(None),
            _ => return,
        }
        // The list had the key: neither the form's shortcuts nor the browser act on it too.
        ev.prevent_default();
        ev.stop_propagation();
    };
    let list = list_id.clone();
    view! {
        <div class="picker">
            <input
                name=state.name()
                aria-label="Description"
                role="combobox"
                aria-autocomplete="list"
                autocomplete="off"
                aria-expanded=move || shown().to_string()
                aria-controls=move || shown().then(|| list.clone())
                aria-activedescendant=move || shown().then(|| option_id(active.get()))
                aria-invalid=move || state.message().map(|_| "true")
                aria-describedby=move || state.described_by()
                prop:value=move || state.text()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    let searching = !value.trim().is_empty();
                    state.set(value);
                    active.set(0);
                    picker.open.set(searching.then_some(index));
                }
                on:keydown=keydown
                on:blur=move |_| {
                    if picker.open.get_untracked() == Some(index) {
                        picker.open.set(None);
                    }
                }
            />
            <Show when=shown>
                <ItemOptions id=list_id.clone() found active pick=Callback::new(pick) />
            </Show>
            <CellError state />
        </div>
    }
}

/// The id of line `index`'s list; its options' ids add their position.
fn list_id_of(index: usize) -> String {
    format!("lines-{index}-items")
}

/// The list of `found` items, `active` marked; a click takes an item (as Enter does).
#[component]
fn ItemOptions(
    id: String,
    found: Memo<Vec<Item>>,
    active: RwSignal<usize>,
    pick: Callback<usize>,
) -> impl IntoView {
    let options = {
        let id = id.clone();
        move || {
            found.with(|items| {
                items
                    .iter()
                    .enumerate()
                    .map(|(k, item)| {
                        let detail = format!(
                            "{} {} · VAT {} {} %",
                            item.unit_price,
                            item.currency.code(),
                            item.tax_category,
                            item.tax_rate.percent()
                        );
                        view! {
                            <li
                                role="option"
                                id=format!("{id}-{k}")
                                class:active=move || active.get() == k
                                aria-selected=move || (active.get() == k).to_string()
                                on:mousedown=|ev| ev.prevent_default()
                                on:click=move |_| pick.run(k)
                            >
                                <span class="name">{item.name.clone()}</span>
                                <span class="detail">{detail}</span>
                            </li>
                        }
                    })
                    .collect_view()
            })
        }
    };
    view! {
        <ul role="listbox" id=id aria-label="Items" data-testid="item-options">
            {options}
        </ul>
    }
}
