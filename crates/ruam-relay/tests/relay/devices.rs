//! Teams, invites, approval and revocation.

use ruam_wire::api::{self, DeviceStatus, ErrorCode};
use ruam_wire::client::now_ms;

use crate::harness::{member, team, Invite, TestRelay};

pub async fn a_team_is_made_once(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let me = lead.client.me(team_id).await.unwrap();
    assert_eq!(me.status, DeviceStatus::Active);
    assert!(me.admin);
    let again = relay.device();
    let refused = again
        .client
        .create_team(&api::CreateTeam {
            team_id,
            device: again.keys(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Conflict));
    // The other device did not become one of the team.
    let devices = lead.client.devices(team_id).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].keys, lead.keys());
}

pub async fn a_device_enrols_by_invite_and_waits_for_approval(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let laptop = relay.device();
    let invite = Invite::new();
    lead.client
        .new_invite(team_id, &invite.body(now_ms() + 60_000))
        .await
        .unwrap();
    let enrolled = laptop.client.enrol(&invite.enrol(&laptop)).await.unwrap();
    assert_eq!(enrolled.team_id, team_id);
    assert_eq!(enrolled.status, DeviceStatus::Pending);
    // The invite's sealed welcome reaches the device that enrols, as it was left, and the
    // relay forgets it then.
    assert_eq!(enrolled.welcome, invite.body(0).welcome);
    assert_eq!(relay.invite_row(&invite.id).await, (true, None));
    // An invite never used is forgotten once expired; a used one stays (its device names it).
    let unused = Invite::new();
    lead.client
        .new_invite(team_id, &unused.body(now_ms() + 60_000))
        .await
        .unwrap();
    assert!(relay.invite_row(&unused.id).await.0);
    assert_eq!(relay.prune_invites(now_ms() + 120_000).await, 1);
    assert!(!relay.invite_row(&unused.id).await.0);
    assert!(relay.invite_row(&invite.id).await.0);

    // Waiting: it may ask about itself, nothing else.
    let me = laptop.client.me(team_id).await.unwrap();
    assert_eq!(me.status, DeviceStatus::Pending);
    let refused = laptop.client.devices(team_id).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Pending));
    let refused = laptop.client.pull(team_id, 0, 10, None).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Pending));

    // The lead sees its keys (to compare the short code) and approves.
    let listed = lead.client.devices(team_id).await.unwrap();
    let waiting = listed
        .iter()
        .find(|d| d.keys.device_id == laptop.id)
        .unwrap();
    assert_eq!(waiting.status, DeviceStatus::Pending);
    assert_eq!(waiting.keys, laptop.keys());
    let approved = lead
        .client
        .approve(team_id, laptop.id, false)
        .await
        .unwrap();
    assert_eq!(approved.status, DeviceStatus::Active);
    assert!(!approved.admin);
    assert!(laptop.client.devices(team_id).await.is_ok());
    // Approving twice is a conflict, not a silent success.
    let again = lead
        .client
        .approve(team_id, laptop.id, true)
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::Conflict));
    assert!(!laptop.client.me(team_id).await.unwrap().admin);
}

pub async fn bad_invites_are_refused_by_name(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;

    // An unknown invite.
    let stranger = relay.device();
    let unknown = Invite::new();
    let refused = stranger
        .client
        .enrol(&unknown.enrol(&stranger))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::NotFound));

    // The right invite id with a wrong secret: the relay holds only the public key.
    let invite = Invite::new();
    lead.client
        .new_invite(team_id, &invite.body(now_ms() + 60_000))
        .await
        .unwrap();
    let forged = Invite {
        id: invite.id.clone(),
        key: ruam_wire::SigningKey::generate().unwrap(),
    };
    let refused = stranger
        .client
        .enrol(&forged.enrol(&stranger))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));

    // Once used, never again.
    let first = relay.device();
    first.client.enrol(&invite.enrol(&first)).await.unwrap();
    let second = relay.device();
    let refused = second
        .client
        .enrol(&invite.enrol(&second))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Conflict));

    // Expired. The invite must still be in the future when the relay reads it: 30 ms
    // was once too little on a busy CI machine ("expiresMs must be in the future").
    let short = Invite::new();
    lead.client
        .new_invite(team_id, &short.body(now_ms() + 600))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let late = relay.device();
    let refused = late.client.enrol(&short.enrol(&late)).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Invalid));
    assert!(refused.to_string().contains("expired"), "{refused}");

    // An invite for longer than a week, in the past, or with a malformed id.
    for (body, what) in [
        (
            Invite::new().body(now_ms() + api::MAX_INVITE_MS + 60_000),
            "a week",
        ),
        (Invite::new().body(now_ms() - 1), "the past"),
        (
            api::NewInvite {
                invite_id: "XYZ".into(),
                ..Invite::new().body(now_ms() + 60_000)
            },
            "malformed",
        ),
        (
            api::NewInvite {
                welcome: Some("not base64!".into()),
                ..Invite::new().body(now_ms() + 60_000)
            },
            "a welcome that is not base64",
        ),
        (
            api::NewInvite {
                welcome: Some("A".repeat(api::MAX_WELCOME_CHARS + 1)),
                ..Invite::new().body(now_ms() + 60_000)
            },
            "a welcome too long",
        ),
    ] {
        let refused = lead.client.new_invite(team_id, &body).await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Invalid), "{what}");
    }

    // The same invite id twice.
    let refused = lead
        .client
        .new_invite(team_id, &invite.body(now_ms() + 60_000))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Conflict));

    // Nobody got in: the team holds the lead and the one waiting device.
    let devices = lead.client.devices(team_id).await.unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices
        .iter()
        .any(|d| d.keys.device_id == first.id && d.status == DeviceStatus::Pending));
}

pub async fn only_admin_devices_administer(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let worker = member(&relay, team_id, &lead).await;
    let refused = worker
        .client
        .new_invite(team_id, &Invite::new().body(now_ms() + 60_000))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let refused = worker.client.revoke(team_id, lead.id).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));

    let waiting = relay.device();
    let invite = Invite::new();
    lead.client
        .new_invite(team_id, &invite.body(now_ms() + 60_000))
        .await
        .unwrap();
    waiting.client.enrol(&invite.enrol(&waiting)).await.unwrap();
    let refused = worker
        .client
        .approve(team_id, waiting.id, true)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    assert_eq!(
        waiting.client.me(team_id).await.unwrap().status,
        DeviceStatus::Pending
    );
    // A device of another team is unknown here.
    let (other_team, other_lead) = team(&relay).await;
    let refused = other_lead.client.devices(team_id).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Unauthenticated));
    assert!(lead.client.devices(other_team).await.is_err());
}

pub async fn a_revoked_device_is_refused_at_once(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let laptop = member(&relay, team_id, &lead).await;
    let scope = uuid::Uuid::now_v7();
    lead.client
        .set_scope(
            team_id,
            scope,
            &api::SetScope {
                epoch: 1,
                grants: vec![
                    api::Grant {
                        device_id: lead.id,
                        manage: true,
                    },
                    api::Grant {
                        device_id: laptop.id,
                        manage: false,
                    },
                ],
            },
        )
        .await
        .unwrap();
    assert!(laptop.client.pull(team_id, 0, 10, None).await.is_ok());

    let revoked = lead.client.revoke(team_id, laptop.id).await.unwrap();
    assert_eq!(revoked.status, DeviceStatus::Revoked);
    for refused in [
        laptop.client.pull(team_id, 0, 10, None).await.unwrap_err(),
        laptop.client.me(team_id).await.unwrap_err(),
        laptop.client.push(team_id, &[]).await.unwrap_err(),
    ] {
        assert_eq!(refused.code(), Some(ErrorCode::Revoked));
    }
    // Its grant is gone; the lead still sees it listed, revoked, with its keys.
    let listed = lead.client.devices(team_id).await.unwrap();
    let shown = listed
        .iter()
        .find(|d| d.keys.device_id == laptop.id)
        .unwrap();
    assert_eq!(shown.status, DeviceStatus::Revoked);
    // Revoking again answers the same, and changes nothing.
    assert_eq!(
        lead.client.revoke(team_id, laptop.id).await.unwrap().status,
        DeviceStatus::Revoked
    );
    // It can never be approved back.
    let refused = lead
        .client
        .approve(team_id, laptop.id, false)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Conflict));
}

pub async fn the_last_lead_device_cannot_be_revoked(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let refused = lead.client.revoke(team_id, lead.id).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Conflict));
    assert_eq!(
        lead.client.me(team_id).await.unwrap().status,
        DeviceStatus::Active
    );
    // With a second lead's device, the first may go.
    let second = relay.device();
    let invite = Invite::new();
    lead.client
        .new_invite(team_id, &invite.body(now_ms() + 60_000))
        .await
        .unwrap();
    second.client.enrol(&invite.enrol(&second)).await.unwrap();
    lead.client.approve(team_id, second.id, true).await.unwrap();
    second.client.revoke(team_id, lead.id).await.unwrap();
    assert_eq!(
        lead.client.me(team_id).await.unwrap_err().code(),
        Some(ErrorCode::Revoked)
    );
}
