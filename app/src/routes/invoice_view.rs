//! An issued invoice, read-only: issued documents never change (corrections are credit notes). It shows
//! the frozen snapshot exactly as recorded — the server's copy, or until it arrives the one core decided
//! on this device for an offline issue — and re-reads whenever stored records change, so the server's
//! number or copy replaces the provisional one in place. Below it, the invoice's payments and a form to
//! record one ([`super::invoice_payments`]).

use leptos::prelude::*;
use remit_core::document::compute;
use remit_core::document::issued::Invoice;
use remit_core::ids::InvoiceId;

use crate::components::money::amount_text;
use crate::routes::invoice_payments::InvoicePayments;
use crate::state::use_app;
use crate::store::issuing::IssuedInvoice;

#[component]
pub fn IssuedInvoiceView(id: InvoiceId) -> impl IntoView {
    let app = use_app();
    let issued = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move { store.issued_invoice(id).await }
    });
    move || match issued.get() {
        None => view! { <p class="muted">"Loading…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
        Some(Ok(None)) => {
            view! { <p class="error">"This invoice is not on this device."</p> }.into_any()
        }
        Some(Ok(Some(IssuedInvoice::Numbered {
            invoice,
            awaiting_sync,
        }))) => view! { <Numbered invoice=*invoice awaiting_sync /> }.into_any(),
        Some(Ok(Some(IssuedInvoice::AwaitingNumber(issue)))) => {
            // Totals as core computes them from the draft sent; the server freezes the same.
            let due = compute(&issue.draft).ok().map(|t| t.amount_due);
            view! {
                <section class="card">
                    <div class="toolbar">
                        <h1 data-testid="invoice-number">"Invoice — number pending"</h1>
                        <span class="flag" data-testid="awaiting-number">
                            "Sent for the next number — it arrives with the next sync"
                        </span>
                    </div>
                    <table class="totals">
                        <tbody>
                            <tr class="due">
                                <th>
                                    {format!("Amount due {}", issue.draft.currency.code())}
                                </th>
                                <td class="num" data-testid="total-due">
                                    {amount_text(due)}
                                </td>
                            </tr>
                        </tbody>
                    </table>
                    <a class="button secondary" href="/">
                        "Back"
                    </a>
                </section>
            }
            .into_any()
        }
    }
}

#[component]
fn Numbered(invoice: Invoice, awaiting_sync: bool) -> impl IntoView {
    let payments = invoice.clone();
    let snapshot = invoice.snapshot;
    let totals = snapshot.totals;
    let currency = snapshot.document.currency.code().to_owned();
    let due_date = snapshot.schedule.last().map(|p| p.due_date.to_string());
    let lines = snapshot
        .document
        .lines
        .iter()
        .zip(&totals.lines)
        .map(|(line, total)| {
            view! {
                <tr>
                    <td class="description">{line.name.clone()}</td>
                    <td class="num">{line.quantity.to_string()}</td>
                    <td class="num">{line.price.net.to_string()}</td>
                    <td>
                        {format!(
                            "{} {}",
                            line.vat.category,
                            line.vat.rate.map(|r| format!("{r} %")).unwrap_or_default(),
                        )}
                    </td>
                    <td class="num">{total.used.amount().to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let vat_rows = totals
        .vat
        .iter()
        .map(|v| {
            view! {
                <tr class="vat">
                    <th>
                        {format!(
                            "VAT {} {} of {}",
                            v.category,
                            v.rate.map(|r| format!("{r} %")).unwrap_or_default(),
                            v.taxable.amount(),
                        )}
                    </th>
                    <td class="num">{v.tax.amount().to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <div class="toolbar">
                <h1>"Invoice " <span data-testid="invoice-number">{snapshot.number.to_string()}</span></h1>
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
                                    {format!("Voided on {}: {}", v.on, v.reason)}
                                </span>
                            }
                        })}
                    <a class="button secondary" href="/">
                        "Back"
                    </a>
                </div>
            </div>
            <p class="muted">"Issued invoices never change; corrections are credit notes."</p>
            <div class="row">
                <p>
                    <strong>"Customer "</strong>
                    <span data-testid="invoice-customer">{snapshot.buyer.name}</span>
                </p>
                <p>
                    <strong>"Issue date "</strong>
                    {snapshot.issue_date.to_string()}
                </p>
                <p>
                    <strong>"Due date "</strong>
                    {due_date}
                </p>
                <p>
                    <strong>"Seller "</strong>
                    {snapshot.seller.name}
                </p>
            </div>
            <table class="lines">
                <thead>
                    <tr>
                        <th class="description">"Description"</th>
                        <th class="num">"Quantity"</th>
                        <th class="num">"Unit price"</th>
                        <th>"VAT"</th>
                        <th class="num">"Net"</th>
                    </tr>
                </thead>
                <tbody>{lines}</tbody>
            </table>
            <table class="totals">
                <tbody>
                    <tr>
                        <th>"Net total"</th>
                        <td class="num" data-testid="total-net">
                            {totals.line_net_total.amount().to_string()}
                        </td>
                    </tr>
                    {vat_rows}
                    <tr>
                        <th>"VAT total"</th>
                        <td class="num" data-testid="total-tax">
                            {totals.tax_total.amount().to_string()}
                        </td>
                    </tr>
                    <tr class="due">
                        <th>{format!("Amount due {currency}")}</th>
                        <td class="num" data-testid="total-due">
                            {totals.amount_due.amount().to_string()}
                        </td>
                    </tr>
                </tbody>
            </table>
            {(!snapshot.note.is_empty()).then(|| view! { <p class="note">{snapshot.note.clone()}</p> })}
        </section>
        <InvoicePayments invoice=payments />
    }
}
