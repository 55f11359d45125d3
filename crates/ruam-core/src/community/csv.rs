//! Reading CSV as spreadsheets write it (RFC 4180: commas, fields in double quotes with
//! `""` for a quote, line breaks inside quotes, CRLF or LF), into records numbered as the
//! spreadsheet numbers its rows. A field longer than a limit is not kept: its record says
//! which column overflowed, so that a field of megabytes is one clear error, not memory.

/// One record of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The spreadsheet's row number (the header is row 1).
    pub row: u32,
    pub fields: Vec<String>,
    /// The first field (by index) longer than the limit, emptied.
    pub overflow: Option<usize>,
    /// A quoted field that never ends (the rest of the file is in it).
    pub unterminated: bool,
}

/// Split `text` into records; no input makes it panic, each field holds at most
/// `field_max` bytes.
pub fn records(text: &str, field_max: usize) -> Vec<Record> {
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut overflow = None;
    let mut quoted = false;
    let mut row: u32 = 1;
    let mut chars = text.chars().peekable();
    let mut any = false;
    let push_char = |field: &mut String, overflow: &mut Option<usize>, index: usize, c: char| {
        if field.len() + c.len_utf8() > field_max {
            overflow.get_or_insert(index);
            field.clear();
            // Keep a mark so the overflow is not mistaken for an empty field.
        } else if overflow != &Some(index) {
            field.push(c);
        }
    };
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    push_char(&mut field, &mut overflow, fields.len(), '"');
                }
                '"' => quoted = false,
                c => push_char(&mut field, &mut overflow, fields.len(), c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && overflow != Some(fields.len()) => quoted = true,
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::take(&mut field));
                out.push(Record {
                    row,
                    fields: std::mem::take(&mut fields),
                    overflow: overflow.take(),
                    unterminated: false,
                });
                row = row.saturating_add(1);
                any = false;
            }
            // A quote inside an unquoted field is kept as it is.
            c => push_char(&mut field, &mut overflow, fields.len(), c),
        }
    }
    if any || quoted {
        fields.push(field);
        out.push(Record {
            row,
            fields,
            overflow,
            unterminated: quoted,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        records(text, 100).into_iter().map(|r| r.fields).collect()
    }

    #[test]
    fn quotes_commas_and_line_breaks_as_spreadsheets_write_them() {
        assert_eq!(
            fields("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z"),
            vec![
                vec!["a", "b"],
                vec!["x, y", "say \"hi\""],
                vec!["two\nlines", "z"]
            ]
        );
        // The row after a field with a line break is the spreadsheet's next row.
        let rows: Vec<u32> = records("h\n\"a\nb\"\nc\n", 100)
            .iter()
            .map(|r| r.row)
            .collect();
        assert_eq!(rows, vec![1, 2, 3]);
        // A last line without its line break is a record; an empty file has none.
        assert_eq!(fields("a,b"), vec![vec!["a", "b"]]);
        assert!(records("", 100).is_empty());
        assert_eq!(fields("ก,ข\n"), vec![vec!["ก", "ข"]]);
    }

    #[test]
    fn a_field_over_the_limit_is_emptied_and_named() {
        let long = "x".repeat(50);
        let got = records(&format!("a,{long},c\nd,e,f\n"), 10);
        assert_eq!(got[0].overflow, Some(1));
        assert_eq!(got[0].fields, vec!["a", "", "c"]);
        assert_eq!(got[1].overflow, None);
        let quoted = records(&format!("\"{long}\",b\n"), 10);
        assert_eq!(quoted[0].overflow, Some(0));
        assert_eq!(quoted[0].fields, vec!["", "b"]);
    }

    #[test]
    fn a_quote_never_closed_is_said() {
        let got = records("a,\"b\nc,d\n", 100);
        assert_eq!(got.len(), 1);
        assert!(got[0].unterminated);
    }
}
