//! Writing CSV for the files that leave the vault (the audit log, the ledger, the register,
//! the indicators): a field is quoted when it holds a comma, a quote or a line break, and
//! text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage
//! return first) begins with `'`, so that it is read as text.

/// One CSV field.
pub fn field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_never_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("-1,2"), "\"'-1,2\"");
        for formula in ["+1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                field(formula).trim_start_matches('"').starts_with('\''),
                "{formula:?}"
            );
        }
        assert_eq!(field("ตำรวจ"), "ตำรวจ");
    }
}
