//! Committees and meetings: each command parses, calls ruam-core, maps the error.

use ruam_core::meetings::{
    AttendanceUpdate, Committee, CommitteeUpdate, MeetingSummary, MeetingView, MinutesUpdate,
    NewActionItem, NewAgendaItem, NewCommittee, NewDecision, NewMeeting, ReviewMinutes,
};
use ruam_core::vault::ExportedFile;

use crate::commands::VaultState;
use crate::error::IpcResult;

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn committee_list(vault: VaultState<'_>) -> IpcResult<Vec<Committee>> {
    Ok(vault.committees().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn committee_add(vault: VaultState<'_>, committee: NewCommittee) -> IpcResult<Committee> {
    Ok(vault.add_committee(committee).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn committee_update(
    vault: VaultState<'_>,
    update: CommitteeUpdate,
) -> IpcResult<Committee> {
    Ok(vault.update_committee(update).await?)
}

/// The meetings to come (the home screen's), or all.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_list(vault: VaultState<'_>, upcoming: bool) -> IpcResult<Vec<MeetingSummary>> {
    Ok(vault.meetings(upcoming).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_get(vault: VaultState<'_>, meeting_id: String) -> IpcResult<MeetingView> {
    Ok(vault.meeting(&meeting_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_plan(vault: VaultState<'_>, meeting: NewMeeting) -> IpcResult<MeetingView> {
    Ok(vault.plan_meeting(meeting).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_agenda_add(
    vault: VaultState<'_>,
    meeting_id: String,
    item: NewAgendaItem,
) -> IpcResult<MeetingView> {
    Ok(vault.add_agenda_item(&meeting_id, item).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_attendance(
    vault: VaultState<'_>,
    update: AttendanceUpdate,
) -> IpcResult<MeetingView> {
    Ok(vault.record_attendance(update).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_minutes(
    vault: VaultState<'_>,
    update: MinutesUpdate,
) -> IpcResult<MeetingView> {
    Ok(vault.record_minutes(update).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_review_minutes(
    vault: VaultState<'_>,
    review: ReviewMinutes,
) -> IpcResult<MeetingView> {
    Ok(vault.record_review_minutes(review).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_decision_add(
    vault: VaultState<'_>,
    decision: NewDecision,
) -> IpcResult<MeetingView> {
    Ok(vault.add_decision(decision).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_action_add(
    vault: VaultState<'_>,
    action: NewActionItem,
) -> IpcResult<MeetingView> {
    Ok(vault.add_action_item(action).await?)
}

/// The meeting as an .ics event in the export folder.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_ics_export(
    vault: VaultState<'_>,
    meeting_id: String,
) -> IpcResult<ExportedFile> {
    let dir = crate::commands::export_dir(&vault);
    Ok(vault.export_meeting_ics(&meeting_id, &dir).await?)
}

/// The minutes as a PDF in the export folder.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn meeting_pdf_export(
    vault: VaultState<'_>,
    meeting_id: String,
) -> IpcResult<ExportedFile> {
    let dir = crate::commands::export_dir(&vault);
    Ok(vault.export_meeting_pdf(&meeting_id, &dir).await?)
}
