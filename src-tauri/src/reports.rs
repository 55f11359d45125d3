//! The committee's indicators and their exports: each command parses, calls ruam-core,
//! maps the error.

use ruam_core::indicators::{IndicatorQuery, Indicators};
use ruam_core::vault::{ExportedFile, ReportExport};

use crate::commands::VaultState;
use crate::error::IpcResult;

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn indicators(vault: VaultState<'_>, query: IndicatorQuery) -> IpcResult<Indicators> {
    Ok(vault.indicators(query).await?)
}

/// The dashboard or the funds by agency, as PDF or CSV, in the export folder.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn indicators_export(
    vault: VaultState<'_>,
    request: ReportExport,
) -> IpcResult<ExportedFile> {
    let dir = crate::commands::export_dir(&vault);
    Ok(vault.export_indicators(request, &dir).await?)
}
