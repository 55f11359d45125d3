//! Correcting and deleting what a case holds, staff turnover (open cases are handed over
//! before a member leaves), the case list a page at a time, and closed cases kept as they
//! were closed.

use ruam_core::cases::{Party, Section};
use ruam_core::vault::{HandOver, NoteEdit, PersonChange, PersonRemoval};
use ruam_core::Error;

use crate::cases::{new_case, note};
use crate::support::*;

fn person(party: &str, name: &str) -> ruam_core::cases::NewPerson {
    serde_json::from_value(serde_json::json!({
        "party": party, "name": name, "sex": "male", "documentation": "unknown",
        "relation": "uncle", "birthYearEstimate": 1980,
    }))
    .unwrap()
}

async fn note_versions(t: &TestVault, note_id: &str) -> Vec<String> {
    let pool = t.vault.pool().await.unwrap();
    sqlx::query_scalar("SELECT body FROM case_note_versions WHERE note_id = ? ORDER BY rowid")
        .bind(note_id)
        .fetch_all(&pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_note_is_corrected_with_its_earlier_wording_kept_and_search_follows() {
    let (t, _) = TestVault::created().await;
    let case = t
        .vault
        .create_case(new_case("Nok Saelee", 2012))
        .await
        .unwrap();
    let case_id = case.summary.id;
    let file = note(&t, &case_id, "social", "เยี่ยมบ้านที่หมู่บ้านป่าสัก").await;
    let note_id = file.notes[0].id.clone();
    assert!(file.notes[0].may_change);
    assert_eq!(file.notes[0].edited_at, None);

    let before = count(&t, "changes").await;
    assert_invalid_field(
        t.vault
            .edit_case_note(NoteEdit {
                note_id: note_id.clone(),
                body: "   ".into(),
            })
            .await,
        "body",
    );
    assert_eq!(count(&t, "changes").await, before, "nothing written");

    let file = t
        .vault
        .edit_case_note(NoteEdit {
            note_id: note_id.clone(),
            body: "เยี่ยมบ้านที่หมู่บ้านห้วยไคร้".into(),
        })
        .await
        .unwrap();
    assert_eq!(file.notes[0].body, "เยี่ยมบ้านที่หมู่บ้านห้วยไคร้");
    assert!(file.notes[0].edited_at.is_some());
    assert_eq!(note_versions(&t, &note_id).await, ["เยี่ยมบ้านที่หมู่บ้านป่าสัก"]);
    // The earlier wording travels with the changes, for the other devices' record too.
    let pool = t.vault.pool().await.unwrap();
    let synced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM changes WHERE entity = 'case_note_version' AND json_extract(fields, '$.note_id') = ?",
    )
    .bind(&note_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(synced, 1);
    assert!(
        t.vault.search_cases("ป่าสัก").await.unwrap().is_empty(),
        "the old wording is not found"
    );
    assert_eq!(t.vault.search_cases("ห้วยไคร้").await.unwrap().len(), 1);

    // Deleted: gone from the case file, its timeline and search; audited.
    let file = t.vault.delete_case_note(&note_id).await.unwrap();
    assert!(file.notes.is_empty());
    assert!(file.timeline.iter().all(|item| item.kind != "note"));
    assert!(t.vault.search_cases("ห้วยไคร้").await.unwrap().is_empty());
    for action in ["case.note.edit", "case.note.delete"] {
        let pool = t.vault.pool().await.unwrap();
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = ? AND entity_id = ?")
                .bind(action)
                .bind(&note_id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(n, 1, "{action}");
    }
    // A deleted note cannot be changed again: refused like an unknown one.
    assert!(matches!(
        t.vault.delete_case_note(&note_id).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .edit_case_note(NoteEdit {
                note_id: "no-such-note".into(),
                body: "x".into()
            })
            .await,
        Err(Error::Forbidden)
    ));
}

#[tokio::test]
async fn only_the_author_the_case_lead_or_a_team_lead_changes_a_note() {
    let (t, _) = TestVault::created().await;
    let worker = t
        .vault
        .add_member(new_member("Malee", "malee", "case_worker"))
        .await
        .unwrap();
    let helper = t
        .vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "malee").await;
    let case_id = t
        .vault
        .create_case(new_case("Fah Thao", 2014))
        .await
        .unwrap()
        .summary
        .id;
    t.vault
        .change_case_member(
            serde_json::from_value(serde_json::json!({
                "caseId": case_id, "memberId": helper.id, "responsibility": "support",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let file = note(&t, &case_id, "general", "Malee's note").await;
    let malee_note = file.notes[0].id.clone();

    sign_in_fresh(&t, "dao").await;
    let file = note(&t, &case_id, "general", "Dao's note").await;
    let by = |file: &ruam_core::cases::store::CaseFile, body: &str| {
        file.notes
            .iter()
            .find(|n| n.body == body)
            .unwrap()
            .may_change
    };
    assert!(by(&file, "Dao's note"));
    assert!(
        !by(&file, "Malee's note"),
        "support members change only their own notes"
    );
    let before = count(&t, "changes").await;
    assert!(matches!(
        t.vault
            .edit_case_note(NoteEdit {
                note_id: malee_note.clone(),
                body: "rewritten".into()
            })
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.delete_case_note(&malee_note).await,
        Err(Error::Forbidden)
    ));
    assert_eq!(count(&t, "changes").await, before, "nothing written");

    // Malee leads the case: she may correct Dao's note as well.
    t.vault.lock().await;
    t.vault.unlock(unlock_as("malee", OWN)).await.unwrap();
    let file = t.vault.open_case(&case_id).await.unwrap();
    assert!(by(&file, "Dao's note") && by(&file, "Malee's note"));
    let dao_note = file
        .notes
        .iter()
        .find(|n| n.body == "Dao's note")
        .unwrap()
        .id
        .clone();
    t.vault
        .edit_case_note(NoteEdit {
            note_id: dao_note,
            body: "Dao's note, dated".into(),
        })
        .await
        .unwrap();
    let _ = worker;
}

#[tokio::test]
async fn people_are_added_corrected_and_removed_but_the_child_stays() {
    let (t, _) = TestVault::created().await;
    let file = t
        .vault
        .create_case(new_case("Mai Yang", 2013))
        .await
        .unwrap();
    let case_id = file.summary.id.clone();
    let subject = file
        .people
        .iter()
        .find(|p| p.party == Party::Subject)
        .unwrap()
        .clone();

    let file = t
        .vault
        .save_case_person(PersonChange {
            case_id: case_id.clone(),
            person_id: None,
            person: person("witness", "Lung Kham"),
        })
        .await
        .unwrap();
    let witness = file
        .people
        .iter()
        .find(|p| p.name == "Lung Kham")
        .unwrap()
        .clone();
    assert_eq!(witness.party, Party::Witness);
    assert_eq!(t.vault.search_cases("lung kham").await.unwrap().len(), 1);

    // Nobody else becomes the case's child, and the child stays its subject.
    let before = count(&t, "changes").await;
    assert_invalid_field(
        t.vault
            .save_case_person(PersonChange {
                case_id: case_id.clone(),
                person_id: None,
                person: person("subject", "Second child"),
            })
            .await,
        "party",
    );
    let mut age = person("subject", "Mai Yang");
    age.birth_year_estimate = Some(1850);
    assert_invalid_field(
        t.vault
            .save_case_person(PersonChange {
                case_id: case_id.clone(),
                person_id: Some(subject.id.clone()),
                person: age,
            })
            .await,
        "subject.birth_year_estimate",
    );
    assert_invalid_field(
        t.vault
            .remove_case_person(PersonRemoval {
                case_id: case_id.clone(),
                person_id: subject.id.clone(),
            })
            .await,
        "person_id",
    );
    assert_eq!(count(&t, "changes").await, before, "nothing written");

    // The child's name is corrected; search finds the new name, not the old.
    let mut corrected = person("subject", "Mai Yangchai");
    corrected.relation = None;
    let file = t
        .vault
        .save_case_person(PersonChange {
            case_id: case_id.clone(),
            person_id: Some(subject.id.clone()),
            person: corrected,
        })
        .await
        .unwrap();
    assert_eq!(file.summary.subject_name, "Mai Yangchai");
    assert_eq!(t.vault.search_cases("yangchai").await.unwrap().len(), 1);

    // A witness who turns out to be the alleged perpetrator.
    let mut accused = person("alleged_perpetrator", "Lung Kham");
    accused.relation = Some("neighbour".into());
    let file = t
        .vault
        .save_case_person(PersonChange {
            case_id: case_id.clone(),
            person_id: Some(witness.id.clone()),
            person: accused,
        })
        .await
        .unwrap();
    let changed = file.people.iter().find(|p| p.id == witness.id).unwrap();
    assert_eq!(changed.party, Party::AllegedPerpetrator);
    assert_eq!(changed.relation.as_deref(), Some("neighbour"));

    let file = t
        .vault
        .remove_case_person(PersonRemoval {
            case_id: case_id.clone(),
            person_id: witness.id.clone(),
        })
        .await
        .unwrap();
    assert!(file.people.iter().all(|p| p.id != witness.id));
    assert!(t.vault.search_cases("lung kham").await.unwrap().is_empty());
    let kinds: Vec<&str> = file.timeline.iter().map(|i| i.kind.as_str()).collect();
    assert!(
        kinds.contains(&"person_added") && kinds.contains(&"person_removed"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn attachments_are_deleted_by_who_added_them_and_a_closed_case_is_kept_as_closed() {
    let (t, _) = TestVault::created().await;
    let case_id = t
        .vault
        .create_case(new_case("Ploy Lor", 2012))
        .await
        .unwrap()
        .summary
        .id;
    let file = t
        .vault
        .add_attachment(ruam_core::vault::NewAttachment {
            case_id: case_id.clone(),
            section: "general".into(),
            file_name: "scan.pdf".into(),
            content_base64: "JVBERi0xLjQK".into(),
        })
        .await
        .unwrap();
    let first = file.attachments[0].id.clone();
    assert!(file.attachments[0].may_change);
    let file = t.vault.delete_case_attachment(&first).await.unwrap();
    assert!(file.attachments.is_empty());
    assert!(matches!(
        t.vault.attachment(&first).await,
        Err(Error::Forbidden)
    ));

    let file = note(&t, &case_id, "general", "Before closing").await;
    let note_id = file.notes[0].id.clone();
    t.vault
        .close_case(ruam_core::vault::CloseCase {
            case_id: case_id.clone(),
            outcome: Some("resolved_district".into()),
        })
        .await
        .unwrap();
    let before = count(&t, "changes").await;
    assert_invalid_field(
        t.vault
            .add_case_note(ruam_core::vault::NewNote {
                case_id: case_id.clone(),
                section: "general".into(),
                body: "After closing".into(),
            })
            .await,
        "case_id",
    );
    assert_invalid_field(
        t.vault
            .edit_case_note(NoteEdit {
                note_id: note_id.clone(),
                body: "changed".into(),
            })
            .await,
        "case_id",
    );
    assert_invalid_field(t.vault.delete_case_note(&note_id).await, "case_id");
    assert_invalid_field(
        t.vault
            .save_case_person(PersonChange {
                case_id: case_id.clone(),
                person_id: None,
                person: person("witness", "Late witness"),
            })
            .await,
        "case_id",
    );
    assert_eq!(count(&t, "changes").await, before, "nothing written");
    // Consent can still be recorded (or withdrawn) on a closed case.
    t.vault
        .record_consent(
            serde_json::from_value(serde_json::json!({
                "caseId": case_id, "givenBy": "guardian", "services": false, "reporting": false,
                "shareWith": [], "givenOn": "2026-11-20",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    // Reopened, it can be added to again.
    t.vault.reopen_case(&case_id).await.unwrap();
    note(&t, &case_id, "general", "After reopening").await;
}

#[tokio::test]
async fn a_member_with_open_cases_hands_them_over_before_leaving() {
    let (t, _) = TestVault::created().await;
    let leaving = t
        .vault
        .add_member(new_member("Anan", "anan", "case_worker"))
        .await
        .unwrap();
    let taking = t
        .vault
        .add_member(new_member("Kanya", "kanya", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "anan").await;
    let mut cases = Vec::new();
    for (name, year) in [
        ("Lan Jaidee", 2011),
        ("Dao Boonmee", 2012),
        ("Nok Thao", 2014),
    ] {
        cases.push(
            t.vault
                .create_case(new_case(name, year))
                .await
                .unwrap()
                .summary
                .id,
        );
    }
    note(&t, &cases[0], "general", "บันทึกของอนันต์").await;
    t.vault
        .close_case(ruam_core::vault::CloseCase {
            case_id: cases[2].clone(),
            outcome: Some("no_further_action".into()),
        })
        .await
        .unwrap(); // a case worker's closing is a request for a lead
    sign_in_lead(&t).await;
    t.vault.decide_case_closure(&cases[2], true).await.unwrap();

    // Leaving with open cases is refused, naming how many.
    let mut gone = crate::team::update_of(&leaving);
    gone.status = "left".into();
    let before = count(&t, "changes").await;
    match t.vault.update_member(gone.clone()).await {
        Err(Error::Invalid { field, reason }) => {
            assert_eq!(field, "status");
            assert!(reason.contains("2 open cases"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&t, "changes").await, before, "nothing written");

    let me = t.vault.status().await.member.unwrap().id;
    // A handover without a note is refused.
    assert_invalid_field(
        t.vault
            .hand_over(HandOver {
                from_member_id: leaving.id.clone(),
                to_member_id: taking.id.clone(),
                note: "  ".into(),
                items: None,
            })
            .await,
        "note",
    );
    for bad in [
        HandOver {
            from_member_id: leaving.id.clone(),
            to_member_id: leaving.id.clone(),
            note: "handover".into(),
            items: None,
        },
        // A team lead does not become the lead of cases (and read their health and
        // police notes) by handing them to themself.
        HandOver {
            from_member_id: leaving.id.clone(),
            to_member_id: me,
            note: "handover".into(),
            items: None,
        },
        HandOver {
            from_member_id: leaving.id.clone(),
            to_member_id: "nobody".into(),
            note: "handover".into(),
            items: None,
        },
    ] {
        assert_invalid_field(t.vault.hand_over(bad).await, "to_member_id");
    }
    // Anan's tasks: one on an open case (to do and to review), one on the team's board.
    let task = |case_id: Option<&str>, title: &str, reviewer: Option<&str>| {
        let mut c = crate::boards::card(case_id, title);
        c.assignee_ids = vec![leaving.id.clone()];
        c.reviewer_id = reviewer.map(str::to_owned);
        c
    };
    t.vault
        .create_card(task(Some(&cases[0]), "Home visit", Some(&leaving.id)))
        .await
        .unwrap();
    t.vault
        .create_card(task(None, "Volunteer training", None))
        .await
        .unwrap();
    let moved = t
        .vault
        .hand_over(HandOver {
            from_member_id: leaving.id.clone(),
            to_member_id: taking.id.clone(),
            note: "ครอบครัวย้ายไปอยู่บ้านป่าสัก นัดเยี่ยมบ้านวันจันทร์".into(),
            items: None,
        })
        .await
        .unwrap();
    assert_eq!(moved.cases, 2, "the closed case stays as it was closed");
    assert_eq!((moved.tasks, moved.reviews), (2, 1));
    let board = t.vault.open_board(Some(cases[0].clone())).await.unwrap();
    let home_visit = &board.columns[0].cards[0];
    assert_eq!(home_visit.assignee_ids, std::slice::from_ref(&taking.id));
    assert_eq!(home_visit.reviewer_id.as_deref(), Some(taking.id.as_str()));
    t.vault.update_member(gone).await.unwrap();

    // The closed case still names Anan as its lead: it reopens only with a lead who is on
    // the team, and Anan comes off it as it does.
    assert_invalid_field(t.vault.reopen_case(&cases[2]).await, "case_id");
    t.vault
        .change_case_member(
            serde_json::from_value(serde_json::json!({
                "caseId": cases[2], "memberId": taking.id, "responsibility": "lead",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let reopened = t.vault.reopen_case(&cases[2]).await.unwrap();
    assert_eq!(
        reopened
            .members
            .iter()
            .map(|m| m.member_id.as_str())
            .collect::<Vec<_>>(),
        [taking.id.as_str()]
    );

    // Kanya leads both open cases now, finds them and their notes, and sees the handover.
    sign_in_fresh(&t, "kanya").await;
    let mine = t.vault.list_cases(true, None).await.unwrap().cases;
    let mut ids: Vec<&str> = mine.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = vec![cases[0].as_str(), cases[1].as_str()];
    expected.sort_unstable();
    expected.push(cases[2].as_str());
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert_eq!(t.vault.search_cases("อนันต์").await.unwrap().len(), 1);
    let file = t.vault.open_case(&cases[0]).await.unwrap();
    assert!(file.members.iter().all(|m| m.member_id != leaving.id));
    assert!(file.timeline.iter().any(|i| i.kind == "handover"));
    assert!(
        file.notes
            .iter()
            .any(|n| n.section == Section::General && n.body.contains("นัดเยี่ยมบ้านวันจันทร์")),
        "the handover note is on the case"
    );
}

#[tokio::test]
async fn the_case_list_comes_a_page_at_a_time() {
    let (t, _) = TestVault::created().await;
    let total = ruam_core::cases::store::PAGE_SIZE + 5;
    for i in 0..total {
        t.vault
            .create_case(new_case(&format!("Child {i:03}"), 2010))
            .await
            .unwrap();
    }
    let first = t.vault.list_cases(false, None).await.unwrap();
    assert_eq!(first.cases.len(), ruam_core::cases::store::PAGE_SIZE);
    let second = t.vault.list_cases(false, first.next.clone()).await.unwrap();
    assert_eq!(second.cases.len(), 5);
    assert_eq!(second.next, None);
    let mut all: Vec<String> = first
        .cases
        .iter()
        .chain(&second.cases)
        .map(|c| c.id.clone())
        .collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), total, "every case once");
    assert_invalid_field(
        t.vault.list_cases(false, Some("not a marker".into())).await,
        "after",
    );
}

#[tokio::test]
async fn a_member_with_unfinished_tasks_hands_them_over_before_leaving() {
    let (t, _) = TestVault::created().await;
    let niran = t
        .vault
        .add_member(new_member("Niran", "niran", "case_worker"))
        .await
        .unwrap();
    let kanya = t
        .vault
        .add_member(new_member("Kanya", "kanya", "case_worker"))
        .await
        .unwrap();
    t.vault
        .create_card({
            let mut c = crate::boards::card(None, "Order school uniforms");
            c.assignee_ids = vec![niran.id.clone()];
            c
        })
        .await
        .unwrap();
    let mut gone = crate::team::update_of(&niran);
    gone.status = "left".into();
    match t.vault.update_member(gone.clone()).await {
        Err(Error::Invalid { field, reason }) => {
            assert_eq!(field, "status");
            assert!(reason.contains("1 unfinished task"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let moved = t
        .vault
        .hand_over(HandOver {
            from_member_id: niran.id.clone(),
            to_member_id: kanya.id.clone(),
            note: "Uniform sizes are in the shared folder".into(),
            items: None,
        })
        .await
        .unwrap();
    assert_eq!((moved.cases, moved.tasks), (0, 1));
    t.vault.update_member(gone).await.unwrap();
    let board = t.vault.open_board(None).await.unwrap();
    assert_eq!(
        board.columns[0].cards[0].assignee_ids,
        std::slice::from_ref(&kanya.id)
    );
}
