//! Sending issued documents by mail (`mail.send`): queued with the mutation that asks for it, exactly
//! once; sent by SMTP to a real SMTP server (Debian's aiosmtpd, `server/tests/smtp_server.py`, started
//! once per run), each test to a recipient of its own; what became of each mail synced as its record.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use remit_core::customer::{Customer, Language};
use remit_core::document::issued::VoidInvoice;
use remit_core::ids::{InvoiceId, MailId, OrganisationId};
use remit_core::mail::{Mail, MailStatus, MailedDocument, MailedKind, SendMail};
use remit_core::sync::{Command, Mutation, MutationStatus, Record};
use remit_server::application::Intervals;
use remit_server::mail::MailConfig;
use remit_server::mail::send::Sender;
use remit_server::store::Store;
use sqlx::Row;
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both_backends;

/// A real SMTP server: stores what it accepts as `<dir>/<recipient>/<n>.eml`, refuses recipients
/// whose local part starts with `refuse` with 550. It stops when dropped or when the test process
/// ends (its stdin closes).
struct SmtpServer {
    port: u16,
    dir: PathBuf,
    _process: Child,
    _stdin: ChildStdin,
}

impl SmtpServer {
    fn start(port: u16, dir: &Path) -> Self {
        Self::spawn(port, dir, &[])
    }

    fn spawn(port: u16, dir: &Path, flags: &[&str]) -> Self {
        let python =
            std::env::var("REMIT_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_server.py");
        let mut process = Process::new(&python)
            .arg(&script)
            .arg(port.to_string())
            .arg(dir)
            .args(flags)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run {python} (scripts/test installs python3-aiosmtpd): {e}")
            });
        let mut line = String::new();
        BufReader::new(process.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP server did not start: is Debian's python3-aiosmtpd installed (scripts/test does it)?"
        );
        let stdin = process.stdin.take().unwrap();
        Self {
            port,
            dir: dir.to_owned(),
            _process: process,
            _stdin: stdin,
        }
    }

    /// The run's server, started by the first test that needs it. A static is never dropped, so the
    /// server removes its folder itself when the test process ends.
    fn shared() -> &'static SmtpServer {
        static SHARED: OnceLock<SmtpServer> = OnceLock::new();
        SHARED.get_or_init(|| {
            let folder = std::env::temp_dir().join(format!(
                "remit-smtp-{}-{}",
                std::process::id(),
                Uuid::now_v7().simple()
            ));
            SmtpServer::spawn(free_port(), &folder, &["--remove-when-done"])
        })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message `recipient` received, oldest first, as received.
    fn messages(&self, recipient: &str) -> Vec<String> {
        let box_dir = self.dir.join(recipient.to_lowercase());
        let Ok(entries) = std::fs::read_dir(&box_dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// Waits (at most 20 s) until `recipient` has `count` messages; then them.
    async fn wait_for(&self, recipient: &str, count: usize) -> Vec<String> {
        for _ in 0..400 {
            let messages = self.messages(recipient);
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{recipient} did not receive {count} messages");
    }
}

/// A port nothing listens on (the OS's choice, released at once).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An address no other test uses.
fn recipient(prefix: &str) -> String {
    format!("{prefix}-{}@fiskeri.example", Uuid::now_v7().simple())
}

/// What every mail in these tests is sent with.
fn mail_config(url: &str) -> MailConfig {
    MailConfig {
        smtp_url: url.to_owned(),
        from: "Remit <mail@remit.example>".into(),
        dkim: None,
        attachments: None,
    }
}

/// A sender the test drives by hand, at instants it chooses.
fn sender(store: &Store, url: &str) -> Sender {
    mail_config(url)
        .sender(
            store.clone(),
            remit_server::clock::Clock::system(),
            Duration::from_secs(3600),
        )
        .unwrap()
}

/// No background task sends anything on its own; the tests send by hand.
const BY_HAND: Intervals = Intervals {
    webhook_poll: Duration::from_secs(3600),
    mail_poll: Duration::from_secs(3600),
    login_failure_sweep: Duration::from_secs(15 * 60),
    refund_poll: Duration::from_secs(3600),
};

/// An organisation with one issued invoice, and the device it is used from.
struct Office {
    app: TestApp,
    owner: Api,
    org: OrganisationId,
    customer: Customer,
    invoice: InvoiceId,
    device: remit_core::ids::ClientId,
    next: u64,
}

impl Office {
    async fn new(backend: Backend, mail: Option<MailConfig>, intervals: Intervals) -> Self {
        Self::speaking(backend, mail, intervals, None).await
    }

    /// An office whose customer has `language` (an ISO 639-1 code) on record.
    async fn speaking(
        backend: Backend,
        mail: Option<MailConfig>,
        intervals: Intervals,
        language: Option<&str>,
    ) -> Self {
        let app = spawn_app_mailing(backend, intervals, mail).await;
        let (owner, info) = app.set_up().await;
        let org = organisation_of(&info);
        set_up_seller(&owner, org).await;
        let mut customer = customer(org, "Fiskeri AS");
        customer.language = language.map(|l| Language::parse(l).unwrap());
        let invoice: InvoiceId = new_id();
        let device = new_client();
        let reply = owner
            .push(
                device,
                vec![
                    upsert(1, &customer),
                    issue_numbered(2, invoice, &draft(&customer)),
                ],
            )
            .await;
        assert_applied(&reply);
        Self {
            app,
            owner,
            org,
            customer,
            invoice,
            device,
            next: 3,
        }
    }

    fn request(&self, to: &str) -> SendMail {
        SendMail {
            id: new_id(),
            organisation_id: self.org,
            document: MailedDocument {
                kind: MailedKind::Invoice,
                id: self.invoice.as_uuid(),
            },
            to: to.to_owned(),
            subject: String::new(),
            message: "Hello Fiskeri,\n\nhere is November's invoice.\n\nBerit".into(),
        }
    }

    /// Pushes `request` as the device's next mutation; its result.
    async fn send(&mut self, request: &SendMail) -> remit_core::sync::MutationResult {
        let mutation = Command::SendMail(request.clone()).to_mutation(self.next);
        self.next += 1;
        self.push(mutation).await
    }

    async fn push(&self, mutation: Mutation) -> remit_core::sync::MutationResult {
        let reply = self.owner.push(self.device, vec![mutation]).await;
        reply.results.into_iter().next().unwrap()
    }

    /// The mail's record as a new device pulls it.
    async fn pulled(&self, id: MailId) -> Mail {
        let patch = pull_all(&self.owner, new_client()).await;
        let mails = puts(&patch, |r| match r {
            Record::Mail(m) if m.id == id => Some(m.clone()),
            _ => None,
        });
        assert_eq!(mails.len(), 1, "one record per mail");
        mails.into_iter().next().unwrap()
    }

    /// The queue row's status, attempts and next attempt.
    async fn queued(&self, id: MailId) -> (String, i64, Option<i64>) {
        let row = sqlx::query(
            "SELECT status, attempts, next_attempt_at_ms FROM mail_queue WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_one(self.app.store.pool())
        .await
        .unwrap();
        (
            row.get("status"),
            row.get("attempts"),
            row.get("next_attempt_at_ms"),
        )
    }
}

async fn a_mail_is_queued_once_with_its_mutation_and_waits_without_a_relay(backend: Backend) {
    let mut office = Office::new(backend, None, Intervals::default()).await;
    let request = office.request("ap@fiskeri.example");
    let mutation = Command::SendMail(request.clone()).to_mutation(office.next);
    office.next += 1;
    let first = office
        .owner
        .push(office.device, vec![mutation.clone()])
        .await;
    assert_applied(&first);
    assert_eq!(office.app.count("mail_queue").await, 1);
    let (status, attempts, due) = office.queued(request.id).await;
    assert_eq!((status.as_str(), attempts), ("queued", 0));
    assert!(due.is_some(), "due at once");

    // A replayed push answers the same and queues nothing more.
    assert_eq!(
        office.owner.push(office.device, vec![mutation]).await,
        first
    );
    // The same request again, as a new mutation (queued twice by the app), changes nothing.
    assert_eq!(office.send(&request).await.status, MutationStatus::Applied);
    assert_eq!(office.app.count("mail_queue").await, 1);
    // Another request under its id is refused.
    let other = SendMail {
        to: "boss@fiskeri.example".into(),
        ..request.clone()
    };
    let refused = office.send(&other).await;
    assert_eq!(refused.error.unwrap().field.as_deref(), Some("id"));

    let mail = office.pulled(request.id).await;
    assert_eq!(mail.status, MailStatus::Queued);
    assert_eq!(mail.number, "INV-2026-000001");
    assert_eq!(mail.customer_id, office.customer.id);
    assert_eq!(
        mail.subject, "",
        "no subject given: the sender writes the default in the customer's language"
    );

    // Without --smtp-url nothing sends it: after the server's own tasks ran, it is still queued.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(office.queued(request.id).await.0, "queued");
}
on_both_backends!(a_mail_is_queued_once_with_its_mutation_and_waits_without_a_relay => a_mail_is_queued_once_with_its_mutation_and_waits_without_a_relay_sqlite, a_mail_is_queued_once_with_its_mutation_and_waits_without_a_relay_postgres);

async fn an_address_or_subject_that_would_add_a_header_is_refused_naming_the_field(
    backend: Backend,
) {
    let mut office = Office::new(backend, None, BY_HAND).await;
    let cases = [
        (
            SendMail {
                to: "ap@fiskeri.example\r\nBcc: everyone@evil.example".into(),
                ..office.request("")
            },
            "to",
        ),
        (
            SendMail {
                subject: "Invoice\r\nBcc: everyone@evil.example".into(),
                ..office.request("ap@fiskeri.example")
            },
            "subject",
        ),
        (office.request("Fiskeri <ap@fiskeri.example>"), "to"),
        (office.request("not an address"), "to"),
    ];
    for (request, field) in cases {
        let result = office.send(&request).await;
        assert_eq!(result.status, MutationStatus::Rejected, "{request:?}");
        assert_eq!(result.error.unwrap().field.as_deref(), Some(field));
    }
    // Another organisation's invoice is not found, and neither is an invoice under its credit note kind.
    let (other, other_info) = office
        .app
        .user(
            "Other Org",
            "bob@other.example",
            remit_server::auth::Role::Owner,
        )
        .await;
    let other_org = organisation_of(&other_info);
    let foreign = SendMail {
        organisation_id: other_org,
        ..office.request("ap@fiskeri.example")
    };
    let reply = other
        .push(
            new_client(),
            vec![Command::SendMail(foreign).to_mutation(1)],
        )
        .await;
    let error = reply.results[0].error.clone().unwrap();
    assert_eq!(error.field.as_deref(), Some("document.id"));
    let mut as_credit_note = office.request("ap@fiskeri.example");
    as_credit_note.document.kind = MailedKind::CreditNote;
    let error = office.send(&as_credit_note).await.error.unwrap();
    assert_eq!(error.field.as_deref(), Some("document.id"));
    assert_eq!(office.app.count("mail_queue").await, 0);
}
on_both_backends!(an_address_or_subject_that_would_add_a_header_is_refused_naming_the_field => an_address_or_subject_that_would_add_a_header_is_refused_naming_the_field_sqlite, an_address_or_subject_that_would_add_a_header_is_refused_naming_the_field_postgres);

async fn the_server_sends_a_mail_with_its_message_id_text_and_html_parts(backend: Backend) {
    let smtp = SmtpServer::shared();
    let running = Intervals {
        mail_poll: Duration::from_millis(20),
        ..BY_HAND
    };
    let mut office = Office::new(backend, Some(mail_config(&smtp.url())), running).await;
    let to = recipient("ap");
    let evil = recipient("evil");
    let request = SendMail {
        message: format!("Hello Fiskeri,\r\nBcc: {evil}\r\n\r\nhere is <the> invoice & more."),
        ..office.request(&to)
    };
    assert_eq!(office.send(&request).await.status, MutationStatus::Applied);

    let messages = smtp.wait_for(&to, 1).await;
    let message = &messages[0];
    let (head, body) = message.split_once("\r\n\r\n").unwrap();
    let headers: Vec<&str> = head.split("\r\n").collect();
    for expected in [
        "From: Remit <mail@remit.example>".to_owned(),
        format!("To: {to}"),
        format!("Reply-To: {OWNER_EMAIL}"),
        "Subject: Invoice INV-2026-000001 from Acme GmbH".to_owned(),
        format!("Message-ID: <{}@remit.example>", request.id),
    ] {
        assert!(
            headers.contains(&expected.as_str()),
            "{expected} in {headers:#?}"
        );
    }
    assert!(
        headers.iter().all(|h| !h.starts_with("Bcc:")),
        "{headers:#?}"
    );
    assert!(body.contains("Content-Type: text/plain"), "{message}");
    assert!(body.contains("Content-Type: text/html"), "{message}");
    assert!(body.contains("here is <the> invoice & more."), "{message}");
    assert!(
        body.contains("here is &lt;the&gt; invoice &amp; more."),
        "{message}"
    );
    // The text in two parts beside the invoice's files: its PDF (the kept rendering the API serves)
    // and its UBL.
    assert!(head.contains("multipart/mixed"), "{message}");
    assert!(body.contains("multipart/alternative"), "{message}");
    for file in [
        "Content-Type: application/pdf",
        "filename=\"INV-2026-000001.pdf\"",
        "Content-Type: application/xml",
        "filename=\"INV-2026-000001.xml\"",
    ] {
        assert!(body.contains(file), "{file} in {message}");
    }
    assert!(
        smtp.messages(&evil).is_empty(),
        "the message is only ever the body"
    );

    // The pulled record says it was sent.
    for _ in 0..200 {
        if office.queued(request.id).await.0 == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mail = office.pulled(request.id).await;
    assert_eq!(mail.status, MailStatus::Sent);
    assert!(mail.sent_at_ms.is_some());
    assert_eq!(smtp.messages(&to).len(), 1, "sent once");
}
on_both_backends!(the_server_sends_a_mail_with_its_message_id_text_and_html_parts => the_server_sends_a_mail_with_its_message_id_text_and_html_parts_sqlite, the_server_sends_a_mail_with_its_message_id_text_and_html_parts_postgres);

async fn mail_waits_while_the_relay_is_down_and_is_sent_once_when_it_is_back(backend: Backend) {
    let mut office = Office::new(backend, None, BY_HAND).await;
    let to = recipient("ap");
    let request = office.request(&to);
    assert_eq!(office.send(&request).await.status, MutationStatus::Applied);
    // The relay's address, with nothing listening yet.
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let sender = sender(&office.app.store, &url);
    let now = office.app.clock.now_ms();

    assert_eq!(sender.send_due(now).await.unwrap(), 1);
    let (status, attempts, due) = office.queued(request.id).await;
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert_eq!(due, Some(now + 30_000), "tried again after 30 s");
    assert_eq!(
        sender.send_due(now + 29_999).await.unwrap(),
        0,
        "not yet due"
    );
    assert_eq!(office.pulled(request.id).await.status, MailStatus::Queued);

    // The relay comes back at the same address.
    let folder = tempfile::tempdir().unwrap();
    let relay = SmtpServer::start(port, folder.path());
    assert_eq!(sender.send_due(now + 30_000).await.unwrap(), 1);
    assert_eq!(relay.messages(&to).len(), 1);
    assert_eq!(office.queued(request.id).await.0, "sent");
    // Later rounds send nothing again.
    for later in [now + 60_000, now + 24 * 3_600_000] {
        assert_eq!(sender.send_due(later).await.unwrap(), 0);
    }
    assert_eq!(relay.messages(&to).len(), 1, "sent exactly once");
    let mail = office.pulled(request.id).await;
    assert_eq!(
        (mail.status, mail.sent_at_ms),
        (MailStatus::Sent, Some(now + 30_000))
    );
}
on_both_backends!(mail_waits_while_the_relay_is_down_and_is_sent_once_when_it_is_back => mail_waits_while_the_relay_is_down_and_is_sent_once_when_it_is_back_sqlite, mail_waits_while_the_relay_is_down_and_is_sent_once_when_it_is_back_postgres);

async fn a_5xx_refusal_fails_the_mail_at_once(backend: Backend) {
    let smtp = SmtpServer::shared();
    let mut office = Office::new(backend, None, BY_HAND).await;
    let to = recipient("refuse");
    let request = office.request(&to);
    assert_eq!(office.send(&request).await.status, MutationStatus::Applied);
    let sender = sender(&office.app.store, &smtp.url());
    let now = office.app.clock.now_ms();
    assert_eq!(sender.send_due(now).await.unwrap(), 1);
    assert_eq!(office.queued(request.id).await, ("failed".into(), 1, None));
    assert_eq!(
        sender.send_due(now + 24 * 3_600_000).await.unwrap(),
        0,
        "never retried"
    );
    let mail = office.pulled(request.id).await;
    assert_eq!(mail.status, MailStatus::Failed);
    assert!(mail.error.as_deref().unwrap().contains("550"), "{mail:?}");
}
on_both_backends!(a_5xx_refusal_fails_the_mail_at_once => a_5xx_refusal_fails_the_mail_at_once_sqlite, a_5xx_refusal_fails_the_mail_at_once_postgres);

async fn a_mail_fails_when_every_retry_is_used_up(backend: Backend) {
    let mut office = Office::new(backend, None, BY_HAND).await;
    let request = office.request(&recipient("ap"));
    assert_eq!(office.send(&request).await.status, MutationStatus::Applied);
    let sender = sender(
        &office.app.store,
        &format!("smtp://127.0.0.1:{}", free_port()),
    );
    let mut now = office.app.clock.now_ms();
    let mut attempts = 0;
    while let (status, _, Some(due)) = office.queued(request.id).await {
        assert_eq!(status, "queued");
        now = now.max(due);
        assert_eq!(sender.send_due(now).await.unwrap(), 1);
        attempts += 1;
    }
    assert_eq!(attempts, 12);
    let mail = office.pulled(request.id).await;
    assert_eq!(mail.status, MailStatus::Failed);
    assert!(
        mail.error
            .as_deref()
            .unwrap()
            .starts_with("gave up after 12 attempts"),
        "{mail:?}"
    );
}
on_both_backends!(a_mail_fails_when_every_retry_is_used_up => a_mail_fails_when_every_retry_is_used_up_sqlite, a_mail_fails_when_every_retry_is_used_up_postgres);

async fn a_credit_note_is_sent_and_a_voided_invoice_is_not(backend: Backend) {
    let mut office = Office::new(backend, None, BY_HAND).await;
    let credit = credit(office.next, office.org, office.invoice, "2026-11-25");
    office.next += 1;
    let credit_note: Uuid = serde_json::from_value(credit.args["credit_note_id"].clone()).unwrap();
    assert_eq!(office.push(credit).await.status, MutationStatus::Applied);
    let request = SendMail {
        document: MailedDocument {
            kind: MailedKind::CreditNote,
            id: credit_note,
        },
        ..office.request("ap@fiskeri.example")
    };
    assert_eq!(office.send(&request).await.status, MutationStatus::Applied);
    let mail = office.pulled(request.id).await;
    assert!(mail.number.starts_with("CN-"), "{mail:?}");

    let voided: InvoiceId = new_id();
    let issue = issue_numbered(office.next, voided, &draft(&office.customer));
    office.next += 1;
    assert_eq!(office.push(issue).await.status, MutationStatus::Applied);
    let void = Command::VoidInvoice(VoidInvoice {
        invoice_id: voided,
        organisation_id: office.org,
        on: date("2026-11-24"),
        reason: "Billed to the wrong customer".into(),
    })
    .to_mutation(office.next);
    office.next += 1;
    assert_eq!(office.push(void).await.status, MutationStatus::Applied);
    let request = SendMail {
        document: MailedDocument {
            kind: MailedKind::Invoice,
            id: voided.as_uuid(),
        },
        ..office.request("ap@fiskeri.example")
    };
    let error = office.send(&request).await.error.unwrap();
    assert_eq!(error.field.as_deref(), Some("document.id"));
    assert!(error.message.contains("not voided"), "{error:?}");
    assert_eq!(office.app.count("mail_queue").await, 1);
}
on_both_backends!(a_credit_note_is_sent_and_a_voided_invoice_is_not => a_credit_note_is_sent_and_a_voided_invoice_is_not_sqlite, a_credit_note_is_sent_and_a_voided_invoice_is_not_postgres);

async fn a_german_customer_gets_the_default_subject_and_body_in_german(backend: Backend) {
    let smtp = SmtpServer::shared();
    let mut office = Office::speaking(backend, None, BY_HAND, Some("de")).await;
    let to = recipient("ap");
    let request = SendMail {
        message: String::new(),
        ..office.request(&to)
    };
    assert_eq!(office.send(&request).await.status, MutationStatus::Applied);
    // A mail queued as earlier versions queued every one: subject and text written out (in English).
    let written = recipient("written");
    let earlier = SendMail {
        subject: "Invoice INV-2026-000001 from Acme GmbH".into(),
        message: "Dear customer,\n\nplease find invoice INV-2026-000001 attached.".into(),
        ..office.request(&written)
    };
    assert_eq!(office.send(&earlier).await.status, MutationStatus::Applied);
    let sender = sender(&office.app.store, &smtp.url());
    assert_eq!(sender.send_due(office.app.clock.now_ms()).await.unwrap(), 2);

    let message = &smtp.messages(&to)[0];
    let (head, body) = message.split_once("\r\n\r\n").unwrap();
    assert!(
        head.split("\r\n")
            .any(|h| h == "Subject: Rechnung INV-2026-000001 von Acme GmbH"),
        "{head}"
    );
    for german in [
        "Sehr geehrte Damen und Herren,",
        "anbei erhalten Sie die Rechnung INV-2026-000001",
    ] {
        assert!(body.contains(german), "{german} in {message}");
    }
    let message = &smtp.messages(&written)[0];
    assert!(
        message.contains("Subject: Invoice INV-2026-000001 from Acme GmbH"),
        "{message}"
    );
    assert!(
        message.contains("please find invoice INV-2026-000001 attached."),
        "{message}"
    );
    for id in [request.id, earlier.id] {
        assert_eq!(office.pulled(id).await.status, MailStatus::Sent);
    }
}
on_both_backends!(a_german_customer_gets_the_default_subject_and_body_in_german => a_german_customer_gets_the_default_subject_and_body_in_german_sqlite, a_german_customer_gets_the_default_subject_and_body_in_german_postgres);

/// Portal links mailed as they are made (`POST /api/customers/{id}/portal-links` with `send_to`).
impl Office {
    fn links_path(&self) -> String {
        format!("/api/customers/{}/portal-links", self.customer.id)
    }

    /// Every stored text a token must never be in: the synced records, the change log, the audit log.
    async fn kept_texts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        for query in [
            "SELECT body AS t FROM records",
            "SELECT body AS t FROM changes WHERE body IS NOT NULL",
            "SELECT summary AS t FROM audit_log",
        ] {
            let rows = sqlx::query(query)
                .fetch_all(self.app.store.pool())
                .await
                .unwrap();
            texts.extend(rows.iter().map(|r| r.get::<String, _>("t")));
        }
        texts
    }

    /// The queued message of mail `id`: its kind, document, recipient and text.
    async fn queued_message(&self, id: &str) -> (String, String, String, String) {
        let row = sqlx::query(
            "SELECT document_kind, document_id, to_address, body_text FROM mail_queue WHERE id = $1",
        )
        .bind(id)
        .fetch_one(self.app.store.pool())
        .await
        .unwrap();
        (
            row.get("document_kind"),
            row.get("document_id"),
            row.get("to_address"),
            row.get("body_text"),
        )
    }
}

/// The link's token, from the address the API answered (`/p/<token>`).
fn token_of(made: &serde_json::Value) -> String {
    made["url"]
        .as_str()
        .unwrap()
        .strip_prefix("/p/")
        .unwrap()
        .to_owned()
}

async fn a_mailed_portal_link_is_queued_with_its_address_which_no_record_or_audit_row_holds(
    backend: Backend,
) {
    let office = Office::new(backend, None, BY_HAND).await;
    let link_id: remit_core::ids::PortalLinkId = new_id();
    let request = serde_json::json!({
        "id": link_id,
        "invoice_id": office.invoice,
        "send_to": " ap@fiskeri.example ",
        "message": "Hello Fiskeri,\nhere is your invoice online.",
    });
    let made = office.owner.post(&office.links_path(), &request).await;
    assert_eq!(made.status(), reqwest::StatusCode::CREATED);
    let made: serde_json::Value = made.json().await.unwrap();
    let token = token_of(&made);
    let mail_id = made["mail_id"].as_str().unwrap().to_owned();

    let (kind, document, to, text) = office.queued_message(&mail_id).await;
    assert_eq!(
        (kind.as_str(), document, to.as_str()),
        ("portal_link", link_id.to_string(), "ap@fiskeri.example")
    );
    assert_eq!(
        text,
        format!(
            "Hello Fiskeri,\nhere is your invoice online.\n\n{}/p/{token}",
            office.app.address
        )
    );
    let mail = office.pulled(MailId::parse(&mail_id).unwrap()).await;
    assert_eq!(
        mail.document,
        MailedDocument {
            kind: MailedKind::PortalLink,
            id: link_id.as_uuid(),
        }
    );
    assert_eq!(
        (mail.number.as_str(), mail.status, mail.customer_id),
        ("INV-2026-000001", MailStatus::Queued, office.customer.id)
    );
    for kept in office.kept_texts().await {
        assert!(!kept.contains(&token), "the token is kept in {kept}");
    }
    let audit = sqlx::query(
        "SELECT a.summary, u.email FROM audit_log a JOIN users u ON u.id = a.user_id \
         WHERE a.mutation_name = 'portal_link.mail'",
    )
    .fetch_one(office.app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        audit.get::<String, _>("email"),
        OWNER_EMAIL,
        "names the user"
    );
    assert!(
        audit
            .get::<String, _>("summary")
            .contains(&link_id.to_string())
    );

    // The same request again makes no second link and queues no second mail.
    let again = office.owner.post(&office.links_path(), &request).await;
    assert_eq!(again.status(), reqwest::StatusCode::CONFLICT);
    assert_eq!(office.app.count("mail_queue").await, 1);
    assert_eq!(office.app.count("portal_links").await, 1);
}
on_both_backends!(a_mailed_portal_link_is_queued_with_its_address_which_no_record_or_audit_row_holds => a_mailed_portal_link_is_queued_with_its_address_which_no_record_or_audit_row_holds_sqlite, a_mailed_portal_link_is_queued_with_its_address_which_no_record_or_audit_row_holds_postgres);

async fn a_portal_link_to_a_bad_address_is_refused_naming_send_to_and_nothing_is_stored(
    backend: Backend,
) {
    let office = Office::new(backend, None, BY_HAND).await;
    let records = office.app.count("records").await;
    let cases = [
        serde_json::json!({ "send_to": "Fiskeri <ap@fiskeri.example>" }),
        serde_json::json!({ "send_to": "ap@fiskeri.example\r\nBcc: all@evil.example" }),
        serde_json::json!({ "send_to": "" }),
        serde_json::json!({ "message": "Your link, sent nowhere" }),
    ];
    for body in cases {
        let refused = office.owner.post(&office.links_path(), &body).await;
        assert_eq!(
            refused.status(),
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let error: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(error["field"], "send_to", "{body}: {error}");
    }
    let subject = serde_json::json!({
        "send_to": "ap@fiskeri.example",
        "subject": "Link\nBcc: all@evil.example",
    });
    let refused = office.owner.post(&office.links_path(), &subject).await;
    let error: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error["field"], "subject");
    assert_eq!(office.app.count("portal_links").await, 0, "no link either");
    assert_eq!(office.app.count("mail_queue").await, 0);
    assert_eq!(office.app.count("records").await, records);
}
on_both_backends!(a_portal_link_to_a_bad_address_is_refused_naming_send_to_and_nothing_is_stored => a_portal_link_to_a_bad_address_is_refused_naming_send_to_and_nothing_is_stored_sqlite, a_portal_link_to_a_bad_address_is_refused_naming_send_to_and_nothing_is_stored_postgres);

async fn a_mailed_portal_link_arrives_in_the_customers_language_and_opens_the_portal(
    backend: Backend,
) {
    let smtp = SmtpServer::shared();
    let office = Office::speaking(backend, None, BY_HAND, Some("de")).await;
    let to = recipient("link");
    let made = office
        .owner
        .post(&office.links_path(), &serde_json::json!({ "send_to": to }))
        .await;
    assert_eq!(made.status(), reqwest::StatusCode::CREATED);
    let made: serde_json::Value = made.json().await.unwrap();
    let sender = sender(&office.app.store, &smtp.url());
    assert_eq!(sender.send_due(office.app.clock.now_ms()).await.unwrap(), 1);

    let message = &smtp.messages(&to)[0];
    let (head, body) = message.split_once("\r\n\r\n").unwrap();
    assert!(
        head.split("\r\n")
            .any(|h| h.starts_with("Subject: Ihr Konto bei ")),
        "{head}"
    );
    assert!(
        !head.contains("multipart/mixed"),
        "no attachments: {message}"
    );
    // Quoted-printable breaks long lines with a soft `=` line end.
    let text = body.replace("=\r\n", "");
    assert!(text.contains("Kontoauszug"), "{message}");
    let url = format!("{}/p/{}", office.app.address, token_of(&made));
    assert!(text.contains(&url), "{url} in {message}");
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Fiskeri AS"));
    let mail = office
        .pulled(MailId::parse(made["mail_id"].as_str().unwrap()).unwrap())
        .await;
    assert_eq!(mail.status, MailStatus::Sent);
}
on_both_backends!(a_mailed_portal_link_arrives_in_the_customers_language_and_opens_the_portal => a_mailed_portal_link_arrives_in_the_customers_language_and_opens_the_portal_sqlite, a_mailed_portal_link_arrives_in_the_customers_language_and_opens_the_portal_postgres);

async fn a_payments_receipt_is_mailed_with_its_pdf_in_the_customers_language(backend: Backend) {
    let smtp = SmtpServer::shared();
    let mut office = Office::speaking(backend, None, BY_HAND, Some("de")).await;
    let paid = payment(&office.customer, "119.00", "2026-11-20");
    let recorded = pay(office.next, &paid);
    office.next += 1;
    assert_eq!(office.push(recorded).await.status, MutationStatus::Applied);
    let to = recipient("receipt");
    let request = SendMail {
        document: MailedDocument {
            kind: MailedKind::Receipt,
            id: paid.id.as_uuid(),
        },
        message: String::new(),
        ..office.request(&to)
    };
    assert_eq!(office.send(&request).await.status, MutationStatus::Applied);
    let sender = sender(&office.app.store, &smtp.url());
    assert_eq!(sender.send_due(office.app.clock.now_ms()).await.unwrap(), 1);

    let messages = smtp.messages(&to);
    assert_eq!(messages.len(), 1, "one message");
    let message = &messages[0];
    let (head, body) = message.split_once("\r\n\r\n").unwrap();
    let subject = subject_header("Quittung für Ihre Zahlung an Acme GmbH");
    assert!(unfolded(head).contains(&subject), "{subject} in {head}");
    let text = decoded_text(body).replace(['\u{a0}', '\u{202f}'], " ");
    for german in [
        "Sehr geehrte Damen und Herren,",
        "vielen Dank für Ihre Zahlung über 119,00 EUR am 20.11.2026.",
        "Anbei erhalten Sie Ihre Quittung.",
    ] {
        assert!(text.contains(german), "{german} in {text}");
    }
    // The receipt's PDF, the same file the API serves, and nothing else: a receipt is no e-invoice.
    let file_name = format!("receipt-2026-11-20-{}.pdf", paid.id);
    // A name this long is written as RFC 2231's continued parameter (`filename*0="…"`).
    for file in [
        "Content-Type: application/pdf".to_owned(),
        format!("=\"{file_name}\""),
    ] {
        assert!(body.contains(&file), "{file} in {message}");
    }
    assert!(!body.contains("application/xml"), "{message}");
    assert_eq!(
        office.app.count("rendered_documents").await,
        1,
        "the receipt is kept as it was mailed"
    );
    let mail = office.pulled(request.id).await;
    assert_eq!(
        (mail.status, mail.number.as_str(), mail.customer_id),
        (MailStatus::Sent, "Bank ref 4711", office.customer.id)
    );
}
on_both_backends!(a_payments_receipt_is_mailed_with_its_pdf_in_the_customers_language => a_payments_receipt_is_mailed_with_its_pdf_in_the_customers_language_sqlite, a_payments_receipt_is_mailed_with_its_pdf_in_the_customers_language_postgres);

async fn the_receipt_of_an_unknown_payment_is_refused_naming_the_document(backend: Backend) {
    let mut office = Office::new(backend, None, BY_HAND).await;
    let unknown: remit_core::ids::PaymentId = new_id();
    for id in [unknown.as_uuid(), office.invoice.as_uuid()] {
        let request = SendMail {
            document: MailedDocument {
                kind: MailedKind::Receipt,
                id,
            },
            ..office.request("ap@fiskeri.example")
        };
        let refused = office.send(&request).await;
        assert_eq!(refused.status, MutationStatus::Rejected, "{id}");
        let error = refused.error.unwrap();
        assert_eq!(error.field.as_deref(), Some("document.id"));
        assert!(error.message.contains("payment"), "{error:?}");
    }
    assert_eq!(office.app.count("mail_queue").await, 0);
}
on_both_backends!(the_receipt_of_an_unknown_payment_is_refused_naming_the_document => the_receipt_of_an_unknown_payment_is_refused_naming_the_document_sqlite, the_receipt_of_an_unknown_payment_is_refused_naming_the_document_postgres);

/// The text of a message's plain-text part with quoted-printable undone (soft line ends, `=XX` bytes).
fn decoded_text(body: &str) -> String {
    let part = body
        .split("Content-Type: text/plain")
        .nth(1)
        .and_then(|rest| rest.split_once("\r\n\r\n"))
        .map(|(_, text)| text.split("\r\n--").next().unwrap_or_default())
        .unwrap_or_default();
    let joined = part.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        match (b, tail.get(..2).and_then(|h| std::str::from_utf8(h).ok())) {
            (b'=', Some(hex)) if u8::from_str_radix(hex, 16).is_ok() => {
                bytes.push(u8::from_str_radix(hex, 16).unwrap());
                rest = &tail[2..];
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// A message's header block with folded lines joined.
fn unfolded(head: &str) -> Vec<String> {
    head.replace("\r\n ", " ")
        .split("\r\n")
        .map(str::to_owned)
        .collect()
}

/// The `Subject` header the sender writes for `subject` (encoded as RFC 2047 words when it is not
/// ASCII), as [`unfolded`] reads it.
fn subject_header(subject: &str) -> String {
    let message = lettre::Message::builder()
        .from("mail@remit.example".parse().unwrap())
        .to("ap@fiskeri.example".parse().unwrap())
        .subject(subject)
        .body(String::new())
        .unwrap();
    let formatted = String::from_utf8(message.formatted()).unwrap();
    let head = formatted.split_once("\r\n\r\n").unwrap().0;
    unfolded(head)
        .into_iter()
        .find(|h| h.starts_with("Subject: "))
        .unwrap()
}
