//! A meeting leaving the vault: its minutes as a PDF (Thai and English) and the meeting
//! as an .ics event. Both files are in the clear on the disk, so neither names a case nor
//! a child: a case review is a case review, an action item on a case is counted.

use std::path::{Path, PathBuf};

use super::{ExportedFile, Vault};
use crate::access::{Action, Resource};
use crate::meetings::store;
use crate::meetings::{ics, ItemKind};
use crate::{Error, Result};

impl Vault {
    /// The minutes as a PDF in `dir`, in Thai and English: the committee, when and where,
    /// who came and who sent apologies, the agenda, the general minutes, the decisions and
    /// the team's action items. The file leaves the vault in the clear, so a case review is
    /// "a case review (its minutes are in the case file)" and an action item on a case is
    /// counted, never named. Audited.
    pub async fn export_meeting_pdf(&self, meeting_id: &str, dir: &Path) -> Result<ExportedFile> {
        use ruam_pdf::{Block, Document};
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewMeetings, Resource::Team).await?;
        let view = open.meeting_view(meeting_id).await?;
        let mut conn = open.pool.acquire().await?;
        let names: std::collections::HashMap<String, String> =
            sqlx::query_as::<_, (String, String)>("SELECT id, display_name FROM members")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        let case_actions: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM cards WHERE meeting_id = ? AND case_id IS NOT NULL
             AND deleted_at IS NULL",
        )
        .bind(meeting_id)
        .fetch_one(&mut *conn)
        .await?;
        drop(conn);
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| "—".into());
        let s = &view.summary;
        let mut doc = Document::new(format!("Ruam · {}", s.committee_name));
        doc.push(Block::Title(format!(
            "บันทึกการประชุม / Minutes: {}",
            s.committee_name
        )));
        doc.push(Block::Field(
            "วันเวลา / When".into(),
            format!("{} ({} min)", s.starts_at.replace('T', " "), s.minutes_long),
        ));
        doc.push(Block::Field("สถานที่ / Place".into(), s.place.clone()));
        let status = match s.status {
            crate::meetings::MeetingStatus::Planned => "นัดหมาย / planned",
            crate::meetings::MeetingStatus::Held => "ประชุมแล้ว / held",
            crate::meetings::MeetingStatus::Cancelled => "ยกเลิก / cancelled",
        };
        doc.push(Block::Field("สถานะ / Status".into(), status.into()));
        let who = |attendance: crate::meetings::Attendance| {
            let list: Vec<String> = view
                .attendees
                .iter()
                .filter(|a| a.attendance == attendance)
                .map(|a| name(&a.member_id))
                .collect();
            if list.is_empty() {
                "—".to_owned()
            } else {
                list.join(", ")
            }
        };
        doc.push(Block::Field(
            "ผู้เข้าประชุม / Present".into(),
            who(crate::meetings::Attendance::Present),
        ));
        doc.push(Block::Field(
            "ขอลา / Apologies".into(),
            who(crate::meetings::Attendance::Apologies),
        ));
        doc.push(Block::Heading("วาระ / Agenda".into()));
        for (n, item) in view.agenda.iter().enumerate() {
            let text = match item.kind {
                ItemKind::Topic => item.title.clone().unwrap_or_default(),
                ItemKind::CaseReview => {
                    "ทบทวนเคส (บันทึกอยู่ในแฟ้มเคส) / A case review (its minutes are in the case file)"
                        .to_owned()
                }
            };
            doc.push(Block::Paragraph(format!("{}. {text}", n + 1)));
        }
        doc.push(Block::Heading("บันทึก / Minutes".into()));
        doc.push(Block::Paragraph(
            view.minutes.clone().unwrap_or_else(|| "—".into()),
        ));
        doc.push(Block::Heading("มติ / Decisions".into()));
        if view.decisions.is_empty() {
            doc.push(Block::Paragraph("—".into()));
        }
        for (n, decision) in view.decisions.iter().enumerate() {
            doc.push(Block::Paragraph(format!("{}. {}", n + 1, decision.text)));
        }
        doc.push(Block::Heading("งานที่ต้องทำ / Action items".into()));
        for item in view.action_items.iter().filter(|a| a.case_id.is_none()) {
            let assignees: Vec<String> = item.assignee_ids.iter().map(|a| name(a)).collect();
            doc.push(Block::Field(
                item.due_on.clone().unwrap_or_else(|| "—".into()),
                format!("{} — {}", item.title, assignees.join(", ")),
            ));
        }
        if case_actions > 0 {
            doc.push(Block::Paragraph(format!(
                "งานในแฟ้มเคส {case_actions} รายการ / {case_actions} action item(s) on case boards"
            )));
        }
        let bytes = doc
            .render()
            .map_err(|_| Error::Encode("the minutes as PDF"))?;
        let path: PathBuf = dir.join(format!(
            "ruam-minutes-{}.pdf",
            s.starts_at.replace([':', '-'], "")
        ));
        crate::paths::write_atomic(&path, &bytes)?;
        if let Err(err) = open
            .audit("meeting.export", Some(("meeting", meeting_id)))
            .await
        {
            if let Err(remove) = std::fs::remove_file(&path) {
                tracing::warn!(%remove, "could not remove an export that was not recorded");
            }
            return Err(err);
        }
        Ok(ExportedFile {
            path: path.display().to_string(),
            entries: 1,
        })
    }

    /// The meeting as an .ics event in `dir` (the committee, place, time and topics;
    /// never a case). Audited.
    pub async fn export_meeting_ics(&self, meeting_id: &str, dir: &Path) -> Result<ExportedFile> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewMeetings, Resource::Team).await?;
        let mut conn = open.pool.acquire().await?;
        let summary = store::summary(&mut conn, meeting_id).await?;
        let agenda: Vec<(ItemKind, Option<String>)> = store::items(&mut conn, meeting_id)
            .await?
            .into_iter()
            .map(|(_, _, kind, title, _, _)| (kind, title))
            .collect();
        drop(conn);
        let now = time::OffsetDateTime::now_utc();
        let stamp = now
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .map_err(|_| Error::Encode("a date"))?;
        let path: PathBuf = dir.join(format!(
            "ruam-meeting-{}.ics",
            summary.starts_at.replace([':', '-'], "")
        ));
        crate::paths::write_atomic(&path, ics::event(&summary, &agenda, &stamp).as_bytes())?;
        if let Err(err) = open
            .audit("meeting.export", Some(("meeting", meeting_id)))
            .await
        {
            if let Err(remove) = std::fs::remove_file(&path) {
                tracing::warn!(%remove, "could not remove an export that was not recorded");
            }
            return Err(err);
        }
        Ok(ExportedFile {
            path: path.display().to_string(),
            entries: 1,
        })
    }
}
