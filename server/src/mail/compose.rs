//! Building one message from a queued mail: headers from the queue row (every text that becomes a
//! header goes through lettre's typed headers, which encode it, and line breaks are taken out first),
//! a plain-text part and an HTML part made from the same text, and the attachments.

use std::time::{Duration, SystemTime};

use lettre::Message;
use lettre::message::dkim::DkimConfig;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as Part, Mailbox, MultiPart};

use super::Attachment;
use crate::store::mail::Claimed;

/// Why a message cannot be built: it never will be, so the mail fails.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("the recipient address {0:?} cannot be used")]
    Recipient(String),
    #[error("attachment {filename:?} has an unusable content type {content_type:?}")]
    ContentType {
        filename: String,
        content_type: String,
    },
    #[error("the message cannot be built: {0}")]
    Build(#[from] lettre::error::Error),
}

/// The operator's side of every message: who it is from, and how it is signed.
#[derive(Debug)]
pub struct Envelope {
    pub from: Mailbox,
    pub dkim: Option<DkimConfig>,
}

impl Envelope {
    /// The `Message-ID` of a mail: its id at the operator's domain, the same on every attempt, so a
    /// receiver can tell a message resent after a lost reply.
    pub fn message_id(&self, mail: &Claimed) -> String {
        format!("<{}@{}>", mail.id, self.from.email.domain())
    }

    /// The message for `mail`, dated `now_ms`, with `attachments`.
    pub fn compose(
        &self,
        mail: &Claimed,
        attachments: Vec<Attachment>,
        now_ms: i64,
    ) -> Result<Message, ComposeError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| ComposeError::Recipient(mail.to.clone()))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(one_line(&mail.subject))
            .message_id(Some(self.message_id(mail)))
            .date(SystemTime::UNIX_EPOCH + Duration::from_millis(now_ms.unsigned_abs()));
        // The organisation's address is its owner's sign-in address, checked when it was set; one that
        // no longer parses is left out rather than holding the document back.
        if let Some(Ok(reply_to)) = mail.reply_to.as_deref().map(str::parse::<Mailbox>) {
            builder = builder.reply_to(reply_to);
        }
        let text = MultiPart::alternative_plain_html(mail.text.clone(), html(&mail.text));
        let body = if attachments.is_empty() {
            text
        } else {
            let mut mixed = MultiPart::mixed().multipart(text);
            for file in attachments {
                let content_type = ContentType::parse(&file.content_type).map_err(|_| {
                    ComposeError::ContentType {
                        filename: file.filename.clone(),
                        content_type: file.content_type.clone(),
                    }
                })?;
                mixed = mixed.singlepart(Part::new(file.filename).body(file.bytes, content_type));
            }
            mixed
        };
        let mut message = builder.multipart(body)?;
        if let Some(dkim) = &self.dkim {
            message.sign(dkim);
        }
        Ok(message)
    }
}

/// Header text on one line: any control character (a line break above all) becomes a space. Core
/// refuses such a subject already; this holds for rows written any other way.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The HTML part: the text, escaped, its paragraphs as `<p>` and its line breaks as `<br>`.
pub fn html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            format!(
                "<p>{}</p>",
                escape(p.trim_matches('\n')).replace('\n', "<br>\n")
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{}\n</body></html>\n",
        paragraphs.join("\n")
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use remit_core::ids::{MailId, OrganisationId};
    use remit_core::mail::{MailedDocument, MailedKind};
    use uuid::Uuid;

    use super::*;

    fn mail(subject: &str) -> Claimed {
        Claimed {
            id: MailId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4f01").unwrap(),
            organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            document: MailedDocument {
                kind: MailedKind::Invoice,
                id: Uuid::parse_str("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4eb1").unwrap(),
            },
            to: "ap@fiskeri.example".into(),
            reply_to: Some("billing@nordlys.example".into()),
            subject: subject.into(),
            text: "Hello <Fiskeri> & co,\n\nhere it is.\nBerit".into(),
            attempts: 1,
        }
    }

    fn envelope() -> Envelope {
        Envelope {
            from: "Remit <mail@remit.example>".parse().unwrap(),
            dkim: None,
        }
    }

    fn formatted(message: &Message) -> String {
        String::from_utf8(message.formatted()).unwrap()
    }

    /// The header block of a formatted message, unfolded.
    fn headers(message: &Message) -> Vec<String> {
        let text = formatted(message);
        let head = text.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ");
        head.split("\r\n").map(str::to_owned).collect()
    }

    #[test]
    fn a_message_is_from_the_operator_replies_to_the_organisation_and_has_its_own_id() {
        let message = envelope()
            .compose(&mail("Invoice INV-1"), Vec::new(), 1_767_225_600_000)
            .unwrap();
        let headers = headers(&message);
        for expected in [
            "From: Remit <mail@remit.example>",
            "Reply-To: billing@nordlys.example",
            "To: ap@fiskeri.example",
            "Subject: Invoice INV-1",
            "Message-ID: <019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4f01@remit.example>",
            "Date: Thu, 01 Jan 2026 00:00:00 +0000",
        ] {
            assert!(
                headers.iter().any(|h| h == expected),
                "{expected} in {headers:#?}"
            );
        }
        let text = formatted(&message);
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(
            text.contains("text/plain") && text.contains("text/html"),
            "{text}"
        );
    }

    #[test]
    fn a_line_break_in_the_subject_never_starts_a_header() {
        let message = envelope()
            .compose(
                &mail("Invoice\r\nBcc: everyone@evil.example\r\nX-Evil: 1"),
                Vec::new(),
                0,
            )
            .unwrap();
        let headers = headers(&message);
        assert!(
            headers
                .iter()
                .all(|h| !h.starts_with("Bcc:") && !h.starts_with("X-Evil:")),
            "{headers:#?}"
        );
        assert_eq!(message.envelope().to().len(), 1);
    }

    #[test]
    fn the_html_part_is_the_text_escaped_in_paragraphs() {
        assert!(
            html("Hello <Fiskeri> & co,\n\nhere it is.\nBerit")
                .contains("<p>Hello &lt;Fiskeri&gt; &amp; co,</p>\n<p>here it is.<br>\nBerit</p>")
        );
    }

    #[test]
    fn attachments_follow_the_text_in_a_mixed_message() {
        let pdf = Attachment {
            filename: "INV-1.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7".to_vec(),
        };
        let message = envelope()
            .compose(&mail("Invoice INV-1"), vec![pdf], 0)
            .unwrap();
        let text = formatted(&message);
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(text.contains("filename=\"INV-1.pdf\""), "{text}");
        let bad = Attachment {
            filename: "x".into(),
            content_type: "not a type".into(),
            bytes: Vec::new(),
        };
        assert!(matches!(
            envelope().compose(&mail("x"), vec![bad], 0),
            Err(ComposeError::ContentType { .. })
        ));
    }
}
