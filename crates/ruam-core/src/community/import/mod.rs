//! Importing volunteers' household surveys from a spreadsheet saved as CSV (UTF-8): one
//! row a child, the household's columns repeated on each of its children's rows.
//!
//! A file is read whole and checked whole first: the preview says, row by row and column
//! by column, what is wrong, and nothing is written. Only a file without errors is
//! written, every household and child in one transaction. A field that begins like a
//! spreadsheet formula (`=`, `+`, `-`, `@`) is text here: it is kept as typed, a warning
//! says so, and every export of Ruam writes it so that no spreadsheet runs it.

use serde::Serialize;

use super::csv::{self, Record};
use super::register::{Checked, Known};
use crate::cases::Documentation;

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

mod rows;
use rows::{read_row, Seen, Villages};

#[cfg(test)]
mod tests;
