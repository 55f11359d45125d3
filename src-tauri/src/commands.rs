//! Tauri commands: each parses, calls ruam-core, and maps the error. No rules here.

use std::sync::Arc;

use ruam_core::passphrase::{self, PassphraseStrength};
use ruam_core::settings::{Settings, SettingsPatch};
use ruam_core::vault::{
    ChangePassphraseRequest, ConfirmPassphrase, CreateVaultRequest, RecoveryUnlockRequest,
    ShownRecoveryKey, UnlockRequest,
};
use ruam_core::{CreatedVault, SecretString, Unlocked, Vault, VaultStatus};
use tauri::State;

use crate::error::IpcResult;

type VaultState<'a> = State<'a, Arc<Vault>>;

#[tauri::command]
#[specta::specta]
pub async fn vault_status(vault: VaultState<'_>) -> IpcResult<VaultStatus> {
    Ok(vault.status().await)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err)]
pub async fn vault_create(
    vault: VaultState<'_>,
    request: CreateVaultRequest,
) -> IpcResult<CreatedVault> {
    Ok(vault.create(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err)]
pub async fn vault_unlock(vault: VaultState<'_>, request: UnlockRequest) -> IpcResult<Unlocked> {
    Ok(vault.unlock(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err)]
pub async fn vault_unlock_with_recovery(
    vault: VaultState<'_>,
    request: RecoveryUnlockRequest,
) -> IpcResult<Unlocked> {
    Ok(vault.unlock_with_recovery(request).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn vault_lock(vault: VaultState<'_>) -> IpcResult<VaultStatus> {
    vault.lock().await;
    Ok(vault.status().await)
}

/// The person is active in the window: push the auto-lock back.
#[tauri::command]
#[specta::specta]
pub async fn vault_activity(vault: VaultState<'_>) -> IpcResult<()> {
    vault.touch().await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err)]
pub async fn recovery_key_acknowledge(vault: VaultState<'_>) -> IpcResult<VaultStatus> {
    Ok(vault.acknowledge_recovery_key().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err)]
pub async fn recovery_key_regenerate(
    vault: VaultState<'_>,
    request: ConfirmPassphrase,
) -> IpcResult<ShownRecoveryKey> {
    Ok(vault.regenerate_recovery_key(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err)]
pub async fn passphrase_change(
    vault: VaultState<'_>,
    request: ChangePassphraseRequest,
) -> IpcResult<()> {
    Ok(vault.change_passphrase(request).await?)
}

/// How strong a passphrase is; `context` holds words a guesser would try (names, team).
#[tauri::command]
#[specta::specta]
pub async fn passphrase_assess(
    passphrase: SecretString,
    context: Vec<String>,
) -> PassphraseStrength {
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    passphrase::assess(passphrase.expose(), &context)
}

#[tauri::command]
#[specta::specta]
pub fn settings_get(vault: VaultState<'_>) -> Settings {
    vault.settings()
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(vault), err)]
pub async fn settings_set(vault: VaultState<'_>, patch: SettingsPatch) -> IpcResult<Settings> {
    Ok(vault.update_settings(patch).await?)
}
