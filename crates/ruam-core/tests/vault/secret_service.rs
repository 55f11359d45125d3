//! Against the real OS keyring (Secret Service on Linux). `./x test` starts a session
//! bus and an unlocked gnome-keyring for this; without one, this test fails loudly.

use std::sync::Arc;

use ruam_core::crypto::{Argon2Params, SecretKey};
use ruam_core::keyring::{DeviceSecretStore, OsKeyring};
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;

use crate::support::*;

#[tokio::test]
async fn the_real_os_keyring_holds_the_device_secret() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() || cfg!(not(target_os = "linux")),
        "no D-Bus session: run the tests through ./x test, which starts the Secret Service"
    );
    let service = format!("org.ruam.test.{}", uuid::Uuid::now_v7());
    let keyring = OsKeyring::with_service(&service);
    let probe = uuid::Uuid::now_v7().to_string();
    assert!(keyring.get(&probe).unwrap().is_none());
    let secret = SecretKey::random().unwrap();
    keyring.set(&probe, &secret).unwrap();
    assert_eq!(keyring.get(&probe).unwrap(), Some(secret));
    keyring.delete(&probe).unwrap();
    assert!(
        keyring.get(&probe).unwrap().is_none(),
        "deleted from the real keyring"
    );

    // A whole vault life against the real keyring, with the production KDF cost.
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(VaultPaths::new(dir.path()), Arc::new(keyring.clone()))
        .with_argon2(Argon2Params::STANDARD);
    vault
        .create(create_request(TEAM, "Somsri", PASSPHRASE))
        .await
        .unwrap();
    vault.lock().await;
    let again = Vault::new(
        VaultPaths::new(dir.path()),
        Arc::new(OsKeyring::with_service(&service)),
    );
    assert_eq!(
        again
            .unlock(unlock_request(PASSPHRASE))
            .await
            .unwrap()
            .status
            .team_name
            .as_deref(),
        Some(TEAM)
    );
    // Leave the session's keyring as we found it.
    let slots: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("ruam.slots")).unwrap()).unwrap();
    keyring.delete(slots["vaultId"].as_str().unwrap()).unwrap();
}
