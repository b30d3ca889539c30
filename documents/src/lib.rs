//! Issued invoices and credit notes as PDF, made in Rust and without IO: a frozen
//! [`Snapshot`] and the [`RenderOptions`] in, the bytes of a PDF/A-3b document out. Customer
//! statements ([`statement_pdf`]) and payment receipts ([`receipt_pdf`]) the same way, from what core
//! computed for them.
//!
//! - Everything printed comes from the snapshot; every amount is one core computed (its totals, its
//!   schedule, core's line adjustment amounts). Nothing here does arithmetic on money.
//! - Text is in the customer's [`Language`], from the Fluent catalogues in `documents/i18n/`, with
//!   numbers, percentages, dates and amounts formatted by ICU4X from CLDR data.
//! - The fonts (DejaVu Sans, `documents/fonts/`) are embedded as subsets: the text is searchable and
//!   copyable and the document looks the same everywhere.
//! - Given the CII of the invoice, the PDF is a Factur-X hybrid (EN 16931 profile): the XML embedded
//!   as `factur-x.xml` with `/AFRelationship /Alternative`, and the `fx:` properties in the XMP.
//! - A mailed document's default subject and body come from the same catalogues ([`mail_text`]).
//! - Read the other way, [`embedded_invoice`] takes the XML out of any Factur-X / ZUGFeRD / XRechnung
//!   hybrid PDF (untrusted input: size-limited, never a panic).
//! - The same snapshot and options always give the same bytes: the document's date is the issue date,
//!   its id the snapshot's digest, and no clock is read. Still, store the first rendering and serve it:
//!   a font or crate upgrade may change later renderings.
//!
//! Limits, stated rather than hidden:
//! - PDF/A-3b conformance is what krilla's `Archival::A3_B` validator enforces while writing (fonts
//!   embedded, no `.notdef` glyph, embedded files with MIME type, date and description, XMP, output
//!   intent). No independent PDF/A validator (veraPDF) is reachable here; the tests read the result
//!   with poppler, pikepdf and the `factur-x` library instead.
//! - DejaVu Sans covers Latin, Greek and Cyrillic scripts and more, but not CJK: a snapshot with a
//!   character the fonts lack is refused ([`RenderError::Pdf`]) rather than printed as a box.
//! - The logo is given per rendering ([`RenderOptions::logo`]); freezing it with the snapshot at issue is
//!   the caller's (the server stores the first rendering's bytes).

mod extract;
mod facturx;
mod invoice;
mod layout;
mod locale;
mod mail;
mod parts;
mod receipt;
mod render;
mod statement;
mod text;

use krilla::image::Image;
use remit_core::document::issue::CORE_VERSION;
pub use remit_core::document::issue::Snapshot;
use remit_core::validation::ValidationError;

pub use extract::{
    EmbeddedXml, ExtractError, INVOICE_FILE_NAMES, MAX_PDF_BYTES, MAX_XML_BYTES, embedded_invoice,
    is_pdf,
};
pub use layout::Paper;
pub use locale::{Arg, Language, Localizer};
pub use mail::{LinkMailFacts, LinkWording, MailText, MailedFacts, link_mail_text, mail_text};
pub use receipt::ReceiptDocument;
pub use statement::StatementDocument;

/// The name Factur-X (and ZUGFeRD 2) give the embedded XML.
pub const FACTURX_FILE_NAME: &str = "factur-x.xml";

/// The e-invoice of the document, to embed as a Factur-X hybrid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedInvoice {
    /// The UN/CEFACT CII of the same document, EN 16931 profile.
    pub xml: Vec<u8>,
    pub(crate) file_name: String,
    pub(crate) description: String,
}

impl EmbeddedInvoice {
    /// The CII `xml`, embedded as [`FACTURX_FILE_NAME`].
    pub fn factur_x(xml: Vec<u8>) -> Self {
        Self {
            xml,
            file_name: FACTURX_FILE_NAME.to_owned(),
            description: "Factur-X invoice (EN 16931)".to_owned(),
        }
    }
}

/// How to render.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderOptions {
    pub paper: Paper,
    pub language: Language,
    /// The organisation's logo as PNG, printed at most 160 × 56 pt in the top left corner.
    pub logo: Option<Vec<u8>>,
    /// The e-invoice to embed; without it the PDF is a plain PDF/A-3b.
    pub embedded_invoice: Option<EmbeddedInvoice>,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The snapshot contradicts itself (core refuses to compute something it states).
    #[error("the snapshot cannot be printed: {0}")]
    Snapshot(#[from] ValidationError),
    #[error("the snapshot is inconsistent: {0}")]
    Inconsistent(&'static str),
    #[error("the logo is not a PNG image krilla can read: {0}")]
    Logo(String),
    #[error("the fonts cannot be loaded: {0}")]
    Font(&'static str),
    #[error("the message catalogue: {0}")]
    Catalogue(String),
    #[error("locale data: {0}")]
    Locale(String),
    /// krilla refused the document, for example because PDF/A-3b forbids something in it (a
    /// character the embedded fonts do not have).
    #[error("writing the PDF: {0}")]
    Pdf(String),
}

const LOGO_MAX: (f32, f32) = (160.0, 56.0);

/// The logo's size in points, scaled down to fit [`LOGO_MAX`] and never up.
fn logo_size(image: &Image) -> (f32, f32) {
    let (w, h) = image.size();
    let (w, h) = (w.max(1) as f32, h.max(1) as f32);
    let scale = (LOGO_MAX.0 / w).min(LOGO_MAX.1 / h).min(1.0);
    (w * scale, h * scale)
}

/// The PDF of an issued invoice or credit note (the snapshot says which).
pub fn invoice_pdf(snapshot: &Snapshot, options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let fonts = text::Fonts::load()?;
    let l10n = locale::Localizer::new(options.language)?;
    let logo = load_logo(options)?;
    let mut flow = layout::Flow::new(options.paper);
    let writer = invoice::Writer {
        fonts: &fonts,
        l10n: &l10n,
        snapshot,
        width: flow.content_width(),
    };
    writer.write(&mut flow, logo.as_ref().map(logo_size))?;
    let footer = format!("{} · {}", snapshot.seller.name, snapshot.number);
    let pages = paginate(flow, &fonts, &l10n, &footer)?;
    let kind = invoice::kind_id(snapshot.kind);
    let title = l10n.text("document-title", &[("kind", locale::Arg::Text(kind))])?;
    let info = render::Info {
        title: format!("{title} {}", snapshot.number),
        language: options.language.tag(),
        author: snapshot.seller.name.clone(),
        producer: format!("Remit {}", snapshot.core_version),
        date: snapshot.issue_date,
        document_id: snapshot.digest(),
    };
    let attachment = options.embedded_invoice.as_ref();
    let pdf = render::pdf(
        &pages,
        options.paper,
        &fonts,
        logo.as_ref(),
        attachment,
        &info,
    )?;
    match attachment {
        Some(embedded) => facturx::declare(&pdf, &embedded.file_name),
        None => Ok(pdf),
    }
}

/// The PDF of a customer's statement: open items and account activity, one section per currency.
pub fn statement_pdf(
    statement: &StatementDocument,
    options: &RenderOptions,
) -> Result<Vec<u8>, RenderError> {
    let (fonts, l10n, logo, mut flow) = start(options)?;
    let writer = statement::Writer {
        fonts: &fonts,
        l10n: &l10n,
        statement,
        width: flow.content_width(),
    };
    writer.write(&mut flow, logo.as_ref().map(logo_size))?;
    let title = l10n.label("statement-title")?;
    let date = l10n.date(statement.on)?;
    let footer = format!("{} · {title} · {date}", statement.seller.name);
    let pages = paginate(flow, &fonts, &l10n, &footer)?;
    let info = render::Info {
        title: format!("{title} {} {date}", statement.customer.name),
        language: options.language.tag(),
        author: statement.seller.name.clone(),
        producer: format!("Remit {CORE_VERSION}"),
        date: statement.on,
        document_id: format!(
            "statement {} {} {} {}",
            statement.customer.name, statement.from, statement.to, statement.on
        ),
    };
    render::pdf(&pages, options.paper, &fonts, logo.as_ref(), None, &info)
}

/// The PDF of a payment's receipt: the money received and the invoices it paid.
pub fn receipt_pdf(
    receipt: &ReceiptDocument,
    options: &RenderOptions,
) -> Result<Vec<u8>, RenderError> {
    let (fonts, l10n, logo, mut flow) = start(options)?;
    let writer = receipt::Writer {
        fonts: &fonts,
        l10n: &l10n,
        receipt,
        width: flow.content_width(),
    };
    writer.write(&mut flow, logo.as_ref().map(logo_size))?;
    let title = l10n.label("receipt-title")?;
    let received = &receipt.payment.received;
    let date = l10n.date(received.received_on)?;
    let footer = format!("{} · {title} · {date}", receipt.seller.name);
    let pages = paginate(flow, &fonts, &l10n, &footer)?;
    let info = render::Info {
        title: format!("{title} {} {date}", receipt.customer.name),
        language: options.language.tag(),
        author: receipt.seller.name.clone(),
        producer: format!("Remit {CORE_VERSION}"),
        date: received.received_on,
        document_id: received.id.to_string(),
    };
    render::pdf(&pages, options.paper, &fonts, logo.as_ref(), None, &info)
}

/// What every rendering starts from: the fonts, the language, the logo and an empty flow. Only an
/// invoice embeds an e-invoice: one given for another document is refused.
fn start(
    options: &RenderOptions,
) -> Result<(text::Fonts, locale::Localizer, Option<Image>, layout::Flow), RenderError> {
    if options.embedded_invoice.is_some() {
        return Err(RenderError::Inconsistent(
            "only an invoice or credit note embeds an e-invoice",
        ));
    }
    Ok((
        text::Fonts::load()?,
        locale::Localizer::new(options.language)?,
        load_logo(options)?,
        layout::Flow::new(options.paper),
    ))
}

/// The logo of `options`, read as PNG.
fn load_logo(options: &RenderOptions) -> Result<Option<Image>, RenderError> {
    options
        .logo
        .as_ref()
        .map(|png| Image::from_png(png.clone().into(), false).map_err(RenderError::Logo))
        .transpose()
}

/// The flow's pages, each with `footer` on the left and "Page n of m" on the right.
fn paginate(
    flow: layout::Flow,
    fonts: &text::Fonts,
    l10n: &locale::Localizer,
    footer: &str,
) -> Result<Vec<Vec<layout::Op>>, RenderError> {
    flow.finish(fonts, |page, pages| {
        let (page, pages) = (l10n.quantity(page.into())?, l10n.quantity(pages.into())?);
        let args = [
            ("page", locale::Arg::Text(&page)),
            ("pages", locale::Arg::Text(&pages)),
        ];
        Ok((footer.to_owned(), l10n.text("page", &args)?))
    })
}
