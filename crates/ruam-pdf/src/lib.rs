//! PDF documents of Ruam (a meeting's minutes; the committee's reports): A4 pages of
//! titles, headings, paragraphs, labelled fields, tables and bar charts, in Thai and
//! English.
//!
//! Thai needs its text shaped: vowels and tone marks sit above and below their consonant,
//! and stacked marks move out of each other's way, as the font's OpenType tables say.
//! Each run of text is shaped by rustybuzz (HarfBuzz's shaping in Rust) against the
//! embedded Garuda font (`fonts/README.md`), and every glyph is placed where the shaper
//! put it. The font is embedded whole as a CID font (Identity-H), with a ToUnicode map so
//! that the text can be searched and copied. Lines break at spaces, and a Thai run longer
//! than a line between two letters (never before a mark).

#![forbid(unsafe_code)]

use std::collections::BTreeMap;

static REGULAR: &[u8] = include_bytes!("../fonts/Garuda.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/Garuda-Bold.ttf");

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
/// Thai marks above and below need room: a line is this many times its font size.
const LEADING: f32 = 1.6;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the embedded font could not be read")]
    Font,
}

/// A part of a document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    Heading(String),
    Paragraph(String),
    /// A label and its value, on one line (the value wraps under itself).
    Field(String, String),
    /// Vertical space.
    Gap,
    /// What follows starts a new page.
    PageBreak,
    /// A table: its header, then its rows, each a cell per column. The first column is
    /// the widest; a cell too long for its column wraps under itself.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A bar chart: a bar per row, its length the row's share of the longest (in
    /// thousandths), the row's label before it and its value after it.
    Bars(Vec<Bar>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: String,
    /// Of the longest bar, 0 to 1000.
    pub permille: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Document {
    blocks: Vec<Block>,
    /// Written at the foot of each page, before its number.
    footer: String,
}

struct Font {
    data: &'static [u8],
    face: rustybuzz::Face<'static>,
    upem: f32,
    /// Glyph id → the text it shows (for copying), and its advance in 1/1000 em.
    used: BTreeMap<u16, (String, i64)>,
    base_name: &'static str,
}

/// One glyph placed on a page: font, id, position, size.
struct Placed {
    bold: bool,
    glyph: u16,
    x: f32,
    y: f32,
    size: f32,
}

/// A run of text shaped: each glyph's id, its offsets and advance (in points), and the
/// text of its cluster (for the first glyph of a cluster).
struct Shaped {
    glyphs: Vec<(u16, f32, f32, f32, String)>,
    width: f32,
}

impl Font {
    fn new(data: &'static [u8], base_name: &'static str) -> Result<Self, Error> {
        let face = rustybuzz::Face::from_slice(data, 0).ok_or(Error::Font)?;
        let upem = f32::from(face.units_per_em().max(1) as u16);
        Ok(Self {
            data,
            face,
            upem,
            used: BTreeMap::new(),
            base_name,
        })
    }

    fn shape(&mut self, text: &str, size: f32) -> Shaped {
        // Each glyph that shows one character as the font maps it (the others, a shaper's
        // substitutes, are covered by the line's ActualText).
        for c in text.chars() {
            if let Some(g) = self.face.glyph_index(c) {
                let advance = self.face.glyph_hor_advance(g).map_or(0, i64::from);
                let entry = self
                    .used
                    .entry(g.0)
                    .or_insert_with(|| (String::new(), advance * 1000 / self.upem as i64));
                if entry.0.is_empty() {
                    entry.0 = c.to_string();
                }
            }
        }
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let output = rustybuzz::shape(&self.face, &[], buffer);
        let scale = size / self.upem;
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let first_of_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
            let end = infos
                .iter()
                .map(|g| g.cluster as usize)
                .filter(|c| *c > start)
                .min()
                .unwrap_or(text.len());
            let cluster = if first_of_cluster {
                text.get(start..end).unwrap_or_default().to_owned()
            } else {
                String::new()
            };
            let glyph = u16::try_from(info.glyph_id).unwrap_or(0);
            let advance = self
                .face
                .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(glyph))
                .map_or(0, i64::from);
            self.used
                .entry(glyph)
                .or_insert_with(|| (String::new(), advance * 1000 / self.upem as i64));
            glyphs.push((
                glyph,
                pos.x_offset as f32 * scale,
                pos.y_offset as f32 * scale,
                pos.x_advance as f32 * scale,
                cluster,
            ));
            width += pos.x_advance as f32 * scale;
        }
        Shaped { glyphs, width }
    }
}

/// Whether a line may not break before `c` (a combining mark: Thai vowels above and
/// below, tone marks; Latin accents).
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
        || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Thai letters have no spaces between words; a word longer than a line breaks between
/// two letters.
fn break_points(word: &str) -> Vec<usize> {
    word.char_indices()
        .skip(1)
        .filter(|(_, c)| !is_mark(*c) && *c != '\u{0E33}' && *c != '\u{0E45}')
        .map(|(i, _)| i)
        .collect()
}

#[derive(Default)]
struct Page {
    /// The page's lines: the text, for its ActualText, and its glyphs.
    lines: Vec<(String, Vec<Placed>)>,
    /// Filled rectangles (bars), `[x, y, width, height]` from the bottom left.
    rects: Vec<[f32; 4]>,
}

struct Layout {
    regular: Font,
    bold: Font,
    pages: Vec<Page>,
    y: f32,
}

impl Layout {
    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    fn font(&mut self, bold: bool) -> &mut Font {
        if bold {
            &mut self.bold
        } else {
            &mut self.regular
        }
    }

    fn width(&mut self, text: &str, size: f32, bold: bool) -> f32 {
        self.font(bold).shape(text, size).width
    }

    /// `text` as lines no wider than `width`.
    fn wrap(&mut self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone, broken between letters where it is too long.
                let mut rest = word.to_owned();
                while self.width(&rest, size, bold) > width {
                    let cut = break_points(&rest)
                        .into_iter()
                        .rev()
                        .find(|at| self.width(&rest[..*at], size, bold) <= width)
                        .or_else(|| break_points(&rest).first().copied());
                    let Some(cut) = cut else { break };
                    lines.push(rest[..cut].to_owned());
                    rest = rest[cut..].to_owned();
                }
                line = rest;
            }
            lines.push(line);
        }
        lines
    }

    /// Place one line at `x` on the current line, at the baseline `y`.
    fn place(&mut self, text: &str, x: f32, size: f32, bold: bool) {
        let shaped = self.font(bold).shape(text, size);
        let y = self.y - size;
        let mut pen = x;
        let page = &mut self.pages.last_mut().expect("a page").lines;
        page.push((text.to_owned(), Vec::with_capacity(shaped.glyphs.len())));
        let line = &mut page.last_mut().expect("the line").1;
        for (glyph, dx, dy, advance, _) in shaped.glyphs {
            line.push(Placed {
                bold,
                glyph,
                x: pen + dx,
                y: y + dy,
                size,
            });
            pen += advance;
        }
    }

    fn lines(&mut self, text: &str, x: f32, size: f32, bold: bool) {
        let width = PAGE_WIDTH - MARGIN - x;
        for line in self.wrap(text, size, bold, width) {
            if self.y - size * LEADING < MARGIN + 20.0 {
                self.new_page();
            }
            self.place(&line, x, size, bold);
            self.y -= size * LEADING;
        }
    }
}

impl Layout {
    /// Room for `height` more points on this page, or a new one.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN + 20.0 {
            self.new_page();
        }
    }

    /// The left edge of each column: the first takes two fifths of the width when there
    /// are several, the others share the rest.
    fn columns(n: usize) -> Vec<(f32, f32)> {
        let width = PAGE_WIDTH - 2.0 * MARGIN;
        if n <= 1 {
            return vec![(MARGIN, width)];
        }
        let first = width * 0.4;
        let other = (width - first) / (n - 1) as f32;
        let mut edges = vec![(MARGIN, first - 6.0)];
        for i in 0..n - 1 {
            edges.push((MARGIN + first + other * i as f32, other - 6.0));
        }
        edges
    }

    fn row(&mut self, cells: &[String], size: f32, bold: bool) {
        let edges = Self::columns(cells.len());
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(&edges)
            .map(|(cell, (_, width))| self.wrap(cell, size, bold, *width))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * size * LEADING;
        self.room(height);
        let top = self.y;
        for (lines, (x, _)) in wrapped.iter().zip(&edges) {
            self.y = top;
            for line in lines {
                self.place(line, *x, size, bold);
                self.y -= size * LEADING;
            }
        }
        self.y = top - height;
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        self.row(header, 10.0, true);
        for row in rows {
            self.row(row, 10.0, false);
        }
        self.y -= 6.0;
    }

    fn bars(&mut self, bars: &[Bar]) {
        const SIZE: f32 = 10.0;
        let label_width = 170.0;
        let longest = PAGE_WIDTH - 2.0 * MARGIN - label_width - 90.0;
        for bar in bars {
            let line = SIZE * LEADING;
            self.room(line);
            let label = self
                .wrap(&bar.label, SIZE, false, label_width - 8.0)
                .into_iter()
                .next()
                .unwrap_or_default();
            self.place(&label, MARGIN, SIZE, false);
            let length = longest * bar.permille.min(1000) as f32 / 1000.0;
            let x = MARGIN + label_width;
            let base = self.y - SIZE;
            if length > 0.0 {
                self.pages.last_mut().expect("a page").rects.push([
                    x,
                    base - 1.0,
                    length.max(1.0),
                    SIZE,
                ]);
            }
            self.place(&bar.value, x + length + 6.0, SIZE, false);
            self.y -= line;
        }
        self.y -= 6.0;
    }
}

impl Document {
    pub fn new(footer: impl Into<String>) -> Self {
        Self {
            blocks: Vec::new(),
            footer: footer.into(),
        }
    }

    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    /// The PDF file's bytes.
    pub fn render(&self) -> Result<Vec<u8>, Error> {
        let mut layout = Layout {
            regular: Font::new(REGULAR, "Garuda")?,
            bold: Font::new(BOLD, "Garuda-Bold")?,
            pages: Vec::new(),
            y: 0.0,
        };
        layout.new_page();
        for block in &self.blocks {
            match block {
                Block::Title(text) => {
                    layout.lines(text, MARGIN, 18.0, true);
                    layout.y -= 6.0;
                }
                Block::Heading(text) => {
                    layout.y -= 8.0;
                    layout.lines(text, MARGIN, 13.0, true);
                }
                Block::Paragraph(text) => layout.lines(text, MARGIN, 11.0, false),
                Block::Field(label, value) => {
                    let label_width = layout.width(label, 11.0, true) + 8.0;
                    let indent = MARGIN + label_width.clamp(90.0, 170.0);
                    if layout.y - 11.0 * LEADING < MARGIN + 20.0 {
                        layout.new_page();
                    }
                    let top = layout.y;
                    layout.place(label, MARGIN, 11.0, true);
                    layout.y = top;
                    layout.lines(value, indent, 11.0, false);
                }
                Block::Gap => layout.y -= 11.0,
                Block::PageBreak => {
                    if !layout.pages.last().is_some_and(|p| p.lines.is_empty()) {
                        layout.new_page();
                    }
                }
                Block::Table { header, rows } => layout.table(header, rows),
                Block::Bars(bars) => layout.bars(bars),
            }
        }
        let total = layout.pages.len();
        for n in 0..total {
            let footer = format!("{}  {} / {total}", self.footer, n + 1);
            let keep = layout.y;
            // The footer goes on page n: lay it out there.
            let page = std::mem::take(&mut layout.pages[n]);
            layout.pages.push(page);
            layout.y = MARGIN;
            layout.place(&footer, MARGIN, 8.0, false);
            let page = layout.pages.pop().expect("the page");
            layout.pages[n] = page;
            layout.y = keep;
        }
        Ok(write(&layout))
    }
}

mod write;
use write::write;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_marks_are_placed_by_the_shaper_not_after_their_letter() {
        let mut font = Font::new(REGULAR, "Garuda").unwrap();
        // น + ้ (a tone mark) + ำ: the mark takes no room of its own.
        let shaped = font.shape("น้ำ", 10.0);
        let advances: Vec<f32> = shaped.glyphs.iter().map(|g| g.3).collect();
        assert!(advances.contains(&0.0), "{advances:?}");
        let plain = font.shape("นา", 10.0);
        assert!(shaped.width < plain.width * 1.2);
    }

    #[test]
    fn a_long_thai_run_breaks_between_letters_never_before_a_mark() {
        let points = break_points("ที่ว่าการอำเภอ");
        for at in points {
            let next = "ที่ว่าการอำเภอ"[at..].chars().next().unwrap();
            assert!(!is_mark(next), "{next}");
        }
    }

    #[test]
    fn a_document_is_a_pdf_with_its_pages_fonts_and_text_map() {
        let mut doc = Document::new("Ruam");
        doc.push(Block::Title("บันทึกการประชุม".into()));
        for n in 0..80 {
            doc.push(Block::Field(format!("วาระที่ {n}"), "ทบทวนเคส ".repeat(20)));
        }
        let pdf = doc.render().unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.7"));
        assert!(text.trim_end().ends_with("%%EOF"));
        let count: usize = text
            .split("/Count ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(count >= 2, "80 fields fill more than a page: {count}");
        assert!(text.contains("/FontFile2"));
        assert!(text.contains("beginbfchar"));
    }

    fn pages(pdf: &[u8]) -> usize {
        String::from_utf8_lossy(pdf)
            .split("/Count ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap()
    }

    #[test]
    fn a_page_break_starts_a_page_once_and_bars_are_filled_rectangles() {
        let mut doc = Document::new("Ruam");
        doc.push(Block::PageBreak)
            .push(Block::Title("หนึ่ง".into()))
            .push(Block::Table {
                header: vec!["เพศ / Sex".into(), "จำนวน / Count".into()],
                rows: vec![vec!["หญิง / female".into(), "12".into()]],
            })
            .push(Block::PageBreak)
            .push(Block::PageBreak)
            .push(Block::Bars(vec![
                Bar {
                    label: "ตำรวจ".into(),
                    value: "60,000.00 THB".into(),
                    permille: 1000,
                },
                Bar {
                    label: "NGO".into(),
                    value: "0.00 THB".into(),
                    permille: 0,
                },
            ]));
        let pdf = doc.render().unwrap();
        assert_eq!(
            pages(&pdf),
            2,
            "no empty page at the start or between breaks"
        );
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(
            text.matches(" re f").count(),
            1,
            "a bar for the non-zero row only"
        );
    }
}
