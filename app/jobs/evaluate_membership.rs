//! Re-evaluates the people a delivery changed against the shop's segments.

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::events::EventKind;
use crate::segments::{Changes, Trait};
use crate::segments_store::{self, StoreError};
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct EvaluateMembership {
    pub shop_id: String,
    pub person_ids: Vec<String>,
    /// What changed on them; `None` (and jobs queued before this field existed) means
    /// anything may have: every segment is evaluated.
    #[serde(default)]
    pub changed: Option<ChangedTraits>,
}

/// Trait and event-kind names as stored, so a queued job stays readable across releases.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ChangedTraits {
    pub traits: Vec<String>,
    pub events: Vec<String>,
}

impl ChangedTraits {
    /// The segments' view of the change. Names no rule can read (e.g. `currency`) drop out.
    pub fn to_changes(&self) -> Changes {
        let traits = self.traits.iter().filter_map(|t| Trait::parse(t));
        let mut changes = Changes::traits(traits);
        for kind in self.events.iter().filter_map(|k| EventKind::parse(k)) {
            changes = changes.with_event(kind);
        }
        changes
    }
}

impl EvaluateMembership {
    pub const KIND: &'static str = "evaluate_membership";

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let changes = self
            .changed
            .as_ref()
            .map_or_else(Changes::everything, ChangedTraits::to_changes);
        let done =
            segments_store::evaluate_people(&app.db, &self.shop_id, &self.person_ids, &changes)
                .await
                .map_err(store_error)?;
        if done.entered + done.left > 0 {
            tracing::debug!(shop_id = %self.shop_id, entered = done.entered, left = done.left, "memberships changed");
        }
        Ok(())
    }
}

/// A stored rule that no longer reads cannot improve on retry; a database error can.
pub(super) fn store_error(err: StoreError) -> JobError {
    match err {
        StoreError::Db(err) => JobError::Retry(format!("database: {err}")),
        other => JobError::Permanent(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::ChangedTraits;
    use crate::segments::{Deps, Rule};

    fn rule(text: &str) -> Rule {
        Rule::parse_text(text).unwrap()
    }

    fn changed(traits: &[&str], events: &[&str]) -> ChangedTraits {
        ChangedTraits {
            traits: traits.iter().map(|t| (*t).to_owned()).collect(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
        }
    }

    #[test]
    fn a_change_reaches_only_the_rules_that_read_it() {
        let country = Deps::of(&rule(r#"country = "FR""#));
        let value = Deps::of(&rule("lifetime_value > 100"));
        let carts = Deps::of(&rule("did add_to_cart >= 1 time in last 7 days"));

        let moved = changed(&["country"], &[]).to_changes();
        assert!(country.affected_by(&moved));
        assert!(!value.affected_by(&moved));
        assert!(!carts.affected_by(&moved));

        let added = changed(&["add_to_carts", "last_seen_at"], &["add_to_cart"]).to_changes();
        assert!(carts.affected_by(&added));
        assert!(!country.affected_by(&added));
    }

    #[test]
    fn names_no_rule_reads_are_ignored_and_no_change_reaches_nothing() {
        let value = Deps::of(&rule("lifetime_value > 100"));
        assert!(!value.affected_by(&changed(&["currency"], &["no_such_kind"]).to_changes()));
        assert!(!value.affected_by(&ChangedTraits::default().to_changes()));
    }
}
