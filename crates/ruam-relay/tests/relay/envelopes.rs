//! Pushing and pulling envelopes: idempotence, order, need-to-know by scope, key epochs,
//! and the envelopes an attacker would push.

use std::collections::HashSet;

use ruam_wire::api::{self, ErrorCode, Grant, SetScope};
use ruam_wire::client::now_ms;
use ruam_wire::envelope::{frames, Envelope, EnvelopeHeader};
use ruam_wire::request;
use uuid::Uuid;

use crate::harness::{member, team, Device, TestRelay};

/// An envelope as a laptop would push it; the relay never reads its content, so any bytes do.
fn envelope(device: &Device, team: Uuid, scope: Uuid, epoch: u32, content: &[u8]) -> Envelope {
    Envelope::sign(
        EnvelopeHeader {
            team_id: team,
            scope_id: scope,
            epoch,
            envelope_id: Uuid::now_v7(),
            device_id: device.id,
            created_ms: now_ms(),
            nonce: [1; 12],
        },
        content.to_vec(),
        &device.key,
    )
}

async fn scope(admin: &Device, team: Uuid, epoch: u32, members: &[&Device]) -> Uuid {
    let scope = Uuid::now_v7();
    set(admin, team, scope, epoch, members).await.unwrap();
    scope
}

async fn set(
    by: &Device,
    team: Uuid,
    scope: Uuid,
    epoch: u32,
    members: &[&Device],
) -> Result<api::ScopeGrant, ruam_wire::client::ClientError> {
    let grants = members
        .iter()
        .enumerate()
        .map(|(i, d)| Grant {
            device_id: d.id,
            manage: i == 0,
        })
        .collect();
    by.client
        .set_scope(team, scope, &SetScope { epoch, grants })
        .await
}

async fn pull_all(device: &Device, team: Uuid, scope: Option<Uuid>) -> Vec<(i64, Envelope)> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = device.client.pull(team, after, 7, scope).await.unwrap();
        out.extend(page.envelopes);
        after = page.next;
        if !page.more {
            return out;
        }
    }
}

fn ids(pulled: &[(i64, Envelope)]) -> Vec<Uuid> {
    pulled.iter().map(|(_, e)| e.header.envelope_id).collect()
}

pub async fn pushes_are_idempotent_and_pulled_in_order(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let s = scope(&lead, team_id, 1, &[&lead]).await;
    let batch: Vec<Envelope> = (0..3)
        .map(|i| envelope(&lead, team_id, s, 1, format!("change {i}").as_bytes()))
        .collect();
    let first = lead.client.push(team_id, &batch).await.unwrap();
    assert_eq!(
        first
            .pushed
            .iter()
            .map(|p| (p.seq, p.duplicate))
            .collect::<Vec<_>>(),
        vec![(1, false), (2, false), (3, false)]
    );
    // The same push again (a lost answer, a retry): same numbers, nothing stored twice.
    let again = lead.client.push(team_id, &batch).await.unwrap();
    assert_eq!(
        again
            .pushed
            .iter()
            .map(|p| (p.seq, p.duplicate))
            .collect::<Vec<_>>(),
        vec![(1, true), (2, true), (3, true)]
    );
    assert_eq!(relay.head_seq(team_id).await, 3);
    assert_eq!(relay.held(team_id).await.len(), 3);

    let pulled = lead.client.pull(team_id, 0, 100, None).await.unwrap();
    assert!(!pulled.more);
    assert_eq!(pulled.next, 3);
    let got: Vec<Envelope> = pulled.envelopes.iter().map(|(_, e)| e.clone()).collect();
    assert_eq!(got, batch, "pulled as pushed, byte for byte, in order");
    assert!(got.iter().all(|e| e.verify(&lead.key.public_key())));

    let page = lead.client.pull(team_id, 0, 2, None).await.unwrap();
    assert_eq!((page.envelopes.len(), page.next, page.more), (2, 2, true));
    let rest = lead.client.pull(team_id, page.next, 2, None).await.unwrap();
    assert_eq!((rest.envelopes.len(), rest.next, rest.more), (1, 3, false));
    let none = lead.client.pull(team_id, 3, 2, None).await.unwrap();
    assert_eq!((none.envelopes.len(), none.next, none.more), (0, 3, false));
}

pub async fn a_device_pulls_only_its_scopes_and_its_inbox(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let worker = member(&relay, team_id, &lead).await;
    let liaison = member(&relay, team_id, &lead).await;
    let team_scope = scope(&lead, team_id, 1, &[&lead, &worker, &liaison]).await;
    let case = scope(&lead, team_id, 1, &[&lead, &worker]).await;

    let board = envelope(&lead, team_id, team_scope, 1, b"team board");
    let case_file = envelope(&lead, team_id, case, 1, b"case file");
    let case_note = envelope(&worker, team_id, case, 1, b"case note");
    let keys_for_liaison = envelope(&lead, team_id, liaison.id, 0, b"wrapped keys");
    let keys_for_worker = envelope(&lead, team_id, worker.id, 0, b"wrapped keys");
    lead.client
        .push(
            team_id,
            &[
                board.clone(),
                case_file.clone(),
                keys_for_liaison.clone(),
                keys_for_worker.clone(),
            ],
        )
        .await
        .unwrap();
    worker
        .client
        .push(team_id, std::slice::from_ref(&case_note))
        .await
        .unwrap();

    let seen = ids(&pull_all(&liaison, team_id, None).await);
    assert_eq!(
        seen,
        vec![
            board.header.envelope_id,
            keys_for_liaison.header.envelope_id
        ],
        "the liaison receives the team's envelopes and its own inbox, nothing of the case"
    );
    let seen: HashSet<Uuid> = ids(&pull_all(&worker, team_id, None).await)
        .into_iter()
        .collect();
    let expected: HashSet<Uuid> = [&board, &case_file, &case_note, &keys_for_worker]
        .iter()
        .map(|e| e.header.envelope_id)
        .collect();
    assert_eq!(seen, expected);
    // Without what it wrote itself: only the lead's, and the pull still moves past its own
    // (the case note is the newest envelope).
    let others = worker
        .client
        .pull_others(team_id, 0, 100, None)
        .await
        .unwrap();
    let seen: HashSet<Uuid> = ids(&others.envelopes).into_iter().collect();
    let expected: HashSet<Uuid> = [&board, &case_file, &keys_for_worker]
        .iter()
        .map(|e| e.header.envelope_id)
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(others.next, relay.head_seq(team_id).await);
    let by_scope = worker
        .client
        .pull_others(team_id, 0, 100, Some(case))
        .await
        .unwrap();
    assert_eq!(ids(&by_scope.envelopes), vec![case_file.header.envelope_id]);

    // Asking for the case by name, or writing to it, is refused.
    let refused = liaison
        .client
        .pull(team_id, 0, 10, Some(case))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let refused = worker
        .client
        .pull(team_id, 0, 10, Some(liaison.id))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let refused = liaison
        .client
        .push(team_id, &[envelope(&liaison, team_id, case, 1, b"x")])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    // Its own inbox by name is fine.
    assert_eq!(
        ids(&pull_all(&liaison, team_id, Some(liaison.id)).await),
        vec![keys_for_liaison.header.envelope_id]
    );
    // A pending device's inbox takes nothing yet.
    let me = liaison.client.me(team_id).await.unwrap();
    assert_eq!(me.scopes.len(), 1);
    assert_eq!(me.head_seq, 5);
}

pub async fn taking_a_device_off_a_scope_needs_a_new_epoch(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let worker = member(&relay, team_id, &lead).await;
    let case = scope(&lead, team_id, 1, &[&lead, &worker]).await;
    lead.client
        .push(team_id, &[envelope(&lead, team_id, case, 1, b"before")])
        .await
        .unwrap();

    // Not a manager: refused.
    let refused = set(&worker, team_id, case, 2, &[&worker])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    // Taking the worker off at the same epoch would let them read what comes next.
    let refused = set(&lead, team_id, case, 1, &[&lead]).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Invalid));
    assert!(refused.to_string().contains("epoch"), "{refused}");
    set(&lead, team_id, case, 2, &[&lead]).await.unwrap();
    let refused = set(&lead, team_id, case, 1, &[&lead]).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::StaleEpoch));

    let state = lead.client.scope(team_id, case).await.unwrap();
    assert_eq!(state.epoch, 2);
    let granted: Vec<Uuid> = state.grants.iter().map(|g| g.device_id).collect();
    assert_eq!(granted, vec![lead.id]);
    let refused = worker.client.scope(team_id, case).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let me = worker.client.me(team_id).await.unwrap();
    assert_eq!(
        me.dropped,
        vec![case],
        "the worker is told to drop the case"
    );
    assert!(me.scopes.is_empty());
    let refused = worker
        .client
        .pull(team_id, 0, 10, Some(case))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));

    // Sealed under the old key: refused so that the laptop seals it again.
    let refused = lead
        .client
        .push(team_id, &[envelope(&lead, team_id, case, 1, b"late")])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::StaleEpoch));
    let refused = lead
        .client
        .push(team_id, &[envelope(&lead, team_id, case, 3, b"early")])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Invalid));
    lead.client
        .push(team_id, &[envelope(&lead, team_id, case, 2, b"after")])
        .await
        .unwrap();
    assert!(ids(&pull_all(&worker, team_id, None).await).is_empty());

    // Put back on the case: no longer told to drop it, and it reads the case again.
    set(&lead, team_id, case, 2, &[&lead, &worker])
        .await
        .unwrap();
    let me = worker.client.me(team_id).await.unwrap();
    assert!(me.dropped.is_empty());
    assert_eq!(me.scopes.len(), 1);
    assert_eq!(pull_all(&worker, team_id, Some(case)).await.len(), 2);

    // Grants name only active devices of the team, each once; an inbox is not a scope.
    let stranger = relay.device();
    let refused = set(&lead, team_id, case, 2, &[&lead, &stranger])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Invalid));
    let refused = set(&lead, team_id, case, 2, &[&lead, &lead])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Invalid));
    let refused = set(&lead, team_id, worker.id, 1, &[&lead])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Invalid));
    // A member may make a new scope only as its manager.
    let refused = set(&worker, team_id, Uuid::now_v7(), 1, &[&lead, &worker])
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Invalid));
    assert!(set(&worker, team_id, Uuid::now_v7(), 1, &[&worker, &lead])
        .await
        .is_ok());
}

async fn push_raw(relay: &TestRelay, device: &Device, team: Uuid, body: Vec<u8>) -> u16 {
    let path = format!("/v1/teams/{team}/envelopes");
    let signed = request::sign(&device.key, device.id, "POST", &path, &body, now_ms());
    let mut builder = reqwest::Client::new().post(format!("{}{path}", relay.url));
    for (name, value) in signed.pairs() {
        builder = builder.header(name, value);
    }
    builder
        .body(body)
        .send()
        .await
        .expect("send")
        .status()
        .as_u16()
}

pub async fn bad_envelopes_are_refused_and_nothing_is_stored(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let worker = member(&relay, team_id, &lead).await;
    let (other_team, _) = team(&relay).await;
    let s = scope(&lead, team_id, 1, &[&lead, &worker]).await;
    let good = envelope(&lead, team_id, s, 1, b"good");

    let mut tampered = envelope(&lead, team_id, s, 1, b"pay 100");
    tampered.ciphertext = b"pay 900".to_vec();
    let foreign = envelope(&lead, other_team, s, 1, b"elsewhere");
    let mut impostor = envelope(&lead, team_id, s, 1, b"in the worker's name");
    impostor.header.device_id = worker.id;
    let impostor = Envelope::sign(impostor.header, impostor.ciphertext, &lead.key);
    let other_key = Envelope::sign(
        envelope(&lead, team_id, s, 1, b"x").header,
        b"x".to_vec(),
        &worker.key,
    );
    for (bad, code) in [
        (tampered, ErrorCode::Invalid),
        (foreign, ErrorCode::Invalid),
        (impostor, ErrorCode::Forbidden),
        (other_key, ErrorCode::Invalid),
    ] {
        let refused = lead
            .client
            .push(team_id, &[good.clone(), bad])
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Some(code), "{refused}");
        assert!(refused.to_string().contains("envelope 1"), "{refused}");
    }
    // Bytes that are not envelopes at all, or a batch cut short.
    let whole = frames::encode_push(std::slice::from_ref(&good));
    for body in [
        b"not frames".to_vec(),
        whole[..whole.len() - 10].to_vec(),
        [whole.clone(), vec![0, 0, 0, 5, 1, 2, 3, 4, 5]].concat(),
        [whole.clone(), (u32::MAX).to_be_bytes().to_vec()].concat(),
    ] {
        assert_eq!(push_raw(&relay, &lead, team_id, body).await, 400);
    }
    assert_eq!(
        relay.head_seq(team_id).await,
        0,
        "nothing was stored, not even the good one"
    );
    assert!(relay.held(team_id).await.is_empty());
    // The good one alone goes through.
    lead.client.push(team_id, &[good]).await.unwrap();
    assert_eq!(relay.head_seq(team_id).await, 1);
}

pub async fn concurrent_pushes_get_distinct_numbers_in_commit_order(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let mut devices = vec![lead.clone()];
    for _ in 0..3 {
        devices.push(member(&relay, team_id, &lead).await);
    }
    let everyone: Vec<&Device> = devices.iter().collect();
    let s = scope(&lead, team_id, 1, &everyone).await;
    const BATCHES: usize = 15;
    const PER_BATCH: usize = 8;
    let total = (devices.len() * BATCHES * PER_BATCH) as i64;

    // A reader follows along while the others push; it must never skip a number that
    // commits later (what a sequence handed out before its commit would cause).
    let reader = devices[0].clone();
    let follow = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut after = 0;
        while (seen.len() as i64) < total {
            let page = reader.client.pull(team_id, after, 50, None).await.unwrap();
            seen.extend(page.envelopes.iter().map(|(seq, _)| *seq));
            after = page.next;
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        seen
    });
    let mut pushers = Vec::new();
    for device in devices.clone() {
        pushers.push(tokio::spawn(async move {
            for _ in 0..BATCHES {
                let batch: Vec<Envelope> = (0..PER_BATCH)
                    .map(|_| envelope(&device, team_id, s, 1, b"change"))
                    .collect();
                device.client.push(team_id, &batch).await.unwrap();
            }
        }));
    }
    for pusher in pushers {
        pusher.await.unwrap();
    }
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), follow)
        .await
        .expect("the reader caught up")
        .unwrap();
    assert_eq!(
        seen,
        (1..=total).collect::<Vec<_>>(),
        "every number once, in order, none skipped"
    );
    assert_eq!(relay.head_seq(team_id).await, total);
}

pub async fn a_restart_keeps_everything(mut relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let s = scope(&lead, team_id, 1, &[&lead]).await;
    let before: Vec<Envelope> = (0..5)
        .map(|_| envelope(&lead, team_id, s, 1, b"x"))
        .collect();
    lead.client.push(team_id, &before).await.unwrap();
    relay.restart().await;
    let after = envelope(&lead, team_id, s, 1, b"y");
    // A connection the client kept from before the restart may fail once, as the network
    // can; a laptop pushes again at its next round (pushes are idempotent), as this does.
    let mut pushed = None;
    for _ in 0..3 {
        match lead
            .client
            .push(team_id, std::slice::from_ref(&after))
            .await
        {
            Ok(answer) => {
                pushed = Some(answer);
                break;
            }
            Err(ruam_wire::client::ClientError::Unreachable { .. }) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(err) => panic!("{err:?}"),
        }
    }
    let pushed = pushed.expect("the restarted relay takes the push");
    assert_eq!(pushed.pushed[0].seq, 6);
    let all: Vec<Envelope> = pull_all(&lead, team_id, None)
        .await
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    assert_eq!(all, [before, vec![after]].concat());
}
