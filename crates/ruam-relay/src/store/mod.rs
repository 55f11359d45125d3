//! Where the relay keeps teams, devices, invites, grants and envelopes: one trait, two
//! stores. SQLite is the embedded default (one process); PostgreSQL serves several
//! stateless relay processes behind a load balancer. The rules are in `routes`, once;
//! a store only reads and writes.

use std::future::Future;

use ruam_wire::api::{DeviceInfo, DeviceKeys, DeviceStatus, Grant, Pushed, ScopeGrant};
use ruam_wire::{ExchangeKey, PublicKey};
use uuid::Uuid;

pub mod postgres;
pub mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the relay's database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the relay's database could not be migrated: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the relay's database holds a value it cannot read: {0}")]
    Corrupt(&'static str),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A device as the relay knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub team_id: Uuid,
    pub keys: DeviceKeys,
    pub status: DeviceStatus,
    pub admin: bool,
    pub enrolled_ms: i64,
    pub last_seen_ms: Option<i64>,
    pub invite_id: Option<String>,
}

impl DeviceRow {
    pub fn info(&self) -> DeviceInfo {
        DeviceInfo {
            keys: self.keys.clone(),
            status: self.status,
            admin: self.admin,
            enrolled_ms: self.enrolled_ms,
            last_seen_ms: self.last_seen_ms,
            invite_id: self.invite_id.clone(),
        }
    }
}

/// An invite as both stores read it: id, team, key, expiry, used, welcome.
type InviteColumns = (String, Uuid, Vec<u8>, i64, bool, Option<String>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRow {
    pub id: String,
    pub team_id: Uuid,
    pub invite_key: PublicKey,
    pub expires_ms: i64,
    pub used: bool,
    /// Sealed for the device that enrols; the relay cannot read it.
    pub welcome: Option<String>,
}

/// An envelope to store: what the relay indexes, and the bytes as they came.
#[derive(Debug, Clone)]
pub struct NewEnvelope {
    pub envelope_id: Uuid,
    pub scope_id: Uuid,
    pub device_id: Uuid,
    pub body: Vec<u8>,
}

/// Which scopes a pull reads: all those a device may read, or one of them.
#[derive(Debug, Clone, Copy)]
pub enum PullScope {
    /// The scopes granted to the device, and its inbox.
    Device(Uuid),
    One(Uuid),
}

/// What the relay stores. Every method is one transaction.
pub trait RelayStore: Clone + Send + Sync + 'static {
    /// Make a team with its first device, active and admin. `false` if the team exists.
    fn create_team(
        &self,
        team_id: Uuid,
        device: &DeviceKeys,
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    fn device(
        &self,
        team_id: Uuid,
        device_id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<DeviceRow>>> + Send;

    fn devices(&self, team_id: Uuid) -> impl Future<Output = StoreResult<Vec<DeviceRow>>> + Send;

    /// Note that the device was seen (kept to the minute).
    fn touch_device(
        &self,
        team_id: Uuid,
        device_id: Uuid,
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Remember a request's nonce; `false` if this device used it before (a replay).
    fn use_nonce(
        &self,
        device_id: Uuid,
        nonce: &str,
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Forget nonces seen before `before_ms`; their requests are too old to be accepted.
    fn prune_nonces(&self, before_ms: i64) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Forget invites never used that expired before `before_ms`.
    fn prune_invites(&self, before_ms: i64) -> impl Future<Output = StoreResult<u64>> + Send;

    /// `false` if the invite id is taken.
    fn add_invite(
        &self,
        invite: &InviteRow,
        created_by: Uuid,
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    fn invite(
        &self,
        invite_id: &str,
    ) -> impl Future<Output = StoreResult<Option<InviteRow>>> + Send;

    /// Use the invite once for a new pending device. `false` if it was used meanwhile or
    /// the device id is taken in the team.
    fn enrol(
        &self,
        invite: &InviteRow,
        device: &DeviceKeys,
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Make a pending device active.
    fn approve(
        &self,
        team_id: Uuid,
        device_id: Uuid,
        admin: bool,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Revoke a device: refused from now on, its grants gone and its scopes marked dropped.
    fn revoke(
        &self,
        team_id: Uuid,
        device_id: Uuid,
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// The scope's key epoch, if the scope exists.
    fn scope_epoch(
        &self,
        team_id: Uuid,
        scope_id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<u32>>> + Send;

    fn grants(
        &self,
        team_id: Uuid,
        scope_id: Uuid,
    ) -> impl Future<Output = StoreResult<Vec<Grant>>> + Send;

    /// Replace who may read and write the scope; `dropped` are told to drop it.
    fn set_scope(
        &self,
        team_id: Uuid,
        scope_id: Uuid,
        epoch: u32,
        grants: &[Grant],
        dropped: &[Uuid],
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    fn device_scopes(
        &self,
        team_id: Uuid,
        device_id: Uuid,
    ) -> impl Future<Output = StoreResult<Vec<ScopeGrant>>> + Send;

    fn dropped_scopes(
        &self,
        team_id: Uuid,
        device_id: Uuid,
    ) -> impl Future<Output = StoreResult<Vec<Uuid>>> + Send;

    /// Store envelopes in order with the next sequence numbers of the team, all or none;
    /// one already held (same envelope id) keeps its number and is not stored again.
    fn append(
        &self,
        team_id: Uuid,
        envelopes: &[NewEnvelope],
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<Vec<Pushed>>> + Send;

    /// Envelopes after `after`, oldest first, at most `limit`.
    /// Envelopes after `after`, in order; those written by `skip` come without their
    /// bytes (the device that wrote them has them), so that the pull still moves past.
    fn pull(
        &self,
        team_id: Uuid,
        scope: PullScope,
        after: i64,
        limit: u32,
        skip: Option<Uuid>,
    ) -> impl Future<Output = StoreResult<Vec<(i64, Option<Vec<u8>>)>>> + Send;

    /// The team's newest sequence number.
    fn head_seq(&self, team_id: Uuid) -> impl Future<Output = StoreResult<i64>> + Send;
}

pub(crate) fn status_from(text: &str) -> StoreResult<DeviceStatus> {
    DeviceStatus::parse(text).ok_or(StoreError::Corrupt("device status"))
}

pub(crate) fn keys_from(
    device_id: Uuid,
    sign_key: &[u8],
    exchange_key: &[u8],
) -> StoreResult<DeviceKeys> {
    Ok(DeviceKeys {
        device_id,
        sign_key: PublicKey(
            sign_key
                .try_into()
                .map_err(|_| StoreError::Corrupt("signing key"))?,
        ),
        exchange_key: ExchangeKey(
            exchange_key
                .try_into()
                .map_err(|_| StoreError::Corrupt("exchange key"))?,
        ),
    })
}

pub(crate) fn epoch_from(value: i64) -> StoreResult<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt("scope epoch"))
}
