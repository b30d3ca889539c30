//! A credit note, read-only like every issued document: its number, dates, the invoice it corrects, its
//! lines and totals as frozen, "Download PDF" and "Send by mail" as on the invoice. One sent from this
//! device waits for the server's number: until it is pulled, the screen shows the lines and totals core
//! decided here, marked as pending, and replaces them in place when the server's record arrives.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use remit_core::decide::catalogue::current_settings;
use remit_core::document::issue::Snapshot;
use remit_core::document::issued::{CreditNote, IssueCreditNote};
use remit_core::ids::{CreditNoteId, InvoiceId};
use remit_core::organisation::Organisation;

use crate::components::boundary::Loading;
use crate::components::date::DateText;
use crate::components::lines::{LineView, LinesTable};
use crate::components::totals::{DocumentSums, TotalsTable};
use crate::routes::document_mail::{DocumentMail, Mailable};
use crate::state::use_app;
use crate::store::credit_notes::{IssuedCreditNote, issued_here};
use crate::store::issuing::IssuedInvoice;
use crate::store::{Store, StoreError, StoreResult};

/// What the screen shows of a credit note.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Numbered(Box<CreditNote>),
    /// Waiting for its number, with the credit note core decided here (`None` where core now refuses it:
    /// the server will refuse it too).
    AwaitingNumber {
        issue: Box<IssueCreditNote>,
        decided: Option<Box<CreditNote>>,
    },
}

/// The credit note `id` as this device knows it.
async fn load(
    store: Store,
    organisation: Option<Organisation>,
    id: CreditNoteId,
) -> StoreResult<Option<Shown>> {
    let Some(found) = store.credit_note(id).await? else {
        return Ok(None);
    };
    let issue = match found {
        IssuedCreditNote::Numbered(note) => return Ok(Some(Shown::Numbered(note))),
        IssuedCreditNote::AwaitingNumber(issue) => issue,
    };
    let organisation = organisation.ok_or(StoreError::SignedOut)?;
    let settings = current_settings(store.settings().await?, organisation.id, &organisation.name);
    let decided = match store.issued_invoice(issue.invoice_id).await? {
        Some(IssuedInvoice::Numbered { invoice, .. }) => {
            let credits = store.credit_notes_of(invoice.id).await?;
            issued_here(&invoice, &credits, &settings)
                .into_iter()
                .find(|n| n.id == id)
                .map(Box::new)
        }
        _ => None,
    };
    Ok(Some(Shown::AwaitingNumber { issue, decided }))
}

#[component]
pub fn CreditNoteScreen() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| CreditNoteId::parse(&id).ok()));
    let loaded = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        let organisation = app.session.get_untracked().map(|s| s.organisation);
        let id = id();
        async move {
            match id {
                Some(id) => load(store, organisation, id).await,
                None => Ok(None),
            }
        }
    });
    let shown = move || {
        Suspend::new(async move {
            Ok::<_, StoreError>(match loaded.await? {
                None => view! { <p class="error">"This credit note is not on this device."</p> }
                    .into_any(),
                Some(Shown::Numbered(note)) => view! { <Numbered note=*note /> }.into_any(),
                Some(Shown::AwaitingNumber { issue, decided }) => {
                    view! { <AwaitingNumber issue=*issue decided=decided.map(|d| *d) /> }.into_any()
                }
            })
        })
    };
    view! { <Loading>{shown}</Loading> }
}

#[component]
fn Numbered(note: CreditNote) -> impl IntoView {
    let href = format!("/api/credit-notes/{}/pdf", note.id);
    let name = format!("{}.pdf", note.snapshot.number);
    let mailable = Mailable::from(&note);
    view! {
        <section class="card">
            <div class="toolbar">
                <h1>
                    "Credit note "
                    <span data-testid="credit-note-number">{note.snapshot.number.to_string()}</span>
                </h1>
                <div class="actions">
                    <a class="button secondary" href=href download=name data-testid="download-pdf">
                        "Download PDF"
                    </a>
                    <BackToInvoice invoice=note.invoice_id />
                </div>
            </div>
            <p class="muted">"Issued credit notes never change."</p>
            <Frozen snapshot=note.snapshot invoice=note.invoice_id />
        </section>
        <DocumentMail mailable />
    }
}

#[component]
fn AwaitingNumber(issue: IssueCreditNote, decided: Option<CreditNote>) -> impl IntoView {
    let body = match decided {
        Some(note) => {
            view! { <Frozen snapshot=note.snapshot invoice=issue.invoice_id /> }.into_any()
        }
        None => view! {
            <p class="error" data-testid="credit-note-refused">
                "This credit note can no longer be issued as sent; the server will refuse it."
            </p>
        }
        .into_any(),
    };
    view! {
        <section class="card">
            <div class="toolbar">
                <h1 data-testid="credit-note-number">"Credit note — number pending"</h1>
                <div class="actions">
                    <span class="flag" data-testid="awaiting-number">
                        "Sent for the next number — it arrives with the next sync"
                    </span>
                    <BackToInvoice invoice=issue.invoice_id />
                </div>
            </div>
            {body}
        </section>
    }
}

#[component]
fn BackToInvoice(invoice: InvoiceId) -> impl IntoView {
    view! {
        <a class="button secondary" href=format!("/invoices/{invoice}")>
            "Back to the invoice"
        </a>
    }
}

/// The credit note as issued (or as core decided it here): who, when, what it corrects, lines, totals.
#[component]
fn Frozen(snapshot: Snapshot, invoice: InvoiceId) -> impl IntoView {
    let sums = Some(DocumentSums::from(&snapshot.totals));
    let currency = Some(snapshot.document.currency);
    let lines = snapshot
        .document
        .lines
        .iter()
        .zip(&snapshot.totals.lines)
        .map(|(line, total)| LineView::of_issued(line, total))
        .collect::<Vec<_>>();
    let corrects = snapshot
        .preceding_invoice
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let note = (!snapshot.note.is_empty()).then(|| snapshot.note.clone());
    view! {
        <div class="row">
            <p>
                <strong>"Corrects invoice "</strong>
                <a href=format!("/invoices/{invoice}") data-testid="credit-note-invoice">
                    {corrects}
                </a>
            </p>
            <p>
                <strong>"Customer "</strong>
                <span data-testid="credit-note-customer">{snapshot.buyer.name.clone()}</span>
            </p>
            <p>
                <strong>"Issue date "</strong>
                <DateText date=snapshot.issue_date />
            </p>
            <p>
                <strong>"Seller "</strong>
                {snapshot.seller.name.clone()}
            </p>
        </div>
        <LinesTable lines />
        <TotalsTable sums currency />
        {note.map(|note| view! { <p class="note">{note}</p> })}
    }
}
