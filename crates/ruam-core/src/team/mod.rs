//! The team: its name, its agencies, its roles (data with permission sets) and its
//! members. The functions here read and write rows and check fields; who may call them
//! is decided in `access`, and the vault records each change in the audit log.

mod agencies;
pub mod holdings;
mod members;
mod roles;

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

pub use agencies::{Agency, AgencyUpdate, NewAgency};
pub use members::{
    adopt_sign_in_name, count_other_active_leads, first_lead, insert_member, lead_by_sign_in_name,
    list_members, load_member, load_member_summary, normalize_sign_in_name,
    set_must_change_passphrase, update_member, Member, MemberSummary, MemberUpdate, NewMember,
    SetMemberPassphrase,
};
pub use roles::{load_role, NewRole, Role, RoleUpdate};

pub const ROLE_TEAM_LEAD: &str = "team_lead";
pub const NAME_MAX_CHARS: usize = 200;
/// Free text such as a description or a contact: long enough, never a document.
pub const TEXT_MAX_CHARS: usize = 1000;

/// Declares a closed list stored as text: its serde and SQL names, and a parser whose
/// error names the field and lists what is allowed.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] #[sqlx(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
                let raw = raw.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == raw).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    Error::invalid(
                        field,
                        format!("“{raw}” is not one of: {}", allowed.join(", ")),
                    )
                })
            }
        }
    };
}

pub(crate) use text_enum;

text_enum! {
    /// A member's discipline: the profession they bring to the team.
    Discipline {
        SocialWork => "social_work",
        Police => "police",
        Health => "health",
        Education => "education",
        Ngo => "ngo",
        LocalGovernment => "local_government",
        VolunteerCoordination => "volunteer_coordination",
    }
}

text_enum! {
    /// What kind of organisation an agency is.
    AgencyKind {
        SocialWelfare => "social_welfare",
        Police => "police",
        Health => "health",
        Education => "education",
        LocalAdministration => "local_administration",
        Ngo => "ngo",
        Other => "other",
    }
}

text_enum! {
    /// Whether a member is still on the team. Members who left keep their history.
    MemberStatus {
        Active => "active",
        Left => "left",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub recovery_acknowledged: bool,
}

/// Everyone may see who is on the team and what each role may do.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TeamOverview {
    pub team_name: String,
    pub members: Vec<Member>,
    pub agencies: Vec<Agency>,
    pub roles: Vec<Role>,
}

/// Trim a name and check it is present and not absurdly long.
pub fn clean_name(field: &'static str, raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid(field, "is empty"));
    }
    check_text(field, name, NAME_MAX_CHARS)?;
    Ok(name.to_owned())
}

/// Trim optional free text: empty is `None`.
pub fn clean_optional(field: &'static str, raw: Option<&str>) -> Result<Option<String>> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    check_text(field, text, TEXT_MAX_CHARS)?;
    Ok(Some(text.to_owned()))
}

fn check_text(field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(())
}

pub async fn insert_team(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    id: &str,
    name: &str,
) -> Result<()> {
    let now = now_utc();
    sqlx::query("INSERT INTO team (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)")
        .bind(id)
        .bind(name)
        .bind(&now)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    let fields = serde_json::json!({ "name": name, "created_at": now, "updated_at": now });
    outbox
        .record(tx, Some(author), "team", id, Op::Insert, &fields)
        .await
}

pub async fn load_team(pool: &SqlitePool) -> Result<Team> {
    sqlx::query_as(
        "SELECT id, name, recovery_acknowledged FROM team WHERE deleted_at IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound("the team"))
}

pub async fn set_recovery_acknowledged(
    pool: &SqlitePool,
    outbox: &Outbox,
    author: &str,
    team_id: &str,
    acknowledged: bool,
) -> Result<()> {
    let now = now_utc();
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE team SET recovery_acknowledged = ?, updated_at = ? WHERE id = ?")
        .bind(acknowledged)
        .bind(&now)
        .bind(team_id)
        .execute(&mut *tx)
        .await?;
    let fields = serde_json::json!({ "recovery_acknowledged": acknowledged, "updated_at": now });
    outbox
        .record(&mut tx, Some(author), "team", team_id, Op::Update, &fields)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Everything on the Roles and responsibilities page. Sign-in names and pending first
/// passphrases only for those who manage members (`accounts`); the others see active
/// members only.
pub async fn overview(pool: &SqlitePool, team_name: &str, accounts: bool) -> Result<TeamOverview> {
    let mut members = list_members(pool).await?;
    if !accounts {
        members.retain(|m| m.status == MemberStatus::Active);
        for member in &mut members {
            member.sign_in_name = None;
            member.must_change_passphrase = None;
        }
    }
    Ok(TeamOverview {
        team_name: team_name.to_owned(),
        members,
        agencies: agencies::list(pool).await?,
        roles: roles::list(pool).await?,
    })
}

pub mod admin {
    //! Writing agencies and roles (members are in `members`).
    pub use super::agencies::{insert as insert_agency, update as update_agency};
    pub use super::roles::{insert as insert_role, update as update_role};
}
