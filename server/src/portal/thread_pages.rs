//! The portal's questions and disputes as HTML: the list on the statement and invoice pages, the form
//! that asks, and one thread with its messages and the form to write again. Forms are plain POSTs with
//! the page's form token ([`super::forms`]); every value the customer typed is escaped by maud.

use chrono_tz::Tz;
use maud::{Markup, html};
use remit_core::document::issue::Snapshot;
use remit_core::receivables::thread::{
    Author, MAX_MESSAGE, Thread, ThreadKind, ThreadMessage, ThreadOutcome, ThreadReason,
    ThreadState,
};
use remit_documents::{Arg, RenderError};

use super::pages::Page;
use crate::clock::instant;

/// What the customer typed into the form that asks, to show again with a problem.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub kind: String,
    pub reason: String,
    pub lines: Vec<u32>,
    pub message: String,
}

/// The form that asks, about one invoice or the account.
pub struct AskForm<'a> {
    /// The invoice asked about: its id and snapshot.
    pub invoice: Option<(&'a str, &'a Snapshot)>,
    pub token: &'a str,
    pub draft: &'a Draft,
    /// What is wrong with what was sent, in the customer's words.
    pub problem: Option<&'a str>,
}

/// One thread, its messages in order, and the form to write again (while it is not resolved).
pub struct ThreadView<'a> {
    pub thread: &'a Thread,
    pub messages: &'a [ThreadMessage],
    /// The invoice's lines the thread names, by description.
    pub lines: Vec<(u32, &'a str)>,
    pub zone: Tz,
    /// The form's token, what the customer typed, and what is wrong with it.
    pub reply: (&'a str, &'a str, Option<&'a str>),
}

/// The thread's title: what it is about.
fn title(page: &Page, thread: &Thread) -> Result<String, RenderError> {
    match (&thread.invoice_number, thread.kind) {
        (None, _) => page.label("portal-thread-account"),
        (Some(number), kind) => {
            let id = match kind {
                ThreadKind::Inquiry => "portal-thread-inquiry",
                ThreadKind::Dispute => "portal-thread-dispute",
            };
            page.text(id, &[("number", Arg::Text(number))])
        }
    }
}

fn state(page: &Page, state: ThreadState) -> Result<String, RenderError> {
    page.label(&format!("portal-state-{}", state.name()))
}

/// The customer's threads, newest first, each linking to its page; nothing when there are none.
pub fn list(page: &Page, heading: &str, threads: &[Thread]) -> Result<Markup, RenderError> {
    if threads.is_empty() {
        return Ok(html! {});
    }
    let mut rows = Vec::new();
    for thread in threads {
        rows.push(html! {
            tr {
                th scope="row" { a href=(page.href(&format!("/threads/{}", thread.id))) { (title(page, thread)?) } }
                td { (page.l10n.date(thread.opened_on)?) }
                td { (state(page, thread.state)?) }
            }
        });
    }
    Ok(html! {
        h2 { (page.label(heading)?) }
        table.threads {
            thead { tr {
                th scope="col" { (page.label("portal-column-question")?) }
                th scope="col" { (page.label("portal-column-asked")?) }
                th scope="col" { (page.label("portal-column-state")?) }
            } }
            tbody { @for row in rows { (row) } }
        }
    })
}

/// The link to the form that asks.
pub fn ask_link(page: &Page, invoice: Option<&str>) -> Result<Markup, RenderError> {
    Ok(match invoice {
        Some(id) => html! {
            p.ask { a href=(format!("{}&invoice={id}", page.href("/threads/new"))) { (page.label("portal-ask-invoice")?) } }
        },
        None => html! {
            p.ask { a href=(page.href("/threads/new")) { (page.label("portal-ask-account")?) } }
        },
    })
}

fn problem(page: &Page, problem: Option<&str>) -> Result<Markup, RenderError> {
    Ok(match problem {
        Some(problem) => {
            let text = page.text("portal-error", &[("problem", Arg::Text(problem))])?;
            html! { p.error #problem role="alert" { (text) } }
        }
        None => html! {},
    })
}

/// The page with the form that asks.
pub fn ask(page: &Page, form: &AskForm) -> Result<Markup, RenderError> {
    let organisation = Arg::Text(page.organisation);
    let title = match form.invoice {
        Some((_, snapshot)) => {
            let number = snapshot.number.to_string();
            page.text(
                "portal-ask-title-invoice",
                &[
                    ("organisation", organisation),
                    ("number", Arg::Text(&number)),
                ],
            )?
        }
        None => page.text(
            "portal-ask-title-account",
            &[("organisation", organisation)],
        )?,
    };
    let described = form.problem.map(|_| "problem");
    let body = html! {
        p { a href=(page.href("")) { (page.label("portal-back")?) } }
        h1 { (title) }
        (problem(page, form.problem)?)
        form.ask method="post" action=(page.href("/threads")) {
            input type="hidden" name="form" value=(form.token);
            @if let Some((id, snapshot)) = form.invoice {
                input type="hidden" name="invoice" value=(id);
                (kind_choice(page, &form.draft.kind)?)
                (reason_choice(page, &form.draft.reason)?)
                (line_choice(page, snapshot, &form.draft.lines)?)
            } @else {
                input type="hidden" name="kind" value=(ThreadKind::Inquiry.name());
                input type="hidden" name="reason" value=(ThreadReason::Other.name());
            }
            label for="message" { (page.label("portal-message")?) }
            textarea #message name="message" rows="6" maxlength=(MAX_MESSAGE) required aria-describedby=[described] { (form.draft.message) }
            button type="submit" { (page.label("portal-send")?) }
        }
    };
    page.layout(&title, "/threads/new", body)
}

fn kind_choice(page: &Page, chosen: &str) -> Result<Markup, RenderError> {
    let chosen = ThreadKind::parse(chosen).unwrap_or(ThreadKind::Inquiry);
    let mut options = Vec::new();
    for kind in ThreadKind::ALL {
        let id = format!("kind-{}", kind.name());
        options.push(html! {
            div.choice {
                input type="radio" id=(id) name="kind" value=(kind.name()) checked[kind == chosen];
                label for=(id) { (page.label(&format!("portal-kind-{}", kind.name()))?) }
            }
        });
    }
    Ok(html! {
        fieldset {
            legend { (page.label("portal-kind")?) }
            @for option in options { (option) }
        }
    })
}

fn reason_choice(page: &Page, chosen: &str) -> Result<Markup, RenderError> {
    let mut options = Vec::new();
    for reason in ThreadReason::ALL {
        let label = page.label(&format!("portal-reason-{}", reason.name()))?;
        options.push(
            html! { option value=(reason.name()) selected[reason.name() == chosen] { (label) } },
        );
    }
    Ok(html! {
        label for="reason" { (page.label("portal-reason")?) }
        select #reason name="reason" { @for option in options { (option) } }
    })
}

fn line_choice(page: &Page, snapshot: &Snapshot, chosen: &[u32]) -> Result<Markup, RenderError> {
    let mut boxes = Vec::new();
    for (n, line) in (1u32..).zip(&snapshot.document.lines) {
        let id = format!("line-{n}");
        boxes.push(html! {
            div.choice {
                input type="checkbox" id=(id) name="line" value=(n) checked[chosen.contains(&n)];
                label for=(id) { (line.name) }
            }
        });
    }
    Ok(html! {
        fieldset {
            legend { (page.label("portal-lines")?) }
            @for b in boxes { (b) }
        }
    })
}

/// One thread: what was asked, the messages, how it ended, and the form to write again.
pub fn thread(page: &Page, view: &ThreadView) -> Result<Markup, RenderError> {
    let thread = view.thread;
    let title = title(page, thread)?;
    let opened = page.l10n.date(thread.opened_on)?;
    let reason = page.label(&format!("portal-reason-{}", thread.reason.name()))?;
    let mut messages = Vec::new();
    for message in view.messages {
        messages.push(message_block(page, message, view.zone)?);
    }
    let here = format!("/threads/{}", thread.id);
    let body = html! {
        p { a href=(page.href("")) { (page.label("portal-back")?) } }
        h1 { (title) }
        dl.facts {
            dt { (page.label("portal-reason")?) } dd { (reason) }
            dt { (page.label("portal-column-asked")?) } dd { (opened) }
            dt { (page.label("portal-column-state")?) } dd { (state(page, thread.state)?) }
            @if !view.lines.is_empty() {
                dt { (page.label("portal-thread-lines")?) }
                dd { ul.lines { @for (n, name) in &view.lines { li { (n) ". " (name) } } } }
            }
            @if let Some(id) = thread.invoice_id {
                dt { (page.label("portal-column-number")?) }
                dd { a href=(page.href(&format!("/invoices/{id}"))) { (thread.invoice_number.as_deref().unwrap_or_default()) } }
            }
        }
        ol.messages { @for m in messages { (m) } }
        (problem(page, view.reply.2)?)
        (ending(page, thread, &here, &view.reply)?)
    };
    page.layout(&title, &here, body)
}

fn message_block(page: &Page, message: &ThreadMessage, zone: Tz) -> Result<Markup, RenderError> {
    let day = instant(message.written_at_ms)
        .with_timezone(&zone)
        .date_naive();
    let (class, who) = match &message.author {
        Author::Customer => ("message customer", page.label("portal-from-you")?),
        Author::User { name, .. } => ("message user", format!("{name}, {}", page.organisation)),
    };
    Ok(html! {
        li class=(class) {
            p.meta { strong { (who) } " · " (page.l10n.date(day)?) }
            p.body { (message.body) }
        }
    })
}

/// How the thread ended, or the form to write again.
fn ending(
    page: &Page,
    thread: &Thread,
    here: &str,
    (token, typed, problem_text): &(&str, &str, Option<&str>),
) -> Result<Markup, RenderError> {
    if let Some(resolution) = &thread.resolution {
        let date = page.l10n.date(resolution.resolved_on)?;
        let number = resolution.credit_note_number.clone().unwrap_or_default();
        let id = match resolution.outcome {
            ThreadOutcome::Answered => "portal-resolved-answered",
            ThreadOutcome::Credited => "portal-resolved-credited",
            ThreadOutcome::Rejected => "portal-resolved-rejected",
            ThreadOutcome::Withdrawn => "portal-resolved-withdrawn",
        };
        let text = page.text(
            id,
            &[("date", Arg::Text(&date)), ("number", Arg::Text(&number))],
        )?;
        return Ok(html! {
            section.resolution {
                p { strong { (text) } }
                @if !resolution.note.is_empty() { p.body { (resolution.note) } }
                p { (page.label("portal-resolved-ask-again")?) }
            }
        });
    }
    let described = problem_text.map(|_| "problem");
    Ok(html! {
        form.reply method="post" action=(page.href(&format!("{here}/messages"))) {
            input type="hidden" name="form" value=(token);
            label for="body" { (page.label("portal-reply")?) }
            textarea #body name="body" rows="5" maxlength=(MAX_MESSAGE) required aria-describedby=[described] { (typed) }
            button type="submit" { (page.label("portal-send")?) }
        }
    })
}
