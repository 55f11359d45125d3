//! A meeting as an iCalendar event (RFC 5545) for a calendar program. The file leaves the
//! vault in the clear, so it holds only what a calendar needs: the committee, the place,
//! the time and the agenda's topics; a case review is "a case review", never a name.

use super::{ItemKind, MeetingSummary};

/// Text as an iCalendar value: backslash, semicolon, comma and line breaks escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets, never inside a character, each line ending CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

/// `YYYY-MM-DDTHH:MM` as iCalendar's local `YYYYMMDDTHHMM00`.
fn local(at: &str) -> Option<String> {
    let at = super::parse_local("startsAt", at).ok()?;
    Some(format!(
        "{:04}{:02}{:02}T{:02}{:02}00",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    ))
}

fn end(at: &str, minutes: u32) -> Option<String> {
    let start = super::parse_local("startsAt", at).ok()?;
    let end = start + time::Duration::minutes(i64::from(minutes));
    Some(format!(
        "{:04}{:02}{:02}T{:02}{:02}00",
        end.year(),
        u8::from(end.month()),
        end.day(),
        end.hour(),
        end.minute()
    ))
}

/// The event, in Thailand's time zone (UTC+7 all year). `stamp` is now in UTC
/// (`YYYYMMDDTHHMMSSZ`); `agenda` is each item's kind and a topic's title.
pub fn event(
    meeting: &MeetingSummary,
    agenda: &[(ItemKind, Option<String>)],
    stamp: &str,
) -> String {
    let start = local(&meeting.starts_at).unwrap_or_default();
    let finish = end(&meeting.starts_at, meeting.minutes_long).unwrap_or_default();
    let mut description = String::new();
    for (n, (kind, title)) in agenda.iter().enumerate() {
        let line = match kind {
            ItemKind::Topic => title.clone().unwrap_or_default(),
            ItemKind::CaseReview => "Case review / ทบทวนเคส".to_owned(),
        };
        description.push_str(&format!("{}. {line}\n", n + 1));
    }
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Ruam//Meetings//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "BEGIN:VTIMEZONE".to_owned(),
        "TZID:Asia/Bangkok".to_owned(),
        "BEGIN:STANDARD".to_owned(),
        "DTSTART:19700101T000000".to_owned(),
        "TZOFFSETFROM:+0700".to_owned(),
        "TZOFFSETTO:+0700".to_owned(),
        "TZNAME:ICT".to_owned(),
        "END:STANDARD".to_owned(),
        "END:VTIMEZONE".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@ruam", meeting.id),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART;TZID=Asia/Bangkok:{start}"),
        format!("DTEND;TZID=Asia/Bangkok:{finish}"),
        format!("SUMMARY:{}", escape(&meeting.committee_name)),
        format!("LOCATION:{}", escape(&meeting.place)),
        format!("DESCRIPTION:{}", escape(description.trim_end())),
        format!(
            "STATUS:{}",
            match meeting.status {
                super::MeetingStatus::Cancelled => "CANCELLED",
                _ => "CONFIRMED",
            }
        ),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::MeetingStatus;

    fn meeting(name: &str) -> MeetingSummary {
        MeetingSummary {
            id: "m1".into(),
            committee_id: "c1".into(),
            committee_name: name.into(),
            starts_at: "2026-12-10T23:30".into(),
            minutes_long: 90,
            place: "Mae Sai district office, room 2; upstairs".into(),
            status: MeetingStatus::Planned,
        }
    }

    #[test]
    fn an_event_is_escaped_folded_and_names_no_case() {
        let ics = event(
            &meeting(&"คณะทำงานคุ้มครองเด็กอำเภอแม่สาย ".repeat(4)),
            &[
                (ItemKind::Topic, Some("Budget, Q1".into())),
                (ItemKind::CaseReview, None),
            ],
            "20261203T100000Z",
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;TZID=Asia/Bangkok:20261210T233000\r\n"));
        // Ninety minutes later is the next day.
        assert!(ics.contains("DTEND;TZID=Asia/Bangkok:20261211T010000\r\n"));
        assert!(ics.contains("LOCATION:Mae Sai district office\\, room 2\\; upstairs\r\n"));
        assert!(ics.contains("1. Budget\\, Q1\\n2. Case review"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        // Unfolded, the Thai name is whole.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(
            &"คณะทำงานคุ้มครองเด็กอำเภอแม่สาย "
                .repeat(4)
                .trim_end()
                .to_owned()
        ));
    }
}
