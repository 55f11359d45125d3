//! One row of a survey file: its household (the first of its rows says it, the others
//! must agree) and its child, each field checked and every problem named by row and column.

use std::collections::HashMap;

use super::{
    Issues, PreviewRow, COLUMNS, FIELD_MAX_BYTES, HOUSEHOLD_COLUMNS, OPTIONAL, SAMPLE_ROWS,
};
use crate::cases::{name_key, Documentation, Sex};
use crate::community::csv::Record;
use crate::community::register::{
    self, Checked, IncomeBand, Known, LivesWith, NewChild, NewHousehold, ParentsAway, School,
    Wellbeing,
};
use crate::{Error, Result};

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
pub(super) struct Villages {
    by_name: HashMap<String, Vec<(String, Option<i64>)>>,
    /// (village id, volunteer's name key) → the volunteer's id.
    volunteers: HashMap<(String, String), String>,
}

impl Villages {
    pub(super) fn of(known: &Known) -> Self {
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
        let volunteers = known
            .volunteers
            .iter()
            .map(|(id, (village, name))| ((village.clone(), name_key(name)), id.clone()))
            .collect();
        Self {
            by_name,
            volunteers,
        }
    }

    fn find(&self, name: &str, moo: Option<i64>) -> std::result::Result<String, String> {
        let found: Vec<&(String, Option<i64>)> = self
            .by_name
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
    villages: &Villages,
    issues: &mut Issues,
) -> Option<NewHousehold> {
    let volunteer = row.get("volunteer");
    let volunteer_id = villages
        .volunteers
        .get(&(village_id.to_owned(), name_key(volunteer)))
        .cloned();
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

/// What the rows read so far hold.
#[derive(Default)]
pub(super) struct Seen {
    /// (village id, household key) → the household's index, its first row, its columns.
    households: HashMap<(String, String), (usize, u32, Vec<String>)>,
    /// Households whose first row has errors → that row.
    failed: HashMap<(String, String), u32>,
    /// (village id, name key, birth date) → the child's row.
    children: HashMap<(String, String, String), u32>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn read_row(
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
            let Some(new) = household_of(&row, &village_id, villages, issues) else {
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
