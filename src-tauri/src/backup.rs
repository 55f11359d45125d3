//! Backups' commands: the plan, a backup now (its progress on a channel), the backups in a
//! folder, a restore; and the daily backup, looked for every few minutes while the app
//! runs (the core decides whether one is due).

use std::sync::Arc;

use ruam_core::backup::{BackupFile, BackupInfo, BackupProgress, Progress};
use ruam_core::vault::{BackupPlan, BackupPlanRequest, RestoreDone, RestoreRequest};
use ruam_core::Vault;

use crate::commands::VaultState;
use crate::error::IpcResult;

/// How often the daily backup is looked for.
pub const BACKUP_TICK: std::time::Duration = std::time::Duration::from_secs(300);

/// Where backups go until a folder is chosen: a "Ruam backups" folder beside the exports.
fn suggested_folder(vault: &Vault) -> std::path::PathBuf {
    crate::commands::export_dir(vault).join("Ruam backups")
}

fn channel_progress(channel: tauri::ipc::Channel<BackupProgress>) -> Progress {
    Arc::new(move |progress| {
        if let Err(err) = channel.send(progress) {
            tracing::warn!(error = %err, "could not tell the window how far the backup is");
        }
    })
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn backup_plan(vault: VaultState<'_>) -> IpcResult<BackupPlan> {
    Ok(vault.backup_plan(&suggested_folder(&vault)).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn backup_plan_set(
    vault: VaultState<'_>,
    request: BackupPlanRequest,
) -> IpcResult<BackupPlan> {
    Ok(vault
        .set_backup_plan(request, &suggested_folder(&vault))
        .await?)
}

/// A backup now, into `folder` (the plan's when absent; the suggested one, made if need
/// be, when the plan has none).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn backup_now(
    vault: VaultState<'_>,
    folder: Option<String>,
    on_progress: tauri::ipc::Channel<BackupProgress>,
) -> IpcResult<BackupFile> {
    let folder = match folder.filter(|f| !f.trim().is_empty()) {
        Some(folder) => Some(std::path::PathBuf::from(folder)),
        None if vault
            .backup_plan(&suggested_folder(&vault))
            .await?
            .folder
            .is_none() =>
        {
            let suggested = suggested_folder(&vault);
            std::fs::create_dir_all(&suggested).map_err(|e| ruam_core::Error::io(&suggested, e))?;
            Some(suggested)
        }
        None => None,
    };
    Ok(vault
        .back_up(folder.as_deref(), channel_progress(on_progress))
        .await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn backup_list(vault: VaultState<'_>, folder: String) -> IpcResult<Vec<BackupInfo>> {
    Ok(vault.backups_in(&folder).await?)
}

/// Restore a backup; the vault is locked afterwards (the window shows the lock screen).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn backup_restore(
    vault: VaultState<'_>,
    request: RestoreRequest,
    on_progress: tauri::ipc::Channel<BackupProgress>,
) -> IpcResult<RestoreDone> {
    Ok(vault
        .restore(request, channel_progress(on_progress))
        .await?)
}

/// Look for the daily backup every few minutes while the app runs.
pub fn start_daily_backups(vault: Arc<Vault>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(BACKUP_TICK);
        loop {
            tick.tick().await;
            let quiet: Progress = Arc::new(|_| {});
            match vault
                .back_up_if_due(time::OffsetDateTime::now_utc(), quiet)
                .await
            {
                Ok(Some(file)) => tracing::info!(bytes = file.bytes, "daily backup written"),
                Ok(None) => {}
                Err(err) => tracing::warn!(code = ?err.code(), "the daily backup failed"),
            }
        }
    });
}
