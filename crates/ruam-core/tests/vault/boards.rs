//! Task boards: the team's board and a case's, cards kept in order under many moves,
//! need to know for cards on cases, the review rule, and bad input that writes nothing.

use ruam_core::boards::store::Board;
use ruam_core::boards::{NewCard, Review, Stage};
use ruam_core::vault::CardMove;
use ruam_core::Error;

use crate::cases::new_case;
use crate::support::*;

/// A card with a title on a case's board (or the team's), nothing else filled in.
pub fn card(case_id: Option<&str>, title: &str) -> NewCard {
    NewCard {
        case_id: case_id.map(str::to_owned),
        column_id: None,
        title: title.into(),
        description: None,
        assignee_ids: vec![],
        agency_id: None,
        starts_on: None,
        due_on: None,
        priority: None,
        reviewer_id: None,
        labels: vec![],
        checklist: vec![],
    }
}

fn column(board: &Board, stage: Stage) -> String {
    board
        .columns
        .iter()
        .find(|c| c.stage == Some(stage))
        .unwrap()
        .id
        .clone()
}

/// Every column's cards are at 0, 1, 2, … and each card is on the board once.
fn assert_in_order(board: &Board, cards: usize) {
    let mut seen = Vec::new();
    for column in &board.columns {
        for (i, card) in column.cards.iter().enumerate() {
            assert_eq!(card.position, i64::try_from(i).unwrap(), "{column:?}");
            seen.push(card.id.clone());
        }
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), cards);
}

#[tokio::test]
async fn cards_stay_in_order_under_many_moves() {
    let (t, _) = TestVault::created().await;
    let board = t.vault.open_board(None).await.unwrap();
    let stages: Vec<Option<Stage>> = board.columns.iter().map(|c| c.stage).collect();
    assert_eq!(
        stages,
        [
            Some(Stage::Todo),
            Some(Stage::InProgress),
            Some(Stage::Review),
            Some(Stage::Done)
        ]
    );
    let mut board = board;
    for i in 0..12 {
        board = t
            .vault
            .create_card(card(None, &format!("Task {i}")))
            .await
            .unwrap();
    }
    assert_in_order(&board, 12);
    let ids: Vec<String> = board.columns[0]
        .cards
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let columns: Vec<String> = board.columns.iter().map(|c| c.id.clone()).collect();
    // A seeded walk of moves: within a column, across columns, past the end, to the top.
    let mut seed: u64 = 0x5EED_B0A2_D000_0001;
    for _ in 0..150 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let card_id = ids[usize::try_from(seed % 12).unwrap()].clone();
        let column_id = columns[usize::try_from((seed >> 8) % 4).unwrap()].clone();
        let position = i64::try_from((seed >> 16) % 16).unwrap();
        board = t
            .vault
            .move_card(CardMove {
                card_id,
                column_id,
                position,
            })
            .await
            .unwrap();
        assert_in_order(&board, 12);
    }
    // A card moved to the top of another column is first there.
    let moved = ids[3].clone();
    let board = t
        .vault
        .move_card(CardMove {
            card_id: moved.clone(),
            column_id: columns[1].clone(),
            position: 0,
        })
        .await
        .unwrap();
    assert_eq!(board.columns[1].cards[0].id, moved);
}

#[tokio::test]
async fn a_cases_board_is_seen_only_by_those_who_see_the_case() {
    let (t, _) = TestVault::created().await;
    let liaison = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let outsider = t
        .vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Lan Saelee", 2013))
        .await
        .unwrap()
        .summary
        .id;
    t.vault
        .change_case_member(
            serde_json::from_value(serde_json::json!({
                "caseId": case_id, "memberId": liaison.id, "responsibility": "support",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let mut statement = card(Some(&case_id), "Take the child's statement");
    statement.assignee_ids = vec![liaison.id.clone()];
    let board = t.vault.create_card(statement).await.unwrap();
    assert_eq!(board.case_id.as_deref(), Some(case_id.as_str()));
    let card_id = board.columns[0].cards[0].id.clone();
    assert_eq!(
        board.columns[0].cards[0].assignee_ids,
        std::slice::from_ref(&liaison.id)
    );
    // Someone who cannot see the case cannot be given its task, nor review it.
    let before = count(&t, "changes").await;
    let mut other = card(Some(&case_id), "Visit");
    other.assignee_ids = vec![outsider.id.clone()];
    assert_invalid_field(t.vault.create_card(other).await, "assignee_ids");
    let mut other = card(Some(&case_id), "Visit");
    other.reviewer_id = Some(outsider.id.clone());
    assert_invalid_field(t.vault.create_card(other).await, "reviewer_id");
    let mut other = card(Some(&case_id), "Visit");
    other.assignee_ids = vec!["nobody".into()];
    assert_invalid_field(t.vault.create_card(other).await, "assignee_ids");
    assert_eq!(count(&t, "changes").await, before, "nothing written");

    // The liaison on the case sees its board and the card.
    sign_in_fresh(&t, "anan").await;
    let board = t.vault.open_board(Some(case_id.clone())).await.unwrap();
    assert_eq!(board.columns[0].cards.len(), 1);
    // The case worker who is not on it sees nothing of it: not the board, not the card.
    sign_in_fresh(&t, "dao").await;
    // (The team's board is made the first time anyone opens it.)
    let board = t.vault.open_board(None).await.unwrap();
    let before = count(&t, "changes").await;
    assert!(matches!(
        t.vault.open_board(Some(case_id.clone())).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.create_card(card(Some(&case_id), "Mine")).await,
        Err(Error::Forbidden)
    ));
    let team_board = serde_json::to_string(&board).unwrap();
    assert!(
        !team_board.contains("statement"),
        "the case's card is not on the team's board"
    );
    let to_done = column(&board, Stage::Done);
    assert!(matches!(
        t.vault
            .move_card(CardMove {
                card_id: card_id.clone(),
                column_id: to_done,
                position: 0
            })
            .await,
        Err(Error::Forbidden)
    ));
    // An unknown card answers the same as a hidden one.
    assert!(matches!(
        t.vault
            .move_card(CardMove {
                card_id: "no-such-card".into(),
                column_id: "x".into(),
                position: 0
            })
            .await,
        Err(Error::Forbidden)
    ));
    assert_eq!(count(&t, "changes").await, before, "nothing written");
    let pool = t.vault.pool().await.unwrap();
    let refused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND action IN ('board.view', 'board.work') AND outcome = 'refused'",
    )
    .bind(&outsider.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refused, 4);
}

#[tokio::test]
async fn a_task_that_needs_review_is_done_only_once_approved_and_bad_moves_write_nothing() {
    let (t, _) = TestVault::created().await;
    let liaison = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Mai Thao", 2012))
        .await
        .unwrap()
        .summary
        .id;
    t.vault
        .change_case_member(
            serde_json::from_value(serde_json::json!({
                "caseId": case_id, "memberId": liaison.id, "responsibility": "review",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let mut task = card(Some(&case_id), "Statement at the police station");
    task.reviewer_id = Some(liaison.id.clone());
    task.due_on = Some("2026-12-10".into());
    let board = t.vault.create_card(task).await.unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    assert_eq!(board.columns[0].cards[0].review, Review::Pending);

    let before = count(&t, "changes").await;
    assert_invalid_field(
        t.vault
            .move_card(CardMove {
                card_id: card_id.clone(),
                column_id: column(&board, Stage::Done),
                position: 0,
            })
            .await,
        "column_id",
    );
    // A column of another board is not a place on this one.
    let team = t.vault.open_board(None).await.unwrap();
    let before_team = count(&t, "changes").await;
    assert!(before_team >= before);
    assert_invalid_field(
        t.vault
            .move_card(CardMove {
                card_id: card_id.clone(),
                column_id: team.columns[0].id.clone(),
                position: 0,
            })
            .await,
        "column_id",
    );
    assert_eq!(count(&t, "changes").await, before_team, "nothing written");

    // To the review column: it now waits for the liaison.
    let board = t
        .vault
        .move_card(CardMove {
            card_id: card_id.clone(),
            column_id: column(&board, Stage::Review),
            position: 0,
        })
        .await
        .unwrap();
    let waiting = board
        .columns
        .iter()
        .flat_map(|c| &c.cards)
        .find(|c| c.id == card_id)
        .unwrap();
    assert_eq!(waiting.review, Review::Waiting);

    // Deleted by someone else meanwhile: a clear error, nothing written.
    let pool = t.vault.pool().await.unwrap();
    sqlx::query("UPDATE cards SET deleted_at = '2026-11-28T10:00:00.000Z' WHERE id = ?")
        .bind(&card_id)
        .execute(&pool)
        .await
        .unwrap();
    let before = count(&t, "changes").await;
    assert_invalid_field(
        t.vault
            .move_card(CardMove {
                card_id: card_id.clone(),
                column_id: column(&board, Stage::Todo),
                position: 0,
            })
            .await,
        "card_id",
    );
    assert_eq!(count(&t, "changes").await, before, "nothing written");
    let board = t.vault.open_board(Some(case_id)).await.unwrap();
    assert!(
        board.columns.iter().all(|c| c.cards.is_empty()),
        "a deleted card is on no board"
    );
}

#[tokio::test]
async fn the_liaison_finds_the_task_returns_it_and_then_signs_it_off() {
    let (t, _) = TestVault::created().await;
    let liaison = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Dao Lor", 2011))
        .await
        .unwrap()
        .summary
        .id;
    t.vault
        .change_case_member(
            serde_json::from_value(serde_json::json!({
                "caseId": case_id, "memberId": liaison.id, "responsibility": "support",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let mut statement = card(Some(&case_id), "Take the statement");
    statement.assignee_ids = vec![liaison.id.clone()];
    statement.reviewer_id = Some(liaison.id.clone());
    statement.due_on = Some("2026-01-05".into());
    let board = t.vault.create_card(statement).await.unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    let mut later = card(None, "Plan the volunteer training");
    later.assignee_ids = vec![liaison.id.clone()];
    later.due_on = Some("2099-01-01".into());
    t.vault.create_card(later).await.unwrap();

    sign_in_fresh(&t, "anan").await;
    let mine = t.vault.my_tasks(Default::default()).await.unwrap();
    let titles: Vec<&str> = mine.iter().map(|m| m.card.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Take the statement", "Plan the volunteer training"],
        "late first"
    );
    assert!(mine[0].overdue && !mine[1].overdue);
    let late = t
        .vault
        .my_tasks(ruam_core::vault::MyTasksQuery {
            due: Some("overdue".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(late.len(), 1);
    assert_invalid_field(
        t.vault
            .my_tasks(ruam_core::vault::MyTasksQuery {
                due: Some("someday".into()),
                ..Default::default()
            })
            .await,
        "due",
    );
    // Not waiting yet: nothing in the queue, and it cannot be signed off.
    assert!(t.vault.review_queue().await.unwrap().is_empty());
    let review = |approve: bool, comment: Option<&str>| ruam_core::vault::CardReview {
        card_id: card_id.clone(),
        approve,
        comment: comment.map(str::to_owned),
    };
    assert_invalid_field(t.vault.review_card(review(true, None)).await, "card_id");

    // The lead moves it to review; the liaison returns it with a comment.
    sign_in_lead(&t).await;
    let board = t.vault.open_board(Some(case_id.clone())).await.unwrap();
    t.vault
        .move_card(CardMove {
            card_id: card_id.clone(),
            column_id: column(&board, Stage::Review),
            position: 0,
        })
        .await
        .unwrap();
    t.vault.lock().await;
    t.vault.unlock(unlock_as("anan", OWN)).await.unwrap();
    assert_eq!(t.vault.review_queue().await.unwrap().len(), 1);
    assert_invalid_field(t.vault.review_card(review(false, None)).await, "comment");
    let board = t
        .vault
        .review_card(review(false, Some("The interpreter must sign too")))
        .await
        .unwrap();
    let returned = board
        .columns
        .iter()
        .find(|c| c.stage == Some(Stage::InProgress))
        .unwrap();
    assert_eq!(returned.cards[0].review, Review::Returned);
    assert!(t.vault.review_queue().await.unwrap().is_empty());

    // Back to review, and the liaison approves: done, signed off by the liaison.
    sign_in_lead(&t).await;
    t.vault
        .move_card(CardMove {
            card_id: card_id.clone(),
            column_id: column(&board, Stage::Review),
            position: 0,
        })
        .await
        .unwrap();
    t.vault.lock().await;
    t.vault.unlock(unlock_as("anan", OWN)).await.unwrap();
    let board = t.vault.review_card(review(true, None)).await.unwrap();
    let done = board
        .columns
        .iter()
        .find(|c| c.stage == Some(Stage::Done))
        .unwrap();
    assert_eq!(done.cards[0].id, card_id);
    assert_eq!(done.cards[0].review, Review::Approved);
    assert_eq!(
        done.cards[0].signed_off_by.as_deref(),
        Some(liaison.id.as_str())
    );
    assert!(done.cards[0].signed_off_at.is_some());
    // Done tasks leave "my tasks".
    let mine = t.vault.my_tasks(Default::default()).await.unwrap();
    assert_eq!(mine.len(), 1);
}

#[tokio::test]
async fn only_the_named_reviewer_or_a_lead_signs_a_task_off() {
    let (t, _) = TestVault::created().await;
    let liaison = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let worker = t
        .vault
        .add_member(new_member("Malee", "malee", "case_worker"))
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Fah Yang", 2014))
        .await
        .unwrap()
        .summary
        .id;
    for member in [&liaison.id, &worker.id] {
        t.vault
            .change_case_member(
                serde_json::from_value(serde_json::json!({
                    "caseId": case_id, "memberId": member, "responsibility": "support",
                }))
                .unwrap(),
            )
            .await
            .unwrap();
    }
    let mut task = card(Some(&case_id), "Medical examination");
    task.reviewer_id = Some(liaison.id.clone());
    let board = t.vault.create_card(task).await.unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    t.vault
        .move_card(CardMove {
            card_id: card_id.clone(),
            column_id: column(&board, Stage::Review),
            position: 0,
        })
        .await
        .unwrap();
    // A support worker on the case is not its reviewer.
    sign_in_fresh(&t, "malee").await;
    let before = count(&t, "changes").await;
    assert!(matches!(
        t.vault
            .review_card(ruam_core::vault::CardReview {
                card_id: card_id.clone(),
                approve: true,
                comment: None
            })
            .await,
        Err(Error::Forbidden)
    ));
    assert_eq!(count(&t, "changes").await, before, "nothing written");
    // A lead may.
    sign_in_lead(&t).await;
    let board = t
        .vault
        .review_card(ruam_core::vault::CardReview {
            card_id,
            approve: true,
            comment: None,
        })
        .await
        .unwrap();
    assert_eq!(column_cards(&board, Stage::Done), 1);
}

fn column_cards(board: &Board, stage: Stage) -> usize {
    board
        .columns
        .iter()
        .find(|c| c.stage == Some(stage))
        .unwrap()
        .cards
        .len()
}
