//! The role × command matrix: every command of the app so far that acts inside the vault,
//! called by a member of every default role. Each allowed call succeeds; each forbidden
//! call returns `forbidden`, writes nothing, and is written to the audit log as refused.
//!
//! Commands that need no right are in the matrix too (allowed for every role). Those
//! that act before anyone is signed in (status, create, unlock, recovery unlock,
//! passphrase assessment, reading settings) or only end a session (lock, activity) have
//! no actor to authorize; their own tests are in `create`, `unlock` and `recovery`.
//! The matrix grows with each feature.

use ruam_core::access::Permission;
use ruam_core::{Error, Result};

use crate::cards::sign_in_again;
use crate::funds::json;
use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    TeamOverview,
    VillageList,
    VillageAdd,
    VillageUpdate,
    PlaceSearch,
    MemberAdd,
    MemberUpdate,
    MemberSetPassphrase,
    AgencyAdd,
    AgencyUpdate,
    RoleAdd,
    RoleUpdate,
    AuditLog,
    AuditExport,
    RecoveryKeyRegenerate,
    RecoveryKeyAcknowledge,
    BackupPlan,
    BackupNow,
    SettingsSet,
    PassphraseChange,
    CaseCreate,
    CaseList,
    CaseDuplicates,
    CaseSearch,
    CaseOpen,
    CaseNote,
    CaseStatus,
    CaseMembers,
    CaseRefer,
    CaseReferralUpdate,
    CaseConsent,
    CaseAttachmentAdd,
    CaseAttachmentView,
    CaseClose,
    CaseDecideClosure,
    CaseReopen,
    CaseNoteEdit,
    CaseNoteDelete,
    CaseAttachmentDelete,
    CasePersonSave,
    CasePersonRemove,
    CasesHandOver,
    MemberHoldings,
    BoardOpen,
    CardCreate,
    CardMove,
    MyTasks,
    ReviewQueue,
    CardReview,
    CardGet,
    CardUpdate,
    CardTick,
    CardComment,
    CardAttachmentAdd,
    CardAttachmentView,
    CardDelete,
    ColumnSave,
    ColumnDelete,
    TaskCounts,
    BoardColumnCards,
    FundList,
    FundOverview,
    FundCreate,
    FundLineAdd,
    FundAllocate,
    FundContribute,
    FundRequest,
    FundRequests,
    FundDecide,
    FundPay,
    FundCancel,
    FundReverse,
    FundLedger,
    FundLedgerExport,
    FundReceipt,
    FundBooksCheck,
    CaseSpending,
    VolunteerList,
    VolunteerAdd,
    VolunteerUpdate,
    RuleGet,
    RuleSet,
    HouseholdAdd,
    RegisterSearch,
    RegisterChildGet,
    ImportPreview,
    Import,
    ChildCase,
    ChildOfCase,
    DocSteps,
    DocStepAdd,
    DocStepUpdate,
    RegisterExport,
    CommitteeList,
    CommitteeAdd,
    CommitteeUpdate,
    MeetingList,
    MeetingGet,
    MeetingPlan,
    AgendaAdd,
    AttendanceRecord,
    MinutesRecord,
    ReviewMinutesRecord,
    DecisionAdd,
    ActionItemAdd,
    MeetingIcs,
    MeetingPdf,
    ChildUpdate,
}

const COMMANDS: [Command; 108] = [
    Command::TeamOverview,
    Command::VillageList,
    Command::VillageAdd,
    Command::VillageUpdate,
    Command::PlaceSearch,
    Command::MemberAdd,
    Command::MemberUpdate,
    Command::MemberSetPassphrase,
    Command::AgencyAdd,
    Command::AgencyUpdate,
    Command::RoleAdd,
    Command::RoleUpdate,
    Command::AuditLog,
    Command::AuditExport,
    Command::RecoveryKeyRegenerate,
    Command::RecoveryKeyAcknowledge,
    Command::BackupPlan,
    Command::BackupNow,
    Command::SettingsSet,
    Command::CaseCreate,
    Command::CaseList,
    Command::CaseDuplicates,
    Command::CaseSearch,
    Command::CaseOpen,
    Command::CaseNote,
    Command::CaseStatus,
    Command::CaseMembers,
    Command::CaseRefer,
    Command::CaseReferralUpdate,
    Command::CaseConsent,
    Command::CaseAttachmentAdd,
    Command::CaseAttachmentView,
    Command::CaseNoteEdit,
    Command::CaseNoteDelete,
    Command::CaseAttachmentDelete,
    Command::CasePersonSave,
    Command::CasePersonRemove,
    Command::CasesHandOver,
    Command::MemberHoldings,
    Command::BoardOpen,
    Command::CardCreate,
    Command::CardMove,
    Command::MyTasks,
    Command::ReviewQueue,
    Command::CardReview,
    Command::CardGet,
    Command::CardUpdate,
    Command::CardTick,
    Command::CardComment,
    Command::CardAttachmentAdd,
    Command::CardAttachmentView,
    Command::CardDelete,
    Command::ColumnSave,
    Command::ColumnDelete,
    Command::TaskCounts,
    Command::BoardColumnCards,
    Command::FundList,
    Command::FundOverview,
    Command::FundCreate,
    Command::FundLineAdd,
    Command::FundAllocate,
    Command::FundContribute,
    Command::FundRequest,
    Command::FundRequests,
    Command::FundDecide,
    Command::FundPay,
    Command::FundCancel,
    Command::FundReverse,
    Command::FundLedger,
    Command::FundLedgerExport,
    Command::FundReceipt,
    Command::FundBooksCheck,
    Command::CaseSpending,
    Command::VolunteerList,
    Command::VolunteerAdd,
    Command::VolunteerUpdate,
    Command::RuleGet,
    Command::RuleSet,
    Command::HouseholdAdd,
    Command::RegisterSearch,
    Command::RegisterChildGet,
    Command::ImportPreview,
    Command::Import,
    Command::ChildCase,
    Command::ChildOfCase,
    Command::DocSteps,
    Command::DocStepAdd,
    Command::DocStepUpdate,
    Command::RegisterExport,
    Command::CommitteeList,
    Command::CommitteeAdd,
    Command::CommitteeUpdate,
    Command::MeetingList,
    Command::MeetingGet,
    Command::MeetingPlan,
    Command::AgendaAdd,
    Command::AttendanceRecord,
    Command::MinutesRecord,
    Command::ReviewMinutesRecord,
    Command::DecisionAdd,
    Command::ActionItemAdd,
    Command::MeetingIcs,
    Command::MeetingPdf,
    Command::ChildUpdate,
    Command::CaseDecideClosure,
    // Close, then reopen, the target case.
    Command::CaseClose,
    Command::CaseReopen,
    // Last: it changes the caller's passphrase.
    Command::PassphraseChange,
];

impl Command {
    /// The right each command needs (from the issue: leads manage the team, roles, the
    /// audit log and the recovery key; everyone sees the team and keeps their own
    /// passphrase and device settings).
    fn needs(self) -> Option<Permission> {
        match self {
            Command::MemberAdd
            | Command::MemberUpdate
            | Command::MemberSetPassphrase
            | Command::AgencyAdd
            | Command::AgencyUpdate => Some(Permission::ManageTeam),
            Command::RoleAdd | Command::RoleUpdate => Some(Permission::ManageRoles),
            Command::AuditLog | Command::AuditExport => Some(Permission::ReadAudit),
            Command::RecoveryKeyRegenerate
            | Command::RecoveryKeyAcknowledge
            | Command::BackupPlan
            | Command::BackupNow => Some(Permission::ManageRecovery),
            Command::TeamOverview | Command::SettingsSet | Command::PassphraseChange => None,
            // Every member sees the villages; those who keep the register change them.
            Command::VillageList | Command::PlaceSearch => None,
            Command::VillageAdd | Command::VillageUpdate => Some(Permission::ManageCommunity),
            Command::CaseCreate => Some(Permission::CreateCases),
            Command::CaseList
            | Command::CaseDuplicates
            | Command::CaseSearch
            | Command::MyTasks
            | Command::ReviewQueue
            | Command::TaskCounts => None,
            // The target card waits for its own reviewer: only a lead may sign it off.
            Command::CardReview => Some(Permission::ApproveCases),
            // The caller is not on the target case: only those who oversee every case
            // see it and work on it, and only those who may approve close or reopen it.
            Command::CaseOpen
            | Command::CaseNote
            | Command::CaseStatus
            | Command::CaseMembers
            | Command::CaseRefer
            | Command::CaseReferralUpdate
            | Command::CaseConsent
            | Command::CaseAttachmentAdd
            | Command::CaseAttachmentView
            | Command::CaseNoteEdit
            | Command::CaseNoteDelete
            | Command::CaseAttachmentDelete
            | Command::CasePersonSave
            | Command::CasePersonRemove => Some(Permission::OverseeCases),
            // Staff turnover is a lead's: one who oversees every case.
            Command::CasesHandOver | Command::MemberHoldings => Some(Permission::OverseeCases),
            // The target case's board follows the case.
            Command::BoardOpen
            | Command::CardCreate
            | Command::CardMove
            | Command::CardGet
            | Command::CardUpdate
            | Command::CardTick
            | Command::CardComment
            | Command::CardAttachmentAdd
            | Command::CardAttachmentView
            | Command::CardDelete
            | Command::ColumnSave
            | Command::ColumnDelete
            | Command::BoardColumnCards => Some(Permission::OverseeCases),
            Command::CaseClose | Command::CaseDecideClosure | Command::CaseReopen => {
                Some(Permission::ApproveCases)
            }
            // Every member reads the funds' totals and their own requests.
            Command::FundList | Command::FundOverview | Command::FundRequests => None,
            Command::FundCreate
            | Command::FundLineAdd
            | Command::FundAllocate
            | Command::FundContribute
            | Command::FundPay
            | Command::FundCancel
            | Command::FundReverse => Some(Permission::ManageFunds),
            Command::FundRequest => Some(Permission::RequestSpending),
            Command::FundDecide => Some(Permission::ApproveSpending),
            // Managing funds or approving spending: both with the lead alone by default.
            Command::FundLedger
            | Command::FundLedgerExport
            | Command::FundReceipt
            | Command::FundBooksCheck => Some(Permission::ManageFunds),
            // The caller is not on the case the spending is for.
            Command::CaseSpending => Some(Permission::OverseeCases),
            // Every member sees the volunteers and the rule; the children are seen by
            // those who keep the register (who may all open cases).
            Command::VolunteerList | Command::RuleGet => None,
            Command::VolunteerAdd
            | Command::VolunteerUpdate
            | Command::RuleSet
            | Command::HouseholdAdd
            | Command::RegisterSearch
            | Command::RegisterChildGet
            | Command::ImportPreview
            | Command::Import
            | Command::ChildCase
            | Command::RegisterExport
            | Command::ChildUpdate => Some(Permission::ManageCommunity),
            // The documentation steps are the target case's.
            Command::ChildOfCase
            | Command::DocSteps
            | Command::DocStepAdd
            | Command::DocStepUpdate => Some(Permission::OverseeCases),
            // Every member sees the committees and meetings; those who manage the team
            // make committees, and run meetings of committees they are not on.
            Command::CommitteeList
            | Command::MeetingList
            | Command::MeetingGet
            | Command::MeetingIcs
            | Command::MeetingPdf => None,
            Command::CommitteeAdd
            | Command::CommitteeUpdate
            | Command::MeetingPlan
            | Command::AgendaAdd
            | Command::AttendanceRecord
            | Command::MinutesRecord
            | Command::ReviewMinutesRecord
            | Command::DecisionAdd
            | Command::ActionItemAdd => Some(Permission::ManageTeam),
        }
    }

    /// The action name a refusal is recorded under.
    fn audit_name(self) -> &'static str {
        match self {
            Command::TeamOverview => "team.view",
            Command::VillageList | Command::PlaceSearch => "community.view",
            Command::VillageAdd | Command::VillageUpdate => "community.manage",
            Command::MemberAdd => "member.add",
            Command::MemberUpdate => "member.update",
            Command::MemberSetPassphrase => "member.passphrase.set",
            Command::AgencyAdd => "agency.add",
            Command::AgencyUpdate => "agency.update",
            Command::RoleAdd => "role.add",
            Command::RoleUpdate => "role.update",
            Command::AuditLog => "audit.read",
            Command::AuditExport => "audit.export",
            Command::RecoveryKeyRegenerate => "recovery_key.replace",
            Command::RecoveryKeyAcknowledge => "recovery_key.acknowledge",
            Command::BackupPlan | Command::BackupNow => "vault.backup",
            Command::SettingsSet => "settings.change",
            Command::PassphraseChange => "passphrase.change",
            Command::CaseCreate => "case.create",
            Command::CaseList | Command::CaseDuplicates | Command::CaseSearch => "case.find",
            Command::CaseOpen => "case.view",
            Command::CaseNote
            | Command::CaseAttachmentAdd
            | Command::CaseNoteEdit
            | Command::CaseNoteDelete
            | Command::CaseAttachmentDelete => "case.section.write",
            Command::CasePersonSave | Command::CasePersonRemove => "case.update",
            Command::CasesHandOver | Command::MemberHoldings => "case.handover",
            // Cards a caller may not see refuse at seeing; those they see, at working.
            Command::BoardOpen
            | Command::CardGet
            | Command::CardTick
            | Command::CardComment
            | Command::CardAttachmentAdd
            | Command::CardAttachmentView
            | Command::BoardColumnCards => "board.view",
            Command::CardCreate
            | Command::CardMove
            | Command::CardUpdate
            | Command::CardDelete
            | Command::ColumnSave
            | Command::ColumnDelete => "board.work",
            Command::MyTasks | Command::ReviewQueue | Command::TaskCounts => "tasks.list",
            Command::CardReview => "card.review",
            Command::CaseAttachmentView => "case.section.view",
            Command::CaseStatus => "case.update",
            Command::CaseMembers => "case.members",
            Command::CaseRefer | Command::CaseReferralUpdate | Command::CaseConsent => "case.refer",
            // Without the right to close, a closure is a request, refused to outsiders.
            Command::CaseClose => "case.close.request",
            Command::CaseDecideClosure | Command::CaseReopen => "case.close",
            Command::FundList | Command::FundOverview | Command::FundRequests => "fund.view",
            Command::FundCreate
            | Command::FundLineAdd
            | Command::FundAllocate
            | Command::FundContribute
            | Command::FundPay
            | Command::FundReverse => "fund.manage",
            // Another's request is out of sight for those who do not read the ledger.
            Command::FundCancel => "fund.manage",
            Command::FundRequest => "fund.request",
            Command::FundDecide => "fund.decide",
            Command::FundLedger
            | Command::FundLedgerExport
            | Command::FundReceipt
            | Command::FundBooksCheck => "fund.ledger.read",
            Command::CaseSpending => "case.view",
            Command::VolunteerList | Command::RuleGet => "community.view",
            Command::VolunteerAdd
            | Command::VolunteerUpdate
            | Command::RuleSet
            | Command::HouseholdAdd
            | Command::RegisterSearch
            | Command::RegisterChildGet
            | Command::ImportPreview
            | Command::Import
            | Command::ChildCase
            | Command::RegisterExport
            | Command::ChildUpdate => "community.manage",
            Command::ChildOfCase | Command::DocSteps => "case.view",
            Command::DocStepAdd | Command::DocStepUpdate => "case.update",
            Command::CommitteeList
            | Command::MeetingList
            | Command::MeetingGet
            | Command::MeetingIcs
            | Command::MeetingPdf => "meeting.view",
            Command::CommitteeAdd | Command::CommitteeUpdate => "committee.manage",
            Command::MeetingPlan
            | Command::AgendaAdd
            | Command::AttendanceRecord
            | Command::MinutesRecord
            | Command::ReviewMinutesRecord
            | Command::DecisionAdd
            | Command::ActionItemAdd => "meeting.run",
        }
    }
}

/// What the commands act on: an agency, a role and a member that are not the caller.
struct Targets {
    agency_id: String,
    /// A village to change.
    village_id: String,
    role_id: String,
    other: ruam_core::team::Member,
    /// A case the callers are not on, with a referral and a general attachment.
    case_id: String,
    referral_id: String,
    attachment_id: String,
    /// A case whose closure a case worker asked for.
    requested_id: String,
    /// On the target case: a note to correct, one to delete, an attachment to delete and
    /// a person to remove; and the case worker who opened the target cases.
    note_id: String,
    deleted_note_id: String,
    deleted_attachment_id: String,
    person_id: String,
    owner_id: String,
    /// A card on the target case's board, and another column of that board.
    card_id: String,
    column_id: String,
    /// A card on the target case waiting for its reviewer (the case's owner).
    review_card_id: String,
    /// On the target case: a card with a checklist item and an attachment, a card to
    /// delete, the board and an empty column the team added.
    tick_card_id: String,
    item_id: String,
    card_attachment_id: String,
    delete_card_id: String,
    board_id: String,
    extra_column_id: String,
    funds: FundTargets,
    register: RegisterTargets,
    meetings: MeetingTargets,
}

/// A fund with money on a line; the case owner's requests: one waiting for a decision,
/// one approved (to pay), one to cancel; a contribution to reverse; a paid request's
/// receipt.
struct FundTargets {
    fund_id: String,
    line_id: String,
    agency_id: String,
    pending_id: String,
    approved_id: String,
    cancel_id: String,
    contribution_id: String,
    receipt_id: String,
}

/// Set up by the lead, with requests from the case owner (for the target case).
async fn fund_targets(t: &TestVault, agency_id: &str, case_id: &str) -> FundTargets {
    let v = &t.vault;
    let fund = v
        .create_fund(
            serde_json::from_value(serde_json::json!({
                "name": "Target fund", "startsOn": "2026-01-01", "endsOn": "2026-12-31",
                "secondApprovalAbove": "100,000", "lines": ["Target line"],
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let fund_id = fund.fund.id.clone();
    let line_id = fund.lines[0].id.clone();
    for amount in ["900,000", "100"] {
        v.contribute_to_fund(serde_json::from_value(serde_json::json!({
            "fundId": fund_id, "agencyId": agency_id, "amount": amount, "receivedOn": "2026-03-01",
        })).unwrap())
        .await
        .unwrap();
    }
    v.allocate_fund(
        serde_json::from_value(serde_json::json!({
            "fundId": fund_id, "toLineId": line_id, "amount": "500,000",
        }))
        .unwrap(),
    )
    .await
    .unwrap();
    let ledger = v
        .fund_ledger(ruam_core::vault::LedgerQuery {
            fund_id: fund_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let contribution_id = ledger
        .entries
        .iter()
        .find(|e| e.amount.text == "100.00 THB")
        .unwrap()
        .id
        .clone();
    sign_in_again(t, "owner").await;
    let mut asked = Vec::new();
    for purpose in ["Pending", "Approved", "To cancel", "Paid"] {
        asked.push(
            v.request_spending(
                serde_json::from_value(serde_json::json!({
                    "fundId": fund_id, "lineId": line_id, "amount": "1,000", "purpose": purpose,
                    "caseId": case_id,
                }))
                .unwrap(),
            )
            .await
            .unwrap()
            .id,
        );
    }
    sign_in_lead(t).await;
    for id in [&asked[1], &asked[3]] {
        v.decide_spending(
            serde_json::from_value(serde_json::json!({
                "requestId": id, "approve": true,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    }
    let paid = v
        .pay_spending(
            serde_json::from_value(serde_json::json!({
                "requestId": asked[3], "paidOn": "2026-03-02", "method": "cash",
                "receiptFileName": "receipt.pdf", "receiptBase64": "JVBERi0xLjQK",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    FundTargets {
        fund_id,
        line_id,
        agency_id: agency_id.to_owned(),
        pending_id: asked[0].clone(),
        approved_id: asked[1].clone(),
        cancel_id: asked[2].clone(),
        contribution_id,
        receipt_id: paid.payment.unwrap().receipt_id.unwrap(),
    }
}

async fn call_fund(t: &TestVault, command: Command, targets: &Targets, n: usize) -> Result<()> {
    let v = &t.vault;
    let f = &targets.funds;
    let ledger = || ruam_core::vault::LedgerQuery {
        fund_id: f.fund_id.clone(),
        ..Default::default()
    };
    match command {
        Command::FundList => v.funds().await.map(drop),
        Command::FundOverview => v.fund_overview(&f.fund_id).await.map(drop),
        Command::FundCreate => v
            .create_fund(json(serde_json::json!({
                "name": format!("Fund {n}"), "startsOn": "2026-01-01", "endsOn": "2026-12-31",
                "secondApprovalAbove": "0",
            })))
            .await
            .map(drop),
        Command::FundLineAdd => v
            .add_fund_line(json(serde_json::json!({ "fundId": f.fund_id, "name": format!("Line {n}") })))
            .await
            .map(drop),
        Command::FundAllocate => v
            .allocate_fund(json(serde_json::json!({
                "fundId": f.fund_id, "toLineId": f.line_id, "amount": "1",
            })))
            .await
            .map(drop),
        Command::FundContribute => v
            .contribute_to_fund(json(serde_json::json!({
                "fundId": f.fund_id, "agencyId": f.agency_id, "amount": "1", "receivedOn": "2026-03-01",
            })))
            .await
            .map(drop),
        Command::FundRequest => v
            .request_spending(json(serde_json::json!({
                "fundId": f.fund_id, "lineId": f.line_id, "amount": "1", "purpose": format!("Bus fare {n}"),
            })))
            .await
            .map(drop),
        Command::FundRequests => v
            .spending_requests(json(serde_json::json!({ "fundId": f.fund_id })))
            .await
            .map(drop),
        Command::FundDecide => v
            .decide_spending(json(serde_json::json!({ "requestId": f.pending_id, "approve": true })))
            .await
            .map(drop),
        Command::FundPay => v
            .pay_spending(json(serde_json::json!({
                "requestId": f.approved_id, "paidOn": "2026-03-02", "method": "cash",
                "receiptFileName": "receipt.pdf", "receiptBase64": "JVBERi0xLjQK",
            })))
            .await
            .map(drop),
        Command::FundCancel => v
            .cancel_spending(json(serde_json::json!({ "requestId": f.cancel_id, "reason": "Not needed" })))
            .await
            .map(drop),
        Command::FundReverse => v
            .reverse_fund_entry(json(serde_json::json!({ "entryId": f.contribution_id, "reason": "Typed twice" })))
            .await
            .map(drop),
        Command::FundLedger => v.fund_ledger(ledger()).await.map(drop),
        Command::FundLedgerExport => {
            let dir = tempfile::tempdir().unwrap();
            v.export_fund_ledger(ledger(), dir.path()).await.map(drop)
        }
        Command::FundReceipt => v.fund_receipt(&f.receipt_id).await.map(drop),
        Command::FundBooksCheck => v.check_fund_books(&f.fund_id).await.map(drop),
        Command::CaseSpending => v.case_spending(&targets.case_id).await.map(drop),
        _ => unreachable!("{command:?} is not a fund command"),
    }
}

/// A village of the register with a volunteer, one child for each role to open a case
/// for, and a documentation step on the target case.
struct RegisterTargets {
    village_id: String,
    volunteer_id: String,
    child_ids: Vec<String>,
    step_id: String,
}

async fn register_targets(t: &TestVault, case_id: &str, roles: usize) -> RegisterTargets {
    use crate::register::{child, household, volunteer, wellbeing};
    let v = &t.vault;
    let village_id = v
        .add_village(crate::community::village("บ้านห้วยไคร้", Some(5)))
        .await
        .unwrap()
        .id;
    let volunteer_id = v
        .add_volunteer(volunteer("สมศรี ใจดี", &village_id))
        .await
        .unwrap()
        .id;
    let children: Vec<serde_json::Value> = (0..roles)
        .map(|n| {
            child(
                &format!("Target {n}"),
                "2014-01-01",
                "attending",
                "stateless",
                "relatives",
            )
        })
        .collect();
    let page = v
        .add_household(household(
            &village_id,
            &volunteer_id,
            "target",
            wellbeing("low", "one", false, false, true, None),
            serde_json::Value::Array(children),
        ))
        .await
        .unwrap();
    let mut child_ids: Vec<(String, String)> =
        page.children.into_iter().map(|c| (c.name, c.id)).collect();
    child_ids.sort();
    let step_id = v
        .add_documentation_step(json(serde_json::json!({
            "caseId": case_id, "kind": "birth_registration", "status": "planned",
        })))
        .await
        .unwrap()[0]
        .id
        .clone();
    RegisterTargets {
        village_id,
        volunteer_id,
        child_ids: child_ids.into_iter().map(|(_, id)| id).collect(),
        step_id,
    }
}

async fn call_register(t: &TestVault, command: Command, targets: &Targets, n: usize) -> Result<()> {
    use crate::register::{child, household, volunteer, wellbeing, HEADER};
    let v = &t.vault;
    let r = &targets.register;
    let survey = || {
        format!(
            "{HEADER}\nบ้านห้วยไคร้,5,file {n},2026-10-01,สมศรี ใจดี,low,one,no,no,yes,,Imported {n},male,2015-05-05,attending,thai_id,one_parent\n"
        )
        .into_bytes()
    };
    match command {
        Command::VolunteerList => v.volunteers(None).await.map(drop),
        Command::VolunteerAdd => v
            .add_volunteer(volunteer(&format!("Volunteer {n}"), &r.village_id))
            .await
            .map(drop),
        Command::VolunteerUpdate => v
            .update_volunteer(ruam_core::community::volunteers::VolunteerUpdate {
                id: r.volunteer_id.clone(),
                volunteer: volunteer("สมศรี ใจดี", &r.village_id),
            })
            .await
            .map(drop),
        Command::RuleGet => v.register_rule().await.map(drop),
        Command::RuleSet => v
            .set_register_rule(ruam_core::community::rule::VulnerabilityRule::default())
            .await
            .map(drop),
        Command::HouseholdAdd => v
            .add_household(household(
                &r.village_id,
                &r.volunteer_id,
                &format!("house {n}"),
                wellbeing("sufficient", "none", false, false, true, None),
                serde_json::json!([child(
                    &format!("Child {n}"),
                    "2016-02-02",
                    "attending",
                    "thai_id",
                    "both_parents"
                )]),
            ))
            .await
            .map(drop),
        Command::RegisterSearch => v
            .search_register(ruam_core::community::register::RegisterQuery::default())
            .await
            .map(drop),
        Command::RegisterChildGet => v.register_child(&r.child_ids[0]).await.map(drop),
        Command::ImportPreview => v.preview_register_import(survey()).await.map(drop),
        Command::Import => {
            let digest = hex::encode(ring::digest::digest(&ring::digest::SHA256, &survey()));
            v.import_register(survey(), &digest, |_| {}).await.map(drop)
        }
        Command::ChildCase => v
            .open_case_for_child(&r.child_ids[(n - 1) / COMMANDS.len()])
            .await
            .map(drop),
        Command::ChildOfCase => v.register_child_of_case(&targets.case_id).await.map(drop),
        Command::DocSteps => v.documentation_steps(&targets.case_id).await.map(drop),
        Command::DocStepAdd => v
            .add_documentation_step(json(serde_json::json!({
                "caseId": targets.case_id, "kind": "hearing", "status": "planned",
            })))
            .await
            .map(drop),
        Command::DocStepUpdate => v
            .update_documentation_step(json(serde_json::json!({
                "id": r.step_id, "status": "in_progress", "happenedOn": "2026-11-01",
            })))
            .await
            .map(drop),
        Command::ChildUpdate => v
            .update_register_child(ruam_core::community::register::ChildUpdate {
                id: r.child_ids[0].clone(),
                child: crate::funds::json(child(
                    "Target 0",
                    "2014-01-01",
                    "attending",
                    "stateless",
                    "relatives",
                )),
            })
            .await
            .map(drop),
        Command::RegisterExport => {
            let dir = tempfile::tempdir().unwrap();
            v.export_register(
                ruam_core::community::register::RegisterQuery::default(),
                dir.path(),
            )
            .await
            .map(drop)
        }
        _ => unreachable!("{command:?} is not a register command"),
    }
}

/// A committee none of the callers is on, a meeting of it with one case review of the
/// target case for each role (each review's minutes are written once).
struct MeetingTargets {
    committee_id: String,
    meeting_id: String,
    review_ids: Vec<String>,
}

async fn meeting_targets(
    t: &TestVault,
    case_id: &str,
    owner_id: &str,
    roles: usize,
) -> MeetingTargets {
    use ruam_core::meetings::{CommitteeKind, Frequency, NewAgendaItem, NewCommittee, NewMeeting};
    let v = &t.vault;
    let committee_id = v
        .add_committee(NewCommittee {
            name: "Target committee".into(),
            kind: CommitteeKind::Committee,
            frequency: Frequency::Monthly,
            chair_id: None,
            member_ids: vec![owner_id.to_owned()],
        })
        .await
        .unwrap()
        .id;
    let planned = v
        .plan_meeting(NewMeeting {
            committee_id: committee_id.clone(),
            starts_at: "2027-01-14T09:30".into(),
            minutes_long: 60,
            place: "District office".into(),
            agenda: (0..roles)
                .map(|_| NewAgendaItem {
                    title: None,
                    case_id: Some(case_id.to_owned()),
                })
                .collect(),
        })
        .await
        .unwrap();
    MeetingTargets {
        committee_id,
        meeting_id: planned.summary.id,
        review_ids: planned.agenda.into_iter().map(|i| i.id).collect(),
    }
}

async fn call_meeting(t: &TestVault, command: Command, targets: &Targets, n: usize) -> Result<()> {
    use ruam_core::meetings::{
        Attendance, AttendanceUpdate, Attendee, CommitteeKind, CommitteeUpdate, Frequency,
        MeetingStatus, MinutesUpdate, NewActionItem, NewAgendaItem, NewCommittee, NewDecision,
        NewMeeting, ReviewMinutes,
    };
    let v = &t.vault;
    let m = &targets.meetings;
    let committee = |name: String| NewCommittee {
        name,
        kind: CommitteeKind::WorkingGroup,
        frequency: Frequency::AsNeeded,
        chair_id: None,
        member_ids: vec![targets.owner_id.clone()],
    };
    match command {
        Command::CommitteeList => v.committees().await.map(drop),
        Command::CommitteeAdd => v
            .add_committee(committee(format!("Committee {n}")))
            .await
            .map(drop),
        Command::CommitteeUpdate => v
            .update_committee(CommitteeUpdate {
                id: m.committee_id.clone(),
                committee: committee(format!("Target committee {n}")),
            })
            .await
            .map(drop),
        Command::MeetingList => v.meetings(true).await.map(drop),
        Command::MeetingGet => v.meeting(&m.meeting_id).await.map(drop),
        Command::MeetingPlan => v
            .plan_meeting(NewMeeting {
                committee_id: m.committee_id.clone(),
                starts_at: "2027-02-11T09:30".into(),
                minutes_long: 60,
                place: format!("Room {n}"),
                agenda: vec![],
            })
            .await
            .map(drop),
        Command::AgendaAdd => v
            .add_agenda_item(
                &m.meeting_id,
                NewAgendaItem {
                    title: Some(format!("Topic {n}")),
                    case_id: None,
                },
            )
            .await
            .map(drop),
        Command::AttendanceRecord => v
            .record_attendance(AttendanceUpdate {
                meeting_id: m.meeting_id.clone(),
                attendees: vec![Attendee {
                    member_id: targets.owner_id.clone(),
                    attendance: Attendance::Present,
                }],
            })
            .await
            .map(drop),
        Command::MinutesRecord => v
            .record_minutes(MinutesUpdate {
                meeting_id: m.meeting_id.clone(),
                minutes: Some(format!("Minutes {n}")),
                status: MeetingStatus::Planned,
            })
            .await
            .map(drop),
        Command::ReviewMinutesRecord => v
            .record_review_minutes(ReviewMinutes {
                item_id: m.review_ids[(n - 1) / COMMANDS.len()].clone(),
                section: "general".into(),
                body: format!("Reviewed {n}"),
            })
            .await
            .map(drop),
        Command::DecisionAdd => v
            .add_decision(NewDecision {
                meeting_id: m.meeting_id.clone(),
                text: format!("Decision {n}"),
            })
            .await
            .map(drop),
        Command::ActionItemAdd => v
            .add_action_item(NewActionItem {
                meeting_id: m.meeting_id.clone(),
                card: crate::boards::card(None, &format!("Action {n}")),
            })
            .await
            .map(drop),
        Command::MeetingIcs => {
            let dir = tempfile::tempdir().unwrap();
            v.export_meeting_ics(&m.meeting_id, dir.path())
                .await
                .map(drop)
        }
        Command::MeetingPdf => {
            let dir = tempfile::tempdir().unwrap();
            v.export_meeting_pdf(&m.meeting_id, dir.path())
                .await
                .map(drop)
        }
        _ => unreachable!("{command:?} is not a meeting command"),
    }
}

async fn call(t: &TestVault, command: Command, targets: &Targets, n: usize) -> Result<()> {
    let v = &t.vault;
    let json = |value: serde_json::Value| value;
    match command {
        Command::TeamOverview => v.team_overview().await.map(drop),
        Command::VillageList => v.villages().await.map(drop),
        Command::PlaceSearch => v.find_places("แม่สาย".into()).await.map(drop),
        Command::VillageAdd => v
            .add_village(crate::community::village(&format!("บ้านทดสอบ {n}"), None))
            .await
            .map(drop),
        Command::VillageUpdate => v
            .update_village(ruam_core::community::villages::VillageUpdate {
                id: targets.village_id.clone(),
                village: crate::community::village(&format!("บ้านป่าสัก {n}"), Some(3)),
            })
            .await
            .map(drop),
        Command::MemberAdd => v
            .add_member(new_member(
                &format!("Added {n}"),
                &format!("added{n}"),
                "viewer",
            ))
            .await
            .map(drop),
        Command::MemberUpdate => {
            let o = &targets.other;
            let update = serde_json::from_value(json(serde_json::json!({
                "id": o.id, "displayName": o.display_name, "role": o.role,
                "discipline": "education", "agencyId": null, "phone": format!("053 000 {n:03}"),
                "email": null, "status": "active",
            })))
            .unwrap();
            v.update_member(update).await.map(drop)
        }
        Command::MemberSetPassphrase => {
            let request = serde_json::from_value(serde_json::json!({
                "memberId": targets.other.id, "firstPassphrase": FIRST,
            }))
            .unwrap();
            v.set_member_passphrase(request).await
        }
        Command::AgencyAdd => v
            .add_agency(
                serde_json::from_value(
                    serde_json::json!({ "name": format!("Agency {n}"), "kind": "ngo" }),
                )
                .unwrap(),
            )
            .await
            .map(drop),
        Command::AgencyUpdate => v
            .update_agency(
                serde_json::from_value(serde_json::json!({
                    "id": targets.agency_id,
                    "agency": { "name": "Target agency", "kind": "health", "contact": format!("{n}") },
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::RoleAdd => v
            .add_role(
                serde_json::from_value(serde_json::json!({
                    "name": format!("Role {n}"), "description": null, "permissions": [],
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::RoleUpdate => v
            .update_role(
                serde_json::from_value(serde_json::json!({
                    "id": targets.role_id,
                    "role": { "name": "Target role", "description": format!("{n}"), "permissions": [] },
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::AuditLog => v
            .audit_log(ruam_core::vault::AuditQuery::default())
            .await
            .map(drop),
        Command::AuditExport => v
            .export_audit_log(ruam_core::vault::AuditQuery::default(), t.dir.path())
            .await
            .map(drop),
        Command::RecoveryKeyRegenerate => {
            let own = if v.status().await.member.unwrap().sign_in_name == LEAD {
                PASSPHRASE
            } else {
                OWN
            };
            v.regenerate_recovery_key(confirm(own)).await.map(drop)
        }
        Command::RecoveryKeyAcknowledge => v.acknowledge_recovery_key().await.map(drop),
        Command::BackupPlan => v.backup_plan(t.dir.path()).await.map(drop),
        Command::BackupNow => v
            .back_up(Some(t.dir.path()), std::sync::Arc::new(|_| {}))
            .await
            .map(drop),
        Command::SettingsSet => v
            .update_settings(
                serde_json::from_value(
                    serde_json::json!({ "language": null, "autoLockMinutes": 15 }),
                )
                .unwrap(),
            )
            .await
            .map(drop),
        Command::CaseCreate => v
            .create_case(crate::cases::new_case(&format!("Child {n}"), 2012))
            .await
            .map(drop),
        Command::CaseList => v.list_cases(false, None).await.map(drop),
        Command::CaseDuplicates => v
            .case_duplicates("Target child".into(), Some(2013))
            .await
            .map(drop),
        Command::CaseSearch => v.search_cases("Target").await.map(drop),
        Command::CaseOpen => v.open_case(&targets.case_id).await.map(drop),
        Command::CaseNote => v
            .add_case_note(ruam_core::vault::NewNote {
                case_id: targets.case_id.clone(),
                section: "general".into(),
                body: format!("note {n}"),
            })
            .await
            .map(drop),
        Command::CaseStatus => v
            .set_case_status(&targets.case_id, "assessment")
            .await
            .map(drop),
        Command::CaseMembers => v
            .change_case_member(
                serde_json::from_value(serde_json::json!({
                    "caseId": targets.case_id, "memberId": targets.other.id, "responsibility": "review",
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::CaseRefer => v
            .refer_case(
                serde_json::from_value(serde_json::json!({
                    "caseId": targets.case_id, "toLevel": "district", "reason": format!("r{n}"),
                    "referredOn": "2026-11-20",
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::CaseReferralUpdate => v
            .update_referral(
                serde_json::from_value(serde_json::json!({
                    "caseId": targets.case_id, "referralId": targets.referral_id,
                    "status": "sent", "outcome": format!("{n}"),
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::CaseConsent => v
            .record_consent(
                serde_json::from_value(serde_json::json!({
                    "caseId": targets.case_id, "givenBy": "person", "services": true,
                    "reporting": false, "shareWith": [], "givenOn": "2026-11-20",
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::CaseAttachmentAdd => v
            .add_attachment(ruam_core::vault::NewAttachment {
                case_id: targets.case_id.clone(),
                section: "general".into(),
                file_name: "scan.pdf".into(),
                content_base64: "JVBERi0xLjQK".into(),
            })
            .await
            .map(drop),
        Command::CaseAttachmentView => v.attachment(&targets.attachment_id).await.map(drop),
        Command::CaseNoteEdit => v
            .edit_case_note(ruam_core::vault::NoteEdit {
                note_id: targets.note_id.clone(),
                body: format!("Corrected {n}"),
            })
            .await
            .map(drop),
        Command::CaseNoteDelete => v.delete_case_note(&targets.deleted_note_id).await.map(drop),
        Command::CaseAttachmentDelete => v
            .delete_case_attachment(&targets.deleted_attachment_id)
            .await
            .map(drop),
        Command::CasePersonSave => v
            .save_case_person(
                serde_json::from_value(serde_json::json!({
                    "caseId": targets.case_id, "personId": null,
                    "person": { "party": "witness", "name": format!("Witness {n}"), "sex": "male",
                                "documentation": "unknown" },
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::CasePersonRemove => v
            .remove_case_person(ruam_core::vault::PersonRemoval {
                case_id: targets.case_id.clone(),
                person_id: targets.person_id.clone(),
            })
            .await
            .map(drop),
        Command::MemberHoldings => v.member_holdings(&targets.owner_id).await.map(drop),
        Command::CasesHandOver => v
            .hand_over(ruam_core::vault::HandOver {
                from_member_id: targets.owner_id.clone(),
                to_member_id: targets.other.id.clone(),
                note: format!("Handover {n}"),
                items: None,
            })
            .await
            .map(drop),
        Command::BoardOpen => v.open_board(Some(targets.case_id.clone())).await.map(drop),
        Command::CardCreate => v
            .create_card(crate::boards::card(Some(&targets.case_id), &format!("Task {n}")))
            .await
            .map(drop),
        Command::CardMove => v
            .move_card(ruam_core::vault::CardMove {
                card_id: targets.card_id.clone(),
                column_id: targets.column_id.clone(),
                position: 0,
            })
            .await
            .map(drop),
        Command::MyTasks => v.my_tasks(Default::default()).await.map(drop),
        Command::ReviewQueue => v.review_queue().await.map(drop),
        Command::CardReview => v
            .review_card(ruam_core::vault::CardReview {
                card_id: targets.review_card_id.clone(),
                approve: true,
                comment: None,
            })
            .await
            .map(drop),
        Command::CardGet => v.card(&targets.card_id).await.map(drop),
        Command::CardUpdate => v
            .update_card(ruam_core::vault::CardEdit {
                card_id: targets.card_id.clone(),
                title: format!("Edited {n}"),
                description: None,
                assignee_ids: vec![],
                agency_id: None,
                starts_on: None,
                due_on: None,
                priority: None,
                reviewer_id: None,
                labels: vec![],
                checklist: vec![],
                case_id: Some(targets.case_id.clone()),
            })
            .await
            .map(drop),
        Command::CardTick => v
            .tick_card_item(ruam_core::vault::CardTick {
                card_id: targets.tick_card_id.clone(),
                item_id: targets.item_id.clone(),
                done: n.is_multiple_of(2),
            })
            .await
            .map(drop),
        Command::CardComment => v
            .comment_on_card(ruam_core::vault::NewCardComment {
                card_id: targets.tick_card_id.clone(),
                body: format!("Comment {n}"),
            })
            .await
            .map(drop),
        Command::CardAttachmentAdd => v
            .attach_to_card(ruam_core::vault::NewCardAttachment {
                card_id: targets.tick_card_id.clone(),
                file_name: "scan.pdf".into(),
                content_base64: "JVBERi0xLjQK".into(),
            })
            .await
            .map(drop),
        Command::CardAttachmentView => v.card_attachment(&targets.card_attachment_id).await.map(drop),
        Command::CardDelete => v.delete_card(&targets.delete_card_id).await.map(drop),
        Command::ColumnSave => v
            .save_column(ruam_core::vault::ColumnSave {
                board_id: targets.board_id.clone(),
                column_id: None,
                name: Some(format!("Column {n}")),
                position: None,
            })
            .await
            .map(drop),
        Command::ColumnDelete => v.delete_column(&targets.extra_column_id).await.map(drop),
        Command::TaskCounts => v.task_counts().await.map(drop),
        Command::BoardColumnCards => v
            .column_cards(ruam_core::vault::ColumnPage {
                column_id: targets.column_id.clone(),
                from: 0,
            })
            .await
            .map(drop),
        Command::CaseClose => v
            .close_case(ruam_core::vault::CloseCase {
                case_id: targets.case_id.clone(),
                outcome: Some("no_further_action".into()),
            })
            .await
            .map(drop),
        Command::CaseDecideClosure => v
            .decide_case_closure(&targets.requested_id, false)
            .await
            .map(drop),
        Command::CaseReopen => v.reopen_case(&targets.case_id).await.map(drop),
        Command::FundList
        | Command::FundOverview
        | Command::FundCreate
        | Command::FundLineAdd
        | Command::FundAllocate
        | Command::FundContribute
        | Command::FundRequest
        | Command::FundRequests
        | Command::FundDecide
        | Command::FundPay
        | Command::FundCancel
        | Command::FundReverse
        | Command::FundLedger
        | Command::FundLedgerExport
        | Command::FundReceipt
        | Command::FundBooksCheck
        | Command::CaseSpending => call_fund(t, command, targets, n).await,
        Command::VolunteerList
        | Command::VolunteerAdd
        | Command::VolunteerUpdate
        | Command::RuleGet
        | Command::RuleSet
        | Command::HouseholdAdd
        | Command::RegisterSearch
        | Command::RegisterChildGet
        | Command::ImportPreview
        | Command::Import
        | Command::ChildCase
        | Command::ChildOfCase
        | Command::DocSteps
        | Command::DocStepAdd
        | Command::DocStepUpdate
        | Command::RegisterExport
        | Command::ChildUpdate => call_register(t, command, targets, n).await,
        Command::CommitteeList
        | Command::CommitteeAdd
        | Command::CommitteeUpdate
        | Command::MeetingList
        | Command::MeetingGet
        | Command::MeetingPlan
        | Command::AgendaAdd
        | Command::AttendanceRecord
        | Command::MinutesRecord
        | Command::ReviewMinutesRecord
        | Command::DecisionAdd
        | Command::ActionItemAdd
        | Command::MeetingIcs
        | Command::MeetingPdf => call_meeting(t, command, targets, n).await,
        Command::PassphraseChange => {
            let own = if v.status().await.member.unwrap().sign_in_name == LEAD {
                PASSPHRASE
            } else {
                OWN
            };
            v.change_passphrase(change_request(own, "quartz pelican summit ember"))
                .await
        }
    }
}

async fn refusals(t: &TestVault, member_id: &str, action: &str) -> i64 {
    let pool = t.vault.pool().await.unwrap();
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND action = ? AND outcome = 'refused'",
    )
    .bind(member_id)
    .bind(action)
    .fetch_one(&pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_role_against_every_command() {
    const ROLES: [&str; 6] = [
        "team_lead",
        "case_worker",
        "police_liaison",
        "health_officer",
        "volunteer_coordinator",
        "viewer",
    ];
    let (t, _) = TestVault::created().await;
    let agency = t
        .vault
        .add_agency(
            serde_json::from_value(
                serde_json::json!({ "name": "Target agency", "kind": "police" }),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let role = t
        .vault
        .add_role(
            serde_json::from_value(
                serde_json::json!({ "name": "Target role", "description": null, "permissions": [] }),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let other = t
        .vault
        .add_member(new_member("Target member", "target", "viewer"))
        .await
        .unwrap();
    // The target cases belong to a case worker, so no caller below is on them.
    let owner_id = t
        .vault
        .add_member(new_member("Case owner", "owner", "case_worker"))
        .await
        .unwrap()
        .id;
    sign_in_fresh(&t, "owner").await;
    let created = t
        .vault
        .create_case(crate::cases::new_case("Target child", 2013))
        .await
        .unwrap();
    let case_id = created.summary.id;
    let person_id = created
        .people
        .iter()
        .find(|p| p.party != ruam_core::cases::Party::Subject)
        .unwrap()
        .id
        .clone();
    let note_id = crate::cases::note(&t, &case_id, "general", "To correct")
        .await
        .notes[0]
        .id
        .clone();
    let deleted_note_id = crate::cases::note(&t, &case_id, "general", "To delete")
        .await
        .notes[0]
        .id
        .clone();
    let referral_id = t
        .vault
        .refer_case(
            serde_json::from_value(serde_json::json!({
                "caseId": case_id, "toLevel": "district", "reason": "setup",
                "referredOn": "2026-11-20",
            }))
            .unwrap(),
        )
        .await
        .unwrap()
        .referrals[0]
        .id
        .clone();
    let attachment_id = t
        .vault
        .add_attachment(ruam_core::vault::NewAttachment {
            case_id: case_id.clone(),
            section: "general".into(),
            file_name: "scan.pdf".into(),
            content_base64: "JVBERi0xLjQK".into(),
        })
        .await
        .unwrap()
        .attachments[0]
        .id
        .clone();
    let deleted_attachment_id = t
        .vault
        .add_attachment(ruam_core::vault::NewAttachment {
            case_id: case_id.clone(),
            section: "general".into(),
            file_name: "wrong.pdf".into(),
            content_base64: "JVBERi0xLjQK".into(),
        })
        .await
        .unwrap()
        .attachments
        .iter()
        .find(|a| a.file_name == "wrong.pdf")
        .unwrap()
        .id
        .clone();
    let board = t
        .vault
        .create_card(crate::boards::card(Some(&case_id), "Target task"))
        .await
        .unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    let column_id = board.columns[1].id.clone();
    let board = t
        .vault
        .create_card({
            let mut c = crate::boards::card(Some(&case_id), "Reviewed task");
            c.reviewer_id = Some(owner_id.clone());
            c
        })
        .await
        .unwrap();
    let review_card_id = board.columns[0]
        .cards
        .iter()
        .find(|c| c.title == "Reviewed task")
        .unwrap()
        .id
        .clone();
    t.vault
        .move_card(ruam_core::vault::CardMove {
            card_id: review_card_id.clone(),
            column_id: board.columns[2].id.clone(),
            position: 0,
        })
        .await
        .unwrap();
    let board = t
        .vault
        .create_card({
            let mut c = crate::boards::card(Some(&case_id), "Checklist task");
            c.checklist = vec!["First step".into()];
            c
        })
        .await
        .unwrap();
    let tick_card_id = board.columns[0]
        .cards
        .iter()
        .find(|c| c.title == "Checklist task")
        .unwrap()
        .id
        .clone();
    let detail = t
        .vault
        .attach_to_card(ruam_core::vault::NewCardAttachment {
            card_id: tick_card_id.clone(),
            file_name: "scan.pdf".into(),
            content_base64: "JVBERi0xLjQK".into(),
        })
        .await
        .unwrap();
    let item_id = detail.checklist[0].id.clone();
    let card_attachment_id = detail.attachments[0].id.clone();
    let board = t
        .vault
        .create_card(crate::boards::card(Some(&case_id), "To delete"))
        .await
        .unwrap();
    let delete_card_id = board.columns[0]
        .cards
        .iter()
        .find(|c| c.title == "To delete")
        .unwrap()
        .id
        .clone();
    let board_id = board.id.clone();
    let extra_column_id = t
        .vault
        .save_column(ruam_core::vault::ColumnSave {
            board_id: board_id.clone(),
            column_id: None,
            name: Some("Extra".into()),
            position: None,
        })
        .await
        .unwrap()
        .columns
        .iter()
        .find(|c| c.name.as_deref() == Some("Extra"))
        .unwrap()
        .id
        .clone();
    let requested_id = t
        .vault
        .create_case(crate::cases::new_case("Requested child", 2012))
        .await
        .unwrap()
        .summary
        .id;
    t.vault
        .close_case(ruam_core::vault::CloseCase {
            case_id: requested_id.clone(),
            outcome: Some("resolved_district".into()),
        })
        .await
        .unwrap();
    sign_in_lead(&t).await;
    let funds = fund_targets(&t, &agency.id, &case_id).await;
    let village_id = t
        .vault
        .add_village(crate::community::village("บ้านป่าสัก", Some(3)))
        .await
        .unwrap()
        .id;
    let register = register_targets(&t, &case_id, ROLES.len()).await;
    let meetings = meeting_targets(&t, &case_id, &owner_id, ROLES.len()).await;
    let targets = Targets {
        agency_id: agency.id,
        village_id,
        role_id: role.id,
        other,
        case_id,
        referral_id,
        attachment_id,
        requested_id,
        note_id,
        deleted_note_id,
        deleted_attachment_id,
        person_id,
        owner_id,
        card_id,
        column_id,
        review_card_id,
        tick_card_id,
        item_id,
        card_attachment_id,
        delete_card_id,
        board_id,
        extra_column_id,
        funds,
        register,
        meetings,
    };
    // A second lead, so the lead in the matrix is a member added like the others.
    for role in ROLES {
        t.vault
            .add_member(new_member(
                &format!("As {role}"),
                &format!("as.{role}"),
                role,
            ))
            .await
            .unwrap();
    }

    let mut n = 0;
    let mut checked = 0;
    for role in ROLES {
        let status = sign_in_fresh(&t, &format!("as.{role}")).await;
        let me = status.member.unwrap();
        assert_eq!(me.role, role);
        for command in COMMANDS {
            n += 1;
            let allowed = command
                .needs()
                .is_none_or(|needed| status.permissions.contains(&needed));
            let before = (
                count(&t, "changes").await,
                refusals(&t, &me.id, command.audit_name()).await,
                std::fs::read(t.paths().slots()).unwrap(),
            );
            let result = call(&t, command, &targets, n).await;
            if allowed {
                assert!(result.is_ok(), "{role} × {command:?}: {result:?}");
            } else {
                assert!(
                    matches!(result, Err(Error::Forbidden)),
                    "{role} × {command:?}: {result:?}"
                );
                assert_eq!(
                    (
                        count(&t, "changes").await,
                        refusals(&t, &me.id, command.audit_name()).await,
                        std::fs::read(t.paths().slots()).unwrap(),
                    ),
                    (before.0, before.1 + 1, before.2),
                    "{role} × {command:?}: nothing written, one refusal recorded"
                );
            }
            checked += 1;
        }
        // The default sets: the lead holds every right; case workers and volunteer
        // coordinators open cases; the others work on the cases they are put on; all
        // but viewers ask to spend from the funds.
        let expected: Vec<Permission> = match role {
            "team_lead" => Permission::ALL.to_vec(),
            "case_worker" | "volunteer_coordinator" => vec![
                Permission::CreateCases,
                Permission::RequestSpending,
                Permission::ManageCommunity,
            ],
            "police_liaison" | "health_officer" => vec![Permission::RequestSpending],
            _ => Vec::new(),
        };
        assert_eq!(status.permissions, expected, "{role}");
    }
    assert_eq!(checked, ROLES.len() * COMMANDS.len());
}
