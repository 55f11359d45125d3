//! Tauri commands for Settings → Devices and sync, and the background sync while the
//! vault is unlocked. Each command parses, calls ruam-core, and maps the error.

use std::sync::Arc;
use std::time::Duration;

use ruam_core::vault::{
    ConflictChoice, DeviceApproval, JoinRequest, JoinStarted, SyncConflict, SyncDevice, SyncInvite,
    SyncReport, SyncStatus,
};
use ruam_core::{Vault, VaultState as Lock, VaultStatus};
use tauri::State;
use tauri_specta::Event as _;

use crate::error::IpcResult;

type VaultState<'a> = State<'a, Arc<Vault>>;

/// How often the background sync runs while the vault is unlocked.
const EVERY: Duration = Duration::from_secs(60);

/// First run on a new laptop: join the team with the invite a lead made.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn join_team(vault: VaultState<'_>, request: JoinRequest) -> IpcResult<JoinStarted> {
    Ok(vault.join_team(request).await?)
}

/// While joining: whether a lead approved this laptop, and pull what it may read.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn join_check(vault: VaultState<'_>) -> IpcResult<VaultStatus> {
    Ok(vault.join_check().await?)
}

/// While joining: give up, remove the vault made for it, back to the first screen.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn join_abandon(vault: VaultState<'_>) -> IpcResult<VaultStatus> {
    Ok(vault.join_abandon().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_status(vault: VaultState<'_>) -> IpcResult<SyncStatus> {
    Ok(vault.sync_status().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_start_team(vault: VaultState<'_>, relay_url: String) -> IpcResult<SyncStatus> {
    Ok(vault.sync_start_team(relay_url).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_invite(vault: VaultState<'_>, member_id: String) -> IpcResult<SyncInvite> {
    Ok(vault.sync_invite(member_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_devices(vault: VaultState<'_>) -> IpcResult<Vec<SyncDevice>> {
    Ok(vault.sync_devices().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_approve(
    vault: VaultState<'_>,
    approval: DeviceApproval,
) -> IpcResult<Vec<SyncDevice>> {
    Ok(vault.sync_approve(approval).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_revoke(vault: VaultState<'_>, device_id: String) -> IpcResult<Vec<SyncDevice>> {
    Ok(vault.sync_revoke(device_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_now(vault: VaultState<'_>) -> IpcResult<SyncReport> {
    Ok(vault.sync_now().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_conflicts(vault: VaultState<'_>) -> IpcResult<Vec<SyncConflict>> {
    Ok(vault.sync_conflicts().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn sync_resolve(
    vault: VaultState<'_>,
    choice: ConflictChoice,
) -> IpcResult<Vec<SyncConflict>> {
    Ok(vault.sync_resolve(choice).await?)
}

/// Sent after a background round that sent or brought something (counts only); the UI
/// refreshes what it shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct SyncRound {
    pub report: SyncReport,
}

/// Sync once a minute while the vault is unlocked and set up for sync (the app only). A
/// locked vault is skipped; locking mid-round ends the round (its pool is closed).
pub fn start_background<R: tauri::Runtime>(app: &tauri::AppHandle<R>, vault: Arc<Vault>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        loop {
            every.tick().await;
            if !matches!(vault.status().await.state, Lock::Unlocked) {
                continue;
            }
            if !matches!(vault.sync_status().await, Ok(status) if status.configured) {
                continue;
            }
            match vault.sync_now().await {
                Ok(report) if report.pulled + report.pushed > 0 => {
                    if let Err(err) = (SyncRound { report }).emit(&handle) {
                        tracing::warn!(%err, "could not tell the window about a sync round");
                    }
                }
                Ok(_) => {}
                // Offline is ordinary in the field: the status keeps the last error.
                Err(err) => {
                    tracing::info!(code = ?err.code(), "a background sync round did not finish")
                }
            }
        }
    });
}
