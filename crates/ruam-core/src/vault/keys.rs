//! Changing what opens the vault while it is open: a member's passphrase, the recovery key.

use super::{
    blocking, ChangePassphraseRequest, ConfirmPassphrase, Open, ShownRecoveryKey, State, Vault,
    VaultStatus,
};
use crate::access::{self, Action};
use crate::passphrase::require_acceptable;
use crate::recovery::RecoveryKey;
use crate::slots::{Slot, SlotFile};
use crate::team;
use crate::throttle::{now_unix, Attempts};
use crate::{Error, Result, SecretString};

impl Vault {
    /// Change the signed-in member's passphrase: rewraps one slot, re-encrypts nothing.
    pub async fn change_passphrase(&self, request: ChangePassphraseRequest) -> Result<()> {
        if request.current.is_empty() {
            return Err(Error::invalid("current", "is empty"));
        }
        let mut state = self.state.write().await;
        let State::Unlocked(open) = &mut *state else {
            return Err(Error::Locked);
        };
        open.authorize(
            Action::ChangeOwnPassphrase,
            access::Resource::Member {
                id: &open.member.id,
                rights: &open.permissions,
            },
        )
        .await?;
        require_acceptable(
            "new",
            request.new.expose(),
            &[
                &open.team_name,
                &open.member.display_name,
                &open.member.sign_in_name,
            ],
        )?;
        if request.new.expose() == request.current.expose() {
            return Err(Error::invalid(
                "new",
                "is the same as the current passphrase",
            ));
        }
        let mut file = self.verify_passphrase(open, request.current).await?;
        let device_secret = self
            .device_secret(&open.vault_id)
            .await?
            .ok_or(Error::DeviceNotEnrolled)?;
        let slot = self
            .passphrase_slot(
                &open.vault_id,
                &open.member.id,
                &open.member.sign_in_name,
                SecretString::from(request.new.expose()),
                &device_secret,
                &open.data_key,
            )
            .await?;
        file.replace(slot);
        file.save(&self.paths)?;
        if let Err(err) = self.renew_backup_slot(open, &request.new).await {
            // The old passphrase still opens the backups made so far; new ones too.
            tracing::warn!(%err, "could not renew the backup passphrase slot");
        }
        if open.member.must_change_passphrase {
            // The first passphrase is gone from the slot file; the flag follows.
            let cleared = async {
                let mut tx = open.pool.begin().await?;
                team::set_must_change_passphrase(
                    &mut tx,
                    &open.outbox,
                    &open.member.id,
                    &open.member.id,
                    false,
                )
                .await?;
                open.audit_in(
                    &mut tx,
                    "passphrase.change",
                    Some(("member", &open.member.id)),
                )
                .await?;
                tx.commit().await?;
                Ok::<_, Error>(())
            }
            .await;
            if let Err(err) = cleared {
                tracing::warn!(%err, "the passphrase changed but its first-passphrase flag stays");
            }
            open.member.must_change_passphrase = false;
        } else {
            open.audit_after_change("passphrase.change", Some(("member", &open.member.id)))
                .await;
        }
        tracing::info!("passphrase changed");
        Ok(())
    }

    /// Replace the recovery key (the old one stops working) and return the new one, to
    /// show once. Only a team lead may, after typing their passphrase again.
    pub async fn regenerate_recovery_key(
        &self,
        request: ConfirmPassphrase,
    ) -> Result<ShownRecoveryKey> {
        let mut state = self.state.write().await;
        let State::Unlocked(open) = &mut *state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::ReplaceRecoveryKey, access::Resource::Vault)
            .await?;
        let mut file = self.verify_passphrase(open, request.passphrase).await?;
        self.rotate_recovery_key(open, &mut file).await
    }

    /// The person confirms they wrote the recovery key down.
    pub async fn acknowledge_recovery_key(&self) -> Result<VaultStatus> {
        let mut state = self.state.write().await;
        if let State::Joining(joining) = &mut *state {
            joining.acknowledge_recovery_key().await?;
            return Ok(self.status_of(&state));
        }
        let State::Unlocked(open) = &mut *state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::AcknowledgeRecoveryKey, access::Resource::Vault)
            .await?;
        team::set_recovery_acknowledged(
            &open.pool,
            &open.outbox,
            &open.member.id,
            &open.team_id,
            true,
        )
        .await?;
        open.recovery_pending = false;
        open.audit_after_change("recovery_key.acknowledge", None)
            .await;
        Ok(self.status_of(&state))
    }

    /// At unlock: a recovery key never confirmed as written down is replaced, and the
    /// new one returned to be shown (the old one may have been seen by no one, or lost).
    /// Best effort: a failure here never stops a correct unlock (the key stays pending
    /// and is replaced at the next one). Otherwise the recovery file is checked against
    /// the slot file and rewritten if it is missing or out of date.
    pub(super) async fn after_unlock(
        &self,
        open: &mut Open,
        file: &mut SlotFile,
    ) -> Option<ShownRecoveryKey> {
        let lead = open
            .actor()
            .may(Action::ReplaceRecoveryKey, access::Resource::Vault);
        if open.recovery_pending && lead {
            match self.rotate_recovery_key(open, file).await {
                Ok(key) => return Some(key),
                Err(err) => tracing::warn!(%err, "could not replace the unconfirmed recovery key"),
            }
        } else if let Err(err) = file.repair_recovery_file(&self.paths) {
            tracing::warn!(%err, "could not repair the recovery file");
        }
        None
    }

    async fn rotate_recovery_key(
        &self,
        open: &mut Open,
        file: &mut SlotFile,
    ) -> Result<ShownRecoveryKey> {
        let recovery = RecoveryKey::generate()?;
        file.replace(Slot::new_recovery(
            &open.vault_id,
            &recovery,
            &open.data_key,
        )?);
        team::set_recovery_acknowledged(
            &open.pool,
            &open.outbox,
            &open.member.id,
            &open.team_id,
            false,
        )
        .await?;
        file.save(&self.paths)?;
        open.recovery_pending = true;
        open.audit_after_change("recovery_key.replace", None).await;
        tracing::info!("recovery key replaced");
        Ok(ShownRecoveryKey::new(recovery.display()))
    }

    /// Check the signed-in member's passphrase (wrong attempts count, as at unlock) and
    /// return the slot file it was checked against.
    pub(super) async fn verify_passphrase(
        &self,
        open: &Open,
        passphrase: SecretString,
    ) -> Result<SlotFile> {
        let file = SlotFile::load(&self.paths)?;
        Attempts::load(&self.paths).check(now_unix())?;
        let device_secret = self
            .device_secret(&open.vault_id)
            .await?
            .ok_or(Error::DeviceNotEnrolled)?;
        let slot = file
            .passphrase_slots()
            .find(|s| s.member_id() == Some(open.member.id.as_str()))
            .cloned()
            .ok_or(Error::NotFound("your key slot"))?;
        let vault_id = open.vault_id.clone();
        let opened = blocking(move || {
            slot.open_with_passphrase(&vault_id, passphrase.expose(), &device_secret)
        })
        .await?;
        if opened.is_none() {
            Attempts::record_failure(&self.paths, now_unix());
            if let Err(err) = open
                .audit_outcome("passphrase.verify", None, crate::audit::Outcome::Failed)
                .await
            {
                tracing::warn!(%err, "could not record a failed verification");
            }
            return Err(Error::InvalidCredentials);
        }
        Attempts::reset(&self.paths);
        Ok(file)
    }
}
