//! The `?` overlay: the table of shortcuts, read from [`SHORTCUTS`] itself, in a modal dialog. The
//! browser's modal `<dialog>` makes the page behind it inert and closes on Escape; Tab and Shift+Tab
//! stay on its one control (the browser would move on to its own toolbar); on close the focus returns
//! to where it was.

use leptos::html::{Button, Dialog};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::shortcuts::SHORTCUTS;

/// Shown while `open`; closing it (Escape, the Close button) sets `open` back to false.
#[component]
pub fn ShortcutsOverlay(open: RwSignal<bool>) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let close = NodeRef::<Button>::new();
    // Where the focus was when the overlay opened: it goes back there on close.
    let before = StoredValue::new_local(None::<HtmlElement>);
    Effect::new(move |_| {
        let show = open.get();
        let Some(dialog) = dialog.get() else {
            return;
        };
        if show && !dialog.open() {
            before.set_value(
                document()
                    .active_element()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok()),
            );
            // Fails only when the dialog is not in the document; it then stays closed.
            if dialog.show_modal().is_err() {
                open.set(false);
            }
        } else if !show && dialog.open() {
            dialog.close();
        }
    });
    let closed = move |_| {
        open.set(false);
        if let Some(element) = before.get_value() {
            // The element may have left the page meanwhile; the focus then stays with the browser.
            let _ = element.focus();
        }
    };
    let trap = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Tab"
            && let Some(close) = close.get()
        {
            ev.prevent_default();
            // The button is in the open dialog, so it takes the focus.
            let _ = close.focus();
        }
    };
    let rows = SHORTCUTS
        .iter()
        .map(|s| {
            view! {
                <tr>
                    <td>
                        <kbd>{s.keys()}</kbd>
                    </td>
                    <td>{s.description}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <dialog
            node_ref=dialog
            class="overlay"
            role="dialog"
            aria-modal="true"
            aria-labelledby="shortcuts-title"
            data-testid="shortcuts"
            on:close=closed
            on:keydown=trap
        >
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <table class="shortcuts">
                <thead>
                    <tr>
                        <th scope="col">"Keys"</th>
                        <th scope="col">"What they do"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="muted">"Ctrl means ⌘ on a Mac. Alt is Option."</p>
            <div class="actions">
                <button
                    type="button"
                    node_ref=close
                    data-testid="close-shortcuts"
                    on:click=move |_| open.set(false)
                >
                    "Close"
                </button>
            </div>
        </dialog>
    }
}
