//! The committee's indicators against a hand-built vault whose answers are worked out by
//! hand below: three villages in two districts, four volunteers, thirteen cases (two
//! outside the period), six referrals, four documentation steps, four children in the
//! register and a fund. A lead sees every count; a case worker sees small counts hidden,
//! never one that the total and the others give away. The exports: a PDF with a page a
//! section whose Thai comes back from the file and whose pages are drawn, and CSV with no
//! formula and no name.

use std::process::Command;

use ruam_core::indicators::{Cell, CountRow, IndicatorQuery, Indicators};
use ruam_core::vault::{ReportExport, ReportFormat, ReportKind};

use crate::support::*;

const PERIOD: (&str, &str) = ("2026-01-01", "2026-06-30");

fn query(district: Option<&str>, village: Option<&str>) -> IndicatorQuery {
    IndicatorQuery {
        from: PERIOD.0.into(),
        to: PERIOD.1.into(),
        district: district.map(str::to_owned),
        village_id: village.map(str::to_owned),
    }
}

/// The value of each row, `None` when hidden.
fn values(rows: &[CountRow]) -> Vec<(&str, Option<u32>)> {
    rows.iter()
        .map(|r| (r.key.as_str(), r.count.value))
        .collect()
}

async fn exec(pool: &sqlx::SqlitePool, sql: &str) {
    sqlx::raw_sql(sql).execute(pool).await.unwrap();
}

/// A case: (id, the village written on it, sex, birth date or year, created, closed,
/// outcome, concerns).
type Case<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a [&'a str],
);

const CASES: &[Case<'static>] = &[
    (
        "c1",
        "Ban Pa Sak",
        "female",
        "2014",
        "2025-12-01",
        None,
        None,
        &["trafficking"],
    ),
    (
        "c2",
        "ban pa sak",
        "female",
        "2010-07-15",
        "2026-01-10",
        Some("2026-03-10"),
        Some("resolved_district"),
        &["trafficking", "labour_exploitation"],
    ),
    (
        "c3",
        "บ้านป่าสัก",
        "female",
        "2020",
        "2026-02-01",
        Some("2026-02-21"),
        Some("resolved_district"),
        &["neglect"],
    ),
    (
        "c4",
        "Ban Pa Sak",
        "male",
        "2008",
        "2026-02-15",
        Some("2026-05-16"),
        Some("referred_province"),
        &["trafficking"],
    ),
    (
        "c5",
        "Ban Pa Sak",
        "female",
        "",
        "2026-03-01",
        None,
        None,
        &["sexual_abuse"],
    ),
    (
        "c6",
        "Ban Pa Sak",
        "female",
        "2016",
        "2026-04-01",
        Some("2026-04-11"),
        Some("resolved_district"),
        &["neglect"],
    ),
    (
        "c7",
        " Ban Pa Sak ",
        "other",
        "2022",
        "2026-05-01",
        Some("2026-05-31"),
        Some("no_further_action"),
        &["high_vulnerability"],
    ),
    (
        "c8",
        "บ้านห้วยไคร้",
        "male",
        "2013",
        "2026-01-20",
        None,
        None,
        &["trafficking"],
    ),
    (
        "c9",
        "Ban Huai Khrai",
        "male",
        "2012",
        "2025-10-01",
        Some("2026-01-15"),
        Some("referred_province"),
        &["labour_exploitation"],
    ),
    // Its child is in the register, in Ban Mae Chan: its place though nothing is written.
    (
        "c10",
        "",
        "female",
        "2011",
        "2026-06-01",
        None,
        None,
        &["trafficking"],
    ),
    // Closed before the period, and opened after it: not counted.
    (
        "c11",
        "Ban Pa Sak",
        "female",
        "2012",
        "2025-01-01",
        Some("2025-06-01"),
        Some("resolved_district"),
        &["neglect"],
    ),
    (
        "c12",
        "Ban Pa Sak",
        "female",
        "2012",
        "2026-07-05",
        None,
        None,
        &["trafficking"],
    ),
    // A village the team does not have: counted only when no place is chosen.
    (
        "c13",
        "Somewhere",
        "female",
        "2015",
        "2026-02-02",
        None,
        None,
        &["trafficking"],
    ),
];

async fn build(t: &TestVault) {
    let pool = t.vault.pool().await.unwrap();
    let lead = t.vault.status().await.member.unwrap().id;
    let at = "2026-01-01T05:00:00.000Z";
    exec(
        &pool,
        &format!(
            "INSERT INTO villages (id, name_th, name_en, moo, subdistrict, district, province, created_by, created_at, updated_at) VALUES
               ('v1', 'บ้านป่าสัก', 'Ban Pa Sak', 3, 'เวียงพางคำ', 'แม่สาย', 'เชียงราย', '{lead}', '{at}', '{at}'),
               ('v2', 'บ้านห้วยไคร้', 'Ban Huai Khrai', 5, 'ห้วยไคร้', 'แม่สาย', 'เชียงราย', '{lead}', '{at}', '{at}'),
               ('v3', 'บ้านแม่จัน', NULL, 1, 'แม่จัน', 'แม่จัน', 'เชียงราย', '{lead}', '{at}', '{at}');
             INSERT INTO volunteers (id, name, village_id, active, created_by, created_at, updated_at) VALUES
               ('vol1', 'อาสา 1', 'v1', 1, '{lead}', '{at}', '{at}'),
               ('vol2', 'อาสา 2', 'v1', 1, '{lead}', '{at}', '{at}'),
               ('vol3', 'อาสา 3', 'v2', 0, '{lead}', '{at}', '{at}'),
               ('vol4', 'อาสา 4', 'v3', 1, '{lead}', '{at}', '{at}');
             INSERT INTO volunteer_trainings (volunteer_id, title, held_on) VALUES
               ('vol1', 'Child protection basics', '2026-02-10'),
               ('vol3', 'Child protection basics', '2025-11-01'),
               ('vol4', 'Safe referral', '2026-03-05');
             INSERT INTO agencies (id, name, kind, created_at, updated_at) VALUES
               ('ag-police', 'Mae Sai police', 'police', '{at}', '{at}'),
               ('ag-hospital', 'Mae Sai hospital', 'health', '{at}', '{at}'),
               ('ag-formula', '=cmd|'' /C calc''!A0', 'ngo', '{at}', '{at}');"
        ),
    )
    .await;
    for (id, village, sex, birth, created, closed, outcome, concerns) in CASES {
        let created_at = format!("{created}T05:00:00.000Z");
        let closed_at = closed.map(|d| format!("{d}T05:00:00.000Z"));
        let (date, year) = match birth.len() {
            0 => (None, None),
            4 => (None, Some(birth.parse::<i64>().unwrap())),
            _ => (Some(*birth), None),
        };
        sqlx::query(
            "INSERT INTO cases (id, status, risk, level, outcome, closed_by, closed_at, created_by, created_at, updated_at)
             VALUES (?1, ?2, 'high', 'village', ?3, ?4, ?5, ?6, ?7, ?7)",
        )
        .bind(id)
        .bind(if closed.is_some() { "closed" } else { "in_progress" })
        .bind(outcome)
        .bind(closed.map(|_| lead.clone()))
        .bind(&closed_at)
        .bind(&lead)
        .bind(&created_at)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO case_people (id, case_id, party, name, sex, birth_date, birth_year_estimate, documentation, village, created_at, updated_at)
             VALUES (?1 || '-p', ?1, 'subject', 'Child canary-NAME ' || ?1, ?2, ?3, ?4, 'stateless', ?5, ?6, ?6)",
        )
        .bind(id)
        .bind(sex)
        .bind(date)
        .bind(year)
        .bind(village)
        .bind(&created_at)
        .execute(&pool)
        .await
        .unwrap();
        for concern in *concerns {
            sqlx::query("INSERT INTO case_concerns (case_id, concern) VALUES (?, ?)")
                .bind(id)
                .bind(concern)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
    exec(
        &pool,
        &format!(
            "INSERT INTO case_referrals (id, case_id, from_level, to_level, to_agency_id, reason, referred_on, status, created_by, created_at, updated_at) VALUES
               ('r1', 'c2', 'village', 'district', 'ag-police', 'x', '2026-02-01', 'done', '{lead}', '{at}', '{at}'),
               ('r2', 'c4', 'district', 'province', NULL, 'x', '2026-03-01', 'accepted', '{lead}', '{at}', '{at}'),
               ('r3', 'c8', 'village', 'district', 'ag-police', 'x', '2026-02-10', 'sent', '{lead}', '{at}', '{at}'),
               ('r4', 'c9', 'village', 'district', 'ag-hospital', 'x', '2026-01-05', 'declined', '{lead}', '{at}', '{at}'),
               ('r5', 'c1', 'village', 'district', 'ag-police', 'x', '2025-12-20', 'done', '{lead}', '{at}', '{at}'),
               ('r6', 'c3', 'village', 'district', 'ag-police', 'x', '2026-02-05', 'accepted', '{lead}', '{at}', '{at}');
             INSERT INTO documentation_steps (id, case_id, kind, status, happened_on, created_by, created_at, updated_at) VALUES
               ('d1', 'c10', 'birth_registration', 'done', '2026-06-10', '{lead}', '{at}', '{at}'),
               ('d2', 'c10', 'dna_test', 'done', '2026-06-20', '{lead}', '{at}', '{at}'),
               ('d3', 'c2', 'hearing', 'in_progress', '2026-03-01', '{lead}', '{at}', '{at}'),
               ('d4', 'c1', 'decision', 'done', '2025-12-01', '{lead}', '{at}', '{at}');
             -- Household h1 scores 3 + 3 + 2 = 8 (the threshold): its two children are
             -- flagged; h2 and h3 score nothing of their own.
             INSERT INTO households (id, village_id, label, surveyed_on, income_band, parents_away, debt, disability, health_care, created_by, created_at, updated_at) VALUES
               ('h1', 'v1', '12', '2026-01-05', 'below_poverty', 'both', 1, 0, 1, '{lead}', '{at}', '{at}'),
               ('h2', 'v1', '14', '2026-01-05', 'sufficient', 'none', 0, 0, 1, '{lead}', '{at}', '{at}'),
               ('h3', 'v3', '2', '2026-01-06', 'sufficient', 'none', 0, 0, 1, '{lead}', '{at}', '{at}');
             INSERT INTO register_children (id, household_id, village_id, name, sex, birth_date, school, documentation, lives_with, case_id, created_by, created_at, updated_at) VALUES
               ('k1', 'h1', 'v1', 'เด็ก ก', 'female', '2014-01-01', 'attending', 'thai_id', 'both_parents', NULL, '{lead}', '{at}', '{at}'),
               ('k2', 'h1', 'v1', 'เด็ก ข', 'male', '2016-01-01', 'attending', 'thai_id', 'both_parents', NULL, '{lead}', '{at}', '{at}'),
               ('k3', 'h2', 'v1', 'เด็ก ค', 'male', '2015-01-01', 'attending', 'thai_id', 'both_parents', NULL, '{lead}', '{at}', '{at}'),
               ('k4', 'h3', 'v3', 'เด็ก ง', 'female', '2011-01-01', 'attending', 'stateless', 'both_parents', 'c10', '{lead}', '{at}', '{at}');
             INSERT INTO funds (id, name, currency, starts_on, ends_on, second_approval_above, created_by, created_at, updated_at) VALUES
               ('f1', 'กองทุนคุ้มครองเด็กอำเภอแม่สาย 2569', 'THB', '2026-01-01', '2026-12-31', 1000000, '{lead}', '{at}', '{at}');
             INSERT INTO fund_lines (id, fund_id, name, position, created_by, created_at) VALUES
               ('l1', 'f1', 'ที่พักฉุกเฉิน / Emergency shelter', 1, '{lead}', '{at}'),
               ('l2', 'f1', 'Travel for home visits', 2, '{lead}', '{at}');
             INSERT INTO fund_ledger (id, fund_id, kind, amount, agency_id, in_kind, line_id, on_date, recorded_by, recorded_at) VALUES
               ('e1', 'f1', 'contribution', 6000000, 'ag-police', 0, NULL, '2026-02-01', '{lead}', '{at}'),
               ('e2', 'f1', 'contribution', 1500000, 'ag-hospital', 1, NULL, '2026-03-01', '{lead}', '{at}'),
               ('e3', 'f1', 'contribution', 1000000, 'ag-police', 0, NULL, '2025-12-01', '{lead}', '{at}'),
               ('e4', 'f1', 'contribution', 2000000, 'ag-formula', 0, NULL, '2026-03-02', '{lead}', '{at}'),
               ('e5', 'f1', 'payment', 300000, NULL, 0, 'l1', '2026-04-01', '{lead}', '{at}'),
               ('e6', 'f1', 'payment', 50000, NULL, 0, 'l2', '2026-05-01', '{lead}', '{at}');"
        ),
    )
    .await;
}

fn shown(n: u32) -> Cell {
    Cell::shown(n)
}

/// No table the reader sees hides exactly one non-zero count beside a total it shows (the
/// total and the others would give it away), and under a hidden total it shows nothing.
fn no_count_given_away(ind: &Indicators) {
    let tables = [
        (ind.children.assisted, &ind.children.by_sex),
        (ind.children.assisted, &ind.children.by_age),
        (ind.cases.closed, &ind.cases.by_outcome),
        (ind.documentation.completed, &ind.documentation.by_kind),
    ];
    for (total, rows) in tables {
        let cells: Vec<Cell> = rows.iter().map(|r| r.count).collect();
        check_table(total, &cells);
    }
    for row in &ind.referrals.by_agency {
        check_table(row.total, &[row.sent, row.accepted, row.declined, row.done]);
    }
}

fn check_table(total: Cell, cells: &[Cell]) {
    if total.suppressed {
        assert!(
            cells.iter().all(|c| c.suppressed),
            "{cells:?} under a hidden total"
        );
    } else {
        let hidden = cells.iter().filter(|c| c.suppressed).count();
        assert_ne!(hidden, 1, "{cells:?}");
    }
}

#[tokio::test]
async fn the_indicators_of_a_hand_built_vault_are_the_known_answers() {
    let (t, _) = TestVault::created().await;
    build(&t).await;
    let ind = t.vault.indicators(query(None, None)).await.unwrap();
    assert!(!ind.protected, "a lead sees every count");

    let c = &ind.community;
    assert_eq!(
        (
            c.volunteers_active,
            c.volunteers_trained,
            c.trained_in_period,
            c.villages,
            c.villages_covered
        ),
        (3, 2, 2, 3, 2)
    );
    assert_eq!(
        (c.children_registered, c.children_flagged),
        (shown(4), shown(2))
    );

    let ch = &ind.children;
    assert_eq!(ch.assisted, shown(11));
    assert_eq!(
        values(&ch.by_sex),
        [
            ("female", Some(7)),
            ("male", Some(3)),
            ("other", Some(1)),
            ("unknown", Some(0))
        ]
    );
    assert_eq!(
        values(&ch.by_age),
        [
            ("0-5", Some(1)),
            ("6-11", Some(3)),
            ("12-14", Some(3)),
            ("15-17", Some(2)),
            ("18+", Some(1)),
            ("unknown", Some(1)),
        ]
    );
    assert_eq!(
        values(&ch.by_concern),
        [
            ("trafficking", Some(6)),
            ("sexual_abuse", Some(1)),
            ("rape", Some(0)),
            ("sexual_harassment", Some(0)),
            ("labour_exploitation", Some(2)),
            ("neglect", Some(2)),
            ("human_rights_violation", Some(0)),
            ("high_vulnerability", Some(1)),
        ]
    );

    let k = &ind.cases;
    assert_eq!((k.opened, k.closed), (shown(9), shown(6)));
    assert_eq!(
        (k.resolved_district, k.referred_province),
        (shown(3), shown(2))
    );
    assert_eq!(
        values(&k.by_outcome),
        [
            ("resolved_district", Some(3)),
            ("referred_province", Some(2)),
            ("referred_agency", Some(0)),
            ("transferred", Some(0)),
            ("no_further_action", Some(1)),
        ]
    );
    // 10, 20, 30, 59, 90, 106 days: between 30 and 59, 44.5, rounded up.
    assert_eq!(k.median_days_to_close, Some(45));

    let r = &ind.referrals;
    assert_eq!(r.total, shown(5));
    let rows: Vec<(&str, [Option<u32>; 5])> = r
        .by_agency
        .iter()
        .map(|row| {
            (
                row.key.as_str(),
                [
                    row.sent.value,
                    row.accepted.value,
                    row.declined.value,
                    row.done.value,
                    row.total.value,
                ],
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("ag-police", [Some(1), Some(1), Some(0), Some(1), Some(3)]),
            ("ag-hospital", [Some(0), Some(0), Some(1), Some(0), Some(1)]),
            (
                "level:province",
                [Some(0), Some(1), Some(0), Some(0), Some(1)]
            ),
        ]
    );
    assert_eq!(r.by_agency[0].label.as_deref(), Some("Mae Sai police"));

    assert_eq!(ind.documentation.completed, shown(2));
    assert_eq!(
        values(&ind.documentation.by_kind)[..2],
        [("birth_registration", Some(1)), ("dna_test", Some(1))]
    );

    let fund = &ind.funds[0];
    let given: Vec<(&str, &str, &str, u32)> = fund
        .contributed
        .iter()
        .map(|g| {
            (
                g.key.as_str(),
                g.cash.text.as_str(),
                g.in_kind.text.as_str(),
                g.permille,
            )
        })
        .collect();
    assert_eq!(
        given,
        [
            ("ag-police", "60,000.00 THB", "0.00 THB", 750),
            ("ag-formula", "20,000.00 THB", "0.00 THB", 250),
            ("ag-hospital", "0.00 THB", "15,000.00 THB", 0),
        ]
    );
    assert_eq!(fund.contributed_cash.text, "80,000.00 THB");
    assert_eq!(fund.contributed_in_kind.text, "15,000.00 THB");
    let spent: Vec<(&str, &str, u32)> = fund
        .spent
        .iter()
        .map(|s| (s.key.as_str(), s.cash.text.as_str(), s.permille))
        .collect();
    assert_eq!(
        spent,
        [("l1", "3,000.00 THB", 857), ("l2", "500.00 THB", 142)]
    );
    assert_eq!(fund.spent_total.text, "3,500.00 THB");

    // The district of Mae Sai: its two villages, nine cases (not Ban Mae Chan's, not the
    // one from a village the team does not have).
    let mae_sai = t
        .vault
        .indicators(query(Some("แม่สาย"), None))
        .await
        .unwrap();
    assert_eq!(mae_sai.children.assisted, shown(9));
    assert_eq!(
        (
            mae_sai.community.villages,
            mae_sai.community.villages_covered,
            mae_sai.community.volunteers_active
        ),
        (2, 1, 2)
    );
    assert_eq!(mae_sai.community.children_registered, shown(3));
    assert_eq!(mae_sai.referrals.total, shown(5));
    assert_eq!(mae_sai.documentation.completed, shown(0));
    // Ban Mae Chan alone: the case placed by its child in the register.
    let mae_chan = t.vault.indicators(query(None, Some("v3"))).await.unwrap();
    assert_eq!(mae_chan.children.assisted, shown(1));
    assert_eq!(mae_chan.documentation.completed, shown(2));
    assert_eq!(mae_chan.village_name.as_deref(), Some("บ้านแม่จัน (หมู่ 1)"));
    assert_eq!(
        mae_chan.funds.len(),
        1,
        "a fund is the team's, whatever the place"
    );

    // Bad input is named.
    let mut bad = query(None, None);
    bad.to = "2025-12-31".into();
    assert_invalid_field(t.vault.indicators(bad).await, "to");
    let mut bad = query(None, None);
    bad.from = "01/01/2026".into();
    assert_invalid_field(t.vault.indicators(bad).await, "from");
    assert_invalid_field(
        t.vault.indicators(query(None, Some("nowhere"))).await,
        "village_id",
    );
    assert_invalid_field(
        t.vault.indicators(query(Some("เชียงของ"), None)).await,
        "district",
    );
    assert_invalid_field(
        t.vault.indicators(query(Some("แม่สาย"), Some("v3"))).await,
        "village_id",
    );
}

#[tokio::test]
async fn a_member_who_does_not_oversee_every_case_sees_small_counts_hidden() {
    let (t, _) = TestVault::created().await;
    build(&t).await;
    t.vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "dao").await;
    let ind = t.vault.indicators(query(None, None)).await.unwrap();
    assert!(ind.protected);
    // Community figures name no child: shown whole.
    assert_eq!(ind.community.volunteers_active, 3);
    assert_eq!(
        ind.community.children_registered,
        Cell {
            value: None,
            suppressed: true
        }
    );
    assert_eq!(ind.children.assisted, shown(11));
    assert_eq!(
        values(&ind.children.by_sex),
        [
            ("female", Some(7)),
            ("male", None),
            ("other", None),
            ("unknown", Some(0))
        ]
    );
    assert!(
        ind.children.by_age.iter().all(|r| r.count.suppressed),
        "every age band is below 5"
    );
    assert_eq!(
        values(&ind.children.by_concern)[0],
        ("trafficking", Some(6))
    );
    assert_eq!((ind.cases.opened, ind.cases.closed), (shown(9), shown(6)));
    assert!(ind.cases.resolved_district.suppressed);
    assert_eq!(
        ind.cases.median_days_to_close,
        Some(45),
        "six closures: the median hides nobody"
    );
    assert_eq!(ind.referrals.total, shown(5));
    assert!(ind.referrals.by_agency[0].total.suppressed);
    assert!(ind.documentation.completed.suppressed);
    no_count_given_away(&ind);

    // One village: every count of its single case is hidden, and so is the median.
    let one = t.vault.indicators(query(None, Some("v3"))).await.unwrap();
    assert!(one.children.assisted.suppressed);
    assert_eq!(one.cases.median_days_to_close, None);
    no_count_given_away(&one);

    // The CSV says what she saw: hidden counts as <5, the agency's formula as text, no
    // child's name.
    let dir = tempfile::tempdir().unwrap();
    let file = t
        .vault
        .export_indicators(
            ReportExport {
                query: query(None, None),
                kind: ReportKind::Dashboard,
                format: ReportFormat::Csv,
            },
            dir.path(),
        )
        .await
        .unwrap();
    let csv = std::fs::read_to_string(&file.path).unwrap();
    assert!(csv.starts_with("table,key,label,value\n"));
    assert!(
        csv.contains("children_by_sex,male,ชาย / male,<5\n"),
        "{csv}"
    );
    assert!(csv.contains("children_by_sex,female,หญิง / female,7\n"));
    assert!(csv.contains(",'=cmd|"), "the formula is text: {csv}");
    assert!(!csv.contains(",=cmd"));
    assert!(!csv.contains("canary-NAME"), "no child is named");
    let funds = t
        .vault
        .export_indicators(
            ReportExport {
                query: query(None, None),
                kind: ReportKind::Funds,
                format: ReportFormat::Csv,
            },
            dir.path(),
        )
        .await
        .unwrap();
    let funds = std::fs::read_to_string(&funds.path).unwrap();
    assert!(
        funds.contains("กองทุนคุ้มครองเด็กอำเภอแม่สาย 2569,THB,contributed,Mae Sai police,6000000,\"60,000.00 THB\",0,0.00 THB,750\n"),
        "{funds}"
    );
    assert!(!funds.lines().any(|l| l.contains(",=")), "{funds}");
}

fn poppler(tool: &str, args: &[&str]) -> std::process::Output {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|_| panic!("{tool} (poppler-utils) is installed by ./x setup"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test]
async fn the_dashboard_pdf_has_a_page_a_section_and_its_thai_is_drawn() {
    let (t, _) = TestVault::created().await;
    build(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let file = t
        .vault
        .export_indicators(
            ReportExport {
                query: query(None, None),
                kind: ReportKind::Dashboard,
                format: ReportFormat::Pdf,
            },
            dir.path(),
        )
        .await
        .unwrap();
    let pdf = file.path.as_str();
    let info = String::from_utf8(poppler("pdfinfo", &[pdf]).stdout).unwrap();
    // CommunityFigures, children, cases, referrals, documentation, the fund.
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 6")),
        "{info}"
    );
    let fonts = String::from_utf8(poppler("pdffonts", &[pdf]).stdout).unwrap();
    assert!(
        fonts.contains("Garuda") && fonts.lines().skip(2).all(|l| l.contains(" yes ")),
        "{fonts}"
    );
    for (page, thai) in [
        ("1", "ตัวชี้วัดของคณะทำงาน"),
        ("2", "เด็กที่ได้รับความช่วยเหลือ"),
        ("3", "ส่งต่อระดับจังหวัด"),
        ("4", "การส่งต่อ ตามหน่วยงานและผล"),
        ("5", "เอกสารและสัญชาติ"),
        ("6", "กองทุนคุ้มครองเด็กอำเภอแม่สาย"),
    ] {
        let text = poppler(
            "pdftotext",
            &["-enc", "UTF-8", "-f", page, "-l", page, pdf, "-"],
        )
        .stdout;
        let text: String = String::from_utf8(text)
            .unwrap()
            .split_whitespace()
            .collect();
        let thai: String = thai.split_whitespace().collect();
        assert!(text.contains(&thai), "page {page}: {thai} not in {text}");
        assert!(!text.contains("canary-NAME"), "no child is named");
    }
    // The page of the children, drawn: its ink, and its bars in their colour.
    let prefix = dir.path().join("page");
    poppler(
        "pdftoppm",
        &[
            "-r",
            "50",
            "-f",
            "2",
            "-l",
            "2",
            pdf,
            prefix.to_str().unwrap(),
        ],
    );
    let image = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ppm"))
        .unwrap();
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
    let pixels: Vec<&[u8]> = bytes[start..].chunks(3).collect();
    let ink = pixels.iter().filter(|p| p.iter().all(|c| *c < 100)).count();
    let bars = pixels
        .iter()
        .filter(|p| u16::from(p[2]) > u16::from(p[0]) + 40 && p[2] > 120)
        .count();
    assert!(ink > 500, "only {ink} dark pixels: the text was not drawn");
    assert!(
        bars > 200,
        "only {bars} bar pixels: the charts were not drawn"
    );
    // The funds by agency: the fund's page with each agency's share.
    let funds = t
        .vault
        .export_indicators(
            ReportExport {
                query: query(None, None),
                kind: ReportKind::Funds,
                format: ReportFormat::Pdf,
            },
            dir.path(),
        )
        .await
        .unwrap();
    let text = poppler("pdftotext", &["-enc", "UTF-8", &funds.path, "-"]).stdout;
    let text: String = String::from_utf8(text)
        .unwrap()
        .split_whitespace()
        .collect();
    for piece in [
        "รายงานกองทุนตามหน่วยงาน",
        "กองทุนคุ้มครองเด็กอำเภอแม่สาย2569",
        "MaeSaipolice",
        "60,000.00THB",
        "75.0%",
        "15,000.00THB",
    ] {
        assert!(text.contains(piece), "{piece} not in {text}");
    }
    // The exports are in the audit log.
    let pool = t.vault.pool().await.unwrap();
    let exports: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'report.export'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(exports, 2);
}

/// The counts follow what is written through the vault: a case opened, its child
/// corrected, closed, reopened.
#[tokio::test]
async fn the_indicators_follow_the_cases_as_they_change() {
    let (t, _) = TestVault::created().await;
    let today = ruam_core::cases::today().to_string();
    let year = IndicatorQuery {
        from: format!("{}-01-01", &today[..4]),
        to: today.clone(),
        district: None,
        village_id: None,
    };
    let file = t
        .vault
        .create_case(crate::cases::new_case("Lan", 2013))
        .await
        .unwrap();
    let case_id = file.summary.id.clone();
    let ind = t.vault.indicators(year.clone()).await.unwrap();
    assert_eq!(
        (ind.children.assisted, ind.cases.opened),
        (shown(1), shown(1))
    );
    assert_eq!(values(&ind.children.by_sex)[0], ("female", Some(1)));
    assert_eq!(
        values(&ind.children.by_concern)[0],
        ("trafficking", Some(1))
    );
    assert_eq!(
        values(&ind.children.by_concern)[4],
        ("labour_exploitation", Some(1))
    );

    // The child's record corrected: a boy.
    let child = file
        .people
        .iter()
        .find(|p| p.party.as_str() == "subject")
        .unwrap();
    let mut person = crate::cases::new_case("Lan", 2013).subject;
    person.sex = "male".into();
    t.vault
        .save_case_person(ruam_core::vault::PersonChange {
            case_id: case_id.clone(),
            person_id: Some(child.id.clone()),
            person,
        })
        .await
        .unwrap();
    let ind = t.vault.indicators(year.clone()).await.unwrap();
    assert_eq!(
        values(&ind.children.by_sex)[..2],
        [("female", Some(0)), ("male", Some(1))]
    );

    // Closed, then reopened.
    t.vault
        .close_case(ruam_core::vault::CloseCase {
            case_id: case_id.clone(),
            outcome: Some("resolved_district".into()),
        })
        .await
        .unwrap();
    let ind = t.vault.indicators(year.clone()).await.unwrap();
    assert_eq!(
        (ind.cases.closed, ind.cases.resolved_district),
        (shown(1), shown(1))
    );
    assert_eq!(ind.cases.median_days_to_close, Some(0));
    t.vault.reopen_case(&case_id).await.unwrap();
    let ind = t.vault.indicators(year).await.unwrap();
    assert_eq!(
        (ind.cases.closed, ind.children.assisted),
        (shown(0), shown(1))
    );
}
