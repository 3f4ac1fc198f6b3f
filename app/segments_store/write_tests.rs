//! A full pass's batch whose "no row yet" entries meet rows that appeared after the page was
//! read: the plain inserts fail on the key, and the batch is written again with upserts that
//! enter only non-members, so nobody is entered twice and the count moves by real entries only.

use std::collections::HashMap;
use std::sync::Arc;

use super::load::EventNeeds;
use super::write::{Change, Pass, SafetyPushes, write_batch};
use super::{NewSegment, PushMode, create};
use crate::segments::{Rule, SegmentSet};
use crate::store::Db;

const SHOP: &str = "shop-write";

async fn profile(db: &Db, person: &str) -> i64 {
    sqlx::query(
        "INSERT INTO profiles (shop_id, person_id, lifetime_value, order_count, tags, has_email, \
         updated_at) VALUES ($1, $2, '500', 1, '', 1, 0)",
    )
    .bind(SHOP)
    .bind(person)
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query_scalar("SELECT version FROM profiles WHERE shop_id = $1 AND person_id = $2")
        .bind(SHOP)
        .bind(person)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn membership(db: &Db, segment: &str, person: &str, member: i64) {
    sqlx::query(
        "INSERT INTO memberships (shop_id, segment_id, person_id, member, entered_at, pushed) \
         VALUES ($1, $2, $3, $4, 5, 1)",
    )
    .bind(SHOP)
    .bind(segment)
    .bind(person)
    .bind(member)
    .execute(db.pool())
    .await
    .unwrap();
}

async fn rows_appearing_under_the_pass_are_entered_once(db: Db) {
    db.migrate().await.unwrap();
    let rule = Rule::parse_text("lifetime_value >= 100").unwrap();
    let segment = create(
        &db,
        SHOP,
        &NewSegment {
            name: "Big spenders".into(),
            rule: rule.clone(),
            push_mode: PushMode::None,
        },
    )
    .await
    .unwrap()
    .id;
    let mut read = HashMap::new();
    for person in ["left-since", "entered-since", "new"] {
        read.insert(person.to_owned(), Some(profile(&db, person).await));
    }
    // The page saw none of them with a row; since then one left and one entered elsewhere.
    membership(&db, &segment, "left-since", 0).await;
    membership(&db, &segment, "entered-since", 1).await;
    let mut set = SegmentSet::new();
    set.insert(0, &rule).unwrap();
    let pass = Pass {
        db: db.clone(),
        shop_id: SHOP.to_owned(),
        segment_ids: Arc::from([segment.clone()]),
        push_modes: Arc::from(["none".to_owned()]),
        set: Arc::new(set),
        needs: EventNeeds::of([&rule]),
        now_ms: 1_000,
    };
    let changes = read
        .keys()
        .map(|person| Change {
            person: person.clone(),
            segment: 0,
            enter: true,
            fresh: true,
        })
        .collect();

    let written = write_batch(&pass, changes, &read, &mut SafetyPushes::new(1))
        .await
        .unwrap();

    assert_eq!(
        written.moved,
        vec![(2, 0)],
        "the member already in is not entered again"
    );
    let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT person_id, member, entered_at FROM memberships WHERE shop_id = $1 \
         AND segment_id = $2 ORDER BY person_id",
    )
    .bind(SHOP)
    .bind(&segment)
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("entered-since".to_owned(), 1, Some(5)),
            ("left-since".to_owned(), 1, Some(1_000)),
            ("new".to_owned(), 1, Some(1_000)),
        ]
    );
    let count: i64 = sqlx::query_scalar("SELECT member_count FROM segments WHERE id = $1")
        .bind(&segment)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(count, 2, "the count moves by the rows that changed");
}

#[tokio::test]
async fn on_sqlite_rows_appearing_under_the_pass_are_entered_once() {
    let dir = std::env::temp_dir().join(format!("segops-full-write-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(&format!("sqlite://{}/t.db", dir.display()))
        .await
        .unwrap();
    rows_appearing_under_the_pass_are_entered_once(db).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn on_postgres_rows_appearing_under_the_pass_are_entered_once() {
    // A failed statement aborts a PostgreSQL transaction: the retry must start a new one.
    let Some(url) = crate::testing::fresh_postgres_database().await else {
        return;
    };
    rows_appearing_under_the_pass_are_entered_once(Db::connect(&url).await.unwrap()).await;
}
