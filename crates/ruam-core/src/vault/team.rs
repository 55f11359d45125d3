//! The team's administration through the vault: each call is authorized, checked, and
//! written with its outbox change and audit entry in one transaction.

use sqlx::SqliteConnection;

use super::{State, Vault};
use crate::access::{Action, Permission, Permissions, Resource};
use crate::passphrase::require_acceptable;
use crate::slots::SlotFile;
use crate::team::{
    self, admin, Agency, AgencyUpdate, Member, MemberStatus, MemberUpdate, NewAgency, NewMember,
    NewRole, Role, RoleUpdate, SetMemberPassphrase, TeamOverview,
};
use crate::{Error, Result};

/// The rights a role holds; an unknown role is a mistake in the `role` field.
async fn rights_of(conn: &mut SqliteConnection, role: &str) -> Result<Permissions> {
    match team::load_role(conn, role.trim()).await {
        Ok(role) => Ok(role.permissions.into_iter().collect()),
        Err(Error::NotFound(_)) => Err(Error::invalid("role", "is not a role of this team")),
        Err(err) => Err(err),
    }
}

/// The rights a request names (unknown names are refused when the role is checked).
fn named_rights(names: &[String]) -> Permissions {
    names
        .iter()
        .filter_map(|n| Permission::parse(n.trim()))
        .collect()
}

const NO_RIGHTS: &Permissions = &Permissions::new();

impl Vault {
    /// Who is on the team, their discipline and agency, and what each role may do.
    pub async fn team_overview(&self) -> Result<TeamOverview> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::ViewTeam, Resource::Team).await?;
        let accounts = open.actor().may(Action::ViewMemberAccounts, Resource::Team);
        team::overview(&open.pool, &open.team_name, accounts).await
    }

    /// Add a member with a first passphrase, which they must change when they first sign
    /// in. Their key slot is made on this device.
    pub async fn add_member(&self, new: NewMember) -> Result<Member> {
        let mut state = self.state.write().await;
        let State::Unlocked(open) = &mut *state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::AddMember, Resource::Team).await?;
        let mut tx = open.pool.begin().await?;
        let rights = rights_of(&mut tx, &new.role).await?;
        open.authorize(Action::AssignRole, Resource::Role { rights: &rights })
            .await?;
        let member = new.check(&mut tx).await?;
        let sign_in_name = member.sign_in_name.clone().unwrap_or_default();
        require_acceptable(
            "first_passphrase",
            new.first_passphrase.expose(),
            &[&open.team_name, &member.display_name, &sign_in_name],
        )?;
        team::insert_member(&mut tx, &open.outbox, &open.member.id, &member).await?;
        open.audit_in(&mut tx, "member.add", Some(("member", &member.id)))
            .await?;
        let mut file = SlotFile::load(&self.paths)?;
        let device_secret = self
            .device_secret(&open.vault_id)
            .await?
            .ok_or(Error::DeviceNotEnrolled)?;
        let slot = self
            .passphrase_slot(
                &open.vault_id,
                &member.id,
                &sign_in_name,
                new.first_passphrase,
                &device_secret,
                &open.data_key,
            )
            .await?;
        file.replace(slot);
        // The slot is saved before the rows commit; if the commit fails, it is taken out
        // again, so no slot ever opens as a member who does not exist.
        file.save(&self.paths)?;
        if let Err(err) = tx.commit().await {
            file.remove_member(&member.id);
            if let Err(undo) = file.save(&self.paths) {
                tracing::warn!(%undo, "could not remove the slot of a member who was not added");
            }
            return Err(err.into());
        }
        tracing::info!("member added");
        Ok(member)
    }

    /// Change a member's details, role or status. A member who left loses their key
    /// slot on this device.
    pub async fn update_member(&self, update: MemberUpdate) -> Result<Member> {
        let mut state = self.state.write().await;
        let State::Unlocked(open) = &mut *state else {
            return Err(Error::Locked);
        };
        // First the right itself, then the rights of the member acted on and of the role
        // given: a deputy who manages the team cannot take over or make a lead.
        let id = update.id.as_str();
        open.authorize(
            Action::UpdateMember,
            Resource::Member {
                id,
                rights: NO_RIGHTS,
            },
        )
        .await?;
        let mut tx = open.pool.begin().await?;
        let current = team::load_member(&mut *tx, id).await?;
        let held = rights_of(&mut tx, &current.role).await?;
        open.authorize(Action::UpdateMember, Resource::Member { id, rights: &held })
            .await?;
        if update.role.trim() != current.role {
            let given = rights_of(&mut tx, &update.role).await?;
            open.authorize(Action::AssignRole, Resource::Role { rights: &given })
                .await?;
        }
        let leaving = current.status == MemberStatus::Active
            && MemberStatus::parse("status", &update.status).ok() == Some(MemberStatus::Left);
        if leaving {
            open.refuse_while_holding(&mut tx, &current).await?;
        }
        let (before, after) =
            team::update_member(&mut tx, &open.outbox, &open.member.id, &update).await?;
        open.audit_in(&mut tx, "member.update", Some(("member", &after.id)))
            .await?;
        let left = before.status == MemberStatus::Active && after.status == MemberStatus::Left;
        if left {
            open.clear_leaver(&mut tx, &after.id).await?;
            open.audit_in(&mut tx, "member.leave", Some(("member", &after.id)))
                .await?;
        }
        tx.commit().await?;
        if left {
            // The change stands either way: a member who left cannot sign in even if
            // their slot stays (the next save of the slot file drops it).
            let removed = SlotFile::load(&self.paths).and_then(|mut file| {
                if file.remove_member(&after.id) {
                    file.save(&self.paths)?;
                }
                Ok(())
            });
            if let Err(err) = removed {
                tracing::warn!(%err, "could not remove the key slot of a member who left");
            }
        }
        if after.id == open.member.id {
            open.reload_self().await?;
        }
        Ok(after)
    }

    /// Give a member a new first passphrase (they forgot theirs, or their slot was lost
    /// with a damaged key file). They must change it at their next sign-in.
    pub async fn set_member_passphrase(&self, request: SetMemberPassphrase) -> Result<()> {
        let mut state = self.state.write().await;
        let State::Unlocked(open) = &mut *state else {
            return Err(Error::Locked);
        };
        let id = request.member_id.as_str();
        open.authorize(
            Action::SetMemberPassphrase,
            Resource::Member {
                id,
                rights: NO_RIGHTS,
            },
        )
        .await?;
        if id == open.member.id {
            return Err(Error::invalid(
                "member_id",
                "is you: change your own passphrase in Settings",
            ));
        }
        let member = team::load_member(&open.pool, id).await?;
        let held = rights_of(&mut *open.pool.acquire().await?, &member.role).await?;
        open.authorize(
            Action::SetMemberPassphrase,
            Resource::Member { id, rights: &held },
        )
        .await?;
        if member.status == MemberStatus::Left {
            return Err(Error::invalid("member_id", "has left the team"));
        }
        let sign_in_name = member.sign_in_name.clone().unwrap_or_default();
        require_acceptable(
            "first_passphrase",
            request.first_passphrase.expose(),
            &[&open.team_name, &member.display_name, &sign_in_name],
        )?;
        let mut file = SlotFile::load(&self.paths)?;
        let device_secret = self
            .device_secret(&open.vault_id)
            .await?
            .ok_or(Error::DeviceNotEnrolled)?;
        let slot = self
            .passphrase_slot(
                &open.vault_id,
                &member.id,
                &sign_in_name,
                request.first_passphrase,
                &device_secret,
                &open.data_key,
            )
            .await?;
        // The flag first: a saved flag with the old slot only asks for a change that is
        // not needed; a new slot without the flag would leave a passphrase the lead knows.
        // The audit entry last, once the new passphrase is really in place.
        let mut tx = open.pool.begin().await?;
        team::set_must_change_passphrase(&mut tx, &open.outbox, &open.member.id, &member.id, true)
            .await?;
        tx.commit().await?;
        file.replace(slot);
        file.save(&self.paths)?;
        open.audit_after_change("member.passphrase.set", Some(("member", &member.id)))
            .await;
        Ok(())
    }

    pub async fn add_agency(&self, new: NewAgency) -> Result<Agency> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::AddAgency, Resource::Team).await?;
        let mut tx = open.pool.begin().await?;
        let agency = admin::insert_agency(&mut tx, &open.outbox, &open.member.id, &new).await?;
        open.audit_in(&mut tx, "agency.add", Some(("agency", &agency.id)))
            .await?;
        tx.commit().await?;
        Ok(agency)
    }

    pub async fn update_agency(&self, update: AgencyUpdate) -> Result<Agency> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::UpdateAgency, Resource::Team).await?;
        let mut tx = open.pool.begin().await?;
        let agency = admin::update_agency(&mut tx, &open.outbox, &open.member.id, &update).await?;
        open.audit_in(&mut tx, "agency.update", Some(("agency", &agency.id)))
            .await?;
        tx.commit().await?;
        Ok(agency)
    }

    pub async fn add_role(&self, new: NewRole) -> Result<Role> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let rights = named_rights(&new.permissions);
        open.authorize(Action::AddRole, Resource::Role { rights: &rights })
            .await?;
        let mut tx = open.pool.begin().await?;
        let role = admin::insert_role(&mut tx, &open.outbox, &open.member.id, &new).await?;
        open.audit_in(&mut tx, "role.add", Some(("role", &role.id)))
            .await?;
        tx.commit().await?;
        Ok(role)
    }

    /// Change a role's description or rights (built-in roles keep their names; the team
    /// lead's role keeps every right).
    pub async fn update_role(&self, update: RoleUpdate) -> Result<Role> {
        let mut state = self.state.write().await;
        let State::Unlocked(open) = &mut *state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::UpdateRole, Resource::Role { rights: NO_RIGHTS })
            .await?;
        let mut tx = open.pool.begin().await?;
        let current = team::load_role(&mut *tx, &update.id).await?;
        let mut rights = named_rights(&update.role.permissions);
        rights.extend(current.permissions);
        open.authorize(Action::UpdateRole, Resource::Role { rights: &rights })
            .await?;
        let role = admin::update_role(&mut tx, &open.outbox, &open.member.id, &update).await?;
        open.audit_in(&mut tx, "role.update", Some(("role", &role.id)))
            .await?;
        tx.commit().await?;
        if role.id == open.member.role {
            open.reload_self().await?;
        }
        Ok(role)
    }
}
