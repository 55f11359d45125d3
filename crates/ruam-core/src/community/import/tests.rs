//! The importer on files made by hand, and fuzzed: no input makes it panic.

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
