//! The customer's questions and disputes in the portal. Asking and writing again are the mutations
//! `thread.open` and `thread.reply`, pushed by the organisation's system client, so core decides them
//! exactly as it decides a billing user's, and the workspace's devices receive them by sync. The ids come
//! from the form's nonce and what it says: a form sent twice opens one thread. A page answers a problem with the form
//! again, what was typed kept, and the problem said in the customer's language.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use remit_core::document::issue::Snapshot;
use remit_core::ids::{InvoiceId, NaturalKey, ThreadId, ThreadMessageId};
use remit_core::receivables::thread::{
    OpenThread, ReplyToThread, Thread, ThreadKind, ThreadMessage, ThreadReason, in_order,
};
use remit_core::sync::{Command, EntityKind, MutationError, MutationStatus};
use remit_documents::Language;
use uuid::Uuid;

use super::address::ClientAddress;
use super::forms::{self, FormError, Submitted};
use super::links::Visit;
use super::pages::Page;
use super::thread_pages::{self, AskForm, Draft, ThreadView};
use super::{Choice, Html, PortalError, language, open, shown_invoice, with_localizer};
use crate::clock::zone;
use crate::documents::IssuedDocument;
use crate::http::AppState;
use crate::store::{StoreError, records};
use crate::sync::system::SystemClient;

/// What the form that asks is for; a reply form's purpose names its thread.
const ASK: &str = "ask";

fn reply_purpose(thread: ThreadId) -> String {
    format!("reply {thread}")
}

/// The threads the visit's link shows: all of the customer's, or those about the link's invoice.
pub(super) async fn shown_threads(
    state: &AppState,
    visit: &Visit,
    invoice: Option<InvoiceId>,
) -> Result<Vec<Thread>, PortalError> {
    let mut conn = state.store.read().await?;
    let mut threads: Vec<Thread> = records::list_records(
        &mut conn,
        visit.organisation.id,
        EntityKind::Thread,
        Some(visit.customer.id),
    )
    .await?;
    threads.retain(|t| visible(visit, t) && (invoice.is_none() || t.invoice_id == invoice));
    threads.sort_by_key(|t| std::cmp::Reverse((t.opened_at_ms, t.id)));
    Ok(threads)
}

fn visible(visit: &Visit, thread: &Thread) -> bool {
    thread.customer_id == visit.customer.id
        && (visit.link.shows_account() || thread.invoice_id == visit.link.invoice_id)
}

/// Why a sent form changed nothing.
enum Refusal {
    /// Its token is not this page's (forged), or too old (the page was left open for a day).
    Form(FormError),
    /// Core's rule refused it, naming the field.
    Rule(MutationError),
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::Form(FormError::Forged) => StatusCode::FORBIDDEN,
            Refusal::Form(FormError::Expired) | Refusal::Rule(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    }

    /// The problem in the customer's words: a form to send again, or the field core's rule names.
    fn text(&self, page: &Page) -> String {
        let error = match self {
            Refusal::Form(_) => return page.label("portal-error-form").unwrap_or_default(),
            Refusal::Rule(error) => error,
        };
        let field = error.field.as_deref().unwrap_or_default();
        let id = match field.split(['[', '.']).next().unwrap_or_default() {
            "message" | "body" => "portal-error-message",
            "kind" => "portal-error-kind",
            "reason" => "portal-error-reason",
            "lines" => "portal-error-lines",
            "invoice_id" => "portal-error-invoice",
            "thread_id" => "portal-error-resolved",
            _ => return error.message.clone(),
        };
        page.label(id).unwrap_or_else(|_| error.message.clone())
    }
}

/// Checks a sent form's token, logging a refusal where it is handled.
fn checked(token: &str, purpose: &str, form: &Submitted, now_ms: i64) -> Result<Uuid, Refusal> {
    forms::check(token, purpose, form.get("form"), now_ms).map_err(|e| {
        tracing::info!(error = %e, purpose, "a portal form was refused");
        Refusal::Form(e)
    })
}

/// Pushes `command` through the organisation's system client; a refusal names core's rule.
async fn push(
    state: &AppState,
    visit: &Visit,
    command: Command,
) -> Result<Result<(), Refusal>, PortalError> {
    let result = SystemClient::of(visit.organisation.id)
        .apply(&state.store, &state.clock, &command)
        .await?;
    Ok(match result.status {
        MutationStatus::Applied => Ok(()),
        _ => Err(Refusal::Rule(result.error.unwrap_or_else(|| {
            MutationError::forbidden("id", "it could not be recorded")
        }))),
    })
}

fn see_other(location: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn page<'a>(
    l10n: &'a remit_documents::Localizer,
    language: Language,
    visit: &'a Visit,
    token: &'a str,
) -> Page<'a> {
    Page {
        l10n,
        language,
        organisation: &visit.organisation.name,
        token,
    }
}

/// The invoice a form asks about, when it names one the link shows; `None` for the account (which only
/// a statement link shows).
async fn asked_about(
    state: &AppState,
    visit: &Visit,
    invoice: &str,
    (choice, headers): (&Choice, &HeaderMap),
) -> Result<Option<IssuedDocument>, PortalError> {
    if invoice.is_empty() {
        return if visit.link.shows_account() {
            Ok(None)
        } else {
            Err(PortalError::NotFound {
                language: language(choice, Some(visit), headers),
            })
        };
    }
    Ok(Some(
        shown_invoice(state, visit, invoice, (choice, headers)).await?,
    ))
}

/// Writes the page with the form that asks; `problem` and `draft` when sent back.
fn ask_page(
    visit: &Visit,
    language: Language,
    (token, form_token): (&str, &str),
    invoice: Option<(&str, &Snapshot)>,
    (draft, problem): (&Draft, Option<&str>),
) -> Result<Response, PortalError> {
    let page = with_localizer(language, |l10n| {
        thread_pages::ask(
            &page(l10n, language, visit, token),
            &AskForm {
                invoice,
                token: form_token,
                draft,
                problem,
            },
        )
    })?;
    Ok(Html(page.into_string()).into_response())
}

/// `GET /p/{token}/threads/new[?invoice=…]`
pub(super) async fn new_thread(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let invoice = choice.invoice.clone().unwrap_or_default();
    let document = asked_about(&state, &visit, &invoice, (&choice, &headers)).await?;
    let form_token = forms::issue(&token, ASK, Uuid::now_v7(), state.clock.now_ms());
    let language = language(&choice, Some(&visit), &headers);
    let shown = document.as_ref().map(|d| (invoice.as_str(), &d.snapshot));
    ask_page(
        &visit,
        language,
        (&token, &form_token),
        shown,
        (&Draft::default(), None),
    )
}

/// `POST /p/{token}/threads`: asks, and shows the new thread.
pub(super) async fn ask(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
    body: Bytes,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let form = Submitted::parse(&body);
    let invoice = form.get("invoice").to_owned();
    let document = asked_about(&state, &visit, &invoice, (&choice, &headers)).await?;
    let language = language(&choice, Some(&visit), &headers);
    let draft = Draft {
        kind: form.get("kind").to_owned(),
        reason: form.get("reason").to_owned(),
        lines: form.all("line").filter_map(|l| l.parse().ok()).collect(),
        message: form.get("message").to_owned(),
    };
    let now = state.clock.now_ms();
    let sent = match checked(&token, ASK, &form, now) {
        Ok(nonce) => match asked(&visit, &document, &draft, nonce, now) {
            Ok(command) => {
                let id = command.id;
                push(&state, &visit, Command::OpenThread(command))
                    .await?
                    .map(|()| id)
            }
            Err(e) => Err(Refusal::Rule(e)),
        },
        Err(refusal) => Err(refusal),
    };
    let refusal = match sent {
        Ok(id) => {
            let tag = language.tag();
            return Ok(see_other(format!("/p/{token}/threads/{id}?lang={tag}")));
        }
        Err(refusal) => refusal,
    };
    let fresh = forms::issue(&token, ASK, Uuid::now_v7(), now);
    let text = with_localizer(language, |l10n| {
        Ok(refusal.text(&page(l10n, language, &visit, &token)))
    })?;
    let shown = document.as_ref().map(|d| (invoice.as_str(), &d.snapshot));
    let mut response = ask_page(
        &visit,
        language,
        (&token, &fresh),
        shown,
        (&draft, Some(&text)),
    )?;
    *response.status_mut() = refusal.status();
    Ok(response)
}

/// The `thread.open` a sent form asks for, read and checked by core's rules.
fn asked(
    visit: &Visit,
    document: &Option<IssuedDocument>,
    draft: &Draft,
    nonce: Uuid,
    now_ms: i64,
) -> Result<OpenThread, MutationError> {
    let kind = ThreadKind::parse(&draft.kind).ok_or_else(|| {
        MutationError::invalid(remit_core::validation::ValidationError::new(
            "kind",
            remit_core::validation::Rule::Required,
        ))
    })?;
    let reason = ThreadReason::parse(&draft.reason).ok_or_else(|| {
        MutationError::invalid(remit_core::validation::ValidationError::new(
            "reason",
            remit_core::validation::Rule::Required,
        ))
    })?;
    // The form's nonce and what it says: sent twice it is the same question; changed and sent again
    // from the same page (the browser's back button), another.
    let lines: Vec<String> = draft.lines.iter().map(u32::to_string).collect();
    let key = |namespace: &str| {
        NaturalKey::new(namespace)
            .ordered_after(nonce)
            .part(kind.name())
            .part(reason.name())
            .part(lines.join(","))
            .part(&draft.message)
    };
    let open = OpenThread {
        id: ThreadId::derived(&key("portal thread")),
        organisation_id: visit.organisation.id,
        customer_id: visit.customer.id,
        invoice_id: document
            .as_ref()
            .map(|d| InvoiceId::try_from(d.id))
            .transpose()
            .map_err(|_| MutationError::forbidden("invoice_id", "an invoice of the customer"))?,
        kind,
        reason,
        lines: draft.lines.clone(),
        message_id: ThreadMessageId::derived(&key("portal message")),
        message: draft.message.clone(),
        opened_on: visit.today,
        written_at_ms: now_ms,
    };
    open.validate().map_err(MutationError::invalid)?;
    Ok(open)
}

/// The thread `id` when the visit's link shows it, with its messages in order.
async fn shown_thread(
    state: &AppState,
    visit: &Visit,
    id: &str,
    (choice, headers): (&Choice, &HeaderMap),
) -> Result<(Thread, Vec<ThreadMessage>), PortalError> {
    let not_found = || PortalError::NotFound {
        language: language(choice, Some(visit), headers),
    };
    let id = ThreadId::parse(id).map_err(|_| not_found())?;
    let mut conn = state.store.read().await?;
    let organisation = visit.organisation.id;
    let thread =
        records::find_record::<Thread>(&mut conn, organisation, EntityKind::Thread, id.as_uuid())
            .await?
            .map(|stored| stored.record)
            .filter(|t| visible(visit, t))
            .ok_or_else(not_found)?;
    let mut messages: Vec<ThreadMessage> = records::list_records(
        &mut conn,
        organisation,
        EntityKind::ThreadMessage,
        Some(visit.customer.id),
    )
    .await?;
    messages.retain(|m| m.thread_id == thread.id);
    in_order(&mut messages);
    Ok((thread, messages))
}

/// Writes the thread's page, with the reply form holding `typed` and `problem`.
async fn thread_page(
    state: &AppState,
    visit: &Visit,
    (token, language): (&str, Language),
    (thread, messages): (&Thread, &[ThreadMessage]),
    (typed, problem): (&str, Option<&str>),
) -> Result<Response, PortalError> {
    let invoice = match thread.invoice_id {
        Some(id) if !thread.lines.is_empty() => {
            let document = remit_core::mail::MailedDocument {
                kind: remit_core::mail::MailedKind::Invoice,
                id: id.as_uuid(),
            };
            IssuedDocument::find(&state.store, visit.organisation.id, document).await?
        }
        _ => None,
    };
    let lines = invoice
        .as_ref()
        .map(|doc| {
            thread
                .lines
                .iter()
                .filter_map(|&n| {
                    let line = doc
                        .snapshot
                        .document
                        .lines
                        .get((n as usize).checked_sub(1)?)?;
                    Some((n, line.name.as_str()))
                })
                .collect()
        })
        .unwrap_or_default();
    let zone = zone(&visit.organisation.time_zone)
        .map_err(|e| StoreError::corrupt("organisation", e.to_string()))?;
    let form_token = forms::issue(
        token,
        &reply_purpose(thread.id),
        Uuid::now_v7(),
        state.clock.now_ms(),
    );
    let view = ThreadView {
        thread,
        messages,
        lines,
        zone,
        reply: (&form_token, typed, problem),
    };
    let page = with_localizer(language, |l10n| {
        thread_pages::thread(&page(l10n, language, visit, token), &view)
    })?;
    Ok(Html(page.into_string()).into_response())
}

/// `GET /p/{token}/threads/{id}`
pub(super) async fn show(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path((token, id)): Path<(String, String)>,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let (thread, messages) = shown_thread(&state, &visit, &id, (&choice, &headers)).await?;
    let language = language(&choice, Some(&visit), &headers);
    thread_page(
        &state,
        &visit,
        (&token, language),
        (&thread, &messages),
        ("", None),
    )
    .await
}

/// `POST /p/{token}/threads/{id}/messages`: the customer writes again.
pub(super) async fn write_again(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path((token, id)): Path<(String, String)>,
    Query(choice): Query<Choice>,
    body: Bytes,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let (thread, messages) = shown_thread(&state, &visit, &id, (&choice, &headers)).await?;
    let language = language(&choice, Some(&visit), &headers);
    let form = Submitted::parse(&body);
    let typed = form.get("body");
    let now = state.clock.now_ms();
    let sent = match checked(&token, &reply_purpose(thread.id), &form, now) {
        Ok(nonce) => {
            let reply = ReplyToThread {
                id: ThreadMessageId::derived(
                    &NaturalKey::new("portal reply")
                        .ordered_after(nonce)
                        .part(typed),
                ),
                organisation_id: visit.organisation.id,
                thread_id: thread.id,
                body: typed.to_owned(),
                written_at_ms: now,
            };
            match reply.validate() {
                Ok(()) => push(&state, &visit, Command::ReplyToThread(reply)).await?,
                Err(e) => Err(Refusal::Rule(MutationError::invalid(e))),
            }
        }
        Err(refusal) => Err(refusal),
    };
    let refusal = match sent {
        Ok(()) => {
            let tag = language.tag();
            return Ok(see_other(format!(
                "/p/{token}/threads/{}?lang={tag}",
                thread.id
            )));
        }
        Err(refusal) => refusal,
    };
    let text = with_localizer(language, |l10n| {
        Ok(refusal.text(&page(l10n, language, &visit, &token)))
    })?;
    let mut response = thread_page(
        &state,
        &visit,
        (&token, language),
        (&thread, &messages),
        (typed, Some(&text)),
    )
    .await?;
    *response.status_mut() = refusal.status();
    Ok(response)
}
