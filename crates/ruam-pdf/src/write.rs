//! The PDF file itself: a catalog, the pages and their content streams (every glyph placed
//! with its own text matrix, each line marked with its text as ActualText), and each font
//! as a CID font (Identity-H) with its file, its widths and a ToUnicode map.

use std::fmt::Write as _;

use super::{Font, Layout, PAGE_HEIGHT, PAGE_WIDTH};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

/// A text as UTF-16BE hex, for the ToUnicode map.
fn utf16_hex(text: &str) -> String {
    text.encode_utf16().fold(String::new(), |mut s, u| {
        let _ = write!(s, "{u:04X}");
        s
    })
}

struct Writer {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl Writer {
    /// Reserve the next object number.
    fn reserve(&mut self) -> usize {
        self.offsets.push(0);
        self.offsets.len()
    }

    fn object(&mut self, id: usize, body: &[u8]) {
        self.offsets[id - 1] = self.out.len();
        self.out
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, id: usize, dict: &str, data: &[u8]) {
        let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object(id, &body);
    }
}

/// The font's five objects; returns the Type0 font's number.
fn write_font(w: &mut Writer, font: &Font) -> usize {
    let (type0, cid, descriptor, file, to_unicode) = (
        w.reserve(),
        w.reserve(),
        w.reserve(),
        w.reserve(),
        w.reserve(),
    );
    let scale = 1000.0 / font.upem;
    let ascent = (f32::from(font.face.ascender()) * scale) as i64;
    let descent = (f32::from(font.face.descender()) * scale) as i64;
    let bbox = font.face.global_bounding_box();
    w.object(
        type0,
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H \
             /DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>",
            name = font.base_name
        )
        .as_bytes(),
    );
    let widths: String = font
        .used
        .iter()
        .map(|(gid, (_, width))| format!("{gid} [{width}]"))
        .collect::<Vec<_>>()
        .join(" ");
    w.object(
        cid,
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor {descriptor} 0 R /DW 500 /W [{widths}] /CIDToGIDMap /Identity >>",
            name = font.base_name
        )
        .as_bytes(),
    );
    w.object(
        descriptor,
        format!(
            "<< /Type /FontDescriptor /FontName /{name} /Flags 32 \
             /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {ascent} /Descent {descent} \
             /CapHeight {ascent} /StemV 80 /FontFile2 {file} 0 R >>",
            (f32::from(bbox.x_min) * scale) as i64,
            (f32::from(bbox.y_min) * scale) as i64,
            (f32::from(bbox.x_max) * scale) as i64,
            (f32::from(bbox.y_max) * scale) as i64,
            name = font.base_name
        )
        .as_bytes(),
    );
    w.stream(file, &format!("/Length1 {}", font.data.len()), font.data);
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let mapped: Vec<(&u16, &String)> = font
        .used
        .iter()
        .filter(|(_, (text, _))| !text.is_empty())
        .map(|(gid, (text, _))| (gid, text))
        .collect();
    for chunk in mapped.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (gid, text) in chunk {
            let _ = writeln!(cmap, "<{gid:04X}> <{}>", utf16_hex(text));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    w.stream(to_unicode, "", cmap.as_bytes());
    type0
}

pub(super) fn write(layout: &Layout) -> Vec<u8> {
    let mut w = Writer {
        out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
        offsets: Vec::new(),
    };
    let catalog = w.reserve();
    let pages = w.reserve();
    let regular = write_font(&mut w, &layout.regular);
    let bold = write_font(&mut w, &layout.bold);
    let mut kids = Vec::new();
    for sheet in &layout.pages {
        let (page, content) = (w.reserve(), w.reserve());
        kids.push(page);
        let mut ops = String::new();
        if !sheet.rects.is_empty() {
            ops.push_str("q 0.35 0.45 0.6 rg\n");
            for [x, y, width, height] in &sheet.rects {
                let _ = writeln!(ops, "{x:.2} {y:.2} {width:.2} {height:.2} re f");
            }
            ops.push_str("Q\n");
        }
        let placed = &sheet.lines;
        ops.push_str("BT\n");
        let mut current: Option<(bool, u32)> = None;
        for (text, glyphs) in placed {
            // What the line says, for search and copy (the glyphs are the shaper's).
            let _ = writeln!(ops, "/Span << /ActualText <FEFF{}> >> BDC", utf16_hex(text));
            for g in glyphs {
                let key = (g.bold, (g.size * 100.0) as u32);
                if current != Some(key) {
                    let _ = writeln!(ops, "/F{} {:.2} Tf", if g.bold { 2 } else { 1 }, g.size);
                    current = Some(key);
                }
                let _ = writeln!(
                    ops,
                    "1 0 0 1 {:.2} {:.2} Tm <{}> Tj",
                    g.x,
                    g.y,
                    hex(&g.glyph.to_be_bytes())
                );
            }
            ops.push_str("EMC\n");
        }
        ops.push_str("ET\n");
        w.object(
            page,
            format!(
                "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
                 /Resources << /Font << /F1 {regular} 0 R /F2 {bold} 0 R >> >> \
                 /Contents {content} 0 R >>"
            )
            .as_bytes(),
        );
        w.stream(content, "", ops.as_bytes());
    }
    let kids_list: Vec<String> = kids.iter().map(|k| format!("{k} 0 R")).collect();
    w.object(
        pages,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids_list.join(" "),
            kids.len()
        )
        .as_bytes(),
    );
    w.object(
        catalog,
        format!("<< /Type /Catalog /Pages {pages} 0 R >>").as_bytes(),
    );
    let xref = w.out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", w.offsets.len() + 1);
    for offset in &w.offsets {
        let _ = writeln!(tail, "{offset:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        w.offsets.len() + 1
    );
    w.out.extend_from_slice(tail.as_bytes());
    w.out
}
