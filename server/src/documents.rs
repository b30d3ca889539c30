//! Issued documents as files, made from their snapshots alone: the PDF a customer receives (a Factur-X
//! hybrid with its CII embedded), and the e-invoice as UBL 2.1 or CII. A PDF is rendered once; the first
//! rendering's bytes are kept and served, and mailed, ever after. The HTTP files and the mail
//! attachments both come from here.

use std::sync::Arc;

use remit_core::document::issue::Snapshot;
use remit_core::einvoice::{ExportError, snapshot_to_cii, snapshot_to_ubl};
use remit_core::ids::{CreditNoteId, CustomerId, InvoiceId, OrganisationId};
use remit_core::mail::{MailedDocument, MailedKind};
use remit_documents::{
    EmbeddedInvoice, Language, MailText, MailedFacts, RenderError, RenderOptions, invoice_pdf,
    mail_text,
};
use uuid::Uuid;

use crate::mail::{Attachment, AttachmentError, Attachments, AttachmentsFuture};
use crate::store::renderings::{self, Format};
use crate::store::{Store, StoreError, credit_notes, customers, invoices};

/// Why a document's file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// The document was issued before core refused what the EN 16931 rules reject.
    #[error("{what} cannot be written as an e-invoice: {source}")]
    NotAnEInvoice {
        what: String,
        #[source]
        source: ExportError,
    },
    #[error("{what} cannot be rendered")]
    Render {
        what: String,
        #[source]
        source: RenderError,
    },
    /// The rendering stopped before it finished (it panicked, or the server is shutting down).
    #[error("rendering {what} stopped")]
    RenderTask {
        what: String,
        #[source]
        source: tokio::task::JoinError,
    },
}

/// An issued invoice or credit note of an organisation.
#[derive(Debug, Clone)]
pub struct IssuedDocument {
    pub organisation: OrganisationId,
    pub kind: MailedKind,
    pub id: Uuid,
    pub customer: CustomerId,
    pub snapshot: Snapshot,
}

impl IssuedDocument {
    /// The organisation's issued document `id` of `kind`; `None` for anyone else's or none at all.
    pub async fn find(
        store: &Store,
        organisation: OrganisationId,
        document: MailedDocument,
    ) -> Result<Option<Self>, StoreError> {
        let mut conn = store.read().await?;
        let found = match document.kind {
            MailedKind::Invoice => {
                let id = InvoiceId::try_from(document.id).ok();
                match id {
                    Some(id) => invoices::find_invoice(&mut conn, organisation, id)
                        .await?
                        .map(|i| (i.customer_id, i.snapshot)),
                    None => None,
                }
            }
            MailedKind::CreditNote => {
                let id = CreditNoteId::try_from(document.id).ok();
                match id {
                    Some(id) => credit_notes::find_credit_note(&mut conn, organisation, id)
                        .await?
                        .map(|n| (n.customer_id, n.snapshot)),
                    None => None,
                }
            }
        };
        Ok(found.map(|(customer, snapshot)| Self {
            organisation,
            kind: document.kind,
            id: document.id,
            customer,
            snapshot,
        }))
    }

    /// The file name of its `extension` (`INV-2026-000001.pdf`): the number, with anything but letters,
    /// digits and hyphens as `_`.
    pub fn file_name(&self, extension: &str) -> String {
        let number: String = self
            .snapshot
            .number
            .to_string()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{number}.{extension}")
    }

    pub fn ubl(&self) -> Result<String, DocumentError> {
        snapshot_to_ubl(&self.snapshot).map_err(|source| self.not_an_e_invoice("UBL", source))
    }

    pub fn cii(&self) -> Result<String, DocumentError> {
        snapshot_to_cii(&self.snapshot).map_err(|source| self.not_an_e_invoice("CII", source))
    }

    fn not_an_e_invoice(&self, syntax: &str, source: ExportError) -> DocumentError {
        DocumentError::NotAnEInvoice {
            what: format!("{} as {syntax}", self.snapshot.number),
            source,
        }
    }

    /// The kept PDF, or the first one, rendered now in the customer's language and kept.
    pub async fn pdf(&self, store: &Store) -> Result<Vec<u8>, DocumentError> {
        let mut conn = store.read().await?;
        if let Some(kept) =
            renderings::find_rendering(&mut conn, self.organisation, self.id, Format::Pdf).await?
        {
            return Ok(kept);
        }
        let language = self.language(&mut conn).await?;
        drop(conn);
        let rendered = self.render(language).await?;
        let mut tx = store.write().await?;
        let kept = renderings::keep_first_rendering(
            &mut tx,
            self.organisation,
            self.id,
            Format::Pdf,
            rendered,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(kept)
    }

    /// The customer's language; English when the customer has none Remit writes.
    async fn language(&self, conn: &mut sqlx::AnyConnection) -> Result<Language, StoreError> {
        let customer = customers::find_customer(conn, self.organisation, self.customer).await?;
        Ok(customer
            .and_then(|c| c.language)
            .and_then(|l| Language::from_tag(l.code()))
            .unwrap_or_default())
    }

    /// The subject and body a mail of the document gets where the user wrote none: in the customer's
    /// language, naming the document, the amount due and (an invoice's) due date.
    pub async fn mail_text(&self, store: &Store) -> Result<MailText, DocumentError> {
        let language = self.language(&mut *store.read().await?).await?;
        let s = &self.snapshot;
        let number = s.number.to_string();
        let facts = MailedFacts {
            kind: self.kind,
            number: &number,
            seller: &s.seller.name,
            amount: s.totals.amount_due,
            due_date: match self.kind {
                MailedKind::Invoice => s.schedule.iter().map(|p| p.due_date).max(),
                MailedKind::CreditNote => None,
            },
        };
        mail_text(language, &facts).map_err(|source| DocumentError::Render {
            what: format!("the mail of {number}"),
            source,
        })
    }

    /// The PDF with the CII embedded (Factur-X, EN 16931 profile). A snapshot that does not export (one
    /// issued before core refused what the rules reject) gets a plain PDF, and the reason is logged.
    async fn render(&self, language: Language) -> Result<Vec<u8>, DocumentError> {
        let what = || self.snapshot.number.to_string();
        let embedded_invoice = match self.cii() {
            Ok(xml) => Some(EmbeddedInvoice::factur_x(xml.into_bytes())),
            Err(e) => {
                tracing::warn!(document = %what(), error = %e, "rendered without its e-invoice");
                None
            }
        };
        let options = RenderOptions {
            language,
            embedded_invoice,
            ..RenderOptions::default()
        };
        let snapshot = self.snapshot.clone();
        // Rendering is CPU work (tens of milliseconds for a long invoice): off the async workers.
        tokio::task::spawn_blocking(move || invoice_pdf(&snapshot, &options))
            .await
            .map_err(|source| DocumentError::RenderTask {
                what: what(),
                source,
            })?
            .map_err(|source| DocumentError::Render {
                what: what(),
                source,
            })
    }
}

/// A mailed document's files: its PDF (the kept rendering) and its UBL, for the customer's systems.
#[derive(Debug, Clone)]
pub struct DocumentAttachments {
    store: Store,
}

impl DocumentAttachments {
    pub fn new(store: Store) -> Arc<Self> {
        Arc::new(Self { store })
    }

    async fn files(
        &self,
        organisation: OrganisationId,
        document: MailedDocument,
    ) -> Result<Vec<Attachment>, DocumentError> {
        let Some(issued) = IssuedDocument::find(&self.store, organisation, document).await? else {
            return Ok(Vec::new());
        };
        let mut files = vec![Attachment {
            filename: issued.file_name("pdf"),
            content_type: "application/pdf".into(),
            bytes: issued.pdf(&self.store).await?,
        }];
        match issued.ubl() {
            Ok(xml) => files.push(Attachment {
                filename: issued.file_name("xml"),
                content_type: "application/xml".into(),
                bytes: xml.into_bytes(),
            }),
            Err(e) => tracing::warn!(error = %e, "mailed without its e-invoice"),
        }
        Ok(files)
    }
}

impl Attachments for DocumentAttachments {
    fn attachments(
        &self,
        organisation: OrganisationId,
        document: MailedDocument,
    ) -> AttachmentsFuture<'_> {
        Box::pin(async move {
            self.files(organisation, document)
                .await
                .map_err(|e| AttachmentError(Box::new(e)))
        })
    }
}
