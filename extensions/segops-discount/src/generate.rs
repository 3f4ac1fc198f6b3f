//! The decision: which configured rules this buyer gets on this cart.
//!
//! Combination rule:
//! - A rule *applies* when it is active, the buyer carries its segment's tag, the
//!   discount node has the rule's class (`ORDER` for `order`, `PRODUCT` for `products`),
//!   and its minimum subtotal is met: the cart subtotal for an order rule, the subtotal
//!   of the lines it covers for a products rule.
//! - **Order scope:** of the applicable order rules, the single one that takes the most
//!   off the cart subtotal wins (percentage: subtotal × value / 100; fixed amount: the
//!   amount, at most the subtotal). It is the only `orderDiscountsAdd` candidate.
//! - **Product scope:** each cart line gets at most one product discount: the
//!   applicable products rule that takes the most off *that line* (percentage: line
//!   subtotal × value / 100; fixed amount: the amount off each unit, at most the line
//!   subtotal). Lines won by the same rule share one candidate; candidates never
//!   share a line, so the operation uses `ALL` (`FIRST` when there is one candidate).
//! - **Ties** go to the lower `priority` number, then to the rule listed first.
//! - The order discount and the product discounts are decided independently; whether
//!   Shopify stacks them is the discount node's own combination setting.

use std::borrow::Cow;
use std::cmp::Reverse;

use crate::amount::Amount;
use crate::config::{Config, DiscountValue, Kind, MAX_ACTIVE_RULES, Rule, Scope, is_segment_tag};
use crate::id_index::IdIndex;
use crate::input::{CartLine, Customer, Input};
use crate::output::{Candidate, Operation, Output, Value};

/// Runs the discount decision. Never fails: no customer, no segment tag, a missing or
/// invalid configuration all mean "no operations".
pub fn generate<'a>(input: &Input<'a>) -> Output<'a> {
    if !input.order_class && !input.product_class {
        return Output::default();
    }
    let Some(customer) = input
        .customer
        .as_ref()
        .filter(|customer| !customer.tags.is_empty())
    else {
        return Output::default();
    };
    let parsed_now;
    let config = match (&input.parsed, input.configuration) {
        (Some(Ok(config)), _) => config,
        (None, Some(raw)) => match Config::parse(raw) {
            Ok(config) => {
                parsed_now = config;
                &parsed_now
            }
            Err(_) => return Output::default(),
        },
        _ => return Output::default(),
    };

    let member = membership(config, customer);
    let order_rules = if input.order_class {
        member & scoped(config, |scope| matches!(scope, Scope::Order))
    } else {
        0
    };
    let product_rules = if input.product_class {
        member & scoped(config, |scope| matches!(scope, Scope::Products { .. }))
    } else {
        0
    };

    let mut operations = Vec::new();
    if order_rules != 0
        && let Some(candidate) = order_candidate(&config.rules, order_rules, &input.lines)
    {
        operations.push(Operation::OrderDiscountsAdd(candidate));
    }
    if product_rules != 0 {
        let candidates = product_candidates(&config.rules, product_rules, input);
        if !candidates.is_empty() {
            operations.push(Operation::ProductDiscountsAdd(candidates));
        }
    }
    Output { operations }
}

/// The rules whose segment tag the buyer carries, as a bit set.
fn membership(config: &Config<'_>, customer: &Customer<'_>) -> u32 {
    // Each rule looks through all the tags, starting after the tag the previous rule
    // matched: the tags come in the order of the configuration's `tags`, which usually
    // follows the rules, so most rules match at the first tag looked at.
    let tags = &customer.tags;
    let mut member = 0;
    let mut next = 0;
    for (index, rule) in config.rules.iter().enumerate() {
        for step in 0..tags.len() {
            let mut at = next + step;
            if at >= tags.len() {
                at -= tags.len();
            }
            if is_segment_tag(&tags[at], &rule.segment) {
                member |= 1 << index;
                next = at + 1;
                break;
            }
        }
    }
    member
}

fn scoped(config: &Config<'_>, pick: impl Fn(&Scope<'_>) -> bool) -> u32 {
    let mut rules = 0;
    for (index, rule) in config.rules.iter().enumerate() {
        if pick(&rule.scope) {
            rules |= 1 << index;
        }
    }
    rules
}

fn candidate<'a, T>(rule: &Rule<'a>, targets: T) -> Candidate<'a, T> {
    Candidate {
        message: rule.message.clone(),
        targets,
        value: match rule.value.kind {
            Kind::Percentage => Value::Percentage(rule.value.text.clone()),
            Kind::FixedAmount => Value::FixedAmount(rule.value.text.clone()),
        },
    }
}

fn order_candidate<'a>(
    rules: &[Rule<'a>],
    applicable: u32,
    lines: &[CartLine<'a>],
) -> Option<Candidate<'a, ()>> {
    let subtotal = lines
        .iter()
        .fold(Amount::ZERO, |sum, line| sum.saturating_add(line.subtotal));
    let eligible = bits(applicable).filter(|&index| minimum_met(&rules[index], subtotal));
    let winner = best(rules, eligible, |value| saving(value, subtotal, 1))?;
    Some(candidate(&rules[winner], ()))
}

fn product_candidates<'a>(
    rules: &[Rule<'a>],
    applicable: u32,
    input: &Input<'a>,
) -> Vec<Candidate<'a, Vec<Cow<'a, str>>>> {
    let targeting = Targeting::new(rules, applicable);

    // First pass: which rules cover each line, and the subtotal each rule with a
    // minimum covers (the only rules that need it).
    let with_minimum = bits(applicable)
        .filter(|&index| rules[index].minimum_subtotal.is_some())
        .fold(0u32, |mask, index| mask | 1 << index);
    let mut covered = [Amount::ZERO; 32];
    let line_rules: Vec<u32> = input
        .lines
        .iter()
        .map(|line| {
            let rules_here = targeting.rules_for(input, line);
            for index in bits(rules_here & with_minimum) {
                covered[index & 31] = covered[index & 31].saturating_add(line.subtotal);
            }
            rules_here
        })
        .collect();
    let eligible = bits(applicable)
        .filter(|&index| minimum_met(&rules[index], covered[index & 31]))
        .fold(0u32, |mask, index| mask | 1 << index);

    // Second pass: the best rule for each line, from per-rule figures worked out once.
    let mut savings = Savings::new(rules, eligible);
    let mut won: Vec<Vec<Cow<'a, str>>> = rules.iter().map(|_| Vec::new()).collect();
    for (line, rules_here) in input.lines.iter().zip(line_rules) {
        let candidates = rules_here & eligible;
        let winner = if candidates == 0 {
            continue;
        } else if candidates.is_power_of_two() {
            candidates.trailing_zeros() as usize
        } else {
            savings.best(candidates, line.subtotal, line.quantity)
        };
        won[winner].push(line.id.clone());
    }

    rules
        .iter()
        .zip(won)
        .filter(|(_, targets)| !targets.is_empty())
        .map(|(rule, targets)| candidate(rule, targets))
        .collect()
}

/// Lookup tables from the products rules' ids to the rules.
struct Targeting<'c> {
    every_product: u32,
    products: IdIndex<'c>,
    collections: IdIndex<'c>,
}

impl<'c> Targeting<'c> {
    fn new(rules: &'c [Rule<'_>], applicable: u32) -> Targeting<'c> {
        let mut targeting = Targeting {
            every_product: 0,
            products: IdIndex::default(),
            collections: IdIndex::default(),
        };
        for index in bits(applicable) {
            let Scope::Products {
                product_ids,
                collection_ids,
            } = &rules[index].scope
            else {
                continue;
            };
            if product_ids.is_empty() && collection_ids.is_empty() {
                targeting.every_product |= 1 << index;
            }
            for id in product_ids {
                targeting.products.insert(id, index);
            }
            for id in collection_ids {
                targeting.collections.insert(id, index);
            }
        }
        targeting.products.seal();
        targeting.collections.seal();
        targeting
    }

    /// The rules covering a line: only product variants can be covered.
    fn rules_for<'a>(&self, input: &Input<'a>, line: &CartLine<'a>) -> u32 {
        let Some(product) = &line.product else {
            return 0;
        };
        let mut rules = self.every_product;
        if !self.products.is_empty() {
            rules |= self.products.rules_for(product);
        }
        if !self.collections.is_empty() {
            for collection in input.memberships(line) {
                rules |= self.collections.rules_for(collection);
            }
        }
        rules
    }
}

/// `saving` and `best` for many lines at once: each rule's value split into what the
/// per-line computation needs, and its tie-break order (`priority`, then position) as
/// one rank, so a line's best rule is a loop over plain integers.
/// The tables have 32 entries, one per bit of a rule mask, so `index & 31` needs no
/// bounds check in the per-line loop.
struct Savings {
    /// Percentage rules: the percent in 10⁻⁴ (`saving`'s factor); 0 for fixed amounts.
    percent: [i64; 32],
    /// The fixed-amount rules, as a mask.
    fixed: u32,
    /// Fixed-amount rules: the amount off each unit, clamped as `saving` clamps it.
    per_unit: [i64; 32],
    /// Lower wins a tie: the order of (`priority`, index) among the rules.
    rank: [u32; 32],
    /// Recent answers of `best_percentage`: (rule set, winner); an empty set is never asked.
    by_rules: [(u32, u32); 16],
}

impl Savings {
    fn new(rules: &[Rule<'_>], considered: u32) -> Savings {
        let mut savings = Savings {
            percent: [0; 32],
            fixed: 0,
            per_unit: [0; 32],
            rank: [0; 32],
            by_rules: [(0, 0); 16],
        };
        let mut order = [(0i64, 0usize); MAX_ACTIVE_RULES];
        let mut count = 0;
        for index in bits(considered) {
            let rule = &rules[index];
            let millionths = rule.value.amount.millionths();
            match rule.value.kind {
                Kind::Percentage => savings.percent[index] = millionths / 100,
                Kind::FixedAmount => {
                    savings.fixed |= 1 << index;
                    savings.per_unit[index] = millionths.clamp(0, COMPARABLE);
                }
            }
            // Insertion by hand: a library sort of these pairs costs kilobytes of module.
            let mut at = count;
            while at > 0 && order[at - 1] > (rule.priority, index) {
                order[at] = order[at - 1];
                at -= 1;
            }
            order[at] = (rule.priority, index);
            count += 1;
        }
        let order = &order[..count];
        for (rank, &(_, index)) in order.iter().enumerate() {
            savings.rank[index] = rank as u32;
        }
        savings
    }

    /// What `best` with `saving` picks among `candidates` (a non-empty subset of the
    /// rules given to `new`) for a line of `quantity` units costing `subtotal`.
    fn best(&mut self, candidates: u32, subtotal: Amount, quantity: i64) -> usize {
        let subtotal = subtotal.millionths().clamp(0, COMPARABLE);
        let units = quantity.clamp(0, 1_000_000);
        let mut winner = 0;
        let mut top = (i64::MIN, u32::MAX);
        let percentages = candidates & !self.fixed;
        let each = if subtotal > 0 && percentages != 0 {
            // On a positive subtotal the percentage rules rank by percent alone.
            let index = self.best_percentage(percentages);
            top = (self.percent[index] * subtotal, self.rank[index]);
            winner = index;
            candidates & self.fixed
        } else {
            candidates
        };
        for index in bits(each) {
            let index = index & 31;
            let saving = if self.fixed & 1 << index == 0 {
                self.percent[index] * subtotal
            } else {
                (self.per_unit[index] * units).min(subtotal) * 1_000_000
            };
            let rank = self.rank[index];
            if saving > top.0 || (saving == top.0 && rank < top.1) {
                top = (saving, rank);
                winner = index;
            }
        }
        winner
    }

    /// The percentage rule of `rules` (non-empty) with the largest percent, ties to the
    /// lower rank. Lines share a few rule sets, so answers are kept by set.
    fn best_percentage(&mut self, rules: u32) -> usize {
        let slot = (rules.wrapping_mul(0x9E37_79B9) >> 28) as usize & 15;
        let (known, answer) = self.by_rules[slot];
        if known == rules {
            return answer as usize;
        }
        let mut winner = 0;
        let mut top = (i64::MIN, u32::MAX);
        for index in bits(rules) {
            let index = index & 31;
            let (percent, rank) = (self.percent[index], self.rank[index]);
            if percent > top.0 || (percent == top.0 && rank < top.1) {
                top = (percent, rank);
                winner = index;
            }
        }
        self.by_rules[slot] = (rules, winner as u32);
        winner
    }
}

fn minimum_met(rule: &Rule<'_>, subtotal: Amount) -> bool {
    rule.minimum_subtotal
        .is_none_or(|minimum| subtotal >= minimum)
}

/// Amounts above this (9 million units, in millionths) compare as equal: it keeps
/// every product below `i64::MAX` without overflow checks, which wasm runs as 128-bit
/// library calls.
const COMPARABLE: i64 = 9_000_000_000_000;

/// What a rule takes off `subtotal` (of `quantity` units), in 10⁻¹² units, so that
/// percentages and fixed amounts compare without division.
fn saving(value: &DiscountValue<'_>, subtotal: Amount, quantity: i64) -> i64 {
    let subtotal = subtotal.millionths().clamp(0, COMPARABLE);
    match value.kind {
        // (percent × 10⁴) × (subtotal × 10⁶) = saving × 100 × 10¹⁰; percent ≤ 100.
        Kind::Percentage => value.amount.millionths() / 100 * subtotal,
        Kind::FixedAmount => {
            let per_unit = value.amount.millionths().clamp(0, COMPARABLE);
            let off = (per_unit * quantity.clamp(0, 1_000_000)).min(subtotal);
            off * 1_000_000
        }
    }
}

/// The rule with the largest saving; ties go to the lower priority, then the earlier rule.
fn best(
    rules: &[Rule<'_>],
    candidates: impl Iterator<Item = usize>,
    saving_of: impl Fn(&DiscountValue<'_>) -> i64,
) -> Option<usize> {
    candidates.max_by_key(|&index| {
        let rule = &rules[index];
        (
            saving_of(&rule.value),
            Reverse(rule.priority),
            Reverse(index),
        )
    })
}

/// The indexes of the set bits, lowest first.
fn bits(mut mask: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if mask == 0 {
            return None;
        }
        let index = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        Some(index)
    })
}

#[cfg(test)]
#[path = "generate_tests.rs"]
mod tests;
