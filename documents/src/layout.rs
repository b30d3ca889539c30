//! Pages as positioned drawing operations: rows are measured first and placed onto pages, the lines
//! table's header repeats on every page it continues on, and only then, with the page count known,
//! every page gets its footer ("Page 1 of 3").

use crate::RenderError;
use crate::text::{Face, Fonts};

/// A paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

pub const MARGIN: f32 = 42.0;
const FOOTER_SPACE: f32 = 52.0;
const FOOTER_BASELINE: f32 = 28.0;
pub const BODY: f32 = 8.5;
pub const LEADING: f32 = 11.5;

/// One drawing operation; coordinates in points from the page's top-left corner, text at its baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
    },
    Logo {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

impl Op {
    /// The operation `dy` points lower.
    pub fn shifted(mut self, dy: f32) -> Op {
        match &mut self {
            Op::Text { y, .. } | Op::Rule { y, .. } | Op::Logo { y, .. } => *y += dy,
        }
        self
    }
}

/// A block that is never split across pages: its height and its operations, relative to its top-left
/// corner at the content's left margin.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub height: f32,
    pub ops: Vec<Op>,
}

impl Row {
    pub fn new(height: f32) -> Self {
        Row {
            height,
            ops: Vec::new(),
        }
    }

    /// Text with its top at `top`: the baseline sits one ascent below.
    pub fn text(&mut self, x: f32, top: f32, face: Face, size: f32, text: impl Into<String>) {
        let text = text.into();
        if text.is_empty() {
            return;
        }
        self.ops.push(Op::Text {
            x,
            y: top + size * 0.95,
            face,
            size,
            text,
        });
    }

    /// Text ending at `right`.
    #[allow(clippy::too_many_arguments)]
    pub fn text_right(
        &mut self,
        fonts: &Fonts,
        right: f32,
        top: f32,
        face: Face,
        size: f32,
        text: impl Into<String>,
    ) {
        let text = text.into();
        let width = fonts.width(face, size, &text);
        self.text(right - width, top, face, size, text);
    }

    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        self.ops.push(Op::Rule { x1, x2, y, width });
    }
}

/// Rows placed onto pages of one paper size.
pub struct Flow {
    width: f32,
    height: f32,
    y: f32,
    pages: Vec<Vec<Op>>,
    repeat: Option<Row>,
}

impl Flow {
    pub fn new(paper: Paper) -> Self {
        let (width, height) = paper.size();
        Flow {
            width,
            height,
            y: MARGIN,
            pages: vec![Vec::new()],
            repeat: None,
        }
    }

    /// The width between the margins.
    pub fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN
    }

    /// Places `row` below the previous one, on a new page when it does not fit.
    pub fn place(&mut self, row: Row) {
        if self.y + row.height > self.height - FOOTER_SPACE && self.y > MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
            if let Some(header) = self.repeat.clone() {
                self.put(header);
            }
        }
        self.put(row);
    }

    fn put(&mut self, row: Row) {
        let (dx, dy) = (MARGIN, self.y);
        let page = self.pages.last_mut().expect("a flow always has a page");
        page.extend(row.ops.into_iter().map(|op| {
            let op = op.shifted(dy);
            match op {
                Op::Text {
                    x,
                    y,
                    face,
                    size,
                    text,
                } => Op::Text {
                    x: x + dx,
                    y,
                    face,
                    size,
                    text,
                },
                Op::Rule { x1, x2, y, width } => Op::Rule {
                    x1: x1 + dx,
                    x2: x2 + dx,
                    y,
                    width,
                },
                Op::Logo {
                    x,
                    y,
                    width,
                    height,
                } => Op::Logo {
                    x: x + dx,
                    y,
                    width,
                    height,
                },
            }
        }));
        self.y += row.height;
    }

    /// Starts a table whose `header` is placed now and again at the top of every page it continues on.
    pub fn start_table(&mut self, header: Row) {
        self.place(header.clone());
        self.repeat = Some(header);
    }

    pub fn end_table(&mut self) {
        self.repeat = None;
    }

    /// The pages, each with `footer(page, pages)` (left and right text) at its foot.
    pub fn finish(
        self,
        fonts: &Fonts,
        footer: impl Fn(usize, usize) -> Result<(String, String), RenderError>,
    ) -> Result<Vec<Vec<Op>>, RenderError> {
        let count = self.pages.len();
        let baseline = self.height - FOOTER_BASELINE;
        let right = self.width - MARGIN;
        self.pages
            .into_iter()
            .enumerate()
            .map(|(i, mut ops)| {
                let (left, page) = footer(i + 1, count)?;
                ops.push(Op::Rule {
                    x1: MARGIN,
                    x2: right,
                    y: baseline - 11.0,
                    width: 0.4,
                });
                ops.push(Op::Text {
                    x: MARGIN,
                    y: baseline,
                    face: Face::Regular,
                    size: 7.5,
                    text: left,
                });
                let width = fonts.width(Face::Regular, 7.5, &page);
                ops.push(Op::Text {
                    x: right - width,
                    y: baseline,
                    face: Face::Regular,
                    size: 7.5,
                    text: page,
                });
                Ok(ops)
            })
            .collect()
    }
}
