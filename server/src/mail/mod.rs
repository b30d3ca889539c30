//! Outgoing mail: issued invoices, credit notes and payments' receipts sent by SMTP (`mail.send`), and
//! portal links mailed as they are made ([`link`]; no attachments, the link's address in the text).
//!
//! A mail is queued in `mail_queue` in the transaction of the `mail.send` that asked for it
//! ([`crate::store::mail`]), so it is queued if and only if the mutation applied, once. The [`send::Sender`]
//! started by `remit serve --smtp-url …` sends what is due, retries what the relay or the network did
//! not take with backoff, and records on the mail's synced record whether it was sent or failed (a 5xx
//! reply, or every retry used up). Without `--smtp-url` no sender runs and mail waits, queued.
//!
//! Each message is built by [`compose`]: From the operator's address, Reply-To the organisation's,
//! a `Message-ID` made from the mail's id (the same on every attempt), a plain-text and an HTML part,
//! and the document's attachments, which the sender asks an [`Attachments`] provider for when it sends;
//! signed with DKIM when a key is configured.

pub mod compose;
pub mod link;
pub mod send;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use lettre::message::Mailbox;
use lettre::message::dkim::{DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
use remit_core::ids::OrganisationId;
use remit_core::mail::MailedDocument;

use crate::clock::Clock;
use crate::documents::DocumentAttachments;
use crate::store::Store;
use compose::Envelope;
use send::{RelayError, Sender};

/// How `remit serve` sends mail (`--smtp-url`, `--mail-from`, `--dkim-*`).
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (no TLS), `smtp://host:port?tls=required` (STARTTLS), `smtps://host:port`.
    pub smtp_url: String,
    /// The operator's address every message is from: `Remit <billing@remit.example>`.
    pub from: String,
    pub dkim: Option<DkimKey>,
    /// Where the documents' files come from: by default ([`None`]) the issued documents' own PDF and
    /// UBL ([`crate::documents::DocumentAttachments`]); a test may give its own.
    pub attachments: Option<Arc<dyn Attachments>>,
}

/// A DKIM signing key and where its public half is published (`<selector>._domainkey.<domain>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKey {
    pub selector: String,
    /// The signing domain; the From address's domain when `None`.
    pub domain: Option<String>,
    /// An RSA key in PKCS#1 PEM, or an Ed25519 key as base64 of its 32 bytes.
    pub private_key: String,
    pub ed25519: bool,
}

/// Why mail cannot be set up as configured; `remit serve` does not start.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error(transparent)]
    Relay(#[from] RelayError),
    #[error("--mail-from {0:?} is not an address (Name <user@example.org> or user@example.org)")]
    From(String),
    #[error("the DKIM key cannot be read: {0}")]
    DkimKey(String),
}

impl MailConfig {
    /// The From address and DKIM signature every message gets.
    pub fn envelope(&self) -> Result<Envelope, MailSetupError> {
        let from: Mailbox = self
            .from
            .parse()
            .map_err(|_| MailSetupError::From(self.from.clone()))?;
        let dkim = match &self.dkim {
            Some(key) => {
                let algorithm = if key.ed25519 {
                    DkimSigningAlgorithm::Ed25519
                } else {
                    DkimSigningAlgorithm::Rsa
                };
                let signing = DkimSigningKey::new(key.private_key.trim(), algorithm)
                    .map_err(|e| MailSetupError::DkimKey(e.to_string()))?;
                let domain = key
                    .domain
                    .clone()
                    .unwrap_or_else(|| from.email.domain().to_owned());
                Some(DkimConfig::default_config(
                    key.selector.clone(),
                    domain,
                    signing,
                ))
            }
            None => None,
        };
        Ok(Envelope { from, dkim })
    }

    /// The sender of this configuration, polling every `poll`.
    pub fn sender(
        &self,
        store: Store,
        clock: Clock,
        poll: std::time::Duration,
    ) -> Result<Sender, MailSetupError> {
        let attachments = self
            .attachments
            .clone()
            .unwrap_or_else(|| DocumentAttachments::new(store.clone()));
        Ok(Sender::new(
            store,
            clock,
            send::relay(&self.smtp_url)?,
            self.envelope()?,
            attachments,
            poll,
        ))
    }
}

/// One file attached to a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// A MIME type: `application/pdf`, `application/xml`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Why a document's attachments could not be made. The sender tries the mail again later.
#[derive(Debug, thiserror::Error)]
#[error("cannot attach the document: {0}")]
pub struct AttachmentError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// What [`Attachments::attachments`] returns.
pub type AttachmentsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Attachment>, AttachmentError>> + Send + 'a>>;

/// Makes the files a mailed document carries (its PDF; for an invoice also its e-invoice XML), asked
/// by the sender each time it sends.
pub trait Attachments: Send + Sync + std::fmt::Debug {
    fn attachments(
        &self,
        organisation: OrganisationId,
        document: MailedDocument,
    ) -> AttachmentsFuture<'_>;
}

#[cfg(test)]
mod tests {
    use remit_core::ids::MailId;
    use remit_core::mail::MailedKind;
    use uuid::Uuid;

    use super::*;
    use crate::store::mail::Claimed;

    fn config(dkim: Option<DkimKey>) -> MailConfig {
        MailConfig {
            smtp_url: "smtp://127.0.0.1:2525".into(),
            from: "Remit <mail@remit.example>".into(),
            dkim,
            attachments: None,
        }
    }

    fn claimed() -> Claimed {
        Claimed {
            id: MailId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4f01").unwrap(),
            organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            document: MailedDocument {
                kind: MailedKind::Invoice,
                id: Uuid::parse_str("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4eb1").unwrap(),
            },
            to: "ap@fiskeri.example".into(),
            reply_to: None,
            subject: "Invoice INV-1".into(),
            text: "Hello".into(),
            attempts: 1,
        }
    }

    #[test]
    fn with_a_dkim_key_every_message_is_signed_for_the_from_domain() {
        let key = DkimKey {
            selector: "mail2026".into(),
            domain: None,
            private_key: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into(),
            ed25519: true,
        };
        let message = config(Some(key))
            .envelope()
            .unwrap()
            .compose(&claimed(), Vec::new(), 0)
            .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        let signature = text
            .split("\r\n")
            .find(|h| h.starts_with("DKIM-Signature:"))
            .unwrap_or_else(|| panic!("no DKIM-Signature in {text}"));
        assert!(signature.contains("a=ed25519-sha256"), "{signature}");
        assert!(signature.contains("d=remit.example"), "{signature}");
        assert!(signature.contains("s=mail2026"), "{signature}");
        let unsigned = config(None)
            .envelope()
            .unwrap()
            .compose(&claimed(), Vec::new(), 0)
            .unwrap();
        assert!(
            !String::from_utf8(unsigned.formatted())
                .unwrap()
                .contains("DKIM-Signature")
        );
    }

    #[test]
    fn a_bad_from_address_or_key_stops_the_set_up() {
        let bad_from = MailConfig {
            from: "not an address".into(),
            ..config(None)
        };
        assert!(matches!(bad_from.envelope(), Err(MailSetupError::From(_))));
        let bad_key = DkimKey {
            selector: "s".into(),
            domain: Some("remit.example".into()),
            private_key:
                "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----".into(),
            ed25519: false,
        };
        assert!(matches!(
            config(Some(bad_key)).envelope(),
            Err(MailSetupError::DkimKey(_))
        ));
    }
}
