//! The indicators leaving the vault: the dashboard as a PDF (a page a section, Thai and
//! English, the charts as bars), its tables as CSV, and the funds by agency. The files are
//! in the clear on the disk: they hold counts (hidden below five as the reader saw them)
//! and money, never a name of a child or a case.

use ruam_pdf::{Bar, Block, Document};

use super::{Cell, CountRow, FundFigures, Indicators, MoneyRow, ReferralRow};

/// The words of a key, in Thai and English.
pub fn label(key: &str) -> &str {
    match key {
        "female" => "หญิง / female",
        "male" => "ชาย / male",
        "other" => "อื่น ๆ / other",
        "unknown" => "ไม่ทราบ / unknown",
        "0-5" => "0–5 ปี / years",
        "6-11" => "6–11 ปี / years",
        "12-14" => "12–14 ปี / years",
        "15-17" => "15–17 ปี / years",
        "18+" => "18 ปีขึ้นไป / 18 and over",
        "trafficking" => "การค้ามนุษย์ / trafficking",
        "sexual_abuse" => "การล่วงละเมิดทางเพศ / sexual abuse",
        "rape" => "การข่มขืน / rape",
        "sexual_harassment" => "การคุกคามทางเพศ / sexual harassment",
        "labour_exploitation" => "การแสวงประโยชน์จากแรงงาน / labour exploitation",
        "neglect" => "การทอดทิ้ง / neglect",
        "human_rights_violation" => "การละเมิดสิทธิมนุษยชน / human rights violation",
        "high_vulnerability" => "ความเปราะบางสูง / high vulnerability",
        "resolved_district" => "ยุติที่ระดับอำเภอ / resolved at district level",
        "referred_province" => "ส่งต่อระดับจังหวัด / referred to the province",
        "referred_agency" => "ส่งต่อหน่วยงาน / referred to an agency",
        "transferred" => "โอนย้าย / transferred",
        "no_further_action" => "ไม่ต้องดำเนินการต่อ / no further action",
        "birth_registration" => "แจ้งเกิด / birth registration",
        "dna_test" => "ตรวจดีเอ็นเอ / DNA test",
        "registrar_application" => "ยื่นคำร้องต่อนายทะเบียน / registrar application",
        "hearing" => "สอบข้อเท็จจริง / hearing",
        "decision" => "คำวินิจฉัย / decision",
        "level:village" => "ระดับหมู่บ้าน / village level",
        "level:district" => "ระดับอำเภอ / district level",
        "level:province" => "ระดับจังหวัด / province level",
        other => other,
    }
}

fn row_label(row: &CountRow) -> String {
    row.label
        .clone()
        .unwrap_or_else(|| label(&row.key).to_owned())
}

fn referral_label(row: &ReferralRow) -> String {
    row.label
        .clone()
        .unwrap_or_else(|| label(&row.key).to_owned())
}

fn place(ind: &Indicators) -> String {
    match (&ind.village_name, &ind.district) {
        (Some(village), _) => village.clone(),
        (None, Some(district)) => format!("อำเภอ / district {district}"),
        (None, None) => "ทุกหมู่บ้าน / every village".to_owned(),
    }
}

/// Bars of count rows, each as long as its share of the largest shown count; a hidden
/// count has no bar and reads `<5`.
fn count_bars(rows: &[CountRow]) -> Vec<Bar> {
    let largest = rows.iter().filter_map(|r| r.count.value).max().unwrap_or(0);
    rows.iter()
        .map(|r| Bar {
            label: row_label(r),
            value: r.count.text(),
            permille: match (r.count.value, largest) {
                (Some(n), l) if l > 0 => n * 1000 / l,
                _ => 0,
            },
        })
        .collect()
}

fn count_table(rows: &[CountRow]) -> Block {
    Block::Table {
        header: vec!["".into(), "จำนวน / count".into()],
        rows: rows
            .iter()
            .map(|r| vec![row_label(r), r.count.text()])
            .collect(),
    }
}

fn field(doc: &mut Document, label: &str, cell: Cell) {
    doc.push(Block::Field(label.into(), cell.text()));
}

/// The dashboard as a PDF: a page a section.
pub fn pdf(ind: &Indicators, team: &str) -> Result<Vec<u8>, ruam_pdf::Error> {
    let mut doc = Document::new(format!("Ruam · {team} · {} – {}", ind.from, ind.to));
    doc.push(Block::Title(format!(
        "ตัวชี้วัดของคณะทำงาน / The committee's indicators: {team}"
    )));
    doc.push(Block::Field(
        "ช่วงเวลา / Period".into(),
        format!("{} – {}", ind.from, ind.to),
    ));
    doc.push(Block::Field("พื้นที่ / Place".into(), place(ind)));
    if ind.protected {
        doc.push(Block::Paragraph(
            "จำนวนที่น้อยกว่า 5 แสดงเป็น <5 / Counts below 5 are shown as <5.".into(),
        ));
    }
    let c = &ind.community;
    doc.push(Block::Heading("ชุมชน / Community".into()));
    doc.push(Block::Field(
        "อาสาสมัครที่ยังทำงาน / Active volunteers".into(),
        c.volunteers_active.to_string(),
    ));
    doc.push(Block::Field(
        "ผ่านการอบรม / Trained".into(),
        c.volunteers_trained.to_string(),
    ));
    doc.push(Block::Field(
        "อบรมในช่วงนี้ / Trained in the period".into(),
        c.trained_in_period.to_string(),
    ));
    doc.push(Block::Field(
        "หมู่บ้านที่มีอาสาสมัคร / Villages covered".into(),
        format!("{} / {}", c.villages_covered, c.villages),
    ));
    field(
        &mut doc,
        "เด็กในทะเบียน / Children in the register",
        c.children_registered,
    );
    field(
        &mut doc,
        "เด็กกลุ่มเสี่ยง / Children flagged",
        c.children_flagged,
    );

    doc.push(Block::PageBreak);
    let ch = &ind.children;
    doc.push(Block::Heading(
        "เด็กที่ได้รับความช่วยเหลือ / Children assisted".into(),
    ));
    field(&mut doc, "รวม / In all", ch.assisted);
    for (title, rows) in [
        ("ตามเพศ / By sex", &ch.by_sex),
        ("ตามอายุ / By age", &ch.by_age),
        ("ตามประเด็น / By concern", &ch.by_concern),
    ] {
        doc.push(Block::Heading(title.into()));
        doc.push(Block::Bars(count_bars(rows)));
    }

    doc.push(Block::PageBreak);
    let k = &ind.cases;
    doc.push(Block::Heading("กรณี / Cases".into()));
    field(&mut doc, "เปิดใหม่ / Opened", k.opened);
    field(&mut doc, "ปิดแล้ว / Closed", k.closed);
    field(
        &mut doc,
        "ยุติที่ระดับอำเภอ / Resolved at district level",
        k.resolved_district,
    );
    field(
        &mut doc,
        "ส่งต่อระดับจังหวัด / Referred to the province",
        k.referred_province,
    );
    doc.push(Block::Field(
        "มัธยฐานวันจนปิดกรณี / Median days from intake to closure".into(),
        k.median_days_to_close
            .map_or_else(|| "—".to_owned(), |d| d.to_string()),
    ));
    doc.push(Block::Heading("ผลการปิดกรณี / Outcomes".into()));
    doc.push(Block::Bars(count_bars(&k.by_outcome)));

    doc.push(Block::PageBreak);
    doc.push(Block::Heading(
        "การส่งต่อ ตามหน่วยงานและผล / Referrals by agency and outcome".into(),
    ));
    field(&mut doc, "รวม / In all", ind.referrals.total);
    doc.push(Block::Table {
        header: vec![
            "หน่วยงาน / Agency".into(),
            "ส่งแล้ว / sent".into(),
            "รับ / accepted".into(),
            "ปฏิเสธ / declined".into(),
            "เสร็จ / done".into(),
            "รวม / total".into(),
        ],
        rows: ind
            .referrals
            .by_agency
            .iter()
            .map(|r| {
                vec![
                    referral_label(r),
                    r.sent.text(),
                    r.accepted.text(),
                    r.declined.text(),
                    r.done.text(),
                    r.total.text(),
                ]
            })
            .collect(),
    });

    doc.push(Block::PageBreak);
    doc.push(Block::Heading(
        "เอกสารและสัญชาติ / Documentation steps completed".into(),
    ));
    field(&mut doc, "รวม / In all", ind.documentation.completed);
    doc.push(count_table(&ind.documentation.by_kind));

    for fund in &ind.funds {
        doc.push(Block::PageBreak);
        fund_page(&mut doc, fund);
    }
    doc.render()
}

fn fund_page(doc: &mut Document, fund: &FundFigures) {
    doc.push(Block::Heading(format!("กองทุน / Fund: {}", fund.name)));
    doc.push(Block::Field(
        "เงินสมทบ / Contributed".into(),
        format!(
            "{} (+ {} ในรูปสิ่งของ / in kind)",
            fund.contributed_cash.text, fund.contributed_in_kind.text
        ),
    ));
    doc.push(Block::Field(
        "จ่ายแล้ว / Spent".into(),
        fund.spent_total.text.clone(),
    ));
    doc.push(Block::Heading("ตามหน่วยงาน / By agency".into()));
    doc.push(money_bars(&fund.contributed));
    doc.push(Block::Heading("ตามรายการ / By line".into()));
    doc.push(money_bars(&fund.spent));
}

/// A bar per row of money, as long as its share, with its cash as text.
fn money_bars(rows: &[MoneyRow]) -> Block {
    Block::Bars(
        rows.iter()
            .map(|r| Bar {
                label: r.label.clone(),
                value: r.cash.text.clone(),
                permille: r.permille,
            })
            .collect(),
    )
}

fn line(out: &mut String, fields: &[&str]) {
    let cells: Vec<String> = fields.iter().map(|f| crate::csv::field(f)).collect();
    out.push_str(&cells.join(","));
    out.push('\n');
}

/// Every table of the dashboard in one CSV: one row per figure (`table,key,label,value`),
/// hidden counts as `<5`.
pub fn csv(ind: &Indicators) -> String {
    let mut out = String::from("table,key,label,value\n");
    let mut count = |table: &str, key: &str, label_text: &str, value: String| {
        line(&mut out, &[table, key, label_text, &value]);
    };
    let c = &ind.community;
    for (key, value) in [
        ("volunteers_active", c.volunteers_active.to_string()),
        ("volunteers_trained", c.volunteers_trained.to_string()),
        ("trained_in_period", c.trained_in_period.to_string()),
        ("villages", c.villages.to_string()),
        ("villages_covered", c.villages_covered.to_string()),
        ("children_registered", c.children_registered.text()),
        ("children_flagged", c.children_flagged.text()),
    ] {
        count("community", key, "", value);
    }
    count("children", "assisted", "", ind.children.assisted.text());
    for (table, rows) in [
        ("children_by_sex", &ind.children.by_sex),
        ("children_by_age", &ind.children.by_age),
        ("children_by_concern", &ind.children.by_concern),
        ("cases_closed_by_outcome", &ind.cases.by_outcome),
        ("documentation_completed", &ind.documentation.by_kind),
    ] {
        for r in rows {
            count(table, &r.key, &row_label(r), r.count.text());
        }
    }
    count("cases", "opened", "", ind.cases.opened.text());
    count("cases", "closed", "", ind.cases.closed.text());
    count(
        "cases",
        "median_days_to_close",
        "",
        ind.cases
            .median_days_to_close
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    for r in &ind.referrals.by_agency {
        let name = referral_label(r);
        for (status, cell) in [
            ("sent", r.sent),
            ("accepted", r.accepted),
            ("declined", r.declined),
            ("done", r.done),
        ] {
            count(
                "referrals",
                &format!("{}:{status}", r.key),
                &name,
                cell.text(),
            );
        }
    }
    for fund in &ind.funds {
        for r in &fund.contributed {
            count(
                &format!("fund {}: contributed", fund.name),
                &r.key,
                &r.label,
                r.cash.minor.clone(),
            );
        }
        for r in &fund.spent {
            count(
                &format!("fund {}: spent", fund.name),
                &r.key,
                &r.label,
                r.cash.minor.clone(),
            );
        }
    }
    out
}

/// The funds by agency: for each fund, what each agency gave in the period (cash, in kind,
/// its share of the cash), then how the fund spent it, by line. Amounts in the fund's
/// minor units and as text.
pub fn funds_csv(ind: &Indicators) -> String {
    let mut out = String::from(
        "fund,currency,part,agency_or_line,cash_minor,cash,in_kind_minor,in_kind,share_permille\n",
    );
    for fund in &ind.funds {
        for (part, rows) in [("contributed", &fund.contributed), ("spent", &fund.spent)] {
            for r in rows {
                line(
                    &mut out,
                    &[
                        &fund.name,
                        &fund.currency,
                        part,
                        &r.label,
                        &r.cash.minor,
                        &r.cash.text,
                        &r.in_kind.minor,
                        &r.in_kind.text,
                        &r.permille.to_string(),
                    ],
                );
            }
        }
    }
    out
}

/// The funds by agency as a PDF: a page a fund.
pub fn funds_pdf(ind: &Indicators, team: &str) -> Result<Vec<u8>, ruam_pdf::Error> {
    let mut doc = Document::new(format!("Ruam · {team} · {} – {}", ind.from, ind.to));
    doc.push(Block::Title(format!(
        "รายงานกองทุนตามหน่วยงาน / Funds by agency: {team}"
    )));
    doc.push(Block::Field(
        "ช่วงเวลา / Period".into(),
        format!("{} – {}", ind.from, ind.to),
    ));
    for (n, fund) in ind.funds.iter().enumerate() {
        if n > 0 {
            doc.push(Block::PageBreak);
        }
        fund_page(&mut doc, fund);
        doc.push(Block::Table {
            header: vec![
                "หน่วยงาน / Agency".into(),
                "เงินสด / cash".into(),
                "สิ่งของ / in kind".into(),
                "สัดส่วน / share".into(),
            ],
            rows: fund
                .contributed
                .iter()
                .map(|r| {
                    vec![
                        r.label.clone(),
                        r.cash.text.clone(),
                        r.in_kind.text.clone(),
                        format!("{}.{}%", r.permille / 10, r.permille % 10),
                    ]
                })
                .collect(),
        });
    }
    if ind.funds.is_empty() {
        doc.push(Block::Paragraph("ยังไม่มีกองทุน / No fund yet.".into()));
    }
    doc.render()
}
