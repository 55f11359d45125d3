//! A relay on loopback for one test, on SQLite or on PostgreSQL, and the devices that talk
//! to it.
//!
//! PostgreSQL: `RUAM_TEST_POSTGRES=1` with the `PG…` variables of a server where the tests
//! may make databases (`./x test` starts a throwaway cluster with `pg_virtualenv`). Without
//! it the PostgreSQL half is skipped with a line saying so, unless
//! `RUAM_REQUIRE_POSTGRES=1`, which makes that a failure (CI sets it).

use std::net::SocketAddr;

use ruam_relay::store::{PgStore, RelayStore, SqliteStore};
use ruam_relay::Config;
use ruam_wire::api::{self, DeviceKeys};
use ruam_wire::client::RelayClient;
use ruam_wire::{ExchangeKey, SigningKey};
use sqlx::postgres::PgConnectOptions;
use sqlx::ConnectOptions;
use tokio::sync::oneshot;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Call a method of the store, whichever it is.
macro_rules! on_store {
    ($store:expr, $s:ident => $body:expr) => {
        match $store {
            $crate::harness::Store::Sqlite($s) => $body,
            $crate::harness::Store::Postgres($s) => $body,
        }
    };
}

#[derive(Debug)]
pub struct TestRelay {
    pub kind: Kind,
    pub url: String,
    pub store: Store,
    config: Config,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

fn postgres_wanted() -> bool {
    if std::env::var("RUAM_TEST_POSTGRES").as_deref() == Ok("1") {
        return true;
    }
    assert!(
        std::env::var("RUAM_REQUIRE_POSTGRES").as_deref() != Ok("1"),
        "RUAM_REQUIRE_POSTGRES=1 but no PostgreSQL was given (RUAM_TEST_POSTGRES=1 and PG… variables)"
    );
    false
}

impl TestRelay {
    /// A relay on a fresh store; `None` (with a line saying why) when PostgreSQL is asked
    /// for and not available.
    pub async fn start(kind: Kind) -> Option<Self> {
        Self::start_with(kind, Config::default()).await
    }

    pub async fn start_with(kind: Kind, config: Config) -> Option<Self> {
        let (store, dir) = match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let store = SqliteStore::open(&dir.path().join("relay.db"))
                    .await
                    .expect("sqlite store");
                (Store::Sqlite(store), Some(dir))
            }
            Kind::Postgres => {
                if !postgres_wanted() {
                    eprintln!("skipped on PostgreSQL: RUAM_TEST_POSTGRES is not set");
                    return None;
                }
                let admin = PgConnectOptions::new();
                let name = format!("relay_test_{}", Uuid::now_v7().simple());
                let mut conn = admin.connect().await.expect("connect to PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create a test database");
                let store = PgStore::open_with(PgConnectOptions::new().database(&name), 8)
                    .await
                    .expect("postgres store");
                (Store::Postgres(store), None)
            }
        };
        let mut relay = Self {
            kind,
            url: String::new(),
            store,
            config,
            stop: None,
            task: None,
            _dir: dir,
        };
        relay.listen("127.0.0.1:0".parse().expect("address")).await;
        Some(relay)
    }

    async fn listen(&mut self, address: SocketAddr) {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .expect("bind loopback");
        self.url = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let config = self.config.clone();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = match self.store.clone() {
            Store::Sqlite(s) => tokio::spawn(async move {
                ruam_relay::serve(listener, s, config, shutdown)
                    .await
                    .expect("serve");
            }),
            Store::Postgres(s) => tokio::spawn(async move {
                ruam_relay::serve(listener, s, config, shutdown)
                    .await
                    .expect("serve");
            }),
        };
        self.stop = Some(stop);
        self.task = Some(task);
    }

    /// Stop the relay (requests under way finish), leaving its store as it is.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Start it again on the same store and address.
    pub async fn restart(&mut self) {
        self.stop().await;
        let address: SocketAddr = self
            .url
            .trim_start_matches("http://")
            .parse()
            .expect("address");
        self.listen(address).await;
    }

    pub async fn head_seq(&self, team: Uuid) -> i64 {
        on_store!(&self.store, s => s.head_seq(team).await.expect("head"))
    }

    /// Forget the invites never used that expired before `before_ms`; how many went.
    pub async fn prune_invites(&self, before_ms: i64) -> u64 {
        on_store!(&self.store, s => s.prune_invites(before_ms).await.expect("prune"))
    }

    /// What the relay's database holds of an invite: (whether it is there, its welcome).
    pub async fn invite_row(&self, invite_id: &str) -> (bool, Option<String>) {
        let query = "SELECT welcome FROM invites WHERE id = $1";
        let row: Option<Option<String>> = match &self.store {
            Store::Sqlite(s) => sqlx::query_scalar(query)
                .bind(invite_id)
                .fetch_optional(s.pool())
                .await
                .expect("read invite"),
            Store::Postgres(s) => sqlx::query_scalar(query)
                .bind(invite_id)
                .fetch_optional(s.pool())
                .await
                .expect("read invite"),
        };
        (row.is_some(), row.flatten())
    }

    /// Every envelope's bytes the relay holds for the team, as its database has them.
    pub async fn held(&self, team: Uuid) -> Vec<Vec<u8>> {
        let query = "SELECT body FROM envelopes WHERE team_id = $1 ORDER BY seq";
        match &self.store {
            Store::Sqlite(s) => sqlx::query_scalar(query)
                .bind(team)
                .fetch_all(s.pool())
                .await
                .expect("read envelopes"),
            Store::Postgres(s) => sqlx::query_scalar(query)
                .bind(team)
                .fetch_all(s.pool())
                .await
                .expect("read envelopes"),
        }
    }

    pub fn device(&self) -> Device {
        Device::new(&self.url)
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A laptop as the relay sees it: an id, a signing key and an exchange key.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: Uuid,
    pub key: SigningKey,
    pub exchange: ExchangeKey,
    pub client: RelayClient,
}

impl Device {
    pub fn new(url: &str) -> Self {
        let id = Uuid::now_v7();
        let key = SigningKey::generate().expect("key");
        let exchange = ExchangeKey(SigningKey::generate().expect("key").public_key().0);
        let client = RelayClient::new(url, id, key.clone()).expect("client");
        Self {
            id,
            key,
            exchange,
            client,
        }
    }

    pub fn keys(&self) -> DeviceKeys {
        DeviceKeys {
            device_id: self.id,
            sign_key: self.key.public_key(),
            exchange_key: self.exchange,
        }
    }
}

/// An invite made by an admin device: its id and the secret a new laptop types.
#[derive(Debug, Clone)]
pub struct Invite {
    pub id: String,
    pub key: SigningKey,
}

impl Invite {
    pub fn new() -> Self {
        let bytes = SigningKey::generate().expect("key");
        Self {
            id: hex::encode(&bytes.seed()[..5]),
            key: SigningKey::generate().expect("key"),
        }
    }

    pub fn body(&self, expires_ms: i64) -> api::NewInvite {
        api::NewInvite {
            invite_id: self.id.clone(),
            invite_key: self.key.public_key(),
            expires_ms,
            welcome: Some("c2VhbGVkIGZvciB0aGUgbmV3IGxhcHRvcA==".into()),
        }
    }

    pub fn enrol(&self, device: &Device) -> api::Enrol {
        let keys = device.keys();
        api::Enrol {
            invite_id: self.id.clone(),
            invite_signature: self.key.sign(&api::enrol_message(&self.id, &keys)),
            device: keys,
        }
    }
}

/// A team on the relay with its lead's device (admin).
pub async fn team(relay: &TestRelay) -> (Uuid, Device) {
    let team = Uuid::now_v7();
    let lead = relay.device();
    lead.client
        .create_team(&api::CreateTeam {
            team_id: team,
            device: lead.keys(),
        })
        .await
        .expect("create team");
    (team, lead)
}

/// A device enrolled with an invite of `admin`'s and approved.
pub async fn member(relay: &TestRelay, team: Uuid, admin: &Device) -> Device {
    let device = relay.device();
    let invite = Invite::new();
    admin
        .client
        .new_invite(team, &invite.body(ruam_wire::client::now_ms() + 60_000))
        .await
        .expect("invite");
    device
        .client
        .enrol(&invite.enrol(&device))
        .await
        .expect("enrol");
    admin
        .client
        .approve(team, device.id, false)
        .await
        .expect("approve");
    device
}
