//! The team: members sign in as themselves with their own key slot, first passphrases
//! must be changed, roles are data the lead adjusts, and bad input writes nothing.

use ruam_core::access::Permission;
use ruam_core::team::{MemberStatus, MemberUpdate};
use ruam_core::Error;

use crate::support::*;

pub fn update_of(member: &ruam_core::team::Member) -> MemberUpdate {
    MemberUpdate {
        id: member.id.clone(),
        display_name: member.display_name.clone(),
        role: member.role.clone(),
        discipline: member
            .discipline
            .map_or("police", |d| d.as_str())
            .to_owned(),
        agency_id: member.agency_id.clone(),
        phone: member.phone.clone(),
        email: member.email.clone(),
        status: member.status.as_str().to_owned(),
    }
}

#[tokio::test]
async fn a_member_added_by_the_lead_signs_in_as_themselves_and_must_change_the_first_passphrase() {
    let (t, _) = TestVault::created().await;
    let added = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "Anan", "police_liaison"))
        .await
        .unwrap();
    assert_eq!(added.sign_in_name.as_deref(), Some("anan"));
    assert_eq!(added.must_change_passphrase, Some(true));

    t.vault.lock().await;
    // The lead's passphrase with the liaison's name, and the reverse, open nothing.
    // (Two wrong attempts: a third would start the growing wait.)
    for (name, passphrase) in [("anan", PASSPHRASE), (LEAD, FIRST)] {
        assert!(
            matches!(
                t.vault.unlock(unlock_as(name, passphrase)).await,
                Err(Error::InvalidCredentials)
            ),
            "{name}"
        );
    }
    let status = t
        .vault
        .unlock(unlock_as("  ANAN ", FIRST))
        .await
        .unwrap()
        .status;
    let member = status.member.clone().unwrap();
    assert_eq!(member.id, added.id);
    assert_eq!(member.role, "police_liaison");
    assert!(member.must_change_passphrase);
    assert_eq!(
        status.permissions,
        [ruam_core::access::Permission::RequestSpending]
    );

    // Until the first passphrase is replaced, nothing else is allowed.
    assert!(matches!(
        t.vault.team_overview().await,
        Err(Error::PassphraseChangeRequired)
    ));
    t.vault
        .change_passphrase(change_request(FIRST, OWN))
        .await
        .unwrap();
    assert!(
        !t.vault
            .status()
            .await
            .member
            .unwrap()
            .must_change_passphrase
    );
    let overview = t.vault.team_overview().await.unwrap();
    assert_eq!(overview.members.len(), 2);
    // Sign-in names are for those who manage members.
    assert!(overview.members.iter().all(|m| m.sign_in_name.is_none()));

    // The change is kept: the next sign-in with the chosen passphrase is a normal one.
    t.vault.lock().await;
    let again = t.vault.unlock(unlock_as("anan", OWN)).await.unwrap().status;
    assert!(!again.member.unwrap().must_change_passphrase);
    t.vault.lock().await;
    for (name, passphrase) in [("anan", FIRST), ("nobody", OWN)] {
        assert!(
            matches!(
                t.vault.unlock(unlock_as(name, passphrase)).await,
                Err(Error::InvalidCredentials)
            ),
            "{name}"
        );
    }
}

#[tokio::test]
async fn signing_in_is_in_the_audit_log_under_the_members_id() {
    let (t, _) = TestVault::created().await;
    let added = t
        .vault
        .add_member(new_member("Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    sign_in_fresh(&t, "anan").await;
    sign_in_lead(&t).await;
    let page = t
        .vault
        .audit_log(serde_json::from_value(serde_json::json!({ "memberId": added.id })).unwrap())
        .await
        .unwrap();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["vault.lock", "passphrase.change", "vault.unlock"]);
    assert!(page
        .entries
        .iter()
        .all(|e| e.actor_name.as_deref() == Some("Anan")));
}

#[tokio::test]
async fn a_member_who_left_loses_their_slot_and_cannot_sign_in() {
    let (t, _) = TestVault::created().await;
    let added = t
        .vault
        .add_member(new_member("Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let mut update = update_of(&added);
    update.status = "left".into();
    let after = t.vault.update_member(update).await.unwrap();
    assert_eq!(after.status, MemberStatus::Left);
    let slots = std::fs::read_to_string(t.paths().slots()).unwrap();
    assert!(
        !slots.contains(&added.id),
        "the slot of a member who left is gone"
    );
    t.vault.lock().await;
    assert!(matches!(
        t.vault.unlock(unlock_as("anan", FIRST)).await,
        Err(Error::InvalidCredentials)
    ));
}

#[tokio::test]
async fn the_lead_can_reset_a_members_passphrase_and_they_must_change_it_again() {
    let (t, _) = TestVault::created().await;
    let added = t
        .vault
        .add_member(new_member("Anan", "anan", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "anan").await;
    sign_in_lead(&t).await;
    let reset: ruam_core::team::SetMemberPassphrase = serde_json::from_value(
        serde_json::json!({ "memberId": added.id, "firstPassphrase": "copper meadow falcon tundra" }),
    )
    .unwrap();
    t.vault.set_member_passphrase(reset).await.unwrap();
    t.vault.lock().await;
    assert!(t.vault.unlock(unlock_as("anan", OWN)).await.is_err());
    let status = t
        .vault
        .unlock(unlock_as("anan", "copper meadow falcon tundra"))
        .await
        .unwrap()
        .status;
    assert!(status.member.unwrap().must_change_passphrase);
}

#[tokio::test]
async fn the_lead_adjusts_a_roles_rights_and_the_member_gets_them_at_sign_in() {
    let (t, _) = TestVault::created().await;
    t.vault
        .add_member(new_member("Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let update: ruam_core::team::RoleUpdate = serde_json::from_value(serde_json::json!({
        "id": "police_liaison",
        "role": { "name": "Police liaison", "description": "Reads the audit trail too",
                  "permissions": ["audit.read"] },
    }))
    .unwrap();
    let role = t.vault.update_role(update).await.unwrap();
    assert_eq!(role.permissions, [Permission::ReadAudit]);
    let status = sign_in_fresh(&t, "anan").await;
    assert_eq!(status.permissions, [Permission::ReadAudit]);
    t.vault
        .audit_log(ruam_core::vault::AuditQuery::default())
        .await
        .unwrap();
    assert!(matches!(
        t.vault
            .add_agency(
                serde_json::from_value(serde_json::json!({ "name": "X", "kind": "police" }))
                    .unwrap()
            )
            .await,
        Err(Error::Forbidden)
    ));
}

#[tokio::test]
async fn the_last_team_lead_cannot_step_down_or_leave() {
    let (t, _) = TestVault::created().await;
    let lead = t
        .vault
        .team_overview()
        .await
        .unwrap()
        .members
        .into_iter()
        .find(|m| m.role == "team_lead")
        .unwrap();
    let before = count(&t, "changes").await;
    let mut demote = update_of(&lead);
    demote.role = "viewer".into();
    assert_invalid_field(t.vault.update_member(demote.clone()).await, "role");
    let mut gone = update_of(&lead);
    gone.status = "left".into();
    assert_invalid_field(t.vault.update_member(gone).await, "status");
    assert_eq!(count(&t, "changes").await, before, "nothing written");
    // With a second lead, the first may step down (and loses the lead's rights at once).
    t.vault
        .add_member(new_member("Niran", "niran", "team_lead"))
        .await
        .unwrap();
    t.vault.update_member(demote).await.unwrap();
    let status = t.vault.status().await;
    assert_eq!(status.member.unwrap().role, "viewer");
    assert!(status.permissions.is_empty());
    assert!(matches!(
        t.vault
            .team_overview()
            .await
            .map(|o| o.members[0].sign_in_name.clone()),
        Ok(None)
    ));
}

#[tokio::test]
async fn a_deputy_who_manages_the_team_cannot_make_or_take_over_a_lead() {
    let (t, _) = TestVault::created().await;
    let deputy_role = t
        .vault
        .add_role(
            serde_json::from_value(serde_json::json!({
                "name": "Deputy", "description": null, "permissions": ["team.manage"]
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let deputy = t
        .vault
        .add_member(new_member("Niran", "niran", &deputy_role.id))
        .await
        .unwrap();
    let lead = t
        .vault
        .team_overview()
        .await
        .unwrap()
        .members
        .into_iter()
        .find(|m| m.role == "team_lead")
        .unwrap();
    sign_in_fresh(&t, "niran").await;
    let before = (
        count(&t, "changes").await,
        std::fs::read(t.paths().slots()).unwrap(),
    );
    // Make a new lead, promote themself, edit the lead, or reset the lead's passphrase.
    let new_lead = t
        .vault
        .add_member(new_member("Puppet", "puppet", "team_lead"))
        .await;
    assert!(matches!(new_lead, Err(Error::Forbidden)), "{new_lead:?}");
    let deputy_now = t
        .vault
        .team_overview()
        .await
        .unwrap()
        .members
        .into_iter()
        .find(|m| m.id == deputy.id)
        .unwrap();
    let mut promote = update_of(&deputy_now);
    promote.role = "team_lead".into();
    assert!(matches!(
        t.vault.update_member(promote).await,
        Err(Error::Forbidden)
    ));
    let mut demote = update_of(&lead);
    demote.role = "viewer".into();
    assert!(matches!(
        t.vault.update_member(demote).await,
        Err(Error::Forbidden)
    ));
    // Nor widen which case sections they read by changing their own discipline.
    let mut own = update_of(&deputy_now);
    own.discipline = "health".into();
    assert_invalid_field(t.vault.update_member(own).await, "discipline");
    let reset = serde_json::from_value(
        serde_json::json!({ "memberId": lead.id, "firstPassphrase": "copper meadow falcon tundra" }),
    )
    .unwrap();
    assert!(matches!(
        t.vault.set_member_passphrase(reset).await,
        Err(Error::Forbidden)
    ));
    assert_eq!(
        (
            count(&t, "changes").await,
            std::fs::read(t.paths().slots()).unwrap()
        ),
        before,
        "nothing written"
    );
    // Within their own rights they manage the team: a viewer, or another deputy.
    t.vault
        .add_member(new_member("Malee", "malee", "viewer"))
        .await
        .unwrap();
    let pool = t.vault.pool().await.unwrap();
    let refused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND outcome = 'refused'",
    )
    .bind(&deputy.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refused, 4, "each refusal is in the audit log");
}

#[tokio::test]
async fn with_several_leads_the_recovery_key_signs_in_the_lead_who_names_themself() {
    let (t, recovery_key) = TestVault::created().await;
    let second = t
        .vault
        .add_member(new_member("Niran", "niran", "team_lead"))
        .await
        .unwrap();
    t.vault.lock().await;
    let mut request = recovery_request(&recovery_key, "jasmine tractor monsoon violin");
    request.sign_in_name = Some("somebody".into());
    assert_invalid_field(t.vault.unlock_with_recovery(request).await, "sign_in_name");
    let mut request = recovery_request(&recovery_key, "jasmine tractor monsoon violin");
    request.sign_in_name = Some("Niran".into());
    let status = t.vault.unlock_with_recovery(request).await.unwrap().status;
    assert_eq!(status.member.unwrap().id, second.id);
    // The other lead's passphrase is untouched.
    t.vault.lock().await;
    t.unlock(PASSPHRASE).await.unwrap();
}

#[tokio::test]
async fn a_member_who_left_is_refused_even_with_an_old_copy_of_their_slot() {
    let (t, _) = TestVault::created().await;
    let added = t
        .vault
        .add_member(new_member("Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let with_slot = std::fs::read(t.paths().slots()).unwrap();
    let mut update = update_of(&added);
    update.status = "left".into();
    t.vault.update_member(update).await.unwrap();
    t.vault.lock().await;
    std::fs::write(t.paths().slots(), with_slot).unwrap();
    let refused = t.vault.unlock(unlock_as("anan", FIRST)).await;
    assert!(
        matches!(refused, Err(Error::MembershipEnded)),
        "{refused:?}"
    );
    assert_eq!(refused.unwrap_err().code(), ruam_core::ErrorCode::Forbidden);
    t.unlock(PASSPHRASE).await.unwrap();
    let pool = t.vault.pool().await.unwrap();
    let recorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND action = 'vault.unlock' AND outcome = 'refused'",
    )
    .bind(&added.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(recorded, 1);
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let (t, _) = TestVault::created().await;
    t.vault
        .add_member(new_member("Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let before = (
        count(&t, "members").await,
        count(&t, "changes").await,
        std::fs::read(t.paths().slots()).unwrap(),
    );
    let member = |patch: serde_json::Value| {
        let mut base = serde_json::json!({
            "displayName": "Malee", "signInName": "malee", "role": "health_officer",
            "discipline": "health", "agencyId": null, "phone": null, "email": null,
            "firstPassphrase": FIRST,
        });
        for (k, v) in patch.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value::<ruam_core::team::NewMember>(base).unwrap()
    };
    let cases = [
        (serde_json::json!({ "displayName": "  " }), "display_name"),
        (serde_json::json!({ "displayName": "anan" }), "display_name"),
        (serde_json::json!({ "signInName": "ANAN" }), "sign_in_name"),
        (
            serde_json::json!({ "signInName": "ma lee" }),
            "sign_in_name",
        ),
        (serde_json::json!({ "signInName": "" }), "sign_in_name"),
        (serde_json::json!({ "role": "boss" }), "role"),
        (
            serde_json::json!({ "discipline": "astrology" }),
            "discipline",
        ),
        (serde_json::json!({ "discipline": "" }), "discipline"),
        (
            serde_json::json!({ "agencyId": "no-such-agency" }),
            "agency_id",
        ),
        (serde_json::json!({ "phone": "call me" }), "phone"),
        (serde_json::json!({ "email": "malee at example" }), "email"),
        (
            serde_json::json!({ "firstPassphrase": "password1" }),
            "first_passphrase",
        ),
        (
            serde_json::json!({ "firstPassphrase": "" }),
            "first_passphrase",
        ),
    ];
    for (patch, field) in cases {
        let shown = patch.to_string();
        match t.vault.add_member(member(patch)).await {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{shown}"),
            other => panic!("{shown}: expected invalid {field}, got {other:?}"),
        }
    }
    let role_without_name = serde_json::from_value(
        serde_json::json!({ "name": " ", "description": null, "permissions": [] }),
    )
    .unwrap();
    assert_invalid_field(t.vault.add_role(role_without_name).await, "name");
    let unknown_right = serde_json::from_value(
        serde_json::json!({ "name": "Helper", "description": null, "permissions": ["cases.everything"] }),
    )
    .unwrap();
    assert_invalid_field(t.vault.add_role(unknown_right).await, "permissions");
    let lead_reduced = serde_json::from_value(serde_json::json!({
        "id": "team_lead", "role": { "name": "Team lead", "description": null, "permissions": [] }
    }))
    .unwrap();
    assert_invalid_field(t.vault.update_role(lead_reduced).await, "permissions");
    let bad_agency =
        serde_json::from_value(serde_json::json!({ "name": "Mae Sai police", "kind": "army" }))
            .unwrap();
    assert_invalid_field(t.vault.add_agency(bad_agency).await, "kind");
    assert_eq!(
        (
            count(&t, "members").await,
            count(&t, "changes").await,
            std::fs::read(t.paths().slots()).unwrap(),
        ),
        before,
        "nothing written by bad input"
    );
}

#[tokio::test]
async fn agencies_are_added_named_once_and_members_belong_to_them() {
    let (t, _) = TestVault::created().await;
    let agency = t
        .vault
        .add_agency(
            serde_json::from_value(serde_json::json!({
                "name": "Mae Sai police station", "kind": "police",
                "district": "Mae Sai", "province": "Chiang Rai", "contact": "053 731 444"
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let duplicate = serde_json::from_value(
        serde_json::json!({ "name": "mae sai POLICE station", "kind": "police" }),
    )
    .unwrap();
    assert_invalid_field(t.vault.add_agency(duplicate).await, "name");
    let mut new = new_member("Anan", "anan", "police_liaison");
    new.agency_id = Some(agency.id.clone());
    let member = t.vault.add_member(new).await.unwrap();
    assert_eq!(member.agency_id.as_deref(), Some(agency.id.as_str()));
    let overview = t.vault.team_overview().await.unwrap();
    assert_eq!(overview.agencies, [agency]);
    assert_eq!(overview.roles.len(), 6, "the six built-in roles");
}

#[tokio::test]
async fn no_member_name_reaches_the_disk_in_the_clear() {
    let (t, _) = TestVault::created().await;
    t.vault
        .add_member(new_member(
            "Pol. Lt. Anan Wongsa",
            "anan.w",
            "police_liaison",
        ))
        .await
        .unwrap();
    t.vault.lock().await;
    let mut files = database_bytes(&t.paths());
    for path in [t.paths().slots(), t.paths().recovery()] {
        files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    for (path, bytes) in files {
        for needle in ["Anan Wongsa", "anan.w", LEAD, "Somsri"] {
            assert!(!contains(&bytes, needle.as_bytes()), "{needle} in {path}");
        }
    }
}

#[tokio::test]
async fn after_the_recovery_key_rebuilds_a_lost_slot_file_the_lead_gives_members_new_first_passphrases(
) {
    let (t, recovery_key) = TestVault::created().await;
    let added = t
        .vault
        .add_member(new_member("Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    t.vault.lock().await;
    std::fs::remove_file(t.paths().slots()).unwrap();
    t.vault
        .unlock_with_recovery(recovery_request(
            &recovery_key,
            "jasmine tractor monsoon violin",
        ))
        .await
        .unwrap();
    let reset = serde_json::from_value(
        serde_json::json!({ "memberId": added.id, "firstPassphrase": "copper meadow falcon tundra" }),
    )
    .unwrap();
    t.vault.set_member_passphrase(reset).await.unwrap();
    t.vault.lock().await;
    let status = t
        .vault
        .unlock(unlock_as("anan", "copper meadow falcon tundra"))
        .await
        .unwrap()
        .status;
    assert_eq!(status.member.unwrap().id, added.id);
}
