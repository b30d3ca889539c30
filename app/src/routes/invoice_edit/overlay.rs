//! The `?` overlay: the table of shortcuts, read from [`SHORTCUTS`] itself, in a modal dialog. The
//! browser's modal `<dialog>` keeps the focus inside it and closes on Escape; the focus then returns to
//! where it was.

use leptos::html::Dialog;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::shortcuts::SHORTCUTS;

/// Shown while `open`; closing it (Escape, the Close button) sets `open` back to false.
#[component]
pub fn ShortcutsOverlay(open: RwSignal<bool>) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
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
                <button type="button" data-testid="close-shortcuts" on:click=move |_| open.set(false)>
                    "Close"
                </button>
            </div>
        </dialog>
    }
}
