//! Issued documents as files, made from their snapshots alone: the PDF a customer receives (a Factur-X
//! hybrid with its CII embedded), and the e-invoice as UBL 2.1 or CII. A PDF is rendered once; the first
//! rendering's bytes are kept and served, and mailed, ever after. The HTTP files and the mail
//! attachments both come from here.
//!
//! A customer's statement ([`statement_pdf`]) and a payment's receipt ([`receipt_pdf`]) as PDF too: a
//! statement is of a moment and rendered for each request; a receipt is kept like an invoice.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use remit_core::customer::Customer;
use remit_core::document::issue::Snapshot;
use remit_core::einvoice::{ExportError, snapshot_to_cii, snapshot_to_ubl};
use remit_core::ids::{CreditNoteId, CustomerId, InvoiceId, OrganisationId, PaymentId};
use remit_core::mail::{MailedDocument, MailedKind};
use remit_core::receivables::aging::{self, AgingPolicy};
use remit_core::receivables::payment::Payment;
use remit_core::sync::EntityKind;
use remit_documents::{
    EmbeddedInvoice, Language, MailText, MailedFacts, ReceiptDocument, RenderError, RenderOptions,
    StatementDocument, invoice_pdf, mail_text,
};
use uuid::Uuid;

use crate::mail::{Attachment, AttachmentError, Attachments, AttachmentsFuture};
use crate::statements::{self, Period, StatementError};
use crate::store::renderings::{self, Format};
use crate::store::{Store, StoreError, credit_notes, customers, invoices, records};

/// Why a document's file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// The statement asked for cannot be written (its period, or what is stored).
    #[error(transparent)]
    Statement(#[from] StatementError),
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

/// A document's file as it is downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// Letters, digits, hyphens, underscores and dots only: safe in a header as it is.
    pub file_name: String,
}

impl IntoResponse for DocumentFile {
    fn into_response(self) -> Response {
        let disposition = format!("attachment; filename=\"{}\"", self.file_name);
        let mut response = self.bytes.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        response
    }
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
            // A portal link is no issued document: its mail is worded when it is queued. A receipt
            // is made from its payment ([`receipt_pdf`]).
            MailedKind::PortalLink | MailedKind::Receipt => None,
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
        format!(
            "{}.{extension}",
            file_safe(&self.snapshot.number.to_string())
        )
    }

    /// The file a download asks for by name (`pdf`, `ubl` or `cii`); none for any other name.
    pub async fn file(
        &self,
        store: &Store,
        name: &str,
    ) -> Result<Option<DocumentFile>, DocumentError> {
        let (bytes, content_type, extension) = match name {
            "pdf" => (self.pdf(store).await?, "application/pdf", "pdf"),
            "ubl" => (self.ubl()?.into_bytes(), "application/xml", "ubl.xml"),
            "cii" => (self.cii()?.into_bytes(), "application/xml", "cii.xml"),
            _ => return Ok(None),
        };
        Ok(Some(DocumentFile {
            bytes,
            content_type,
            file_name: self.file_name(extension),
        }))
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
        Ok(language_of(customer.as_ref()))
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
                MailedKind::CreditNote | MailedKind::PortalLink | MailedKind::Receipt => None,
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
        off_the_workers(what(), move || invoice_pdf(&snapshot, &options)).await
    }
}

/// The subject and body a mail of `document` gets where the user wrote none, in the customer's
/// language: an issued document's ([`IssuedDocument::mail_text`]), or a payment's receipt's (the amount
/// paid and the day it was received). `None` when the organisation has no such document.
pub async fn default_mail_text(
    store: &Store,
    organisation: OrganisationId,
    document: MailedDocument,
) -> Result<Option<MailText>, DocumentError> {
    if document.kind != MailedKind::Receipt {
        return match IssuedDocument::find(store, organisation, document).await? {
            Some(issued) => issued.mail_text(store).await.map(Some),
            None => Ok(None),
        };
    }
    let Ok(id) = PaymentId::try_from(document.id) else {
        return Ok(None);
    };
    let mut conn = store.read().await?;
    let Some(payment) = find_payment(&mut conn, organisation, id).await? else {
        return Ok(None);
    };
    let received = &payment.received;
    let customer = customers::find_customer(&mut conn, organisation, received.customer_id).await?;
    let settings = records::settings(&mut conn, organisation).await?;
    drop(conn);
    let facts = MailedFacts {
        kind: MailedKind::Receipt,
        number: received.reference.trim(),
        seller: &settings.seller.name,
        amount: received.amount,
        due_date: Some(received.received_on),
    };
    mail_text(language_of(customer.as_ref()), &facts)
        .map(Some)
        .map_err(|source| DocumentError::Render {
            what: format!("the mail of the receipt of payment {id}"),
            source,
        })
}

/// The organisation's payment `id` as recorded; `None` for another organisation's or none at all.
async fn find_payment(
    conn: &mut sqlx::AnyConnection,
    organisation: OrganisationId,
    id: PaymentId,
) -> Result<Option<Payment>, StoreError> {
    let found =
        records::find_record::<Payment>(conn, organisation, EntityKind::Payment, id.as_uuid())
            .await?;
    Ok(found.map(|stored| stored.record))
}

/// A mailed document's files: its PDF (the kept rendering) and its UBL, for the customer's systems; a
/// receipt's PDF.
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
        if document.kind == MailedKind::Receipt {
            let Ok(payment) = PaymentId::try_from(document.id) else {
                return Ok(Vec::new());
            };
            let receipt = receipt_pdf(&self.store, organisation, payment).await?;
            return Ok(receipt
                .into_iter()
                .map(|file| Attachment {
                    filename: file.file_name,
                    content_type: file.content_type.into(),
                    bytes: file.bytes,
                })
                .collect());
        }
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

/// Rendering is CPU work (tens of milliseconds for a long invoice or statement): off the async workers.
async fn off_the_workers(
    what: String,
    render: impl FnOnce() -> Result<Vec<u8>, RenderError> + Send + 'static,
) -> Result<Vec<u8>, DocumentError> {
    match tokio::task::spawn_blocking(render).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(source)) => Err(DocumentError::Render { what, source }),
        Err(source) => Err(DocumentError::RenderTask { what, source }),
    }
}

/// The language documents to the customer are written in; English for one without (or with one Remit
/// does not write documents in yet).
pub(crate) fn language_of(customer: Option<&Customer>) -> Language {
    customer
        .and_then(|c| c.language)
        .and_then(|l| Language::from_tag(l.code()))
        .unwrap_or_default()
}

/// `text` as a file name's part: anything but ASCII letters, digits and hyphens as `_`.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The statement of the organisation's customer `customer` for `period` as a PDF dated `on`, in the
/// customer's language: what `GET /api/customers/{id}/statement` gives for the period, its open items
/// aged on `on` as `GET /api/customers/{id}/aging` ages them, with the organisation's name, address, tax
/// ids and bank account from its settings. `None` for another organisation's customer or none at all.
/// Not kept: a statement is of a moment.
pub async fn statement_pdf(
    store: &Store,
    organisation: OrganisationId,
    customer: CustomerId,
    period: Period,
    on: NaiveDate,
) -> Result<Option<DocumentFile>, DocumentError> {
    let Some((found, statement)) = statements::load(store, organisation, customer, period).await?
    else {
        return Ok(None);
    };
    let settings = records::settings(&mut *store.read().await?, organisation).await?;
    let file_name = format!(
        "statement-{}-{}-{}.pdf",
        file_safe(&found.name),
        period.from,
        period.to
    );
    let currencies: Vec<_> = statement.open_items.iter().map(|o| o.currency).collect();
    let items: Vec<_> = statement
        .open_items
        .iter()
        .flat_map(|o| o.items.iter().cloned())
        .collect();
    let aging = aging::age_in(&currencies, &items, on, &AgingPolicy::default())
        .map_err(|source| StatementError::Stored { customer, source })?;
    let document = StatementDocument {
        aging,
        customer: found.as_buyer(&settings.seller),
        seller: settings.seller,
        bank_account: settings.bank_account,
        on,
        from: statement.from,
        to: statement.to,
        open_items: statement.open_items,
        balance_forward: statement.balance_forward,
    };
    let options = RenderOptions {
        language: language_of(Some(&found)),
        ..RenderOptions::default()
    };
    let what = format!("the statement of customer {customer}");
    let bytes = off_the_workers(what, move || {
        remit_documents::statement_pdf(&document, &options)
    })
    .await?;
    Ok(Some(DocumentFile {
        bytes,
        content_type: "application/pdf",
        file_name,
    }))
}

/// The receipt of the organisation's payment `id` as a PDF in the customer's language: the kept one,
/// or the first, rendered now and kept (a later change of the settings or the customer leaves it as it
/// was given). `None` for another organisation's payment or none at all.
pub async fn receipt_pdf(
    store: &Store,
    organisation: OrganisationId,
    id: PaymentId,
) -> Result<Option<DocumentFile>, DocumentError> {
    let mut conn = store.read().await?;
    let Some(payment) = find_payment(&mut conn, organisation, id).await? else {
        return Ok(None);
    };
    let file_name = format!("receipt-{}-{id}.pdf", payment.received.received_on);
    let kept =
        renderings::find_rendering(&mut conn, organisation, id.as_uuid(), Format::Pdf).await?;
    if let Some(bytes) = kept {
        return Ok(Some(DocumentFile {
            bytes,
            content_type: "application/pdf",
            file_name,
        }));
    }
    let customer_id = payment.received.customer_id;
    let customer = customers::find_customer(&mut conn, organisation, customer_id)
        .await?
        .ok_or_else(|| StoreError::corrupt("payment", format!("{id} names no stored customer")))?;
    let settings = records::settings(&mut conn, organisation).await?;
    let mut invoice_numbers = BTreeMap::new();
    for line in &payment.allocation.lines {
        let invoice = line.item.invoice_id;
        if invoice_numbers.contains_key(&invoice) {
            continue;
        }
        let number = invoices::find_invoice(&mut conn, organisation, invoice)
            .await?
            .ok_or_else(|| {
                StoreError::corrupt("payment", format!("{id} paid {invoice}, not stored"))
            })?
            .snapshot
            .number;
        invoice_numbers.insert(invoice, number.to_string());
    }
    drop(conn);
    let options = RenderOptions {
        language: language_of(Some(&customer)),
        ..RenderOptions::default()
    };
    let document = ReceiptDocument {
        customer: customer.as_buyer(&settings.seller),
        seller: settings.seller,
        payment,
        invoice_numbers,
    };
    let rendered = off_the_workers(format!("the receipt of payment {id}"), move || {
        remit_documents::receipt_pdf(&document, &options)
    })
    .await?;
    let mut tx = store.write().await?;
    let bytes = renderings::keep_first_rendering(
        &mut tx,
        organisation,
        id.as_uuid(),
        Format::Pdf,
        rendered,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(DocumentFile {
        bytes,
        content_type: "application/pdf",
        file_name,
    }))
}
