//! Case files: the record of a child or victim and what the team does for them. Types
//! and the checks on what people type; `store` reads and writes rows; who may see what is
//! decided in `access` (membership of the case, section audiences).

pub mod store;

use serde::{Deserialize, Serialize};

use crate::team::{clean_name, clean_optional, text_enum};
use crate::{Error, Result};

/// The longest note: a long report, never a document (attach documents instead).
pub const NOTE_MAX_CHARS: usize = 20_000;
/// The largest attachment: a phone photo or a scanned document.
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Shorter searches would match almost everything (and trigrams need three characters).
pub const SEARCH_MIN_CHARS: usize = 3;
pub const AGE_MAX_YEARS: i32 = 120;

text_enum! {
    /// A part of a case with its own audience.
    Section {
        Social => "social",
        Police => "police",
        Health => "health",
        General => "general",
    }
}

text_enum! {
    /// A member's part in a case.
    Responsibility {
        Lead => "lead",
        Support => "support",
        Review => "review",
    }
}

text_enum! {
    Status {
        Intake => "intake",
        Assessment => "assessment",
        Plan => "plan",
        InProgress => "in_progress",
        Closed => "closed",
    }
}

text_enum! {
    Risk {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
}

text_enum! {
    /// Where a case is held.
    Level {
        Village => "village",
        District => "district",
        Province => "province",
    }
}

text_enum! {
    /// How a case ended. "Resolved at district level" is what the committee counts.
    Outcome {
        ResolvedDistrict => "resolved_district",
        ReferredProvince => "referred_province",
        ReferredAgency => "referred_agency",
        Transferred => "transferred",
        NoFurtherAction => "no_further_action",
    }
}

text_enum! {
    Concern {
        Trafficking => "trafficking",
        SexualAbuse => "sexual_abuse",
        Rape => "rape",
        SexualHarassment => "sexual_harassment",
        LabourExploitation => "labour_exploitation",
        Neglect => "neglect",
        HumanRightsViolation => "human_rights_violation",
        HighVulnerability => "high_vulnerability",
    }
}

text_enum! {
    Sex {
        Female => "female",
        Male => "male",
        Other => "other",
        Unknown => "unknown",
    }
}

text_enum! {
    Documentation {
        ThaiId => "thai_id",
        OtherId => "other_id",
        Stateless => "stateless",
        Unknown => "unknown",
        InProcess => "in_process",
    }
}

text_enum! {
    /// Who a person is in the case: the child or victim (`subject`) or another party.
    Party {
        Subject => "subject",
        AllegedPerpetrator => "alleged_perpetrator",
        Guardian => "guardian",
        Witness => "witness",
        Other => "other",
    }
}

text_enum! {
    ReferralStatus {
        Sent => "sent",
        Accepted => "accepted",
        Declined => "declined",
        Done => "done",
    }
}

text_enum! {
    ConsentGiver {
        Person => "person",
        Guardian => "guardian",
    }
}

/// A person as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewPerson {
    pub party: String,
    pub relation: Option<String>,
    pub name: String,
    pub alias: Option<String>,
    pub sex: String,
    /// `YYYY-MM-DD`, when known.
    pub birth_date: Option<String>,
    /// When only an estimate is known.
    pub birth_year_estimate: Option<i32>,
    pub nationality: Option<String>,
    pub documentation: String,
    #[serde(default)]
    pub languages: Vec<String>,
    pub village: Option<String>,
    pub contact: Option<String>,
}

/// A person in a case, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub party: Party,
    pub relation: Option<String>,
    pub name: String,
    pub alias: Option<String>,
    pub sex: Sex,
    pub birth_date: Option<String>,
    pub birth_year_estimate: Option<i32>,
    /// In whole years, from the birth date or the estimate.
    pub age: Option<u32>,
    pub nationality: Option<String>,
    pub documentation: Documentation,
    pub languages: Vec<String>,
    pub village: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewCase {
    /// The child or victim.
    pub subject: NewPerson,
    #[serde(default)]
    pub others: Vec<NewPerson>,
    pub concerns: Vec<String>,
    pub risk: String,
    pub level: String,
    /// The person saw the possible duplicates (same name and birth year) and goes on.
    #[serde(default)]
    pub duplicates_reviewed: bool,
}

pub(crate) fn parse_date(field: &'static str, raw: &str) -> Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw.trim(), &format)
        .map_err(|_| Error::invalid(field, format!("“{raw}” is not a date (YYYY-MM-DD)")))
}

/// Today where the person is: the date in this computer's time zone (UTC if the zone
/// cannot be read).
pub fn today() -> time::Date {
    date_in(jiff::Timestamp::now(), &jiff::tz::TimeZone::system())
}

/// The calendar date at `instant` in `zone`.
fn date_in(instant: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> time::Date {
    let date = instant.to_zoned(zone.clone()).date();
    time::Month::try_from(u8::try_from(date.month()).unwrap_or(1))
        .ok()
        .and_then(|month| {
            time::Date::from_calendar_date(
                i32::from(date.year()),
                month,
                u8::try_from(date.day()).unwrap_or(1),
            )
            .ok()
        })
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
}

/// A date that has happened: today (where the person is) at the latest.
pub fn past_date(field: &'static str, raw: &str) -> Result<String> {
    past_date_on(field, raw, today())
}

fn past_date_on(field: &'static str, raw: &str, today: time::Date) -> Result<String> {
    let date = parse_date(field, raw)?;
    if date > today {
        return Err(Error::invalid(field, "is in the future"));
    }
    Ok(date.to_string())
}

/// Whole years from `born` to `on`.
pub fn years_between(born: time::Date, on: time::Date) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month() as u8, on.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    years
}

pub fn age_of(birth_date: Option<&str>, birth_year: Option<i32>) -> Option<u32> {
    let now = today();
    let years = match (
        birth_date.and_then(|d| parse_date("birth_date", d).ok()),
        birth_year,
    ) {
        (Some(born), _) => years_between(born, now),
        (None, Some(year)) => now.year() - year,
        (None, None) => return None,
    };
    u32::try_from(years).ok()
}

impl NewPerson {
    /// Check every field; `field` prefixes the names in errors (`subject.name`, …).
    pub fn check(&self, prefix: &'static str) -> Result<Person> {
        let field = |name: &'static str| -> &'static str {
            // Field names are static: one per person slot and field.
            match (prefix, name) {
                ("subject", n) => SUBJECT_FIELDS
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map_or(n, |(_, v)| v),
                (_, n) => OTHER_FIELDS
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map_or(n, |(_, v)| v),
            }
        };
        let party = Party::parse(field("party"), &self.party)?;
        let name = clean_name(field("name"), &self.name)?;
        let birth_date = match self.birth_date.as_deref().filter(|d| !d.trim().is_empty()) {
            None => None,
            Some(raw) => {
                let date = past_date(field("birth_date"), raw)?;
                let born = parse_date(field("birth_date"), &date)?;
                if years_between(born, today()) > AGE_MAX_YEARS {
                    return Err(Error::invalid(
                        field("birth_date"),
                        format!("gives an age over {AGE_MAX_YEARS}"),
                    ));
                }
                Some(date)
            }
        };
        if let Some(year) = self.birth_year_estimate {
            let now = today().year();
            if year > now {
                return Err(Error::invalid(
                    field("birth_year_estimate"),
                    "is in the future",
                ));
            }
            if now - year > AGE_MAX_YEARS {
                return Err(Error::invalid(
                    field("birth_year_estimate"),
                    format!("gives an age over {AGE_MAX_YEARS}"),
                ));
            }
        }
        let birth_year_estimate = self
            .birth_year_estimate
            .or_else(|| birth_date.as_deref().and_then(|d| d[..4].parse().ok()));
        let mut languages = Vec::new();
        for language in &self.languages {
            if let Some(clean) = clean_optional(field("languages"), Some(language))? {
                if !languages.contains(&clean) {
                    languages.push(clean);
                }
            }
        }
        Ok(Person {
            id: uuid::Uuid::now_v7().to_string(),
            party,
            relation: clean_optional(field("relation"), self.relation.as_deref())?,
            age: age_of(birth_date.as_deref(), birth_year_estimate),
            name,
            alias: clean_optional(field("alias"), self.alias.as_deref())?,
            sex: Sex::parse(field("sex"), &self.sex)?,
            birth_date,
            birth_year_estimate,
            nationality: clean_optional(field("nationality"), self.nationality.as_deref())?,
            documentation: Documentation::parse(field("documentation"), &self.documentation)?,
            languages,
            village: clean_optional(field("village"), self.village.as_deref())?,
            contact: clean_optional(field("contact"), self.contact.as_deref())?,
        })
    }
}

const SUBJECT_FIELDS: &[(&str, &str)] = &[
    ("party", "subject.party"),
    ("name", "subject.name"),
    ("relation", "subject.relation"),
    ("alias", "subject.alias"),
    ("sex", "subject.sex"),
    ("birth_date", "subject.birth_date"),
    ("birth_year_estimate", "subject.birth_year_estimate"),
    ("nationality", "subject.nationality"),
    ("documentation", "subject.documentation"),
    ("languages", "subject.languages"),
    ("village", "subject.village"),
    ("contact", "subject.contact"),
];

const OTHER_FIELDS: &[(&str, &str)] = &[
    ("party", "others.party"),
    ("name", "others.name"),
    ("relation", "others.relation"),
    ("alias", "others.alias"),
    ("sex", "others.sex"),
    ("birth_date", "others.birth_date"),
    ("birth_year_estimate", "others.birth_year_estimate"),
    ("nationality", "others.nationality"),
    ("documentation", "others.documentation"),
    ("languages", "others.languages"),
    ("village", "others.village"),
    ("contact", "others.contact"),
];

/// A checked new case.
#[derive(Debug)]
pub struct CheckedCase {
    pub subject: Person,
    pub others: Vec<Person>,
    pub concerns: Vec<Concern>,
    pub risk: Risk,
    pub level: Level,
}

impl NewCase {
    pub fn check(&self) -> Result<CheckedCase> {
        let subject = self.subject.check("subject")?;
        if subject.party != Party::Subject {
            return Err(Error::invalid(
                "subject.party",
                "must be “subject” (the child or victim)",
            ));
        }
        let mut others = Vec::new();
        for other in &self.others {
            let person = other.check("others")?;
            if person.party == Party::Subject {
                return Err(Error::invalid(
                    "others.party",
                    "a case has one child or victim; the others are other parties",
                ));
            }
            others.push(person);
        }
        if self.concerns.is_empty() {
            return Err(Error::invalid("concerns", "name at least one concern"));
        }
        let mut concerns = Vec::new();
        for raw in &self.concerns {
            let concern = Concern::parse("concerns", raw)?;
            if !concerns.contains(&concern) {
                concerns.push(concern);
            }
        }
        Ok(CheckedCase {
            subject,
            others,
            concerns,
            risk: Risk::parse("risk", &self.risk)?,
            level: Level::parse("level", &self.level)?,
        })
    }
}

/// A note's body: present, and not a document.
pub fn clean_note(raw: &str) -> Result<String> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(Error::invalid("body", "is empty"));
    }
    if body.chars().count() > NOTE_MAX_CHARS {
        return Err(Error::invalid(
            "body",
            format!("must be at most {NOTE_MAX_CHARS} characters; attach long documents instead"),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(Error::invalid("body", "contains control characters"));
    }
    Ok(body.to_owned())
}

/// What an attachment is, from its first bytes (never from its name alone).
pub fn media_type_of(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Check an attachment: its size, that it is a photo or a PDF, and that its name says so.
pub fn check_attachment(file_name: &str, bytes: &[u8]) -> Result<(String, &'static str)> {
    let name = clean_name("file_name", file_name)?;
    if name.contains(['/', '\\']) {
        return Err(Error::invalid(
            "file_name",
            "must be a file name, not a path",
        ));
    }
    if bytes.is_empty() {
        return Err(Error::invalid("content", "is empty"));
    }
    if bytes.len() > ATTACHMENT_MAX_BYTES {
        return Err(Error::invalid(
            "content",
            format!(
                "is {:.1} MB; the most is {} MB",
                bytes.len() as f64 / 1_048_576.0,
                ATTACHMENT_MAX_BYTES / 1_048_576
            ),
        ));
    }
    let Some(media_type) = media_type_of(bytes) else {
        return Err(Error::invalid(
            "content",
            "is not a JPEG or PNG photo or a PDF document",
        ));
    };
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_lowercase())
        .unwrap_or_default();
    let expected: &[&str] = match media_type {
        "image/jpeg" => &["jpg", "jpeg"],
        "image/png" => &["png"],
        _ => &["pdf"],
    };
    if !expected.contains(&extension.as_str()) {
        return Err(Error::invalid(
            "file_name",
            format!("ends in “.{extension}” but the file is {media_type}"),
        ));
    }
    Ok((name, media_type))
}

/// Fold text as the search index does (lower case, Latin diacritics removed), keeping for
/// each folded character the index of the character it came from.
fn fold(text: &str) -> (Vec<char>, Vec<usize>) {
    use unicode_normalization::UnicodeNormalization as _;
    let mut folded = Vec::new();
    let mut origin = Vec::new();
    for (i, c) in text.chars().enumerate() {
        for d in c.nfd() {
            if ('\u{0300}'..='\u{036F}').contains(&d) {
                continue;
            }
            for l in d.to_lowercase() {
                folded.push(l);
                origin.push(i);
            }
        }
    }
    (folded, origin)
}

/// A short part of `text` around the first match of `typed`, the match between « and ».
/// (Without a match, the start of the text.)
pub fn snippet(text: &str, typed: &str) -> String {
    const AROUND: usize = 40;
    let chars: Vec<char> = text.chars().collect();
    let (folded, origin) = fold(text);
    let (needle, _) = fold(typed.trim());
    let found = (!needle.is_empty() && folded.len() >= needle.len())
        .then(|| {
            folded
                .windows(needle.len())
                .position(|w| w == needle.as_slice())
        })
        .flatten();
    let Some(at) = found else {
        let start: String = chars.iter().take(AROUND * 2).collect();
        return if chars.len() > AROUND * 2 {
            format!("{start}…")
        } else {
            start
        };
    };
    let (from, to) = (origin[at], origin[at + needle.len() - 1] + 1);
    let start = from.saturating_sub(AROUND);
    let end = (to + AROUND).min(chars.len());
    let piece = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    format!(
        "{}{}«{}»{}{}",
        if start > 0 { "…" } else { "" },
        piece(start, from),
        piece(from, to),
        piece(to, end),
        if end < chars.len() { "…" } else { "" }
    )
}

/// A search as typed, made safe for FTS5: one phrase, at least three characters.
/// A name as compared for the duplicate warning: the same whatever its case (in any
/// script), spacing, compatibility forms, or the accents on Latin letters ("NGUYỄN thị"
/// is "Nguyen Thi"). Thai vowel and tone marks are letters of the word and stay.
pub fn name_key(name: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization as _;
    let lower: String = name.nfkc().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(lower.len());
    let mut after_latin = false;
    for c in lower.nfd() {
        if is_combining_mark(c) {
            if after_latin {
                continue;
            }
        } else {
            after_latin = c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c);
        }
        out.push(c);
    }
    let spaced: Vec<&str> = out.split_whitespace().collect();
    spaced.join(" ").nfc().collect()
}

pub fn search_phrase(raw: &str) -> Result<String> {
    use unicode_normalization::UnicodeNormalization as _;
    let text: String = raw.trim().nfc().collect();
    if text.chars().count() < SEARCH_MIN_CHARS {
        return Err(Error::invalid(
            "query",
            format!("type at least {SEARCH_MIN_CHARS} characters"),
        ));
    }
    if text.chars().count() > 200 {
        return Err(Error::invalid("query", "must be at most 200 characters"));
    }
    Ok(format!("\"{}\"", text.replace('"', "\"\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_spacing_or_latin_accents_but_keep_thai_marks() {
        assert_eq!(name_key("NGUYỄN  Thị Lan"), name_key("nguyen thi lan"));
        assert_eq!(name_key("ÉMILE"), "emile");
        assert_eq!(name_key("Ａｙｅ"), "aye");
        assert_eq!(name_key(" สมศรี  ใจดี "), "สมศรี ใจดี");
        // ศรี and ศร differ by a vowel mark: different names.
        assert_ne!(name_key("ศรีนวล"), name_key("ศรนวล"));
        assert_ne!(name_key("Lan"), name_key("Lân Lan"));
    }

    #[test]
    fn today_is_the_date_where_the_person_is() {
        let instant: jiff::Timestamp = "2026-11-28T20:30:00Z".parse().unwrap();
        let bangkok = jiff::tz::TimeZone::fixed(jiff::tz::offset(7));
        let d = |s: &str| parse_date("d", s).unwrap();
        // 03:30 on the 29th in Thailand while it is still the 28th in UTC.
        assert_eq!(date_in(instant, &bangkok), d("2026-11-29"));
        assert_eq!(date_in(instant, &jiff::tz::TimeZone::UTC), d("2026-11-28"));
        let today = date_in(instant, &bangkok);
        assert!(past_date_on("given_on", "2026-11-29", today).is_ok());
        assert!(matches!(
            past_date_on("given_on", "2026-11-30", today),
            Err(Error::Invalid {
                field: "given_on",
                ..
            })
        ));
    }

    #[test]
    fn ages_count_whole_years() {
        let d = |s: &str| parse_date("d", s).unwrap();
        assert_eq!(years_between(d("2014-11-29"), d("2026-11-28")), 11);
        assert_eq!(years_between(d("2014-11-28"), d("2026-11-28")), 12);
    }

    #[test]
    fn attachments_are_checked_by_their_bytes() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        assert_eq!(check_attachment("photo.PNG", &png).unwrap().1, "image/png");
        for (name, bytes, field) in [
            ("photo.jpg", &png[..], "file_name"),
            ("notes.txt", b"plain text".as_slice(), "content"),
            ("../photo.png", &png[..], "file_name"),
            ("empty.png", b"".as_slice(), "content"),
        ] {
            match check_attachment(name, bytes) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        let big = vec![0xFF; ATTACHMENT_MAX_BYTES + 1];
        assert!(check_attachment("big.jpg", &big).is_err());
    }

    #[test]
    fn snippets_mark_the_match_as_the_index_found_it() {
        assert_eq!(snippet("Nguyễn Thị Lan", "nguyen thi"), "«Nguyễn Thị» Lan");
        let thai = "เจ้าหน้าที่ตำรวจสอบปากคำพยานที่สถานีแม่สาย";
        assert_eq!(
            snippet(thai, "สอบปากคำ"),
            "เจ้าหน้าที่ตำรวจ«สอบปากคำ»พยานที่สถานีแม่สาย"
        );
        let long = format!("{}needle{}", "a".repeat(100), "b".repeat(100));
        let s = snippet(&long, "NEEDLE");
        assert!(
            s.starts_with('…') && s.ends_with('…') && s.contains("«needle»"),
            "{s}"
        );
        assert_eq!(snippet("no match here", "zzz"), "no match here");
    }

    #[test]
    fn searches_are_one_quoted_phrase() {
        assert_eq!(search_phrase(" ค้ามนุษย์ ").unwrap(), "\"ค้ามนุษย์\"");
        assert_eq!(search_phrase("a\"b OR c").unwrap(), "\"a\"\"b OR c\"");
        assert!(search_phrase("ab").is_err());
    }
}
