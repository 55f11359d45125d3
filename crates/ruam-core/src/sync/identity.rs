//! This laptop's identity in the team's sync: an Ed25519 key that signs what it sends and
//! an X25519 key to which the other laptops wrap the scope keys it may hold. Both secrets
//! live in the OS keyring, beside the device secret, never in a file.

use uuid::Uuid;
use zeroize::Zeroizing;

use crate::crypto::SecretKey;
use crate::keyring::DeviceSecretStore;
use crate::{Error, Result};
use ruam_wire::api::DeviceKeys;
use ruam_wire::{ExchangeKey, SigningKey};

/// A device's two secret keys and its id at the relay. Redacted in `Debug`; the secrets
/// zeroize on drop.
#[derive(Clone)]
pub struct DeviceIdentity {
    pub device_id: Uuid,
    signing: SigningKey,
    exchange: SecretKey,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

fn signing_entry(vault_id: &str) -> String {
    format!("{vault_id}/sync-signing")
}

fn exchange_entry(vault_id: &str) -> String {
    format!("{vault_id}/sync-exchange")
}

impl DeviceIdentity {
    /// New random keys for `device_id`.
    pub fn generate(device_id: Uuid) -> Result<Self> {
        Ok(Self {
            device_id,
            signing: SigningKey::from_seed(*SecretKey::random()?.expose()),
            exchange: SecretKey::random()?,
        })
    }

    /// The keys of `device_id` from the keyring; `None` when this laptop holds none (a
    /// vault copied from elsewhere must enrol again).
    pub fn load(
        store: &dyn DeviceSecretStore,
        vault_id: &str,
        device_id: Uuid,
    ) -> Result<Option<Self>> {
        let signing = store.get(&signing_entry(vault_id))?;
        let exchange = store.get(&exchange_entry(vault_id))?;
        Ok(match (signing, exchange) {
            (Some(signing), Some(exchange)) => Some(Self {
                device_id,
                signing: SigningKey::from_seed(*signing.expose()),
                exchange,
            }),
            _ => None,
        })
    }

    /// Keep both secrets in the keyring.
    pub fn save(&self, store: &dyn DeviceSecretStore, vault_id: &str) -> Result<()> {
        store.set(
            &signing_entry(vault_id),
            &SecretKey::from_bytes(*self.signing.seed()),
        )?;
        store.set(&exchange_entry(vault_id), &self.exchange)
    }

    /// Forget both secrets (this laptop leaves the team's sync).
    pub fn forget(store: &dyn DeviceSecretStore, vault_id: &str) -> Result<()> {
        store.delete(&signing_entry(vault_id))?;
        store.delete(&exchange_entry(vault_id))
    }

    pub fn signing(&self) -> &SigningKey {
        &self.signing
    }

    fn exchange_secret(&self) -> x25519_dalek::StaticSecret {
        x25519_dalek::StaticSecret::from(*self.exchange.expose())
    }

    pub fn exchange_key(&self) -> ExchangeKey {
        ExchangeKey(x25519_dalek::PublicKey::from(&self.exchange_secret()).to_bytes())
    }

    /// The public keys, as the relay and the team's other laptops know them.
    pub fn keys(&self) -> DeviceKeys {
        DeviceKeys {
            device_id: self.device_id,
            sign_key: self.signing.public_key(),
            exchange_key: self.exchange_key(),
        }
    }

    /// The shared secret with another device's exchange key.
    pub(crate) fn agree(&self, theirs: &ExchangeKey) -> Result<Zeroizing<[u8; 32]>> {
        let shared = self
            .exchange_secret()
            .diffie_hellman(&x25519_dalek::PublicKey::from(theirs.0));
        if !shared.was_contributory() {
            return Err(Error::Crypto);
        }
        Ok(Zeroizing::new(shared.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::MemoryKeyring;

    #[test]
    fn saved_keys_load_back_the_same_identity() {
        let store = MemoryKeyring::new();
        let id = Uuid::now_v7();
        let identity = DeviceIdentity::generate(id).unwrap();
        assert!(DeviceIdentity::load(&store, "vault-a", id)
            .unwrap()
            .is_none());
        identity.save(&store, "vault-a").unwrap();
        let loaded = DeviceIdentity::load(&store, "vault-a", id)
            .unwrap()
            .unwrap();
        assert_eq!(loaded.keys(), identity.keys());
        // Another vault on the same keyring has none.
        assert!(DeviceIdentity::load(&store, "vault-b", id)
            .unwrap()
            .is_none());
        DeviceIdentity::forget(&store, "vault-a").unwrap();
        assert!(DeviceIdentity::load(&store, "vault-a", id)
            .unwrap()
            .is_none());
    }

    #[test]
    fn both_sides_agree_on_a_secret_and_debug_hides_it() {
        let a = DeviceIdentity::generate(Uuid::now_v7()).unwrap();
        let b = DeviceIdentity::generate(Uuid::now_v7()).unwrap();
        assert_eq!(
            *a.agree(&b.exchange_key()).unwrap(),
            *b.agree(&a.exchange_key()).unwrap()
        );
        // A low-order point gives no secret.
        assert!(a.agree(&ExchangeKey([0; 32])).is_err());
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("signing") && !shown.contains("exchange"),
            "{shown}"
        );
    }
}
