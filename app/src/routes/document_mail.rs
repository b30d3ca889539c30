//! "Send by mail" on an issued document, an invoice or a credit note: to the customer's address
//! (editable), with a message. The `mail.send` mutation goes through the outbox like any other, so it is
//! queued offline and sent once synced; the server attaches the PDF and the e-invoice. Below the form,
//! each mail of the document with what became of it (queued, sent, failed), as the server reports it in
//! the synced `mail` records.

use leptos::prelude::*;
use remit_core::document::issued::{CreditNote, Invoice};
use remit_core::ids::{CustomerId, MailId, OrganisationId};
use remit_core::mail::{Mail, MailStatus, MailedDocument, MailedKind, SendMail};
use remit_core::sync::Command;
use remit_core::validation::ValidationError;
use uuid::Uuid;

use crate::components::field::Field;
use crate::components::field_error::FieldError;
use crate::state::use_app;
use crate::store::StoreError;

/// The document a mail sends, and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mailable {
    pub document: MailedDocument,
    pub customer: CustomerId,
    pub organisation_id: OrganisationId,
}

impl From<&Invoice> for Mailable {
    fn from(invoice: &Invoice) -> Self {
        Self {
            document: MailedDocument {
                kind: MailedKind::Invoice,
                id: invoice.id.as_uuid(),
            },
            customer: invoice.customer_id,
            organisation_id: invoice.organisation_id,
        }
    }
}

impl From<&CreditNote> for Mailable {
    fn from(note: &CreditNote) -> Self {
        Self {
            document: MailedDocument {
                kind: MailedKind::CreditNote,
                id: note.id.as_uuid(),
            },
            customer: note.customer_id,
            organisation_id: note.organisation_id,
        }
    }
}

/// The mail form and the document's mails: `view! { <DocumentMail mailable=Mailable::from(&invoice) /> }`.
#[component]
pub fn DocumentMail(mailable: Mailable) -> impl IntoView {
    let app = use_app();
    let Mailable {
        document,
        customer,
        organisation_id,
    } = mailable;
    let sent = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move {
            let address = store.customer(customer).await?.map(|c| c.email);
            Ok::<_, StoreError>((address.unwrap_or_default(), store.mails_of(document).await?))
        }
    });
    let to = RwSignal::new(String::new());
    // The customer's address once read; what the user types then stays.
    Effect::new(move |_| {
        if let Some(Ok((address, _))) = sent.get()
            && to.get_untracked().is_empty()
        {
            to.set(address);
        }
    });
    let message = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<ValidationError>);
    let send = Action::new_local(move |request: &SendMail| {
        let request = request.clone();
        async move {
            app.record(Command::SendMail(request)).await?;
            message.set(String::new());
            Ok::<(), StoreError>(())
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(id) = MailId::try_from(Uuid::now_v7()) else {
            return;
        };
        let request = SendMail {
            id,
            organisation_id,
            document,
            to: to.get_untracked().trim().to_owned(),
            subject: String::new(),
            message: message.get_untracked(),
        };
        match request.validate() {
            Ok(()) => {
                invalid.set(None);
                send.dispatch_local(request);
            }
            Err(e) => invalid.set(Some(e)),
        }
    };
    let error = Signal::derive(move || invalid.get());
    let failed = Signal::derive(move || match send.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    });
    view! {
        <section class="card" aria-labelledby="mail-heading">
            <h2 id="mail-heading">"Send by mail"</h2>
            <form on:submit=submit data-testid="mail-form">
                <Field label="To" field="to" error>
                    <input name="mail_to" type="email" bind:value=to />
                </Field>
                <Field label="Message" field="message" error>
                    <textarea name="mail_message" rows="3" bind:value=message></textarea>
                </Field>
                <FieldError error=failed />
                <div class="actions">
                    <button type="submit" data-testid="send-mail" disabled=move || send.pending().get()>
                        "Send by mail"
                    </button>
                </div>
            </form>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    sent.await.map(|(_, mails)| view! { <MailList mails /> })
                })}
            </Transition>
        </section>
    }
}

/// Each mail of the document, newest last, with what became of it.
#[component]
fn MailList(mails: Vec<Mail>) -> impl IntoView {
    (!mails.is_empty()).then(|| {
        view! {
            <ul class="mails" data-testid="mails">
                {mails.into_iter().map(|m| view! { <MailRow mail=m /> }).collect_view()}
            </ul>
        }
    })
}

/// One mail and what became of it (also a portal link's, on the customer screen).
#[component]
pub fn MailRow(mail: Mail) -> impl IntoView {
    let (status, class) = match mail.status {
        MailStatus::Queued => ("Waiting to be sent".to_owned(), "flag"),
        MailStatus::Sent => ("Sent".to_owned(), "flag ok"),
        MailStatus::Failed => (
            format!(
                "Not delivered: {}",
                mail.error
                    .as_deref()
                    .unwrap_or("the mail server refused it")
            ),
            "flag danger",
        ),
    };
    view! {
        <li data-testid="mail-row">
            {format!("To {} ", mail.to)}
            <span class=class data-testid="mail-status">{status}</span>
        </li>
    }
}
