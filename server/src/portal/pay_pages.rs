//! Paying online as HTML: the form that chooses what to pay (on the statement, the invoice page and
//! the pay page), core's plan as a preview with the form that pays, and the pages a gateway returns
//! to. Plain forms, no script; every amount is core's, formatted by the [`Localizer`] in the
//! currency's minor units.

use axum::http::StatusCode;
use maud::{Markup, html};
use remit_core::gateway::{CheckoutPlan, CheckoutState, MAX_MINOR_UNITS, from_minor_units};
use remit_core::money::Currency;
use remit_core::portal::CurrencyStatement;
use remit_core::receivables::OpenItem;
use remit_core::receivables::allocation::Instruction;
use remit_core::validation::{Rule, ValidationError};
use remit_documents::{Arg, Language, Localizer, RenderError};

use super::forms::FormError;
use super::pages::{Page, layout};
use super::pay::{Found, Sent};

/// Why a choice or a form was refused.
pub enum Problem {
    /// Core refused the choice, naming `amount` or `invoices[i]`.
    Rule(ValidationError),
    /// The form's token is not this page's, or too old.
    Form(FormError),
}

/// Where a problem is shown: beside the field it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Invoices,
    Amount,
    Form,
}

impl Problem {
    pub fn status(&self) -> StatusCode {
        match self {
            Problem::Form(FormError::Forged) => StatusCode::FORBIDDEN,
            Problem::Form(FormError::Expired) | Problem::Rule(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    }

    fn field(&self) -> Field {
        match self {
            Problem::Form(_) => Field::Form,
            Problem::Rule(e) if e.field.starts_with("invoices") => Field::Invoices,
            Problem::Rule(_) => Field::Amount,
        }
    }

    /// The problem in the customer's words.
    fn text(&self, page: &Page, currency: Currency) -> Result<String, RenderError> {
        let error = match self {
            Problem::Form(_) => return page.label("pay-error-form"),
            Problem::Rule(error) => error,
        };
        if error.field.starts_with("invoices") {
            return page.label("pay-error-invoice");
        }
        match &error.rule {
            Rule::Required => page.label("pay-error-required"),
            Rule::Decimal => page.label("pay-error-decimal"),
            Rule::MinorUnits {
                currency,
                minor_units,
            } => {
                let decimals = minor_units.to_string();
                page.text(
                    "pay-error-minor-units",
                    &[
                        ("currency", Arg::Text(currency)),
                        ("decimals", Arg::Text(&decimals)),
                    ],
                )
            }
            Rule::Positive | Rule::NotNegative => page.label("pay-error-positive"),
            Rule::Range { .. } | Rule::Overflow => {
                let max = page
                    .l10n
                    .money(from_minor_units(MAX_MINOR_UNITS, currency))?;
                page.text("pay-error-too-large", &[("max", Arg::Text(&max))])
            }
            _ => Ok(error.to_string()),
        }
    }
}

/// The pay page's parts.
pub struct PayForm<'a> {
    /// What the customer owes in the form's currency (an invoice link's: its invoice).
    pub section: &'a CurrencyStatement,
    /// Every open item of the customer's, to name the preview's invoices.
    pub items: &'a [OpenItem],
    pub sent: &'a Sent,
    /// An invoice link pays its invoice: nothing to tick.
    pub invoice_link: bool,
    /// Core's plan and the token of the form that pays it.
    pub preview: Option<(&'a CheckoutPlan, &'a str)>,
    pub problem: Option<&'a Problem>,
}

/// The problem's paragraph, when it is about `field`.
fn problem_beside(
    page: &Page,
    form: &PayForm,
    field: Field,
    id: &str,
) -> Result<Option<Markup>, RenderError> {
    match form.problem {
        Some(problem) if problem.field() == field => {
            let text = problem.text(page, form.section.currency)?;
            let said = page.text("pay-error", &[("problem", Arg::Text(&text))])?;
            Ok(Some(html! { p.error id=(id) role="alert" { (said) } }))
        }
        _ => Ok(None),
    }
}

/// The pay page: the choice, the problem beside its field, and the preview with the form that pays.
pub fn pay(page: &Page, form: &PayForm) -> Result<Markup, RenderError> {
    let title = page.text(
        "pay-title",
        &[("organisation", Arg::Text(page.organisation))],
    )?;
    let currency = form.section.currency;
    let invoices_problem = problem_beside(page, form, Field::Invoices, "invoices-problem")?;
    let amount_problem = problem_beside(page, form, Field::Amount, "amount-problem")?;
    let form_problem = problem_beside(page, form, Field::Form, "form-problem")?;
    let described = match amount_problem {
        Some(_) => "amount-hint amount-problem",
        None => "amount-hint",
    };
    let l = page.l10n;
    let mut rows = Vec::new();
    for open in &form.section.open {
        let item = &open.item;
        let id = item.item.invoice_id.to_string();
        let ticked = form.invoice_link || form.sent.invoices.contains(&id);
        let label = page.text("pay-tick", &[("number", Arg::Text(&item.number))])?;
        rows.push(html! {
            tr {
                td {
                    @if !form.invoice_link {
                        input type="checkbox" id=(format!("pay-{id}-{}", item.item.instalment)) name="invoice" value=(id) checked[ticked] aria-label=(label);
                    }
                }
                th scope="row" { (item.number) }
                td { (l.date(item.due_date)?) }
                td.num { (l.money(item.open)?) }
            }
        });
    }
    let currency_heading =
        page.text("pay-currency", &[("currency", Arg::Text(currency.code()))])?;
    let preview = match form.preview {
        Some((plan, token)) => Some(preview(page, form, plan, token)?),
        None => None,
    };
    let body = html! {
        p { a href=(page.href("")) { (page.label("portal-back")?) } }
        h1 { (title) }
        form.pay method="get" action=(format!("/p/{}/pay", page.token)) {
            input type="hidden" name="lang" value=(page.language.tag());
            input type="hidden" name="currency" value=(currency.code());
            h2 { (currency_heading) }
            @if form.section.open.is_empty() {
                p { (page.text("pay-nothing-open", &[("currency", Arg::Text(currency.code()))])?) }
            } @else {
                @if !form.invoice_link { p { (page.label("pay-choose")?) } }
                table.pay-items aria-describedby=[invoices_problem.as_ref().map(|_| "invoices-problem")] {
                    thead { tr {
                        th scope="col" { (page.label("pay-column-pay")?) }
                        th scope="col" { (page.label("portal-column-number")?) }
                        th scope="col" { (page.label("portal-column-due")?) }
                        th.num scope="col" { (page.label("portal-column-open")?) }
                    } }
                    tbody { @for row in rows { (row) } }
                }
            }
            @if let Some(p) = invoices_problem { (p) }
            label for="amount" { (page.label("pay-amount")?) " (" (currency.code()) ")" }
            input #amount type="text" name="amount" inputmode="decimal" autocomplete="off" value=(form.sent.amount) aria-describedby=(described) aria-invalid=[amount_problem.as_ref().map(|_| "true")];
            p.hint #amount-hint { (page.label("pay-amount-hint")?) }
            @if let Some(p) = amount_problem { (p) }
            button type="submit" { (page.label("pay-review")?) }
        }
        @if let Some(p) = form_problem { (p) }
        @if let Some(preview) = preview { (preview) }
    };
    page.layout(&title, "/pay", body)
}

/// Core's plan: what each invoice gets, the discount taken, what becomes credit, the total; and the
/// form that pays it, carrying the same choice.
fn preview(
    page: &Page,
    form: &PayForm,
    plan: &CheckoutPlan,
    token: &str,
) -> Result<Markup, RenderError> {
    let l = page.l10n;
    // The discount column only when the plan takes one: a phone has no room for an empty column.
    let discounted = !plan.discount.is_zero();
    let mut rows = Vec::new();
    for line in &plan.allocation.lines {
        let number = form
            .items
            .iter()
            .find(|i| i.item == line.item)
            .map(|i| i.number.as_str())
            .unwrap_or_default();
        let discount = if discounted {
            Some(l.money(line.discount)?)
        } else {
            None
        };
        rows.push(html! {
            tr {
                th scope="row" { (number) }
                td.num { (l.money(line.amount)?) }
                @if let Some(discount) = discount { td.num { (discount) } }
            }
        });
    }
    let total = l.money(plan.amount)?;
    let pay_label = page.text("pay-submit", &[("amount", Arg::Text(&total))])?;
    Ok(html! {
        section.preview aria-labelledby="preview" {
            h2 #preview { (page.label("pay-preview")?) }
            @if plan.instruction == Instruction::OldestDueFirst { p { (page.label("pay-oldest-first")?) } }
            @if !rows.is_empty() {
                div.scroll {
                    table.allocation {
                        thead { tr {
                            th scope="col" { (page.label("pay-column-invoice")?) }
                            th.num scope="col" { (page.label("pay-column-applied")?) }
                            @if discounted { th.num scope="col" { (page.label("pay-column-discount")?) } }
                        } }
                        tbody { @for row in rows { (row) } }
                    }
                }
            }
            dl.facts.totals {
                @if !plan.discount.is_zero() {
                    dt { (page.label("pay-discount")?) } dd.discount { (l.money(plan.discount)?) }
                }
                @if !plan.allocation.unapplied.is_zero() {
                    dt { (page.label("pay-credit")?) } dd.credit { (l.money(plan.allocation.unapplied)?) }
                }
                dt { (page.label("pay-total")?) } dd.total { strong { (total) } }
            }
            form.pay-now method="post" action=(page.href("/pay")) {
                input type="hidden" name="form" value=(token);
                input type="hidden" name="currency" value=(plan.amount.currency().code());
                @for id in &form.sent.invoices { input type="hidden" name="invoice" value=(id); }
                input type="hidden" name="amount" value=(form.sent.amount);
                button type="submit" { (pay_label) }
            }
        }
    })
}

/// On the statement: the open invoices of one currency with a box each and an amount field, in a form
/// that reviews the payment. `table` is the statement's table of open invoices with the boxes in it.
pub fn statement_form(
    page: &Page,
    currency: Currency,
    table: Markup,
) -> Result<Markup, RenderError> {
    let amount = format!("amount-{}", currency.code());
    let hint = format!("amount-hint-{}", currency.code());
    Ok(html! {
        form.pay method="get" action=(format!("/p/{}/pay", page.token)) {
            input type="hidden" name="lang" value=(page.language.tag());
            input type="hidden" name="currency" value=(currency.code());
            (table)
            label for=(amount) { (page.label("pay-amount")?) " (" (currency.code()) ")" }
            input id=(amount) type="text" name="amount" inputmode="decimal" autocomplete="off" aria-describedby=(hint);
            p.hint id=(hint) { (page.label("pay-amount-hint")?) }
            button type="submit" { (page.label("pay-review")?) }
        }
    })
}

/// The box that ticks an open invoice on the statement.
pub fn tick(page: &Page, item: &OpenItem) -> Result<Markup, RenderError> {
    let label = page.text("pay-tick", &[("number", Arg::Text(&item.number))])?;
    let id = item.item.invoice_id;
    Ok(html! {
        input type="checkbox" id=(format!("pay-{id}-{}", item.item.instalment)) name="invoice" value=(id) aria-label=(label);
    })
}

/// On an invoice's page: the button that pays it.
pub fn pay_invoice(page: &Page, item: &OpenItem) -> Result<Markup, RenderError> {
    Ok(html! {
        form.pay-invoice method="get" action=(format!("/p/{}/pay", page.token)) {
            input type="hidden" name="lang" value=(page.language.tag());
            input type="hidden" name="currency" value=(item.open.currency().code());
            input type="hidden" name="invoice" value=(item.item.invoice_id);
            button type="submit" { (page.label("pay-this-invoice")?) }
        }
    })
}

/// Which return page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Done,
    Cancelled,
}

/// The page a gateway returns to: paid, processing, failed, or cancelled.
pub fn returned(
    l10n: &Localizer,
    language: Language,
    found: &Found,
    returned: Returned,
) -> Result<Markup, RenderError> {
    let checkout = &found.stored.checkout;
    let amount = l10n.money(checkout.amount)?;
    let (title, body) = match (returned, &checkout.state) {
        (Returned::Cancelled, _) => ("pay-cancelled-title", "pay-cancelled"),
        (Returned::Done, CheckoutState::Paid { .. }) => ("pay-done-title", "pay-done"),
        (Returned::Done, CheckoutState::Failed { .. }) => ("pay-failed-title", "pay-failed"),
        (Returned::Done, CheckoutState::Open | CheckoutState::Pending) => {
            ("pay-processing-title", "pay-processing")
        }
    };
    let title = l10n.label(title)?;
    let text = l10n.text(
        body,
        &[
            ("organisation", Arg::Text(&found.organisation)),
            ("amount", Arg::Text(&amount)),
        ],
    )?;
    Ok(layout(
        language,
        (&title, None),
        html! {
            header.top { p.organisation { (found.organisation) } }
            main.message {
                h1 { (title) }
                p.outcome { (text) }
            }
        },
    ))
}
