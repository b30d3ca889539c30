//! Issued invoices and credit notes as PDF, made in Rust and without IO: a frozen
//! [`Snapshot`] and the [`RenderOptions`] in, the bytes of a PDF/A-3b document out.
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
mod render;
mod text;

use krilla::image::Image;
pub use remit_core::document::issue::Snapshot;
use remit_core::validation::ValidationError;

pub use extract::{
    EmbeddedXml, ExtractError, INVOICE_FILE_NAMES, MAX_PDF_BYTES, MAX_XML_BYTES, embedded_invoice,
    is_pdf,
};
pub use layout::Paper;
pub use locale::Language;
pub use mail::{MailText, MailedFacts, mail_text};

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
    let logo = match &options.logo {
        Some(png) => Some(Image::from_png(png.clone().into(), false).map_err(RenderError::Logo)?),
        None => None,
    };
    let mut flow = layout::Flow::new(options.paper);
    let writer = invoice::Writer {
        fonts: &fonts,
        l10n: &l10n,
        snapshot,
        width: flow.content_width(),
    };
    writer.write(&mut flow, logo.as_ref().map(logo_size))?;
    let pages = flow.finish(&fonts, |page, pages| {
        let (page, pages) = (l10n.quantity(page.into())?, l10n.quantity(pages.into())?);
        let args = [
            ("page", locale::Arg::Text(&page)),
            ("pages", locale::Arg::Text(&pages)),
        ];
        let left = format!("{} · {}", snapshot.seller.name, snapshot.number);
        Ok((left, l10n.text("page", &args)?))
    })?;
    let kind = invoice::kind_id(snapshot.kind);
    let title = l10n.text("document-title", &[("kind", locale::Arg::Text(kind))])?;
    let info = render::Info {
        title: format!("{title} {}", snapshot.number),
        language: options.language.tag(),
        snapshot,
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
