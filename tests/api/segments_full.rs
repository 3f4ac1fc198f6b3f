//! Full segment evaluation from the database (`segments_store::evaluate_segments`): paged reads
//! and batched writes reach what per-person evaluation reaches, a re-run writes nothing, members
//! whose profile vanished leave, and profiles changing under the pass end in right memberships.

use segops::segments::{Changes, Rule};
use segops::segments_store::{self, FullOptions, NewSegment, PushMode};
use segops::store::Db;

use crate::helpers::TestApp;

crate::on_both_stores!(
    a_paged_full_evaluation_reaches_what_per_person_evaluation_reaches,
    profiles_changing_during_a_full_evaluation_end_in_right_memberships,
);

const FULL: &str = "shop-full";
const PER_PERSON: &str = "shop-per-person";
const PEOPLE: usize = 45;
const DAY_MS: i64 = 86_400_000;

/// Small pages and batches, so 45 profiles span seven pages and several write transactions.
fn paged() -> FullOptions {
    FullOptions {
        page_size: 7,
        batch_changes: 5,
        as_of_ms: None,
        writers: None,
    }
}

fn person(i: usize) -> String {
    format!("p{i:02}")
}

async fn add_profile(db: &Db, shop: &str, person: &str, value: i64, country: &str) {
    sqlx::query(
        "INSERT INTO profiles (shop_id, person_id, lifetime_value, order_count, country, tags, \
         has_email, updated_at) VALUES ($1, $2, $3, 1, $4, '', 1, 0)",
    )
    .bind(shop)
    .bind(person)
    .bind(value.to_string())
    .bind(country)
    .execute(db.pool())
    .await
    .unwrap();
}

async fn add_cart_event(db: &Db, shop: &str, person: &str, days_ago: i64) {
    let at = segops::clock::now_ms() - days_ago * DAY_MS;
    sqlx::query(
        "INSERT INTO events (shop_id, person_id, kind, dedupe_key, occurred_at, properties, \
         source, created_at) VALUES ($1, $2, 'add_to_cart', $3, $4, '{}', 'test', $4)",
    )
    .bind(shop)
    .bind(person)
    .bind(format!("{person}:{days_ago}"))
    .bind(at)
    .execute(db.pool())
    .await
    .unwrap();
}

async fn set_value(db: &Db, shop: &str, person: &str, value: i64) {
    sqlx::query(
        "UPDATE profiles SET lifetime_value = $1, version = version + 1 \
         WHERE shop_id = $2 AND person_id = $3",
    )
    .bind(value.to_string())
    .bind(shop)
    .bind(person)
    .execute(db.pool())
    .await
    .unwrap();
}

async fn create_segments(db: &Db, shop: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (name, text, push_mode) in [
        ("Big spenders", "lifetime_value >= 200", PushMode::Tag),
        ("French", r#"country IN ["FR"]"#, PushMode::None),
        (
            "Carts this week",
            "did add_to_cart >= 1 time in last 7 days",
            PushMode::None,
        ),
    ] {
        let new = NewSegment {
            name: name.into(),
            rule: Rule::parse_text(text).unwrap(),
            push_mode,
        };
        ids.push(segments_store::create(db, shop, &new).await.unwrap().id);
    }
    ids
}

/// Both shops' people and segments are the same.
async fn seed(db: &Db, shop: &str) -> Vec<String> {
    for i in 0..PEOPLE {
        let country = if i % 4 == 0 { "FR" } else { "US" };
        add_profile(db, shop, &person(i), (i as i64) * 10, country).await;
        if i % 3 == 0 {
            add_cart_event(db, shop, &person(i), 2).await;
        } else if i % 5 == 0 {
            add_cart_event(db, shop, &person(i), 20).await;
        }
    }
    let ids = create_segments(db, shop).await;
    // A member whose profile has gone (merged away): every evaluation must make them leave.
    sqlx::query(
        "INSERT INTO memberships (shop_id, segment_id, person_id, member, entered_at, pushed) \
         VALUES ($1, $2, 'p99-merged', 1, 5, 1)",
    )
    .bind(shop)
    .bind(&ids[0])
    .execute(db.pool())
    .await
    .unwrap();
    ids
}

type Row = (String, String, i64, Option<i64>, Option<i64>);

/// Every membership row of the shop: (slug, person, member, entered_at, left_at).
async fn rows(db: &Db, shop: &str) -> Vec<Row> {
    sqlx::query_as(
        "SELECT s.slug, m.person_id, m.member, m.entered_at, m.left_at FROM memberships m \
         JOIN segments s ON s.shop_id = m.shop_id AND s.id = m.segment_id \
         WHERE m.shop_id = $1 ORDER BY s.slug, m.person_id",
    )
    .bind(shop)
    .fetch_all(db.pool())
    .await
    .unwrap()
}

/// What two shops evaluated at different instants can share: who is in, who entered, who left.
fn outcome(rows: &[Row]) -> Vec<(String, String, i64, bool, bool)> {
    rows.iter()
        .map(|(slug, person, member, entered, left)| {
            (
                slug.clone(),
                person.clone(),
                *member,
                entered.is_some(),
                left.is_some(),
            )
        })
        .collect()
}

async fn counts(db: &Db, shop: &str) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT slug, member_count FROM segments WHERE shop_id = $1 ORDER BY slug")
        .bind(shop)
        .fetch_all(db.pool())
        .await
        .unwrap()
}

async fn per_person(db: &Db) {
    let mut people: Vec<String> = (0..PEOPLE).map(person).collect();
    people.push("p99-merged".into());
    segments_store::evaluate_people(db, PER_PERSON, &people, &Changes::everything())
        .await
        .unwrap();
}

async fn a_paged_full_evaluation_reaches_what_per_person_evaluation_reaches(app: TestApp) {
    let db = app.db();
    let ids = seed(db, FULL).await;
    seed(db, PER_PERSON).await;

    let started = segops::clock::now_ms();
    let first = segments_store::evaluate_segments(db, FULL, &ids, &paged())
        .await
        .unwrap();
    let finished = segops::clock::now_ms();
    per_person(db).await;
    assert_eq!(first.profiles, PEOPLE as u64);
    assert!(first.write_transactions > 1, "{first:?}");
    let full_rows = rows(db, FULL).await;
    assert_eq!(outcome(&full_rows), outcome(&rows(db, PER_PERSON).await));
    assert_eq!(counts(db, FULL).await, counts(db, PER_PERSON).await);
    let merged = full_rows.iter().find(|r| r.1 == "p99-merged").unwrap();
    assert_eq!(merged.2, 0, "the member without a profile left");
    assert_eq!(merged.3, Some(5), "leaving keeps the entry time");
    for (_, _, member, entered, left) in &full_rows {
        let stamped = if *member == 1 { *entered } else { *left };
        let stamped = stamped.unwrap();
        assert!(
            stamped == 5 || (started..=finished).contains(&stamped),
            "changes are stamped with the pass's time"
        );
    }
    // The tag segment moved, so its push is queued, as per-person evaluation queues it.
    let pushes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'push_segment_tags' AND shop_id = $1 AND run_at <= $2",
    )
    .bind(FULL)
    .bind(segops::clock::now_ms())
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(pushes, 1);

    // Three people cross the threshold each way; everyone else keeps their rows and times.
    for (i, value) in [(25, 10), (30, 0), (44, 150), (3, 900), (7, 200), (19, 250)] {
        set_value(db, FULL, &person(i), value).await;
        set_value(db, PER_PERSON, &person(i), value).await;
    }
    let second = segments_store::evaluate_segments(db, FULL, &ids, &paged())
        .await
        .unwrap();
    per_person(db).await;
    assert_eq!((second.entered, second.left), (3, 3), "{second:?}");
    let after = rows(db, FULL).await;
    assert_eq!(outcome(&after), outcome(&rows(db, PER_PERSON).await));
    assert_eq!(counts(db, FULL).await, counts(db, PER_PERSON).await);
    let moved = ["p25", "p30", "p44", "p03", "p07", "p19"];
    let unmoved = |rows: &[Row]| -> Vec<Row> {
        rows.iter()
            .filter(|r| !moved.contains(&r.1.as_str()))
            .cloned()
            .collect()
    };
    assert_eq!(
        unmoved(&full_rows),
        unmoved(&after),
        "an unchanged membership keeps its times"
    );

    let third = segments_store::evaluate_segments(db, FULL, &ids, &paged())
        .await
        .unwrap();
    assert_eq!(
        (third.entered, third.left, third.write_transactions),
        (0, 0, 0)
    );
    assert_eq!(
        rows(db, FULL).await,
        after,
        "a re-run with no change writes nothing"
    );
}

async fn profiles_changing_during_a_full_evaluation_end_in_right_memberships(app: TestApp) {
    let db = app.db().clone();
    let ids = seed(&db, FULL).await;
    // Three writers: on PostgreSQL their batches commit side by side, on SQLite they take turns.
    let options = FullOptions {
        page_size: 3,
        batch_changes: 1,
        as_of_ms: None,
        writers: Some(3),
    };
    // While passes run, values flip across the threshold, each followed by the incremental
    // evaluation the change would queue.
    let writer = {
        let db = db.clone();
        tokio::spawn(async move {
            for round in 0..6i64 {
                for i in (0..PEOPLE).step_by(2) {
                    let value = if (i as i64 + round) % 2 == 0 { 500 } else { 0 };
                    set_value(&db, FULL, &person(i), value).await;
                    segments_store::evaluate_people(
                        &db,
                        FULL,
                        &[person(i)],
                        &Changes::everything(),
                    )
                    .await
                    .unwrap();
                }
            }
        })
    };
    while !writer.is_finished() {
        segments_store::evaluate_segments(&db, FULL, &ids, &options)
            .await
            .unwrap();
    }
    writer.await.unwrap();
    // Evaluating everyone afresh must find nothing to correct, and the counts must be exact.
    let mut people: Vec<String> = (0..PEOPLE).map(person).collect();
    people.push("p99-merged".into());
    let fresh = segments_store::evaluate_people(&db, FULL, &people, &Changes::everything())
        .await
        .unwrap();
    assert_eq!(
        (fresh.entered, fresh.left),
        (0, 0),
        "a stale answer was written"
    );
}
