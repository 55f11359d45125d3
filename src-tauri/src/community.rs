//! The community register's commands: villages and the gazetteer they are placed by,
//! volunteers, household surveys and the child register, the rule that flags children,
//! the import of a survey file (its progress sent on a channel), a case opened for a child,
//! and the documentation steps on a case. Each parses, calls ruam-core, maps the error.

use base64::Engine as _;
use ruam_core::cases::store::CaseFile;
use ruam_core::community::documentation::{DocumentationStep, NewStep, StepUpdate};
use ruam_core::community::gazetteer::Place;
use ruam_core::community::import::ImportPreview;
use ruam_core::community::register::{
    ChildUpdate, NewHousehold, RegisterChild, RegisterPage, RegisterQuery,
};
use ruam_core::community::rule::VulnerabilityRule;
use ruam_core::community::villages::{NewVillage, Village, VillageUpdate};
use ruam_core::community::volunteers::{NewVolunteer, Volunteer, VolunteerUpdate};
use ruam_core::vault::{ExportedFile, ImportDone, ImportProgress};

use crate::commands::VaultState;
use crate::error::{IpcError, IpcResult};

fn file_bytes(content_base64: &str) -> IpcResult<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(content_base64)
        .map_err(|_| IpcError::from(ruam_core::Error::invalid("file", "could not be read")))
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn village_list(vault: VaultState<'_>) -> IpcResult<Vec<Village>> {
    Ok(vault.villages().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn village_add(vault: VaultState<'_>, village: NewVillage) -> IpcResult<Village> {
    Ok(vault.add_village(village).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn village_update(vault: VaultState<'_>, update: VillageUpdate) -> IpcResult<Village> {
    Ok(vault.update_village(update).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn place_search(vault: VaultState<'_>, query: String) -> IpcResult<Vec<Place>> {
    Ok(vault.find_places(query).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn volunteer_list(
    vault: VaultState<'_>,
    village_id: Option<String>,
) -> IpcResult<Vec<Volunteer>> {
    Ok(vault.volunteers(village_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn volunteer_add(vault: VaultState<'_>, volunteer: NewVolunteer) -> IpcResult<Volunteer> {
    Ok(vault.add_volunteer(volunteer).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn volunteer_update(
    vault: VaultState<'_>,
    update: VolunteerUpdate,
) -> IpcResult<Volunteer> {
    Ok(vault.update_volunteer(update).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_rule_get(vault: VaultState<'_>) -> IpcResult<VulnerabilityRule> {
    Ok(vault.register_rule().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_rule_set(
    vault: VaultState<'_>,
    rule: VulnerabilityRule,
) -> IpcResult<VulnerabilityRule> {
    Ok(vault.set_register_rule(rule).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn household_add(
    vault: VaultState<'_>,
    household: NewHousehold,
) -> IpcResult<RegisterPage> {
    Ok(vault.add_household(household).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_search(
    vault: VaultState<'_>,
    query: RegisterQuery,
) -> IpcResult<RegisterPage> {
    Ok(vault.search_register(query).await?)
}

/// Correct a child's record.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_child_update(
    vault: VaultState<'_>,
    update: ChildUpdate,
) -> IpcResult<RegisterChild> {
    Ok(vault.update_register_child(update).await?)
}

/// Write the children matching `query` to a CSV file in the export folder.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_export(
    vault: VaultState<'_>,
    query: RegisterQuery,
) -> IpcResult<ExportedFile> {
    let dir = crate::commands::export_dir(&vault);
    Ok(vault.export_register(query, &dir).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_child_get(
    vault: VaultState<'_>,
    child_id: String,
) -> IpcResult<RegisterChild> {
    Ok(vault.register_child(&child_id).await?)
}

/// Check a survey file (its bytes, base64) and say what importing it would write.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_import_preview(
    vault: VaultState<'_>,
    content_base64: String,
) -> IpcResult<ImportPreview> {
    let bytes = file_bytes(&content_base64)?;
    Ok(vault.preview_register_import(bytes).await?)
}

/// Import the survey file that was previewed (`digest` is its preview's), telling the
/// window how far it is on `on_progress`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_import(
    vault: VaultState<'_>,
    content_base64: String,
    digest: String,
    on_progress: tauri::ipc::Channel<ImportProgress>,
) -> IpcResult<ImportDone> {
    let bytes = file_bytes(&content_base64)?;
    Ok(vault
        .import_register(bytes, &digest, |progress| {
            if let Err(err) = on_progress.send(progress) {
                tracing::warn!(error = %err, "could not tell the window how far the import is");
            }
        })
        .await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn register_child_case_open(
    vault: VaultState<'_>,
    child_id: String,
) -> IpcResult<CaseFile> {
    Ok(vault.open_case_for_child(&child_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_register_child(
    vault: VaultState<'_>,
    case_id: String,
) -> IpcResult<Option<RegisterChild>> {
    Ok(vault.register_child_of_case(&case_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn documentation_steps(
    vault: VaultState<'_>,
    case_id: String,
) -> IpcResult<Vec<DocumentationStep>> {
    Ok(vault.documentation_steps(&case_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn documentation_step_add(
    vault: VaultState<'_>,
    step: NewStep,
) -> IpcResult<Vec<DocumentationStep>> {
    Ok(vault.add_documentation_step(step).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn documentation_step_update(
    vault: VaultState<'_>,
    update: StepUpdate,
) -> IpcResult<Vec<DocumentationStep>> {
    Ok(vault.update_documentation_step(update).await?)
}
