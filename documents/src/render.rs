//! Laid-out pages drawn with krilla as PDF/A-3b: fonts embedded (subset), text searchable and
//! copyable, the e-invoice attached as an associated file, dates and ids taken from the document so
//! the same document always gives the same bytes.

use chrono::{Datelike, NaiveDate};
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::TextDirection;
use krilla::{Document, SerializeSettings};

use crate::layout::{Op, Paper};
use crate::text::Fonts;
use crate::{EmbeddedInvoice, RenderError};

/// What the PDF states about itself: taken from the document, never from a clock, so the same
/// document always gives the same bytes.
pub struct Info {
    pub title: String,
    pub language: &'static str,
    /// The seller's name.
    pub author: String,
    /// `Remit` and the version of core that computed the figures.
    pub producer: String,
    /// The document's own date (an invoice's issue date, a statement's date, a payment's receipt).
    pub date: NaiveDate,
    /// What identifies the document (an invoice's digest, a payment's id).
    pub document_id: String,
}

fn date_of(date: NaiveDate) -> Result<DateTime, RenderError> {
    let part = |n: u32| u8::try_from(n).map_err(|_| RenderError::Inconsistent("a date part"));
    let year = u16::try_from(date.year()).map_err(|_| RenderError::Inconsistent("a year"))?;
    Ok(DateTime::new(year)
        .month(part(date.month())?)
        .day(part(date.day())?)
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0))
}

/// Draws `pages` into a PDF/A-3b document.
pub fn pdf(
    pages: &[Vec<Op>],
    paper: Paper,
    fonts: &Fonts,
    logo: Option<&Image>,
    attachment: Option<&EmbeddedInvoice>,
    info: &Info,
) -> Result<Vec<u8>, RenderError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        enable_tagging: false,
        ..SerializeSettings::default()
    });
    let date = date_of(info.date)?;
    document.set_metadata(
        Metadata::new()
            .title(info.title.clone())
            .language(info.language.to_owned())
            .authors(vec![info.author.clone()])
            .creator("Remit".to_owned())
            .producer(info.producer.clone())
            .creation_date(date)
            .document_id(info.document_id.clone()),
    );
    if let Some(attachment) = attachment {
        let embedded = EmbeddedFile {
            path: attachment.file_name.clone(),
            mime_type: Some(
                MimeType::new("text/xml").ok_or(RenderError::Inconsistent("a MIME type"))?,
            ),
            description: Some(attachment.description.clone()),
            association_kind: AssociationKind::Alternative,
            data: attachment.xml.clone().into(),
            modification_date: Some(date),
            compress: Some(true),
            location: None,
        };
        document
            .embed_file(embedded)
            .ok_or_else(|| RenderError::Pdf("the file is embedded twice".into()))?;
    }
    let (width, height) = paper.size();
    for ops in pages {
        let settings =
            PageSettings::from_wh(width, height).ok_or(RenderError::Inconsistent("a page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    face,
                    size,
                    text,
                } => surface.draw_text(
                    Point::from_xy(*x, *y),
                    fonts.font(*face),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                ),
                Op::Rule { x1, x2, y, width } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y);
                    path.line_to(*x2, *y);
                    let path = path.finish().ok_or(RenderError::Inconsistent("a rule"))?;
                    let fill = surface.get_fill().cloned();
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        width: *width,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                    surface.set_fill(fill);
                }
                Op::Logo {
                    x,
                    y,
                    width,
                    height,
                } => {
                    if let Some(image) = logo {
                        let size = Size::from_wh(*width, *height)
                            .ok_or(RenderError::Inconsistent("a logo size"))?;
                        surface.push_transform(&Transform::from_translate(*x, *y));
                        surface.draw_image(image.clone(), size);
                        surface.pop();
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))
}
