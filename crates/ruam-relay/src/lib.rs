//! Ruam's relay: a small server that stores and forwards the signed, end-to-end encrypted
//! envelopes of a team's laptops. It checks who signs each request and what each device may
//! read and write; it never sees plaintext, names or keys.
#![forbid(unsafe_code)]

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use uuid::Uuid;

pub mod auth;
pub mod error;
pub mod limits;
pub mod routes;
pub mod store;

use limits::{Rate, RateLimiter};
use store::RelayStore;

/// How a relay runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Requests a device may make: a burst, then a steady rate.
    pub device_rate: Rate,
    /// Requests an address may make before it is a known device (new teams, enrolments).
    pub address_rate: Rate,
    /// Whether anyone may make a new team here (an operator may close the relay to them).
    pub allow_new_teams: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            device_rate: Rate {
                per_sec: 50.0,
                burst: 200.0,
            },
            address_rate: Rate {
                per_sec: 0.2,
                burst: 10.0,
            },
            allow_new_teams: true,
        }
    }
}

/// What every request handler shares: the store, the limits, the configuration.
#[derive(Debug)]
pub struct Shared<S> {
    pub store: S,
    pub config: Config,
    pub device_rate: RateLimiter<Uuid>,
    pub address_rate: RateLimiter<IpAddr>,
}

pub type App<S> = Arc<Shared<S>>;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The relay's routes over `store`.
pub fn router<S: RelayStore>(store: S, config: Config) -> Router {
    let app = Arc::new(Shared {
        store,
        device_rate: RateLimiter::new(config.device_rate),
        address_rate: RateLimiter::new(config.address_rate),
        config,
    });
    Router::new()
        .route("/v1/teams", post(routes::create_team::<S>))
        .route("/v1/enrol", post(routes::enrol::<S>))
        .route("/v1/teams/{team}/invites", post(routes::new_invite::<S>))
        .route("/v1/teams/{team}/devices", get(routes::devices::<S>))
        .route(
            "/v1/teams/{team}/devices/{device}/approve",
            post(routes::approve::<S>),
        )
        .route(
            "/v1/teams/{team}/devices/{device}/revoke",
            post(routes::revoke::<S>),
        )
        .route(
            "/v1/teams/{team}/scopes/{scope}",
            put(routes::set_scope::<S>).get(routes::scope::<S>),
        )
        .route("/v1/teams/{team}/me", get(routes::me::<S>))
        .route(
            "/v1/teams/{team}/envelopes",
            post(routes::push::<S>).get(routes::pull::<S>),
        )
        .route("/health", get(|| async { "ok" }))
        .method_not_allowed_fallback(|| async {
            error::Refusal::not_found("the relay has no such call for this method")
        })
        .fallback(|| async {
            error::Refusal::not_found(
                "the relay has no such call; is this Ruam's relay, and of a matching version?",
            )
        })
        // The signed-request extractor reads bodies up to MAX_BODY itself.
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

/// Serve on `listener` until `shutdown` resolves, then finish the requests under way.
/// Forgets old request nonces once a minute.
pub async fn serve<S: RelayStore>(
    listener: tokio::net::TcpListener,
    store: S,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let pruner = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                let before = now_ms() - 2 * ruam_wire::request::MAX_SKEW_MS;
                if let Err(err) = store.prune_nonces(before).await {
                    tracing::warn!(error = %err, "could not forget old nonces");
                }
                // An invite never used is kept a day past its expiry (to say "expired").
                if let Err(err) = store.prune_invites(now_ms() - 24 * 60 * 60 * 1000).await {
                    tracing::warn!(error = %err, "could not forget expired invites");
                }
            }
        })
    };
    let app = router(store, config).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    pruner.abort();
    result
}
