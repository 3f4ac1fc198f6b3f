//! The first segment SegOps proposes once the history is in, computed from the shop's profiles
//! and kept with the backfill, so the dashboard shows, and "Create segment" creates, exactly
//! the same rule. Accepting twice creates one segment.

use crate::clock::now_ms;
use crate::error::AppError;
use crate::segments::{Rule, suggest_first_segment};
use crate::segments_store::{self, NewSegment, PushMode, SegmentRow, StoreError};
use crate::state::App;

use super::{SuggestedSegment, store};

#[derive(Debug, thiserror::Error)]
pub enum SuggestionError {
    #[error("there is no suggested segment yet: it comes once the history import is done")]
    NotReady,
    #[error("the suggested segment is being created; try again in a moment")]
    InProgress,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<SuggestionError> for AppError {
    fn from(err: SuggestionError) -> Self {
        match err {
            SuggestionError::NotReady => AppError::NotFound(err.to_string()),
            SuggestionError::InProgress => AppError::Conflict(err.to_string()),
            SuggestionError::Store(StoreError::Db(db)) | SuggestionError::Db(db) => db.into(),
            SuggestionError::Store(other) => AppError::BadRequest(other.to_string()),
        }
    }
}

/// Computes the suggestion from every profile of the shop and keeps it.
pub async fn compute(app: &App, shop_id: &str) -> Result<(), StoreError> {
    let now = now_ms();
    // The suggestion reads traits only, never the event history.
    let mut profiles = Vec::new();
    segments_store::scan_profiles(
        &app.db,
        shop_id,
        segments_store::EventNeeds::default(),
        now,
        |profile| profiles.push(profile),
    )
    .await?;
    if let Some(found) = suggest_first_segment(&profiles, now) {
        store::set_suggestion(
            &app.db,
            shop_id,
            &found.name,
            &found.rule.to_json(),
            found.expected_members as i64,
        )
        .await?;
    }
    Ok(())
}

/// What the dashboard shows of a stored suggestion.
pub(super) fn view(
    name: &str,
    rule_json: &str,
    members: i64,
    segment_id: Option<String>,
) -> SuggestedSegment {
    let rule = Rule::from_json(rule_json)
        .map(|r| r.to_string())
        .unwrap_or_else(|_| rule_json.to_owned());
    let why = if name.starts_with("Lapsed") {
        format!(
            "At least half of your buyers have not ordered in {} days: win them back before they are gone.",
            crate::segments::LAPSED_AFTER_DAYS
        )
    } else {
        "Your top buyers: lifetime value above your store's 80th percentile, net of refunds."
            .to_owned()
    };
    SuggestedSegment {
        name: name.to_owned(),
        rule,
        members,
        why,
        segment_id,
    }
}

/// Creates the suggested segment in tag mode (its first full evaluation is queued with it), or
/// returns the one already created. The bool says whether it was created by this call.
pub async fn accept_suggestion(
    app: &App,
    shop_id: &str,
) -> Result<(SegmentRow, bool), SuggestionError> {
    let row = store::load(&app.db, shop_id)
        .await?
        .ok_or(SuggestionError::NotReady)?;
    let (Some(name), Some(rule_json)) = (row.suggestion_name, row.suggestion_rule) else {
        return Err(SuggestionError::NotReady);
    };
    if !store::claim_suggestion(&app.db, shop_id).await? {
        let current = store::load(&app.db, shop_id).await?;
        let segment_id = current
            .and_then(|r| r.suggestion_segment_id)
            .filter(|id| !id.is_empty())
            .ok_or(SuggestionError::InProgress)?;
        let segment = segments_store::get(&app.db, shop_id, &segment_id)
            .await?
            .ok_or(SuggestionError::NotReady)?;
        return Ok((segment, false));
    }
    let created = async {
        let rule = Rule::from_json(&rule_json)?;
        let new = NewSegment {
            name,
            rule,
            push_mode: PushMode::Tag,
        };
        segments_store::create(&app.db, shop_id, &new).await
    }
    .await;
    match created {
        Ok(segment) => {
            store::set_suggestion_segment(&app.db, shop_id, Some(&segment.id)).await?;
            Ok((segment, true))
        }
        Err(err) => {
            store::set_suggestion_segment(&app.db, shop_id, None).await?;
            Err(err.into())
        }
    }
}
