//! Case files: need to know (membership and section audiences, in every answer), Thai
//! search, the closure and referral rules, and bad input.

use ruam_core::cases::store::CaseFile;
use ruam_core::cases::{Outcome, Section, Status};
use ruam_core::vault::{CloseCase, NewNote};
use ruam_core::Error;

use crate::support::*;

/// A new case as JSON, with the child's name and birth year.
pub fn new_case(name: &str, year: i32) -> ruam_core::cases::NewCase {
    serde_json::from_value(serde_json::json!({
        "subject": {
            "party": "subject", "name": name, "alias": null, "sex": "female",
            "birthDate": null, "birthYearEstimate": year, "nationality": "Thai",
            "documentation": "stateless", "languages": ["Thai", "Akha"],
            "village": "Ban Pa Sak", "relation": null, "contact": null,
        },
        "others": [{
            "party": "guardian", "name": "Mae Ploy", "sex": "female", "documentation": "thai_id",
            "relation": "mother",
        }],
        "concerns": ["trafficking", "labour_exploitation"],
        "risk": "high",
        "level": "village",
    }))
    .unwrap()
}

pub async fn note(t: &TestVault, case_id: &str, section: &str, body: &str) -> CaseFile {
    t.vault
        .add_case_note(NewNote {
            case_id: case_id.into(),
            section: section.into(),
            body: body.into(),
        })
        .await
        .unwrap()
}

pub(crate) async fn add_to_case(
    t: &TestVault,
    case_id: &str,
    member_id: &str,
    responsibility: &str,
) {
    t.vault
        .change_case_member(
            serde_json::from_value(serde_json::json!({
                "caseId": case_id, "memberId": member_id, "responsibility": responsibility,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
}

const HEALTH_WORD: &str = "ตรวจร่างกายพบรอยช้ำ";
const CASE_B_WORD: &str = "โรงงานแปรรูปปลา";

/// Two cases by the lead: A with notes in every section, B with a note of its own; a
/// police liaison (discipline police) who is a member of A only, signed in.
async fn two_cases_and_a_liaison() -> (TestVault, String, String, String) {
    let (t, _) = TestVault::created().await;
    let liaison = t
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let a = t
        .vault
        .create_case(new_case("Nguyễn Thị Lan", 2013))
        .await
        .unwrap();
    let a = a.summary.id;
    note(&t, &a, "police", "เจ้าหน้าที่ตำรวจสอบปากคำพยานที่สถานีแม่สาย").await;
    note(&t, &a, "health", &format!("แพทย์{HEALTH_WORD}ที่แขนซ้าย")).await;
    note(&t, &a, "general", "นัดเยี่ยมบ้านสัปดาห์หน้ากับผู้ใหญ่บ้าน").await;
    note(
        &t,
        &a,
        "social",
        "The family needs a birth certificate first.",
    )
    .await;
    let b = t
        .vault
        .create_case(new_case("Somchai Boonmee", 2011))
        .await
        .unwrap();
    let b = b.summary.id;
    note(&t, &b, "general", &format!("เด็กทำงานที่{CASE_B_WORD}ในอำเภอ")).await;
    add_to_case(&t, &a, &liaison.id, "support").await;
    sign_in_fresh(&t, "anan").await;
    (t, a, b, liaison.id)
}

#[tokio::test]
async fn a_liaison_on_case_a_sees_its_police_and_general_notes_and_nothing_else() {
    let (t, a, b, liaison) = two_cases_and_a_liaison().await;
    let file = t.vault.open_case(&a).await.unwrap();
    let sections: Vec<Section> = file.notes.iter().map(|n| n.section).collect();
    assert!(sections.contains(&Section::Police) && sections.contains(&Section::General));
    assert!(!sections.contains(&Section::Health), "{sections:?}");
    assert_eq!(
        file.sections,
        [Section::Social, Section::Police, Section::General]
    );
    let everything = serde_json::to_string(&file).unwrap();
    assert!(
        !everything.contains(HEALTH_WORD),
        "a health note leaked into the case file"
    );
    assert!(file
        .timeline
        .iter()
        .all(|item| item.section != Some(Section::Health)));

    // Case B is absent from the list and from search, and opening it is refused and audited.
    let list = t.vault.list_cases(false, None).await.unwrap().cases;
    assert_eq!(
        list.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [a.as_str()]
    );
    assert!(matches!(t.vault.open_case(&b).await, Err(Error::Forbidden)));
    for word in [HEALTH_WORD, CASE_B_WORD, "รอยช้ำ", "Somchai"] {
        let hits = t.vault.search_cases(word).await.unwrap();
        assert!(hits.is_empty(), "{word}: {hits:?}");
    }
    // Duplicate checks never mention a case the asker may not see.
    assert!(t
        .vault
        .case_duplicates("Somchai Boonmee".into(), Some(2011))
        .await
        .unwrap()
        .is_empty());
    let pool = t.vault.pool().await.unwrap();
    let refused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND action = 'case.view' AND entity_id = ? AND outcome = 'refused'",
    )
    .bind(&liaison)
    .bind(&b)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refused, 1);
    let viewed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND action = 'case.view' AND entity_id = ? AND outcome = 'ok'",
    )
    .bind(&liaison)
    .bind(&a)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(viewed, 1, "every view of a case is audited");
    // Writing a health note is refused too.
    assert!(matches!(
        t.vault
            .add_case_note(NewNote {
                case_id: a.clone(),
                section: "health".into(),
                body: "x".into()
            })
            .await,
        Err(Error::Forbidden)
    ));
}

#[tokio::test]
async fn thai_words_are_found_inside_thai_sentences_in_the_sections_one_may_see() {
    let (t, a, _b, _) = two_cases_and_a_liaison().await;
    // "สอบปากคำ" (take a statement) sits inside a police note with no spaces around it.
    let hits = t.vault.search_cases("สอบปากคำ").await.unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].case_id, a);
    assert_eq!(hits[0].section, Section::Police);
    assert!(hits[0].snippet.contains("«"), "{}", hits[0].snippet);
    // Latin names match whatever the case and diacritics.
    let hits = t.vault.search_cases("nguyen thi").await.unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].source, "person");

    // The lead made both cases, so is their case lead: B's note and A's health note too.
    sign_in_lead(&t).await;
    assert_eq!(t.vault.search_cases(CASE_B_WORD).await.unwrap().len(), 1);
    assert_eq!(t.vault.search_cases("รอยช้ำ").await.unwrap().len(), 1);
    assert_invalid_field(t.vault.search_cases("ab").await, "query");
}

#[tokio::test]
async fn search_follows_case_membership_as_it_changes() {
    let (t, a, _b, liaison) = two_cases_and_a_liaison().await;
    // Added after the notes were written, the liaison finds them.
    assert_eq!(t.vault.search_cases("สอบปากคำ").await.unwrap().len(), 1);
    sign_in_lead(&t).await;
    t.vault
        .change_case_member(
            serde_json::from_value(serde_json::json!({ "caseId": a, "memberId": liaison }))
                .unwrap(),
        )
        .await
        .unwrap();
    // A police note written after they left the case is not for them either.
    note(&t, &a, "police", "ตำรวจสอบปากคำครูที่โรงเรียน").await;
    t.vault.lock().await;
    t.vault.unlock(unlock_as("anan", OWN)).await.unwrap();
    for word in ["สอบปากคำ", "nguyen", "ครูที่โรงเรียน"]
    {
        let hits = t.vault.search_cases(word).await.unwrap();
        assert!(hits.is_empty(), "{word}: {hits:?}");
    }
    // Back on the case, they find both police notes and the child's name.
    sign_in_lead(&t).await;
    add_to_case(&t, &a, &liaison, "review").await;
    t.vault.lock().await;
    t.vault.unlock(unlock_as("anan", OWN)).await.unwrap();
    assert_eq!(t.vault.search_cases("สอบปากคำ").await.unwrap().len(), 2);
    assert_eq!(t.vault.search_cases("nguyen").await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_team_lead_who_is_not_on_a_case_sees_its_social_and_general_sections_only() {
    let (t, _) = TestVault::created().await;
    t.vault
        .add_member(new_member("Malee", "malee", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "malee").await;
    let case = t
        .vault
        .create_case(new_case("Lan", 2014))
        .await
        .unwrap()
        .summary
        .id;
    note(&t, &case, "health", &format!("แพทย์{HEALTH_WORD}")).await;
    note(&t, &case, "social", "home visit planned").await;
    sign_in_lead(&t).await;
    let file = t.vault.open_case(&case).await.unwrap();
    assert_eq!(file.sections, [Section::Social, Section::General]);
    assert_eq!(file.notes.len(), 1);
    assert!(t.vault.search_cases("รอยช้ำ").await.unwrap().is_empty());
    assert_eq!(t.vault.search_cases("home visit").await.unwrap().len(), 1);
    // Nor can they put themself on the case to read it.
    let me = t.vault.status().await.member.unwrap().id;
    let join = serde_json::from_value(serde_json::json!({
        "caseId": case, "memberId": me, "responsibility": "lead",
    }))
    .unwrap();
    assert_invalid_field(t.vault.change_case_member(join).await, "member_id");
    assert_eq!(
        t.vault.list_cases(false, None).await.unwrap().cases.len(),
        1
    );
    assert!(t
        .vault
        .list_cases(true, None)
        .await
        .unwrap()
        .cases
        .is_empty());
}

#[tokio::test]
async fn closing_needs_an_outcome_and_a_leads_approval_and_a_lead_can_reopen() {
    let (t, _) = TestVault::created().await;
    t.vault
        .add_member(new_member("Malee", "malee", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "malee").await;
    let case = t
        .vault
        .create_case(new_case("Lan", 2014))
        .await
        .unwrap()
        .summary
        .id;
    t.vault.set_case_status(&case, "assessment").await.unwrap();
    assert_invalid_field(t.vault.set_case_status(&case, "closed").await, "status");
    let close = |outcome: Option<&str>| CloseCase {
        case_id: case.clone(),
        outcome: outcome.map(str::to_owned),
    };
    assert_invalid_field(t.vault.close_case(close(None)).await, "outcome");
    assert_invalid_field(t.vault.close_case(close(Some("happy"))).await, "outcome");
    // A case worker's closure is a request.
    let file = t
        .vault
        .close_case(close(Some("resolved_district")))
        .await
        .unwrap();
    assert_eq!(file.summary.status, Status::Assessment);
    assert_eq!(
        file.summary.close_requested,
        Some(Outcome::ResolvedDistrict)
    );
    assert!(matches!(
        t.vault.decide_case_closure(&case, true).await,
        Err(Error::Forbidden)
    ));
    sign_in_lead(&t).await;
    let file = t.vault.decide_case_closure(&case, true).await.unwrap();
    assert_eq!(file.summary.status, Status::Closed);
    assert_eq!(file.summary.outcome, Some(Outcome::ResolvedDistrict));
    assert!(file.timeline.iter().any(|i| i.kind == "closed"));
    let file = t.vault.reopen_case(&case).await.unwrap();
    assert_eq!(file.summary.status, Status::InProgress);
    assert_eq!(file.summary.outcome, None);
    // "Resolved at district level without referral to the province" is in the data.
    t.vault
        .close_case(close(Some("resolved_district")))
        .await
        .unwrap();
    let pool = t.vault.pool().await.unwrap();
    let resolved: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c WHERE c.outcome = 'resolved_district' AND NOT EXISTS (
             SELECT 1 FROM case_referrals r WHERE r.case_id = c.id AND r.to_level = 'province')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(resolved, 1);
}

#[tokio::test]
async fn referrals_need_another_level_and_consent_to_share_or_a_leads_written_reason() {
    let (t, _) = TestVault::created().await;
    let agency = t
        .vault
        .add_agency(
            serde_json::from_value(
                serde_json::json!({ "name": "Chiang Rai shelter", "kind": "ngo" }),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let case = t
        .vault
        .create_case(new_case("Lan", 2014))
        .await
        .unwrap()
        .summary
        .id;
    let refer = |level: &str, agency: Option<&str>, reason: Option<&str>| {
        serde_json::from_value::<ruam_core::vault::NewReferral>(serde_json::json!({
            "caseId": case, "toLevel": level, "toAgencyId": agency, "reason": "needs shelter",
            "referredOn": "2026-11-20", "consentOverrideReason": reason,
        }))
        .unwrap()
    };
    assert_invalid_field(
        t.vault.refer_case(refer("village", None, None)).await,
        "to_level",
    );
    assert_invalid_field(
        t.vault
            .refer_case(refer("district", Some(&agency.id), None))
            .await,
        "to_agency_id",
    );
    let mut future = refer("district", None, None);
    future.referred_on = "2099-01-01".into();
    assert_invalid_field(t.vault.refer_case(future).await, "referred_on");
    let file = t
        .vault
        .refer_case(refer(
            "district",
            Some(&agency.id),
            Some("danger at home tonight"),
        ))
        .await
        .unwrap();
    let referral = &file.referrals[0];
    assert_eq!(
        referral.consent_override_reason.as_deref(),
        Some("danger at home tonight")
    );
    assert!(file.timeline.iter().any(|i| i.kind == "referral"));
    let file = t
        .vault
        .update_referral(
            serde_json::from_value(serde_json::json!({
                "caseId": case, "referralId": referral.id, "status": "accepted", "outcome": null,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(file.summary.level, ruam_core::cases::Level::District);
    // With consent recorded, no override is needed.
    t.vault
        .record_consent(
            serde_json::from_value(serde_json::json!({
                "caseId": case, "givenBy": "guardian", "services": true, "reporting": true,
                "shareWith": [agency.id], "givenOn": "2026-11-21",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let file = t
        .vault
        .refer_case(refer("province", Some(&agency.id), None))
        .await
        .unwrap();
    assert_eq!(file.referrals[0].consent_override_reason, None);
    let pool = t.vault.pool().await.unwrap();
    let overrides: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'case.consent.override'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(overrides, 1);
}

#[tokio::test]
async fn a_case_worker_cannot_override_missing_consent() {
    let (t, _) = TestVault::created().await;
    let agency = t
        .vault
        .add_agency(
            serde_json::from_value(serde_json::json!({ "name": "Shelter", "kind": "ngo" }))
                .unwrap(),
        )
        .await
        .unwrap();
    t.vault
        .add_member(new_member("Malee", "malee", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "malee").await;
    let case = t
        .vault
        .create_case(new_case("Lan", 2014))
        .await
        .unwrap()
        .summary
        .id;
    let referral = serde_json::from_value(serde_json::json!({
        "caseId": case, "toLevel": "district", "toAgencyId": agency.id, "reason": "shelter",
        "referredOn": "2026-11-20", "consentOverrideReason": "I think it is fine",
    }))
    .unwrap();
    assert!(matches!(
        t.vault.refer_case(referral).await,
        Err(Error::Forbidden)
    ));
    assert_eq!(count(&t, "case_referrals").await, 0);
}

#[tokio::test]
async fn bad_case_input_names_the_field_and_writes_nothing() {
    let (t, _) = TestVault::created().await;
    let before = count(&t, "cases").await;
    let case = |patch: serde_json::Value| {
        let mut base = serde_json::to_value(serde_json::json!({
            "subject": {
                "party": "subject", "name": "Lan", "sex": "female", "birthYearEstimate": 2014,
                "documentation": "unknown",
            },
            "concerns": ["neglect"], "risk": "medium", "level": "village",
        }))
        .unwrap();
        for (k, v) in patch.as_object().unwrap() {
            if let Some(inner) = k.strip_prefix("subject.") {
                base["subject"][inner] = v.clone();
            } else {
                base[k] = v.clone();
            }
        }
        serde_json::from_value::<ruam_core::cases::NewCase>(base).unwrap()
    };
    for (patch, field) in [
        (serde_json::json!({ "subject.name": " " }), "subject.name"),
        (
            serde_json::json!({ "subject.birthDate": "2099-01-01" }),
            "subject.birth_date",
        ),
        (
            serde_json::json!({ "subject.birthDate": "1890-05-01" }),
            "subject.birth_date",
        ),
        (
            serde_json::json!({ "subject.birthYearEstimate": 1880 }),
            "subject.birth_year_estimate",
        ),
        (serde_json::json!({ "subject.sex": "x" }), "subject.sex"),
        (serde_json::json!({ "concerns": [] }), "concerns"),
        (
            serde_json::json!({ "concerns": ["witchcraft"] }),
            "concerns",
        ),
        (serde_json::json!({ "risk": "extreme" }), "risk"),
        (serde_json::json!({ "level": "national" }), "level"),
    ] {
        let shown = patch.to_string();
        match t.vault.create_case(case(patch)).await {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{shown}"),
            other => panic!("{shown}: {other:?}"),
        }
    }
    assert_eq!(count(&t, "cases").await, before);
    let id = t
        .vault
        .create_case(case(serde_json::json!({})))
        .await
        .unwrap()
        .summary
        .id;
    let attach = |name: &str, bytes: &[u8]| {
        use base64::Engine as _;
        ruam_core::vault::NewAttachment {
            case_id: id.clone(),
            section: "general".into(),
            file_name: name.into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    };
    assert_invalid_field(
        t.vault.add_attachment(attach("a.exe", b"MZ\x90\0")).await,
        "content",
    );
    let too_big = vec![0xFF_u8; ruam_core::cases::ATTACHMENT_MAX_BYTES + 10];
    assert_invalid_field(
        t.vault.add_attachment(attach("big.jpg", &too_big)).await,
        "content",
    );
    assert_eq!(count(&t, "case_attachments").await, 0);
    assert_invalid_field(
        t.vault
            .add_case_note(NewNote {
                case_id: id.clone(),
                section: "finance".into(),
                body: "x".into(),
            })
            .await,
        "section",
    );
    assert_invalid_field(
        t.vault
            .add_case_note(NewNote {
                case_id: id.clone(),
                section: "general".into(),
                body: "   ".into(),
            })
            .await,
        "body",
    );
}

#[tokio::test]
async fn a_possible_duplicate_is_shown_before_a_second_case_for_the_same_child() {
    let (t, _) = TestVault::created().await;
    let first = t
        .vault
        .create_case(new_case("Nguyễn Thị Lan", 2013))
        .await
        .unwrap();
    let again = t.vault.create_case(new_case("nguyễn thị lan", 2013)).await;
    assert!(
        matches!(again, Err(Error::PossibleDuplicates(1))),
        "{again:?}"
    );
    let shown = t
        .vault
        .case_duplicates("Nguyễn Thị Lan".into(), Some(2013))
        .await
        .unwrap();
    assert_eq!(shown[0].id, first.summary.id);
    // Capitals outside ASCII, missing accents and extra spaces are the same name; a name
    // that only contains it is not.
    for same in ["NGUYỄN THỊ LAN", "Nguyen Thi Lan", "  nguyễn   thị lan "] {
        let shown = t
            .vault
            .case_duplicates(same.into(), Some(2013))
            .await
            .unwrap();
        assert_eq!(shown.len(), 1, "{same}");
    }
    for other in ["Nguyễn Thị Lanna", "Thị Lan"] {
        assert!(
            t.vault
                .case_duplicates(other.into(), Some(2013))
                .await
                .unwrap()
                .is_empty(),
            "{other}"
        );
    }
    let mut reviewed = new_case("Nguyễn Thị Lan", 2013);
    reviewed.duplicates_reviewed = true;
    t.vault.create_case(reviewed).await.unwrap();
    // Another birth year is another child.
    t.vault
        .create_case(new_case("Nguyễn Thị Lan", 2016))
        .await
        .unwrap();
}

#[tokio::test]
async fn attachments_and_notes_stay_encrypted_on_disk_and_reads_are_audited() {
    use base64::Engine as _;
    let (t, _) = TestVault::created().await;
    let id = t
        .vault
        .create_case(new_case("Lan", 2014))
        .await
        .unwrap()
        .summary
        .id;
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png.extend_from_slice(b"CANARY-ATTACHMENT-7731");
    let file = t
        .vault
        .add_attachment(ruam_core::vault::NewAttachment {
            case_id: id.clone(),
            section: "health".into(),
            file_name: "xray.png".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(&png),
        })
        .await
        .unwrap();
    note(&t, &id, "general", "CANARY-NOTE-ผู้ใหญ่บ้าน").await;
    let got = t.vault.attachment(&file.attachments[0].id).await.unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(got.content_base64)
            .unwrap(),
        png
    );
    assert_eq!(got.media_type, "image/png");
    t.vault.lock().await;
    for (path, bytes) in database_bytes(&t.paths()) {
        for canary in ["CANARY-ATTACHMENT-7731", "CANARY-NOTE", "Ban Pa Sak"] {
            assert!(!contains(&bytes, canary.as_bytes()), "{canary} in {path}");
        }
    }
    t.unlock(PASSPHRASE).await.unwrap();
    let pool = t.vault.pool().await.unwrap();
    let reads: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'case.attachment.view'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reads, 1);
}

#[tokio::test]
async fn hidden_things_stay_hidden_when_asked_for_by_id() {
    use base64::Engine as _;
    let (t, _) = TestVault::created().await;
    let liaison = t
        .vault
        .add_member(new_member("Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    let a = t
        .vault
        .create_case(new_case("Lan", 2014))
        .await
        .unwrap()
        .summary
        .id;
    let b = t
        .vault
        .create_case(new_case("Mai", 2012))
        .await
        .unwrap()
        .summary
        .id;
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
    let with_photo = t
        .vault
        .add_attachment(ruam_core::vault::NewAttachment {
            case_id: a.clone(),
            section: "health".into(),
            file_name: "xray.png".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(png),
        })
        .await
        .unwrap();
    let photo = with_photo.attachments[0].id.clone();
    let referral = |case: &str, section: &str, reason: &str| {
        serde_json::from_value::<ruam_core::vault::NewReferral>(serde_json::json!({
            "caseId": case, "section": section, "toLevel": "district", "reason": reason,
            "referredOn": "2026-11-20",
        }))
        .unwrap()
    };
    let health_referral = t
        .vault
        .refer_case(referral(
            &a,
            "health",
            "forensic examination at the hospital",
        ))
        .await
        .unwrap()
        .referrals[0]
        .id
        .clone();
    let other_case_referral = t
        .vault
        .refer_case(referral(&b, "general", "shelter"))
        .await
        .unwrap()
        .referrals[0]
        .id
        .clone();
    // A referral of case B cannot be updated through case A.
    assert_invalid_field(
        t.vault
            .update_referral(
                serde_json::from_value(serde_json::json!({
                    "caseId": a, "referralId": other_case_referral, "status": "accepted",
                }))
                .unwrap(),
            )
            .await,
        "referral_id",
    );
    add_to_case(&t, &a, &liaison.id, "support").await;
    sign_in_fresh(&t, "anan").await;
    let before = count(&t, "changes").await;
    assert!(matches!(
        t.vault.attachment(&photo).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .attachment("01000000-0000-7000-8000-000000000000")
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .open_case("01000000-0000-7000-8000-000000000000")
            .await,
        Err(Error::Forbidden)
    ));
    let file = t.vault.open_case(&a).await.unwrap();
    assert!(file.attachments.is_empty());
    assert!(
        file.referrals.is_empty(),
        "a health referral's reason is for health eyes"
    );
    assert!(!serde_json::to_string(&file).unwrap().contains("forensic"));
    assert_invalid_field(
        t.vault
            .update_referral(
                serde_json::from_value(serde_json::json!({
                    "caseId": a, "referralId": health_referral, "status": "done",
                }))
                .unwrap(),
            )
            .await,
        "referral_id",
    );
    assert!(matches!(
        t.vault
            .add_case_note(NewNote {
                case_id: a.clone(),
                section: "health".into(),
                body: "x".into()
            })
            .await,
        Err(Error::Forbidden)
    ));
    assert_eq!(count(&t, "changes").await, before, "refusals write nothing");
}
