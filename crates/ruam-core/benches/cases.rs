//! Case files at district scale: a seeded, repeatable vault of 100,000 cases and 1,000,000
//! notes in Thai and English, written once into the SQLCipher vault and once into a plain
//! SQLite file with the same schema. The same queries run on both (the core's own search,
//! case file and case list), and the table prints medians, p95s and the ratios
//! encrypted / plain. Nothing is asserted about time. `./x bench`;
//! `RUAM_BENCH_CASES=5000 ./x bench` for a quick look.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use ruam_core::access::{Actor, Permission, Permissions};
use ruam_core::cases::store::{self, Viewer};
use ruam_core::cases::{search_phrase, Section};
use ruam_core::crypto::SecretKey;
use ruam_core::team::Discipline;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

const NOTES_PER_CASE: usize = 10;
const WORKERS: usize = 60;
const SAMPLES: usize = 1_000;

/// A small seeded generator (xorshift64*): the same vault on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const THAI_WORDS: &[&str] = &[
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
const THAI_LINKS: &[&str] = &["และ", "ที่", "กับ", "ของ", "ใน", "เพื่อ", "แล้ว", "จึง", "ได้"];
const ENGLISH_WORDS: &[&str] = &[
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
const GIVEN: &[&str] = &[
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
const FAMILY: &[&str] = &[
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
const SECTIONS: [&str; 4] = ["social", "police", "health", "general"];
const CONCERNS: [&str; 8] = [
    "trafficking",
    "sexual_abuse",
    "rape",
    "sexual_harassment",
    "labour_exploitation",
    "neglect",
    "human_rights_violation",
    "high_vulnerability",
];

fn sentence(rng: &mut Rng) -> String {
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

fn id(kind: u8, n: usize) -> String {
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

async fn generate(pool: &SqlitePool, cases: usize) {
    let mut rng = Rng(0x5EED_CA5E_F11E_0001);
    let now = "2026-11-28T00:00:00.000Z";
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO team (id, name, recovery_acknowledged, created_at, updated_at) VALUES (?, 'Bench MDT', 1, ?, ?)")
        .bind(id(1, 0)).bind(now).bind(now).execute(&mut *tx).await.unwrap();
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

async fn open_plain(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("cache_size", "-131072")
        .pragma("temp_store", "MEMORY");
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    ruam_core::db::MIGRATOR.run(&pool).await.unwrap();
    pool
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Figures {
    median: Duration,
    p95: Duration,
}

/// Time `f` on the encrypted vault and on the plain copy, sample by sample in turn (which
/// goes first alternates), so both see the same machine at the same moments.
async fn time_both<'a, F, Fut>(pools: [&'a SqlitePool; 2], mut f: F) -> [Figures; 2]
where
    F: FnMut(&'a SqlitePool, usize) -> Fut,
    Fut: std::future::Future<Output = ()> + 'a,
{
    // Warm the caches as a working session would be.
    for i in 0..10 {
        for pool in pools {
            f(pool, i).await;
        }
    }
    let mut samples = [Vec::with_capacity(SAMPLES), Vec::with_capacity(SAMPLES)];
    for i in 0..SAMPLES {
        let order = if i % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let start = Instant::now();
            f(pools[which], 10 + i).await;
            samples[which].push(start.elapsed());
        }
    }
    samples.map(|mut s| Figures {
        median: percentile(&mut s, 0.5),
        p95: percentile(&mut s, 0.95),
    })
}

struct Runs {
    search_lead: [Figures; 2],
    search_worker: [Figures; 2],
    open: [Figures; 2],
    list: [Figures; 2],
}

async fn measure(pools: [&SqlitePool; 2], cases: usize) -> Runs {
    let lead_rights: Permissions = Permission::ALL.into_iter().collect();
    let worker_rights: Permissions = [Permission::CreateCases].into();
    let lead_id = id(2, 0);
    let worker_id = id(2, 3);
    let lead = Viewer::of(Actor {
        member_id: &lead_id,
        permissions: &lead_rights,
        must_change_passphrase: false,
        discipline: Some(Discipline::SocialWork),
    });
    let worker = Viewer::of(Actor {
        member_id: &worker_id,
        permissions: &worker_rights,
        must_change_passphrase: false,
        discipline: Some(Discipline::SocialWork),
    });
    let words: Vec<(String, String)> = THAI_WORDS
        .iter()
        .chain(ENGLISH_WORDS)
        .chain(GIVEN)
        .filter(|w| w.chars().count() >= 3)
        .map(|w| (search_phrase(w).unwrap(), (*w).to_owned()))
        .collect();
    // Both files must answer the same.
    for (phrase, typed) in &words {
        for viewer in [&lead, &worker] {
            let e = store::search(pools[0], viewer, phrase, typed)
                .await
                .unwrap();
            let p = store::search(pools[1], viewer, phrase, typed)
                .await
                .unwrap();
            assert_eq!(e, p, "both files answer {typed} the same");
        }
    }
    let search_lead = time_both(pools, |pool, i| {
        let (lead, (phrase, typed)) = (&lead, words[i % words.len()].clone());
        async move {
            store::search(pool, lead, &phrase, &typed).await.unwrap();
        }
    })
    .await;
    let search_worker = time_both(pools, |pool, i| {
        let (worker, (phrase, typed)) = (&worker, words[(i * 7) % words.len()].clone());
        async move {
            store::search(pool, worker, &phrase, &typed).await.unwrap();
        }
    })
    .await;
    let mut rng = Rng(42);
    let picks: Vec<String> = (0..SAMPLES + 10).map(|_| id(3, rng.below(cases))).collect();
    let open = time_both(pools, |pool, i| {
        let (lead, case) = (&lead, picks[i].clone());
        async move {
            let sections = lead.sections(None);
            store::load(pool, lead, &case, sections).await.unwrap();
        }
    })
    .await;
    let list = time_both(pools, |pool, _| {
        let worker = &worker;
        async move {
            store::list(pool, worker, true, None).await.unwrap();
        }
    })
    .await;
    Runs {
        search_lead,
        search_worker,
        open,
        list,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cases: usize = std::env::var("RUAM_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // RUAM_BENCH_DIR keeps the generated files (synthetic data, and the vault's key
    // beside it) so that a second run measures without generating again.
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("RUAM_BENCH_DIR").map_or_else(|| temp.path().to_owned(), Into::into);
    std::fs::create_dir_all(&dir).unwrap();
    let done = dir.join(format!("generated-{cases}"));
    let reuse = done.exists();
    println!(
        "case files: {cases} cases, {} notes (Thai and English), seeded",
        cases * NOTES_PER_CASE
    );
    let key = if reuse {
        let hex = std::fs::read_to_string(dir.join("bench.key")).unwrap();
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        SecretKey::from_slice(&bytes).unwrap()
    } else {
        for name in ["bench.vault", "bench-plain.db"] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.join(format!("{name}{suffix}")));
            }
        }
        let key = SecretKey::random().unwrap();
        std::fs::write(dir.join("bench.key"), key.to_hex().as_bytes()).unwrap();
        key
    };
    let encrypted = ruam_core::db::open(&dir.join("bench.vault"), &key, true)
        .await
        .unwrap();
    let plain = open_plain(&dir.join("bench-plain.db")).await;
    if reuse {
        // Fold in what migrations wrote on opening, as a locked vault would have.
        for pool in [&encrypted, &plain] {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await
                .unwrap();
        }
        println!("  using the files generated before in {}", dir.display());
    } else {
        println!("SQLCipher vault:");
        generate(&encrypted, cases).await;
        println!("plain SQLite copy:");
        generate(&plain, cases).await;
        std::fs::write(&done, b"").unwrap();
    }
    let size = |name: &str| {
        std::fs::metadata(dir.join(name))
            .map(|m| m.len() as f64 / 1_048_576.0)
            .unwrap_or(0.0)
    };
    println!(
        "  files: vault {:.0} MiB, plain {:.0} MiB",
        size("bench.vault"),
        size("bench-plain.db")
    );

    let runs = measure([&encrypted, &plain], cases).await;
    println!(
        "\n{SAMPLES} samples each, encrypted and plain in turn, after 10 warm-up runs; ms (median / p95); ratio encrypted / plain"
    );
    println!(
        "{:<46} {:>17} {:>17} {:>13}",
        "query", "SQLCipher", "plain", "ratio"
    );
    let row = |name: &str, e: &Figures, p: &Figures| {
        println!(
            "{:<46} {:>7.2} / {:>7.2} {:>7.2} / {:>7.2} {:>5.2} / {:>5.2}",
            name,
            ms(e.median),
            ms(e.p95),
            ms(p.median),
            ms(p.p95),
            e.median.as_secs_f64() / p.median.as_secs_f64(),
            e.p95.as_secs_f64() / p.p95.as_secs_f64(),
        );
    };
    let row = |name: &str, [e, p]: &[Figures; 2]| row(name, e, p);
    row("search, lead (oversees every case)", &runs.search_lead);
    row("search, case worker (their cases)", &runs.search_worker);
    row("open a case (lead)", &runs.open);
    row("list a member's cases (first page of 100)", &runs.list);
    println!("goals: search p95 <= 25 ms and within 1.2x of plain; opening a case within 1.3x");
}
