//! An issued invoice, read-only: issued documents never change (corrections are credit notes). It shows
//! the frozen snapshot exactly as recorded — the server's copy, or until it arrives the one core decided
//! on this device for an offline issue — and re-reads whenever stored records change, so the server's
//! number or copy replaces the provisional one in place. Below it, its mails, its credit notes and a
//! form to issue one ([`super::credit_note_issue`]), and its payments and a form to record one
//! ([`super::invoice_payments`]).

use leptos::prelude::*;
use remit_core::document::compute;
use remit_core::document::issued::Invoice;
use remit_core::ids::InvoiceId;

use crate::components::boundary::Loading;
use crate::components::date::{DateText, date_text};
use crate::components::lines::{LineView, LinesTable};
use crate::components::totals::{DocumentSums, TotalsTable};
use crate::routes::credit_note_issue::{Credits, InvoiceCredits, load_credits};
use crate::routes::document_mail::{DocumentMail, Mailable};
use crate::routes::invoice_payments::{InvoicePayments, PaymentsState};
use crate::routes::portal_links::PortalLinks;
use crate::state::use_app;
use crate::store::StoreError;
use crate::store::issuing::IssuedInvoice;

#[component]
pub fn IssuedInvoiceView(id: InvoiceId) -> impl IntoView {
    let app = use_app();
    // The invoice and its credit notes, read together: one read after each change of stored records.
    let issued = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        let organisation = app.session.get_untracked().map(|s| s.organisation);
        async move {
            let Some(issued) = store.issued_invoice(id).await? else {
                return Ok(None);
            };
            let credits = match &issued {
                IssuedInvoice::Numbered { invoice, .. } => {
                    Some(load_credits(&store, organisation, invoice).await?)
                }
                IssuedInvoice::AwaitingNumber(_) => None,
            };
            Ok::<_, StoreError>(Some((issued, credits)))
        }
    });
    let shown = move || {
        Suspend::new(async move {
            Ok::<_, StoreError>(match issued.await? {
                None => {
                    view! { <p class="error">"This invoice is not on this device."</p> }.into_any()
                }
                Some((
                    IssuedInvoice::Numbered {
                        invoice,
                        awaiting_sync,
                    },
                    credits,
                )) => view! { <Numbered invoice=*invoice awaiting_sync credits=credits.unwrap_or_default() /> }
                    .into_any(),
                Some((IssuedInvoice::AwaitingNumber(issue), _)) => {
                    // Totals as core computes them from the draft sent; the server freezes the same.
                    let sums = compute(&issue.draft).ok().map(|t| DocumentSums::from(&t));
                    let currency = Some(issue.draft.currency);
                    view! { <AwaitingNumber sums currency /> }.into_any()
                }
            })
        })
    };
    view! { <Loading>{shown}</Loading> }
}

#[component]
fn AwaitingNumber(
    sums: Option<DocumentSums>,
    currency: Option<remit_core::money::Currency>,
) -> impl IntoView {
    view! {
        <section class="card">
            <div class="toolbar">
                <h1 data-testid="invoice-number">"Invoice — number pending"</h1>
                <span class="flag" data-testid="awaiting-number">
                    "Sent for the next number — it arrives with the next sync"
                </span>
            </div>
            <TotalsTable sums currency />
            <a class="button secondary" href="/">
                "Back"
            </a>
        </section>
    }
}

#[component]
fn Numbered(invoice: Invoice, awaiting_sync: bool, credits: Credits) -> impl IntoView {
    let payments = PaymentsState::new(&invoice);
    // Core's next unpaid due date: an instalment paid in full no longer falls due.
    let due_date = move || {
        payments.balance.with(|b| {
            b.as_ref().map(|b| {
                b.next_due_date()
                    .map_or_else(|| "Nothing open".to_owned(), date_text)
            })
        })
    };
    let snapshot = &invoice.snapshot;
    let sums = Some(DocumentSums::from(&snapshot.totals));
    let currency = Some(snapshot.document.currency);
    let lines = snapshot
        .document
        .lines
        .iter()
        .zip(&snapshot.totals.lines)
        .map(|(line, total)| LineView::of_issued(line, total))
        .collect::<Vec<_>>();
    let note = (!snapshot.note.is_empty()).then(|| snapshot.note.clone());
    view! {
        <section class="card">
            <NumberedHeader invoice=invoice.clone() awaiting_sync />
            <p class="muted">"Issued invoices never change; corrections are credit notes."</p>
            <div class="row">
                <p>
                    <strong>"Customer "</strong>
                    <span data-testid="invoice-customer">{snapshot.buyer.name.clone()}</span>
                </p>
                <p>
                    <strong>"Issue date "</strong>
                    <DateText date=snapshot.issue_date />
                </p>
                <p>
                    <strong>"Due date "</strong>
                    <span data-testid="invoice-due-date">{due_date}</span>
                </p>
                <p>
                    <strong>"Seller "</strong>
                    {snapshot.seller.name.clone()}
                </p>
            </div>
            <LinesTable lines />
            <TotalsTable sums currency />
            {note.map(|note| view! { <p class="note">{note}</p> })}
        </section>
        {(!awaiting_sync)
            .then(|| view! { <DocumentMail mailable=Mailable::from(&invoice) /> })}
        {(!awaiting_sync)
            .then(|| {
                view! { <PortalLinks customer=invoice.customer_id invoice=invoice.id /> }
            })}
        <InvoiceCredits invoice=invoice.clone() credits />
        <InvoicePayments invoice payments />
    }
}

#[component]
fn NumberedHeader(invoice: Invoice, awaiting_sync: bool) -> impl IntoView {
    // The server has the file once the invoice reached it.
    let pdf = (!awaiting_sync).then(|| {
        let href = format!("/api/invoices/{}/pdf", invoice.id);
        let name = format!("{}.pdf", invoice.number());
        view! {
            <a class="button secondary" href=href download=name data-testid="download-pdf">
                "Download PDF"
            </a>
        }
    });
    view! {
        <div class="toolbar">
            <h1>
                "Invoice "
                <span data-testid="invoice-number">{invoice.number().to_string()}</span>
            </h1>
            <div class="actions">
                {awaiting_sync
                    .then(|| {
                        view! {
                            <span class="flag" data-testid="awaiting-sync">
                                "Issued offline — awaiting sync"
                            </span>
                        }
                    })}
                {invoice
                    .voided
                    .map(|v| {
                        view! {
                            <span class="flag danger" data-testid="voided">
                                {format!("Voided on {}: {}", date_text(v.on), v.reason)}
                            </span>
                        }
                    })}
                {pdf}
                <a class="button secondary" href="/">
                    "Back"
                </a>
            </div>
        </div>
    }
}
