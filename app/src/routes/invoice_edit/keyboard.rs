//! The editor's key handler: the pressed key is looked up in [`SHORTCUTS`](super::shortcuts::SHORTCUTS)
//! and its action run on the lines, the draft or the overlay. Keys the table leaves to the browser (Tab)
//! and keys it does not list do what they always do.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

use super::shortcuts::{self, Action, Focus, Keystroke, Modifiers, Scope, Step};
use super::state::DraftState;
use crate::components::item_picker::{Picker, focus_cell, focus_cell_now};
use crate::components::line_table::{self, CELLS, blank_line, cell_of, copy_line};

/// What the shortcuts act on. Copy: reactive handles and callbacks.
#[derive(Clone, Copy)]
pub struct Keyboard {
    pub form: DraftState,
    pub picker: Picker,
    /// Whether the shortcuts overlay is open.
    pub overlay: RwSignal<bool>,
    pub save: Callback<()>,
    pub issue: Callback<()>,
}

/// Where the key was pressed: the line and cell (a position in [`CELLS`]) when in a line, and whether
/// keys type text there.
fn focus_of(ev: &KeyboardEvent) -> (Option<(usize, usize)>, Focus) {
    let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
    let cell = target
        .as_ref()
        .and_then(|t| t.get_attribute("name"))
        .and_then(|name| cell_of(&name));
    let typing = target.is_some_and(|t| match t.tag_name().as_str() {
        "TEXTAREA" => true,
        "INPUT" => !matches!(
            t.get_attribute("type").as_deref(),
            Some("checkbox" | "radio" | "button" | "submit")
        ),
        _ => false,
    });
    (
        cell,
        Focus {
            in_line: cell.is_some(),
            typing,
        },
    )
}

impl Keyboard {
    /// Runs the shortcut `ev` presses, if any; the browser then does nothing more with the key.
    pub fn handle(&self, ev: &KeyboardEvent) {
        let (key, code) = (ev.key(), ev.code());
        let stroke = Keystroke {
            key: &key,
            code: &code,
            modifiers: Modifiers {
                alt: ev.alt_key(),
                ctrl: ev.ctrl_key() || ev.meta_key(),
                shift: ev.shift_key(),
            },
        };
        let (cell, focus) = focus_of(ev);
        let Some(shortcut) = shortcuts::find(&stroke, focus) else {
            return;
        };
        if shortcut.scope == Scope::Browser {
            return;
        }
        ev.prevent_default();
        self.run(shortcut.action, cell);
    }

    /// Runs `action` with the focus in `cell` (line, cell), if in a line.
    fn run(&self, action: Action, cell: Option<(usize, usize)>) {
        let lines = self.form.lines;
        let line = cell.map(|(line, _)| line);
        let at_cell = cell.map_or(0, |(_, c)| c);
        // Every line operation returns the line that takes the focus, in the same cell.
        let moved = match action {
            Action::NewLine => {
                let new = lines.try_update(|l| line_table::insert_after(l, line, blank_line()));
                new.map(|n| (n, 0))
            }
            Action::DeleteLine => line
                .and_then(|at| lines.try_update(|l| line_table::delete(l, at)).flatten())
                .map(|n| (n, at_cell)),
            Action::MoveLineUp | Action::MoveLineDown => line
                .and_then(|at| {
                    lines.try_update(|l| line_table::shift(l, at, action == Action::MoveLineUp))
                })
                .map(|n| (n, at_cell)),
            Action::DuplicateLine => line
                .and_then(|at| {
                    lines
                        .try_update(|l| line_table::duplicate(l, at, copy_line))
                        .flatten()
                })
                .map(|n| (n, at_cell)),
            Action::NextField | Action::PreviousField => {
                match cell.map(|(l, c)| self.step(l, c, action == Action::NextField)) {
                    // The cell is on screen already: focus it before the next key arrives.
                    Some(Step::Cell { line, cell }) => {
                        focus_cell_now(line, cell);
                        None
                    }
                    Some(Step::NewLine) => self
                        .form
                        .lines
                        .try_update(|l| line_table::insert_after(l, None, blank_line()))
                        .map(|n| (n, 0)),
                    Some(Step::Stay) | None => None,
                }
            }
            Action::SearchItems => {
                self.search_items(line);
                None
            }
            Action::Save => {
                self.save.run(());
                None
            }
            Action::Issue => {
                self.issue.run(());
                None
            }
            Action::ShowShortcuts => {
                self.overlay.set(true);
                None
            }
        };
        if let Some((line, cell)) = moved {
            focus_cell(line, cell);
        }
    }

    /// The cell after (or before) `cell` of `line`, row by row.
    fn step(&self, line: usize, cell: usize, forward: bool) -> Step {
        let count = self.form.lines.with_untracked(Vec::len);
        shortcuts::step(line, cell, count, CELLS.len(), forward)
    }

    /// Opens the item list of the current line (else the last; a first line if there is none).
    fn search_items(&self, line: Option<usize>) {
        let lines = self.form.lines;
        let target = line
            .or_else(|| lines.with_untracked(|l| l.len().checked_sub(1)))
            .or_else(|| lines.try_update(|l| line_table::insert_after(l, None, blank_line())));
        if let Some(line) = target {
            self.picker.search(line);
        }
    }
}
