//! This device's secret for a vault, kept in the operating system's keyring
//! (Windows Credential Manager, macOS Keychain, Secret Service on Linux).
//!
//! The secret is mixed into every passphrase slot, so a copied disk image cannot be
//! brute-forced offline without it. If the keyring cannot be reached Ruam says so; it
//! never falls back to keeping the secret in a file.

use zeroize::Zeroizing;

use crate::crypto::SecretKey;
use crate::{Error, Result};

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
compile_error!(
    "Ruam needs an OS keyring backend for this platform (see crates/ruam-core/Cargo.toml)"
);

/// Where a device secret lives. The app uses [`OsKeyring`]; tests may use an in-memory one.
pub trait DeviceSecretStore: Send + Sync + std::fmt::Debug {
    /// `Ok(None)` when this device holds no secret for the vault.
    fn get(&self, vault_id: &str) -> Result<Option<SecretKey>>;
    fn set(&self, vault_id: &str, secret: &SecretKey) -> Result<()>;
    /// Forget the secret (a vault whose creation failed). Absent is not an error.
    fn delete(&self, vault_id: &str) -> Result<()>;
}

/// The operating system's keyring through the `keyring` crate with explicit platform backends.
#[derive(Debug, Default, Clone)]
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    pub const SERVICE: &'static str = "org.ruam.desktop";

    pub fn new() -> Self {
        Self::with_service(Self::SERVICE)
    }

    /// A separate service name, so tests against the real keyring never touch the app's entries.
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, vault_id: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &format!("device-secret/{vault_id}"))
            .map_err(unavailable)
    }
}

fn unavailable(err: keyring::Error) -> Error {
    Error::KeyringUnavailable(err.to_string())
}

impl DeviceSecretStore for OsKeyring {
    fn get(&self, vault_id: &str) -> Result<Option<SecretKey>> {
        match self.entry(vault_id)?.get_secret() {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                // A secret of the wrong length is not ours to use: treat the device as not enrolled.
                Ok(SecretKey::from_slice(&bytes))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(unavailable(err)),
        }
    }

    fn set(&self, vault_id: &str, secret: &SecretKey) -> Result<()> {
        self.entry(vault_id)?
            .set_secret(secret.expose())
            .map_err(unavailable)
    }

    fn delete(&self, vault_id: &str) -> Result<()> {
        match self.entry(vault_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(unavailable(err)),
        }
    }
}

#[cfg(any(test, feature = "test-support"))]
pub use memory::MemoryKeyring;

#[cfg(any(test, feature = "test-support"))]
mod memory {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// An in-memory keyring for tests. Clones share one store, like one machine's keyring.
    #[derive(Debug, Default, Clone)]
    pub struct MemoryKeyring {
        secrets: Arc<Mutex<HashMap<String, SecretKey>>>,
        unavailable: Arc<Mutex<bool>>,
    }

    impl MemoryKeyring {
        pub fn new() -> Self {
            Self::default()
        }
        /// Forget every secret, as a different computer would have none.
        pub fn clear(&self) {
            self.secrets.lock().expect("keyring mutex").clear();
        }
        /// How many secrets it holds.
        pub fn len(&self) -> usize {
            self.secrets.lock().expect("keyring mutex").len()
        }
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
        /// Make every call fail, as a keyring without a session would.
        pub fn set_unavailable(&self, unavailable: bool) {
            *self.unavailable.lock().expect("keyring mutex") = unavailable;
        }
        fn check(&self) -> Result<()> {
            if *self.unavailable.lock().expect("keyring mutex") {
                return Err(Error::KeyringUnavailable(
                    "test keyring switched off".into(),
                ));
            }
            Ok(())
        }
    }

    impl DeviceSecretStore for MemoryKeyring {
        fn get(&self, vault_id: &str) -> Result<Option<SecretKey>> {
            self.check()?;
            Ok(self
                .secrets
                .lock()
                .expect("keyring mutex")
                .get(vault_id)
                .cloned())
        }
        fn set(&self, vault_id: &str, secret: &SecretKey) -> Result<()> {
            self.check()?;
            self.secrets
                .lock()
                .expect("keyring mutex")
                .insert(vault_id.to_owned(), secret.clone());
            Ok(())
        }
        fn delete(&self, vault_id: &str) -> Result<()> {
            self.check()?;
            self.secrets.lock().expect("keyring mutex").remove(vault_id);
            Ok(())
        }
    }
}
