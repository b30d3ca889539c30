//! The portal's pages as HTML, written with maud (every value escaped). No script and no inline style:
//! the Content-Security-Policy allows neither. Every amount and date comes formatted by the documents'
//! [`Localizer`] in the customer's language, from figures core computed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, html};
use remit_core::document::issue::Snapshot;
use remit_core::portal::{CurrencyStatement, PortalStatement};
use remit_core::receivables::OpenItem;
use remit_documents::{Arg, Language, Localizer, RenderError};

use super::pay_pages;

/// Open invoices listed on one page of the statement; the balance and the aging count them all.
pub const OPEN_PER_PAGE: usize = 100;

/// What every page of one visit shares.
pub struct Page<'a> {
    pub l10n: &'a Localizer,
    pub language: Language,
    pub organisation: &'a str,
    pub token: &'a str,
}

impl Page<'_> {
    /// A portal address in the page's language.
    pub(super) fn href(&self, rest: &str) -> String {
        format!("/p/{}{rest}?lang={}", self.token, self.language.tag())
    }

    pub(super) fn text(&self, id: &str, args: &[(&str, Arg)]) -> Result<String, RenderError> {
        self.l10n.text(id, args)
    }

    pub(super) fn label(&self, id: &str) -> Result<String, RenderError> {
        self.l10n.label(id)
    }

    pub(super) fn layout(
        &self,
        title: &str,
        here: &str,
        body: Markup,
    ) -> Result<Markup, RenderError> {
        let switcher = self.language_switcher(here)?;
        let theme = format!("/p/{}/theme.css", self.token);
        Ok(layout(
            self.language,
            (title, Some(theme.as_str())),
            html! {
                header.top {
                    p.organisation { (self.organisation) }
                    (switcher)
                }
                main { (body) }
            },
        ))
    }

    fn language_switcher(&self, here: &str) -> Result<Markup, RenderError> {
        let names = [
            (Language::English, "English"),
            (Language::German, "Deutsch"),
            (Language::French, "Français"),
            (Language::NorwegianBokmal, "Norsk bokmål"),
        ];
        Ok(html! {
            form.language method="get" action=(format!("/p/{}{here}", self.token)) {
                label for="lang" { (self.label("portal-language")?) }
                select #lang name="lang" {
                    @for (language, name) in names {
                        option value=(language.tag()) selected[language == self.language] { (name) }
                    }
                }
                button type="submit" { (self.label("portal-change-language")?) }
            }
        })
    }
}

/// The whole document around a page's body.
pub(crate) fn layout(
    language: Language,
    (title, theme): (&str, Option<&str>),
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(language.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href="/p/portal.css";
                @if let Some(theme) = theme { link rel="stylesheet" href=(theme); }
            }
            body { (body) }
        }
    }
}

/// A page that says only what went wrong: the same for every token it is shown for.
pub fn message(l10n: &Localizer, language: Language, title_id: &str, body_id: &str) -> Markup {
    let title = l10n.label(title_id).unwrap_or_else(|_| title_id.to_owned());
    let body = l10n.label(body_id).unwrap_or_else(|_| body_id.to_owned());
    layout(
        language,
        (&title, None),
        html! {
            main.message {
                h1 { (title) }
                p { (body) }
            }
        },
    )
}

/// The statement: per currency the balance due, the open invoices (with a box each to pay them when
/// the organisation takes payments online: `pay`), credit, aging and payments.
pub fn statement(
    page: &Page,
    customer: &str,
    statement: &PortalStatement,
    (page_no, account, pay): (usize, bool, bool),
    questions: Markup,
) -> Result<Markup, RenderError> {
    let l = page.l10n;
    let date = l.date(statement.on)?;
    let heading = page.text(
        "portal-statement-for",
        &[
            ("customer", Arg::Text(customer)),
            ("date", Arg::Text(&date)),
        ],
    )?;
    let mut sections = Vec::new();
    for section in &statement.currencies {
        sections.push(currency_section(page, section, (page_no, pay))?);
    }
    let title = page.text(
        "portal-title",
        &[("organisation", Arg::Text(page.organisation))],
    )?;
    let period = if account {
        Some(period_form(page, statement)?)
    } else {
        None
    };
    page.layout(
        &title,
        "",
        html! {
            h1 { (heading) }
            @for section in sections { (section) }
            (questions)
            @if let Some(form) = period { (form) }
        },
    )
}

/// A statement PDF for a period: a form that needs no script (a GET with two dates).
fn period_form(page: &Page, statement: &PortalStatement) -> Result<Markup, RenderError> {
    let from = remit_core::portal::payments_since(statement.on);
    Ok(html! {
        h2 { (page.label("portal-statement-pdf")?) }
        form.period method="get" action=(format!("/p/{}/statement.pdf", page.token)) {
            input type="hidden" name="lang" value=(page.language.tag());
            label for="from" { (page.label("portal-from")?) }
            input #from type="date" name="from" value=(from.to_string());
            label for="to" { (page.label("portal-to")?) }
            input #to type="date" name="to" value=(statement.on.to_string());
            button type="submit" { (page.label("portal-download")?) }
        }
    })
}

fn currency_section(
    page: &Page,
    section: &CurrencyStatement,
    (page_no, pay): (usize, bool),
) -> Result<Markup, RenderError> {
    let l = page.l10n;
    let due = l.money(section.balance_due)?;
    Ok(html! {
        section.currency aria-label=(section.currency.code()) {
            p.balance {
                span.label { (page.label("portal-balance-due")?) }
                " "
                strong.amount { (due) }
            }
            @if section.open.is_empty() {
                p { (page.label("portal-nothing-due")?) }
            } @else if pay {
                (pay_pages::statement_form(page, section.currency, open_items(page, section, (page_no, pay))?)?)
            } @else {
                (open_items(page, section, (page_no, pay))?)
            }
            @if !section.unapplied.is_zero() {
                p.credit { (page.label("portal-credit")?) ": " (l.money(section.unapplied)?) }
            }
            (aging(page, section)?)
            (payments(page, section)?)
        }
    })
}

/// Page `page_no` (from 1) of the open invoices, each with a box that ticks it to `pay`.
fn open_items(
    page: &Page,
    section: &CurrencyStatement,
    (page_no, pay): (usize, bool),
) -> Result<Markup, RenderError> {
    let l = page.l10n;
    let [number, issued, due, overdue, open_amount] = [
        "portal-column-number",
        "portal-column-issued",
        "portal-column-due",
        "portal-column-overdue",
        "portal-column-open",
    ]
    .map(|id| page.label(id));
    let (number, issued, due, overdue, open_amount) =
        (number?, issued?, due?, overdue?, open_amount?);
    let pages = section.open.len().div_ceil(OPEN_PER_PAGE).max(1);
    let page_no = page_no.clamp(1, pages);
    let mut rows = Vec::new();
    let mut days = Days::new(l);
    let pay_label = page.label("pay-column-pay")?;
    let shown = section.open.iter().skip((page_no - 1) * OPEN_PER_PAGE);
    for open in shown.take(OPEN_PER_PAGE) {
        let item = &open.item;
        let tick = if pay {
            Some(pay_pages::tick(page, item)?)
        } else {
            None
        };
        rows.push(html! {
            tr {
                // On a phone the box is a labelled value like the others.
                @if let Some(tick) = tick { td.tick data-label=(pay_label) { (tick) } }
                th scope="row" {
                    a href=(page.href(&format!("/invoices/{}", item.item.invoice_id))) { (item.number) }
                    @if item.disputed { " " span.flag { (page.label("portal-disputed")?) } }
                }
                td data-label=(issued) { (days.format(item.issue_date)?) }
                td data-label=(due) { (days.format(item.due_date)?) }
                td.num data-label=(overdue) { (l.quantity(open.days_overdue.into())?) }
                td.num data-label=(open_amount) { (l.money(item.open)?) }
            }
        });
    }
    // On a phone each invoice is a block of labelled values (the stylesheet reads `data-label`).
    Ok(html! {
        h2 { (page.label("portal-open-invoices")?) }
        table.items {
            thead { tr {
                @if pay { th scope="col" { (pay_label) } }
                th scope="col" { (number) }
                th scope="col" { (issued) }
                th scope="col" { (due) }
                th.num scope="col" { (overdue) }
                th.num scope="col" { (open_amount) }
            } }
            tbody { @for row in rows { (row) } }
        }
        @if pages > 1 { (pager(page, page_no, pages)?) }
    })
}

/// The days of one table, each formatted once: the invoices of a page share few issue and due dates,
/// and formatting one costs far more than looking it up.
struct Days<'a> {
    l10n: &'a Localizer,
    formatted: BTreeMap<NaiveDate, String>,
}

impl<'a> Days<'a> {
    fn new(l10n: &'a Localizer) -> Self {
        Self {
            l10n,
            formatted: BTreeMap::new(),
        }
    }

    fn format(&mut self, day: NaiveDate) -> Result<String, RenderError> {
        if let Some(text) = self.formatted.get(&day) {
            return Ok(text.clone());
        }
        let text = self.l10n.date(day)?;
        self.formatted.insert(day, text.clone());
        Ok(text)
    }
}

/// Links to the previous and next page of open invoices.
fn pager(page: &Page, page_no: usize, pages: usize) -> Result<Markup, RenderError> {
    let at = |n: usize| format!("{}&page={n}", page.href(""));
    let (here, all) = (page_no.to_string(), pages.to_string());
    let args = [("page", Arg::Text(&here)), ("pages", Arg::Text(&all))];
    let position = page.text("portal-page", &args)?;
    Ok(html! {
        nav.pager aria-label=(page.label("portal-pages")?) {
            @if page_no > 1 { a rel="prev" href=(at(page_no - 1)) { (page.label("portal-previous")?) } }
            span { (position) }
            @if page_no < pages { a rel="next" href=(at(page_no + 1)) { (page.label("portal-next")?) } }
        }
    })
}

fn aging(page: &Page, section: &CurrencyStatement) -> Result<Markup, RenderError> {
    let l = page.l10n;
    let mut rows = Vec::new();
    for bucket in &section.aging.buckets {
        let label = page.text("portal-bucket", &[("label", Arg::Text(&bucket.label))])?;
        rows.push(html! { tr { th scope="row" { (label) } td.num { (l.money(bucket.amount)?) } } });
    }
    Ok(html! {
        h2 { (page.label("portal-aging")?) }
        table.aging { tbody { @for row in rows { (row) } } }
    })
}

fn payments(page: &Page, section: &CurrencyStatement) -> Result<Markup, RenderError> {
    let l = page.l10n;
    let mut rows = Vec::new();
    let mut days = Days::new(l);
    for paid in &section.payments {
        rows.push(html! {
            tr {
                td { (days.format(paid.date)?) }
                td { (paid.reference) }
                td.num { (l.money(paid.amount)?) }
                td { a href=(page.href(&format!("/receipts/{}", paid.id))) download { (page.label("portal-receipt")?) } }
            }
        });
    }
    Ok(html! {
        h2 { (page.label("portal-payments")?) }
        @if rows.is_empty() {
            p { (page.label("portal-no-payments")?) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (page.label("portal-column-date")?) }
                    th scope="col" { (page.label("portal-column-reference")?) }
                    th.num scope="col" { (page.label("portal-column-amount")?) }
                    th scope="col" { (page.label("portal-downloads")?) }
                } }
                tbody { @for row in rows { (row) } }
            }
        }
    })
}

/// One invoice: its dates, lines, VAT breakdown, totals and downloads, the button that pays it (while
/// it is open and the organisation takes payments online), and the customer's questions about it.
pub fn invoice(
    page: &Page,
    id: &str,
    snapshot: &Snapshot,
    (pay, questions): (Option<&OpenItem>, Markup),
) -> Result<Markup, RenderError> {
    let l = page.l10n;
    let number = snapshot.number.to_string();
    let title = page.text("portal-invoice-title", &[("number", Arg::Text(&number))])?;
    let due = snapshot.schedule.iter().map(|s| s.due_date).max();
    let here = format!("/invoices/{id}");
    let body = html! {
        p { a href=(page.href("")) { (page.label("portal-back")?) } }
        h1 { (title) }
        dl.facts {
            dt { (page.label("issue-date")?) } dd { (l.date(snapshot.issue_date)?) }
            @if let Some(due) = due { dt { (page.label("due-date")?) } dd { (l.date(due)?) } }
            dt { (page.label("portal-amount-due")?) } dd { strong { (l.money(snapshot.totals.amount_due)?) } }
        }
        @if let Some(item) = pay { (pay_pages::pay_invoice(page, item)?) }
        (invoice_lines(page, snapshot)?)
        (vat_breakdown(page, snapshot)?)
        h2 { (page.label("portal-downloads")?) }
        ul.downloads {
            li { a href=(page.href(&format!("{here}/pdf"))) download { (page.label("portal-download-pdf")?) } }
            li { a href=(page.href(&format!("{here}/ubl"))) download { (page.label("portal-download-ubl")?) } }
            li { a href=(page.href(&format!("{here}/cii"))) download { (page.label("portal-download-cii")?) } }
        }
        (questions)
    };
    page.layout(&title, &here, body)
}

fn invoice_lines(page: &Page, snapshot: &Snapshot) -> Result<Markup, RenderError> {
    let l = page.l10n;
    let mut rows = Vec::new();
    for (line, total) in snapshot.document.lines.iter().zip(&snapshot.totals.lines) {
        let rate = match line.vat.rate {
            Some(rate) => l.percent(rate.percent())?,
            None => line.vat.category.code().to_owned(),
        };
        rows.push(html! {
            tr {
                th scope="row" { (line.name) }
                td.num { (l.quantity(line.quantity)?) }
                td.num { (l.price(line.price.net)?) }
                td.num { (rate) }
                td.num { (l.money(total.used)?) }
            }
        });
    }
    Ok(html! {
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { (page.label("column-description")?) }
                    th.num scope="col" { (page.label("column-quantity")?) }
                    th.num scope="col" { (page.label("column-unit-price")?) }
                    th.num scope="col" { (page.label("column-vat")?) }
                    th.num scope="col" { (page.label("column-net")?) }
                } }
                tbody { @for row in rows { (row) } }
            }
        }
    })
}

fn vat_breakdown(page: &Page, snapshot: &Snapshot) -> Result<Markup, RenderError> {
    let l = page.l10n;
    let totals = &snapshot.totals;
    let mut rows = Vec::new();
    for group in &totals.vat {
        let rate = match group.rate {
            Some(rate) => l.percent(rate.percent())?,
            None => String::new(),
        };
        rows.push(html! {
            tr {
                th scope="row" { (group.category.code()) " " (rate) }
                td.num { (l.money(group.taxable)?) }
                td.num { (l.money(group.tax)?) }
            }
        });
    }
    Ok(html! {
        h2 { (page.label("portal-vat-breakdown")?) }
        table.vat {
            thead { tr {
                th scope="col" { (page.label("column-category")?) }
                th.num scope="col" { (page.label("column-taxable")?) }
                th.num scope="col" { (page.label("column-tax")?) }
            } }
            tbody { @for row in rows { (row) } }
            tfoot {
                tr { th scope="row" { (page.label("portal-total")?) } td.num { (l.money(totals.tax_exclusive)?) } td.num { (l.money(totals.tax_total)?) } }
                tr { th scope="row" { (page.label("portal-amount-due")?) } td {} td.num { strong { (l.money(totals.amount_due)?) } } }
            }
        }
    })
}
