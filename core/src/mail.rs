//! Mail to a customer: issued documents (the `mail.send` request, decided by
//! [`crate::decide::mail::decide_send_mail`]) and portal links (mailed as they are made, decided by
//! [`crate::portal::decide_portal_link_mail`]); the synced `mail` record that says what became of each,
//! and the message the server queues for its sender.
//!
//! Everything a customer or a user types that ends up in a header (the address, the subject) is
//! refused here when it holds a line break or another control character, so no text can add a header
//! of its own; the message is the body and may hold line breaks.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{CustomerId, MailId, OrganisationId};
use crate::validation::{Rule, ValidationError, looks_like_email, optional_text, required_text};

/// What a mail carries: an issued document, or a portal link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailedKind {
    Invoice,
    CreditNote,
    /// A portal link's address, in the text only (the mail's document id is the link's id).
    PortalLink,
    /// A payment's receipt (the mail's document id is the payment's id), with the receipt's PDF.
    Receipt,
}

impl MailedKind {
    /// The wire (and stored) word.
    pub fn name(self) -> &'static str {
        match self {
            MailedKind::Invoice => "invoice",
            MailedKind::CreditNote => "credit_note",
            MailedKind::PortalLink => "portal_link",
            MailedKind::Receipt => "receipt",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            MailedKind::Invoice,
            MailedKind::CreditNote,
            MailedKind::PortalLink,
            MailedKind::Receipt,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }

    /// Whether the mail carries the document's files: an issued document's (its PDF and e-invoice) and a
    /// receipt's (its PDF) do, a portal link's mail has no attachments.
    pub fn has_attachments(self) -> bool {
        match self {
            MailedKind::Invoice | MailedKind::CreditNote | MailedKind::Receipt => true,
            MailedKind::PortalLink => false,
        }
    }
}

/// What a mail sends: its kind and id (an issued document's, or a portal link's). The sender asks for its attachments (PDF, XML)
/// by this reference when it sends, so the queue never holds a copy of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MailedDocument {
    pub kind: MailedKind,
    pub id: Uuid,
}

/// The arguments of `mail.send`: send an issued invoice or credit note to `to` (the customer's address
/// as the app proposes it, edited or not), with the user's `message` as the body. An empty `subject`
/// or `message` stays empty: the sender writes the default in the customer's language when it sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMail {
    pub id: MailId,
    pub organisation_id: OrganisationId,
    pub document: MailedDocument,
    pub to: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub message: String,
}

impl SendMail {
    /// RFC 5321's limit on a path.
    pub const MAX_ADDRESS: usize = 254;
    pub const MAX_SUBJECT: usize = 200;
    pub const MAX_MESSAGE: usize = 10_000;

    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_addressed(("to", &self.to), &self.subject, &self.message)
    }
}

/// The rules of every mail a user addresses: one bare address (in the field named `to.0`, `to.1`
/// holding it), a one-line subject, a message that may break lines but holds no other control
/// character; each within [`SendMail`]'s limits.
pub fn validate_addressed(
    (field, to): (&str, &str),
    subject: &str,
    message: &str,
) -> Result<(), ValidationError> {
    required_text(field, to, SendMail::MAX_ADDRESS)?;
    single_line(field, to)?;
    if !is_mailbox(to.trim()) {
        return Err(ValidationError::new(field, Rule::Email));
    }
    optional_text("subject", subject, SendMail::MAX_SUBJECT)?;
    single_line("subject", subject)?;
    optional_text("message", message, SendMail::MAX_MESSAGE)?;
    if let Some(c) = message
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValidationError::new(
            "message",
            Rule::Format {
                detail: format!("control character U+{:04X}", u32::from(c)),
            },
        ));
    }
    Ok(())
}

/// Text that becomes a header: one line, no control characters.
fn single_line(field: &str, text: &str) -> Result<(), ValidationError> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(ValidationError::new(
            field,
            Rule::Format {
                detail: format!(
                    "a single line without control characters (found U+{:04X})",
                    u32::from(c)
                ),
            },
        )),
        None => Ok(()),
    }
}

/// One bare address (`ap@nordlys.example`): no display name, no list, nothing a mail header would read
/// as syntax.
fn is_mailbox(address: &str) -> bool {
    looks_like_email(address)
        && !address.chars().any(|c| {
            matches!(
                c,
                '<' | '>' | ',' | ';' | '"' | '(' | ')' | ':' | '\\' | '[' | ']'
            )
        })
}

/// Where a mail stands, as the app shows it beside the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting to be sent: the server has no SMTP relay configured, or the relay did not answer yet.
    Queued,
    /// The relay accepted it.
    Sent,
    /// The relay refused it for good (a 5xx reply), or every retry failed.
    Failed,
}

impl MailStatus {
    pub fn name(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }
}

/// A mail as synced (`entity: "mail"`): what was asked, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub id: MailId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    pub document: MailedDocument,
    /// The document's number, as the list shows it: for a portal link, the number of the invoice an
    /// invoice link shows, empty for a statement link. Never the link's address.
    pub number: String,
    pub to: String,
    /// The user's subject; empty for the default the sender writes in the customer's language.
    pub subject: String,
    /// The user's message; empty for the default, likewise.
    pub message: String,
    pub status: MailStatus,
    /// When the relay accepted it (epoch milliseconds).
    #[serde(default)]
    pub sent_at_ms: Option<i64>,
    /// Why it failed, as the relay or the network said it.
    #[serde(default)]
    pub error: Option<String>,
}

impl Mail {
    /// Whether `request` is the request this mail was made from (a replay of the same `mail.send`).
    pub fn made_from(&self, request: &SendMail) -> bool {
        self.id == request.id
            && self.organisation_id == request.organisation_id
            && self.document == request.document
            && self.to == request.to.trim()
            && self.message == request.message
            // Records of earlier versions hold the English default where the request had none.
            && (request.subject.trim().is_empty() || self.subject == request.subject.trim())
    }

    /// The same mail, accepted by the relay at `at_ms`.
    pub fn sent(&self, at_ms: i64) -> Self {
        Self {
            status: MailStatus::Sent,
            sent_at_ms: Some(at_ms),
            error: None,
            ..self.clone()
        }
    }

    /// The same mail, given up on for `error`.
    pub fn failed(&self, error: &str) -> Self {
        Self {
            status: MailStatus::Failed,
            error: Some(error.to_owned()),
            ..self.clone()
        }
    }
}

/// The message a decision queues: everything the sender needs but the attachments, which it asks for
/// by [`MailedDocument`] when it sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub id: MailId,
    pub organisation_id: OrganisationId,
    pub document: MailedDocument,
    pub to: String,
    /// Where replies go: the organisation's address, when it has one.
    pub reply_to: Option<String>,
    /// Empty for the default subject: the wording is the catalogue's, in the customer's language,
    /// written by the sender (mail queued by earlier versions carries its English default here).
    pub subject: String,
    /// The plain-text body (the HTML part is made from it); empty for the default, likewise.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SendMail {
        SendMail {
            id: MailId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4f01").unwrap(),
            organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            document: MailedDocument {
                kind: MailedKind::Invoice,
                id: Uuid::parse_str("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4eb1").unwrap(),
            },
            to: "ap@nordlys.example".into(),
            subject: String::new(),
            message: "Hello,\r\nhere it is.".into(),
        }
    }

    fn field(request: &SendMail) -> Option<String> {
        request.validate().err().map(|e| e.field)
    }

    #[test]
    fn a_mail_goes_to_one_bare_address() {
        assert_eq!(field(&request()), None);
        for bad in [
            "",
            "ap@nordlys",
            "Nordlys <ap@nordlys.example>",
            "ap@nordlys.example, boss@nordlys.example",
            "\"ap\"@nordlys.example",
        ] {
            let r = SendMail {
                to: bad.into(),
                ..request()
            };
            assert_eq!(field(&r).as_deref(), Some("to"), "{bad}");
        }
    }

    #[test]
    fn no_header_text_can_break_a_line() {
        let to = SendMail {
            to: "ap@nordlys.example\r\nBcc: all@nordlys.example".into(),
            ..request()
        };
        assert_eq!(field(&to).as_deref(), Some("to"));
        let subject = SendMail {
            subject: "Invoice\r\nBcc: all@nordlys.example".into(),
            ..request()
        };
        let e = subject.validate().unwrap_err();
        assert_eq!(e.field, "subject");
        assert!(e.to_string().contains("single line"), "{e}");
        let lf = SendMail {
            subject: "Invoice\nX-Spam: yes".into(),
            ..request()
        };
        assert_eq!(field(&lf).as_deref(), Some("subject"));
    }

    #[test]
    fn the_message_is_the_body_and_may_break_lines_but_holds_no_other_control_characters() {
        let e = SendMail {
            message: "Hello\u{0}".into(),
            ..request()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "message");
        let long = SendMail {
            message: "x".repeat(SendMail::MAX_MESSAGE + 1),
            ..request()
        };
        assert_eq!(field(&long).as_deref(), Some("message"));
    }

    #[test]
    fn kinds_and_statuses_read_as_the_wire_writes_them() {
        for kind in [
            MailedKind::Invoice,
            MailedKind::CreditNote,
            MailedKind::PortalLink,
        ] {
            assert_eq!(MailedKind::parse(kind.name()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
        for status in [MailStatus::Queued, MailStatus::Sent, MailStatus::Failed] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.name());
        }
    }
}
