//! The customer's portal links, on the customer screen: make one (for the statement, or for one invoice
//! from the invoice screen) and mail it to the customer (their address proposed, editable, with an
//! optional message) or copy its address; see how often each was opened; withdraw one. Links live on
//! the server only (their token is shown once, when made), so this part of the screen needs a
//! connection and says so when there is none.

use leptos::prelude::*;
use remit_core::ids::{CustomerId, InvoiceId, PortalLinkId};
use remit_core::mail::{MailedDocument, MailedKind};
use remit_core::portal::{
    CreatedPortalLink, LinkMail, LinkState, NewPortalLink, PortalLinkSummary,
};
use remit_core::validation::ValidationError;

use crate::api::{self, ApiError};
use crate::components::date::date_text;
use crate::components::field::{Field, spelled_out};
use crate::components::field_error::FieldError;
use crate::routes::document_mail::MailRow;
use crate::state::use_app;

/// A link just made, and the address it was mailed to, if it was.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Made {
    link: CreatedPortalLink,
    sent_to: Option<String>,
}

/// The links of `customer`, and a form to make one (for `invoice` alone, when given).
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
    let made = RwSignal::new(None::<Made>);
    view! {
        <section class="card narrow" aria-labelledby="portal-heading" data-testid="portal-links">
            <h2 id="portal-heading">"Customer portal"</h2>
            <p class="hint">
                "A link lets the customer see what they owe and download their documents, with no account."
            </p>
            <CreateLink customer invoice made changed />
            {move || made.get().map(|m| view! { <NewLink link=m.link sent_to=m.sent_to /> })}
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

/// The customer's address as stored on this device, once read; empty when it has none.
fn proposed_address(customer: CustomerId, send_to: RwSignal<String>) {
    let app = use_app();
    let address = LocalResource::new(move || {
        let store = app.store();
        async move {
            store
                .customer(customer)
                .await
                .ok()
                .flatten()
                .map(|c| c.email)
        }
    });
    // What the user types then stays.
    Effect::new(move |_| {
        if let Some(Some(email)) = address.get()
            && send_to.get_untracked().is_empty()
        {
            send_to.set(email);
        }
    });
}

/// Makes a link, mailed to the address given ("Send by mail") or only shown to copy ("Create and copy").
#[component]
fn CreateLink(
    customer: CustomerId,
    invoice: Option<InvoiceId>,
    made: RwSignal<Option<Made>>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let send_to = RwSignal::new(String::new());
    proposed_address(customer, send_to);
    let message = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<ValidationError>);
    let create = Action::new_local(move |request: &NewPortalLink| {
        let request = request.clone();
        async move {
            let link = api::create_portal_link(customer, &request).await?;
            if request.send_to.is_some() {
                message.set(String::new());
            }
            made.set(Some(Made {
                link,
                sent_to: request.send_to,
            }));
            changed.update(|n| *n += 1);
            Ok::<(), ApiError>(())
        }
    });
    let request = move |mail: Option<LinkMail>| NewPortalLink {
        invoice_id: invoice,
        send_to: mail.as_ref().map(|m| m.send_to.trim().to_owned()),
        message: mail.map(|m| m.message).unwrap_or_default(),
        ..Default::default()
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mail = LinkMail {
            send_to: send_to.get_untracked(),
            subject: String::new(),
            message: message.get_untracked(),
        };
        match mail.validate() {
            Ok(()) => {
                invalid.set(None);
                create.dispatch_local(request(Some(mail)));
            }
            Err(e) => invalid.set(Some(e)),
        }
    };
    let copy_only = move |_| {
        invalid.set(None);
        create.dispatch_local(request(None));
    };
    let error = Signal::derive(move || invalid.get());
    let failed = Signal::derive(move || match create.value().get() {
        Some(Err(e)) => Some(problem(&e)),
        _ => None,
    });
    let busy = move || create.pending().get();
    let what = if invoice.is_some() {
        "this invoice"
    } else {
        "the statement"
    };
    view! {
        <form on:submit=send novalidate=true data-testid="portal-link-form">
            <Field label="Send by mail to" field="send_to" error>
                <input name="portal_send_to" type="email" bind:value=send_to />
            </Field>
            <Field label="Message (optional)" field="message" error>
                <textarea name="portal_message" rows="3" bind:value=message></textarea>
            </Field>
            <FieldError error=failed />
            <div class="actions">
                <button type="submit" data-testid="send-portal-link" disabled=busy>
                    {format!("Send a link to {what}")}
                </button>
                <button
                    type="button"
                    class="secondary"
                    data-testid="create-portal-link"
                    on:click=copy_only
                    disabled=busy
                >
                    {format!("Create a link to {what} to copy")}
                </button>
            </div>
        </form>
    }
}

/// What the user can do about a failed call; an input the server refused is named in the screen's words.
fn problem(error: &ApiError) -> String {
    match error {
        ApiError::Network(_) => "Portal links need a connection to the server.".to_owned(),
        other => match other.field() {
            Some(field) => {
                let message = other.to_string();
                let rule = message.strip_prefix(field).unwrap_or(&message).trim();
                format!("The {} {rule}", spelled_out(field))
            }
            None => other.to_string(),
        },
    }
}

/// The address of a link just made, to copy: shown this once; and to whom it was mailed.
#[component]
fn NewLink(link: CreatedPortalLink, sent_to: Option<String>) -> impl IntoView {
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
            {sent_to.map(|to| view! { <p class="flag ok" role="status" data-testid="portal-sent">{format!("Sent to {to}")}</p> })}
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
            <LinkMails link=id />
            <FieldError error=failed />
        </li>
    }
}

/// The mails that carried a link, as this device synced their records: to whom, and whether sent.
#[component]
fn LinkMails(link: PortalLinkId) -> impl IntoView {
    let app = use_app();
    let document = MailedDocument {
        kind: MailedKind::PortalLink,
        id: link.as_uuid(),
    };
    let mails = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move { store.mails_of(document).await }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                mails.await.map(|mails| (!mails.is_empty()).then(|| view! {
                    <ul class="mails" data-testid="portal-link-mails">
                        {mails.into_iter().map(|mail| view! { <MailRow mail /> }).collect_view()}
                    </ul>
                }))
            })}
        </Transition>
    }
}
