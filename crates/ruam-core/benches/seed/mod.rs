//! The seeded district of the benchmarks: 100,000 cases (by default) with ten notes
//! each in Thai and English, written as the core writes them (its own search index), the
//! same on every run. Shared by `cases.rs` and `backup.rs`.
#![allow(dead_code)]

use std::time::Instant;

use ruam_core::cases::store;
use ruam_core::cases::Section;
use sqlx::SqlitePool;

pub const NOTES_PER_CASE: usize = 10;
pub const WORKERS: usize = 60;

/// A small seeded generator (xorshift64*): the same vault on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub const THAI_WORDS: &[&str] = &[
    "เด็ก",
    "ครอบครัว",
    "เยี่ยมบ้าน",
    "ผู้ใหญ่บ้าน",
    "โรงเรียน",
    "สอบปากคำ",
    "พยาน",
    "ตำรวจ",
    "สถานีตำรวจ",
    "โรงพยาบาล",
    "ตรวจร่างกาย",
    "แพทย์",
    "บัตรประชาชน",
    "สัญชาติ",
    "นายจ้าง",
    "โรงงาน",
    "ค่าจ้าง",
    "ชายแดน",
    "แม่สาย",
    "เชียงราย",
    "ที่พักพิง",
    "อาสาสมัคร",
    "ทุนการศึกษา",
    "นัดหมาย",
    "ติดตามผล",
    "ส่งต่อ",
    "อำเภอ",
    "จังหวัด",
    "ความปลอดภัย",
    "ยินยอม",
    "ผู้ปกครอง",
    "ย้ายถิ่น",
    "แรงงาน",
    "ค้ามนุษย์",
    "ล่วงละเมิด",
    "สุขภาพจิต",
    "ให้คำปรึกษา",
    "ไร้สัญชาติ",
];
pub const THAI_LINKS: &[&str] = &["และ", "ที่", "กับ", "ของ", "ใน", "เพื่อ", "แล้ว", "จึง", "ได้"];
pub const ENGLISH_WORDS: &[&str] = &[
    "home",
    "visit",
    "school",
    "statement",
    "witness",
    "police",
    "hospital",
    "examination",
    "doctor",
    "identity",
    "card",
    "employer",
    "factory",
    "wages",
    "border",
    "shelter",
    "volunteer",
    "scholarship",
    "appointment",
    "follow-up",
    "referral",
    "district",
    "province",
    "safety",
    "consent",
    "guardian",
    "migration",
    "labour",
    "counselling",
    "birth",
    "certificate",
];
pub const GIVEN: &[&str] = &[
    "Lan",
    "Mai",
    "Ploy",
    "Somchai",
    "Nok",
    "Aye",
    "Mya",
    "Naw",
    "Ja",
    "Fah",
    "Dao",
    "Kham",
    "นภา",
    "สมศรี",
    "ดวงใจ",
    "มะลิ",
    "อาทิตย์",
    "จันทร์",
    "ศรีนวล",
    "บุญมี",
    "คำแก้ว",
];
pub const FAMILY: &[&str] = &[
    "Boonmee",
    "Saelee",
    "Jaidee",
    "Nguyễn",
    "Thao",
    "Lor",
    "Yang",
    "Sae Tang",
    "แสงทอง",
    "ใจดี",
    "บุญมา",
    "ศรีสุข",
    "คำมา",
    "ทองดี",
    "อินทร์แก้ว",
];
pub const SECTIONS: [&str; 4] = ["social", "police", "health", "general"];
pub const CONCERNS: [&str; 8] = [
    "trafficking",
    "sexual_abuse",
    "rape",
    "sexual_harassment",
    "labour_exploitation",
    "neglect",
    "human_rights_violation",
    "high_vulnerability",
];

pub fn sentence(rng: &mut Rng) -> String {
    if rng.below(3) == 0 {
        let n = 12 + rng.below(12);
        let mut words: Vec<&str> = (0..n).map(|_| rng.pick(ENGLISH_WORDS)).collect();
        words[0] = "The";
        format!("{}.", words.join(" "))
    } else {
        // Thai runs its words together; spaces only between clauses.
        let mut text = String::new();
        for clause in 0..(2 + rng.below(3)) {
            if clause > 0 {
                text.push(' ');
            }
            for _ in 0..(3 + rng.below(4)) {
                text.push_str(rng.pick(THAI_WORDS));
                text.push_str(rng.pick(THAI_LINKS));
            }
        }
        text
    }
}

pub fn id(kind: u8, n: usize) -> String {
    // Fixed ids keep the two files identical and the queries the same on both.
    format!("{kind:02x}000000-0000-7000-8000-{n:012}")
}

/// Index a text through the core's own function.
async fn index(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    case: &str,
    section: &str,
    source: &str,
    source_id: &str,
    text: &str,
) {
    let section = Section::parse("section", section).unwrap();
    store::index_text(tx, case, section, source, source_id, text)
        .await
        .unwrap();
}

/// Write `cases` cases; `with_team` also writes the team's row (a vault made by
/// `Vault::create` has one already).
pub async fn generate(pool: &SqlitePool, cases: usize, with_team: bool) {
    let mut rng = Rng(0x5EED_CA5E_F11E_0001);
    let now = "2026-11-28T00:00:00.000Z";
    let mut tx = pool.begin().await.unwrap();
    if with_team {
        sqlx::query("INSERT INTO team (id, name, recovery_acknowledged, created_at, updated_at) VALUES (?, 'Bench MDT', 1, ?, ?)")
        .bind(id(1, 0)).bind(now).bind(now).execute(&mut *tx).await.unwrap();
    }
    for w in 0..=WORKERS {
        let (role, discipline) = match w {
            0 => ("team_lead", "social_work"),
            w if w % 5 == 1 => ("police_liaison", "police"),
            w if w % 5 == 2 => ("health_officer", "health"),
            _ => ("case_worker", "social_work"),
        };
        sqlx::query(
            "INSERT INTO members (id, display_name, sign_in_name, role, discipline, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id(2, w)).bind(format!("Member {w}")).bind(format!("m{w}")).bind(role)
        .bind(discipline).bind(now).bind(now)
        .execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let started = Instant::now();
    for chunk in 0..cases.div_ceil(2_000) {
        let mut tx = pool.begin().await.unwrap();
        for c in chunk * 2_000..((chunk + 1) * 2_000).min(cases) {
            let case = id(3, c);
            let lead = 1 + rng.below(WORKERS);
            sqlx::query(
                "INSERT INTO cases (id, status, risk, level, created_by, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&case)
            .bind(["intake", "assessment", "plan", "in_progress"][rng.below(4)])
            .bind(["low", "medium", "high"][rng.below(3)])
            .bind(["village", "district", "province"][rng.below(3)])
            .bind(id(2, lead))
            .bind(now)
            .bind(format!(
                "2026-{:02}-{:02}T08:00:00.000Z",
                1 + rng.below(11),
                1 + rng.below(28)
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
            for concern in [CONCERNS[rng.below(8)], CONCERNS[rng.below(8)]] {
                sqlx::query("INSERT OR IGNORE INTO case_concerns (case_id, concern) VALUES (?, ?)")
                    .bind(&case)
                    .bind(concern)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            let name = format!("{} {}", rng.pick(GIVEN), rng.pick(FAMILY));
            let person = id(4, c);
            sqlx::query(
                "INSERT INTO case_people (id, case_id, party, name, sex, birth_year_estimate,
                     documentation, created_at, updated_at)
                 VALUES (?, ?, 'subject', ?, 'female', ?, 'stateless', ?, ?)",
            )
            .bind(&person)
            .bind(&case)
            .bind(&name)
            .bind(2008 + rng.below(16) as i64)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
            let mut on_case = vec![(lead, "lead")];
            let support = 1 + rng.below(WORKERS);
            if support != lead {
                on_case.push((support, "support"));
            }
            for (member, responsibility) in on_case {
                sqlx::query(
                    "INSERT INTO case_members (case_id, member_id, responsibility, added_by, added_at)
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&case).bind(id(2, member)).bind(responsibility).bind(id(2, lead)).bind(now)
                .execute(&mut *tx).await.unwrap();
            }
            index(&mut tx, &case, "general", "person", &person, &name).await;
            for n in 0..NOTES_PER_CASE {
                let note = id(5, c * NOTES_PER_CASE + n);
                let section = SECTIONS[rng.below(4)];
                let body = sentence(&mut rng);
                sqlx::query(
                    "INSERT INTO case_notes (id, case_id, section, body, author_id, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&note).bind(&case).bind(section).bind(&body).bind(id(2, lead))
                .bind(format!("2026-{:02}-{:02}T09:{:02}:00.000Z", 1 + rng.below(11), 1 + rng.below(28), n))
                .bind(now)
                .execute(&mut *tx).await.unwrap();
                index(&mut tx, &case, section, "note", &note, &body).await;
            }
        }
        tx.commit().await.unwrap();
    }
    sqlx::query("INSERT INTO case_search (case_search) VALUES ('optimize')")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await
        .unwrap();
    println!(
        "  generated {cases} cases in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
