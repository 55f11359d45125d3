//! A document rendered by poppler (pdftoppm, pdftotext, from Debian's poppler-utils): the
//! Thai text comes back whole from the file, and the page is drawn.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use ruam_pdf::{Block, Document};

const THAI: &str = "บันทึกการประชุมคณะทำงานคุ้มครองเด็ก ที่ว่าการอำเภอแม่สาย";

fn render(dir: &std::path::Path) -> std::path::PathBuf {
    let mut doc = Document::new("Ruam");
    doc.push(Block::Title(THAI.into()))
        .push(Block::Field(
            "สถานที่ / Place".into(),
            "ห้องประชุม 2, Mae Sai".into(),
        ))
        .push(Block::Heading("มติ / Decisions".into()))
        .push(Block::Paragraph(
            "ผู้ใหญ่บ้านจะติดตามเด็กที่ไม่ได้ไปโรงเรียน น้ำท่วมถนน".into(),
        ));
    let path = dir.join("minutes.pdf");
    std::fs::write(&path, doc.render().unwrap()).unwrap();
    path
}

#[test]
fn the_thai_text_comes_back_whole_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = render(dir.path());
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by ./x setup");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let squeezed: String = text.split_whitespace().collect();
    for piece in [THAI, "ผู้ใหญ่บ้านจะติดตามเด็กที่ไม่ได้ไปโรงเรียน", "Place"]
    {
        let piece: String = piece.split_whitespace().collect();
        assert!(squeezed.contains(&piece), "{piece} not in {text}");
    }
}

#[test]
fn the_page_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = render(dir.path());
    let prefix = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-gray", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is installed by ./x setup");
    assert!(status.success());
    let image = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pgm"))
        .unwrap();
    // A binary PGM: a header of three lines, then one byte a pixel; ink is dark.
    let bytes = std::fs::read(image).unwrap();
    let mut newlines = 0;
    let start = bytes
        .iter()
        .position(|b| {
            newlines += usize::from(*b == b'\n');
            newlines == 3
        })
        .unwrap()
        + 1;
    let dark = bytes[start..].iter().filter(|p| **p < 128).count();
    assert!(
        dark > 500,
        "only {dark} dark pixels: the text was not drawn"
    );
}
