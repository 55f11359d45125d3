//! The child register: volunteers, household surveys and their children, the rule that
//! scores and flags them (checked against scores worked out by hand), the import of a
//! survey spreadsheet (a good file, each kind of bad file: nothing half-imported), a case
//! opened for a child in one step, the documentation steps on the case with their fees,
//! and who may see the register at all.

use ruam_core::community::import::ImportPreview;
use ruam_core::community::register::{NewHousehold, RegisterChild, RegisterQuery};
use ruam_core::community::rule::VulnerabilityRule;
use ruam_core::community::volunteers::{NewVolunteer, Training, VolunteerUpdate};
use ruam_core::Error;

use crate::community::village;
use crate::funds::{agency, allocate, fund, give, json, line, request};
use crate::support::*;
use crate::sync::rows;

pub struct Register {
    pub pa_sak: String,
    pub huai_khrai: String,
    pub somsri: String,
    pub boonmee: String,
}

/// Two villages, a volunteer in each.
pub async fn register(t: &TestVault) -> Register {
    let pa_sak = t
        .vault
        .add_village(village("บ้านป่าสัก", Some(3)))
        .await
        .unwrap()
        .id;
    let mut huai = village("บ้านห้วยไคร้", Some(5));
    huai.name_en = Some("Ban Huai Khrai".into());
    let huai_khrai = t.vault.add_village(huai).await.unwrap().id;
    let somsri = t
        .vault
        .add_volunteer(volunteer("สมศรี ใจดี", &pa_sak))
        .await
        .unwrap()
        .id;
    let boonmee = t
        .vault
        .add_volunteer(volunteer("Boonmee Saeng", &huai_khrai))
        .await
        .unwrap()
        .id;
    Register {
        pa_sak,
        huai_khrai,
        somsri,
        boonmee,
    }
}

pub fn volunteer(name: &str, village_id: &str) -> NewVolunteer {
    NewVolunteer {
        name: name.into(),
        member_id: None,
        village_id: village_id.into(),
        phone: Some("081 234 5678".into()),
        active: true,
        trainings: vec![Training {
            title: "Child protection basics".into(),
            held_on: "2026-06-14".into(),
        }],
    }
}

pub fn household(
    village_id: &str,
    volunteer_id: &str,
    label: &str,
    wellbeing: serde_json::Value,
    children: serde_json::Value,
) -> NewHousehold {
    json(serde_json::json!({
        "villageId": village_id, "label": label, "surveyedOn": "2026-10-01",
        "volunteerId": volunteer_id, "wellbeing": wellbeing, "children": children,
    }))
}

pub fn wellbeing(
    income: &str,
    away: &str,
    debt: bool,
    disability: bool,
    health: bool,
    other: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({
        "incomeBand": income, "parentsAway": away, "debt": debt, "disability": disability,
        "healthCare": health, "otherRisks": other,
    })
}

pub fn child(
    name: &str,
    born: &str,
    school: &str,
    documentation: &str,
    lives_with: &str,
) -> serde_json::Value {
    serde_json::json!({
        "name": name, "sex": "female", "birthDate": born, "school": school,
        "documentation": documentation, "livesWith": lives_with,
    })
}

async fn everyone(t: &TestVault) -> Vec<RegisterChild> {
    t.vault
        .search_register(RegisterQuery {
            limit: Some(200),
            ..RegisterQuery::default()
        })
        .await
        .unwrap()
        .children
}

fn score_of(children: &[RegisterChild], name: &str) -> (u32, bool) {
    let c = children.iter().find(|c| c.name == name).unwrap();
    (c.score, c.flagged)
}

#[tokio::test]
async fn volunteers_are_kept_with_their_trainings_and_bad_input_writes_nothing() {
    let (t, _) = TestVault::created().await;
    let r = register(&t).await;
    let listed = t.vault.volunteers(Some(r.pa_sak.clone())).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].trainings[0].held_on, "2026-06-14");
    let before = (count(&t, "volunteers").await, count(&t, "changes").await);
    let wrong = |edit: fn(&mut NewVolunteer)| {
        let mut v = volunteer("มานี มีนา", &r.pa_sak);
        edit(&mut v);
        v
    };
    let cases: [(NewVolunteer, &str); 7] = [
        (wrong(|v| v.name = " ".into()), "name"),
        (wrong(|v| v.village_id = "nowhere".into()), "villageId"),
        (wrong(|v| v.member_id = Some("nobody".into())), "memberId"),
        (wrong(|v| v.phone = Some("call me".into())), "phone"),
        (
            wrong(|v| v.trainings[0].held_on = "2099-01-01".into()),
            "trainings",
        ),
        (
            wrong(|v| v.trainings[0].held_on = "14/06/2026".into()),
            "trainings",
        ),
        (
            wrong(|v| v.trainings.push(v.trainings[0].clone())),
            "trainings",
        ),
    ];
    for (bad, field) in cases {
        assert_invalid_field(t.vault.add_volunteer(bad).await, field);
    }
    assert_eq!(
        (count(&t, "volunteers").await, count(&t, "changes").await),
        before
    );
    // A member of the team may be a volunteer; one who stopped is kept, not active.
    let lead_id = t.vault.status().await.member.unwrap().id;
    let mut again = volunteer("สมศรี ใจดี", &r.pa_sak);
    again.member_id = Some(lead_id.clone());
    again.active = false;
    again.trainings.push(Training {
        title: "Trafficking: signs and referral".into(),
        held_on: "2026-02-03".into(),
    });
    let changed = t
        .vault
        .update_volunteer(VolunteerUpdate {
            id: r.somsri.clone(),
            volunteer: again,
        })
        .await
        .unwrap();
    assert_eq!(changed.member_id.as_deref(), Some(lead_id.as_str()));
    assert!(!changed.active);
    // Oldest training first.
    assert_eq!(changed.trainings[0].held_on, "2026-02-03");
    assert_eq!(
        rows(&t, "SELECT count(*) FROM volunteer_trainings").await,
        3
    );
}

#[tokio::test]
async fn the_rule_scores_each_child_as_worked_out_by_hand_and_flags_from_its_threshold() {
    let (t, _) = TestVault::created().await;
    let r = register(&t).await;
    // Poor, both parents away, in debt, no health care: 3 + 3 + 2 + 2 = 10 for the house.
    t.vault
        .add_household(household(
            &r.pa_sak,
            &r.somsri,
            "12/1",
            wellbeing("below_poverty", "both", true, false, false, None),
            serde_json::json!([
                // + 3 (not at school) + 3 (stateless) + 1 (grandparents) = 17
                child(
                    "นิด",
                    "2012-04-02",
                    "not_attending",
                    "stateless",
                    "grandparents"
                ),
                // + 0 + 0 + 1 = 11
                child("หน่อย", "2016-09-30", "attending", "thai_id", "grandparents"),
            ]),
        ))
        .await
        .unwrap();
    // Sufficient, both parents home, nothing else; other risks noted: 1 for the house.
    t.vault
        .add_household(household(
            &r.huai_khrai,
            &r.boonmee,
            "45",
            wellbeing(
                "sufficient",
                "none",
                false,
                false,
                true,
                Some("road to school floods"),
            ),
            serde_json::json!([
                // + 0 = 1
                child("Mali", "2014-01-20", "attending", "thai_id", "both_parents"),
                // + 1 (in process) + 2 (relatives) = 4
                child(
                    "Dao",
                    "2019-07-07",
                    "not_school_age",
                    "in_process",
                    "relatives"
                ),
            ]),
        ))
        .await
        .unwrap();
    let children = everyone(&t).await;
    assert_eq!(score_of(&children, "นิด"), (17, true));
    assert_eq!(score_of(&children, "หน่อย"), (11, true));
    assert_eq!(score_of(&children, "Mali"), (1, false));
    assert_eq!(score_of(&children, "Dao"), (4, false));
    // The most vulnerable first.
    assert_eq!(children[0].name, "นิด");
    // The rule is the team's to change: it applies to every child at once.
    let mut rule = t.vault.register_rule().await.unwrap();
    assert_eq!(rule, VulnerabilityRule::default());
    rule.points.with_relatives = 6;
    rule.threshold = 12;
    t.vault.set_register_rule(rule).await.unwrap();
    let children = everyone(&t).await;
    assert_eq!(score_of(&children, "Dao"), (8, false));
    assert_eq!(score_of(&children, "หน่อย"), (11, false));
    assert_eq!(score_of(&children, "นิด"), (17, true));
    let flagged = t
        .vault
        .search_register(RegisterQuery {
            flagged_only: true,
            ..RegisterQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((flagged.total, flagged.flagged), (1, 1));
    // A rule out of its limits is refused by name and the rule stays as it was.
    let before = count(&t, "changes").await;
    let mut too_much = rule;
    too_much.points.debt = 21;
    assert_invalid_field(t.vault.set_register_rule(too_much).await, "debt");
    let mut none = rule;
    none.threshold = 0;
    assert_invalid_field(t.vault.set_register_rule(none).await, "threshold");
    let mut unreachable = rule;
    unreachable.threshold = 199;
    assert_invalid_field(t.vault.set_register_rule(unreachable).await, "threshold");
    assert_eq!(count(&t, "changes").await, before);
    assert_eq!(t.vault.register_rule().await.unwrap(), rule);
}

#[tokio::test]
async fn a_survey_is_checked_whole_and_the_register_filters() {
    let (t, _) = TestVault::created().await;
    let r = register(&t).await;
    let good = || {
        household(
            &r.pa_sak,
            &r.somsri,
            "7",
            wellbeing("low", "one", false, true, true, None),
            serde_json::json!([child(
                "แก้ว",
                "2015-03-03",
                "attending",
                "unknown",
                "one_parent"
            )]),
        )
    };
    t.vault.add_household(good()).await.unwrap();
    let before = (
        count(&t, "households").await,
        count(&t, "register_children").await,
        count(&t, "changes").await,
    );
    let wrong = |edit: &dyn Fn(&mut NewHousehold)| {
        let mut h = good();
        h.label = "8".into();
        h.children[0].name = "ฟ้า".into();
        edit(&mut h);
        h
    };
    let cases: Vec<(NewHousehold, &str)> = vec![
        (
            wrong(&|h| h.surveyed_on = "2099-01-01".into()),
            "surveyedOn",
        ),
        (
            wrong(&|h| h.children[0].birth_date = "2026-10-02".into()),
            "birthDate",
        ),
        (
            wrong(&|h| h.children[0].birth_date = "1990-01-01".into()),
            "birthDate",
        ),
        (
            wrong(&|h| h.volunteer_id = r.boonmee.clone()),
            "volunteerId",
        ),
        (wrong(&|h| h.village_id = "nowhere".into()), "villageId"),
        (wrong(&|h| h.label = "7".into()), "label"),
        (wrong(&|h| h.children.clear()), "children"),
        // The same child (name, birth date, village) as one in the register.
        (
            wrong(&|h| {
                h.children[0].name = " แก้ว ".into();
                h.children[0].birth_date = "2015-03-03".into();
            }),
            "name",
        ),
        // Twice in one survey.
        (
            wrong(&|h| {
                let again = h.children[0].clone();
                h.children.push(again);
            }),
            "name",
        ),
    ];
    for (bad, field) in cases {
        assert_invalid_field(t.vault.add_household(bad).await, field);
    }
    assert_eq!(
        (
            count(&t, "households").await,
            count(&t, "register_children").await,
            count(&t, "changes").await,
        ),
        before,
        "nothing written"
    );
    t.vault
        .add_household(household(
            &r.huai_khrai,
            &r.boonmee,
            "3",
            wellbeing("below_poverty", "both", true, true, false, None),
            serde_json::json!([
                child("Ploy", "2011-11-11", "not_attending", "stateless", "alone"),
                child("Ploen", "2013-02-02", "attending", "thai_id", "relatives"),
            ]),
        ))
        .await
        .unwrap();
    let find = |query: RegisterQuery| async { t.vault.search_register(query).await.unwrap() };
    let by_village = find(RegisterQuery {
        village_id: Some(r.huai_khrai.clone()),
        ..RegisterQuery::default()
    })
    .await;
    assert_eq!(by_village.total, 2);
    let stateless = find(RegisterQuery {
        documentation: Some(ruam_core::cases::Documentation::Stateless),
        ..RegisterQuery::default()
    })
    .await;
    assert_eq!(stateless.children.len(), 1);
    assert_eq!(stateless.children[0].name, "Ploy");
    let named = find(RegisterQuery {
        text: Some("plo".into()),
        ..RegisterQuery::default()
    })
    .await;
    assert_eq!(named.total, 2, "a part of the name, in any case");
    // A wildcard typed is a character, not a wildcard.
    let literal = find(RegisterQuery {
        text: Some("%".into()),
        ..RegisterQuery::default()
    })
    .await;
    assert_eq!(literal.total, 0);
    let paged = find(RegisterQuery {
        limit: Some(1),
        offset: 1,
        ..RegisterQuery::default()
    })
    .await;
    assert_eq!((paged.children.len(), paged.total), (1, 3));
}

pub const HEADER: &str = "village,moo,household,surveyed_on,volunteer,income_band,parents_away,debt,disability,health_care,other_risks,child_name,sex,birth_date,school,documentation,lives_with";

/// A survey of two villages: three households, five children.
pub fn survey() -> String {
    [
        HEADER,
        "บ้านป่าสัก,3,12/1,2026-10-01,สมศรี ใจดี,below_poverty,both,yes,no,no,,นิด,female,2012-04-02,not_attending,stateless,grandparents",
        "บ้านป่าสัก,3,12/1,2026-10-01,สมศรี ใจดี,below_poverty,both,yes,no,no,,หน่อย,male,2016-09-30,attending,thai_id,grandparents",
        "บ้านป่าสัก,3,14,2026-10-01,สมศรี ใจดี,low,none,ไม่ใช่,ใช่,ใช่,\"พ่อดื่มสุรา, ไม่มีงาน\",ส้ม,female,2018-05-05,attending,thai_id,both_parents",
        "Ban Huai Khrai,,45,2026-10-02,Boonmee Saeng,sufficient,one,no,no,yes,,Mali,female,2014-01-20,attending,other_id,one_parent",
        "Ban Huai Khrai,,45,2026-10-02,Boonmee Saeng,sufficient,one,no,no,yes,,Dao,other,2019-07-07,not_school_age,in_process,one_parent",
    ]
    .join("\r\n")
        + "\r\n"
}

async fn preview(t: &TestVault, file: &str) -> ImportPreview {
    t.vault
        .preview_register_import(file.as_bytes().to_vec())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_good_survey_file_is_previewed_then_written_whole_with_progress() {
    let (t, _) = TestVault::created().await;
    register(&t).await;
    let file = survey();
    let before = count(&t, "changes").await;
    let seen = preview(&t, &file).await;
    assert_eq!(seen.errors, vec![], "{:?}", seen.errors);
    assert_eq!((seen.rows, seen.households, seen.children), (5, 3, 5));
    assert_eq!(seen.sample[2].name, "ส้ม");
    assert_eq!(seen.sample[2].row, 4);
    assert_eq!(
        count(&t, "register_children").await,
        0,
        "a preview writes nothing"
    );
    assert_eq!(count(&t, "changes").await, before);
    let heard = std::sync::Mutex::new(Vec::new());
    let done = t
        .vault
        .import_register(file.into_bytes(), &seen.digest, |p| {
            heard.lock().unwrap().push((p.written, p.total))
        })
        .await
        .unwrap();
    assert_eq!((done.households, done.children), (3, 5));
    let heard = heard.into_inner().unwrap();
    assert_eq!(heard.first(), Some(&(0, 5)));
    assert_eq!(heard.last(), Some(&(5, 5)));
    let children = everyone(&t).await;
    assert_eq!(children.len(), 5);
    // The household's note, commas and all, and the Thai yes and no.
    let som = children.iter().find(|c| c.name == "ส้ม").unwrap();
    assert_eq!(
        som.wellbeing.other_risks.as_deref(),
        Some("พ่อดื่มสุรา, ไม่มีงาน")
    );
    assert!(som.wellbeing.disability && !som.wellbeing.debt);
    assert_eq!(score_of(&children, "นิด"), (17, true));
    // Every row through the outbox: 3 households and 5 children.
    assert_eq!(count(&t, "changes").await - before, 8);
    assert_eq!(
        rows(
            &t,
            "SELECT count(*) FROM audit_log WHERE action = 'register.import'"
        )
        .await,
        1
    );
    // The same file again: every child is in the register already, nothing is written.
    let again = preview(&t, &survey()).await;
    assert!(again.error_count >= 5, "{:?}", again.errors);
    assert!(matches!(
        t.vault
            .import_register(survey().into_bytes(), &again.digest, |_| {})
            .await,
        Err(Error::Invalid { field: "file", .. })
    ));
    assert_eq!(count(&t, "register_children").await, 5);
}

/// The survey with `row` (1-based, after the header) replaced.
fn with_row(row: usize, line: &str) -> String {
    let mut lines: Vec<String> = survey().lines().map(str::to_owned).collect();
    lines[row] = line.to_owned();
    lines.join("\n") + "\n"
}

fn first_error(p: &ImportPreview) -> (u32, Option<&str>, &str) {
    let e = p
        .errors
        .first()
        .unwrap_or_else(|| panic!("no error in {p:?}"));
    (e.row, e.column.as_deref(), e.message.as_str())
}

#[tokio::test]
async fn each_kind_of_bad_file_is_named_row_by_row_and_nothing_is_half_imported() {
    let (t, _) = TestVault::created().await;
    register(&t).await;
    let good_row = survey().lines().nth(3).unwrap().to_owned();
    let megabytes = "ก".repeat(1_000_000);
    let cases: Vec<(Vec<u8>, u32, Option<&str>, &str)> = vec![
        // Thai saved in the old Windows code page.
        (
            [HEADER.as_bytes(), b"\n\xBA\xE9\xD2\xB9\xBB\xE8\xD2\xCA\xD1\xA1,3\n"].concat(),
            2,
            None,
            "TIS-620",
        ),
        (
            [&[0xFF, 0xFE][..], "v\0i\0".as_bytes()].concat(),
            1,
            None,
            "UTF-16",
        ),
        (
            HEADER.replace(",lives_with", "").into_bytes(),
            1,
            Some("lives_with"),
            "missing",
        ),
        (
            with_row(0, &format!("{HEADER},notes")).into_bytes(),
            1,
            Some("notes"),
            "not a column",
        ),
        (
            with_row(3, &good_row.replace("2026-10-01", "2099-10-01")).into_bytes(),
            4,
            Some("surveyed_on"),
            "after today",
        ),
        (
            with_row(3, &good_row.replace("2018-05-05", "2026-11-30")).into_bytes(),
            4,
            Some("birth_date"),
            "after the survey",
        ),
        // The same child (name, birth date, village) as row 2.
        (
            with_row(
                3,
                "บ้านป่าสัก,3,12/1,2026-10-01,สมศรี ใจดี,below_poverty,both,yes,no,no,,นิด,female,2012-04-02,attending,stateless,grandparents",
            )
            .into_bytes(),
            4,
            Some("child_name"),
            "row 2",
        ),
        (
            with_row(3, &good_row.replace("ส้ม", &megabytes)).into_bytes(),
            4,
            Some("child_name"),
            "longer than",
        ),
        (
            with_row(3, &good_row.replace(",female,", ",F,")).into_bytes(),
            4,
            Some("sex"),
            "not one of",
        ),
        (
            with_row(3, &good_row.replace(",ใช่,ใช่,", ",maybe,ใช่,")).into_bytes(),
            4,
            Some("disability"),
            "yes or no",
        ),
        (
            with_row(3, &good_row.replace("สมศรี ใจดี", "Boonmee Saeng")).into_bytes(),
            4,
            Some("volunteer"),
            "not a volunteer of this village",
        ),
        (
            with_row(3, &good_row.replace("บ้านป่าสัก,3", "บ้านไม่มี,3")).into_bytes(),
            4,
            Some("village"),
            "add it first",
        ),
        (
            with_row(3, &good_row.replace(",ส้ม,", ",,")).into_bytes(),
            4,
            Some("child_name"),
            "empty",
        ),
        (
            with_row(3, &format!("{good_row},extra")).into_bytes(),
            4,
            None,
            "fields where the header has",
        ),
        // A household whose rows disagree.
        (
            with_row(
                2,
                "บ้านป่าสัก,3,12/1,2026-10-01,สมศรี ใจดี,low,both,yes,no,no,,หน่อย,male,2016-09-30,attending,thai_id,grandparents",
            )
            .into_bytes(),
            3,
            Some("income_band"),
            "differs from row 2",
        ),
        (
            with_row(3, &good_row.replace("ไม่มีงาน\"", "ไม่มีงาน")).into_bytes(),
            4,
            None,
            "never closes",
        ),
        (
            HEADER.replace(',', ";").into_bytes(),
            1,
            None,
            "semicolons",
        ),
        (Vec::new(), 1, None, "empty"),
        (format!("{HEADER}\n").into_bytes(), 1, None, "no rows"),
    ];
    for (file, row, column, says) in cases {
        let seen = t.vault.preview_register_import(file.clone()).await.unwrap();
        let (got_row, got_column, message) = first_error(&seen);
        assert_eq!((got_row, got_column), (row, column), "{message}");
        assert!(message.contains(says), "{message} should say {says}");
        assert!(seen.error_count >= 1);
        // Whatever the preview said, an import of it writes nothing.
        assert!(matches!(
            t.vault.import_register(file, &seen.digest, |_| {}).await,
            Err(Error::Invalid { field: "file", .. })
        ));
        assert_eq!(count(&t, "register_children").await, 0);
        assert_eq!(count(&t, "households").await, 0);
    }
    // Errors are listed row by row, all of them counted.
    let two_bad = with_row(
        1,
        &survey()
            .lines()
            .nth(1)
            .unwrap()
            .replace("2012-04-02", "02/04/2012"),
    )
    .replace(",female,2018", ",girl,2018");
    let seen = preview(&t, &two_bad).await;
    assert_eq!(seen.error_count, 2, "{:?}", seen.errors);
    assert_eq!(
        seen.errors
            .iter()
            .map(|e| (e.row, e.column.clone().unwrap()))
            .collect::<Vec<_>>(),
        vec![(2, "birth_date".into()), (4, "sex".into())]
    );
    // The file previewed is the file imported.
    let good = preview(&t, &survey()).await;
    assert!(matches!(
        t.vault
            .import_register(
                with_row(3, &good_row.replace("ส้ม", "ส้มโอ")).into_bytes(),
                &good.digest,
                |_| {}
            )
            .await,
        Err(Error::Invalid { field: "file", .. })
    ));
    assert_eq!(count(&t, "register_children").await, 0);
}

#[tokio::test]
async fn a_formula_is_kept_as_text_with_a_warning() {
    let (t, _) = TestVault::created().await;
    register(&t).await;
    let good_row = survey().lines().nth(3).unwrap().to_owned();
    let file = with_row(
        3,
        &good_row
            .replace("ส้ม", "=HYPERLINK(\"\"http://x\"\";\"\"ส้ม\"\")")
            .replace(",14,", ",@SUM(A1),"),
    );
    let file = file.replace(
        "=HYPERLINK(\"\"http://x\"\";\"\"ส้ม\"\")",
        "\"=HYPERLINK(\"\"http://x\"\";\"\"ส้ม\"\")\"",
    );
    let seen = preview(&t, &file).await;
    assert_eq!(seen.error_count, 0, "{:?}", seen.errors);
    let columns: Vec<_> = seen
        .warnings
        .iter()
        .map(|w| (w.row, w.column.clone().unwrap()))
        .collect();
    assert_eq!(
        columns,
        vec![(4, "household".into()), (4, "child_name".into())]
    );
    t.vault
        .import_register(file.into_bytes(), &seen.digest, |_| {})
        .await
        .unwrap();
    let children = everyone(&t).await;
    assert!(children
        .iter()
        .any(|c| c.name == "=HYPERLINK(\"http://x\";\"ส้ม\")" && c.household == "@SUM(A1)"));
    // Exported, the formula is text a spreadsheet shows and never runs.
    let dir = tempfile::tempdir().unwrap();
    let exported = t
        .vault
        .export_register(RegisterQuery::default(), dir.path())
        .await
        .unwrap();
    assert_eq!(exported.entries, 5);
    let csv = std::fs::read_to_string(&exported.path).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\";\"\"ส้ม\"\")\""),
        "{csv}"
    );
    assert!(csv.contains(",'@SUM(A1),"), "{csv}");
    for line in csv.lines() {
        for field in line.split(',') {
            assert!(
                !field
                    .trim_start_matches('"')
                    .starts_with(['=', '+', '-', '@']),
                "a field a spreadsheet would run: {field} in {line}"
            );
        }
    }
    assert!(csv.starts_with("village,moo,household,"));
    assert_eq!(
        rows(
            &t,
            "SELECT count(*) FROM audit_log WHERE action = 'register.export'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_file_of_fifty_thousand_children_goes_in_whole_with_progress() {
    let (t, _) = TestVault::created().await;
    let r = register(&t).await;
    let _ = r;
    let mut file = String::from(HEADER);
    for n in 0..50_000u32 {
        let (village, volunteer) = if n % 2 == 0 {
            ("บ้านป่าสัก", "สมศรี ใจดี")
        } else {
            ("Ban Huai Khrai", "Boonmee Saeng")
        };
        let house = n / 3;
        let day = 1 + n % 28;
        file.push_str(&format!(
            "\n{village},,{house},2026-10-01,{volunteer},low,one,no,no,yes,,เด็ก {n},female,2015-02-{day:02},attending,thai_id,one_parent"
        ));
    }
    let seen = preview(&t, &file).await;
    assert_eq!(
        seen.error_count,
        0,
        "{:?}",
        &seen.errors[..seen.errors.len().min(3)]
    );
    assert_eq!(seen.children, 50_000);
    let heard = std::sync::Mutex::new(Vec::new());
    t.vault
        .import_register(file.into_bytes(), &seen.digest, |p| {
            heard.lock().unwrap().push(p.written)
        })
        .await
        .unwrap();
    let heard = heard.into_inner().unwrap();
    assert!(heard.len() > 10, "progress heard {} times", heard.len());
    assert!(heard.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(heard.last(), Some(&50_000));
    assert_eq!(count(&t, "register_children").await, 50_000);
    assert_eq!(
        rows(
            &t,
            "SELECT count(*) FROM changes WHERE entity = 'register_child'"
        )
        .await,
        50_000
    );
}

#[tokio::test]
async fn a_flagged_child_becomes_a_case_in_one_step_with_documentation_steps_and_fees() {
    let (t, _) = TestVault::created().await;
    register(&t).await;
    let seen = preview(&t, &survey()).await;
    t.vault
        .import_register(survey().into_bytes(), &seen.digest, |_| {})
        .await
        .unwrap();
    let flagged = t
        .vault
        .search_register(RegisterQuery {
            flagged_only: true,
            ..RegisterQuery::default()
        })
        .await
        .unwrap();
    let nit = flagged
        .children
        .iter()
        .find(|c| c.name == "นิด")
        .unwrap()
        .clone();
    let file = t.vault.open_case_for_child(&nit.id).await.unwrap();
    let subject = &file.people[0];
    assert_eq!(subject.name, "นิด");
    assert_eq!(subject.birth_date.as_deref(), Some("2012-04-02"));
    assert_eq!(subject.village.as_deref(), Some("บ้านป่าสัก หมู่ 3"));
    let case_id = file.summary.id.clone();
    // The child links to the case, and the case back to the child.
    assert_eq!(
        t.vault
            .register_child(&nit.id)
            .await
            .unwrap()
            .case_id
            .as_deref(),
        Some(case_id.as_str())
    );
    let back = t.vault.register_child_of_case(&case_id).await.unwrap();
    assert_eq!(back.map(|c| c.id), Some(nit.id.clone()));
    // Once is enough.
    assert_invalid_field(t.vault.open_case_for_child(&nit.id).await, "childId");

    // The fee of the DNA test, from the pooled fund, for this case.
    let overview = fund(&t).await;
    let unicef = agency(&t, "UNICEF field office", "ngo").await;
    give(
        &t,
        &overview.fund.id,
        &unicef,
        "20,000",
        serde_json::json!({}),
    )
    .await
    .unwrap();
    let shelter = line(&overview, "Emergency shelter");
    allocate(&t, &overview.fund.id, None, Some(&shelter), "5,000")
        .await
        .unwrap();
    let fee = request(&t, &overview.fund.id, &shelter, "3,500", Some(&case_id))
        .await
        .unwrap();
    let other_case = request(&t, &overview.fund.id, &shelter, "100", None)
        .await
        .unwrap();
    let step = |kind: &str, status: &str, day: Option<&str>, fee: Option<&str>| {
        json::<ruam_core::community::documentation::NewStep>(serde_json::json!({
            "caseId": case_id, "kind": kind, "status": status, "happenedOn": day,
            "documents": "birth certificate of the mother; house registration",
            "feeRequestId": fee,
        }))
    };
    t.vault
        .add_documentation_step(step("birth_registration", "done", Some("2026-10-20"), None))
        .await
        .unwrap();
    let steps = t
        .vault
        .add_documentation_step(step(
            "dna_test",
            "in_progress",
            Some("2026-11-02"),
            Some(&fee.id),
        ))
        .await
        .unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(
        steps[1].fee.as_ref().map(|f| f.text.as_str()),
        Some("3,500.00 THB")
    );
    assert_eq!(steps[1].fee_status.as_deref(), Some("pending"));
    let before = count(&t, "documentation_steps").await;
    assert_invalid_field(
        t.vault
            .add_documentation_step(step("hearing", "done", None, None))
            .await,
        "happenedOn",
    );
    assert_invalid_field(
        t.vault
            .add_documentation_step(step("hearing", "done", Some("2099-01-01"), None))
            .await,
        "happenedOn",
    );
    assert_invalid_field(
        t.vault
            .add_documentation_step(step("hearing", "planned", None, Some(&other_case.id)))
            .await,
        "feeRequestId",
    );
    assert_eq!(count(&t, "documentation_steps").await, before);
    // A hearing to come is planned.
    let steps = t
        .vault
        .add_documentation_step(step("hearing", "planned", Some("2027-01-15"), None))
        .await
        .unwrap();
    let done = t
        .vault
        .update_documentation_step(json(serde_json::json!({
            "id": steps[1].id, "status": "done", "happenedOn": "2026-11-02",
            "documents": "DNA report", "feeRequestId": fee.id,
        })))
        .await
        .unwrap();
    assert_eq!(
        done[1].status,
        ruam_core::community::documentation::StepStatus::Done
    );
    assert_eq!(done.len(), 3);
    assert_eq!(
        rows(
            &t,
            "SELECT count(*) FROM changes WHERE entity = 'documentation_step'"
        )
        .await,
        4
    );
}

#[tokio::test]
async fn only_those_who_keep_the_register_see_its_children() {
    let (t, _) = TestVault::created().await;
    let r = register(&t).await;
    t.vault
        .add_household(household(
            &r.pa_sak,
            &r.somsri,
            "9",
            wellbeing("low", "none", false, false, true, None),
            serde_json::json!([child(
                "ฝน",
                "2017-08-08",
                "attending",
                "thai_id",
                "both_parents"
            )]),
        ))
        .await
        .unwrap();
    t.vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    sign_in_fresh(&t, "anan").await;
    // The villages and their volunteers, yes; the children, no.
    assert_eq!(t.vault.villages().await.unwrap().len(), 2);
    assert_eq!(t.vault.volunteers(None).await.unwrap().len(), 2);
    assert!(matches!(
        t.vault.search_register(RegisterQuery::default()).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.preview_register_import(survey().into_bytes()).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .set_register_rule(VulnerabilityRule::default())
            .await,
        Err(Error::Forbidden)
    ));
    assert_eq!(
        rows(
            &t,
            "SELECT count(*) FROM register_rule WHERE updated_by IS NULL"
        )
        .await,
        1,
        "the defaults, as every laptop starts with them"
    );
}

#[tokio::test]
async fn the_register_and_its_rule_reach_every_laptop_scored_there() {
    use crate::sync::{joined_laptop, social_worker, Relay};
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = social_worker(&lead).await;
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = joined_laptop(&relay, &lead, &worker.id).await;
    // She keeps the register on her laptop: villages, volunteers, a survey file.
    register(&laptop).await;
    let file = survey().replace("นิด", "canary-CHILD นิด");
    let seen = preview(&laptop, &file).await;
    laptop
        .vault
        .import_register(file.into_bytes(), &seen.digest, |_| {})
        .await
        .unwrap();
    laptop.vault.sync_now().await.unwrap();
    let got = lead.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 0, "{got:?}");
    let there = everyone(&lead).await;
    assert_eq!(there.len(), 5);
    assert_eq!(
        score_of(&there, "canary-CHILD นิด"),
        (17, true),
        "scored on arrival"
    );
    assert!(!contains(&relay.bytes(), b"canary-CHILD"));
    // The lead weighs living with grandparents more: her laptop scores again.
    let mut rule = lead.vault.register_rule().await.unwrap();
    rule.points.with_grandparents = 5;
    lead.vault.set_register_rule(rule).await.unwrap();
    lead.vault.sync_now().await.unwrap();
    laptop.vault.sync_now().await.unwrap();
    assert_eq!(laptop.vault.register_rule().await.unwrap(), rule);
    let here = everyone(&laptop).await;
    assert_eq!(score_of(&here, "canary-CHILD นิด"), (21, true));
    assert_eq!(score_of(&here, "หน่อย").0, 10 + 5);
}

#[tokio::test]
async fn a_laptop_whose_member_does_not_keep_the_register_cannot_write_it() {
    use crate::sync::{forged_change, joined_laptop, Relay};
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let r = register(&lead).await;
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = joined_laptop(&relay, &lead, &liaison.id).await;
    laptop.vault.sync_now().await.unwrap();
    // A changed client on his laptop writes a survey and a rule into its own vault.
    let pool = laptop.vault.pool().await.unwrap();
    let now = "2026-12-01T00:00:00.000Z";
    sqlx::query(
        "INSERT INTO households (id, village_id, label, surveyed_on, volunteer_id, income_band,
             parents_away, debt, disability, health_care, created_by, created_at, updated_at)
         VALUES ('forged-house', ?, '99', '2026-11-01', ?, 'low', 'none', 0, 0, 1, ?, ?, ?)",
    )
    .bind(&r.pa_sak)
    .bind(&r.somsri)
    .bind(&liaison.id)
    .bind(now)
    .bind(now)
    .execute(&pool)
    .await
    .unwrap();
    forged_change(
        &pool,
        ("household", "forged-house"),
        "insert",
        &liaison.id,
        1,
    )
    .await;
    sqlx::query("UPDATE register_rule SET threshold = 1")
        .execute(&pool)
        .await
        .unwrap();
    forged_change(&pool, ("register_rule", "rule"), "update", &liaison.id, 2).await;
    drop(pool);
    let sent = laptop.vault.sync_now().await.unwrap();
    assert!(sent.sealed > 0, "{sent:?}");
    let got = lead.vault.sync_now().await.unwrap();
    assert!(got.refused >= 1, "{got:?}");
    assert_eq!(got.applied_rows, 0, "{got:?}");
    assert_eq!(count(&lead, "households").await, 0);
    assert_eq!(
        lead.vault.register_rule().await.unwrap(),
        VulnerabilityRule::default()
    );
}

#[tokio::test]
async fn a_childs_record_is_corrected_and_scored_again_and_bad_input_writes_nothing() {
    use ruam_core::community::register::ChildUpdate;
    let (t, _) = TestVault::created().await;
    register(&t).await;
    let seen = preview(&t, &survey()).await;
    t.vault
        .import_register(survey().into_bytes(), &seen.digest, |_| {})
        .await
        .unwrap();
    let children = everyone(&t).await;
    let nit = children.iter().find(|c| c.name == "นิด").unwrap().clone();
    assert_eq!((nit.score, nit.flagged), (17, true));
    let corrected = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut c = child("นิด", "2012-04-02", "attending", "thai_id", "grandparents");
        edit(&mut c);
        ChildUpdate {
            id: nit.id.clone(),
            child: json(c),
        }
    };
    // Her citizenship came through and she is back at school: 10 + 1 = 11.
    let now = t
        .vault
        .update_register_child(corrected(&|_| {}))
        .await
        .unwrap();
    assert_eq!(now.documentation, ruam_core::cases::Documentation::ThaiId);
    assert_eq!((now.score, now.flagged), (11, true));
    let before = count(&t, "changes").await;
    let cases: Vec<(ChildUpdate, &str)> = vec![
        (corrected(&|c| c["name"] = " ".into()), "name"),
        (
            corrected(&|c| c["birthDate"] = "2026-11-01".into()),
            "birthDate",
        ),
        // The name and birth date of another child of her village.
        (
            corrected(&|c| {
                c["name"] = "หน่อย".into();
                c["birthDate"] = "2016-09-30".into();
            }),
            "name",
        ),
    ];
    for (bad, field) in cases {
        assert_invalid_field(t.vault.update_register_child(bad).await, field);
    }
    assert!(matches!(
        t.vault
            .update_register_child(ChildUpdate {
                id: "nobody".into(),
                child: corrected(&|_| {}).child,
            })
            .await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(count(&t, "changes").await, before);
    assert_eq!(t.vault.register_child(&nit.id).await.unwrap().score, 11);
}
