//! The customer's portal links, on the customer screen: make one (for the statement, or for one invoice
//! from the invoice screen), copy its address, see how often each was opened, withdraw one. Links live
//! on the server only (their token is shown once, when made), so this part of the screen needs a
//! connection and says so when there is none.

use leptos::prelude::*;
use remit_core::ids::{CustomerId, InvoiceId};
use remit_core::portal::{CreatedPortalLink, LinkState, NewPortalLink, PortalLinkSummary};

use crate::api::{self, ApiError};
use crate::components::date::date_text;
use crate::components::field_error::FieldError;

/// The links of `customer`, and a button to make one (for `invoice` alone, when given).
#[component]
pub fn PortalLinks(
    customer: CustomerId,
    #[prop(optional)] invoice: Option<InvoiceId>,
) -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let links = LocalResource::new(move || {
        changed.track();
        api::portal_links(customer)
    });
    let made = RwSignal::new(None::<CreatedPortalLink>);
    let create = Action::new_local(move |_: &()| async move {
        let request = NewPortalLink {
            invoice_id: invoice,
            ..Default::default()
        };
        let created = api::create_portal_link(customer, &request).await?;
        made.set(Some(created));
        changed.update(|n| *n += 1);
        Ok::<(), ApiError>(())
    });
    let failed = Signal::derive(move || match create.value().get() {
        Some(Err(e)) => Some(problem(&e)),
        _ => None,
    });
    let label = if invoice.is_some() {
        "Create a link to this invoice"
    } else {
        "Create a link to the statement"
    };
    view! {
        <section class="card narrow" aria-labelledby="portal-heading" data-testid="portal-links">
            <h2 id="portal-heading">"Customer portal"</h2>
            <p class="hint">
                "A link lets the customer see what they owe and download their documents, with no account."
            </p>
            <div class="actions">
                <button
                    type="button"
                    data-testid="create-portal-link"
                    on:click=move |_| {
                        create.dispatch_local(());
                    }
                    disabled=move || create.pending().get()
                >
                    {label}
                </button>
            </div>
            <FieldError error=failed />
            {move || made.get().map(|link| view! { <NewLink link /> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match links.await {
                        Ok(list) => view! { <LinkList list changed /> }.into_any(),
                        Err(e) => view! { <p class="hint">{problem(&e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// What the user can do about a failed call.
fn problem(error: &ApiError) -> String {
    match error {
        ApiError::Network(_) => "Portal links need a connection to the server.".to_owned(),
        other => other.to_string(),
    }
}

/// The address of a link just made, to copy: shown this once.
#[component]
fn NewLink(link: CreatedPortalLink) -> impl IntoView {
    let origin = window().location().origin().unwrap_or_default();
    let address = format!("{origin}{}", link.url);
    let copied = RwSignal::new(false);
    let copy = {
        let address = address.clone();
        move |_| {
            let clipboard = window().navigator().clipboard();
            // The promise settles on its own; the address stays on screen to copy by hand.
            let _ = clipboard.write_text(&address);
            copied.set(true);
        }
    };
    view! {
        <div class="new-link">
            <label for="portal-address">
                {format!("Link, open until {}:", date_text(link.expires_on))}
            </label>
            <input id="portal-address" data-testid="portal-address" readonly value=address />
            <button type="button" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
            <p class="hint">"This address is shown only now; make a new link if it is lost."</p>
        </div>
    }
}

#[component]
fn LinkList(list: Vec<PortalLinkSummary>, changed: RwSignal<u32>) -> impl IntoView {
    (!list.is_empty()).then(|| {
        view! {
            <ul class="plain" data-testid="portal-link-list">
                {list.into_iter().map(|link| view! { <LinkRow link changed /> }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn LinkRow(link: PortalLinkSummary, changed: RwSignal<u32>) -> impl IntoView {
    let id = link.id;
    let revoke = Action::new_local(move |_: &()| async move {
        api::revoke_portal_link(id).await?;
        changed.update(|n| *n += 1);
        Ok::<(), ApiError>(())
    });
    let failed = Signal::derive(move || match revoke.value().get() {
        Some(Err(e)) => Some(problem(&e)),
        _ => None,
    });
    let (state, class) = match link.state {
        LinkState::Open => (
            format!("open until {}", date_text(link.expires_on)),
            "flag ok",
        ),
        LinkState::Expired => (format!("expired {}", date_text(link.expires_on)), "flag"),
        LinkState::Revoked => ("withdrawn".to_owned(), "flag"),
    };
    let scope = if link.invoice_id.is_some() {
        "Invoice link"
    } else {
        "Statement link"
    };
    let views = match link.views {
        0 => "not opened yet".to_owned(),
        1 => "opened once".to_owned(),
        n => format!("opened {n} times"),
    };
    view! {
        <li data-testid="portal-link">
            {format!("{scope} of {}, ", date_text(link.created_on))}
            <span class=class>{state}</span>
            {format!(", {views} ")}
            {(link.state == LinkState::Open).then(|| view! {
                <button type="button" class="secondary" on:click=move |_| { revoke.dispatch_local(()); }>
                    "Withdraw"
                </button>
            })}
            <FieldError error=failed />
        </li>
    }
}
