//! Tauri commands: each parses, calls ruam-core, and maps the error. No rules here.

use std::sync::Arc;

use ruam_core::boards::edit::CardDetail;
use ruam_core::boards::store::{Board, CardSummary, TaskItem};
use ruam_core::boards::NewCard;
use ruam_core::cases::store::{CaseFile, CasePage, CaseSummary, SearchHit};
use ruam_core::cases::NewCase;
use ruam_core::passphrase::{self, PassphraseStrength};
use ruam_core::settings::{Settings, SettingsPatch};
use ruam_core::team::{
    Agency, AgencyUpdate, Member, MemberUpdate, NewAgency, NewMember, NewRole, Role, RoleUpdate,
    SetMemberPassphrase, TeamOverview,
};
use ruam_core::vault::{
    AttachmentContent, AuditPage, AuditQuery, CardEdit, CardMove, CardReview, CardTick,
    CaseMemberChange, CloseCase, ColumnPage, ColumnSave, ExportedFile, HandOver, HandedOver,
    Holdings, MyTasksQuery, NewAttachment, NewCardAttachment, NewCardComment, NewConsent, NewNote,
    NewReferral, NoteEdit, PersonChange, PersonRemoval, ReferralUpdate, TaskCounts,
};
use ruam_core::vault::{
    BooksCheck, EntryReversal, FundAllocation, FundOverview, FundSummary, LedgerPage, LedgerQuery,
    NewContribution, NewFund, NewFundLine, NewPayment, NewSpendingRequest, RequestCancel,
    RequestQuery, SpendingDecision, SpendingRequest,
};
use ruam_core::vault::{
    ChangePassphraseRequest, ConfirmPassphrase, CreateVaultRequest, RecoveryUnlockRequest,
    ShownRecoveryKey, UnlockRequest,
};
use ruam_core::{CreatedVault, SecretString, Unlocked, Vault, VaultStatus};
use tauri::State;

use crate::error::IpcResult;

pub(crate) type VaultState<'a> = State<'a, Arc<Vault>>;

#[tauri::command]
#[specta::specta]
pub async fn vault_status(vault: VaultState<'_>) -> IpcResult<VaultStatus> {
    Ok(vault.status().await)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn vault_create(
    vault: VaultState<'_>,
    request: CreateVaultRequest,
) -> IpcResult<CreatedVault> {
    Ok(vault.create(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn vault_unlock(vault: VaultState<'_>, request: UnlockRequest) -> IpcResult<Unlocked> {
    Ok(vault.unlock(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
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
#[tracing::instrument(skip_all)]
pub async fn recovery_key_acknowledge(vault: VaultState<'_>) -> IpcResult<VaultStatus> {
    Ok(vault.acknowledge_recovery_key().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn recovery_key_regenerate(
    vault: VaultState<'_>,
    request: ConfirmPassphrase,
) -> IpcResult<ShownRecoveryKey> {
    Ok(vault.regenerate_recovery_key(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
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

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn team_overview(vault: VaultState<'_>) -> IpcResult<TeamOverview> {
    Ok(vault.team_overview().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn member_add(vault: VaultState<'_>, member: NewMember) -> IpcResult<Member> {
    Ok(vault.add_member(member).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn member_update(vault: VaultState<'_>, update: MemberUpdate) -> IpcResult<Member> {
    Ok(vault.update_member(update).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn member_set_passphrase(
    vault: VaultState<'_>,
    request: SetMemberPassphrase,
) -> IpcResult<()> {
    Ok(vault.set_member_passphrase(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn agency_add(vault: VaultState<'_>, agency: NewAgency) -> IpcResult<Agency> {
    Ok(vault.add_agency(agency).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn agency_update(vault: VaultState<'_>, update: AgencyUpdate) -> IpcResult<Agency> {
    Ok(vault.update_agency(update).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn role_add(vault: VaultState<'_>, role: NewRole) -> IpcResult<Role> {
    Ok(vault.add_role(role).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn role_update(vault: VaultState<'_>, update: RoleUpdate) -> IpcResult<Role> {
    Ok(vault.update_role(update).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn audit_log(vault: VaultState<'_>, query: AuditQuery) -> IpcResult<AuditPage> {
    Ok(vault.audit_log(query).await?)
}

/// Export to the person's Downloads folder (or `RUAM_EXPORT_DIR`); returns the file's path.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn audit_export(vault: VaultState<'_>, query: AuditQuery) -> IpcResult<ExportedFile> {
    let dir = export_dir(&vault);
    Ok(vault.export_audit_log(query, &dir).await?)
}

pub(crate) fn export_dir(vault: &Vault) -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("RUAM_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return dir.into();
    }
    dirs::download_dir()
        .or_else(dirs::document_dir)
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| vault.paths().dir().join("exports"))
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_list(
    vault: VaultState<'_>,
    mine_only: bool,
    after: Option<String>,
) -> IpcResult<CasePage> {
    Ok(vault.list_cases(mine_only, after).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_duplicates(
    vault: VaultState<'_>,
    name: String,
    birth_year: Option<i32>,
) -> IpcResult<Vec<CaseSummary>> {
    Ok(vault.case_duplicates(name, birth_year).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_create(vault: VaultState<'_>, new_case: NewCase) -> IpcResult<CaseFile> {
    Ok(vault.create_case(new_case).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_open(vault: VaultState<'_>, case_id: String) -> IpcResult<CaseFile> {
    Ok(vault.open_case(&case_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_search(vault: VaultState<'_>, query: String) -> IpcResult<Vec<SearchHit>> {
    Ok(vault.search_cases(&query).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_note_add(vault: VaultState<'_>, note: NewNote) -> IpcResult<CaseFile> {
    Ok(vault.add_case_note(note).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_status_set(
    vault: VaultState<'_>,
    case_id: String,
    status: String,
) -> IpcResult<CaseFile> {
    Ok(vault.set_case_status(&case_id, &status).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_close(vault: VaultState<'_>, request: CloseCase) -> IpcResult<CaseFile> {
    Ok(vault.close_case(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_closure_decide(
    vault: VaultState<'_>,
    case_id: String,
    approve: bool,
) -> IpcResult<CaseFile> {
    Ok(vault.decide_case_closure(&case_id, approve).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_reopen(vault: VaultState<'_>, case_id: String) -> IpcResult<CaseFile> {
    Ok(vault.reopen_case(&case_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_member_change(
    vault: VaultState<'_>,
    change: CaseMemberChange,
) -> IpcResult<CaseFile> {
    Ok(vault.change_case_member(change).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_refer(vault: VaultState<'_>, referral: NewReferral) -> IpcResult<CaseFile> {
    Ok(vault.refer_case(referral).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_referral_update(
    vault: VaultState<'_>,
    update: ReferralUpdate,
) -> IpcResult<CaseFile> {
    Ok(vault.update_referral(update).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_consent_record(
    vault: VaultState<'_>,
    consent: NewConsent,
) -> IpcResult<CaseFile> {
    Ok(vault.record_consent(consent).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_attachment_add(
    vault: VaultState<'_>,
    attachment: NewAttachment,
) -> IpcResult<CaseFile> {
    Ok(vault.add_attachment(attachment).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_attachment_get(
    vault: VaultState<'_>,
    attachment_id: String,
) -> IpcResult<AttachmentContent> {
    Ok(vault.attachment(&attachment_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_note_edit(vault: VaultState<'_>, edit: NoteEdit) -> IpcResult<CaseFile> {
    Ok(vault.edit_case_note(edit).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_note_delete(vault: VaultState<'_>, note_id: String) -> IpcResult<CaseFile> {
    Ok(vault.delete_case_note(&note_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_attachment_delete(
    vault: VaultState<'_>,
    attachment_id: String,
) -> IpcResult<CaseFile> {
    Ok(vault.delete_case_attachment(&attachment_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_person_save(vault: VaultState<'_>, change: PersonChange) -> IpcResult<CaseFile> {
    Ok(vault.save_case_person(change).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_person_remove(
    vault: VaultState<'_>,
    removal: PersonRemoval,
) -> IpcResult<CaseFile> {
    Ok(vault.remove_case_person(removal).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn member_holdings(vault: VaultState<'_>, member_id: String) -> IpcResult<Holdings> {
    Ok(vault.member_holdings(&member_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn member_hand_over(vault: VaultState<'_>, hand_over: HandOver) -> IpcResult<HandedOver> {
    Ok(vault.hand_over(hand_over).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn member_close_account(vault: VaultState<'_>, member_id: String) -> IpcResult<Member> {
    Ok(vault.close_member_account(&member_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn board_open(vault: VaultState<'_>, case_id: Option<String>) -> IpcResult<Board> {
    Ok(vault.open_board(case_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_create(vault: VaultState<'_>, card: NewCard) -> IpcResult<Board> {
    Ok(vault.create_card(card).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_move(vault: VaultState<'_>, request: CardMove) -> IpcResult<Board> {
    Ok(vault.move_card(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn my_tasks(vault: VaultState<'_>, query: MyTasksQuery) -> IpcResult<Vec<TaskItem>> {
    Ok(vault.my_tasks(query).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn review_queue(vault: VaultState<'_>) -> IpcResult<Vec<TaskItem>> {
    Ok(vault.review_queue().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_review(vault: VaultState<'_>, review: CardReview) -> IpcResult<Board> {
    Ok(vault.review_card(review).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_get(vault: VaultState<'_>, card_id: String) -> IpcResult<CardDetail> {
    Ok(vault.card(&card_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_update(vault: VaultState<'_>, change: CardEdit) -> IpcResult<CardDetail> {
    Ok(vault.update_card(change).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_tick(vault: VaultState<'_>, tick: CardTick) -> IpcResult<CardDetail> {
    Ok(vault.tick_card_item(tick).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_comment(vault: VaultState<'_>, comment: NewCardComment) -> IpcResult<CardDetail> {
    Ok(vault.comment_on_card(comment).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_attachment_add(
    vault: VaultState<'_>,
    attachment: NewCardAttachment,
) -> IpcResult<CardDetail> {
    Ok(vault.attach_to_card(attachment).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_attachment_get(
    vault: VaultState<'_>,
    attachment_id: String,
) -> IpcResult<AttachmentContent> {
    Ok(vault.card_attachment(&attachment_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn card_delete(vault: VaultState<'_>, card_id: String) -> IpcResult<Board> {
    Ok(vault.delete_card(&card_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn column_save(vault: VaultState<'_>, save: ColumnSave) -> IpcResult<Board> {
    Ok(vault.save_column(save).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn column_delete(vault: VaultState<'_>, column_id: String) -> IpcResult<Board> {
    Ok(vault.delete_column(&column_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn task_counts(vault: VaultState<'_>) -> IpcResult<TaskCounts> {
    Ok(vault.task_counts().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn board_column_cards(
    vault: VaultState<'_>,
    page: ColumnPage,
) -> IpcResult<Vec<CardSummary>> {
    Ok(vault.column_cards(page).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_list(vault: VaultState<'_>) -> IpcResult<Vec<FundSummary>> {
    Ok(vault.funds().await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_overview(vault: VaultState<'_>, fund_id: String) -> IpcResult<FundOverview> {
    Ok(vault.fund_overview(&fund_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_create(vault: VaultState<'_>, fund: NewFund) -> IpcResult<FundOverview> {
    Ok(vault.create_fund(fund).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_line_add(vault: VaultState<'_>, line: NewFundLine) -> IpcResult<FundOverview> {
    Ok(vault.add_fund_line(line).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_allocate(
    vault: VaultState<'_>,
    change: FundAllocation,
) -> IpcResult<FundOverview> {
    Ok(vault.allocate_fund(change).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_contribute(
    vault: VaultState<'_>,
    contribution: NewContribution,
) -> IpcResult<FundOverview> {
    Ok(vault.contribute_to_fund(contribution).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_request(
    vault: VaultState<'_>,
    request: NewSpendingRequest,
) -> IpcResult<SpendingRequest> {
    Ok(vault.request_spending(request).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_requests(
    vault: VaultState<'_>,
    query: RequestQuery,
) -> IpcResult<Vec<SpendingRequest>> {
    Ok(vault.spending_requests(query).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_decide(
    vault: VaultState<'_>,
    decision: SpendingDecision,
) -> IpcResult<SpendingRequest> {
    Ok(vault.decide_spending(decision).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_cancel(
    vault: VaultState<'_>,
    cancel: RequestCancel,
) -> IpcResult<SpendingRequest> {
    Ok(vault.cancel_spending(cancel).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_pay(vault: VaultState<'_>, payment: NewPayment) -> IpcResult<SpendingRequest> {
    Ok(vault.pay_spending(payment).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_receipt_get(
    vault: VaultState<'_>,
    receipt_id: String,
) -> IpcResult<AttachmentContent> {
    Ok(vault.fund_receipt(&receipt_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_reverse(
    vault: VaultState<'_>,
    reversal: EntryReversal,
) -> IpcResult<FundOverview> {
    Ok(vault.reverse_fund_entry(reversal).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_ledger(vault: VaultState<'_>, query: LedgerQuery) -> IpcResult<LedgerPage> {
    Ok(vault.fund_ledger(query).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_books_check(vault: VaultState<'_>, fund_id: String) -> IpcResult<BooksCheck> {
    Ok(vault.check_fund_books(&fund_id).await?)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn case_spending(
    vault: VaultState<'_>,
    case_id: String,
) -> IpcResult<Vec<SpendingRequest>> {
    Ok(vault.case_spending(&case_id).await?)
}

/// Export to the person's Downloads folder (or `RUAM_EXPORT_DIR`); returns the file's path.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn fund_ledger_export(
    vault: VaultState<'_>,
    query: LedgerQuery,
) -> IpcResult<ExportedFile> {
    let dir = export_dir(&vault);
    Ok(vault.export_fund_ledger(query, &dir).await?)
}
