//! A person's standing in each of the shop's segments: member now, left, or never in, with
//! the entered/left times and the rule's explanation against their current profile (which
//! clauses held and what the profile has), so the merchant sees why.

use serde::Serialize;

use super::QueryError;
use crate::segments::{Explanation, Rule, explain};
use crate::segments_store::{self, StoreError};
use crate::store::Db;

/// One clause of the explanation, flattened for a table: `depth` says how far it is nested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseLine {
    pub depth: usize,
    pub clause: String,
    pub held: bool,
    pub actual: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub segment_id: String,
    pub name: String,
    pub slug: String,
    /// `member`, `left` or `never`.
    pub status: &'static str,
    pub entered_at: Option<i64>,
    pub left_at: Option<i64>,
    /// Whether the rule holds for the profile as it is now (membership follows within moments).
    pub holds_now: bool,
    pub explanation: Vec<ClauseLine>,
}

/// Every segment of the shop, with this person's standing in it; members first.
pub async fn standings(
    db: &Db,
    shop_id: &str,
    person_id: &str,
    now_ms: i64,
) -> Result<Vec<Standing>, QueryError> {
    let segments = segments_store::list(db, shop_id)
        .await
        .map_err(store_error)?;
    let mut conn = db.pool().acquire().await?;
    let Some(profile) = segments_store::load_profile(
        &mut conn,
        shop_id,
        person_id,
        now_ms,
        segments_store::EventNeeds::ALL,
    )
    .await
    .map_err(store_error)?
    else {
        return Ok(Vec::new());
    };
    let rows: Vec<(String, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        // Keyed by segment first: the segment list makes this one lookup per segment, not a scan.
        "SELECT segment_id, member, entered_at, left_at FROM memberships WHERE shop_id = $1 \
         AND person_id = $2 AND segment_id IN (SELECT id FROM segments WHERE shop_id = $1)",
    )
    .bind(shop_id)
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut standings = Vec::with_capacity(segments.len());
    for segment in segments {
        // One unreadable stored rule must not take the whole profile page down: it is shown
        // as such, and the other segments still explain themselves.
        let explanation = Rule::from_json(&segment.rule)
            .and_then(|rule| explain(&rule, &profile, now_ms))
            .unwrap_or_else(|err| Explanation {
                clause: format!("the stored rule could not be read: {err}"),
                held: false,
                actual: None,
                children: Vec::new(),
            });
        let membership = rows.iter().find(|r| r.0 == segment.id);
        let status = match membership {
            Some((_, 1, _, _)) => "member",
            Some(_) => "left",
            None => "never",
        };
        let mut lines = Vec::new();
        flatten(&explanation, 0, &mut lines);
        standings.push(Standing {
            segment_id: segment.id,
            name: segment.name,
            slug: segment.slug,
            status,
            entered_at: membership.and_then(|m| m.2),
            left_at: membership.and_then(|m| m.3),
            holds_now: explanation.held,
            explanation: lines,
        });
    }
    standings.sort_by_key(|s| match s.status {
        "member" => 0,
        "left" => 1,
        _ => 2,
    });
    Ok(standings)
}

fn store_error(err: StoreError) -> QueryError {
    match err {
        StoreError::Db(err) => QueryError::Db(err),
        other => QueryError::Rule(other.to_string()),
    }
}

fn flatten(node: &Explanation, depth: usize, out: &mut Vec<ClauseLine>) {
    out.push(ClauseLine {
        depth,
        clause: node.clause.clone(),
        held: node.held,
        actual: node.actual.clone(),
    });
    for child in &node.children {
        flatten(child, depth + 1, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::segments::Explanation;

    #[test]
    fn nested_clauses_flatten_in_reading_order_with_their_depth() {
        let leaf = |clause: &str, held| Explanation {
            clause: clause.into(),
            held,
            actual: Some("x".into()),
            children: Vec::new(),
        };
        let tree = Explanation {
            clause: "a AND b".into(),
            held: false,
            actual: None,
            children: vec![leaf("a", true), leaf("b", false)],
        };
        let mut lines = Vec::new();
        super::flatten(&tree, 0, &mut lines);
        let shape: Vec<(usize, &str, bool)> = lines
            .iter()
            .map(|l| (l.depth, l.clause.as_str(), l.held))
            .collect();
        assert_eq!(
            shape,
            vec![(0, "a AND b", false), (1, "a", true), (1, "b", false)]
        );
    }
}
