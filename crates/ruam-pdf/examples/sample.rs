//! Writes a sample page to the path given, to look at (`cargo run -p ruam-pdf --example sample -- out.pdf`).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use ruam_pdf::{Block, Document};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample.pdf".into());
    let mut doc = Document::new("Ruam");
    doc.push(Block::Title(
        "บันทึกการประชุมคณะทำงานคุ้มครองเด็ก อำเภอแม่สาย".into(),
    ))
    .push(Block::Field(
        "วันที่ / Date".into(),
        "14 มกราคม 2570, 09:30–11:00".into(),
    ))
    .push(Block::Field(
        "สถานที่ / Place".into(),
        "ที่ว่าการอำเภอแม่สาย ห้อง 2".into(),
    ))
    .push(Block::Heading("ผู้เข้าประชุม / Present".into()))
    .push(Block::Paragraph(
        "กัญญา (นักสังคมสงเคราะห์), ร.ต.ท. อนันต์ — ขอลา / apologies".into(),
    ))
    .push(Block::Heading("มติ / Decisions".into()))
    .push(Block::Paragraph(
        "ผู้ใหญ่บ้านจะติดตามเด็กที่ไม่ได้ไปโรงเรียน ปู่ย่าตายายที่ดูแลหลาน น้ำท่วมถนนเข้าหมู่บ้าน ฯลฯ".into(),
    ));
    std::fs::write(&path, doc.render().unwrap()).unwrap();
    println!("{path}");
}
