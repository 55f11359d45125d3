//! Members: who they are, how they sign in, their discipline, agency and role, and
//! whether they are still on the team.

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::{clean_name, clean_optional, Discipline, MemberStatus, ROLE_TEAM_LEAD};
use crate::outbox::{now_utc, Op, Outbox};
use crate::secret::SecretString;
use crate::{Error, Result};

pub const SIGN_IN_NAME_MIN_CHARS: usize = 2;
pub const SIGN_IN_NAME_MAX_CHARS: usize = 40;

/// The signed-in member, as the UI needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MemberSummary {
    pub id: String,
    pub display_name: String,
    pub sign_in_name: String,
    pub role: String,
    /// Decides which case sections they see (health, police).
    pub discipline: Option<Discipline>,
    /// Signed in with a first passphrase from the lead, which must be changed now.
    pub must_change_passphrase: bool,
}

/// A member as the team sees them. `sign_in_name` and `must_change_passphrase` are
/// given only to those who manage members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: String,
    pub display_name: String,
    pub sign_in_name: Option<String>,
    pub role: String,
    pub discipline: Option<Discipline>,
    pub agency_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub status: MemberStatus,
    pub must_change_passphrase: Option<bool>,
    pub created_at: String,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewMember {
    pub display_name: String,
    pub sign_in_name: String,
    pub role: String,
    pub discipline: String,
    pub agency_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Set by the lead, told to the member in person; it must be changed at first sign-in.
    pub first_passphrase: SecretString,
}

/// A member's details as the lead edits them. The sign-in name stays as it was made.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MemberUpdate {
    pub id: String,
    pub display_name: String,
    pub role: String,
    pub discipline: String,
    pub agency_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub status: String,
}

/// A new first passphrase for a member who forgot theirs (or whose key slot was lost).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SetMemberPassphrase {
    pub member_id: String,
    pub first_passphrase: SecretString,
}

/// A sign-in name as stored and compared: NFKC, trimmed and lower-case; Latin letters,
/// Thai letters and marks, digits, '.', '-' and '_' only (no look-alikes from other
/// scripts, and one spelling for Thai vowels that can be typed two ways).
pub fn normalize_sign_in_name(raw: &str) -> Result<String> {
    use unicode_normalization::UnicodeNormalization as _;
    const FIELD: &str = "sign_in_name";
    let name: String = raw.trim().nfkc().collect::<String>().to_lowercase();
    if name.is_empty() {
        return Err(Error::invalid(FIELD, "is empty"));
    }
    let len = name.chars().count();
    if !(SIGN_IN_NAME_MIN_CHARS..=SIGN_IN_NAME_MAX_CHARS).contains(&len) {
        return Err(Error::invalid(
            FIELD,
            format!("must be {SIGN_IN_NAME_MIN_CHARS} to {SIGN_IN_NAME_MAX_CHARS} characters"),
        ));
    }
    let thai = |c: char| {
        ('\u{0E01}'..='\u{0E3A}').contains(&c)
            || ('\u{0E40}'..='\u{0E4E}').contains(&c)
            || ('\u{0E50}'..='\u{0E59}').contains(&c)
    };
    if let Some(bad) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || thai(c) || matches!(c, '.' | '-' | '_')))
    {
        let shown = if bad.is_whitespace() {
            "a space".to_owned()
        } else {
            format!("“{bad}”")
        };
        return Err(Error::invalid(
            FIELD,
            format!("may hold Latin or Thai letters, digits, '.', '-' and '_', not {shown}"),
        ));
    }
    Ok(name)
}

fn clean_phone(raw: Option<&str>) -> Result<Option<String>> {
    let Some(phone) = clean_optional("phone", raw)? else {
        return Ok(None);
    };
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
    if !allowed || !(3..=20).contains(&digits) {
        return Err(Error::invalid(
            "phone",
            "must be a phone number: 3 to 20 digits, with spaces, '+', '-' or brackets",
        ));
    }
    Ok(Some(phone))
}

fn clean_email(raw: Option<&str>) -> Result<Option<String>> {
    let Some(email) = clean_optional("email", raw)? else {
        return Ok(None);
    };
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 254
        }
        None => false,
    };
    if !valid {
        return Err(Error::invalid("email", "is not an e-mail address"));
    }
    Ok(Some(email))
}

/// The checked fields shared by a new member and an edit.
struct Checked {
    display_name: String,
    role: String,
    discipline: Discipline,
    agency_id: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// The fields of a new member or an edit, as typed.
struct Draft<'a> {
    id: &'a str,
    display_name: &'a str,
    role: &'a str,
    discipline: &'a str,
    agency_id: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
}

async fn check(conn: &mut SqliteConnection, draft: Draft<'_>) -> Result<Checked> {
    let Draft {
        id,
        display_name,
        role,
        discipline,
        agency_id,
        phone,
        email,
    } = draft;
    let display_name = clean_name("display_name", display_name)?;
    let same_name: Option<String> = sqlx::query_scalar(
        "SELECT id FROM members WHERE lower(display_name) = lower(?) AND id != ?
         AND status = 'active' AND deleted_at IS NULL",
    )
    .bind(&display_name)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if same_name.is_some() {
        return Err(Error::invalid(
            "display_name",
            "is already the name of a member of the team",
        ));
    }
    let role = role.trim();
    let known_role: Option<String> =
        sqlx::query_scalar("SELECT id FROM roles WHERE id = ? AND deleted_at IS NULL")
            .bind(role)
            .fetch_optional(&mut *conn)
            .await?;
    if known_role.is_none() {
        return Err(Error::invalid("role", "is not a role of this team"));
    }
    let discipline = Discipline::parse("discipline", discipline)?;
    let agency_id = match agency_id.map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(agency) => {
            let known: Option<String> =
                sqlx::query_scalar("SELECT id FROM agencies WHERE id = ? AND deleted_at IS NULL")
                    .bind(agency)
                    .fetch_optional(&mut *conn)
                    .await?;
            Some(
                known
                    .ok_or_else(|| Error::invalid("agency_id", "is not an agency of this team"))?,
            )
        }
    };
    Ok(Checked {
        display_name,
        role: role.to_owned(),
        discipline,
        agency_id,
        phone: clean_phone(phone)?,
        email: clean_email(email)?,
    })
}

impl NewMember {
    /// Check every field but the passphrase (which core checks with the names as context).
    pub async fn check(&self, conn: &mut SqliteConnection) -> Result<Member> {
        let id = uuid::Uuid::now_v7().to_string();
        let sign_in_name = normalize_sign_in_name(&self.sign_in_name)?;
        let taken: Option<String> = sqlx::query_scalar(
            "SELECT id FROM members WHERE sign_in_name = ? AND deleted_at IS NULL",
        )
        .bind(&sign_in_name)
        .fetch_optional(&mut *conn)
        .await?;
        if taken.is_some() {
            return Err(Error::invalid(
                "sign_in_name",
                "is already used by another member",
            ));
        }
        let checked = check(
            conn,
            Draft {
                id: &id,
                display_name: &self.display_name,
                role: &self.role,
                discipline: &self.discipline,
                agency_id: self.agency_id.as_deref(),
                phone: self.phone.as_deref(),
                email: self.email.as_deref(),
            },
        )
        .await?;
        Ok(Member {
            id,
            display_name: checked.display_name,
            sign_in_name: Some(sign_in_name),
            role: checked.role,
            discipline: Some(checked.discipline),
            agency_id: checked.agency_id,
            phone: checked.phone,
            email: checked.email,
            status: MemberStatus::Active,
            must_change_passphrase: Some(true),
            created_at: now_utc(),
        })
    }
}

fn fields(member: &Member, now: &str) -> serde_json::Value {
    serde_json::json!({
        "display_name": member.display_name, "sign_in_name": member.sign_in_name,
        "role": member.role, "discipline": member.discipline, "agency_id": member.agency_id,
        "phone": member.phone, "email": member.email, "status": member.status,
        "must_change_passphrase": member.must_change_passphrase, "updated_at": now,
    })
}

pub async fn insert_member(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    member: &Member,
) -> Result<()> {
    let now = now_utc();
    sqlx::query(
        "INSERT INTO members (id, display_name, sign_in_name, role, discipline, agency_id, phone,
                              email, status, must_change_passphrase, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&member.id)
    .bind(&member.display_name)
    .bind(&member.sign_in_name)
    .bind(&member.role)
    .bind(member.discipline)
    .bind(&member.agency_id)
    .bind(&member.phone)
    .bind(&member.email)
    .bind(member.status)
    .bind(member.must_change_passphrase.unwrap_or(false))
    .bind(&member.created_at)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "member",
            &member.id,
            Op::Insert,
            &fields(member, &now),
        )
        .await
}

/// Apply a lead's edit. The last active team lead cannot be removed, nor can anyone end
/// their own membership. Returns the member as they were and as they are.
pub async fn update_member(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    update: &MemberUpdate,
) -> Result<(Member, Member)> {
    let before = load_member(&mut **tx, &update.id).await?;
    let checked = check(
        tx,
        Draft {
            id: &update.id,
            display_name: &update.display_name,
            role: &update.role,
            discipline: &update.discipline,
            agency_id: update.agency_id.as_deref(),
            phone: update.phone.as_deref(),
            email: update.email.as_deref(),
        },
    )
    .await?;
    let status = MemberStatus::parse("status", &update.status)?;
    // A discipline decides which case sections one reads: nobody changes their own
    // (the first lead, made without one, may set it once).
    if update.id == author
        && before
            .discipline
            .is_some_and(|current| current != checked.discipline)
    {
        return Err(Error::invalid(
            "discipline",
            "you cannot change your own discipline; another team lead can",
        ));
    }
    if status == MemberStatus::Left && update.id == author {
        return Err(Error::invalid(
            "status",
            "you cannot end your own membership; another team lead can",
        ));
    }
    let was_lead = before.role == ROLE_TEAM_LEAD && before.status == MemberStatus::Active;
    let stays_lead = checked.role == ROLE_TEAM_LEAD && status == MemberStatus::Active;
    if was_lead && !stays_lead && count_other_active_leads(tx, &update.id).await? == 0 {
        let field = if checked.role == ROLE_TEAM_LEAD {
            "status"
        } else {
            "role"
        };
        return Err(Error::invalid(
            field,
            "this member is the team's last lead; make another member team lead first",
        ));
    }
    let after = Member {
        display_name: checked.display_name,
        role: checked.role,
        discipline: Some(checked.discipline),
        agency_id: checked.agency_id,
        phone: checked.phone,
        email: checked.email,
        status,
        ..before.clone()
    };
    let now = now_utc();
    sqlx::query(
        "UPDATE members SET display_name = ?, role = ?, discipline = ?, agency_id = ?, phone = ?,
                email = ?, status = ?, updated_at = ?
         WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(&after.display_name)
    .bind(&after.role)
    .bind(after.discipline)
    .bind(&after.agency_id)
    .bind(&after.phone)
    .bind(&after.email)
    .bind(after.status)
    .bind(&now)
    .bind(&after.id)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "member",
            &after.id,
            Op::Update,
            &fields(&after, &now),
        )
        .await?;
    Ok((before, after))
}

/// Whether the member must change their passphrase at their next sign-in.
pub async fn set_must_change_passphrase(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    member_id: &str,
    must: bool,
) -> Result<()> {
    let now = now_utc();
    sqlx::query("UPDATE members SET must_change_passphrase = ?, updated_at = ? WHERE id = ?")
        .bind(must)
        .bind(&now)
        .bind(member_id)
        .execute(&mut **tx)
        .await?;
    let fields = serde_json::json!({ "must_change_passphrase": must, "updated_at": now });
    outbox
        .record(tx, Some(author), "member", member_id, Op::Update, &fields)
        .await
}

const SELECT_MEMBER: &str = "SELECT id, display_name, sign_in_name, role, discipline, agency_id,
    phone, email, status, must_change_passphrase, created_at FROM members";

pub async fn list_members(pool: &SqlitePool) -> Result<Vec<Member>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_MEMBER} WHERE deleted_at IS NULL ORDER BY status, display_name COLLATE NOCASE"
    ))
    .fetch_all(pool)
    .await?)
}

pub async fn load_member<'e>(
    executor: impl sqlx::Executor<'e, Database = Sqlite>,
    id: &str,
) -> Result<Member> {
    sqlx::query_as(&format!(
        "{SELECT_MEMBER} WHERE id = ? AND deleted_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?
    .ok_or(Error::NotFound("the member"))
}

const SELECT_SUMMARY: &str =
    "SELECT id, display_name, sign_in_name, role, discipline, must_change_passphrase FROM members";

/// The member who signs in, if they are still on the team.
pub async fn load_member_summary(pool: &SqlitePool, id: &str) -> Result<MemberSummary> {
    let status: Option<MemberStatus> =
        sqlx::query_scalar("SELECT status FROM members WHERE id = ? AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    match status {
        None => return Err(Error::NotFound("the member")),
        Some(MemberStatus::Left) => return Err(Error::MembershipEnded),
        Some(MemberStatus::Active) => {}
    }
    sqlx::query_as(&format!("{SELECT_SUMMARY} WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound("the member"))
}

/// Make `name` the member's sign-in name unless another member has it. Returns whether
/// it was set. (For members made before sign-in names: the name they first sign in with.)
pub async fn adopt_sign_in_name(
    pool: &SqlitePool,
    outbox: &Outbox,
    member_id: &str,
    name: &str,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let taken: Option<String> = sqlx::query_scalar(
        "SELECT id FROM members WHERE sign_in_name = ? AND id != ? AND deleted_at IS NULL",
    )
    .bind(name)
    .bind(member_id)
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        return Ok(false);
    }
    let now = now_utc();
    sqlx::query("UPDATE members SET sign_in_name = ?, updated_at = ? WHERE id = ?")
        .bind(name)
        .bind(&now)
        .bind(member_id)
        .execute(&mut *tx)
        .await?;
    let fields = serde_json::json!({ "sign_in_name": name, "updated_at": now });
    outbox
        .record(
            &mut tx,
            Some(member_id),
            "member",
            member_id,
            Op::Update,
            &fields,
        )
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// The active member who signs in as `name`, if their role may use the recovery key.
pub async fn lead_by_sign_in_name(pool: &SqlitePool, name: &str) -> Result<MemberSummary> {
    let member: Option<MemberSummary> = sqlx::query_as(&format!(
        "{SELECT_SUMMARY} WHERE sign_in_name = ? AND status = 'active' AND deleted_at IS NULL"
    ))
    .bind(name)
    .fetch_optional(pool)
    .await?;
    let holds_recovery = match &member {
        Some(m) => super::load_role(pool, &m.role)
            .await?
            .permissions
            .contains(&crate::access::Permission::ManageRecovery),
        None => false,
    };
    match member {
        Some(m) if holds_recovery => Ok(m),
        _ => Err(Error::invalid(
            "sign_in_name",
            "is not the sign-in name of a team lead; leave it empty to recover as the longest-serving lead",
        )),
    }
}

/// The longest-serving active team lead: the member a recovery key unlocks as.
pub async fn first_lead(pool: &SqlitePool) -> Result<MemberSummary> {
    sqlx::query_as(&format!(
        "{SELECT_SUMMARY} WHERE role = ? AND status = 'active' AND deleted_at IS NULL
         ORDER BY created_at, id LIMIT 1"
    ))
    .bind(ROLE_TEAM_LEAD)
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound("an active team lead"))
}

pub async fn count_other_active_leads(conn: &mut SqliteConnection, except: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM members WHERE role = ? AND status = 'active' AND id != ?
         AND deleted_at IS NULL",
    )
    .bind(ROLE_TEAM_LEAD)
    .bind(except)
    .fetch_one(conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: Result<String>) -> Option<&'static str> {
        match result {
            Err(Error::Invalid { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn sign_in_names_are_folded_one_way() {
        assert_eq!(normalize_sign_in_name("  Somsri.J ").unwrap(), "somsri.j");
        // Full-width letters are the same name; SARA AM typed as one or two characters too.
        assert_eq!(normalize_sign_in_name("Ｓｏｍｓｒｉ").unwrap(), "somsri");
        assert_eq!(
            normalize_sign_in_name("\u{0E19}\u{0E33}").unwrap(),
            normalize_sign_in_name("\u{0E19}\u{0E4D}\u{0E32}").unwrap()
        );
        assert_eq!(normalize_sign_in_name("สมศรี_2").unwrap(), "สมศรี_2");
    }

    #[test]
    fn look_alikes_spaces_and_symbols_are_refused() {
        let long = "x".repeat(41);
        for bad in [
            "s\u{043E}msri",
            "ma lee",
            "a",
            "o'brien",
            "\u{0E3F}aht",
            &long,
            "",
        ] {
            assert_eq!(
                field_of(normalize_sign_in_name(bad)),
                Some("sign_in_name"),
                "{bad}"
            );
        }
    }
}
