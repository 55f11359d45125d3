//! The relay's test suite. Every test runs twice: on the SQLite store and on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod devices;
mod envelopes;
mod harness;
mod requests;

/// Run each named test of the suite on both stores.
macro_rules! on_both_stores {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(relay) = crate::harness::TestRelay::start(crate::harness::Kind::Sqlite).await {
                        crate::$module::$name(relay).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(relay) = crate::harness::TestRelay::start(crate::harness::Kind::Postgres).await {
                        crate::$module::$name(relay).await;
                    }
                }
            )*
        }
    };
}

on_both_stores!(
    devices::a_team_is_made_once,
    devices::a_device_enrols_by_invite_and_waits_for_approval,
    devices::bad_invites_are_refused_by_name,
    devices::only_admin_devices_administer,
    devices::a_revoked_device_is_refused_at_once,
    devices::the_last_lead_device_cannot_be_revoked,
    requests::unsigned_tampered_stale_and_replayed_requests_are_refused,
    requests::bodies_and_rates_are_limited,
    envelopes::pushes_are_idempotent_and_pulled_in_order,
    envelopes::a_device_pulls_only_its_scopes_and_its_inbox,
    envelopes::taking_a_device_off_a_scope_needs_a_new_epoch,
    envelopes::bad_envelopes_are_refused_and_nothing_is_stored,
    envelopes::concurrent_pushes_get_distinct_numbers_in_commit_order,
    envelopes::a_restart_keeps_everything,
);
