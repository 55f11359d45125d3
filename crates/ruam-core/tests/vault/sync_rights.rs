//! What a member's laptop may write in a case and on a board, checked by the laptops that
//! receive it: a changed client on a social worker's laptop (she supports the case, she
//! neither leads nor approves) puts an outsider on the case, closes it, writes a note in
//! the liaison's name, signs off the liaison's task; each batch is refused by the lead's
//! laptop and nothing of it applied, while what she may write still arrives.

use crate::boards::card;
use crate::support::*;
use crate::sync::{forged_change, joined_laptop, rows, social_worker, Relay};

async fn exec(t: &TestVault, sql: &str, binds: &[&str]) {
    let pool = t.vault.pool().await.unwrap();
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    let done = query.execute(&pool).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql}");
}

#[tokio::test]
async fn a_laptop_that_writes_beyond_its_members_part_is_refused_by_the_others() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = social_worker(&lead).await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let outsider = lead
        .vault
        .add_member(new_member("Somchai", "somchai", "case_worker"))
        .await
        .unwrap();
    let case_id = lead
        .vault
        .create_case(crate::cases::new_case("Dao", 2012))
        .await
        .unwrap()
        .summary
        .id;
    crate::cases::add_to_case(&lead, &case_id, &worker.id, "support").await;
    // A task for the liaison to sign off, waiting for his review.
    let mut task = card(None, "Take the statement");
    task.reviewer_id = Some(liaison.id.clone());
    let board = lead.vault.create_card(task).await.unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    let review_column = board
        .columns
        .iter()
        .find(|c| c.stage == Some(ruam_core::boards::Stage::Review))
        .unwrap()
        .id
        .clone();
    lead.vault
        .move_card(ruam_core::vault::CardMove {
            card_id: card_id.clone(),
            column_id: review_column,
            position: 0,
        })
        .await
        .unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = joined_laptop(&relay, &lead, &worker.id).await;
    for _ in 0..2 {
        lead.vault.sync_now().await.unwrap();
        laptop.vault.sync_now().await.unwrap();
    }
    assert!(laptop.vault.open_case(&case_id).await.is_ok());

    // What she may write arrives: a note of her own on the case, a comment on the task.
    let file = crate::cases::note(&laptop, &case_id, "social", "Home visit done").await;
    let own_note = file
        .notes
        .iter()
        .find(|n| n.body == "Home visit done")
        .unwrap()
        .id
        .clone();
    laptop.vault.sync_now().await.unwrap();
    let got = lead.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 0, "{got:?}");
    assert_eq!(
        rows(
            &lead,
            &format!("SELECT count(*) FROM case_notes WHERE id = '{own_note}'")
        )
        .await,
        1
    );

    // Each forgery, written behind the app's back and put in the outbox as the app would.
    let now = "2026-12-03T10:00:00.000Z";
    // (what the changed client runs, the row it names in its outbox, what counts the
    // forgery on the lead's laptop, the values bound).
    type Forgery<'a> = (&'a str, (&'a str, &'a str), String, Vec<&'a str>);
    let forgeries: Vec<Forgery> = vec![
        // An outsider made the case's lead (only its lead or one who oversees says who
        // is on it; her laptop would then be given the case's key).
        (
            "INSERT INTO case_members (case_id, member_id, responsibility, added_by, added_at)
             VALUES (?, ?, 'lead', ?, ?)",
            ("case", &case_id),
            "SELECT count(*) FROM case_members WHERE member_id = 'OUTSIDER'".replace("OUTSIDER", &outsider.id),
            vec![&case_id, &outsider.id, &worker.id, now],
        ),
        // The case closed (that needs cases.approve).
        (
            "UPDATE cases SET status = 'closed', outcome = 'resolved_district', closed_by = ?,
                 closed_at = ? WHERE id = ?",
            ("case", &case_id),
            "SELECT count(*) FROM cases WHERE status = 'closed'".to_owned(),
            vec![&worker.id, now, &case_id],
        ),
        // A note in the liaison's name.
        (
            "INSERT INTO case_notes (id, case_id, section, body, author_id, created_at, updated_at)
             VALUES ('forged-note', ?, 'social', 'He said so', ?, ?, ?)",
            ("case_note", "forged-note"),
            "SELECT count(*) FROM case_notes WHERE id = 'forged-note'".to_owned(),
            vec![&case_id, &liaison.id, now, now],
        ),
        // Her own note handed to the liaison.
        (
            "UPDATE case_notes SET author_id = ? WHERE id = ?",
            ("case_note", &own_note),
            format!("SELECT count(*) FROM case_notes WHERE id = '{own_note}' AND author_id <> '{}'", worker.id),
            vec![&liaison.id, &own_note],
        ),
        // The liaison's task signed off, in his name, by her laptop.
        (
            "UPDATE cards SET review = 'approved', signed_off_by = ?, signed_off_at = ? WHERE id = ?",
            ("card", &card_id),
            "SELECT count(*) FROM cards WHERE review = 'approved'".to_owned(),
            vec![&liaison.id, now, &card_id],
        ),
    ];
    for (n, (sql, row, check, binds)) in forgeries.into_iter().enumerate() {
        exec(&laptop, sql, &binds).await;
        let pool = laptop.vault.pool().await.unwrap();
        forged_change(&pool, row, "update", &worker.id, u32::try_from(n).unwrap()).await;
        drop(pool);
        let sent = laptop.vault.sync_now().await.unwrap();
        assert!(sent.sealed > 0, "{sent:?}");
        let got = lead.vault.sync_now().await.unwrap();
        assert_eq!(got.refused, 1, "forgery {n}: {got:?}");
        assert_eq!(got.applied_rows, 0, "forgery {n}: {got:?}");
        assert_eq!(rows(&lead, &check).await, 0, "forgery {n} reached the lead");
    }
    // The lead's laptop gave the outsider nothing: the case's key goes to its laptops only.
    let opened = lead.vault.open_case(&case_id).await.unwrap();
    assert!(opened.members.iter().all(|m| m.member_id != outsider.id));
    let review = lead.vault.card(&card_id).await.unwrap();
    assert_eq!(review.card.review, ruam_core::boards::Review::Waiting);
}
