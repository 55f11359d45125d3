//! The community register: villages placed by the bundled gazetteer (a place it does not
//! know is refused, naming the field, and nothing is written), one village of a name and
//! number in a sub-district, and a village added on one laptop reaching the others.

use ruam_core::community::villages::{NewVillage, VillageUpdate};
use ruam_core::Error;

use crate::support::*;
use crate::sync::{joined_laptop, rows, social_worker, Relay};

/// A village in Mae Sai's sub-district of Si Mueang Chum, Chiang Rai.
pub fn village(name: &str, moo: Option<i32>) -> NewVillage {
    NewVillage {
        name_th: name.into(),
        name_en: None,
        moo,
        subdistrict: "ศรีเมืองชุม".into(),
        district: "แม่สาย".into(),
        province: "เชียงราย".into(),
    }
}

#[tokio::test]
async fn a_village_is_placed_by_the_gazetteer_and_bad_input_writes_nothing() {
    let (t, _) = TestVault::created().await;
    let mut pa_sak = village(" บ้านป่าสัก ", Some(3));
    pa_sak.name_en = Some("Ban Pa Sak".into());
    let added = t.vault.add_village(pa_sak).await.unwrap();
    assert_eq!(added.name_th, "บ้านป่าสัก");
    assert_eq!(added.name_en.as_deref(), Some("Ban Pa Sak"));
    let before = (
        rows(&t, "SELECT count(*) FROM villages").await,
        rows(&t, "SELECT count(*) FROM changes").await,
    );
    let wrong = |edit: fn(&mut NewVillage)| {
        let mut v = village("บ้านห้วยไคร้", Some(5));
        edit(&mut v);
        v
    };
    let cases: [(NewVillage, &str); 8] = [
        (wrong(|v| v.name_th = "  ".into()), "nameTh"),
        (wrong(|v| v.name_th = "บ".repeat(121)), "nameTh"),
        (wrong(|v| v.name_en = Some("Ban\u{7}".into())), "nameEn"),
        (wrong(|v| v.moo = Some(0)), "moo"),
        (wrong(|v| v.province = "Chiang Rai".into()), "province"),
        (wrong(|v| v.district = "หาดใหญ่".into()), "district"),
        // A sub-district of another district of the same province.
        (wrong(|v| v.subdistrict = "เวียง".into()), "subdistrict"),
        // The same name and number in the same sub-district.
        (village("บ้านป่าสัก", Some(3)), "nameTh"),
    ];
    for (bad, field) in cases {
        assert_invalid_field(t.vault.add_village(bad).await, field);
    }
    assert_eq!(
        (
            rows(&t, "SELECT count(*) FROM villages").await,
            rows(&t, "SELECT count(*) FROM changes").await,
        ),
        before,
        "nothing written"
    );
    // Another number of the same name is another village; a change keeps the place checked.
    t.vault
        .add_village(village("บ้านป่าสัก", Some(7)))
        .await
        .unwrap();
    let mut moved = village("บ้านป่าสัก", Some(3));
    moved.subdistrict = "เวียงพางคำ".into();
    let changed = t
        .vault
        .update_village(VillageUpdate {
            id: added.id.clone(),
            village: moved,
        })
        .await
        .unwrap();
    assert_eq!(changed.subdistrict, "เวียงพางคำ");
    let mut nowhere = village("บ้านป่าสัก", Some(3));
    nowhere.subdistrict = "ไม่มี".into();
    assert_invalid_field(
        t.vault
            .update_village(VillageUpdate {
                id: added.id.clone(),
                village: nowhere,
            })
            .await,
        "subdistrict",
    );
    assert!(matches!(
        t.vault
            .update_village(VillageUpdate {
                id: "no-such".into(),
                village: village("บ้านใหม่", None),
            })
            .await,
        Err(Error::NotFound(_))
    ));
    let listed = t.vault.villages().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed
        .iter()
        .any(|v| v.id == added.id && v.subdistrict == "เวียงพางคำ"));
    let places = t.vault.find_places("ศรีเมืองชุม".into()).await.unwrap();
    assert_eq!(places[0].district, "แม่สาย");
}

#[tokio::test]
async fn a_village_added_on_one_laptop_reaches_the_others() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = social_worker(&lead).await;
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = joined_laptop(&relay, &lead, &worker.id).await;
    // She keeps the register (a case worker may): her village reaches the lead's laptop.
    let added = laptop
        .vault
        .add_village(village("canary-VILLAGE บ้านสันทราย", Some(2)))
        .await
        .unwrap();
    laptop.vault.sync_now().await.unwrap();
    let got = lead.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 0, "{got:?}");
    let there = lead.vault.villages().await.unwrap();
    assert_eq!(there.len(), 1);
    assert_eq!(there[0].id, added.id);
    assert_eq!(there[0].moo, Some(2));
    assert!(!contains(&relay.bytes(), b"canary-VILLAGE"));
    assert_eq!(rows(&lead, "SELECT count(*) FROM villages").await, 1);
}
