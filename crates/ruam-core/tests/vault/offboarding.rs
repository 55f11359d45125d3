//! Staff turnover: a member who holds cases, tasks, a review, a spending request and a
//! committee chair is listed with all of it, cannot leave while anything is held, hands it
//! over per item and in bulk (a refused handover writes nothing), and leaves nothing
//! orphaned; the new holder sees each handover note; history stays the leaver's.

use ruam_core::meetings::{CommitteeKind, Frequency, NewCommittee};
use ruam_core::team::holdings::{HeldKind, HeldRef};
use ruam_core::team::MemberStatus;
use ruam_core::vault::HandOver;
use ruam_core::Error;

use crate::cases::new_case;
use crate::funds::{agency, allocate, fund, give, json, line, request};
use crate::support::*;

fn item(kind: HeldKind, id: &str) -> HeldRef {
    HeldRef {
        kind,
        id: id.into(),
    }
}

fn hand(from: &str, to: &str, note: &str, items: Option<Vec<HeldRef>>) -> HandOver {
    HandOver {
        from_member_id: from.into(),
        to_member_id: to.into(),
        note: note.into(),
        items,
    }
}

fn card_named(board: &ruam_core::boards::store::Board, title: &str) -> String {
    board
        .columns
        .iter()
        .flat_map(|column| &column.cards)
        .find(|card| card.title == title)
        .unwrap()
        .id
        .clone()
}

/// Rows that would leave something without a holder once `member` has gone.
async fn orphans(t: &TestVault, member: &str) -> i64 {
    let pool = t.vault.pool().await.unwrap();
    sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM case_members cm JOIN cases c ON c.id = cm.case_id
                 WHERE cm.member_id = ?1 AND cm.removed_at IS NULL AND c.status <> 'closed')
              + (SELECT count(*) FROM card_assignees a JOIN cards c ON c.id = a.card_id
                 WHERE a.member_id = ?1 AND c.deleted_at IS NULL)
              + (SELECT count(*) FROM cards WHERE reviewer_id = ?1 AND deleted_at IS NULL)
              + (SELECT count(*) FROM fund_requests WHERE coalesce(held_by, requested_by) = ?1
                 AND status IN ('pending', 'approved'))
              + (SELECT count(*) FROM committees WHERE chair_id = ?1)
              + (SELECT count(*) FROM committee_members WHERE member_id = ?1)
              + (SELECT count(*) FROM backup_slots WHERE member_id = ?1)",
    )
    .bind(member)
    .fetch_one(&pool)
    .await
    .unwrap()
}

#[tokio::test]
#[allow(clippy::too_many_lines)]
async fn a_leaving_member_hands_over_everything_they_hold_and_nothing_is_orphaned() {
    let (t, _) = TestVault::created().await;
    let lead = t.vault.status().await.member.unwrap().id;
    let anan = t
        .vault
        .add_member(new_member("Anan", "anan", "case_worker"))
        .await
        .unwrap();
    let kanya = t
        .vault
        .add_member(new_member("Kanya", "kanya", "case_worker"))
        .await
        .unwrap();
    let dao = t
        .vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    // Anan chairs the working group, and sits on the committee the lead chairs.
    let group = t
        .vault
        .add_committee(NewCommittee {
            name: "คณะทำงานอาสาสมัครหมู่บ้าน".into(),
            kind: CommitteeKind::WorkingGroup,
            frequency: Frequency::Monthly,
            chair_id: Some(anan.id.clone()),
            member_ids: vec![dao.id.clone()],
        })
        .await
        .unwrap();
    let committee = t
        .vault
        .add_committee(NewCommittee {
            name: "District child protection committee".into(),
            kind: CommitteeKind::Committee,
            frequency: Frequency::Quarterly,
            chair_id: Some(lead.clone()),
            member_ids: vec![anan.id.clone(), kanya.id.clone()],
        })
        .await
        .unwrap();
    let police = agency(&t, "Mae Sai police", "police").await;
    let overview = fund(&t).await;
    let fund_id = overview.fund.id.clone();
    let shelter = line(&overview, "Emergency shelter");
    give(&t, &fund_id, &police, "20,000", serde_json::json!({}))
        .await
        .unwrap();
    allocate(&t, &fund_id, None, Some(&shelter), "20,000")
        .await
        .unwrap();
    sign_in_fresh(&t, "kanya").await;
    sign_in_fresh(&t, "dao").await;
    let other_case = t
        .vault
        .create_case(new_case("Noi", 2014))
        .await
        .unwrap()
        .summary
        .id;

    // Anan leads one case, supports Dao's, has a task on his case and reviews a task on
    // the team's board, and asked for shelter money for his case.
    sign_in_fresh(&t, "anan").await;
    let case_id = t
        .vault
        .create_case(new_case("Mali", 2012))
        .await
        .unwrap()
        .summary
        .id;
    let note_by_anan = t
        .vault
        .add_case_note(json(serde_json::json!({
            "caseId": case_id, "section": "general", "body": "First home visit done",
        })))
        .await
        .unwrap()
        .notes
        .into_iter()
        .find(|n| n.body == "First home visit done")
        .unwrap()
        .id;
    let home_visit = t
        .vault
        .create_card({
            let mut c = crate::boards::card(Some(&case_id), "Second home visit");
            c.assignee_ids = vec![anan.id.clone()];
            c
        })
        .await
        .unwrap();
    let training = t
        .vault
        .create_card({
            let mut c = crate::boards::card(None, "Volunteer training");
            c.assignee_ids = vec![dao.id.clone()];
            c.reviewer_id = Some(anan.id.clone());
            c
        })
        .await
        .unwrap();
    let home_visit = card_named(&home_visit, "Second home visit");
    let training = card_named(&training, "Volunteer training");
    let asked = request(&t, &fund_id, &shelter, "3,000", Some(&case_id))
        .await
        .unwrap();
    sign_in_lead(&t).await;
    t.vault
        .change_case_member(json(serde_json::json!({
            "caseId": other_case, "memberId": anan.id, "responsibility": "support",
        })))
        .await
        .unwrap();

    // Everything he holds is listed, cases first.
    let held = t.vault.member_holdings(&anan.id).await.unwrap();
    let listed: Vec<(HeldKind, &str, Option<&str>)> = held
        .items
        .iter()
        .map(|i| (i.kind, i.label.as_str(), i.part.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            (HeldKind::Case, "Mali", Some("lead")),
            (HeldKind::Case, "Noi", Some("support")),
            (HeldKind::Task, "Second home visit", None),
            (HeldKind::Review, "Volunteer training", None),
            (
                HeldKind::Request,
                "District MDT pooled fund 2026 #1",
                Some("pending")
            ),
            (HeldKind::Committee, "คณะทำงานอาสาสมัครหมู่บ้าน", None),
        ]
    );
    assert_eq!(held.items[2].case_id.as_deref(), Some(case_id.as_str()));

    // His account does not close while he holds anything; the error counts each kind.
    let changes = count(&t, "changes").await;
    match t.vault.close_member_account(&anan.id).await {
        Err(Error::Invalid { field, reason }) => {
            assert_eq!(field, "status");
            assert!(
                reason.contains(
                    "2 open cases, 1 unfinished task, 1 task to review, 1 spending request and 1 committee chair"
                ),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&t, "changes").await, changes, "nothing written");

    // Refused handovers write nothing: an item he does not hold, and a task on a case
    // to someone who may not see it (Dao is not on Mali's case).
    assert_invalid_field(
        t.vault
            .hand_over(hand(
                &anan.id,
                &kanya.id,
                "note",
                Some(vec![item(HeldKind::Task, &training)]),
            ))
            .await,
        "items",
    );
    assert_invalid_field(
        t.vault
            .hand_over(hand(
                &anan.id,
                &dao.id,
                "note",
                Some(vec![item(HeldKind::Task, &home_visit)]),
            ))
            .await,
        "to_member_id",
    );
    assert_invalid_field(
        t.vault
            .hand_over(hand(&anan.id, &kanya.id, "  ", None))
            .await,
        "note",
    );
    assert_eq!(count(&t, "changes").await, changes, "nothing written");
    assert_eq!(
        t.vault.member_holdings(&anan.id).await.unwrap().items.len(),
        6
    );

    // One item to one member: the review of the team's task goes to Dao.
    let one = t
        .vault
        .hand_over(hand(
            &anan.id,
            &dao.id,
            "Dao runs the training; check the attendance sheet",
            Some(vec![item(HeldKind::Review, &training)]),
        ))
        .await
        .unwrap();
    assert_eq!((one.reviews, one.tasks, one.cases), (1, 0, 0));

    // The rest at once to Kanya: the case first, so his task and request on it reach her.
    let rest = t
        .vault
        .hand_over(hand(
            &anan.id,
            &kanya.id,
            "แม่ของมะลิขอให้โทรก่อนไปเยี่ยมบ้าน",
            None,
        ))
        .await
        .unwrap();
    assert_eq!(
        (
            rest.cases,
            rest.tasks,
            rest.reviews,
            rest.requests,
            rest.committees
        ),
        (2, 1, 0, 1, 1)
    );
    assert!(t
        .vault
        .member_holdings(&anan.id)
        .await
        .unwrap()
        .items
        .is_empty());

    let closed = t.vault.close_member_account(&anan.id).await.unwrap();
    assert_eq!(closed.status, MemberStatus::Left);
    assert_eq!(
        orphans(&t, &anan.id).await,
        0,
        "nothing left without a holder"
    );
    assert_invalid_field(t.vault.close_member_account(&anan.id).await, "member_id");
    let group_now = t
        .vault
        .committees()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == group.id)
        .unwrap();
    assert_eq!(group_now.chair_id.as_deref(), Some(kanya.id.as_str()));
    let committee_now = t
        .vault
        .committees()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == committee.id)
        .unwrap();
    let mut expected = vec![lead.clone(), kanya.id.clone()];
    expected.sort();
    assert_eq!(
        committee_now.member_ids, expected,
        "he came off the committee"
    );
    // He cannot sign in any more.
    t.vault.lock().await;
    assert!(t.vault.unlock(unlock_as("anan", OWN)).await.is_err());

    // Kanya sees each handover note where she works, and holds what he held.
    sign_in(&t, "kanya").await;
    let file = t.vault.open_case(&case_id).await.unwrap();
    assert!(file
        .notes
        .iter()
        .any(|n| n.body.contains("แม่ของมะลิขอให้โทรก่อนไปเยี่ยมบ้าน")));
    let by_anan = file.notes.iter().find(|n| n.id == note_by_anan).unwrap();
    assert_eq!(by_anan.author_id, anan.id, "history stays his");
    let task = t.vault.card(&home_visit).await.unwrap();
    assert_eq!(task.card.assignee_ids, std::slice::from_ref(&kanya.id));
    let event = task.history.iter().rfind(|e| e.kind == "handover").unwrap();
    let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap();
    assert_eq!(detail["note"], "แม่ของมะลิขอให้โทรก่อนไปเยี่ยมบ้าน");
    assert_eq!(detail["from"], anan.id.as_str());
    let spending = t.vault.case_spending(&case_id).await.unwrap();
    let mine = spending.iter().find(|r| r.id == asked.id).unwrap();
    assert_eq!(mine.requested_by, anan.id, "still his request");
    assert_eq!(mine.held_by, kanya.id);
    assert_eq!(mine.held_by_name, "Kanya");
    assert_eq!(
        mine.handover_note.as_deref(),
        Some("แม่ของมะลิขอให้โทรก่อนไปเยี่ยมบ้าน")
    );
    assert!(mine.may_cancel, "she may withdraw it as he could");
    let group_seen = t
        .vault
        .committees()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == group.id)
        .unwrap();
    assert_eq!(
        group_seen.handover_note.as_deref(),
        Some("แม่ของมะลิขอให้โทรก่อนไปเยี่ยมบ้าน")
    );
    sign_in(&t, "dao").await;
    let review = t.vault.card(&training).await.unwrap();
    assert_eq!(review.card.reviewer_id.as_deref(), Some(dao.id.as_str()));
    let event = review
        .history
        .iter()
        .rfind(|e| e.kind == "handover")
        .unwrap();
    assert!(event.detail.contains("check the attendance sheet"));

    // The audit log keeps one entry per item handed over, and his leaving.
    sign_in_lead(&t).await;
    let pool = t.vault.pool().await.unwrap();
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE '%handover' OR action = 'member.leave'
         ORDER BY seq",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "card.handover",
            "case.handover",
            "case.handover",
            "card.handover",
            "fund.handover",
            "committee.handover",
            "member.leave"
        ]
    );
}

async fn sign_in(t: &TestVault, name: &str) {
    t.vault.lock().await;
    t.vault.unlock(unlock_as(name, OWN)).await.unwrap();
}

#[tokio::test]
async fn handing_over_is_for_those_who_oversee_cases() {
    let (t, _) = TestVault::created().await;
    let anan = t
        .vault
        .add_member(new_member("Anan", "anan", "case_worker"))
        .await
        .unwrap();
    let kanya = t
        .vault
        .add_member(new_member("Kanya", "kanya", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "anan").await;
    t.vault.create_case(new_case("Mali", 2012)).await.unwrap();
    sign_in_fresh(&t, "kanya").await;
    assert!(matches!(
        t.vault.member_holdings(&anan.id).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .hand_over(hand(&anan.id, &kanya.id, "I take them", None))
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.close_member_account(&anan.id).await,
        Err(Error::Forbidden)
    ));
    sign_in_lead(&t).await;
    assert_eq!(
        t.vault.member_holdings(&anan.id).await.unwrap().items.len(),
        1
    );
}

#[tokio::test]
async fn a_lead_who_leaves_takes_their_backup_slot_along() {
    let (t, _) = TestVault::created().await;
    let lek = t
        .vault
        .add_member(new_member("Lek", "lek", "team_lead"))
        .await
        .unwrap();
    sign_in_fresh(&t, "lek").await;
    let folder = tempfile::tempdir().unwrap();
    t.vault
        .set_backup_plan(
            ruam_core::vault::BackupPlanRequest {
                folder: Some(folder.path().display().to_string()),
                keep: 3,
                daily: false,
                passphrase: Some(ruam_core::SecretString::from(OWN)),
            },
            folder.path(),
        )
        .await
        .unwrap();
    sign_in_lead(&t).await;
    assert_eq!(count(&t, "backup_slots").await, 1);
    t.vault.close_member_account(&lek.id).await.unwrap();
    assert_eq!(count(&t, "backup_slots").await, 0);
    assert_eq!(orphans(&t, &lek.id).await, 0);
}
