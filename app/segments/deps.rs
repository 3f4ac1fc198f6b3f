//! What a rule reads (traits, event kinds, the clock) and what changed on a profile, as bit
//! sets, so a caller re-evaluates only the segments a change can move.

use super::ast::{Rule, Trait};
use crate::events::EventKind;

/// A set of traits, one bit per [`Trait`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Traits(u32);

impl Traits {
    pub const NONE: Traits = Traits(0);

    pub fn of(traits: impl IntoIterator<Item = Trait>) -> Traits {
        traits.into_iter().fold(Traits::NONE, Traits::with)
    }

    pub fn with(self, field: Trait) -> Traits {
        Traits(self.0 | 1 << field as u32)
    }

    pub fn contains(self, field: Trait) -> bool {
        self.0 & (1 << field as u32) != 0
    }

    pub fn intersects(self, other: Traits) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Trait> {
        Trait::ALL
            .iter()
            .copied()
            .filter(move |t| self.contains(*t))
    }
}

/// A set of event kinds, one bit per [`EventKind`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct EventKinds(u64);

impl EventKinds {
    pub const NONE: EventKinds = EventKinds(0);
    pub const ALL: EventKinds = EventKinds(u64::MAX);

    pub fn of(kinds: impl IntoIterator<Item = EventKind>) -> EventKinds {
        kinds.into_iter().fold(EventKinds::NONE, EventKinds::with)
    }

    pub fn with(self, kind: EventKind) -> EventKinds {
        EventKinds(self.0 | 1 << kind as u64)
    }

    pub fn contains(self, kind: EventKind) -> bool {
        self.0 & (1 << kind as u64) != 0
    }

    pub fn intersects(self, other: EventKinds) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = EventKind> {
        EventKind::ALL
            .iter()
            .copied()
            .filter(move |k| self.contains(*k))
    }
}

/// What a rule reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Deps {
    pub traits: Traits,
    pub events: EventKinds,
    /// The rule has a day window, so its answer can change with time alone: re-evaluate it
    /// when time passes (e.g. a daily sweep) even if the profile did not change.
    pub clock: bool,
}

impl Deps {
    pub fn of(rule: &Rule) -> Deps {
        let mut deps = Deps::default();
        rule.walk(&mut |node, _| match node {
            Rule::Compare { field, .. } | Rule::IsSet(field) | Rule::In { field, .. } => {
                deps.traits = deps.traits.with(*field);
            }
            Rule::Within { field, .. } | Rule::OlderThan { field, .. } => {
                deps.traits = deps.traits.with(*field);
                deps.clock = true;
            }
            Rule::HasTag(_) => deps.traits = deps.traits.with(Trait::Tags),
            Rule::Event(e) => {
                deps.events = deps.events.with(e.kind);
                deps.clock = true;
            }
            Rule::All(_) | Rule::Any(_) | Rule::Not(_) => {}
        });
        deps
    }

    /// True when `changes` touch something this rule reads.
    pub fn affected_by(&self, changes: &Changes) -> bool {
        self.traits.intersects(changes.traits)
            || self.events.intersects(changes.events)
            || (self.clock && changes.clock)
    }
}

/// What changed on a profile since segments were last evaluated for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Changes {
    pub traits: Traits,
    /// Kinds of the events appended to (or dropped from) the profile's history.
    pub events: EventKinds,
    /// Time moved on: windows may have slid.
    pub clock: bool,
}

impl Changes {
    pub fn traits(traits: impl IntoIterator<Item = Trait>) -> Changes {
        Changes {
            traits: Traits::of(traits),
            ..Changes::default()
        }
    }

    pub fn with_trait(mut self, field: Trait) -> Changes {
        self.traits = self.traits.with(field);
        self
    }

    pub fn with_event(mut self, kind: EventKind) -> Changes {
        self.events = self.events.with(kind);
        self
    }

    /// Time passed with no other change: only rules with windows can move.
    pub fn time_passed() -> Changes {
        Changes {
            clock: true,
            ..Changes::default()
        }
    }

    /// Everything changed (a new or rebuilt profile).
    pub fn everything() -> Changes {
        Changes {
            traits: Traits(u32::MAX),
            events: EventKinds(u64::MAX),
            clock: true,
        }
    }
}
