//! Questions and disputes from the portal: a customer with no account asks with a plain form, once
//! however often it is sent, only about what their link shows; the workspace receives the thread by
//! sync; the answers appear in the portal; a resolved thread takes no more messages from the customer.

use remit_core::receivables::dispute::Dispute;
use remit_core::receivables::thread::{Author, Thread, ThreadKind, ThreadMessage, ThreadState};
use remit_core::sync::{PatchOp, Record};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;
use crate::portal::{Books, open, text};

/// A customer's browser that does not follow redirects, so a test reads where a form sends it.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The form token of the first form on `page`.
fn form_token(page: &str) -> String {
    let at = page.find(r#"name="form" value=""#).expect("a form token") + 19;
    page[at..].split('"').next().unwrap().to_owned()
}

/// Posts a form; returns the status, the `Location` and the page.
async fn send(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let response = browser()
        .post(format!("{}{path}", app.address))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// The form page that asks about `invoice` (the account when `None`) through `url`, and its token.
async fn ask_form(app: &TestApp, url: &str, invoice: Option<&str>) -> (StatusCode, String) {
    let path = match invoice {
        Some(id) => format!("{url}/threads/new?invoice={id}"),
        None => format!("{url}/threads/new"),
    };
    let (status, _, body) = open(app, &path).await;
    (status, text(&body))
}

/// The subject and text of every mail queued for the customers' address, oldest first.
async fn answer_mails(books: &Books) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT subject, body_text FROM mail_queue WHERE to_address = 'ap@customer.example' \
         AND document_kind = 'portal_link' ORDER BY created_at_ms, id",
    )
    .fetch_all(books.app.store.pool())
    .await
    .unwrap()
}

/// Every record of the organisation as the owner's device pulls it.
async fn pulled(books: &Books) -> Vec<Record> {
    books
        .owner
        .pull(new_client(), None, Some(5000))
        .await
        .patch
        .into_iter()
        .filter_map(|op| match op {
            PatchOp::Put { record, .. } => Some(record),
            PatchOp::Del { .. } => None,
        })
        .collect()
}

fn threads(records: &[Record]) -> Vec<Thread> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Thread(t) => Some((**t).clone()),
            _ => None,
        })
        .collect()
}

fn messages(records: &[Record]) -> Vec<ThreadMessage> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::ThreadMessage(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

async fn a_dispute_sent_twice_from_the_portal_is_one_thread_the_workspace_receives(
    backend: Backend,
) {
    let books = Books::new(backend).await;
    let (_, url) = books.link(&books.nordlys, json!({})).await;
    let first = books.first.to_string();
    let (status, page) = ask_form(&books.app, &url, Some(&first)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Dispute this invoice") && page.contains(r#"name="line""#));
    let token = form_token(&page);
    let fields = [
        ("form", token.as_str()),
        ("invoice", first.as_str()),
        ("kind", "dispute"),
        ("reason", "wrong_amount"),
        ("line", "1"),
        ("message", "<b>Two hours</b>, not three."),
    ];
    let posted = format!("{url}/threads?lang=en");
    let (status, location, _) = send(&books.app, &posted, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with(&format!("{url}/threads/")),
        "{location}"
    );
    let (again, location_again, _) = send(&books.app, &posted, &fields).await;
    assert_eq!(
        (again, location_again.as_str()),
        (StatusCode::SEE_OTHER, location.as_str()),
        "the same form again is the same question"
    );

    let records = pulled(&books).await;
    let [thread] = threads(&records).try_into().expect("one thread");
    assert_eq!(
        (thread.kind, thread.state, thread.lines.as_slice()),
        (ThreadKind::Dispute, ThreadState::Waiting, &[1][..])
    );
    assert_eq!(thread.recorded_by, None, "asked in the portal");
    let [message] = messages(&records).try_into().expect("one message");
    assert_eq!(message.author, Author::Customer);
    assert_eq!(message.body, "<b>Two hours</b>, not three.");
    let disputes: Vec<&Dispute> = records
        .iter()
        .filter_map(|r| match r {
            Record::Dispute(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(disputes.len(), 1);
    assert!(disputes[0].is_open() && disputes[0].opened.invoice_id == books.first);

    let (status, _, body) = open(&books.app, &location).await;
    assert_eq!(status, StatusCode::OK);
    let shown = text(&body);
    assert!(
        shown.contains("&lt;b&gt;Two hours&lt;/b&gt;"),
        "escaped: {shown}"
    );
    assert!(!shown.contains("<b>Two hours"));
    assert!(
        shown.contains("Dispute of invoice INV-2026-000001")
            && shown.contains("Waiting for an answer")
    );
    let (_, _, statement) = open(&books.app, &url).await;
    let statement = text(&statement);
    assert!(statement.contains("Your questions") && statement.contains("disputed"));
}
on_both_backends!(a_dispute_sent_twice_from_the_portal_is_one_thread_the_workspace_receives => a_dispute_sent_twice_from_the_portal_is_one_thread_the_workspace_receives_sqlite, a_dispute_sent_twice_from_the_portal_is_one_thread_the_workspace_receives_postgres);

async fn a_forged_foreign_or_empty_form_changes_nothing(backend: Backend) {
    let books = Books::new(backend).await;
    let (_, nordlys) = books.link(&books.nordlys, json!({})).await;
    let (_, fjord) = books.link(&books.fjord, json!({})).await;
    let (_, only_first) = books
        .link(&books.nordlys, json!({"invoice_id": books.first}))
        .await;
    let first = books.first.to_string();
    let second = books.second.to_string();
    let fjords_token = form_token(&ask_form(&books.app, &fjord, None).await.1);
    let ask = |invoice: &'static str, token: String| {
        move |message: &'static str| {
            [
                ("form", token.clone()),
                ("invoice", invoice.to_owned()),
                ("kind", "inquiry".to_owned()),
                ("reason", "other".to_owned()),
                ("message", message.to_owned()),
            ]
        }
    };
    let as_fields = |f: &[(&'static str, String); 5]| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let post = |url: &str, fields: Vec<(&'static str, String)>| {
        let path = format!("{url}/threads");
        let app = &books.app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send(app, &path, &fields).await
        }
    };

    // Another link's token, or none at all: refused as forged.
    let (status, _, page) =
        post(&nordlys, as_fields(&ask("", fjords_token.clone())("Hello"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("the form has expired. Please send it again."),
        "{page}"
    );
    assert!(page.contains("Hello"), "what was typed is kept");
    let (status, _, _) = post(&nordlys, as_fields(&ask("", "x.y.z".into())("Hello"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An empty message names the field in the customer's words, with a fresh token to send again.
    let own = form_token(&ask_form(&books.app, &nordlys, None).await.1);
    let (status, _, page) = post(&nordlys, as_fields(&ask("", own.clone())("  "))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("write your message"), "{page}");
    assert_ne!(form_token(&page), own);

    // Another customer's invoice, or through an invoice link another invoice or the account: the 404
    // of a link that opens nothing.
    let fjords = books.fjords.to_string();
    let (status, _) = ask_form(&books.app, &nordlys, Some(&fjords)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let first_token = form_token(&ask_form(&books.app, &only_first, Some(&first)).await.1);
    for invoice in [second.as_str(), ""] {
        let mut fields = as_fields(&ask("", first_token.clone())("Hello"));
        fields[1].1 = invoice.to_owned();
        let (status, _, _) = post(&only_first, fields).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "invoice {invoice:?}");
    }
    let (status, _) = ask_form(&books.app, &only_first, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert!(
        threads(&pulled(&books).await).is_empty(),
        "nothing was asked"
    );
}
on_both_backends!(a_forged_foreign_or_empty_form_changes_nothing => a_forged_foreign_or_empty_form_changes_nothing_sqlite, a_forged_foreign_or_empty_form_changes_nothing_postgres);

async fn answers_appear_in_the_portal_until_the_thread_is_resolved(backend: Backend) {
    let books = Books::new(backend).await;
    let (_, url) = books.link(&books.nordlys, json!({})).await;
    let (_, second_only) = books
        .link(&books.nordlys, json!({"invoice_id": books.second}))
        .await;
    let first = books.first.to_string();
    let token = form_token(&ask_form(&books.app, &url, Some(&first)).await.1);
    let (_, location, _) = send(
        &books.app,
        &format!("{url}/threads"),
        &[
            ("form", token.as_str()),
            ("invoice", first.as_str()),
            ("kind", "inquiry"),
            ("reason", "other"),
            ("message", "Which purchase order is this?"),
        ],
    )
    .await;
    let [thread] = threads(&pulled(&books).await)
        .try_into()
        .expect("one thread");

    let device = new_client();
    let reply = reply_to_thread(1, books.org, thread.id, "PO 4711, as agreed.");
    assert_applied(&books.owner.push(device, vec![reply]).await);
    let (_, _, page) = open(&books.app, &location).await;
    let page = text(&page);
    assert!(
        page.contains("PO 4711, as agreed.") && page.contains("Answered"),
        "{page}"
    );
    // The customer is told by mail, with a fresh link to the invoice that shows the answer.
    let [(subject, body)] = answer_mails(&books).await.try_into().expect("one mail");
    assert_eq!(
        subject,
        "Your question about invoice INV-2026-000001: Acme GmbH answered"
    );
    assert!(
        body.contains("Acme GmbH has answered your question about invoice INV-2026-000001."),
        "{body}"
    );
    let fresh = body
        .split_whitespace()
        .find_map(|w| w.find("/p/").map(|at| w[at..].to_owned()))
        .expect("a link in the mail");
    assert_ne!(fresh, url);
    let (status, _, invoice_page) =
        open(&books.app, &format!("{fresh}/threads/{}", thread.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&invoice_page).contains("PO 4711, as agreed."));
    assert!(
        page.contains("Olivia Owner, Acme GmbH"),
        "who answered: {page}"
    );

    let token = form_token(&page);
    let thread_path = format!("{url}/threads/{}/messages", thread.id);
    let (status, _, _) = send(
        &books.app,
        &thread_path,
        &[("form", &token), ("body", "Thanks!")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let [waiting] = threads(&pulled(&books).await)
        .try_into()
        .expect("one thread");
    assert_eq!((waiting.state, waiting.messages), (ThreadState::Waiting, 3));

    let (status, _, _) = open(&books.app, &format!("{second_only}/threads/{}", thread.id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a link to another invoice");

    assert_applied(
        &books
            .owner
            .push(device, vec![reject_thread(2, books.org, thread.id)])
            .await,
    );
    let (_, _, page) = open(&books.app, &location).await;
    let page = text(&page);
    assert!(
        page.contains("the invoice stands") && page.contains("signed timesheet"),
        "{page}"
    );
    assert!(!page.contains(r#"name="form""#), "no form to write again");
    assert_eq!(
        answer_mails(&books).await.len(),
        2,
        "the resolution is mailed too"
    );
    let (status, _, page) = send(
        &books.app,
        &thread_path,
        &[("form", &token), ("body", "But…")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("this question is resolved"), "{page}");
    assert_eq!(messages(&pulled(&books).await).len(), 3);
}
on_both_backends!(answers_appear_in_the_portal_until_the_thread_is_resolved => answers_appear_in_the_portal_until_the_thread_is_resolved_sqlite, answers_appear_in_the_portal_until_the_thread_is_resolved_postgres);
