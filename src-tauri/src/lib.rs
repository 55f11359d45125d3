//! Ruam's desktop shell: builds the vault handle once at start-up, registers the
//! commands, runs the auto-lock timer, the once-a-day reminder of due tasks and the
//! background sync, and writes a rolling log. Rules live in ruam-core.

mod backup;
mod commands;
mod community;
mod error;
mod meetings;
mod reports;
mod sync;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use ruam_core::keyring::{DeviceSecretStore, OsKeyring};
use ruam_core::paths::VaultPaths;
use ruam_core::vault::TaskCounts;
use ruam_core::Vault;
use serde::{Deserialize, Serialize};
use tauri::{Manager, Runtime};
use tauri_specta::Event as _;

pub use error::IpcError;

/// How often the auto-lock timer looks at the idle time.
const AUTO_LOCK_TICK: Duration = Duration::from_secs(15);
/// How often the reminder looks for late and due tasks (the core reminds once a day).
const REMINDER_TICK: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum LockReason {
    Idle,
}

/// Sent when the core locks the vault by itself; the UI clears every view.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct VaultLocked {
    pub reason: LockReason,
}

/// Sent when the once-a-day reminder found late or due tasks (and showed the desktop
/// notification); the UI refreshes its Tasks badge.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct TasksDue {
    pub counts: TaskCounts,
}

/// The lock on the data directory, held while the app runs (one app per vault).
struct DataDirClaim(#[allow(dead_code)] std::fs::File);

/// Every command and event the UI may use; the TypeScript bindings are generated from this.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(tauri_specta::collect_commands![
            commands::vault_status,
            commands::vault_create,
            commands::vault_unlock,
            commands::vault_unlock_with_recovery,
            commands::vault_lock,
            commands::vault_activity,
            commands::recovery_key_acknowledge,
            commands::recovery_key_regenerate,
            commands::passphrase_change,
            commands::passphrase_assess,
            commands::settings_get,
            commands::settings_set,
            commands::team_overview,
            commands::member_add,
            commands::member_update,
            commands::member_set_passphrase,
            commands::agency_add,
            commands::agency_update,
            commands::role_add,
            commands::role_update,
            commands::audit_log,
            commands::audit_export,
            commands::case_list,
            commands::case_duplicates,
            commands::case_create,
            commands::case_open,
            commands::case_search,
            commands::case_note_add,
            commands::case_status_set,
            commands::case_close,
            commands::case_closure_decide,
            commands::case_reopen,
            commands::case_member_change,
            commands::case_refer,
            commands::case_referral_update,
            commands::case_consent_record,
            commands::case_attachment_add,
            commands::case_attachment_get,
            commands::case_attachment_delete,
            commands::case_note_edit,
            commands::case_note_delete,
            commands::case_person_save,
            commands::case_person_remove,
            commands::member_holdings,
            commands::member_hand_over,
            commands::member_close_account,
            commands::board_open,
            commands::card_create,
            commands::card_move,
            commands::my_tasks,
            commands::review_queue,
            commands::card_review,
            commands::card_get,
            commands::card_update,
            commands::card_tick,
            commands::card_comment,
            commands::card_attachment_add,
            commands::card_attachment_get,
            commands::card_delete,
            commands::column_save,
            commands::column_delete,
            commands::task_counts,
            commands::board_column_cards,
            commands::fund_list,
            commands::fund_overview,
            commands::fund_create,
            commands::fund_line_add,
            commands::fund_allocate,
            commands::fund_contribute,
            commands::fund_request,
            commands::fund_requests,
            commands::fund_decide,
            commands::fund_cancel,
            commands::fund_pay,
            commands::fund_receipt_get,
            commands::fund_reverse,
            commands::fund_ledger,
            commands::fund_books_check,
            commands::case_spending,
            commands::fund_ledger_export,
            backup::backup_plan,
            backup::backup_plan_set,
            backup::backup_now,
            backup::backup_list,
            backup::backup_restore,
            community::village_list,
            community::village_add,
            community::village_update,
            community::place_search,
            community::volunteer_list,
            community::volunteer_add,
            community::volunteer_update,
            community::register_rule_get,
            community::register_rule_set,
            community::household_add,
            community::register_search,
            community::register_child_get,
            community::register_export,
            community::register_child_update,
            community::register_import_preview,
            community::register_import,
            community::register_child_case_open,
            community::case_register_child,
            community::documentation_steps,
            community::documentation_step_add,
            community::documentation_step_update,
            meetings::committee_list,
            meetings::committee_add,
            meetings::committee_update,
            meetings::meeting_list,
            meetings::meeting_get,
            meetings::meeting_plan,
            meetings::meeting_agenda_add,
            meetings::meeting_attendance,
            meetings::meeting_minutes,
            meetings::meeting_review_minutes,
            meetings::meeting_decision_add,
            meetings::meeting_action_add,
            meetings::meeting_ics_export,
            meetings::meeting_pdf_export,
            reports::indicators,
            reports::indicators_export,
            sync::join_team,
            sync::join_check,
            sync::join_abandon,
            sync::sync_status,
            sync::sync_start_team,
            sync::sync_invite,
            sync::sync_devices,
            sync::sync_approve,
            sync::sync_revoke,
            sync::sync_now,
            sync::sync_conflicts,
            sync::sync_resolve,
        ])
        .events(tauri_specta::collect_events![
            VaultLocked,
            TasksDue,
            sync::SyncRound
        ])
        .disable_serde_phases()
}

/// Where the generated TypeScript bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/lib/ipc/bindings.ts";

pub fn export_bindings(path: &std::path::Path) -> anyhow::Result<()> {
    specta_builder::<tauri::Wry>()
        .export(
            specta_typescript::Typescript::default().header(
                "// Generated from Rust (src-tauri/src/lib.rs) by `./x bindings`. Do not edit.",
            ),
            path,
        )
        .context("exporting TypeScript bindings")
}

/// Register the vault and its auto-lock timer on an app (the real one or a test's).
pub fn attach_vault<R: Runtime>(app: &tauri::AppHandle<R>, vault: Arc<Vault>) {
    app.manage(vault.clone());
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(AUTO_LOCK_TICK);
        loop {
            tick.tick().await;
            auto_lock_tick(&handle, &vault, Instant::now(), SystemTime::now()).await;
        }
    });
}

/// Look for late and due tasks every minute while the app runs (the app only: tests call
/// `reminder_tick` themselves).
fn start_reminders<R: Runtime>(app: &tauri::AppHandle<R>, vault: Arc<Vault>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(REMINDER_TICK);
        loop {
            tick.tick().await;
            reminder_tick(&handle, &vault).await;
        }
    });
}

/// One look for the once-a-day reminder: when the core says it is due, show the desktop
/// notification (counts only) and tell the window. Returns the counts it reminded of.
pub async fn reminder_tick<R: Runtime>(
    app: &tauri::AppHandle<R>,
    vault: &Vault,
) -> Option<TaskCounts> {
    let counts = match vault.due_reminder().await {
        Ok(Some(counts)) => counts,
        Ok(None) => return None,
        Err(err) => {
            tracing::warn!(%err, "could not look for due tasks");
            return None;
        }
    };
    let (title, body) = counts.reminder(vault.settings().language);
    match app.try_state::<tauri_plugin_notification::Notification<R>>() {
        Some(notification) => {
            if let Err(err) = notification.builder().title(title).body(body).show() {
                tracing::warn!(%err, "could not show the due-tasks notification");
            }
        }
        None => tracing::warn!(
            "no notification plugin: the due-tasks reminder shows only in the window"
        ),
    }
    if let Err(err) = (TasksDue { counts }).emit(app) {
        tracing::warn!(%err, "could not tell the window about due tasks");
    }
    Some(counts)
}

/// One look at the idle time: lock if it is past the setting, and tell the window.
/// Returns whether it locked.
pub async fn auto_lock_tick<R: Runtime>(
    app: &tauri::AppHandle<R>,
    vault: &Vault,
    now: Instant,
    wall: SystemTime,
) -> bool {
    if !vault.lock_if_idle(now, wall).await {
        return false;
    }
    let event = VaultLocked {
        reason: LockReason::Idle,
    };
    if let Err(err) = event.emit(app) {
        tracing::warn!(%err, "could not tell the window the vault locked");
    }
    true
}

/// `RUAM_LOG` (default `info`), except that sqlx never logs: its statements would include
/// the vault key.
fn log_filter() -> tracing_subscriber::EnvFilter {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("RUAM_LOG").unwrap_or_else(|_| "info".into());
    match "sqlx=off".parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    }
}

fn init_logging(
    dir: &std::path::Path,
) -> anyhow::Result<tracing_appender::non_blocking::WorkerGuard> {
    std::fs::create_dir_all(dir).context("creating the log directory")?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("ruam")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir)
        .context("opening the log directory")?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Ok(guard)
}

pub fn run() {
    let builder = specta_builder::<tauri::Wry>();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let default_dir = app
                .path()
                .app_data_dir()
                .context("finding the app data directory")?;
            let paths = VaultPaths::from_env_or(default_dir);
            let claim = paths.claim().context("claiming the data directory")?;
            app.manage(DataDirClaim(claim));
            let guard = init_logging(&paths.logs())?;
            app.manage(guard);
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "Ruam starting");
            let keyring: Arc<dyn DeviceSecretStore> = Arc::new(OsKeyring::new());
            let vault = Arc::new(Vault::new(paths, keyring));
            attach_vault(app.handle(), vault.clone());
            start_reminders(app.handle(), vault.clone());
            backup::start_daily_backups(vault.clone());
            sync::start_background(app.handle(), vault);
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!(%err, "Ruam stopped with an error");
        eprintln!("Ruam could not start: {err}");
        std::process::exit(1);
    }
}
