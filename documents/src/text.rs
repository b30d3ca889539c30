//! The fonts shipped with the crate (DejaVu Sans, `documents/fonts/`, licence beside them) and text
//! measurement by the same shaper krilla draws with, so right-aligned amounts line up exactly.

use krilla::text::Font;

use crate::RenderError;

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which of the two faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

pub struct Fonts {
    regular: Font,
    bold: Font,
    regular_face: rustybuzz::Face<'static>,
    bold_face: rustybuzz::Face<'static>,
}

impl Fonts {
    pub fn load() -> Result<Self, RenderError> {
        let font = |data: &'static [u8]| {
            Font::new(data.into(), 0).ok_or(RenderError::Font("krilla cannot read the font"))
        };
        let face = |data: &'static [u8]| {
            rustybuzz::Face::from_slice(data, 0)
                .ok_or(RenderError::Font("the shaper cannot read the font"))
        };
        Ok(Self {
            regular: font(REGULAR)?,
            bold: font(BOLD)?,
            regular_face: face(REGULAR)?,
            bold_face: face(BOLD)?,
        })
    }

    pub fn font(&self, face: Face) -> Font {
        match face {
            Face::Regular => self.regular.clone(),
            Face::Bold => self.bold.clone(),
        }
    }

    /// The advance width of `text` at `size` points, as shaped.
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let shaper = match face {
            Face::Regular => &self.regular_face,
            Face::Bold => &self.bold_face,
        };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(shaper, &[], buffer);
        let units: i32 = output.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 * size / shaper.units_per_em() as f32
    }

    /// `text` broken into lines no wider than `width`: at spaces, and inside a word only when the word
    /// alone is wider. Line breaks in the text are kept.
    pub fn wrap(&self, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(face, size, &candidate) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if self.width(face, size, &line) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }
}
