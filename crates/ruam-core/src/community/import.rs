//! Importing volunteers' household surveys from a spreadsheet saved as CSV (UTF-8): one
//! row a child, the household's columns repeated on each of its children's rows.
//!
//! A file is read whole and checked whole first: the preview says, row by row and column
//! by column, what is wrong, and nothing is written. Only a file without errors is
//! written, every household and child in one transaction. A field that begins like a
//! spreadsheet formula (`=`, `+`, `-`, `@`) is text here: it is kept as typed, a warning
//! says so, and every export of Ruam writes it so that no spreadsheet runs it.

use std::collections::HashMap;

use serde::Serialize;

use super::csv::{self, Record};
use super::register::{
    self, Checked, IncomeBand, Known, LivesWith, NewChild, NewHousehold, ParentsAway, School,
    Wellbeing,
};
use crate::cases::{name_key, Documentation, Sex};
use crate::{Error, Result};

/// The largest file read: a district's survey is a few megabytes.
pub const FILE_MAX_BYTES: usize = 64 * 1024 * 1024;
/// The longest field (a note of other risks).
pub const FIELD_MAX_BYTES: usize = 4000;
/// At most this many problems are listed (all are counted).
pub const ISSUES_LISTED: usize = 500;
/// Rows shown in the preview.
pub const SAMPLE_ROWS: usize = 20;

/// The columns of a survey file, in the order of the template.
pub const COLUMNS: [&str; 17] = [
    "village",
    "moo",
    "household",
    "surveyed_on",
    "volunteer",
    "income_band",
    "parents_away",
    "debt",
    "disability",
    "health_care",
    "other_risks",
    "child_name",
    "sex",
    "birth_date",
    "school",
    "documentation",
    "lives_with",
];

/// Columns that may be left empty.
const OPTIONAL: [&str; 2] = ["moo", "other_risks"];

/// A household's columns: the same on each of its children's rows.
const HOUSEHOLD_COLUMNS: [&str; 9] = [
    "surveyed_on",
    "volunteer",
    "income_band",
    "parents_away",
    "debt",
    "disability",
    "health_care",
    "other_risks",
    "moo",
];

/// A problem of the file: its row (1 is the header) and column, if it is one field's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportIssue {
    pub row: u32,
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    pub row: u32,
    pub village: String,
    pub household: String,
    pub name: String,
    pub birth_date: String,
    pub documentation: Documentation,
}

/// What an import would write, or what stops it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    /// Rows of children read (the header not counted).
    pub rows: u32,
    pub households: u32,
    pub children: u32,
    /// The first [`ISSUES_LISTED`] errors; any error stops the import.
    pub errors: Vec<ImportIssue>,
    pub error_count: u32,
    /// What goes in but should be looked at (a formula kept as text).
    pub warnings: Vec<ImportIssue>,
    pub warning_count: u32,
    pub sample: Vec<PreviewRow>,
    /// The file's SHA-256: an import writes only the file that was previewed.
    pub digest: String,
}

/// The file checked: its preview and, when it has no errors, what to write.
#[derive(Debug)]
pub struct Plan {
    pub preview: ImportPreview,
    pub households: Vec<Checked>,
}

struct Issues {
    errors: Vec<ImportIssue>,
    error_count: u32,
    warnings: Vec<ImportIssue>,
    warning_count: u32,
}

impl Issues {
    fn error(&mut self, row: u32, column: Option<&str>, message: impl Into<String>) {
        self.error_count += 1;
        if self.errors.len() < ISSUES_LISTED {
            self.errors.push(ImportIssue {
                row,
                column: column.map(str::to_owned),
                message: message.into(),
            });
        }
    }

    fn warning(&mut self, row: u32, column: &str, message: impl Into<String>) {
        self.warning_count += 1;
        if self.warnings.len() < ISSUES_LISTED {
            self.warnings.push(ImportIssue {
                row,
                column: Some(column.to_owned()),
                message: message.into(),
            });
        }
    }
}

/// The text of the file, or why it is not UTF-8 text a spreadsheet saved.
fn text(bytes: &[u8]) -> std::result::Result<&str, ImportIssue> {
    let at_row_one = |message: &str| ImportIssue {
        row: 1,
        column: None,
        message: message.to_owned(),
    };
    if bytes.len() > FILE_MAX_BYTES {
        return Err(at_row_one(&format!(
            "the file is larger than {} MB: split it by village",
            FILE_MAX_BYTES / 1024 / 1024
        )));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(at_row_one(
            "the file is UTF-16 (“Unicode text”): save it from the spreadsheet as “CSV UTF-8”",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let before = &bytes[..e.valid_up_to()];
            let row = before.iter().filter(|b| **b == b'\n').count() + 1;
            // Thai in TIS-620 / Windows-874 is bytes from 0xA1 up, one a letter.
            let thai_legacy = bytes[e.valid_up_to()..]
                .iter()
                .take(64)
                .filter(|b| **b >= 0xA1)
                .count()
                > 4;
            let hint = if thai_legacy {
                " (it looks like Thai in TIS-620 / Windows-874)"
            } else {
                ""
            };
            Err(ImportIssue {
                row: u32::try_from(row).unwrap_or(u32::MAX),
                column: None,
                message: format!(
                    "the file is not UTF-8 text{hint}: save it from the spreadsheet as “CSV UTF-8”"
                ),
            })
        }
    }
}

fn yes_no(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "y" | "1" | "true" | "ใช่" | "มี" => Some(true),
        "no" | "n" | "0" | "false" | "ไม่ใช่" | "ไม่มี" => Some(false),
        _ => None,
    }
}

fn looks_like_formula(value: &str) -> bool {
    value.trim_start().starts_with(['=', '+', '-', '@'])
}

/// The column a field of the register's checks is read from.
fn column_of(field: &str) -> &'static str {
    match field {
        "villageId" => "village",
        "label" => "household",
        "surveyedOn" => "surveyed_on",
        "volunteerId" => "volunteer",
        "otherRisks" => "other_risks",
        "name" => "child_name",
        "birthDate" => "birth_date",
        _ => "household",
    }
}

/// One row of the file, by column name.
struct Row<'a> {
    number: u32,
    values: HashMap<&'static str, &'a str>,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.values.get(column).map_or("", |v| v.trim())
    }
}

/// Villages as a survey names them: by name (Thai or English) and, where two share a
/// name, by number.
struct Villages(HashMap<String, Vec<(String, Option<i64>)>>);

impl Villages {
    fn of(known: &Known) -> Self {
        let mut by_name: HashMap<String, Vec<(String, Option<i64>)>> = HashMap::new();
        for (id, (th, en, moo)) in &known.villages {
            by_name
                .entry(name_key(th))
                .or_default()
                .push((id.clone(), *moo));
            if let Some(en) = en {
                by_name
                    .entry(name_key(en))
                    .or_default()
                    .push((id.clone(), *moo));
            }
        }
        Self(by_name)
    }

    fn find(&self, name: &str, moo: Option<i64>) -> std::result::Result<String, String> {
        let found: Vec<&(String, Option<i64>)> = self
            .0
            .get(&name_key(name))
            .map(|all| {
                all.iter()
                    .filter(|(_, m)| moo.is_none() || *m == moo)
                    .collect()
            })
            .unwrap_or_default();
        match found.as_slice() {
            [(id, _)] => Ok(id.clone()),
            [] => Err(format!(
                "“{name}” is not a village of the register; add it first"
            )),
            _ => Err(format!(
                "more than one village is called “{name}”: give its number in column moo"
            )),
        }
    }
}

fn parse_enum<T>(
    row: &Row<'_>,
    column: &'static str,
    issues: &mut Issues,
    parse: fn(&'static str, &str) -> Result<T>,
) -> Option<T> {
    match parse(column, &row.get(column).to_lowercase()) {
        Ok(value) => Some(value),
        Err(Error::Invalid { reason, .. }) => {
            issues.error(row.number, Some(column), reason);
            None
        }
        Err(other) => {
            issues.error(row.number, Some(column), other.to_string());
            None
        }
    }
}

/// A row's household, as far as its columns are right.
fn household_of(
    row: &Row<'_>,
    village_id: &str,
    known: &Known,
    issues: &mut Issues,
) -> Option<NewHousehold> {
    let volunteer = row.get("volunteer");
    let volunteer_id = known
        .volunteers
        .iter()
        .find(|(_, (village, name))| village == village_id && name_key(name) == name_key(volunteer))
        .map(|(id, _)| id.clone());
    if volunteer_id.is_none() {
        issues.error(
            row.number,
            Some("volunteer"),
            format!("“{volunteer}” is not a volunteer of this village; add them first"),
        );
    }
    let income_band = parse_enum(row, "income_band", issues, IncomeBand::parse);
    let parents_away = parse_enum(row, "parents_away", issues, ParentsAway::parse);
    let mut flag = |column: &'static str| {
        let value = yes_no(row.get(column));
        if value.is_none() {
            issues.error(
                row.number,
                Some(column),
                format!("“{}” is not yes or no", row.get(column)),
            );
        }
        value
    };
    let (debt, disability, health_care) = (flag("debt"), flag("disability"), flag("health_care"));
    let other = row.get("other_risks");
    Some(NewHousehold {
        village_id: village_id.to_owned(),
        label: row.get("household").to_owned(),
        surveyed_on: row.get("surveyed_on").to_owned(),
        volunteer_id: volunteer_id?,
        wellbeing: Wellbeing {
            income_band: income_band?,
            parents_away: parents_away?,
            debt: debt?,
            disability: disability?,
            health_care: health_care?,
            other_risks: (!other.is_empty()).then(|| other.to_owned()),
        },
        children: Vec::new(),
    })
}

fn child_of(row: &Row<'_>, issues: &mut Issues) -> Option<NewChild> {
    let sex = parse_enum(row, "sex", issues, Sex::parse);
    let school = parse_enum(row, "school", issues, School::parse);
    let documentation = parse_enum(row, "documentation", issues, Documentation::parse);
    let lives_with = parse_enum(row, "lives_with", issues, LivesWith::parse);
    Some(NewChild {
        name: row.get("child_name").to_owned(),
        sex: sex?,
        birth_date: row.get("birth_date").to_owned(),
        school: school?,
        documentation: documentation?,
        lives_with: lives_with?,
    })
}

fn invalid(issues: &mut Issues, row: u32, error: Error, child: bool) {
    match error {
        Error::Invalid { field, reason } => {
            let column = if child && field == "name" {
                "child_name"
            } else {
                column_of(field)
            };
            issues.error(row, Some(column), reason);
        }
        other => issues.error(row, None, other.to_string()),
    }
}

/// The header's columns by position, or what is wrong with it.
fn header(record: &Record, issues: &mut Issues) -> Option<Vec<&'static str>> {
    let named: Vec<String> = record
        .fields
        .iter()
        .map(|f| f.trim().to_lowercase())
        .collect();
    if named.len() == 1 && named[0].contains(';') {
        issues.error(
            1,
            None,
            "the columns are separated by semicolons: save the file as CSV with commas",
        );
        return None;
    }
    let mut columns = Vec::with_capacity(named.len());
    let mut good = true;
    for name in &named {
        match COLUMNS.iter().find(|c| *c == name) {
            Some(c) if columns.contains(c) => {
                issues.error(1, Some(c), format!("column {c} is there twice"));
                good = false;
            }
            Some(c) => columns.push(*c),
            None => {
                issues.error(
                    1,
                    Some(name),
                    format!(
                        "“{name}” is not a column of a survey; remove it (the columns are: {})",
                        COLUMNS.join(", ")
                    ),
                );
                good = false;
            }
        }
    }
    for column in COLUMNS {
        if !named.iter().any(|n| n == column) {
            issues.error(1, Some(column), format!("column {column} is missing"));
            good = false;
        }
    }
    good.then_some(columns)
}

/// Check a survey file against the register as `known` holds it, on `today`.
pub fn plan(bytes: &[u8], mut known: Known, today: time::Date) -> Plan {
    let digest = hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes));
    let mut issues = Issues {
        errors: Vec::new(),
        error_count: 0,
        warnings: Vec::new(),
        warning_count: 0,
    };
    let mut preview = ImportPreview {
        rows: 0,
        households: 0,
        children: 0,
        errors: Vec::new(),
        error_count: 0,
        warnings: Vec::new(),
        warning_count: 0,
        sample: Vec::new(),
        digest,
    };
    let records = match text(bytes) {
        Ok(text) => csv::records(text, FIELD_MAX_BYTES),
        Err(issue) => {
            issues.error(issue.row, None, issue.message);
            Vec::new()
        }
    };
    let mut households: Vec<Checked> = Vec::new();
    let mut records = records.into_iter();
    let columns = match records.next() {
        Some(first) => header(&first, &mut issues),
        None => {
            if issues.error_count == 0 {
                issues.error(1, None, "the file is empty");
            }
            None
        }
    };
    if let Some(columns) = columns {
        let villages = Villages::of(&known);
        let mut seen = Seen::default();
        for record in records {
            if record.fields.iter().all(|f| f.trim().is_empty()) && record.overflow.is_none() {
                continue;
            }
            preview.rows += 1;
            read_row(
                &record,
                &columns,
                &villages,
                &mut known,
                today,
                &mut issues,
                &mut seen,
                &mut households,
                &mut preview.sample,
            );
        }
        if preview.rows == 0 {
            issues.error(1, None, "the file has a header but no rows");
        }
    }
    preview.households = u32::try_from(households.len()).unwrap_or(u32::MAX);
    preview.children = households
        .iter()
        .map(|h| u32::try_from(h.household.children.len()).unwrap_or(u32::MAX))
        .sum();
    preview.errors = issues.errors;
    preview.error_count = issues.error_count;
    preview.warnings = issues.warnings;
    preview.warning_count = issues.warning_count;
    if preview.error_count > 0 {
        households.clear();
    }
    Plan {
        preview,
        households,
    }
}

/// What the rows read so far hold.
#[derive(Default)]
struct Seen {
    /// (village id, household key) → the household's index, its first row, its columns.
    households: HashMap<(String, String), (usize, u32, Vec<String>)>,
    /// Households whose first row has errors → that row.
    failed: HashMap<(String, String), u32>,
    /// (village id, name key, birth date) → the child's row.
    children: HashMap<(String, String, String), u32>,
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    record: &Record,
    columns: &[&'static str],
    villages: &Villages,
    known: &mut Known,
    today: time::Date,
    issues: &mut Issues,
    seen: &mut Seen,
    households: &mut Vec<Checked>,
    sample: &mut Vec<PreviewRow>,
) {
    let number = record.row;
    if record.unterminated {
        issues.error(
            number,
            None,
            "a quote (\") opens a field that never closes: the rest of the file is in it",
        );
        return;
    }
    if record.fields.len() != columns.len() {
        issues.error(
            number,
            None,
            format!(
                "the row has {} fields where the header has {} columns",
                record.fields.len(),
                columns.len()
            ),
        );
        return;
    }
    if let Some(at) = record.overflow {
        issues.error(
            number,
            Some(columns[at]),
            format!("the field is longer than {FIELD_MAX_BYTES} bytes"),
        );
        return;
    }
    let row = Row {
        number,
        values: columns
            .iter()
            .copied()
            .zip(record.fields.iter().map(String::as_str))
            .collect(),
    };
    let mut missing = false;
    for column in COLUMNS {
        if !OPTIONAL.contains(&column) && row.get(column).is_empty() {
            issues.error(number, Some(column), "is empty");
            missing = true;
        }
    }
    if missing {
        return;
    }
    for column in [
        "village",
        "household",
        "volunteer",
        "other_risks",
        "child_name",
    ] {
        if looks_like_formula(row.get(column)) {
            issues.warning(
                number,
                column,
                "begins like a spreadsheet formula: kept as text, never run",
            );
        }
    }
    let moo = match row.get("moo") {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(moo) if (1..=99).contains(&moo) => Some(moo),
            _ => {
                issues.error(
                    number,
                    Some("moo"),
                    format!("“{raw}” is not a village number from 1 to 99"),
                );
                return;
            }
        },
    };
    let village_id = match villages.find(row.get("village"), moo) {
        Ok(id) => id,
        Err(message) => {
            issues.error(number, Some("village"), message);
            return;
        }
    };
    let key = (village_id.clone(), name_key(row.get("household")));
    if let Some(first) = seen.failed.get(&key) {
        issues.error(
            number,
            Some("household"),
            format!("the household's first row ({first}) has errors"),
        );
        return;
    }
    let house_values: Vec<String> = HOUSEHOLD_COLUMNS
        .iter()
        .map(|c| row.get(c).to_owned())
        .collect();
    let index = match seen.households.get(&key) {
        Some((index, first, values)) => {
            if let Some(differs) = HOUSEHOLD_COLUMNS
                .iter()
                .zip(values.iter().zip(&house_values))
                .find(|(_, (a, b))| a != b)
                .map(|(c, _)| *c)
            {
                issues.error(
                    number,
                    Some(differs),
                    format!("differs from row {first} of the same household"),
                );
                return;
            }
            *index
        }
        None => {
            let Some(new) = household_of(&row, &village_id, known, issues) else {
                seen.failed.insert(key, number);
                return;
            };
            match register::check_household(&new, known, today) {
                Ok(checked) => {
                    known.remember(&checked);
                    households.push(Checked { household: checked });
                    let index = households.len() - 1;
                    seen.households.insert(key, (index, number, house_values));
                    index
                }
                Err(error) => {
                    invalid(issues, number, error, false);
                    seen.failed.insert(key, number);
                    return;
                }
            }
        }
    };
    let Some(child) = child_of(&row, issues) else {
        return;
    };
    let child_key = (
        village_id.clone(),
        name_key(&child.name),
        child.birth_date.clone(),
    );
    if let Some(first) = seen.children.get(&child_key) {
        issues.error(
            number,
            Some("child_name"),
            format!("the same child (name, birth date and village) as row {first}"),
        );
        return;
    }
    seen.children.insert(child_key, number);
    let household = &mut households[index].household;
    let surveyed = crate::cases::parse_date("surveyedOn", &household.surveyed_on).unwrap_or(today);
    match register::check_child(&child, &village_id, surveyed, known) {
        Ok(child) => {
            let mut one = NewHousehold {
                children: vec![child.clone()],
                ..household.clone()
            };
            one.children.truncate(1);
            known.remember(&one);
            if sample.len() < SAMPLE_ROWS {
                sample.push(PreviewRow {
                    row: number,
                    village: row.get("village").to_owned(),
                    household: household.label.clone(),
                    name: child.name.clone(),
                    birth_date: child.birth_date.clone(),
                    documentation: child.documentation,
                });
            }
            household.children.push(child);
        }
        Err(error) => invalid(issues, number, error, true),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn known() -> Known {
        let mut known = Known::default();
        known.villages.insert(
            "v1".into(),
            ("บ้านป่าสัก".into(), Some("Ban Pa Sak".into()), Some(3)),
        );
        known
            .volunteers
            .insert("p1".into(), ("v1".into(), "สมศรี ใจดี".into()));
        known
    }

    const GOOD: &str = "บ้านป่าสัก,3,12/1,2026-10-01,สมศรี ใจดี,low,both,yes,no,no,,นิด,female,2012-04-02,attending,stateless,grandparents";

    fn today() -> time::Date {
        time::macros::date!(2026 - 12 - 03)
    }

    #[test]
    fn a_good_file_plans_its_household_and_children() {
        let file = format!("{}\n{GOOD}\n", COLUMNS.join(","));
        let plan = plan(file.as_bytes(), known(), today());
        assert_eq!(plan.preview.errors, vec![]);
        assert_eq!(plan.households.len(), 1);
        assert_eq!(plan.households[0].household.children[0].name, "นิด");
    }

    /// Pieces that make the importer's paths: the header, good rows, quotes, separators,
    /// line breaks, Thai, formulas, dates, and bytes that are not UTF-8.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(COLUMNS.join(",").into_bytes()),
            Just(GOOD.as_bytes().to_vec()),
            Just(b",".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"\"\"".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(";".as_bytes().to_vec()),
            Just("บ้านป่าสัก".as_bytes().to_vec()),
            Just("=1+1".as_bytes().to_vec()),
            Just("2099-01-01".as_bytes().to_vec()),
            Just(vec![0xEF, 0xBB, 0xBF]),
            Just(vec![0xFF, 0xFE]),
            Just(vec![0xBA, 0xE9, 0xD2, 0xB9]),
            Just(vec![0]),
            "[a-z0-9ก-ฮ ]{0,12}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..8),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// No input makes the importer panic; a plan with errors writes nothing, and one
        /// without has a child for each row it read.
        #[test]
        fn no_file_makes_the_importer_panic(pieces in proptest::collection::vec(piece(), 0..40)) {
            let bytes = pieces.concat();
            let plan = plan(&bytes, known(), today());
            let p = &plan.preview;
            prop_assert!(p.errors.len() <= ISSUES_LISTED);
            prop_assert!(u32::try_from(p.errors.len()).unwrap() <= p.error_count);
            if p.error_count > 0 {
                prop_assert!(plan.households.is_empty());
            } else {
                let children: usize = plan.households.iter().map(|h| h.household.children.len()).sum();
                prop_assert_eq!(u32::try_from(children).unwrap(), p.rows);
            }
        }

        #[test]
        fn no_bytes_make_the_importer_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = plan(&bytes, known(), today());
        }
    }
}
