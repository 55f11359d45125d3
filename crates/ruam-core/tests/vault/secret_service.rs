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

/// With no keyring service to talk to, the real OS keyring is reported as unavailable and
/// nothing is written: Ruam never falls back to keeping the secret in a file. Runs this
/// test binary again with the session bus pointed at nothing.
#[cfg(target_os = "linux")]
#[test]
fn an_unreachable_os_keyring_is_said_plainly_and_nothing_is_written() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "secret_service::without_a_keyring_service",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ruam-test-bus",
        )
        .env("RUAM_EXPECT_NO_KEYRING", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child test did not run: {stdout}"
    );
}

#[cfg(target_os = "linux")]
#[tokio::test]
#[ignore = "run by an_unreachable_os_keyring_is_said_plainly_and_nothing_is_written"]
async fn without_a_keyring_service() {
    assert_eq!(std::env::var("RUAM_EXPECT_NO_KEYRING").as_deref(), Ok("1"));
    let keyring = OsKeyring::with_service("org.ruam.test.unreachable");
    assert!(matches!(
        keyring.get("any"),
        Err(ruam_core::Error::KeyringUnavailable(_))
    ));
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(VaultPaths::new(dir.path()), Arc::new(keyring));
    let result = vault
        .create(create_request(TEAM, "Somsri", PASSPHRASE))
        .await;
    assert!(
        matches!(result, Err(ruam_core::Error::KeyringUnavailable(_))),
        "{result:?}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[tokio::test]
async fn the_real_os_keyring_holds_the_sync_identity() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() || cfg!(not(target_os = "linux")),
        "no D-Bus session: run the tests through ./x test, which starts the Secret Service"
    );
    let keyring = OsKeyring::with_service(format!("org.ruam.test.{}", uuid::Uuid::now_v7()));
    let vault_id = uuid::Uuid::now_v7().to_string();
    let device_id = uuid::Uuid::now_v7();
    let identity = ruam_core::sync::DeviceIdentity::generate(device_id).unwrap();
    identity.save(&keyring, &vault_id).unwrap();
    let loaded = ruam_core::sync::DeviceIdentity::load(&keyring, &vault_id, device_id)
        .unwrap()
        .expect("kept in the real keyring");
    assert_eq!(loaded.keys(), identity.keys());
    ruam_core::sync::DeviceIdentity::forget(&keyring, &vault_id).unwrap();
    assert!(
        ruam_core::sync::DeviceIdentity::load(&keyring, &vault_id, device_id)
            .unwrap()
            .is_none()
    );
}
