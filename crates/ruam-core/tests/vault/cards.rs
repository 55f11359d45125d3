//! Cards after they are made: edited field by field with every change in their history,
//! commented on, ticked and given encrypted attachments by those on them, deleted, linked
//! to a case; columns edited; and the badge counts and the once-a-day reminder, which
//! count nothing a member may not see.

use base64::Engine as _;
use ruam_core::boards::edit::{CardDetail, ChecklistEntry};
use ruam_core::boards::store::Board;
use ruam_core::boards::{Review, Stage};
use ruam_core::vault::{
    CardEdit, CardMove, CardTick, ColumnSave, NewCardAttachment, NewCardComment,
};
use ruam_core::Error;

use crate::boards::card;
use crate::cases::new_case;
use crate::support::*;

/// One way to spoil a card's form.
type Spoil = Box<dyn Fn(&mut CardEdit)>;

/// The form as the card stands, to change one thing at a time.
fn edit_of(detail: &CardDetail) -> CardEdit {
    CardEdit {
        card_id: detail.card.id.clone(),
        title: detail.card.title.clone(),
        description: detail.description.clone(),
        assignee_ids: detail.card.assignee_ids.clone(),
        agency_id: detail.agency_id.clone(),
        starts_on: detail.starts_on.clone(),
        due_on: detail.card.due_on.clone(),
        priority: Some(detail.card.priority.as_str().to_owned()),
        reviewer_id: detail.card.reviewer_id.clone(),
        labels: detail.labels.clone(),
        checklist: detail
            .checklist
            .iter()
            .map(|i| ChecklistEntry {
                id: Some(i.id.clone()),
                text: i.text.clone(),
                done: i.done,
            })
            .collect(),
        case_id: detail.card.case_id.clone(),
    }
}

fn kinds(detail: &CardDetail) -> Vec<&str> {
    detail.history.iter().map(|e| e.kind.as_str()).collect()
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

pub async fn put_on_case(
    t: &TestVault,
    case_id: &str,
    member_id: &str,
    responsibility: Option<&str>,
) {
    t.vault
        .change_case_member(
            serde_json::from_value(serde_json::json!({
                "caseId": case_id, "memberId": member_id, "responsibility": responsibility,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
}

/// Sign in again as a member who already chose their own passphrase.
pub async fn sign_in_again(t: &TestVault, sign_in_name: &str) {
    t.vault.lock().await;
    t.vault.unlock(unlock_as(sign_in_name, OWN)).await.unwrap();
}

/// Everything a card is made of, to show a refused change left it as it was.
async fn snapshot(t: &TestVault, card_id: &str) -> String {
    let detail = t.vault.card(card_id).await.unwrap();
    let mut value = serde_json::to_value(&detail).unwrap();
    // Reading a card on a case is audited, not part of the card.
    value["history"] = serde_json::Value::Null;
    format!("{value}{}", detail.history.len())
}

#[tokio::test]
async fn a_card_is_edited_field_by_field_and_every_change_is_in_its_history() {
    let (t, _) = TestVault::created().await;
    let worker = t
        .vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    let outsider = t
        .vault
        .add_member(new_member("Noi", "noi", "case_worker"))
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Lan Saelee", 2013))
        .await
        .unwrap()
        .summary
        .id;
    put_on_case(&t, &case_id, &worker.id, Some("support")).await;
    let mut new = card(Some(&case_id), "Home visit");
    new.checklist = vec!["Call the family".into(), "Visit the school".into()];
    new.labels = vec!["visit".into()];
    let board = t.vault.create_card(new).await.unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    let detail = t.vault.card(&card_id).await.unwrap();
    assert_eq!(kinds(&detail), ["created"]);
    assert!(detail.may_edit && detail.may_delete && detail.may_contribute);
    assert_eq!(detail.checklist.len(), 2);

    // Title, description, assignee, dates, priority, labels; one item ticked, one
    // removed, one added.
    let mut change = edit_of(&detail);
    change.title = "Home visit with the teacher".into();
    change.description = Some("Bring the school forms.".into());
    change.assignee_ids = vec![worker.id.clone()];
    change.starts_on = Some("2026-12-01".into());
    change.due_on = Some("2026-12-03".into());
    change.priority = Some("high".into());
    change.labels = vec!["visit".into(), "school".into()];
    change.checklist[0].done = true;
    change.checklist.remove(1);
    change.checklist.push(ChecklistEntry {
        id: None,
        text: "Write the visit note".into(),
        done: false,
    });
    let changes = count(&t, "changes").await;
    let detail = t.vault.update_card(change).await.unwrap();
    assert_eq!(detail.card.title, "Home visit with the teacher");
    assert_eq!(
        detail.description.as_deref(),
        Some("Bring the school forms.")
    );
    assert_eq!(detail.card.assignee_ids, std::slice::from_ref(&worker.id));
    assert_eq!(detail.card.due_on.as_deref(), Some("2026-12-03"));
    assert_eq!(detail.labels, ["school", "visit"]);
    let items: Vec<(&str, bool)> = detail
        .checklist
        .iter()
        .map(|i| (i.text.as_str(), i.done))
        .collect();
    assert_eq!(
        items,
        [("Call the family", true), ("Write the visit note", false)]
    );
    assert_eq!(kinds(&detail), ["created", "edited"]);
    let fields: serde_json::Value = serde_json::from_str(&detail.history[1].detail).unwrap();
    for field in [
        "title",
        "description",
        "assignee_ids",
        "due_on",
        "priority",
        "labels",
        "checklist",
    ] {
        assert!(
            fields["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == field),
            "{field} in {fields}"
        );
    }
    assert!(count(&t, "changes").await > changes, "sent to the outbox");
    let pool = t.vault.pool().await.unwrap();
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'card.update' AND entity_id = ? AND outcome = 'ok'",
    )
    .bind(&card_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // The same form again changes nothing and writes nothing.
    let changes = count(&t, "changes").await;
    let same = t.vault.update_card(edit_of(&detail)).await.unwrap();
    assert_eq!(kinds(&same), ["created", "edited"]);
    assert_eq!(count(&t, "changes").await, changes);

    // Bad input: a clear error naming the field, the card as it was.
    let before = snapshot(&t, &card_id).await;
    let changes = count(&t, "changes").await;
    let bad: Vec<(&str, Spoil)> = vec![
        ("title", Box::new(|c| c.title = "  ".into())),
        ("due_on", Box::new(|c| c.due_on = Some("2026-11-30".into()))),
        (
            "assignee_ids",
            Box::new(|c| c.assignee_ids = vec!["nobody".into()]),
        ),
        ("assignee_ids", {
            let outsider = outsider.id.clone();
            Box::new(move |c| c.assignee_ids = vec![outsider.clone()])
        }),
        ("reviewer_id", {
            let outsider = outsider.id.clone();
            Box::new(move |c| c.reviewer_id = Some(outsider.clone()))
        }),
        (
            "agency_id",
            Box::new(|c| c.agency_id = Some("no-agency".into())),
        ),
        (
            "checklist",
            Box::new(|c| c.checklist[0].id = Some("not-an-item".into())),
        ),
        (
            "checklist",
            Box::new(|c| {
                c.checklist = (0..2_000)
                    .map(|i| ChecklistEntry {
                        id: None,
                        text: format!("step {i}"),
                        done: false,
                    })
                    .collect();
            }),
        ),
        (
            "case_id",
            Box::new(|c| c.case_id = Some("another-case".into())),
        ),
    ];
    for (field, spoil) in bad {
        let mut change = edit_of(&detail);
        spoil(&mut change);
        assert_invalid_field(t.vault.update_card(change).await, field);
    }
    assert_eq!(count(&t, "changes").await, changes, "nothing written");
    assert_eq!(snapshot(&t, &card_id).await, before, "the card as it was");

    // A reviewer named while the card waits in the review column: it waits for them.
    let board = t.vault.open_board(Some(case_id.clone())).await.unwrap();
    t.vault
        .move_card(CardMove {
            card_id: card_id.clone(),
            column_id: column(&board, Stage::Review),
            position: 0,
        })
        .await
        .unwrap();
    let mut change = edit_of(&t.vault.card(&card_id).await.unwrap());
    change.reviewer_id = Some(worker.id.clone());
    let detail = t.vault.update_card(change).await.unwrap();
    assert_eq!(detail.card.review, Review::Waiting);
    let history = kinds(&detail);
    assert_eq!(&history[history.len() - 2..], ["edited", "review"]);
    // Under review, only the reviewer or a lead changes who reviews it.
    let someone = t
        .vault
        .add_member(new_member("Kanya", "kanya", "case_worker"))
        .await
        .unwrap();
    put_on_case(&t, &case_id, &someone.id, Some("support")).await;
    sign_in_fresh(&t, "kanya").await;
    let mut change = edit_of(&t.vault.card(&card_id).await.unwrap());
    change.reviewer_id = None;
    assert_invalid_field(t.vault.update_card(change).await, "reviewer_id");
    let mut change = edit_of(&t.vault.card(&card_id).await.unwrap());
    change.reviewer_id = Some(someone.id.clone());
    assert_invalid_field(t.vault.update_card(change).await, "reviewer_id");
    sign_in_fresh(&t, "dao").await;
    let queue = t.vault.review_queue().await.unwrap();
    assert_eq!(queue.len(), 1);
    // Without a reviewer the card no longer waits for anyone.
    let mut change = edit_of(&t.vault.card(&card_id).await.unwrap());
    change.reviewer_id = None;
    assert_eq!(
        t.vault.update_card(change).await.unwrap().card.review,
        Review::None
    );
    assert!(t.vault.review_queue().await.unwrap().is_empty());

    // The case worker who is not on the case cannot read the card, nor change it.
    sign_in_fresh(&t, "noi").await;
    assert!(matches!(
        t.vault.card(&card_id).await,
        Err(Error::Forbidden)
    ));
    let mut change = edit_of(&detail);
    change.title = "Mine now".into();
    assert!(matches!(
        t.vault.update_card(change).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.card("no-such-card").await,
        Err(Error::Forbidden)
    ));
    let pool = t.vault.pool().await.unwrap();
    let refused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND outcome = 'refused'",
    )
    .bind(&outsider.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refused, 3);
}

#[tokio::test]
async fn those_on_a_card_comment_tick_and_attach_and_others_see_nothing_of_it() {
    let (t, _) = TestVault::created().await;
    let liaison = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    t.vault
        .add_member(new_member("Noi", "noi", "case_worker"))
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Mai Thao", 2012))
        .await
        .unwrap()
        .summary
        .id;
    // The liaison reviews the case: they see it but do not work on it.
    put_on_case(&t, &case_id, &liaison.id, Some("review")).await;
    let mut task = card(Some(&case_id), "Statement at the police station");
    task.reviewer_id = Some(liaison.id.clone());
    task.checklist = vec!["Book the interview room".into()];
    let board = t.vault.create_card(task).await.unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    let own = t.vault.card(&card_id).await.unwrap();

    sign_in_fresh(&t, "anan").await;
    let detail = t.vault.card(&card_id).await.unwrap();
    assert!(!detail.may_edit && !detail.may_delete && detail.may_contribute);
    let mut change = edit_of(&detail);
    change.title = "Renamed".into();
    assert!(matches!(
        t.vault.update_card(change).await,
        Err(Error::Forbidden)
    ));
    let detail = t
        .vault
        .tick_card_item(CardTick {
            card_id: card_id.clone(),
            item_id: own.checklist[0].id.clone(),
            done: true,
        })
        .await
        .unwrap();
    assert!(detail.checklist[0].done);
    let detail = t
        .vault
        .comment_on_card(NewCardComment {
            card_id: card_id.clone(),
            body: "Room booked for Tuesday.".into(),
        })
        .await
        .unwrap();
    assert_eq!(detail.comments.len(), 1);
    assert_eq!(detail.comments[0].author_id, liaison.id);
    let pdf = b"%PDF-1.4\n% statement-ref-QX7734\n";
    let detail = t
        .vault
        .attach_to_card(NewCardAttachment {
            card_id: card_id.clone(),
            file_name: "statement.pdf".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(pdf),
        })
        .await
        .unwrap();
    assert_eq!(detail.attachments.len(), 1);
    assert_eq!(detail.attachments[0].media_type, "application/pdf");
    assert_eq!(
        kinds(&detail),
        ["created", "checklist", "comment", "attachment"]
    );
    let attachment_id = detail.attachments[0].id.clone();
    let content = t.vault.card_attachment(&attachment_id).await.unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(content.content_base64)
            .unwrap(),
        pdf
    );
    // Bad input: each named, nothing written.
    let changes = count(&t, "changes").await;
    assert_invalid_field(
        t.vault
            .comment_on_card(NewCardComment {
                card_id: card_id.clone(),
                body: "   ".into(),
            })
            .await,
        "body",
    );
    assert_invalid_field(
        t.vault
            .tick_card_item(CardTick {
                card_id: card_id.clone(),
                item_id: "no-such-item".into(),
                done: true,
            })
            .await,
        "item_id",
    );
    assert_invalid_field(
        t.vault
            .attach_to_card(NewCardAttachment {
                card_id: card_id.clone(),
                file_name: "statement.pdf".into(),
                content_base64: "not base64!".into(),
            })
            .await,
        "content",
    );
    assert_eq!(count(&t, "changes").await, changes, "nothing written");

    // The attachment is inside the encrypted vault, never in the clear on disk.
    t.vault.lock().await;
    for (path, bytes) in database_bytes(&t.paths()) {
        assert!(!contains(&bytes, b"statement-ref-QX7734"), "{path}");
        assert!(!contains(&bytes, b"Room booked"), "{path}");
    }

    // Someone not on the case: not the card, not its comment, not its attachment.
    sign_in_fresh(&t, "noi").await;
    let changes = count(&t, "changes").await;
    assert!(matches!(
        t.vault.card(&card_id).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .comment_on_card(NewCardComment {
                card_id: card_id.clone(),
                body: "Hello".into(),
            })
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .tick_card_item(CardTick {
                card_id: card_id.clone(),
                item_id: own.checklist[0].id.clone(),
                done: false,
            })
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.card_attachment(&attachment_id).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.card_attachment("no-such-attachment").await,
        Err(Error::Forbidden)
    ));
    assert_eq!(count(&t, "changes").await, changes, "nothing written");
}

#[tokio::test]
async fn a_deleted_card_leaves_every_list_and_its_column_closes_up() {
    let (t, _) = TestVault::created().await;
    let worker = t
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
    put_on_case(&t, &case_id, &worker.id, Some("support")).await;
    let today = ruam_core::cases::today().to_string();
    let mut board = t.vault.open_board(Some(case_id.clone())).await.unwrap();
    for title in ["First", "Second", "Third"] {
        let mut task = card(Some(&case_id), title);
        task.assignee_ids = vec![worker.id.clone()];
        task.due_on = Some(today.clone());
        board = t.vault.create_card(task).await.unwrap();
    }
    let ids: Vec<String> = board.columns[0]
        .cards
        .iter()
        .map(|c| c.id.clone())
        .collect();

    // The case worker did not make the lead's card: they may not delete it.
    sign_in_fresh(&t, "dao").await;
    assert_eq!(t.vault.task_counts().await.unwrap().due_today, 3);
    let changes = count(&t, "changes").await;
    assert!(matches!(
        t.vault.delete_card(&ids[1]).await,
        Err(Error::Forbidden)
    ));
    assert_eq!(count(&t, "changes").await, changes);
    let mine = t
        .vault
        .create_card(card(Some(&case_id), "Mine"))
        .await
        .unwrap();
    let mine_id = mine.columns[0].cards[3].id.clone();
    let board = t.vault.delete_card(&mine_id).await.unwrap();
    assert_eq!(
        board.columns[0].cards.len(),
        3,
        "the creator deletes their own"
    );

    sign_in_lead(&t).await;
    let board = t.vault.delete_card(&ids[1]).await.unwrap();
    let left: Vec<(&str, i64)> = board.columns[0]
        .cards
        .iter()
        .map(|c| (c.title.as_str(), c.position))
        .collect();
    assert_eq!(left, [("First", 0), ("Third", 1)]);
    // A second delete (say, from a board read before the first): a clear error.
    assert_invalid_field(t.vault.delete_card(&ids[1]).await, "card_id");
    assert_invalid_field(t.vault.card(&ids[1]).await, "card_id");

    sign_in_again(&t, "dao").await;
    assert_eq!(t.vault.task_counts().await.unwrap().due_today, 2);
    let tasks = t.vault.my_tasks(Default::default()).await.unwrap();
    assert!(tasks.iter().all(|task| task.card.id != ids[1]));
    let pool = t.vault.pool().await.unwrap();
    let history: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM card_events WHERE card_id = ? ORDER BY at, rowid")
            .bind(&ids[1])
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(history, ["created", "deleted"]);
    // Someone who may not see the case learns nothing, not even that it was deleted.
    t.vault.lock().await;
    t.unlock(PASSPHRASE).await.unwrap();
    t.vault
        .add_member(new_member("Noi", "noi", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "noi").await;
    assert!(matches!(t.vault.card(&ids[1]).await, Err(Error::Forbidden)));
    assert!(matches!(
        t.vault.delete_card(&ids[1]).await,
        Err(Error::Forbidden)
    ));
}

#[tokio::test]
async fn a_team_card_linked_to_a_case_follows_the_case() {
    let (t, _) = TestVault::created().await;
    t.vault
        .add_member(new_member("Noi", "noi", "case_worker"))
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Lan Saelee", 2013))
        .await
        .unwrap()
        .summary
        .id;
    let board = t
        .vault
        .create_card(card(None, "Birth certificate at the district office"))
        .await
        .unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    let mut change = edit_of(&t.vault.card(&card_id).await.unwrap());
    change.case_id = Some(case_id.clone());
    let detail = t.vault.update_card(change).await.unwrap();
    assert_eq!(detail.card.case_id.as_deref(), Some(case_id.as_str()));
    assert_eq!(detail.board_case_id, None, "still on the team's board");

    // A member not on the case no longer sees it on the team's board.
    sign_in_fresh(&t, "noi").await;
    let board = t.vault.open_board(None).await.unwrap();
    assert!(board.columns.iter().all(|c| c.cards.is_empty()));
    assert!(matches!(
        t.vault.card(&card_id).await,
        Err(Error::Forbidden)
    ));

    // Cards hidden from a member leave no gap, and a move counts only what they see.
    sign_in_lead(&t).await;
    for title in ["Team meeting minutes", "Volunteer training"] {
        t.vault.create_card(card(None, title)).await.unwrap();
    }
    let team_card = |board: &Board, title: &str| {
        board.columns[0]
            .cards
            .iter()
            .find(|c| c.title == title)
            .unwrap()
            .id
            .clone()
    };
    let board = t.vault.open_board(None).await.unwrap();
    // The linked card goes between the two others.
    t.vault
        .move_card(CardMove {
            card_id: card_id.clone(),
            column_id: board.columns[0].id.clone(),
            position: 1,
        })
        .await
        .unwrap();
    sign_in_again(&t, "noi").await;
    let board = t.vault.open_board(None).await.unwrap();
    let seen: Vec<(&str, i64)> = board.columns[0]
        .cards
        .iter()
        .map(|c| (c.title.as_str(), c.position))
        .collect();
    assert_eq!(
        seen,
        [("Team meeting minutes", 0), ("Volunteer training", 1)]
    );
    t.vault
        .move_card(CardMove {
            card_id: team_card(&board, "Volunteer training"),
            column_id: board.columns[0].id.clone(),
            position: 0,
        })
        .await
        .unwrap();
    sign_in_lead(&t).await;
    let board = t.vault.open_board(None).await.unwrap();
    let order: Vec<&str> = board.columns[0]
        .cards
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "Volunteer training",
            "Team meeting minutes",
            "Birth certificate at the district office"
        ]
    );

    // A case worker on the case works on the card, but only a lead takes it off the case
    // (what was written on it would reach the whole team).
    let dao = t
        .vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    put_on_case(&t, &case_id, &dao.id, Some("support")).await;
    sign_in_fresh(&t, "dao").await;
    let mut change = edit_of(&t.vault.card(&card_id).await.unwrap());
    change.case_id = None;
    assert!(matches!(
        t.vault.update_card(change).await,
        Err(Error::Forbidden)
    ));

    // Unlinked by a lead, it is the team's again.
    sign_in_lead(&t).await;
    let mut change = edit_of(&t.vault.card(&card_id).await.unwrap());
    change.case_id = None;
    t.vault.update_card(change).await.unwrap();
    sign_in_again(&t, "noi").await;
    let board = t.vault.open_board(None).await.unwrap();
    assert_eq!(board.columns[0].cards.len(), 3);
}

#[tokio::test]
async fn columns_are_added_renamed_moved_and_removed_in_order() {
    let (t, _) = TestVault::created().await;
    let board = t.vault.open_board(None).await.unwrap();
    let save = |column_id: Option<&str>, name: Option<&str>, position: Option<i64>| ColumnSave {
        board_id: board.id.clone(),
        column_id: column_id.map(str::to_owned),
        name: name.map(str::to_owned),
        position,
    };
    let positions = |board: &Board| -> Vec<(Option<String>, Option<Stage>)> {
        board
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.stage))
            .collect()
    };
    let board2 = t
        .vault
        .save_column(save(None, Some("Waiting for the court"), Some(2)))
        .await
        .unwrap();
    assert_eq!(
        positions(&board2),
        [
            (None, Some(Stage::Todo)),
            (None, Some(Stage::InProgress)),
            (Some("Waiting for the court".into()), None),
            (None, Some(Stage::Review)),
            (None, Some(Stage::Done)),
        ]
    );
    let court = board2.columns[2].id.clone();
    let todo = board2.columns[0].id.clone();
    // Renamed, then moved last; a starting column renamed and given its name back.
    let board3 = t
        .vault
        .save_column(save(Some(&court), Some("Court"), Some(99)))
        .await
        .unwrap();
    assert_eq!(board3.columns[4].name.as_deref(), Some("Court"));
    let board3 = t
        .vault
        .save_column(save(Some(&todo), Some("Backlog"), None))
        .await
        .unwrap();
    assert_eq!(board3.columns[0].name.as_deref(), Some("Backlog"));
    let board3 = t
        .vault
        .save_column(save(Some(&todo), Some(""), None))
        .await
        .unwrap();
    assert_eq!(board3.columns[0].name, None);
    assert_eq!(board3.columns[0].stage, Some(Stage::Todo));

    // Bad input writes nothing.
    let changes = count(&t, "changes").await;
    assert_invalid_field(
        t.vault.save_column(save(None, Some("  "), None)).await,
        "name",
    );
    assert_invalid_field(
        t.vault
            .save_column(save(Some(&court), Some(""), None))
            .await,
        "name",
    );
    assert_invalid_field(
        t.vault
            .save_column(save(None, Some(&"x".repeat(61)), None))
            .await,
        "name",
    );
    assert_invalid_field(t.vault.delete_column(&todo).await, "column_id");
    assert_eq!(count(&t, "changes").await, changes, "nothing written");
    // Moved without a name: it keeps its name (a renamed starting column too).
    let board3 = t
        .vault
        .save_column(save(Some(&court), None, Some(1)))
        .await
        .unwrap();
    assert_eq!(board3.columns[1].name.as_deref(), Some("Court"));
    t.vault
        .save_column(save(Some(&todo), Some("Backlog"), None))
        .await
        .unwrap();
    let board3 = t
        .vault
        .save_column(save(Some(&todo), None, Some(2)))
        .await
        .unwrap();
    assert_eq!(board3.columns[2].name.as_deref(), Some("Backlog"));
    assert_eq!(board3.columns[2].stage, Some(Stage::Todo));
    let changes = count(&t, "changes").await;
    // A column with a card in it stays until the card moves.
    t.vault
        .create_card({
            let mut c = card(None, "At court");
            c.column_id = Some(court.clone());
            c
        })
        .await
        .unwrap();
    let changes_with_card = count(&t, "changes").await;
    assert!(changes_with_card > changes);
    assert_invalid_field(t.vault.delete_column(&court).await, "column_id");
    assert_eq!(
        count(&t, "changes").await,
        changes_with_card,
        "nothing written"
    );

    let board4 = t
        .vault
        .save_column(save(None, Some("Empty"), Some(1)))
        .await
        .unwrap();
    let empty = board4.columns[1].id.clone();
    let board5 = t.vault.delete_column(&empty).await.unwrap();
    assert_eq!(board5.columns.len(), 5);
    assert!(board5.columns.iter().all(|c| c.id != empty));
    assert_invalid_field(t.vault.delete_column(&empty).await, "column_id");
    // Column positions stay 0, 1, 2, … with no gaps.
    let pool = t.vault.pool().await.unwrap();
    let stored: Vec<i64> = sqlx::query_scalar(
        "SELECT position FROM board_columns WHERE board_id = ? AND deleted_at IS NULL ORDER BY position",
    )
    .bind(&board.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(stored, [0, 1, 2, 3, 4]);
    // At most twelve columns.
    for i in 0..7 {
        t.vault
            .save_column(save(None, Some(&format!("Step {i}")), None))
            .await
            .unwrap();
    }
    assert_invalid_field(
        t.vault
            .save_column(save(None, Some("One more"), None))
            .await,
        "name",
    );
}

#[tokio::test]
async fn the_reminder_comes_once_a_day_and_counts_only_what_the_member_may_see() {
    let (t, _) = TestVault::created().await;
    let liaison = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let today = ruam_core::cases::today();
    let yesterday = today.previous_day().unwrap().to_string();
    let seen = t
        .vault
        .create_case(new_case("Mai Thao", 2012))
        .await
        .unwrap()
        .summary
        .id;
    let hidden = t
        .vault
        .create_case(new_case("Lan Saelee", 2013))
        .await
        .unwrap()
        .summary
        .id;
    for case_id in [&seen, &hidden] {
        put_on_case(&t, case_id, &liaison.id, Some("support")).await;
        let mut late = card(Some(case_id), "Statement");
        late.assignee_ids = vec![liaison.id.clone()];
        late.due_on = Some(yesterday.clone());
        t.vault.create_card(late).await.unwrap();
        let mut due = card(Some(case_id), "Medical report");
        due.assignee_ids = vec![liaison.id.clone()];
        due.due_on = Some(today.to_string());
        t.vault.create_card(due).await.unwrap();
    }
    // Taken off the second case: its tasks are not counted for them any more.
    put_on_case(&t, &hidden, &liaison.id, None).await;
    // The lead has no tasks: no reminder, and none recorded.
    assert_eq!(t.vault.due_reminder().await.unwrap(), None);
    assert_eq!(count(&t, "task_reminders").await, 0);

    sign_in_fresh(&t, "anan").await;
    let counts = t.vault.task_counts().await.unwrap();
    assert_eq!(
        (counts.overdue, counts.due_today, counts.to_review),
        (1, 1, 0)
    );
    let first = t.vault.due_reminder().await.unwrap();
    assert_eq!(first, Some(counts));
    assert_eq!(t.vault.due_reminder().await.unwrap(), None, "once a day");
    // A new day: reminded again.
    let pool = t.vault.pool().await.unwrap();
    sqlx::query("UPDATE task_reminders SET reminded_on = ? WHERE member_id = ?")
        .bind(&yesterday)
        .bind(&liaison.id)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(t.vault.due_reminder().await.unwrap(), Some(counts));
    // Locked: nothing to say.
    t.vault.lock().await;
    assert_eq!(t.vault.due_reminder().await.unwrap(), None);
}

#[tokio::test]
async fn a_long_column_comes_a_page_at_a_time_counting_only_what_the_reader_sees() {
    use ruam_core::boards::store::COLUMN_PAGE;
    use ruam_core::vault::ColumnPage;

    let (t, _) = TestVault::created().await;
    t.vault
        .add_member(new_member("Noi", "noi", "case_worker"))
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Lan Saelee", 2013))
        .await
        .unwrap()
        .summary
        .id;
    let pool = t.vault.pool().await.unwrap();
    let mut board = t.vault.open_board(None).await.unwrap();
    for n in 0..120 {
        board = t
            .vault
            .create_card(card(None, &format!("Task {n:03}")))
            .await
            .unwrap();
        // Every tenth card is about the case: hidden from those not on it.
        if n % 10 == 5 {
            let id: String = sqlx::query_scalar("SELECT id FROM cards ORDER BY rowid DESC LIMIT 1")
                .fetch_one(&pool)
                .await
                .unwrap();
            let mut change = edit_of(&t.vault.card(&id).await.unwrap());
            change.case_id = Some(case_id.clone());
            t.vault.update_card(change).await.unwrap();
        }
    }
    let column = board.columns[0].id.clone();
    let page = |from: i64| ColumnPage {
        column_id: column.clone(),
        from,
    };
    let titles = |cards: &[ruam_core::boards::store::CardSummary]| -> Vec<String> {
        cards.iter().map(|c| c.title.clone()).collect()
    };

    // The lead sees all 120: the first 50 with the board, then 50, then 20.
    let board = t.vault.open_board(None).await.unwrap();
    assert_eq!(board.columns[0].total, 120);
    assert_eq!(board.columns[0].cards.len() as i64, COLUMN_PAGE);
    let mut all = board.columns[0].cards.clone();
    all.extend(t.vault.column_cards(page(50)).await.unwrap());
    all.extend(t.vault.column_cards(page(100)).await.unwrap());
    assert!(t.vault.column_cards(page(120)).await.unwrap().is_empty());
    let expected: Vec<String> = (0..120).map(|n| format!("Task {n:03}")).collect();
    assert_eq!(titles(&all), expected);
    let places: Vec<i64> = all.iter().map(|c| c.position).collect();
    assert_eq!(places, (0..120).collect::<Vec<i64>>());

    // A member not on the case: 108 cards, at places 0..107, none of the case's.
    sign_in_fresh(&t, "noi").await;
    let board = t.vault.open_board(None).await.unwrap();
    assert_eq!(board.columns[0].total, 108);
    let mut seen = board.columns[0].cards.clone();
    seen.extend(t.vault.column_cards(page(50)).await.unwrap());
    seen.extend(t.vault.column_cards(page(100)).await.unwrap());
    let expected: Vec<String> = (0..120)
        .filter(|n| n % 10 != 5)
        .map(|n| format!("Task {n:03}"))
        .collect();
    assert_eq!(titles(&seen), expected);
    let places: Vec<i64> = seen.iter().map(|c| c.position).collect();
    assert_eq!(places, (0..108).collect::<Vec<i64>>());
    // A column of a board they may not see, or none at all: refused alike.
    let case_board = {
        sign_in_lead(&t).await;
        t.vault.open_board(Some(case_id.clone())).await.unwrap()
    };
    sign_in_again(&t, "noi").await;
    for column_id in [
        case_board.columns[0].id.clone(),
        "no-such-column".to_owned(),
    ] {
        assert!(matches!(
            t.vault
                .column_cards(ColumnPage { column_id, from: 0 })
                .await,
            Err(Error::Forbidden)
        ));
    }
}
