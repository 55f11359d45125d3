//! `ruam-relay`: run the relay.
//!
//! ```text
//! ruam-relay [--listen 127.0.0.1:8787] [--database sqlite://relay.db | postgres://…]
//!            [--closed]
//! ```
//! `--database` may also come from `RUAM_RELAY_DATABASE`. `--closed` refuses new teams.

use anyhow::{bail, Context};
use ruam_relay::store::{PgStore, SqliteStore};
use ruam_relay::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUAM_RELAY_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let mut listen = "127.0.0.1:8787".to_owned();
    let mut database =
        std::env::var("RUAM_RELAY_DATABASE").unwrap_or_else(|_| "sqlite://relay.db".to_owned());
    let mut config = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().context("--listen needs an address")?,
            "--database" => database = args.next().context("--database needs a URL")?,
            "--closed" => config.allow_new_teams = false,
            "--help" | "-h" => {
                eprintln!("ruam-relay [--listen ADDR] [--database sqlite://FILE | postgres://URL] [--closed]");
                return Ok(());
            }
            other => bail!("unknown argument {other}; see --help"),
        }
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        let store = PgStore::open(&database, 16)
            .await
            .context("cannot open the PostgreSQL store")?;
        tracing::info!(%address, store = "postgres", "relay listening");
        ruam_relay::serve(listener, store, config, shutdown).await?;
    } else {
        let store = SqliteStore::open_url(&database)
            .await
            .context("cannot open the SQLite store")?;
        tracing::info!(%address, store = "sqlite", "relay listening");
        ruam_relay::serve(listener, store.clone(), config, shutdown).await?;
        store.close().await;
    }
    Ok(())
}
