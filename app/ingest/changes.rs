//! What one delivery or batch changed on people, for segment evaluation.

use std::collections::{BTreeMap, BTreeSet};

use crate::events::EventKind;
use crate::jobs::ChangedTraits;

/// Which people changed and what changed on them: what segment evaluation needs to pick the
/// segments worth re-reading. Kept per delivery (a union over its people): finer grain would
/// save little, since one delivery rarely touches more than one person.
#[derive(Debug, Default)]
pub struct Changes {
    pub people: BTreeMap<String, BTreeSet<&'static str>>,
    /// Kinds of the events added to these people's histories.
    pub events: BTreeSet<&'static str>,
    /// Identity merges moved whole histories: every segment must look again.
    pub everything: bool,
}

impl Changes {
    pub(super) fn add(&mut self, person: &str, traits: BTreeSet<&'static str>) {
        if !traits.is_empty() {
            self.people
                .entry(person.to_owned())
                .or_default()
                .extend(traits);
        }
    }

    pub(super) fn add_event(&mut self, person: &str, kind: EventKind) {
        self.people.entry(person.to_owned()).or_default();
        self.events.insert(kind.as_str());
    }

    /// `people` moved into or out of a merged group: evaluate them against every segment.
    pub(super) fn add_merge<'a>(&mut self, people: impl IntoIterator<Item = &'a String>) {
        for person in people {
            self.people.entry(person.clone()).or_default();
        }
        self.everything = true;
    }

    /// What changed on these people; `None` when every segment must look again.
    pub(super) fn changed(&self) -> Option<ChangedTraits> {
        let traits = self.people.values().flatten().map(|t| (*t).to_owned());
        (!self.everything).then(|| ChangedTraits {
            traits: traits.collect::<BTreeSet<_>>().into_iter().collect(),
            events: self.events.iter().map(|k| (*k).to_owned()).collect(),
        })
    }
}
