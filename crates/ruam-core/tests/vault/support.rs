//! A fresh vault in a temp dir with an in-memory keyring and cheap key stretching.

use std::sync::Arc;

use ruam_core::crypto::Argon2Params;
use ruam_core::keyring::MemoryKeyring;
use ruam_core::paths::VaultPaths;
use ruam_core::vault::{CreateVaultRequest, UnlockRequest};
use ruam_core::{Error, Vault};

pub const PASSPHRASE: &str = "river lantern mango bicycle";
pub const TEAM: &str = "Mae Sai district MDT";
/// The lead's sign-in name.
pub const LEAD: &str = "somsri";

pub struct TestVault {
    pub dir: tempfile::TempDir,
    pub keyring: MemoryKeyring,
    pub vault: Vault,
}

impl TestVault {
    /// A directory with no vault yet.
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keyring = MemoryKeyring::new();
        let vault = open_in(&dir, &keyring);
        Self {
            dir,
            keyring,
            vault,
        }
    }

    /// A vault created with [`PASSPHRASE`], its recovery key acknowledged; returns it
    /// unlocked, and the recovery key.
    pub async fn created() -> (Self, String) {
        let t = Self::empty();
        let created = t
            .vault
            .create(create_request(TEAM, "Somsri", PASSPHRASE))
            .await
            .unwrap();
        t.vault.acknowledge_recovery_key().await.unwrap();
        (t, created.recovery_key.expose().to_owned())
    }

    pub fn paths(&self) -> VaultPaths {
        VaultPaths::new(self.dir.path())
    }

    /// The same files and keyring, as after restarting the app.
    pub fn restart(&self) -> Vault {
        open_in(&self.dir, &self.keyring)
    }

    /// Lock, fail one unlock (so the attempts file exists), unlock again.
    pub async fn unlock_err_for_attempts_file(&self) {
        self.vault.lock().await;
        assert!(self.unlock("not the passphrase").await.is_err());
        assert!(self.paths().attempts().exists());
        self.unlock(PASSPHRASE).await.unwrap();
    }

    pub async fn unlock(&self, passphrase: &str) -> Result<ruam_core::VaultStatus, Error> {
        self.vault
            .unlock(unlock_request(passphrase))
            .await
            .map(|u| u.status)
    }
}

pub fn open_in(dir: &tempfile::TempDir, keyring: &MemoryKeyring) -> Vault {
    Vault::new(VaultPaths::new(dir.path()), Arc::new(keyring.clone()))
        .with_argon2(Argon2Params::FAST_FOR_TESTS)
}

pub fn create_request(team: &str, name: &str, passphrase: &str) -> CreateVaultRequest {
    serde_json::from_value(serde_json::json!({
        "teamName": team, "displayName": name, "signInName": LEAD, "passphrase": passphrase
    }))
    .unwrap()
}

pub fn unlock_request(passphrase: &str) -> UnlockRequest {
    unlock_as(LEAD, passphrase)
}

pub fn unlock_as(sign_in_name: &str, passphrase: &str) -> UnlockRequest {
    serde_json::from_value(
        serde_json::json!({ "signInName": sign_in_name, "passphrase": passphrase }),
    )
    .unwrap()
}

pub fn recovery_request(
    key: &str,
    new_passphrase: &str,
) -> ruam_core::vault::RecoveryUnlockRequest {
    serde_json::from_value(
        serde_json::json!({ "recoveryKey": key, "newPassphrase": new_passphrase }),
    )
    .unwrap()
}

pub fn confirm(passphrase: &str) -> ruam_core::vault::ConfirmPassphrase {
    serde_json::from_value(serde_json::json!({ "passphrase": passphrase })).unwrap()
}

pub fn change_request(current: &str, new: &str) -> ruam_core::vault::ChangePassphraseRequest {
    serde_json::from_value(serde_json::json!({ "current": current, "new": new })).unwrap()
}

/// All bytes of the vault's database, WAL and shared-memory files that exist.
pub fn database_bytes(paths: &VaultPaths) -> Vec<(String, Vec<u8>)> {
    let db = paths.database();
    [
        db.display().to_string(),
        format!("{}-wal", db.display()),
        format!("{}-shm", db.display()),
    ]
    .into_iter()
    .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
    .collect()
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub fn assert_invalid_field<T: std::fmt::Debug>(result: Result<T, Error>, expected: &str) {
    match result {
        Err(Error::Invalid { field, .. }) => assert_eq!(field, expected),
        other => panic!("expected an invalid {expected}, got {other:?}"),
    }
}

/// A member's first passphrase, as the lead sets it, and the one they choose.
pub const FIRST: &str = "harbour violet cement glider";
pub const OWN: &str = "tamarind bicycle lantern orbit";

pub fn new_member(
    display_name: &str,
    sign_in_name: &str,
    role: &str,
) -> ruam_core::team::NewMember {
    serde_json::from_value(serde_json::json!({
        "displayName": display_name, "signInName": sign_in_name, "role": role,
        "discipline": "police", "agencyId": null, "phone": "053 123 456",
        "email": null, "firstPassphrase": FIRST,
    }))
    .unwrap()
}

/// Sign out whoever is in, sign in as `sign_in_name` with the first passphrase and
/// replace it with [`OWN`]: a member ready to act in their role.
pub async fn sign_in_fresh(t: &TestVault, sign_in_name: &str) -> ruam_core::VaultStatus {
    t.vault.lock().await;
    let status = t
        .vault
        .unlock(unlock_as(sign_in_name, FIRST))
        .await
        .unwrap()
        .status;
    assert!(status.member.as_ref().unwrap().must_change_passphrase);
    t.vault
        .change_passphrase(change_request(FIRST, OWN))
        .await
        .unwrap();
    t.vault.status().await
}

/// Back to the lead.
pub async fn sign_in_lead(t: &TestVault) {
    t.vault.lock().await;
    t.unlock(PASSPHRASE).await.unwrap();
}

/// Rows in a table, to show that refused or invalid calls wrote nothing.
pub async fn count(t: &TestVault, table: &str) -> i64 {
    let pool = t.vault.pool().await.unwrap();
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&pool)
        .await
        .unwrap()
}
