//! Committees and their meetings: planned by the committee's members, bad input named and
//! nothing written; a case review shows each reader only what they may see of its case,
//! its minutes a note on the case in the chosen section; action items become task cards on
//! the right board, in the assignee's tasks and linked back; the meetings to come; an
//! .ics event that names no case.

use ruam_core::meetings::{
    Attendance, AttendanceUpdate, Attendee, CommitteeKind, Frequency, MeetingStatus, MinutesUpdate,
    NewActionItem, NewAgendaItem, NewCommittee, NewDecision, NewMeeting, ReviewMinutes,
};
use ruam_core::vault::MyTasksQuery;
use ruam_core::Error;

use crate::boards::card;
use crate::cases::new_case;
use crate::support::*;

struct Team {
    kanya: String,
    anan: String,
    committee: String,
    case_id: String,
}

/// The lead, Kanya (a case worker, on the committee, owner of a case) and Anan (a police
/// liaison on the committee, not on the case). Signed in as Kanya at the end.
async fn team(t: &TestVault) -> Team {
    let mut worker = new_member("Kanya", "kanya", "case_worker");
    worker.discipline = "social_work".into();
    let kanya = t.vault.add_member(worker).await.unwrap().id;
    let anan = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap()
        .id;
    let lead = t.vault.status().await.member.unwrap().id;
    let committee = t
        .vault
        .add_committee(NewCommittee {
            name: "คณะทำงานคุ้มครองเด็กอำเภอแม่สาย".into(),
            kind: CommitteeKind::WorkingGroup,
            frequency: Frequency::Monthly,
            chair_id: Some(lead),
            member_ids: vec![kanya.clone(), anan.clone()],
        })
        .await
        .unwrap()
        .id;
    sign_in_fresh(t, "anan").await;
    sign_in_fresh(t, "kanya").await;
    let case_id = t
        .vault
        .create_case(new_case("Dao canary-NAME", 2012))
        .await
        .unwrap()
        .summary
        .id;
    Team {
        kanya,
        anan,
        committee,
        case_id,
    }
}

fn meeting(committee: &str, at: &str, agenda: Vec<NewAgendaItem>) -> NewMeeting {
    NewMeeting {
        committee_id: committee.into(),
        starts_at: at.into(),
        minutes_long: 90,
        place: "ที่ว่าการอำเภอแม่สาย ห้อง 2".into(),
        agenda,
    }
}

fn topic(title: &str) -> NewAgendaItem {
    NewAgendaItem {
        title: Some(title.into()),
        case_id: None,
    }
}

fn review(case_id: &str) -> NewAgendaItem {
    NewAgendaItem {
        title: None,
        case_id: Some(case_id.into()),
    }
}

async fn sign_in(t: &TestVault, name: &str) {
    t.vault.lock().await;
    t.vault.unlock(unlock_as(name, OWN)).await.unwrap();
}

#[tokio::test]
async fn a_meeting_is_planned_by_its_committee_and_bad_input_writes_nothing() {
    let (t, _) = TestVault::created().await;
    let team = team(&t).await;
    let planned = t
        .vault
        .plan_meeting(meeting(
            &team.committee,
            "2027-01-14T09:30",
            vec![topic("Village volunteers' reports"), review(&team.case_id)],
        ))
        .await
        .unwrap();
    assert_eq!(planned.summary.status, MeetingStatus::Planned);
    assert!(planned.may_run);
    // The committee's members are invited (the chair is one).
    assert_eq!(planned.attendees.len(), 3);
    assert!(planned
        .attendees
        .iter()
        .all(|a| a.attendance == Attendance::Invited));
    assert_eq!(planned.agenda.len(), 2);
    let before = (count(&t, "meetings").await, count(&t, "changes").await);
    let wrong = |edit: &dyn Fn(&mut NewMeeting)| {
        let mut m = meeting(&team.committee, "2027-02-11T09:30", vec![]);
        edit(&mut m);
        m
    };
    let cases: Vec<(NewMeeting, &str)> = vec![
        (
            wrong(&|m| m.starts_at = "11/02/2027 09:30".into()),
            "startsAt",
        ),
        (wrong(&|m| m.minutes_long = 5), "minutesLong"),
        (wrong(&|m| m.place = " ".into()), "place"),
        (wrong(&|m| m.committee_id = "nowhere".into()), "committeeId"),
        (
            wrong(&|m| {
                m.agenda = vec![NewAgendaItem {
                    title: Some("Dao's case".into()),
                    case_id: Some("x".into()),
                }]
            }),
            "title",
        ),
        (
            wrong(&|m| {
                m.agenda = vec![NewAgendaItem {
                    title: None,
                    case_id: None,
                }]
            }),
            "title",
        ),
    ];
    for (bad, field) in cases {
        assert_invalid_field(t.vault.plan_meeting(bad).await, field);
    }
    assert_eq!(
        (count(&t, "meetings").await, count(&t, "changes").await),
        before
    );
    // Someone not on the committee (and not managing the team) may not plan its meetings.
    sign_in_lead(&t).await;
    t.vault
        .add_member(new_member("Somchai", "somchai", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "somchai").await;
    let me = t.vault.status().await.member.unwrap().id;
    assert!(matches!(
        t.vault
            .plan_meeting(meeting(&team.committee, "2027-02-11T09:30", vec![]))
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .add_decision(NewDecision {
                meeting_id: planned.summary.id.clone(),
                text: "None".into(),
            })
            .await,
        Err(Error::Forbidden)
    ));
    let refused = crate::sync::rows(
        &t,
        &format!("SELECT count(*) FROM audit_log WHERE actor = '{me}' AND action = 'meeting.run' AND outcome = 'refused'"),
    )
    .await;
    assert_eq!(refused, 2);
    // He sees the meetings, but not the case under review.
    let seen = t.vault.meeting(&planned.summary.id).await.unwrap();
    assert!(!seen.may_run);
    let review = seen.agenda[1].review.as_ref().unwrap();
    assert_eq!(
        (review.case_id.as_deref(), review.subject_name.as_deref()),
        (None, None)
    );
    assert_eq!(count(&t, "meetings").await, 1);
}

#[tokio::test]
async fn a_case_review_shows_each_reader_what_they_may_see_and_its_minutes_are_a_case_note() {
    let (t, _) = TestVault::created().await;
    let team = team(&t).await;
    let planned = t
        .vault
        .plan_meeting(meeting(
            &team.committee,
            "2027-01-14T09:30",
            vec![review(&team.case_id)],
        ))
        .await
        .unwrap();
    let item = planned.agenda[0].id.clone();
    let mine = planned.agenda[0].review.clone().unwrap();
    assert_eq!(mine.case_id.as_deref(), Some(team.case_id.as_str()));
    assert_eq!(mine.subject_name.as_deref(), Some("Dao canary-NAME"));
    let held = t
        .vault
        .record_attendance(AttendanceUpdate {
            meeting_id: planned.summary.id.clone(),
            attendees: vec![
                Attendee {
                    member_id: team.kanya.clone(),
                    attendance: Attendance::Present,
                },
                Attendee {
                    member_id: team.anan.clone(),
                    attendance: Attendance::Apologies,
                },
            ],
        })
        .await
        .unwrap();
    assert!(held
        .attendees
        .iter()
        .any(|a| a.member_id == team.anan && a.attendance == Attendance::Apologies));
    // The review's minutes, in the social section of the case.
    let recorded = t
        .vault
        .record_review_minutes(ReviewMinutes {
            item_id: item.clone(),
            section: "social".into(),
            body: "Dao is back at school; the aunt agreed to the home visit plan.".into(),
        })
        .await
        .unwrap();
    let minutes = recorded.agenda[0].review.clone().unwrap();
    assert_eq!(minutes.minutes_section.as_deref(), Some("social"));
    assert!(minutes.minutes.unwrap().contains("back at school"));
    let file = t.vault.open_case(&team.case_id).await.unwrap();
    assert!(file.notes.iter().any(
        |n| n.body.contains("back at school") && n.section == ruam_core::cases::Section::Social
    ));
    // Not in plain view: the meeting's own rows hold no word of it.
    assert_eq!(
        crate::sync::rows(
            &t,
            "SELECT count(*) FROM meetings WHERE minutes LIKE '%school%'"
        )
        .await,
        0
    );
    assert_invalid_field(
        t.vault
            .record_review_minutes(ReviewMinutes {
                item_id: item.clone(),
                section: "social".into(),
                body: "Again".into(),
            })
            .await,
        "itemId",
    );
    // The liaison is on the committee, not on the case: he sees that a case was reviewed
    // and that its minutes were written, nothing else.
    sign_in(&t, "anan").await;
    let his = t.vault.meeting(&planned.summary.id).await.unwrap();
    let review = his.agenda[0].review.clone().unwrap();
    assert_eq!(review.case_id, None);
    assert_eq!(review.subject_name, None);
    assert_eq!(review.minutes, None);
    assert!(review.minutes_written);
    assert!(!serde_json::to_string(&his).unwrap().contains("canary-NAME"));
    // The lead oversees every case and sees its social section.
    sign_in_lead(&t).await;
    let leads = t.vault.meeting(&planned.summary.id).await.unwrap();
    assert!(leads.agenda[0].review.clone().unwrap().minutes.is_some());
}

#[tokio::test]
async fn action_items_become_task_cards_on_the_right_board_linked_back() {
    let (t, _) = TestVault::created().await;
    let team = team(&t).await;
    let other_case = t
        .vault
        .create_case(new_case("Not reviewed", 2013))
        .await
        .unwrap()
        .summary
        .id;
    let planned = t
        .vault
        .plan_meeting(meeting(
            &team.committee,
            "2027-01-14T09:30",
            vec![review(&team.case_id), topic("Budget")],
        ))
        .await
        .unwrap();
    let mut task = card(Some(&team.case_id), "Home visit with the aunt");
    task.assignee_ids = vec![team.kanya.clone()];
    task.due_on = Some("2027-01-21".into());
    let with_one = t
        .vault
        .add_action_item(NewActionItem {
            meeting_id: planned.summary.id.clone(),
            card: task,
        })
        .await
        .unwrap();
    assert_eq!(with_one.action_items.len(), 1);
    let item = &with_one.action_items[0];
    assert_eq!(item.case_id.as_deref(), Some(team.case_id.as_str()));
    assert_eq!(item.due_on.as_deref(), Some("2027-01-21"));
    assert_eq!(item.assignee_ids, vec![team.kanya.clone()]);
    assert_eq!(item.stage.as_deref(), Some("todo"));
    // It is a card on the case's board and in Kanya's tasks.
    let board = t
        .vault
        .open_board(Some(team.case_id.clone()))
        .await
        .unwrap();
    assert!(board.columns[0].cards.iter().any(|c| c.id == item.card_id));
    let tasks = t.vault.my_tasks(MyTasksQuery::default()).await.unwrap();
    assert!(tasks.iter().any(|task| task.card.id == item.card_id));
    // The card says which meeting it came from.
    let detail = t.vault.card(&item.card_id).await.unwrap();
    let from = detail.meeting.unwrap();
    assert_eq!(from.meeting_id, planned.summary.id);
    assert_eq!(from.starts_at, "2027-01-14T09:30");
    assert_eq!(from.committee_name, "คณะทำงานคุ้มครองเด็กอำเภอแม่สาย");
    // A team item goes on the team's board; a case the meeting did not review is refused.
    t.vault
        .add_action_item(NewActionItem {
            meeting_id: planned.summary.id.clone(),
            card: card(None, "Ask the province for the budget"),
        })
        .await
        .unwrap();
    let before = count(&t, "cards").await;
    assert_invalid_field(
        t.vault
            .add_action_item(NewActionItem {
                meeting_id: planned.summary.id.clone(),
                card: card(Some(&other_case), "Outside the agenda"),
            })
            .await,
        "caseId",
    );
    assert_eq!(count(&t, "cards").await, before);
    // The liaison, not on the case, sees the team's item, not the case's.
    sign_in(&t, "anan").await;
    let his = t.vault.meeting(&planned.summary.id).await.unwrap();
    assert_eq!(his.action_items.len(), 1);
    assert_eq!(his.action_items[0].case_id, None);
    // Decisions and minutes.
    sign_in(&t, "kanya").await;
    let decided = t
        .vault
        .add_decision(NewDecision {
            meeting_id: planned.summary.id.clone(),
            text: "Ask the district registrar for a hearing date.".into(),
        })
        .await
        .unwrap();
    assert_eq!(decided.decisions.len(), 1);
    let held = t
        .vault
        .record_minutes(MinutesUpdate {
            meeting_id: planned.summary.id.clone(),
            minutes: Some("Budget: the province answers in January.".into()),
            status: MeetingStatus::Held,
        })
        .await
        .unwrap();
    assert_eq!(held.summary.status, MeetingStatus::Held);
    assert!(held.minutes.unwrap().contains("province"));
    t.vault
        .record_attendance(AttendanceUpdate {
            meeting_id: planned.summary.id.clone(),
            attendees: vec![
                Attendee {
                    member_id: team.kanya.clone(),
                    attendance: Attendance::Present,
                },
                Attendee {
                    member_id: team.anan.clone(),
                    attendance: Attendance::Apologies,
                },
            ],
        })
        .await
        .unwrap();
    // The minutes as PDF: what the committee decided and the team's items, no case named.
    let dir = tempfile::tempdir().unwrap();
    let pdf = t
        .vault
        .export_meeting_pdf(&planned.summary.id, dir.path())
        .await
        .unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", &pdf.path, "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by ./x setup");
    assert!(out.status.success());
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for said in [
        "Ask the district registrar for a hearing date.",
        "Budget: the province answers in January.",
        "Ask the province for the budget",
        "A case review",
        "1 action item(s) on case boards",
        "คณะทำงานคุ้มครองเด็กอำเภอแม่สาย",
        "Present Kanya",
        "Apologies Pol. Lt. Anan",
    ] {
        assert!(text.contains(said), "{said} not in {text}");
    }
    assert!(
        !text.contains("canary-NAME") && !text.contains("Home visit"),
        "{text}"
    );
}

#[tokio::test]
async fn the_meetings_to_come_and_an_ics_event_that_names_no_case() {
    let (t, _) = TestVault::created().await;
    let team = team(&t).await;
    for at in ["2027-03-10T09:00", "2020-01-01T09:00", "2027-02-10T13:30"] {
        t.vault
            .plan_meeting(meeting(&team.committee, at, vec![review(&team.case_id)]))
            .await
            .unwrap();
    }
    let upcoming = t.vault.meetings(true).await.unwrap();
    let days: Vec<&str> = upcoming.iter().map(|m| m.starts_at.as_str()).collect();
    assert_eq!(days, vec!["2027-02-10T13:30", "2027-03-10T09:00"]);
    assert_eq!(t.vault.meetings(false).await.unwrap().len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let file = t
        .vault
        .export_meeting_ics(&upcoming[0].id, dir.path())
        .await
        .unwrap();
    let ics = std::fs::read_to_string(&file.path).unwrap();
    assert!(ics.contains("DTSTART;TZID=Asia/Bangkok:20270210T133000"));
    assert!(ics.contains("Case review"));
    assert!(!ics.contains("canary-NAME") && !ics.contains(&team.case_id));
}

#[tokio::test]
async fn a_meeting_reaches_every_laptop_and_its_case_review_only_those_who_see_the_case() {
    use crate::sync::{joined_laptop, social_worker, Relay};
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = social_worker(&lead).await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let lead_id = lead.vault.status().await.member.unwrap().id;
    let committee = lead
        .vault
        .add_committee(NewCommittee {
            name: "Child protection working group".into(),
            kind: CommitteeKind::WorkingGroup,
            frequency: Frequency::Weekly,
            chair_id: Some(lead_id),
            member_ids: vec![worker.id.clone(), liaison.id.clone()],
        })
        .await
        .unwrap()
        .id;
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let hers = joined_laptop(&relay, &lead, &worker.id).await;
    let his = joined_laptop(&relay, &lead, &liaison.id).await;
    let case_id = hers
        .vault
        .create_case(new_case("canary-CHILD Dao", 2012))
        .await
        .unwrap()
        .summary
        .id;
    let planned = hers
        .vault
        .plan_meeting(meeting(
            &committee,
            "2027-01-14T09:30",
            vec![topic("Volunteers' reports"), review(&case_id)],
        ))
        .await
        .unwrap();
    hers.vault
        .record_review_minutes(ReviewMinutes {
            item_id: planned.agenda[1].id.clone(),
            section: "social".into(),
            body: "canary-MINUTES: back at school".into(),
        })
        .await
        .unwrap();
    hers.vault.sync_now().await.unwrap();
    let got = his.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 0, "{got:?}");
    lead.vault.sync_now().await.unwrap();
    // His laptop holds the meeting, not the case: the review is a review, no more.
    let there = his.vault.meeting(&planned.summary.id).await.unwrap();
    assert_eq!(there.agenda.len(), 2);
    let review = there.agenda[1].review.clone().unwrap();
    assert_eq!(
        (review.case_id, review.subject_name, review.minutes),
        (None, None, None)
    );
    assert!(review.minutes_written);
    assert_eq!(
        crate::sync::rows(&his, "SELECT count(*) FROM case_notes").await,
        0,
        "the minutes stay with the case's laptops"
    );
    assert_eq!(his.vault.meetings(true).await.unwrap().len(), 1);
    // The lead's laptop oversees every case: the review and its minutes are there.
    let leads = lead.vault.meeting(&planned.summary.id).await.unwrap();
    let review = leads.agenda[1].review.clone().unwrap();
    assert_eq!(review.subject_name.as_deref(), Some("canary-CHILD Dao"));
    assert!(review.minutes.unwrap().contains("back at school"));
    assert!(!contains(&relay.bytes(), b"canary-MINUTES"));
    assert!(!contains(&relay.bytes(), b"canary-CHILD"));
}
