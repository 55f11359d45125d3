//! Thailand's provinces, districts (amphoe) and sub-districts (tambon) with their
//! postcodes, bundled with the app (`data/th-gazetteer.tsv`, made from the npm package
//! thai-address-database by `tools/gazetteer/convert.py`) so that a village is placed by
//! picking, offline, never by typing a name that the next person spells otherwise.
//!
//! A place is named by its three names together: a sub-district's name alone repeats
//! across the country (and the package's own codes name some places twice).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::Serialize;

const DATA: &str = include_str!("../../data/th-gazetteer.tsv");

/// One sub-district, with its district and province.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Place {
    pub province: &'static str,
    pub district: &'static str,
    pub subdistrict: &'static str,
    /// Its postcodes (most have one; a few islands none).
    pub postcodes: Vec<&'static str>,
}

static PLACES: LazyLock<Vec<Place>> = LazyLock::new(|| parse(DATA));

/// Every line of the bundled file that is not a comment, as a place. A line without its
/// four fields is a fault of the build, caught by this module's tests.
fn parse(data: &'static str) -> Vec<Place> {
    data.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let (province, district, subdistrict, postcodes) = (
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            );
            if fields.next().is_some() {
                return None;
            }
            Some(Place {
                province,
                district,
                subdistrict,
                postcodes: postcodes.split(',').filter(|p| !p.is_empty()).collect(),
            })
        })
        .collect()
}

/// Every sub-district, sorted by province, district and sub-district (Thai order of the
/// code points, as the file is written).
pub fn places() -> &'static [Place] {
    &PLACES
}

/// The provinces, in order.
pub fn provinces() -> Vec<&'static str> {
    let set: BTreeSet<&str> = places().iter().map(|p| p.province).collect();
    set.into_iter().collect()
}

/// The districts of a province, in order (none for a name that is not a province).
pub fn districts(province: &str) -> Vec<&'static str> {
    let set: BTreeSet<&str> = places()
        .iter()
        .filter(|p| p.province == province)
        .map(|p| p.district)
        .collect();
    set.into_iter().collect()
}

/// The sub-districts of a district of a province.
pub fn subdistricts(province: &str, district: &str) -> Vec<&'static Place> {
    places()
        .iter()
        .filter(|p| p.province == province && p.district == district)
        .collect()
}

/// The place with these three names, if the gazetteer has it. Names are compared as
/// given, after trimming: the UI offers them from this list.
pub fn find(province: &str, district: &str, subdistrict: &str) -> Option<&'static Place> {
    let (province, district, subdistrict) = (province.trim(), district.trim(), subdistrict.trim());
    places()
        .iter()
        .find(|p| p.province == province && p.district == district && p.subdistrict == subdistrict)
}

/// Places whose sub-district, district or province contains every word typed (or whose
/// postcode begins with it), at most `limit`: those whose sub-district begins with the
/// first word first, then whose district does, then the rest, each in the file's order.
pub fn search(query: &str, limit: usize) -> Vec<&'static Place> {
    let words: Vec<&str> = query.split_whitespace().collect();
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let matches = |p: &Place, word: &str| {
        p.subdistrict.contains(word)
            || p.district.contains(word)
            || p.province.contains(word)
            || p.postcodes.iter().any(|c| c.starts_with(word))
    };
    let mut found: Vec<(u8, &'static Place)> = places()
        .iter()
        .filter(|p| words.iter().all(|w| matches(p, w)))
        .map(|p| {
            let rank = if p.subdistrict.starts_with(first) {
                0
            } else if p.district.starts_with(first) {
                1
            } else {
                2
            };
            (rank, p)
        })
        .collect();
    found.sort_by_key(|(rank, _)| *rank);
    found.into_iter().take(limit).map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_gazetteer_is_whole() {
        let lines = DATA
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(
            places().len(),
            lines,
            "every line is a place of four fields"
        );
        // Thailand has 77 provinces (Bangkok among them) and some 7,400 sub-districts.
        assert_eq!(provinces().len(), 77);
        assert!(provinces().contains(&"กรุงเทพมหานคร"));
        assert!(places().len() > 7_000, "{}", places().len());
        let unique: BTreeSet<(&str, &str, &str)> = places()
            .iter()
            .map(|p| (p.province, p.district, p.subdistrict))
            .collect();
        assert_eq!(unique.len(), places().len(), "each place once");
        assert!(places().iter().all(|p| p
            .postcodes
            .iter()
            .all(|c| c.len() == 5 && c.bytes().all(|b| b.is_ascii_digit()))));
    }

    #[test]
    fn a_district_of_chiang_rai_lists_its_sub_districts() {
        assert!(districts("เชียงราย").contains(&"แม่สาย"));
        let mae_sai = subdistricts("เชียงราย", "แม่สาย");
        let names: Vec<&str> = mae_sai.iter().map(|p| p.subdistrict).collect();
        assert!(names.contains(&"ศรีเมืองชุม"), "{names:?}");
        assert!(names.contains(&"เวียงพางคำ"), "{names:?}");
        let place = find(" เชียงราย", "แม่สาย", "ศรีเมืองชุม ").unwrap();
        assert_eq!(place.postcodes, ["57130"]);
        // A sub-district's name is not enough: it must be of that district.
        assert!(find("เชียงราย", "เชียงแสน", "ศรีเมืองชุม").is_none());
        assert!(find("Chiang Rai", "Mae Sai", "Si Mueang Chum").is_none());
        assert!(districts("ไม่มีจังหวัดนี้").is_empty());
    }

    #[test]
    fn search_finds_by_any_name_or_postcode() {
        let found = search("แม่สาย", 100);
        assert!(!found.is_empty());
        assert_eq!(
            found[0].subdistrict, "แม่สาย",
            "the sub-district of that name first"
        );
        assert!(found.iter().any(|p| p.subdistrict == "ศรีเมืองชุม"));
        let both = search("เวียงพางคำ แม่สาย", 10);
        assert_eq!(both.len(), 1);
        assert_eq!(both[0].province, "เชียงราย");
        let by_code = search("5713", 500);
        assert!(by_code
            .iter()
            .all(|p| p.postcodes.iter().any(|c| c.starts_with("5713"))));
        assert!(by_code.iter().any(|p| p.district == "แม่สาย"));
        assert_eq!(search("แม่", 5).len(), 5);
        assert!(search("   ", 10).is_empty());
        assert!(search("zzzz", 10).is_empty());
    }
}
