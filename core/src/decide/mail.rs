//! Sending an issued document by mail: `mail.send`. A request (it may be refused, naming the field):
//! the document must be an issued invoice or credit note of the organisation, and an invoice must not
//! be voided; or a payment of the organisation, whose receipt is sent. The decision stores the `mail`
//! record, queued, and carries the message to queue as data ([`Decision::mails`]); the server writes
//! both in the mutation's transaction, so a mail is queued if and only if its mutation applied, once.
//!
//! What the mail says when the user wrote no subject or message is not decided here: it stays empty
//! and the sender writes the default from the message catalogues, in the customer's language.

use serde_json::json;

use super::{Decision, FIRST_VERSION, Write, invalid, replayed};
use crate::document::issued::{CreditNote, Invoice};
use crate::ids::CustomerId;
use crate::mail::{Mail, MailStatus, MailedKind, OutgoingMail, SendMail};
use crate::receivables::payment::Payment;
use crate::sync::{MutationError, Record};

/// The issued document a mail names, as stored: an invoice, a credit note, or a payment (its receipt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuedDocument {
    Invoice(Box<Invoice>),
    CreditNote(Box<CreditNote>),
    Receipt(Box<Payment>),
}

impl IssuedDocument {
    fn kind(&self) -> MailedKind {
        match self {
            IssuedDocument::Invoice(_) => MailedKind::Invoice,
            IssuedDocument::CreditNote(_) => MailedKind::CreditNote,
            IssuedDocument::Receipt(_) => MailedKind::Receipt,
        }
    }

    fn customer(&self) -> CustomerId {
        match self {
            IssuedDocument::Invoice(i) => i.customer_id,
            IssuedDocument::CreditNote(c) => c.customer_id,
            IssuedDocument::Receipt(p) => p.received.customer_id,
        }
    }

    fn number(&self) -> String {
        match self {
            IssuedDocument::Invoice(i) => i.snapshot.number.to_string(),
            IssuedDocument::CreditNote(c) => c.snapshot.number.to_string(),
            // A receipt is known by the payment's reference (the gateway's payment id, the bank's
            // reference), else by its day.
            IssuedDocument::Receipt(p) if !p.received.reference.trim().is_empty() => {
                p.received.reference.trim().to_owned()
            }
            IssuedDocument::Receipt(p) => p.received.received_on.to_string(),
        }
    }
}

/// What the server knows when a `mail.send` arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendMailFacts {
    /// The mail already stored under the request's id.
    pub stored: Option<Mail>,
    /// The document the request names (of its kind, in the organisation), when it exists.
    pub document: Option<IssuedDocument>,
    /// The organisation's address for replies, when it has one.
    pub reply_to: Option<String>,
}

/// Decides a `mail.send`: the queued `mail` record and the message to queue with it.
pub fn decide_send_mail(
    command: &SendMail,
    facts: &SendMailFacts,
) -> Result<Decision, MutationError> {
    let same = facts
        .stored
        .as_ref()
        .map(|stored| stored.made_from(command));
    if let Some(replay) = replayed(same, "mail", command.id, "already queued") {
        return replay;
    }
    let kind = command.document.kind;
    let document = match &facts.document {
        Some(document) if document.kind() == kind => document,
        _ => {
            return Err(invalid(
                "document.id",
                match kind {
                    MailedKind::Invoice => "an issued invoice of the organisation",
                    MailedKind::CreditNote => "an issued credit note of the organisation",
                    MailedKind::PortalLink => {
                        "an issued document (a portal link is mailed as it is made)"
                    }
                    MailedKind::Receipt => "a payment of the organisation",
                },
            ));
        }
    };
    if let IssuedDocument::Invoice(invoice) = document
        && invoice.voided.is_some()
    {
        return Err(invalid("document.id", "an invoice that is not voided"));
    }
    let number = document.number();
    let subject = command.subject.trim().to_owned();
    // A message of blanks only is no message: the default is written instead.
    let text = if command.message.trim().is_empty() {
        String::new()
    } else {
        command.message.clone()
    };
    let to = command.to.trim().to_owned();
    let mail = Mail {
        id: command.id,
        organisation_id: command.organisation_id,
        customer_id: document.customer(),
        document: command.document,
        number: number.clone(),
        to: to.clone(),
        subject: subject.clone(),
        message: command.message.clone(),
        status: MailStatus::Queued,
        sent_at_ms: None,
        error: None,
    };
    let outgoing = OutgoingMail {
        id: command.id,
        organisation_id: command.organisation_id,
        document: command.document,
        to,
        reply_to: facts.reply_to.clone(),
        subject,
        text,
    };
    let audit = json!({
        "op": "put", "entity": "mail", "id": command.id,
        "document": kind.name(), "number": number, "to": mail.to,
    });
    let write = Write::Record {
        record: Record::Mail(mail.clone()),
        customer: Some(mail.customer_id),
        version: FIRST_VERSION,
    };
    Ok(Decision::store(write, audit).send(outgoing))
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use uuid::Uuid;

    use super::*;
    use crate::document::issued::Voided;
    use crate::fixtures;
    use crate::ids::{MailId, OrganisationId};
    use crate::mail::MailedDocument;
    use crate::sync::MutationErrorKind;

    fn org() -> OrganisationId {
        fixtures::organisation_id()
    }

    /// INV-2026-000001 of Nordlys AS to Fiskeri AS.
    fn invoice() -> Invoice {
        fixtures::issued(vec![fixtures::line(
            "Net repair",
            dec!(4),
            dec!(250),
            dec!(25),
        )])
    }

    fn request(invoice: &Invoice) -> SendMail {
        SendMail {
            id: MailId::parse("019a4d5e-0000-7000-8000-0000000000e1").unwrap(),
            organisation_id: org(),
            document: MailedDocument {
                kind: MailedKind::Invoice,
                id: invoice.id.as_uuid(),
            },
            to: " ap@fiskeri.example ".into(),
            subject: String::new(),
            message: String::new(),
        }
    }

    fn facts(invoice: &Invoice) -> SendMailFacts {
        SendMailFacts {
            stored: None,
            document: Some(IssuedDocument::Invoice(Box::new(invoice.clone()))),
            reply_to: Some("billing@nordlys.example".into()),
        }
    }

    #[test]
    fn sending_an_issued_invoice_stores_a_queued_mail_and_queues_its_message_with_the_default_text_left_to_the_sender()
     {
        let invoice = invoice();
        let decision = decide_send_mail(&request(&invoice), &facts(&invoice)).unwrap();
        let mail = Mail {
            id: request(&invoice).id,
            organisation_id: org(),
            customer_id: invoice.customer_id,
            document: request(&invoice).document,
            number: "INV-2026-000001".into(),
            to: "ap@fiskeri.example".into(),
            subject: String::new(),
            message: String::new(),
            status: MailStatus::Queued,
            sent_at_ms: None,
            error: None,
        };
        assert_eq!(
            decision.changes[0].write,
            Write::Record {
                record: Record::Mail(mail),
                customer: Some(invoice.customer_id),
                version: FIRST_VERSION,
            }
        );
        assert_eq!(
            decision.mails,
            vec![OutgoingMail {
                id: request(&invoice).id,
                organisation_id: org(),
                document: request(&invoice).document,
                to: "ap@fiskeri.example".into(),
                reply_to: Some("billing@nordlys.example".into()),
                subject: String::new(),
                text: String::new(),
            }]
        );
        assert!(decision.notices.is_empty() && decision.exceptions.is_empty());
    }

    #[test]
    fn the_users_subject_and_message_are_sent_as_written() {
        let invoice = invoice();
        let command = SendMail {
            subject: " November ".into(),
            message: "Hei,\nher er fakturaen.".into(),
            ..request(&invoice)
        };
        let decision = decide_send_mail(&command, &facts(&invoice)).unwrap();
        assert_eq!(decision.mails[0].subject, "November");
        assert_eq!(decision.mails[0].text, "Hei,\nher er fakturaen.");
    }

    #[test]
    fn the_same_request_again_queues_nothing_and_another_under_its_id_is_refused() {
        let invoice = invoice();
        let first = decide_send_mail(&request(&invoice), &facts(&invoice)).unwrap();
        let Write::Record {
            record: Record::Mail(stored),
            ..
        } = &first.changes[0].write
        else {
            panic!("a mail record");
        };
        let again = SendMailFacts {
            stored: Some(stored.sent(1_767_225_600_000)),
            ..facts(&invoice)
        };
        let replay = decide_send_mail(&request(&invoice), &again).unwrap();
        assert!(replay.changes.is_empty() && replay.mails.is_empty());
        let other = SendMail {
            to: "boss@fiskeri.example".into(),
            ..request(&invoice)
        };
        let e = decide_send_mail(&other, &again).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"));
    }

    #[test]
    fn only_an_issued_document_of_the_named_kind_that_is_not_voided_is_sent() {
        let invoice = invoice();
        let missing = SendMailFacts {
            document: None,
            ..facts(&invoice)
        };
        let e = decide_send_mail(&request(&invoice), &missing).unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (MutationErrorKind::Invalid, Some("document.id"))
        );
        let as_credit_note = SendMail {
            document: MailedDocument {
                kind: MailedKind::CreditNote,
                id: Uuid::from(invoice.id),
            },
            ..request(&invoice)
        };
        let e = decide_send_mail(&as_credit_note, &facts(&invoice)).unwrap_err();
        assert!(e.message.contains("credit note"), "{e}");
        let mut voided = invoice.clone();
        voided.voided = Some(Voided {
            on: invoice.snapshot.issue_date,
            reason: "Wrong customer".into(),
        });
        let e = decide_send_mail(&request(&invoice), &facts(&voided)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("document.id"));
        assert!(e.message.contains("not voided"), "{e}");
    }
}
