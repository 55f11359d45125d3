//! Team sync between laptops through a real relay on loopback (SQLite store): enrolment by
//! invite with the short code, a task assigned on one laptop and signed off on the other,
//! offline edits on two laptops merging, a concurrent edit kept as a conflict, a relay
//! that is down or restarted, an envelope altered on the relay, and a revoked laptop.
//!
//! Every other laptop starts with no vault and joins with an invite, as a new laptop does.

use std::net::SocketAddr;

use ruam_core::boards::{Review, Stage};
use ruam_core::vault::{CardEdit, CardMove, CardReview, DeviceApproval, JoinRequest};
use ruam_core::{Error, VaultState};
use ruam_relay::store::SqliteStore;
use tokio::sync::oneshot;

use crate::boards::card;
use crate::support::*;

/// A relay on loopback, on a SQLite file, that can be stopped and started again.
pub(crate) struct Relay {
    dir: tempfile::TempDir,
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Relay {
    pub(crate) async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut relay = Self {
            dir,
            address: "127.0.0.1:0".parse().unwrap(),
            stop: None,
            task: None,
        };
        relay.listen().await;
        relay
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    async fn listen(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.address).await.unwrap();
        self.address = listener.local_addr().unwrap();
        let store = SqliteStore::open(&self.dir.path().join("relay.db"))
            .await
            .unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        self.stop = Some(stop);
        self.task = Some(tokio::spawn(async move {
            ruam_relay::serve(listener, store, ruam_relay::Config::default(), async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        }));
    }

    async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// Every byte of the relay's database files.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for name in ["relay.db", "relay.db-wal"] {
            if let Ok(bytes) = std::fs::read(self.dir.path().join(name)) {
                out.extend(bytes);
            }
        }
        out
    }
}

/// A new laptop, with no vault, joins the team with an invite the lead makes for
/// `member_id`: it enrols, shows its short code, waits; the lead approves with that code;
/// the laptop pulls the team and opens as the member, with the passphrase chosen on it.
pub(crate) async fn joined_laptop(relay: &Relay, lead: &TestVault, member_id: &str) -> TestVault {
    let invite = lead.vault.sync_invite(member_id.to_owned()).await.unwrap();
    let laptop = TestVault::empty();
    let started = laptop
        .vault
        .join_team(JoinRequest {
            relay_url: relay.url(),
            invite_code: invite.code.as_str().into(),
            passphrase: OWN.into(),
        })
        .await
        .unwrap();
    assert_eq!(started.status.state, VaultState::Joining);
    assert!(!started.recovery_key.expose().is_empty());
    let joining = started.status.joining.clone().unwrap();
    assert_eq!(joining.team_name, TEAM);
    assert!(!joining.approved);
    laptop.vault.acknowledge_recovery_key().await.unwrap();
    // Waiting: nothing but the wait is open, and a check before approval waits on.
    assert!(matches!(
        laptop.vault.my_tasks(Default::default()).await,
        Err(Error::Locked)
    ));
    let waiting = laptop.vault.join_check().await.unwrap();
    assert_eq!(waiting.state, VaultState::Joining);
    let devices = lead.vault.sync_devices().await.unwrap();
    let pending = devices
        .iter()
        .find(|d| d.status == "pending" && d.member_id.as_deref() == Some(member_id))
        .unwrap();
    assert_eq!(
        pending.short_code.as_deref(),
        Some(joining.short_code.as_str())
    );
    lead.vault
        .sync_approve(DeviceApproval {
            device_id: pending.device_id.clone(),
            short_code: joining.short_code.clone(),
        })
        .await
        .unwrap();
    // Approving ran a round, so the team's rows wait at the relay for it.
    let status = finish_joining(&laptop).await;
    let member = status.member.unwrap();
    assert_eq!(member.id, member_id);
    assert_eq!(member.sign_in_name, joining.sign_in_name);
    assert!(!member.must_change_passphrase);
    assert!(!status.recovery_key_pending);
    laptop
}

/// What a changed client writes in its outbox after changing a row behind the app's back,
/// as the app would: the row's entity and id, the operation, its author, and a counter
/// that makes each clock of a test its own.
pub(crate) async fn forged_change(
    pool: &sqlx::SqlitePool,
    (entity, id): (&str, &str),
    op: &str,
    author: &str,
    counter: u32,
) {
    sqlx::query(
        "INSERT INTO changes (id, entity, entity_id, op, fields, hlc, author, device, created_at)
         VALUES (?, ?, ?, ?, '{}', ?, ?, 'x', '2026-12-02T00:00:00.000Z')",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(entity)
    .bind(id)
    .bind(op)
    .bind(format!("{:015}:{counter:05}:x", 1_900_000_000_000i64))
    .bind(author)
    .execute(pool)
    .await
    .unwrap();
}

/// Kanya, a social worker, added to the lead's team.
pub(crate) async fn social_worker(lead: &TestVault) -> ruam_core::team::Member {
    let mut m = new_member("Kanya", "kanya", "case_worker");
    m.discipline = "social_work".into();
    lead.vault.add_member(m).await.unwrap()
}

/// Check until the approved laptop has pulled its team and opened (a few checks at most).
async fn finish_joining(laptop: &TestVault) -> ruam_core::VaultStatus {
    for _ in 0..10 {
        let status = laptop.vault.join_check().await.unwrap();
        if status.state == VaultState::Unlocked {
            return status;
        }
        assert!(status.joining.unwrap().approved);
    }
    panic!("the laptop never finished joining");
}

/// The lead's laptop on the relay and the liaison's laptop joined: (lead, liaison's
/// laptop, the liaison's member id).
async fn two_laptops(relay: &Relay) -> (TestVault, TestVault, String) {
    let (lead, _) = TestVault::created().await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = joined_laptop(relay, &lead, &liaison.id).await;
    (lead, laptop, liaison.id)
}

fn column_of(board: &ruam_core::boards::store::Board, stage: Stage) -> String {
    board
        .columns
        .iter()
        .find(|c| c.stage == Some(stage))
        .unwrap()
        .id
        .clone()
}

fn edit(detail: &ruam_core::boards::edit::CardDetail, title: &str) -> CardEdit {
    serde_json::from_value(serde_json::json!({
        "cardId": detail.card.id,
        "title": title,
        "description": detail.description,
        "assigneeIds": detail.card.assignee_ids,
        "reviewerId": detail.card.reviewer_id,
        "dueOn": detail.card.due_on,
    }))
    .unwrap()
}

#[tokio::test]
async fn a_task_assigned_on_one_laptop_is_signed_off_on_the_other() {
    let relay = Relay::start().await;
    let (lead, laptop, liaison) = two_laptops(&relay).await;

    let mut task = card(None, "canary-7Q2X take the statement");
    task.assignee_ids = vec![liaison.clone()];
    task.reviewer_id = Some(liaison.clone());
    let board = lead.vault.create_card(task).await.unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    let sent = lead.vault.sync_now().await.unwrap();
    assert!(sent.sealed > 0 && sent.pushed > 0, "{sent:?}");

    let got = laptop.vault.sync_now().await.unwrap();
    assert!(got.applied_rows > 0, "{got:?}");
    assert_eq!(got.refused, 0);
    let mine = laptop.vault.my_tasks(Default::default()).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].card.title, "canary-7Q2X take the statement");
    // A second round brings nothing new.
    let again = laptop.vault.sync_now().await.unwrap();
    assert_eq!(again.applied_rows, 0, "{again:?}");

    // The lead sends it for review; the liaison signs it off on their laptop.
    lead.vault
        .move_card(CardMove {
            card_id: card_id.clone(),
            column_id: column_of(&board, Stage::Review),
            position: 0,
        })
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    laptop.vault.sync_now().await.unwrap();
    assert_eq!(laptop.vault.review_queue().await.unwrap().len(), 1);
    laptop
        .vault
        .review_card(CardReview {
            card_id: card_id.clone(),
            approve: true,
            comment: None,
        })
        .await
        .unwrap();
    laptop.vault.sync_now().await.unwrap();
    let got = lead.vault.sync_now().await.unwrap();
    assert!(got.applied_rows > 0, "{got:?}");
    let detail = lead.vault.card(&card_id).await.unwrap();
    assert_eq!(detail.card.review, Review::Approved);
    assert_eq!(detail.card.signed_off_by.as_deref(), Some(liaison.as_str()));
    let board = lead.vault.open_board(None).await.unwrap();
    let done = board
        .columns
        .iter()
        .find(|c| c.stage == Some(Stage::Done))
        .unwrap();
    assert_eq!(done.cards[0].id, card_id);

    // The relay held only ciphertext: the title never reached its database.
    assert!(!contains(&relay.bytes(), b"canary-7Q2X"));
    assert!(!contains(&relay.bytes(), b"Pol. Lt. Anan"));
    // Nothing waits on either laptop.
    for t in [&lead, &laptop] {
        let status = t.vault.sync_status().await.unwrap();
        assert_eq!(status.pending_changes, 0, "{status:?}");
        assert!(status.last_synced_at.is_some());
    }
}

#[tokio::test]
async fn offline_edits_merge_and_a_concurrent_edit_is_kept_as_a_conflict() {
    let relay = Relay::start().await;
    let (lead, laptop, liaison) = two_laptops(&relay).await;
    let mut task = card(None, "Visit the family");
    task.assignee_ids = vec![liaison.clone()];
    let board = lead.vault.create_card(task).await.unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    lead.vault.sync_now().await.unwrap();
    laptop.vault.sync_now().await.unwrap();

    // Offline, each laptop adds a card, and both rename the same one.
    lead.vault
        .create_card(card(None, "Lead's new card"))
        .await
        .unwrap();
    laptop
        .vault
        .create_card(card(None, "Liaison's new card"))
        .await
        .unwrap();
    let detail = lead.vault.card(&card_id).await.unwrap();
    lead.vault
        .update_card(edit(&detail, "Visit the family on Monday"))
        .await
        .unwrap();
    let detail = laptop.vault.card(&card_id).await.unwrap();
    laptop
        .vault
        .update_card(edit(&detail, "Visit the family with an interpreter"))
        .await
        .unwrap();

    lead.vault.sync_now().await.unwrap();
    let on_laptop = laptop.vault.sync_now().await.unwrap();
    assert_eq!(on_laptop.conflicts, 1, "{on_laptop:?}");
    let on_lead = lead.vault.sync_now().await.unwrap();
    assert_eq!(on_lead.conflicts, 1, "{on_lead:?}");

    // Both laptops hold all three cards and the same title.
    let titles = |board: ruam_core::boards::store::Board| {
        let mut titles: Vec<String> = board
            .columns
            .iter()
            .flat_map(|c| c.cards.iter().map(|card| card.title.clone()))
            .collect();
        titles.sort();
        titles
    };
    let here = titles(lead.vault.open_board(None).await.unwrap());
    let there = titles(laptop.vault.open_board(None).await.unwrap());
    assert_eq!(here, there);
    assert_eq!(here.len(), 3, "{here:?}");
    assert!(here.iter().any(|t| t == "Lead's new card"));
    assert!(here.iter().any(|t| t == "Liaison's new card"));
    // The conflict keeps both titles for a person to choose.
    let pool = laptop.vault.pool().await.unwrap();
    let (local, remote): (String, String) = sqlx::query_as(
        "SELECT local_value, remote_value FROM sync_conflicts WHERE entity = 'card' AND field = 'title'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let mut both = [local, remote];
    both.sort();
    assert_eq!(
        both,
        [
            "\"Visit the family on Monday\"".to_owned(),
            "\"Visit the family with an interpreter\"".to_owned()
        ]
    );
    assert_eq!(laptop.vault.sync_status().await.unwrap().open_conflicts, 1);

    // The liaison keeps what their laptop had: the choice becomes an edit that reaches the
    // lead, whose own conflict on the field is settled, whichever value the clocks had shown.
    let open = laptop.vault.sync_conflicts().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].field, "title");
    assert_invalid_field(
        laptop
            .vault
            .sync_resolve(ruam_core::vault::ConflictChoice {
                conflict_id: open[0].id.clone(),
                keep: "both".into(),
            })
            .await,
        "keep",
    );
    let left = laptop
        .vault
        .sync_resolve(ruam_core::vault::ConflictChoice {
            conflict_id: open[0].id.clone(),
            keep: "local".into(),
        })
        .await
        .unwrap();
    assert!(left.is_empty());
    assert_eq!(
        laptop.vault.card(&card_id).await.unwrap().card.title,
        "Visit the family with an interpreter"
    );
    laptop.vault.sync_now().await.unwrap();
    lead.vault.sync_now().await.unwrap();
    assert_eq!(
        lead.vault.card(&card_id).await.unwrap().card.title,
        "Visit the family with an interpreter"
    );
    assert!(lead.vault.sync_conflicts().await.unwrap().is_empty());
    assert!(matches!(
        laptop
            .vault
            .sync_resolve(ruam_core::vault::ConflictChoice {
                conflict_id: open[0].id.clone(),
                keep: "local".into(),
            })
            .await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn a_relay_down_or_restarted_loses_nothing_and_an_altered_envelope_is_refused() {
    let mut relay = Relay::start().await;
    let (lead, laptop, _) = two_laptops(&relay).await;
    lead.vault.sync_now().await.unwrap();
    laptop.vault.sync_now().await.unwrap();

    relay.stop().await;
    lead.vault
        .create_card(card(None, "Written while the relay was down"))
        .await
        .unwrap();
    assert!(matches!(
        lead.vault.sync_now().await,
        Err(Error::Offline(_))
    ));
    let status = lead.vault.sync_status().await.unwrap();
    assert!(status.pending_changes > 0, "{status:?}");
    assert!(status.last_error.is_some());

    relay.listen().await;
    lead.vault.sync_now().await.unwrap();
    assert_eq!(lead.vault.sync_status().await.unwrap().pending_changes, 0);
    laptop.vault.sync_now().await.unwrap();
    let titles: Vec<String> = laptop
        .vault
        .open_board(None)
        .await
        .unwrap()
        .columns
        .iter()
        .flat_map(|c| c.cards.iter().map(|card| card.title.clone()))
        .collect();
    assert!(titles
        .iter()
        .any(|t| t == "Written while the relay was down"));

    // A malicious relay alters an envelope it holds: the laptop refuses it, applies nothing.
    lead.vault
        .create_card(card(None, "Pay 100 baht"))
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    relay.stop().await;
    {
        let store = SqliteStore::open(&relay.dir.path().join("relay.db"))
            .await
            .unwrap();
        let (seq, mut body): (i64, Vec<u8>) =
            sqlx::query_as("SELECT seq, body FROM envelopes ORDER BY seq DESC LIMIT 1")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let at = body.len() - 70;
        body[at] ^= 1;
        let write = sqlx::SqlitePool::connect(&format!(
            "sqlite://{}",
            relay.dir.path().join("relay.db").display()
        ))
        .await
        .unwrap();
        sqlx::query("UPDATE envelopes SET body = ? WHERE seq = ?")
            .bind(body)
            .bind(seq)
            .execute(&write)
            .await
            .unwrap();
        write.close().await;
        store.close().await;
    }
    relay.listen().await;
    let got = laptop.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 1, "{got:?}");
    assert_eq!(got.applied_rows, 0);
    let titles: Vec<String> = laptop
        .vault
        .open_board(None)
        .await
        .unwrap()
        .columns
        .iter()
        .flat_map(|c| c.cards.iter().map(|card| card.title.clone()))
        .collect();
    assert!(!titles.iter().any(|t| t == "Pay 100 baht"));
}

#[tokio::test]
async fn a_revoked_laptop_is_refused_and_the_team_key_is_replaced() {
    let relay = Relay::start().await;
    let (lead, laptop, _) = two_laptops(&relay).await;
    laptop.vault.sync_now().await.unwrap();
    let device = laptop.vault.sync_status().await.unwrap().device_id.unwrap();
    let devices = lead.vault.sync_revoke(device.clone()).await.unwrap();
    assert!(devices
        .iter()
        .any(|d| d.device_id == device && d.status == "revoked"));
    assert!(matches!(
        laptop.vault.sync_now().await,
        Err(Error::RelayRefused(_))
    ));
    // What the lead writes next is sealed under the new key (epoch 2).
    lead.vault.create_card(card(None, "After")).await.unwrap();
    lead.vault.sync_now().await.unwrap();
    let pool = lead.vault.pool().await.unwrap();
    let epochs: Vec<i64> = sqlx::query_scalar("SELECT epoch FROM sync_scope_keys ORDER BY epoch")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(epochs, [1, 2]);
    // The lead's own laptop cannot be revoked from itself.
    let own = lead.vault.sync_status().await.unwrap().device_id.unwrap();
    assert_invalid_field(lead.vault.sync_revoke(own).await, "device_id");
}

#[tokio::test]
async fn a_member_who_leaves_the_team_loses_it_at_the_leads_next_round() {
    let relay = Relay::start().await;
    let (lead, laptop, liaison) = two_laptops(&relay).await;
    laptop.vault.sync_now().await.unwrap();
    let device = laptop.vault.sync_status().await.unwrap().device_id.unwrap();
    let member = lead
        .vault
        .team_overview()
        .await
        .unwrap()
        .members
        .into_iter()
        .find(|m| m.id == liaison)
        .unwrap();
    let mut gone = crate::team::update_of(&member);
    gone.status = "left".into();
    lead.vault.update_member(gone).await.unwrap();
    // Nobody revoked the laptop by hand: the lead's round does it, and replaces the key.
    lead.vault.sync_now().await.unwrap();
    let devices = lead.vault.sync_devices().await.unwrap();
    assert!(devices
        .iter()
        .any(|d| d.device_id == device && d.status == "revoked"));
    assert!(matches!(
        laptop.vault.sync_now().await,
        Err(Error::RelayRefused(_))
    ));
    assert_eq!(
        rows(&lead, "SELECT count(DISTINCT epoch) FROM sync_scope_keys").await,
        2
    );
    assert_eq!(
        rows(
            &lead,
            "SELECT count(*) FROM audit_log WHERE action = 'sync.device.revoke'"
        )
        .await,
        1
    );
    // A second round has nothing more to revoke.
    lead.vault.sync_now().await.unwrap();
    assert_eq!(
        rows(
            &lead,
            "SELECT count(*) FROM audit_log WHERE action = 'sync.device.revoke'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn only_those_who_manage_the_team_administer_devices_and_refusals_are_audited() {
    let relay = Relay::start().await;
    let (t, _) = TestVault::created().await;
    let member = t
        .vault
        .add_member(new_member("Nurse Ploy", "ploy", "health_officer"))
        .await
        .unwrap();
    for role in [
        "case_worker",
        "police_liaison",
        "health_officer",
        "volunteer_coordinator",
        "viewer",
    ] {
        sign_in_lead(&t).await;
        t.vault
            .update_member(
                serde_json::from_value(serde_json::json!({
                    "id": member.id, "displayName": "Nurse Ploy", "role": role,
                    "discipline": "health", "agencyId": null, "phone": null, "email": null,
                    "status": "active",
                }))
                .unwrap(),
            )
            .await
            .unwrap();
        t.vault.lock().await;
        let first = t.vault.unlock(unlock_as("ploy", FIRST)).await;
        if first.is_ok() {
            t.vault
                .change_passphrase(change_request(FIRST, OWN))
                .await
                .unwrap();
        } else {
            t.vault.unlock(unlock_as("ploy", OWN)).await.unwrap();
        }
        let before = count(
            &t,
            "audit_log WHERE action = 'sync.devices' AND outcome = 'refused'",
        )
        .await;
        assert!(
            matches!(
                t.vault.sync_start_team(relay.url()).await,
                Err(Error::Forbidden)
            ),
            "{role}"
        );
        assert!(
            matches!(
                t.vault.sync_invite(member.id.clone()).await,
                Err(Error::Forbidden)
            ),
            "{role}"
        );
        assert!(
            matches!(
                t.vault
                    .sync_approve(DeviceApproval {
                        device_id: uuid::Uuid::now_v7().to_string(),
                        short_code: "123 456".into(),
                    })
                    .await,
                Err(Error::Forbidden)
            ),
            "{role}"
        );
        assert!(
            matches!(
                t.vault.sync_revoke(uuid::Uuid::now_v7().to_string()).await,
                Err(Error::Forbidden)
            ),
            "{role}"
        );
        let after = count(
            &t,
            "audit_log WHERE action = 'sync.devices' AND outcome = 'refused'",
        )
        .await;
        assert_eq!(
            after - before,
            4,
            "{role}: every refusal is in the audit log"
        );
        // Every member sees this laptop's sync status; nothing was set up.
        let status = t.vault.sync_status().await.unwrap();
        assert!(!status.configured, "{role}");
        assert_eq!(count(&t, "sync_state").await, 0, "{role}");
    }
    // A relay address that is not one is refused by name, before anything is written.
    sign_in_lead(&t).await;
    assert_invalid_field(t.vault.sync_start_team("ftp://x".into()).await, "relay_url");
    // A laptop not set up for sync says so.
    assert_invalid_field(t.vault.sync_now().await, "relay_url");
    assert_eq!(count(&t, "sync_state").await, 0);
}

pub(crate) async fn rows(t: &TestVault, sql: &str) -> i64 {
    let pool = t.vault.pool().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
}

async fn member_change(
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

#[tokio::test]
async fn a_case_reaches_only_the_laptops_of_its_members_and_leads() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = social_worker(&lead).await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let worker_laptop = joined_laptop(&relay, &lead, &worker.id).await;
    let liaison_laptop = joined_laptop(&relay, &lead, &liaison.id).await;
    for t in [&lead, &worker_laptop, &liaison_laptop] {
        t.vault.sync_now().await.unwrap();
    }

    // The social worker opens a case on her laptop and writes a note.
    let case_id = worker_laptop
        .vault
        .create_case(crate::cases::new_case("canary-CASE-Dao", 2012))
        .await
        .unwrap()
        .summary
        .id;
    crate::cases::note(
        &worker_laptop,
        &case_id,
        "social",
        "canary-NOTE-family visit",
    )
    .await;
    // And a task on the case's board, for the lead to review.
    let mut task = card(Some(&case_id), "canary-TASK-visit the school");
    task.reviewer_id = Some(lead.vault.status().await.member.unwrap().id);
    worker_laptop.vault.create_card(task).await.unwrap();
    let sent = worker_laptop.vault.sync_now().await.unwrap();
    assert!(sent.sealed > 0, "{sent:?}");

    // The lead (who oversees every case) receives it; the liaison, not on it, nothing.
    lead.vault.sync_now().await.unwrap();
    let opened = lead.vault.open_case(&case_id).await.unwrap();
    assert!(opened
        .notes
        .iter()
        .any(|n| n.body == "canary-NOTE-family visit"));
    let found = lead.vault.search_cases("canary-CASE").await.unwrap();
    assert_eq!(found.len(), 1, "the lead's search index holds the case");
    let board = lead.vault.open_board(Some(case_id.clone())).await.unwrap();
    let titles: Vec<&str> = board
        .columns
        .iter()
        .flat_map(|c| c.cards.iter().map(|card| card.title.as_str()))
        .collect();
    assert_eq!(
        titles,
        ["canary-TASK-visit the school"],
        "the case's board came with it"
    );
    assert_eq!(
        lead.vault.review_queue().await.unwrap().len(),
        0,
        "not yet sent for review"
    );
    liaison_laptop.vault.sync_now().await.unwrap();
    assert_eq!(rows(&liaison_laptop, "SELECT count(*) FROM cases").await, 0);
    assert_eq!(
        rows(
            &liaison_laptop,
            "SELECT count(*) FROM cards WHERE title LIKE 'canary%'"
        )
        .await,
        0
    );
    assert_eq!(
        rows(
            &liaison_laptop,
            "SELECT count(*) FROM case_people WHERE name LIKE 'canary%'"
        )
        .await,
        0
    );
    assert_eq!(
        rows(
            &liaison_laptop,
            "SELECT count(*) FROM sync_scope_keys WHERE kind = 'case'"
        )
        .await,
        0,
        "the liaison's laptop holds no key of the case"
    );
    assert!(!contains(&relay.bytes(), b"canary-CASE"));
    assert!(!contains(&relay.bytes(), b"canary-NOTE"));
    assert!(!contains(&relay.bytes(), b"canary-TASK"));

    // Put on the case, the liaison's laptop receives it, notes and all.
    member_change(&worker_laptop, &case_id, &liaison.id, Some("support")).await;
    worker_laptop.vault.sync_now().await.unwrap();
    liaison_laptop.vault.sync_now().await.unwrap();
    let opened = liaison_laptop.vault.open_case(&case_id).await.unwrap();
    assert!(opened
        .notes
        .iter()
        .any(|n| n.body == "canary-NOTE-family visit"));

    // Taken off again: the case's key is replaced, and what is written after never
    // reaches the liaison's laptop.
    member_change(&worker_laptop, &case_id, &liaison.id, None).await;
    worker_laptop.vault.sync_now().await.unwrap();
    crate::cases::note(&worker_laptop, &case_id, "social", "canary-AFTER removal").await;
    worker_laptop.vault.sync_now().await.unwrap();
    let off = liaison_laptop.vault.sync_now().await.unwrap();
    assert_eq!(
        rows(
            &liaison_laptop,
            "SELECT count(*) FROM case_notes WHERE body LIKE 'canary-AFTER%'"
        )
        .await,
        0
    );
    // Told by the relay, and by the case's own members, that it is off the case, the
    // liaison's laptop deletes what it held of it (in that round, or the next).
    let next = liaison_laptop.vault.sync_now().await.unwrap();
    assert_eq!(
        off.dropped_cases + next.dropped_cases,
        1,
        "{off:?} {next:?}"
    );
    for table in ["cases", "case_notes", "case_people", "case_members"] {
        assert_eq!(
            rows(&liaison_laptop, &format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        rows(
            &liaison_laptop,
            "SELECT count(*) FROM cards WHERE title LIKE 'canary%'"
        )
        .await,
        0
    );
    assert_eq!(
        rows(
            &liaison_laptop,
            "SELECT count(*) FROM sync_scope_keys WHERE kind = 'case'"
        )
        .await,
        0
    );
    // The lead's laptop, entitled, keeps the case whatever the relay says of others.
    assert!(lead.vault.open_case(&case_id).await.is_ok());
    lead.vault.sync_now().await.unwrap();
    let opened = lead.vault.open_case(&case_id).await.unwrap();
    assert!(opened
        .notes
        .iter()
        .any(|n| n.body == "canary-AFTER removal"));
    let epochs = rows(
        &worker_laptop,
        &format!(
            "SELECT max(epoch) FROM sync_scope_keys WHERE kind = 'case' AND case_id = '{case_id}'"
        ),
    )
    .await;
    assert_eq!(epochs, 2, "the case's key was replaced once");

    // A note in the health section waits for its own audience's scope: it never travels
    // in the case's.
    crate::cases::note(&worker_laptop, &case_id, "health", "canary-HEALTH bruises").await;
    worker_laptop.vault.sync_now().await.unwrap();
    lead.vault.sync_now().await.unwrap();
    assert_eq!(
        rows(
            &lead,
            "SELECT count(*) FROM case_notes WHERE body LIKE 'canary-HEALTH%'"
        )
        .await,
        0
    );
    assert!(!contains(&relay.bytes(), b"canary-HEALTH"));
}

#[tokio::test]
async fn a_backlog_larger_than_one_request_goes_in_several() {
    let relay = Relay::start().await;
    let (lead, laptop, _) = two_laptops(&relay).await;
    lead.vault.sync_now().await.unwrap();
    laptop.vault.sync_now().await.unwrap();
    // 1,200 cards of 9 KB each: about 11 MB to seal, more than one request may carry.
    let board = lead.vault.open_board(None).await.unwrap();
    let me = lead.vault.status().await.member.unwrap().id;
    let pool = lead.vault.pool().await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let text = "ข้อมูลครัวเรือน ".repeat(200);
    for n in 0..1_200i64 {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO cards (id, board_id, column_id, position, title, description, created_by, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')",
        )
        .bind(&id)
        .bind(&board.id)
        .bind(&board.columns[0].id)
        .bind(n)
        .bind(format!("Household {n}"))
        .bind(&text)
        .bind(&me)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO changes (id, entity, entity_id, op, fields, hlc, author, device, created_at)
             VALUES (?, 'card', ?, 'insert', '{}', ?, ?, 'test', '2026-12-01T00:00:00.000Z')",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&id)
        .bind(format!("{:015}:00000:test", 1_796_000_000_000i64 + n))
        .bind(&me)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let sent = lead.vault.sync_now().await.unwrap();
    assert_eq!(sent.sealed, 1_200);
    assert!(
        sent.pushed > 40,
        "{sent:?}: many envelopes, in several requests"
    );
    let got = laptop.vault.sync_now().await.unwrap();
    assert_eq!(got.applied_rows, 1_200, "{got:?}");
    assert_eq!(count(&laptop, "cards").await, 1_200);
}

#[tokio::test]
async fn a_new_laptop_joins_only_with_its_own_code_and_a_restart_resumes_the_wait() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = lead
        .vault
        .add_member(new_member("Kanya", "kanya", "case_worker"))
        .await
        .unwrap();
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let invite = lead.vault.sync_invite(worker.id.clone()).await.unwrap();

    // Bad input is refused by name, and leaves no vault behind.
    let laptop = TestVault::empty();
    let request = |relay_url: String, code: &str, passphrase: &str| JoinRequest {
        relay_url,
        invite_code: code.into(),
        passphrase: passphrase.into(),
    };
    for (bad, field) in [
        (request("ftp://x".into(), &invite.code, OWN), "relay_url"),
        (request(relay.url(), "not a code", OWN), "invite_code"),
        (request(relay.url(), &invite.code, "short"), "passphrase"),
    ] {
        assert_invalid_field(laptop.vault.join_team(bad).await, field);
    }
    // A code the relay does not know: refused by the relay, nothing left behind.
    let unknown = "0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ";
    assert!(matches!(
        laptop
            .vault
            .join_team(request(relay.url(), unknown, OWN))
            .await,
        Err(Error::RelayRefused(_))
    ));
    assert_eq!(laptop.vault.status().await.state, VaultState::Absent);
    assert!(
        laptop.keyring.is_empty(),
        "no device secret is left in the keyring"
    );

    let started = laptop
        .vault
        .join_team(request(relay.url(), &invite.code, OWN))
        .await
        .unwrap();
    let joining = started.status.joining.unwrap();
    assert_eq!(joining.sign_in_name, "kanya");
    assert_eq!(joining.display_name, "Kanya");
    // The invite is used: another laptop cannot join with it.
    let other = TestVault::empty();
    assert!(matches!(
        other
            .vault
            .join_team(request(relay.url(), &invite.code, OWN))
            .await,
        Err(Error::RelayRefused(_))
    ));
    assert_eq!(other.vault.status().await.state, VaultState::Absent);

    // The laptop is shut down while it waits; signing in resumes the wait.
    laptop.vault.lock().await;
    assert_eq!(laptop.vault.status().await.state, VaultState::Locked);
    assert!(matches!(
        laptop.vault.unlock(unlock_as("kanya", PASSPHRASE)).await,
        Err(Error::InvalidCredentials)
    ));
    let resumed = laptop.vault.unlock(unlock_as("kanya", OWN)).await.unwrap();
    assert_eq!(resumed.status.state, VaultState::Joining);
    assert_eq!(
        resumed.status.joining.unwrap().short_code,
        joining.short_code
    );

    // The lead approves only with the code the laptop shows.
    let device = lead
        .vault
        .sync_devices()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.status == "pending")
        .unwrap();
    let wrong = if joining.short_code == "000 000" {
        "111 111"
    } else {
        "000 000"
    };
    assert_invalid_field(
        lead.vault
            .sync_approve(DeviceApproval {
                device_id: device.device_id.clone(),
                short_code: wrong.into(),
            })
            .await,
        "short_code",
    );
    let still = laptop.vault.join_check().await.unwrap();
    assert_eq!(still.state, VaultState::Joining);
    assert!(!still.joining.unwrap().approved);
    lead.vault
        .sync_approve(DeviceApproval {
            device_id: device.device_id,
            short_code: joining.short_code.clone(),
        })
        .await
        .unwrap();
    // Approving ran a round on the lead's laptop: the team's rows are at the relay.
    let status = finish_joining(&laptop).await;
    assert_eq!(status.member.unwrap().id, worker.id);
    assert_eq!(status.team_name.as_deref(), Some(TEAM));
    // The team came with it: its members and its board.
    assert_eq!(
        rows(
            &laptop,
            "SELECT count(*) FROM members WHERE sign_in_name = 'somsri'"
        )
        .await,
        1
    );
    assert_eq!(rows(&laptop, "SELECT count(*) FROM boards").await, 1);
    // From now on it syncs like any laptop, and signs in as its member.
    laptop.vault.sync_now().await.unwrap();
    // The lead's laptop forgets an invite's code a week after it expired.
    let pool = lead.vault.pool().await.unwrap();
    sqlx::query(
        "INSERT INTO sync_invites (invite_id, code, member_id, expires_at, created_by, created_at)
         VALUES ('0123456789', zeroblob(20), ?, '2026-01-01T00:00:00.000Z', ?, '2025-12-29T00:00:00.000Z')",
    )
    .bind(&worker.id)
    .bind(&worker.id)
    .execute(&pool)
    .await
    .unwrap();
    drop(pool);
    lead.vault.sync_now().await.unwrap();
    assert_eq!(
        rows(
            &lead,
            "SELECT count(*) FROM sync_invites WHERE invite_id = '0123456789'"
        )
        .await,
        0
    );
    laptop.vault.lock().await;
    let again = laptop.vault.unlock(unlock_as("kanya", OWN)).await.unwrap();
    assert_eq!(again.status.state, VaultState::Unlocked);
    // Only its own member has a key slot here: the lead cannot sign in on it.
    laptop.vault.lock().await;
    assert!(matches!(
        laptop.vault.unlock(unlock_as(LEAD, PASSPHRASE)).await,
        Err(Error::InvalidCredentials)
    ));
}

#[tokio::test]
async fn the_recovery_key_of_a_joined_laptop_opens_it_as_its_own_member() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let invite = lead.vault.sync_invite(liaison.id.clone()).await.unwrap();
    let laptop = TestVault::empty();
    let started = laptop
        .vault
        .join_team(JoinRequest {
            relay_url: relay.url(),
            invite_code: invite.code.as_str().into(),
            passphrase: OWN.into(),
        })
        .await
        .unwrap();
    let recovery = started.recovery_key.expose().to_owned();
    let short_code = started.status.joining.unwrap().short_code;
    let device = lead.vault.sync_devices().await.unwrap();
    let device = device.iter().find(|d| d.status == "pending").unwrap();
    lead.vault
        .sync_approve(DeviceApproval {
            device_id: device.device_id.clone(),
            short_code,
        })
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    finish_joining(&laptop).await;
    laptop.vault.lock().await;
    // Whatever lead's name is typed, a joined laptop's recovery key opens it as its member.
    let recovered = laptop
        .vault
        .unlock_with_recovery(ruam_core::vault::RecoveryUnlockRequest {
            sign_in_name: Some(LEAD.into()),
            recovery_key: recovery.as_str().into(),
            new_passphrase: FIRST.into(),
        })
        .await
        .unwrap();
    let member = recovered.status.member.unwrap();
    assert_eq!(member.id, liaison.id);
    assert!(!recovered
        .status
        .permissions
        .contains(&ruam_core::access::Permission::ManageTeam));
    laptop.vault.lock().await;
    laptop.vault.unlock(unlock_as("anan", FIRST)).await.unwrap();
}

#[tokio::test]
async fn two_laptops_that_each_make_the_team_board_before_syncing_share_one() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    // No board yet on the lead's laptop when the liaison's joins.
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = joined_laptop(&relay, &lead, &liaison.id).await;
    assert_eq!(rows(&laptop, "SELECT count(*) FROM boards").await, 0);
    // Each makes the board with a card of its own, offline.
    lead.vault
        .create_card(card(None, "From the lead"))
        .await
        .unwrap();
    laptop
        .vault
        .create_card(card(None, "From the liaison"))
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    let got = laptop.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 0, "{got:?}");
    lead.vault.sync_now().await.unwrap();
    for t in [&lead, &laptop] {
        assert_eq!(rows(t, "SELECT count(*) FROM boards").await, 1);
        assert_eq!(rows(t, "SELECT count(*) FROM board_columns").await, 4);
        let board = t.vault.open_board(None).await.unwrap();
        let mut titles: Vec<String> = board
            .columns
            .iter()
            .flat_map(|c| c.cards.iter().map(|card| card.title.clone()))
            .collect();
        titles.sort();
        assert_eq!(titles, ["From the lead", "From the liaison"]);
    }
}

#[tokio::test]
async fn every_laptops_audit_log_reaches_the_leads_and_each_chain_still_verifies() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = social_worker(&lead).await;
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = joined_laptop(&relay, &lead, &worker.id).await;
    // On her laptop she opens a case (written to her laptop's audit log), then syncs.
    laptop
        .vault
        .create_case(crate::cases::new_case("canary-AUDIT-case", 2013))
        .await
        .unwrap();
    laptop.vault.lock().await;
    laptop.vault.unlock(unlock_as("kanya", OWN)).await.unwrap();
    laptop.vault.sync_now().await.unwrap();
    // Twice: nothing is sent again.
    laptop.vault.sync_now().await.unwrap();
    lead.vault.sync_now().await.unwrap();

    // The lead's laptop holds her laptop's entries, as her laptop chained them.
    let held = rows(&lead, "SELECT count(*) FROM audit_remote").await;
    let hers = rows(&laptop, "SELECT count(*) FROM audit_log").await;
    assert_eq!(held, hers, "every entry of her laptop, once");
    assert_eq!(
        rows(
            &lead,
            "SELECT count(*) FROM audit_remote WHERE action = 'case.create'"
        )
        .await,
        1
    );
    // Her laptop (a case worker's: she does not read the log) holds no one else's.
    assert_eq!(rows(&laptop, "SELECT count(*) FROM audit_remote").await, 0);
    // The relay carried them sealed.
    assert!(!contains(&relay.bytes(), b"case.create"));
    // The lead reads one log: this laptop's entries and hers, newest first, each marked.
    let page = lead
        .vault
        .audit_log(ruam_core::vault::AuditQuery {
            member_id: Some(worker.id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(page
        .entries
        .iter()
        .any(|e| e.action == "case.create" && e.laptop.is_some()));
    let all = lead
        .vault
        .audit_log(ruam_core::vault::AuditQuery {
            limit: Some(3),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all.more);
    let rest = lead
        .vault
        .audit_log(ruam_core::vault::AuditQuery {
            before: Some(all.entries[2].cursor.clone()),
            limit: Some(500),
            ..Default::default()
        })
        .await
        .unwrap();
    let total = rows(
        &lead,
        "SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM audit_remote)",
    )
    .await;
    assert_eq!(
        3 + rest.entries.len() as i64,
        total,
        "the pages cover the merged log once"
    );
    assert_invalid_field(
        lead.vault
            .audit_log(ruam_core::vault::AuditQuery {
                before: Some("not a cursor".into()),
                ..Default::default()
            })
            .await,
        "before",
    );
    // Both chains verify: no warning at the lead's sign-in.
    sign_in_lead(&lead).await;
    assert!(lead.vault.status().await.audit_warning.is_none());

    // Her laptop's history altered on the lead's: the lead is warned, naming her laptop.
    let pool = lead.vault.pool().await.unwrap();
    sqlx::query("UPDATE audit_remote SET action = 'vault.lock' WHERE action = 'case.create'")
        .execute(&pool)
        .await
        .unwrap();
    drop(pool);
    sign_in_lead(&lead).await;
    let warning = lead.vault.status().await.audit_warning.unwrap();
    assert_eq!(warning.problem, ruam_core::audit::Break::Altered);
    let device = laptop.vault.sync_status().await.unwrap().device_id;
    assert_eq!(warning.laptop, device);
}

async fn holds(laptop: &TestVault, body: &str) -> bool {
    let pool = laptop.vault.pool().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM case_notes WHERE body = ?")
        .bind(body)
        .fetch_one(&pool)
        .await
        .unwrap();
    n == 1
}

#[tokio::test]
async fn a_health_or_police_note_reaches_only_the_case_lead_and_that_discipline() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let with = |name: &str, sign_in: &str, role: &str, discipline: &str| {
        let mut m = new_member(name, sign_in, role);
        m.discipline = discipline.into();
        m
    };
    let worker = lead
        .vault
        .add_member(with("Kanya", "kanya", "case_worker", "social_work"))
        .await
        .unwrap();
    let nurse = lead
        .vault
        .add_member(with("Nurse Ploy", "ploy", "health_officer", "health"))
        .await
        .unwrap();
    let liaison = lead
        .vault
        .add_member(with("Pol. Lt. Anan", "anan", "police_liaison", "police"))
        .await
        .unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let worker_laptop = joined_laptop(&relay, &lead, &worker.id).await;
    let nurse_laptop = joined_laptop(&relay, &lead, &nurse.id).await;
    let liaison_laptop = joined_laptop(&relay, &lead, &liaison.id).await;
    let everyone = [&lead, &worker_laptop, &nurse_laptop, &liaison_laptop];
    for t in everyone {
        t.vault.sync_now().await.unwrap();
    }
    // The social worker opens a case (she is its lead) and puts the nurse and the
    // liaison on it.
    let case_id = worker_laptop
        .vault
        .create_case(crate::cases::new_case("Dao", 2012))
        .await
        .unwrap()
        .summary
        .id;
    member_change(&worker_laptop, &case_id, &nurse.id, Some("support")).await;
    member_change(&worker_laptop, &case_id, &liaison.id, Some("support")).await;
    for _ in 0..2 {
        for t in everyone {
            t.vault.sync_now().await.unwrap();
        }
    }
    // Each writes a note of their section on their own laptop.
    crate::cases::note(&nurse_laptop, &case_id, "health", "canary-HEALTH-bruises").await;
    crate::cases::note(
        &liaison_laptop,
        &case_id,
        "police",
        "canary-POLICE-statement",
    )
    .await;
    crate::cases::note(&worker_laptop, &case_id, "social", "canary-SOCIAL-visit").await;
    for _ in 0..2 {
        for t in everyone {
            let round = t.vault.sync_now().await.unwrap();
            assert_eq!(round.refused, 0, "{round:?}");
        }
    }
    // The case's lead holds all three; the nurse the health one, the liaison the police one;
    // the team's lead (who oversees every case, but is not on it) neither.
    assert!(holds(&worker_laptop, "canary-HEALTH-bruises").await);
    assert!(holds(&worker_laptop, "canary-POLICE-statement").await);
    assert!(holds(&nurse_laptop, "canary-HEALTH-bruises").await);
    assert!(!holds(&nurse_laptop, "canary-POLICE-statement").await);
    assert!(holds(&liaison_laptop, "canary-POLICE-statement").await);
    assert!(!holds(&liaison_laptop, "canary-HEALTH-bruises").await);
    assert!(!holds(&lead, "canary-HEALTH-bruises").await);
    assert!(!holds(&lead, "canary-POLICE-statement").await);
    for t in everyone {
        assert!(
            holds(t, "canary-SOCIAL-visit").await,
            "the social section goes with the case"
        );
    }
    let section_keys = |section: &str| {
        format!("SELECT count(DISTINCT scope_id) FROM sync_scope_keys WHERE kind = 'section' AND section = '{section}'")
    };
    assert_eq!(rows(&lead, &section_keys("health")).await, 0);
    assert_eq!(rows(&lead, &section_keys("police")).await, 0);
    assert_eq!(rows(&liaison_laptop, &section_keys("health")).await, 0);
    assert_eq!(rows(&nurse_laptop, &section_keys("police")).await, 0);
    assert_eq!(rows(&worker_laptop, &section_keys("health")).await, 1);
    assert_eq!(rows(&worker_laptop, &section_keys("police")).await, 1);
    assert!(!contains(&relay.bytes(), b"canary-HEALTH"));
    assert!(!contains(&relay.bytes(), b"canary-POLICE"));
    // And the case lead reads the health note in the case file.
    let opened = worker_laptop.vault.open_case(&case_id).await.unwrap();
    assert!(opened
        .notes
        .iter()
        .any(|n| n.body == "canary-HEALTH-bruises"));
}

#[tokio::test]
async fn a_row_that_clashes_here_is_held_and_the_rest_goes_on() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let me = lead.vault.status().await.member.unwrap().id;
    // The lead's second laptop.
    let second = joined_laptop(&relay, &lead, &me).await;
    // Offline, each adds a member with the same sign-in name (the same person, twice).
    let here = lead
        .vault
        .add_member(new_member("Somchai Jaidee", "somchai", "case_worker"))
        .await
        .unwrap();
    second
        .vault
        .add_member(new_member("Somchai J.", "somchai", "case_worker"))
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    let round = second.vault.sync_now().await.unwrap();
    assert_eq!(round.held, 1, "{round:?}");
    let status = second.vault.sync_status().await.unwrap();
    assert_eq!(status.held.len(), 1);
    assert_eq!(status.held[0].entity, "member");
    assert_eq!(status.held[0].entity_id, here.id);
    assert_eq!(status.held[0].reason, "unique");
    // Nothing else is stuck behind it: a card from the lead's laptop arrives.
    lead.vault
        .create_card(card(None, "After the clash"))
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    let round = second.vault.sync_now().await.unwrap();
    assert_eq!(round.refused, 0);
    let board = second.vault.open_board(None).await.unwrap();
    assert!(board
        .columns
        .iter()
        .flat_map(|c| c.cards.iter())
        .any(|c| c.title == "After the clash"));
    // Once the clash is gone here (the second record removed, as a lead would), the held
    // row applies at the next round by itself.
    let pool = second.vault.pool().await.unwrap();
    sqlx::query(
        "UPDATE members SET deleted_at = '2026-12-02T00:00:00.000Z' WHERE sign_in_name = 'somchai'",
    )
    .execute(&pool)
    .await
    .unwrap();
    drop(pool);
    second.vault.sync_now().await.unwrap();
    assert!(second.vault.sync_status().await.unwrap().held.is_empty());
    assert_eq!(
        rows(
            &second,
            &format!(
                "SELECT count(*) FROM members WHERE id = '{}' AND deleted_at IS NULL",
                here.id
            )
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_members_laptop_that_rewrites_the_team_is_refused_by_the_others() {
    let relay = Relay::start().await;
    let (lead, laptop, liaison) = two_laptops(&relay).await;
    laptop.vault.sync_now().await.unwrap();
    // A changed client on the liaison's laptop makes its role the lead's, and says so in
    // its outbox as the app would.
    let pool = laptop.vault.pool().await.unwrap();
    let lead_rights: String =
        sqlx::query_scalar("SELECT permissions FROM roles WHERE id = 'team_lead'")
            .fetch_one(&pool)
            .await
            .unwrap();
    sqlx::query("UPDATE roles SET permissions = ? WHERE id = 'police_liaison'")
        .bind(&lead_rights)
        .execute(&pool)
        .await
        .unwrap();
    forged_change(&pool, ("role", "police_liaison"), "update", &liaison, 0).await;
    drop(pool);
    let sent = laptop.vault.sync_now().await.unwrap();
    assert!(sent.sealed > 0, "{sent:?}");
    // The lead's laptop refuses it whole, and the liaison's role is as it was there.
    let got = lead.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 1, "{got:?}");
    let pool = lead.vault.pool().await.unwrap();
    let theirs: String =
        sqlx::query_scalar("SELECT permissions FROM roles WHERE id = 'police_liaison'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_ne!(theirs, lead_rights);
    // What the liaison may write still arrives: a card on the team's board.
    laptop
        .vault
        .create_card(card(None, "From the liaison"))
        .await
        .unwrap();
    laptop.vault.sync_now().await.unwrap();
    let got = lead.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 0, "{got:?}");
    assert!(got.applied_rows > 0, "{got:?}");
}

#[tokio::test]
async fn keys_wait_with_what_a_laptop_sends_and_one_for_a_gone_laptop_is_let_go() {
    let relay = Relay::start().await;
    let (lead, laptop, _) = two_laptops(&relay).await;
    // A notice for the inbox of a laptop the relay does not (any longer) know waits in the
    // lead's queue, as keys do between a scope's new epoch and the next push.
    let pool = lead.vault.pool().await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let state = ruam_core::sync::engine::load_state(&mut conn)
        .await
        .unwrap()
        .unwrap();
    let slots: serde_json::Value =
        serde_json::from_slice(&std::fs::read(lead.dir.path().join("ruam.slots")).unwrap())
            .unwrap();
    let identity = ruam_core::sync::DeviceIdentity::load(
        &lead.keyring,
        slots["vaultId"].as_str().unwrap(),
        state.device_id,
    )
    .unwrap()
    .unwrap();
    let gone = ruam_core::sync::inbox::drop_notice(
        &identity,
        &state,
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    )
    .unwrap();
    ruam_core::sync::engine::queue_envelope(&mut conn, &gone, 0)
        .await
        .unwrap();
    drop(conn);
    drop(pool);
    lead.vault
        .create_card(card(None, "Behind the notice"))
        .await
        .unwrap();
    // The relay refuses that one; it is let go, and what waited behind it goes.
    lead.vault.sync_now().await.unwrap();
    assert_eq!(lead.vault.sync_status().await.unwrap().pending_changes, 0);
    laptop.vault.sync_now().await.unwrap();
    let board = laptop.vault.open_board(None).await.unwrap();
    assert!(board
        .columns
        .iter()
        .flat_map(|c| c.cards.iter())
        .any(|c| c.title == "Behind the notice"));
}

#[tokio::test]
async fn a_laptop_that_gives_up_joining_starts_again_from_nothing() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = lead
        .vault
        .add_member(new_member("Kanya", "kanya", "case_worker"))
        .await
        .unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = TestVault::empty();
    let join = |code: String| JoinRequest {
        relay_url: relay.url(),
        invite_code: code.as_str().into(),
        passphrase: OWN.into(),
    };
    // Not waiting to join: nothing to give up, nothing removed.
    assert_invalid_field(lead.vault.join_abandon().await, "vault");
    let invite = lead.vault.sync_invite(worker.id.clone()).await.unwrap();
    laptop.vault.join_team(join(invite.code)).await.unwrap();
    assert!(!laptop.keyring.is_empty());
    let status = laptop.vault.join_abandon().await.unwrap();
    assert_eq!(status.state, VaultState::Absent);
    assert!(
        laptop.keyring.is_empty(),
        "its keys are gone from the keyring"
    );
    assert!(!laptop.dir.path().join("ruam.vault").exists());
    // With a new invite it joins as any new laptop does.
    let invite = lead.vault.sync_invite(worker.id.clone()).await.unwrap();
    let started = laptop.vault.join_team(join(invite.code)).await.unwrap();
    assert_eq!(started.status.state, VaultState::Joining);
}
