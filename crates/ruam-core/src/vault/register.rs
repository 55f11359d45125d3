//! The register's commands: volunteers (every member sees them; those who keep the
//! register add and change them), household surveys and their children, read and written
//! only by those who keep the register (they are children's names and homes), the rule
//! that flags the most vulnerable, the import of surveys from a spreadsheet, a case opened
//! for a child in one step, and the documentation steps on a case. Each write goes with
//! its outbox changes and audit entry in one transaction.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::audit_log::csv_field;
use super::{ExportedFile, Vault};
use crate::access::{Action, Resource};
use crate::cases::store::{self as case_store, CaseFile};
use crate::cases::{today, NewCase, NewPerson};
use crate::community::documentation::{self, DocumentationStep, NewStep, StepUpdate};
use crate::community::import::{self, ImportPreview};
use crate::community::register::{
    self, ChildUpdate, Known, NewHousehold, RegisterChild, RegisterPage, RegisterQuery,
};
use crate::community::rule::{self, VulnerabilityRule};
use crate::community::volunteers::{self, NewVolunteer, Volunteer, VolunteerUpdate};
use crate::{Error, Result};

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportDone {
    pub households: u32,
    pub children: u32,
}

/// How far an import is: children written, of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub written: u32,
    pub total: u32,
}

/// One child as a row of the export: the survey's columns, then the score and the flag.
fn export_row(child: &RegisterChild, known: &Known) -> String {
    let (village, moo) = known
        .villages
        .get(&child.village_id)
        .map(|(th, _, moo)| (th.clone(), moo.map(|m| m.to_string()).unwrap_or_default()))
        .unwrap_or_default();
    let volunteer = child
        .volunteer_id
        .as_ref()
        .and_then(|id| known.volunteers.get(id))
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    let yes = |b: bool| if b { "yes" } else { "no" };
    let w = &child.wellbeing;
    let fields = [
        village,
        moo,
        child.household.clone(),
        child.surveyed_on.clone(),
        volunteer,
        w.income_band.as_str().to_owned(),
        w.parents_away.as_str().to_owned(),
        yes(w.debt).to_owned(),
        yes(w.disability).to_owned(),
        yes(w.health_care).to_owned(),
        w.other_risks.clone().unwrap_or_default(),
        child.name.clone(),
        child.sex.as_str().to_owned(),
        child.birth_date.clone(),
        child.school.as_str().to_owned(),
        child.documentation.as_str().to_owned(),
        child.lives_with.as_str().to_owned(),
        child.score.to_string(),
        yes(child.flagged).to_owned(),
    ];
    let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    row.join(",") + "\n"
}

impl Vault {
    /// The volunteers of one village, or of all.
    pub async fn volunteers(&self, village_id: Option<String>) -> Result<Vec<Volunteer>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewCommunity, Resource::Community)
            .await?;
        let mut conn = open.pool.acquire().await?;
        volunteers::list(&mut conn, village_id.as_deref()).await
    }

    pub async fn add_volunteer(&self, new: NewVolunteer) -> Result<Volunteer> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut tx = open.pool.begin().await?;
        let volunteer = volunteers::insert(&mut tx, &open.outbox, &open.member.id, &new).await?;
        open.audit_in(&mut tx, "volunteer.add", Some(("volunteer", &volunteer.id)))
            .await?;
        tx.commit().await?;
        Ok(volunteer)
    }

    pub async fn update_volunteer(&self, update: VolunteerUpdate) -> Result<Volunteer> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut tx = open.pool.begin().await?;
        let volunteer = volunteers::update(&mut tx, &open.outbox, &open.member.id, &update).await?;
        open.audit_in(
            &mut tx,
            "volunteer.update",
            Some(("volunteer", &volunteer.id)),
        )
        .await?;
        tx.commit().await?;
        Ok(volunteer)
    }

    /// The team's vulnerability rule (its points and threshold).
    pub async fn register_rule(&self) -> Result<VulnerabilityRule> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewCommunity, Resource::Community)
            .await?;
        let mut conn = open.pool.acquire().await?;
        rule::load(&mut conn).await
    }

    pub async fn set_register_rule(&self, new: VulnerabilityRule) -> Result<VulnerabilityRule> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut tx = open.pool.begin().await?;
        rule::save(&mut tx, &open.outbox, &open.member.id, &new).await?;
        open.audit_in(
            &mut tx,
            "register.rule.update",
            Some(("register_rule", "rule")),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Add one household survey and its children.
    pub async fn add_household(&self, new: NewHousehold) -> Result<RegisterPage> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut tx = open.pool.begin().await?;
        let mut known = Known::load(&mut tx).await?;
        let checked = register::check(&new, &mut known, today())?;
        let ids =
            register::insert(&mut tx, &open.outbox, &open.member.id, &[checked], &|_| {}).await?;
        let id = ids.first().map(String::as_str).unwrap_or_default();
        open.audit_in(&mut tx, "register.survey.add", Some(("household", id)))
            .await?;
        tx.commit().await?;
        let mut conn = open.pool.acquire().await?;
        register::search(
            &mut conn,
            &RegisterQuery {
                village_id: Some(new.village_id),
                ..RegisterQuery::default()
            },
        )
        .await
    }

    /// Search and filter the register, the most vulnerable first.
    pub async fn search_register(&self, query: RegisterQuery) -> Result<RegisterPage> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut conn = open.pool.acquire().await?;
        register::search(&mut conn, &query).await
    }

    pub async fn register_child(&self, child_id: &str) -> Result<RegisterChild> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut conn = open.pool.acquire().await?;
        register::get(&mut conn, child_id).await
    }

    /// Correct a child's record; the child is scored again.
    pub async fn update_register_child(&self, update: ChildUpdate) -> Result<RegisterChild> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut tx = open.pool.begin().await?;
        register::update_child(&mut tx, &open.outbox, &open.member.id, &update).await?;
        open.audit_in(
            &mut tx,
            "register.child.update",
            Some(("register_child", &update.id)),
        )
        .await?;
        tx.commit().await?;
        let mut conn = open.pool.acquire().await?;
        register::get(&mut conn, &update.id).await
    }

    /// Check a survey file and say what importing it would write; writes nothing.
    pub async fn preview_register_import(&self, bytes: Vec<u8>) -> Result<ImportPreview> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut conn = open.pool.acquire().await?;
        let known = Known::load(&mut conn).await?;
        drop(conn);
        let today = today();
        tokio::task::spawn_blocking(move || import::plan(&bytes, known, today).preview)
            .await
            .map_err(|e| Error::Task(e.to_string()))
    }

    /// Import a survey file that was previewed (`digest` is its preview's): all its rows
    /// in one transaction, or, if it has any error now, none. `progress` hears how many
    /// children are written.
    pub async fn import_register(
        &self,
        bytes: Vec<u8>,
        digest: &str,
        progress: impl Fn(ImportProgress) + Send + Sync,
    ) -> Result<ImportDone> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut tx = open.pool.begin().await?;
        let known = Known::load(&mut tx).await?;
        let today = today();
        let plan = tokio::task::spawn_blocking(move || import::plan(&bytes, known, today))
            .await
            .map_err(|e| Error::Task(e.to_string()))?;
        if plan.preview.digest != digest {
            return Err(Error::invalid(
                "file",
                "the file changed since its preview: preview it again",
            ));
        }
        if plan.preview.error_count > 0 {
            return Err(Error::invalid(
                "file",
                format!(
                    "{} problem(s) in the file stop the import; nothing was written",
                    plan.preview.error_count
                ),
            ));
        }
        let total = plan.preview.children;
        progress(ImportProgress { written: 0, total });
        register::insert(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &plan.households,
            &|done| {
                progress(ImportProgress {
                    written: u32::try_from(done).unwrap_or(u32::MAX),
                    total,
                })
            },
        )
        .await?;
        open.audit_in(&mut tx, "register.import", None).await?;
        tx.commit().await?;
        Ok(ImportDone {
            households: plan.preview.households,
            children: total,
        })
    }

    /// Open a case for a child of the register, in one step: the child is its subject
    /// (name, sex, birth date, documentation, village), its concern high vulnerability, at
    /// village level, and the register's child links to it. The one who opens it is its
    /// lead; they need to open cases and to keep the register.
    pub async fn open_case_for_child(&self, child_id: &str) -> Result<CaseFile> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        open.authorize(Action::CreateCase, Resource::Cases).await?;
        let mut tx = open.pool.begin().await?;
        let child = register::get(&mut tx, child_id).await?;
        if let Some(case_id) = &child.case_id {
            return Err(Error::invalid(
                "childId",
                format!("a case is open for this child already ({case_id})"),
            ));
        }
        let village: (String, Option<i64>) =
            sqlx::query_as("SELECT name_th, moo FROM villages WHERE id = ?")
                .bind(&child.village_id)
                .fetch_one(&mut *tx)
                .await?;
        let village = match village.1 {
            Some(moo) => format!("{} หมู่ {moo}", village.0),
            None => village.0,
        };
        let new = NewCase {
            subject: NewPerson {
                party: "subject".into(),
                relation: None,
                name: child.name.clone(),
                alias: None,
                sex: child.sex.as_str().into(),
                birth_date: Some(child.birth_date.clone()),
                birth_year_estimate: None,
                nationality: None,
                documentation: child.documentation.as_str().into(),
                languages: Vec::new(),
                village: Some(village),
                contact: None,
            },
            others: Vec::new(),
            concerns: vec!["high_vulnerability".into()],
            risk: if child.flagged { "high" } else { "medium" }.into(),
            level: "village".into(),
            duplicates_reviewed: true,
        };
        let checked = new.check()?;
        let case_id =
            case_store::insert_case(&mut tx, &open.outbox, &open.member.id, &checked).await?;
        register::link_case(&mut tx, &open.outbox, &open.member.id, child_id, &case_id).await?;
        open.audit_in(&mut tx, "case.create", Some(("case", &case_id)))
            .await?;
        open.audit_in(
            &mut tx,
            "register.child.case",
            Some(("register_child", child_id)),
        )
        .await?;
        tx.commit().await?;
        let access = crate::access::CaseAccess {
            membership: Some(crate::cases::Responsibility::Lead),
        };
        open.case_file(&case_id, &access).await
    }

    /// The child of the register a case was opened for, when the asker may see both.
    pub async fn register_child_of_case(&self, case_id: &str) -> Result<Option<RegisterChild>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize_case(Action::ViewCase, case_id).await?;
        if !open
            .actor()
            .may(Action::ManageCommunity, Resource::Community)
        {
            return Ok(None);
        }
        let mut conn = open.pool.acquire().await?;
        match register::child_of_case(&mut conn, case_id).await? {
            Some(id) => Ok(Some(register::get(&mut conn, &id).await?)),
            None => Ok(None),
        }
    }

    /// Write the children matching `query` (every page of them) to a CSV file in `dir`,
    /// in the columns of a survey file, with each child's score and flag: for the
    /// committee's spreadsheet. No field is written so that a spreadsheet would run it as a
    /// formula. Audited.
    pub async fn export_register(&self, query: RegisterQuery, dir: &Path) -> Result<ExportedFile> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommunity, Resource::Community)
            .await?;
        let mut conn = open.pool.acquire().await?;
        let known = Known::load(&mut conn).await?;
        let mut csv = import::COLUMNS.join(",") + ",score,flagged\n";
        let mut query = RegisterQuery {
            offset: 0,
            limit: Some(register::PAGE_AT_MOST),
            ..query
        };
        let mut written: u32 = 0;
        loop {
            let page = register::search(&mut conn, &query).await?;
            for child in &page.children {
                csv.push_str(&export_row(child, &known));
                written += 1;
            }
            if page.children.is_empty() || written >= page.total {
                break;
            }
            query.offset = written;
        }
        drop(conn);
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]-[hour][minute][second]"
            ))
            .map_err(|_| Error::Encode("a date"))?;
        let path: PathBuf = dir.join(format!("ruam-register-{stamp}.csv"));
        crate::paths::write_atomic(&path, csv.as_bytes())?;
        if let Err(err) = open.audit("register.export", None).await {
            if let Err(remove) = std::fs::remove_file(&path) {
                tracing::warn!(%remove, "could not remove an export that was not recorded");
            }
            return Err(err);
        }
        tracing::info!(children = written, "register exported");
        Ok(ExportedFile {
            path: path.display().to_string(),
            entries: written,
        })
    }

    /// The documentation steps of a case.
    pub async fn documentation_steps(&self, case_id: &str) -> Result<Vec<DocumentationStep>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize_case(Action::ViewCase, case_id).await?;
        let mut conn = open.pool.acquire().await?;
        documentation::list(&mut conn, case_id).await
    }

    pub async fn add_documentation_step(&self, new: NewStep) -> Result<Vec<DocumentationStep>> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize_case(Action::UpdateCase, &new.case_id)
            .await?;
        let mut tx = open.pool.begin().await?;
        case_store::ensure_not_closed(&mut tx, &new.case_id).await?;
        let id = documentation::insert(&mut tx, &open.outbox, &open.member.id, &new).await?;
        open.audit_in(
            &mut tx,
            "case.documentation.add",
            Some(("documentation_step", &id)),
        )
        .await?;
        tx.commit().await?;
        let mut conn = open.pool.acquire().await?;
        documentation::list(&mut conn, &new.case_id).await
    }

    pub async fn update_documentation_step(
        &self,
        update: StepUpdate,
    ) -> Result<Vec<DocumentationStep>> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        let case_id = {
            let mut conn = open.pool.acquire().await?;
            documentation::case_of(&mut conn, &update.id).await?
        };
        open.authorize_case(Action::UpdateCase, &case_id).await?;
        let mut tx = open.pool.begin().await?;
        case_store::ensure_not_closed(&mut tx, &case_id).await?;
        documentation::update(&mut tx, &open.outbox, &open.member.id, &case_id, &update).await?;
        open.audit_in(
            &mut tx,
            "case.documentation.update",
            Some(("documentation_step", &update.id)),
        )
        .await?;
        tx.commit().await?;
        let mut conn = open.pool.acquire().await?;
        documentation::list(&mut conn, &case_id).await
    }
}
