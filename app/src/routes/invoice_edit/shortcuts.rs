//! The editor's keyboard: one table, [`SHORTCUTS`], read both by the key handler
//! ([`super::keyboard`]) and by the `?` overlay ([`super::overlay`]), so what the overlay lists is what
//! the keys do. The line operations the keys run are here too, as plain functions over the lines.
//!
//! The keys avoid the browser's own: Alt with a letter or an arrow (Alt+D, Alt+E, Alt+F and Alt+←/→
//! belong to the browser and are not used), Ctrl+S (the page's save replaces "save page as"),
//! Ctrl+Shift+Enter to issue (hard to press by accident). Letters are matched by their place on the
//! keyboard (`KeyboardEvent.code`), so Alt+N works on any layout and on a Mac, where Option+N types a
//! character. Ctrl means ⌘ on a Mac.

/// What a shortcut does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    NewLine,
    DeleteLine,
    MoveLineUp,
    MoveLineDown,
    DuplicateLine,
    Save,
    Issue,
    SearchItems,
    NextField,
    PreviousField,
    ShowShortcuts,
}

/// Where a shortcut applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere in the editor.
    Editor,
    /// In a cell of a line.
    Line,
    /// Anywhere in the editor but a text field, where the key types itself.
    NotTyping,
    /// The browser does it (the handler leaves the key alone); listed so the overlay shows it.
    Browser,
}

/// The modifier keys held with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Modifiers {
    pub alt: bool,
    /// Ctrl, or ⌘ on a Mac.
    pub ctrl: bool,
    pub shift: bool,
}

const NONE: Modifiers = Modifiers {
    alt: false,
    ctrl: false,
    shift: false,
};
const ALT: Modifiers = Modifiers { alt: true, ..NONE };
const ALT_SHIFT: Modifiers = Modifiers {
    alt: true,
    shift: true,
    ..NONE
};
const CTRL: Modifiers = Modifiers { ctrl: true, ..NONE };
const CTRL_SHIFT: Modifiers = Modifiers {
    ctrl: true,
    shift: true,
    ..NONE
};
const SHIFT: Modifiers = Modifiers {
    shift: true,
    ..NONE
};

/// One row of the table. `key` is `KeyboardEvent.key` (`Enter`, `ArrowUp`, `?`); a single letter is
/// matched by its place on the keyboard instead (`KeyN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcut {
    pub key: &'static str,
    pub modifiers: Modifiers,
    pub action: Action,
    pub scope: Scope,
    pub description: &'static str,
}

/// Every shortcut of the editor.
pub const SHORTCUTS: &[Shortcut] = &[
    Shortcut {
        key: "n",
        modifiers: ALT,
        action: Action::NewLine,
        scope: Scope::Editor,
        description: "New line below the current one",
    },
    Shortcut {
        key: "Delete",
        modifiers: ALT,
        action: Action::DeleteLine,
        scope: Scope::Line,
        description: "Delete the current line",
    },
    Shortcut {
        key: "ArrowUp",
        modifiers: ALT,
        action: Action::MoveLineUp,
        scope: Scope::Line,
        description: "Move the current line up",
    },
    Shortcut {
        key: "ArrowDown",
        modifiers: ALT,
        action: Action::MoveLineDown,
        scope: Scope::Line,
        description: "Move the current line down",
    },
    Shortcut {
        key: "ArrowDown",
        modifiers: ALT_SHIFT,
        action: Action::DuplicateLine,
        scope: Scope::Line,
        description: "Duplicate the current line below it",
    },
    Shortcut {
        key: "i",
        modifiers: ALT,
        action: Action::SearchItems,
        scope: Scope::Editor,
        description: "Pick an item for the current line: type to search, ↑ ↓ to choose, Enter to take it, Escape to close the list",
    },
    Shortcut {
        key: "Enter",
        modifiers: NONE,
        action: Action::NextField,
        scope: Scope::Line,
        description: "Next cell; on the last cell of the last line, a new line",
    },
    Shortcut {
        key: "Enter",
        modifiers: SHIFT,
        action: Action::PreviousField,
        scope: Scope::Line,
        description: "Previous cell",
    },
    Shortcut {
        key: "Tab",
        modifiers: NONE,
        action: Action::NextField,
        scope: Scope::Browser,
        description: "Next field",
    },
    Shortcut {
        key: "Tab",
        modifiers: SHIFT,
        action: Action::PreviousField,
        scope: Scope::Browser,
        description: "Previous field",
    },
    Shortcut {
        key: "s",
        modifiers: CTRL,
        action: Action::Save,
        scope: Scope::Editor,
        description: "Save the draft",
    },
    Shortcut {
        key: "Enter",
        modifiers: CTRL_SHIFT,
        action: Action::Issue,
        scope: Scope::Editor,
        description: "Issue the invoice",
    },
    Shortcut {
        key: "?",
        modifiers: NONE,
        action: Action::ShowShortcuts,
        scope: Scope::NotTyping,
        description: "Show these shortcuts (Escape closes them)",
    },
];

/// A key as pressed: `KeyboardEvent.key`, `.code` and the modifiers held.
#[derive(Debug, Clone, Copy)]
pub struct Keystroke<'a> {
    pub key: &'a str,
    pub code: &'a str,
    pub modifiers: Modifiers,
}

/// Where the focus is when a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Focus {
    /// In a cell of a line.
    pub in_line: bool,
    /// In a field where keys type text.
    pub typing: bool,
}

impl Shortcut {
    /// Whether `stroke` presses this shortcut. A symbol such as `?` is typed with Shift on some
    /// layouts and without on others, so Shift does not count for it.
    pub fn pressed_by(&self, stroke: &Keystroke<'_>) -> bool {
        let letter = self.key.len() == 1 && self.key.as_bytes()[0].is_ascii_alphabetic();
        let symbol = self.key.chars().count() == 1 && !letter;
        let key_matches = if letter {
            stroke
                .code
                .strip_prefix("Key")
                .is_some_and(|c| c.eq_ignore_ascii_case(self.key))
        } else {
            stroke.key == self.key
        };
        let held = stroke.modifiers;
        let modifiers_match = if symbol {
            held.alt == self.modifiers.alt && held.ctrl == self.modifiers.ctrl
        } else {
            held == self.modifiers
        };
        key_matches && modifiers_match
    }

    /// Whether this shortcut applies with the focus at `focus`.
    pub fn applies(&self, focus: Focus) -> bool {
        match self.scope {
            Scope::Editor | Scope::Browser => true,
            Scope::Line => focus.in_line,
            Scope::NotTyping => !focus.typing,
        }
    }

    /// The keys as the overlay shows them: `Alt + ↓`, `Ctrl + S`.
    pub fn keys(&self) -> String {
        let mut parts = Vec::new();
        if self.modifiers.ctrl {
            parts.push("Ctrl".to_owned());
        }
        if self.modifiers.alt {
            parts.push("Alt".to_owned());
        }
        if self.modifiers.shift {
            parts.push("Shift".to_owned());
        }
        parts.push(match self.key {
            "ArrowUp" => "↑".to_owned(),
            "ArrowDown" => "↓".to_owned(),
            letter if letter.len() == 1 => letter.to_uppercase(),
            other => other.to_owned(),
        });
        parts.join(" + ")
    }
}

/// The shortcut `stroke` presses with the focus at `focus`, if any.
pub fn find(stroke: &Keystroke<'_>, focus: Focus) -> Option<&'static Shortcut> {
    SHORTCUTS
        .iter()
        .find(|s| s.pressed_by(stroke) && s.applies(focus))
}

/// Where focus goes from cell `cell` of line `line` (of `lines` lines with `cells` cells each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Cell {
        line: usize,
        cell: usize,
    },
    /// Past the last cell of the last line: a new line, focus on its first cell.
    NewLine,
    /// Before the first cell of the first line: nowhere further.
    Stay,
}

/// The next (or, not `forward`, the previous) cell, row by row.
pub fn step(line: usize, cell: usize, lines: usize, cells: usize, forward: bool) -> Step {
    let at = line * cells + cell;
    if forward {
        let next = at + 1;
        if next >= lines * cells {
            Step::NewLine
        } else {
            Step::Cell {
                line: next / cells,
                cell: next % cells,
            }
        }
    } else if at == 0 {
        Step::Stay
    } else {
        Step::Cell {
            line: (at - 1) / cells,
            cell: (at - 1) % cells,
        }
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn stroke<'a>(key: &'a str, code: &'a str, modifiers: Modifiers) -> Keystroke<'a> {
        Keystroke {
            key,
            code,
            modifiers,
        }
    }

    const IN_LINE: Focus = Focus {
        in_line: true,
        typing: true,
    };
    const ON_BUTTON: Focus = Focus {
        in_line: false,
        typing: false,
    };

    fn action(stroke: Keystroke<'_>, focus: Focus) -> Option<Action> {
        find(&stroke, focus).map(|s| s.action)
    }

    #[wasm_bindgen_test]
    fn each_key_finds_its_action_where_it_applies() {
        // Option+N on a Mac types "˜", but the key's place is still KeyN.
        assert_eq!(
            action(stroke("˜", "KeyN", ALT), IN_LINE),
            Some(Action::NewLine)
        );
        assert_eq!(action(stroke("n", "KeyN", NONE), IN_LINE), None);
        assert_eq!(
            action(stroke("ArrowDown", "ArrowDown", ALT), IN_LINE),
            Some(Action::MoveLineDown)
        );
        assert_eq!(
            action(stroke("ArrowDown", "ArrowDown", ALT_SHIFT), IN_LINE),
            Some(Action::DuplicateLine)
        );
        assert_eq!(
            action(stroke("ArrowDown", "ArrowDown", ALT), ON_BUTTON),
            None
        );
        assert_eq!(
            action(stroke("s", "KeyS", CTRL), ON_BUTTON),
            Some(Action::Save)
        );
        assert_eq!(
            action(stroke("Enter", "Enter", CTRL_SHIFT), IN_LINE),
            Some(Action::Issue)
        );
        assert_eq!(
            action(stroke("Enter", "Enter", NONE), IN_LINE),
            Some(Action::NextField)
        );
        assert_eq!(action(stroke("Enter", "Enter", NONE), ON_BUTTON), None);
        // `?` types itself in a text field, and opens the overlay elsewhere, with or without Shift.
        assert_eq!(action(stroke("?", "Slash", SHIFT), IN_LINE), None);
        assert_eq!(
            action(stroke("?", "Slash", SHIFT), ON_BUTTON),
            Some(Action::ShowShortcuts)
        );
        assert_eq!(
            action(stroke("?", "Minus", NONE), ON_BUTTON),
            Some(Action::ShowShortcuts)
        );
    }

    #[wasm_bindgen_test]
    fn no_two_shortcuts_share_keys_and_the_overlay_names_them() {
        for (i, a) in SHORTCUTS.iter().enumerate() {
            for b in &SHORTCUTS[i + 1..] {
                assert!(
                    (a.key, a.modifiers) != (b.key, b.modifiers),
                    "{} and {} share keys",
                    a.description,
                    b.description
                );
            }
        }
        let duplicate = SHORTCUTS
            .iter()
            .find(|s| s.action == Action::DuplicateLine)
            .unwrap();
        assert_eq!(duplicate.keys(), "Alt + Shift + ↓");
        let save = SHORTCUTS.iter().find(|s| s.action == Action::Save).unwrap();
        assert_eq!(save.keys(), "Ctrl + S");
        let delete = SHORTCUTS
            .iter()
            .find(|s| s.action == Action::DeleteLine)
            .unwrap();
        assert_eq!(delete.keys(), "Alt + Delete");
    }

    #[wasm_bindgen_test]
    fn enter_walks_the_cells_row_by_row_and_adds_a_line_after_the_last() {
        assert_eq!(step(0, 4, 2, 5, true), Step::Cell { line: 1, cell: 0 });
        assert_eq!(step(1, 4, 2, 5, true), Step::NewLine);
        assert_eq!(step(1, 0, 2, 5, false), Step::Cell { line: 0, cell: 4 });
        assert_eq!(step(0, 0, 2, 5, false), Step::Stay);
    }
}
