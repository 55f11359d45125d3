//! A device's inbox: the scope whose id is the device's own. Other laptops of the team send
//! it the keys of scopes it may read (each wrapped to its exchange key) and, when its
//! member is taken off a case, a notice to delete it. Both are signed by their sender;
//! the relay can neither read the keys nor forge a notice.

use base64::Engine as _;
use ruam_wire::envelope::Envelope;
use ruam_wire::PublicKey;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::capture::Target;
use super::changes::Inbox;
use super::engine::{keys_of, scope_kind, store_key, SyncState};
use super::identity::DeviceIdentity;
use super::scopes;
use super::seal::{self, KeyLabel};
use crate::Result;

/// Keys sent to this device: only a lead's device may send them, each must unwrap.
pub(crate) async fn open_inbox(
    conn: &mut SqliteConnection,
    identity: &DeviceIdentity,
    state: &SyncState,
    envelope: &Envelope,
    signer: &PublicKey,
    admin: bool,
) -> Result<std::result::Result<usize, String>> {
    if !envelope.verify(signer) {
        return Ok(Err("its signature does not verify".into()));
    }
    let Ok(inbox) = serde_json::from_slice::<Inbox>(&envelope.ciphertext) else {
        return Ok(Err("does not hold wrapped keys".into()));
    };
    for wrapped in &inbox.keys {
        let label = KeyLabel {
            team_id: state.team_id,
            scope_id: wrapped.scope_id,
            epoch: wrapped.epoch,
            device_id: identity.device_id,
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&wrapped.wrapped)
            .unwrap_or_default();
        let Some(key) = seal::unwrap_scope_key(identity, label, &bytes) else {
            return Ok(Err(
                "holds a key that does not unwrap for this device".into()
            ));
        };
        let target = match (wrapped.kind.as_str(), &wrapped.case_id) {
            // The team's key comes only from a lead's device; a case's from the laptop
            // that made its scope or manages it.
            ("team", _) if !admin => {
                return Ok(Err("sends the team's key but is not a lead's device".into()))
            }
            ("team", _) => Target::Team,
            ("case", Some(case_id)) => Target::Case(case_id.clone()),
            ("section", Some(case_id)) => match wrapped.section.as_deref() {
                Some(section) if super::entities::NARROW_SECTIONS.contains(&section) => {
                    Target::Section(case_id.clone(), section.to_owned())
                }
                _ => return Ok(Err("holds a key of a section that is not one".into())),
            },
            _ => return Ok(Err("holds a key of an unknown kind of scope".into())),
        };
        store_key(conn, wrapped.scope_id, wrapped.epoch, &key, &target).await?;
    }
    if let Some(sealed) = &inbox.audit {
        if let Err(reason) = super::audit::receive(conn, identity, state, envelope, sealed).await? {
            return Ok(Err(reason));
        }
    }
    let mut dropped = 0;
    for scope_id in &inbox.drops {
        let Some(Target::Case(case_id)) = scopes::target_of_scope(conn, *scope_id).await? else {
            continue;
        };
        if !(admin || leads_case(conn, envelope.header.device_id, &case_id).await?) {
            return Ok(Err(
                "drops a case but is neither a lead's device nor the case lead's".into(),
            ));
        }
        if super::drop::drop_case(conn, *scope_id, &case_id, identity.device_id, true).await? {
            dropped += 1;
        }
    }
    Ok(Ok(dropped))
}

/// Whether `device` is the laptop of the case's lead, as this laptop knows the case.
async fn leads_case(conn: &mut SqliteConnection, device: Uuid, case_id: &str) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sync_devices d JOIN case_members cm ON cm.member_id = d.member_id
         WHERE d.device_id = ? AND cm.case_id = ? AND cm.responsibility = 'lead' AND cm.removed_at IS NULL",
    )
    .bind(device.to_string())
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// A notice to `recipient`'s inbox that it was taken off `scope_id`.
pub fn drop_notice(
    identity: &DeviceIdentity,
    state: &SyncState,
    recipient: Uuid,
    scope_id: Uuid,
) -> Result<Envelope> {
    let content = serde_json::to_vec(&Inbox {
        keys: Vec::new(),
        drops: vec![scope_id],
        audit: None,
    })?;
    let header = ruam_wire::EnvelopeHeader {
        team_id: state.team_id,
        scope_id: recipient,
        epoch: 0,
        envelope_id: Uuid::now_v7(),
        device_id: identity.device_id,
        created_ms: ruam_wire::client::now_ms(),
        nonce: crate::crypto::random_array()?,
    };
    Ok(Envelope::sign(header, content, identity.signing()))
}

/// An envelope to `recipient`'s inbox with every key this laptop holds of `scope_id`.
pub async fn keys_for(
    conn: &mut SqliteConnection,
    identity: &DeviceIdentity,
    state: &SyncState,
    recipient: &ruam_wire::api::DeviceKeys,
    scope_id: Uuid,
    target: &Target,
) -> Result<Envelope> {
    let (kind, case_id) = scope_kind(target);
    let mut keys = Vec::new();
    for (epoch, key) in keys_of(conn, scope_id).await? {
        let label = KeyLabel {
            team_id: state.team_id,
            scope_id,
            epoch,
            device_id: recipient.device_id,
        };
        keys.push(super::changes::WrappedKey {
            scope_id,
            epoch,
            kind: kind.to_owned(),
            case_id: case_id.map(str::to_owned),
            section: match target {
                Target::Section(_, section) => Some(section.clone()),
                _ => None,
            },
            wrapped: base64::engine::general_purpose::STANDARD
                .encode(seal::wrap_scope_key(recipient, label, &key)?),
        });
    }
    let content = serde_json::to_vec(&Inbox {
        keys,
        drops: Vec::new(),
        audit: None,
    })?;
    let header = ruam_wire::EnvelopeHeader {
        team_id: state.team_id,
        scope_id: recipient.device_id,
        epoch: 0,
        envelope_id: Uuid::now_v7(),
        device_id: identity.device_id,
        created_ms: ruam_wire::client::now_ms(),
        nonce: crate::crypto::random_array()?,
    };
    Ok(Envelope::sign(header, content, identity.signing()))
}
