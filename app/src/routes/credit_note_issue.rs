//! Credit notes on the invoice view: the invoice's credit notes, each linking to its screen, and the
//! form that issues one — crediting everything not yet credited, or chosen quantities of chosen lines.
//! Core decides: the form builds the `credit_note.issue` command, core checks it here against the
//! invoice and its earlier credit notes (never more of a line than is left, not in the closed period,
//! not on a voided invoice), and only then it is queued in the outbox. The server numbers credit notes,
//! so a new one shows as pending until synced.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use remit_core::decide::catalogue::current_settings;
use remit_core::decide::issuing::credit_note;
use remit_core::document::issue::{CreditScope, Snapshot};
use remit_core::document::issued::{CreditNote, Invoice, IssueCreditNote};
use remit_core::ids::CreditNoteId;
use remit_core::organisation::Organisation;
use remit_core::settings::Settings;
use remit_core::sync::{Command, MutationError};
use remit_core::validation::{Rule, ValidationError};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::calendar;
use crate::components::date::DateText;
use crate::components::field::{Field, in_words};
use crate::components::field_error::FieldError;
use crate::components::lines::{LeadColumn, LineView, LinesTable};
use crate::components::money::MoneyText;
use crate::state::use_app;
use crate::store::credit_notes::{IssuedCreditNote, issued_here};
use crate::store::{Store, StoreError, StoreResult};

/// An invoice's credit notes and what core makes of them on this device.
#[derive(Debug, Clone, Default)]
pub struct Credits {
    pub notes: Vec<IssuedCreditNote>,
    /// The organisation's settings (closed period, credit-note series) as core starts them; `None`
    /// when nobody is signed in.
    pub settings: Option<Settings>,
    /// The credit notes as core issues them here, pending ones included: what they already took.
    pub here: Vec<CreditNote>,
}

impl Credits {
    /// What is left to credit of each line of `invoice`, as core counts it.
    pub(crate) fn creditable(&self, invoice: &Invoice) -> Vec<Decimal> {
        let earlier: Vec<Snapshot> = self.here.iter().map(|n| n.snapshot.clone()).collect();
        invoice.snapshot.creditable(&earlier)
    }
}

/// The credit notes of `invoice` as stored, and as core issues them with the organisation's settings.
pub async fn load_credits(
    store: &Store,
    organisation: Option<Organisation>,
    invoice: &Invoice,
) -> StoreResult<Credits> {
    let organisation = organisation.ok_or(StoreError::SignedOut)?;
    let saved = store.settings().await?;
    let settings = current_settings(saved, organisation.id, &organisation.name);
    let notes = store.credit_notes_of(invoice.id).await?;
    let here = issued_here(invoice, &notes, &settings);
    Ok(Credits {
        notes,
        settings: Some(settings),
        here,
    })
}

/// The invoice's credit notes and the form that issues one.
#[component]
pub fn InvoiceCredits(invoice: Invoice, credits: Credits) -> impl IntoView {
    let invoice = StoredValue::new(invoice);
    let left = invoice.with_value(|i| credits.creditable(i));
    let rows = credits
        .notes
        .iter()
        .map(|note| credit_note_row(note, &credits.here))
        .collect::<Vec<_>>();
    let credits = StoredValue::new(credits);
    view! {
        <CreditNoteList rows />
        <IssueCreditNoteForm invoice credits left />
    }
}

#[component]
fn CreditNoteList(rows: Vec<AnyView>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="credit-notes-heading">
                <h2 id="credit-notes-heading">"Credit notes"</h2>
                <div class="table-scroll">
                    <table class="lines" data-testid="credit-notes">
                        <thead>
                            <tr>
                                <th scope="col">"Number"</th>
                                <th scope="col">"Issue date"</th>
                                <th scope="col" class="num">"Amount"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        }
    })
}

/// One credit note of the list: its number (or that it waits for one), date and amount as core made it.
fn credit_note_row(note: &IssuedCreditNote, here: &[CreditNote]) -> AnyView {
    let id = note.id();
    let href = format!("/credit-notes/{id}");
    let (number, date) = match note {
        IssuedCreditNote::Numbered(n) => (n.snapshot.number.to_string(), n.snapshot.issue_date),
        IssuedCreditNote::AwaitingNumber(i) => ("Number pending".to_owned(), i.issue_date),
    };
    let amount = here
        .iter()
        .find(|n| n.id == id)
        .map(|n| view! { <MoneyText money=n.snapshot.totals.amount_due /> });
    view! {
        <tr data-testid="credit-note-row">
            <td>
                <a href=href data-testid="credit-note-link">
                    {number}
                </a>
            </td>
            <td>
                <DateText date />
            </td>
            <td class="num" data-testid="credit-note-amount">
                {amount}
            </td>
        </tr>
    }
    .into_any()
}

/// One invoice line in the form: whether it is credited, and how much of it.
#[derive(Clone, Copy)]
struct LinePick {
    chosen: RwSignal<bool>,
    quantity: RwSignal<String>,
}

/// The form as typed.
#[derive(Clone, Copy)]
pub struct CreditForm {
    whole: RwSignal<bool>,
    lines: StoredValue<Vec<LinePick>>,
    issue_date: RwSignal<String>,
    note: RwSignal<String>,
}

impl CreditForm {
    /// Each line's quantity starts as what is left of it to credit.
    pub(crate) fn new(left: &[Decimal], today: chrono::NaiveDate) -> Self {
        let pick = |left: &Decimal| LinePick {
            chosen: RwSignal::new(false),
            quantity: RwSignal::new(left.to_string()),
        };
        Self {
            whole: RwSignal::new(true),
            lines: StoredValue::new(left.iter().map(pick).collect()),
            issue_date: RwSignal::new(today.to_string()),
            note: RwSignal::new(String::new()),
        }
    }

    /// Only `lines` (numbered from 1, as a customer picks them), when there are any.
    pub(crate) fn picking(self, lines: &[u32]) -> Self {
        if !lines.is_empty() {
            self.whole.set(false);
            for (index, pick) in self.lines.get_value().into_iter().enumerate() {
                pick.chosen
                    .set(lines.iter().any(|&l| l as usize == index + 1));
            }
        }
        self
    }

    /// The chosen lines as core's scope, by index on the invoice.
    fn scope(&self) -> Result<CreditScope, ValidationError> {
        if self.whole.get_untracked() {
            return Ok(CreditScope::Full);
        }
        let mut chosen = Vec::new();
        for (index, pick) in self.lines.get_value().into_iter().enumerate() {
            if pick.chosen.get_untracked() {
                let quantity = pick.quantity.get_untracked().trim().parse().map_err(|_| {
                    ValidationError::new(format!("lines[{index}].quantity"), Rule::Decimal)
                })?;
                chosen.push((index, quantity));
            }
        }
        Ok(CreditScope::Lines(chosen))
    }

    /// Reads the form into the `credit_note.issue` command for `invoice`, checked by core.
    pub(crate) fn read(&self, invoice: &Invoice) -> Result<IssueCreditNote, ValidationError> {
        let request = IssueCreditNote {
            credit_note_id: CreditNoteId::try_from(Uuid::now_v7())?,
            organisation_id: invoice.organisation_id,
            invoice_id: invoice.id,
            issue_date: self
                .issue_date
                .get_untracked()
                .trim()
                .parse()
                .map_err(|_| ValidationError::new("issue_date", Rule::Date))?,
            scope: self.scope()?,
            note: self.note.get_untracked(),
        };
        request.validate()?;
        Ok(request)
    }
}

#[component]
fn IssueCreditNoteForm(
    invoice: StoredValue<Invoice>,
    credits: StoredValue<Credits>,
    left: Vec<Decimal>,
) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let time_zone = app
        .session
        .with_untracked(|s| {
            s.as_ref()
                .map(|s| s.organisation.time_zone.as_str().to_owned())
        })
        .unwrap_or_default();
    let form = CreditForm::new(&left, calendar::today_in(&time_zone));
    let invalid = RwSignal::new(None::<ValidationError>);
    let refused = RwSignal::new(None::<String>);
    let issue = Action::new_local(move |request: &IssueCreditNote| {
        let request = request.clone();
        let navigate = navigate.clone();
        async move {
            let id = request.credit_note_id;
            app.record(Command::IssueCreditNote(request)).await?;
            navigate(&format!("/credit-notes/{id}"), NavigateOptions::default());
            Ok::<(), StoreError>(())
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = match invoice.with_value(|i| form.read(i)) {
            Ok(request) => request,
            Err(e) => {
                invalid.set(Some(e));
                return;
            }
        };
        invalid.set(None);
        let decided = credits.with_value(|c| {
            let settings = c.settings.as_ref()?;
            invoice.with_value(|i| Some(credit_note(&request, i, &c.here, settings, None)))
        });
        match decided {
            Some(Ok(_)) => {
                refused.set(None);
                issue.dispatch_local(request);
            }
            Some(Err(e)) => refused.set(Some(refusal_in_words(&e, &request.scope))),
            None => refused.set(Some(StoreError::SignedOut.to_string())),
        }
    };
    let error = Signal::derive(move || {
        let local = invalid.with(|e| e.as_ref().map(in_words));
        let failed = match issue.value().get() {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        };
        local.or_else(|| refused.get()).or(failed)
    });
    view! {
        <section class="card" aria-label="Issue credit note">
            <details data-testid="credit-note-form">
                <summary>"Issue credit note"</summary>
                <form on:submit=submit>
                    <ScopeChoice form />
                    <CreditLines invoice form />
                    <div class="row">
                        <Field label="Issue date" field="issue_date" error=invalid>
                            <input name="credit.issue_date" type="date" bind:value=form.issue_date />
                        </Field>
                        <Field label="Note" field="note" error=invalid>
                            <input name="credit.note" bind:value=form.note />
                        </Field>
                    </div>
                    <FieldError error />
                    <div class="actions">
                        <button
                            type="submit"
                            data-testid="issue-credit-note"
                            disabled=move || issue.pending().get()
                        >
                            "Issue credit note"
                        </button>
                    </div>
                </form>
            </details>
        </section>
    }
}

/// Core's refusal as the form shows it. Core names an entry of the scope (`scope.lines[1].quantity`:
/// the second line chosen); the form names the invoice line it is (`Line 3: quantity …`).
pub(crate) fn refusal_in_words(refused: &MutationError, scope: &CreditScope) -> String {
    let field = refused.field.as_deref().unwrap_or_default();
    let entry = field
        .strip_prefix("scope.lines[")
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(n, rest)| Some((n.parse::<usize>().ok()?, rest)));
    let line = match (entry, scope) {
        (Some((n, rest)), CreditScope::Lines(chosen)) => {
            chosen.get(n).map(|&(index, _)| (index, rest))
        }
        _ => None,
    };
    let rule = refused
        .message
        .strip_prefix(field)
        .unwrap_or(&refused.message);
    match line {
        Some((index, rest)) => format!(
            "Line {}: {}{rule}",
            index + 1,
            rest.trim_start_matches('.').replace('_', " ")
        ),
        None => refused.message.clone(),
    }
}

/// Everything not yet credited, or chosen lines.
#[component]
pub fn ScopeChoice(form: CreditForm) -> impl IntoView {
    view! {
        <fieldset class="choice">
            <legend>"Credit"</legend>
            <label class="check">
                <input
                    type="radio"
                    name="credit.scope"
                    data-testid="credit-whole"
                    prop:checked=move || form.whole.get()
                    on:change=move |_| form.whole.set(true)
                />
                "The whole invoice (what is not yet credited)"
            </label>
            <label class="check">
                <input
                    type="radio"
                    name="credit.scope"
                    data-testid="credit-chosen-lines"
                    prop:checked=move || !form.whole.get()
                    on:change=move |_| form.whole.set(false)
                />
                "Chosen lines"
            </label>
        </fieldset>
    }
}

/// The invoice's lines, each with a tick and the quantity to credit, while crediting chosen lines.
#[component]
pub fn CreditLines(invoice: StoredValue<Invoice>, form: CreditForm) -> impl IntoView {
    let lines = invoice.with_value(|i| {
        let snapshot = &i.snapshot;
        snapshot
            .document
            .lines
            .iter()
            .zip(&snapshot.totals.lines)
            .map(|(line, total)| LineView::of_issued(line, total))
            .collect::<Vec<_>>()
    });
    let picks = form.lines.get_value();
    let lead = LeadColumn {
        header: "Credit",
        cell: std::sync::Arc::new(move |index| {
            let Some(pick) = picks.get(index).copied() else {
                return ().into_any();
            };
            view! {
                <td class="pick">
                    <input
                        type="checkbox"
                        aria-label=format!("Credit line {}", index + 1)
                        data-testid=format!("credit-line-{index}")
                        bind:checked=pick.chosen
                    />
                    <input
                        class="quantity"
                        inputmode="decimal"
                        aria-label=format!("Quantity to credit, line {}", index + 1)
                        data-testid=format!("credit-quantity-{index}")
                        bind:value=pick.quantity
                    />
                </td>
            }
            .into_any()
        }),
    };
    move || {
        (!form.whole.get())
            .then(|| view! { <LinesTable lines=lines.clone() lead=Some(lead.clone()) /> })
    }
}

#[cfg(test)]
mod tests {
    use remit_core::validation::Rule;
    use rust_decimal::Decimal;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn a_refused_quantity_names_the_invoice_line_not_the_entry_of_the_scope() {
        let scope = CreditScope::Lines(vec![(0, Decimal::ONE), (2, Decimal::TWO)]);
        let too_much = MutationError::invalid(ValidationError::new(
            "scope.lines[1].quantity",
            Rule::Range {
                min: "0".into(),
                max: "1".into(),
            },
        ));
        assert_eq!(
            refusal_in_words(&too_much, &scope),
            format!(
                "Line 3: quantity {}",
                Rule::Range {
                    min: "0".into(),
                    max: "1".into()
                }
            )
        );
        let locked = MutationError::invalid(ValidationError::new("issue_date", Rule::Date));
        assert_eq!(refusal_in_words(&locked, &scope), locked.message);
    }
}
