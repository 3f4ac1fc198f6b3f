//! Many compiled segments of one shop, evaluated in full or only where a change can move them.

use super::ast::Rule;
use super::compile::CompiledRule;
use super::deps::Changes;
use super::error::RuleError;
use super::profile::{Profile, TagPool};

/// A shop's segments, keyed by the caller's id (a slug, a database id).
#[derive(Debug)]
pub struct SegmentSet<K> {
    segments: Vec<(K, CompiledRule)>,
    tags: TagPool,
}

impl<K> Default for SegmentSet<K> {
    fn default() -> Self {
        SegmentSet {
            segments: Vec::new(),
            tags: TagPool::default(),
        }
    }
}

impl<K: PartialEq> SegmentSet<K> {
    pub fn new() -> Self {
        SegmentSet::default()
    }

    /// Compiles `rule` under `key`, replacing a segment already there.
    pub fn insert(&mut self, key: K, rule: &Rule) -> Result<(), RuleError> {
        let compiled = CompiledRule::compile_in(rule, &mut self.tags)?;
        match self.segments.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = compiled,
            None => self.segments.push((key, compiled)),
        }
        Ok(())
    }

    pub fn remove(&mut self, key: &K) -> bool {
        let before = self.segments.len();
        self.segments.retain(|(k, _)| k != key);
        self.segments.len() != before
    }

    pub fn get(&self, key: &K) -> Option<&CompiledRule> {
        self.segments.iter().find(|(k, _)| k == key).map(|(_, c)| c)
    }

    pub fn len(&self) -> usize {
        self.segments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &CompiledRule)> {
        self.segments.iter().map(|(k, c)| (k, c))
    }

    /// The segments `changes` can move.
    pub fn affected<'a>(&'a self, changes: &'a Changes) -> impl Iterator<Item = &'a K> + 'a {
        self.segments
            .iter()
            .filter(|(_, c)| c.deps().affected_by(changes))
            .map(|(k, _)| k)
    }

    /// Membership in every segment, in insertion order, without allocating.
    pub fn evaluate_all(&self, profile: &Profile, now_ms: i64, mut each: impl FnMut(&K, bool)) {
        for (key, rule) in &self.segments {
            each(key, rule.matches(profile, now_ms));
        }
    }

    /// Membership in just the segments `changes` can move; the others keep their last answer.
    pub fn evaluate_changed(
        &self,
        profile: &Profile,
        changes: &Changes,
        now_ms: i64,
        mut each: impl FnMut(&K, bool),
    ) {
        for (key, rule) in &self.segments {
            if rule.deps().affected_by(changes) {
                each(key, rule.matches(profile, now_ms));
            }
        }
    }

    /// The tag pool the segments' tags were interned in; build profiles' tags from it so tag
    /// checks compare pointers.
    pub fn tags_mut(&mut self) -> &mut TagPool {
        &mut self.tags
    }
}
