//! The Function's output: `CartLinesDiscountsGenerateRunResult` of the Discount Function
//! API, written as JSON by hand (a dozen fixed shapes do not need a serializer in the
//! module). Decimal values are strings, echoed verbatim from the configuration.

use std::borrow::Cow;

use crate::json::write_string;

#[derive(Debug, Default)]
pub struct Output<'a> {
    pub operations: Vec<Operation<'a>>,
}

#[derive(Debug)]
pub enum Operation<'a> {
    /// One candidate with `orderSubtotal` as its target, selection strategy `FIRST`.
    OrderDiscountsAdd(Candidate<'a, ()>),
    /// Candidates with disjoint `cartLine` targets, selection strategy `ALL` (`FIRST`
    /// when there is one candidate, which means the same).
    ProductDiscountsAdd(Vec<Candidate<'a, Vec<Cow<'a, str>>>>),
}

/// A discount candidate; `T` is its targets (nothing to say for the order subtotal,
/// the cart line ids for products).
#[derive(Debug)]
pub struct Candidate<'a, T> {
    pub message: Option<Cow<'a, str>>,
    pub targets: T,
    pub value: Value<'a>,
}

#[derive(Debug)]
pub enum Value<'a> {
    Percentage(Cow<'a, str>),
    /// For product candidates, applied to each unit (`appliesToEachItem: true`).
    FixedAmount(Cow<'a, str>),
}

impl Output<'_> {
    pub fn to_json(&self) -> Vec<u8> {
        // Sized up front: growing the buffer copies it byte by byte in wasm.
        let targets: usize = self
            .operations
            .iter()
            .map(|operation| match operation {
                Operation::OrderDiscountsAdd(_) => 0,
                Operation::ProductDiscountsAdd(candidates) => candidates
                    .iter()
                    .map(|candidate| {
                        candidate
                            .targets
                            .iter()
                            .map(|id| id.len() + 24)
                            .sum::<usize>()
                    })
                    .sum(),
            })
            .sum();
        let mut out = Vec::with_capacity(512 + self.operations.len() * 512 + targets);
        out.extend_from_slice(br#"{"operations":["#);
        for (index, operation) in self.operations.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            match operation {
                Operation::OrderDiscountsAdd(candidate) => {
                    out.extend_from_slice(br#"{"orderDiscountsAdd":{"candidates":[{"#);
                    write_message(&mut out, &candidate.message);
                    out.extend_from_slice(
                        br#""targets":[{"orderSubtotal":{"excludedCartLineIds":[]}}],"value":"#,
                    );
                    write_value(&mut out, &candidate.value, false);
                    out.extend_from_slice(br#"}],"selectionStrategy":"FIRST"}}"#);
                }
                Operation::ProductDiscountsAdd(candidates) => {
                    out.extend_from_slice(br#"{"productDiscountsAdd":{"candidates":["#);
                    for (index, candidate) in candidates.iter().enumerate() {
                        if index > 0 {
                            out.push(b',');
                        }
                        out.push(b'{');
                        write_message(&mut out, &candidate.message);
                        out.extend_from_slice(br#""targets":["#);
                        for (index, line) in candidate.targets.iter().enumerate() {
                            if index > 0 {
                                out.push(b',');
                            }
                            out.extend_from_slice(br#"{"cartLine":{"id":"#);
                            write_id(&mut out, line, matches!(line, Cow::Borrowed(_)));
                            out.extend_from_slice(b"}}");
                        }
                        out.extend_from_slice(br#"],"value":"#);
                        write_value(&mut out, &candidate.value, true);
                        out.push(b'}');
                    }
                    // Candidates never share a line, so ALL applies each to its lines;
                    // with a single candidate FIRST says the same, as Shopify's template does.
                    out.extend_from_slice(if candidates.len() == 1 {
                        br#"],"selectionStrategy":"FIRST"}}"#
                    } else {
                        br#"],"selectionStrategy":"ALL"}}"#
                    });
                }
            }
        }
        out.extend_from_slice(b"]}");
        out
    }
}

/// A cart line id as read from the input. `borrowed` ids are the input's own string
/// bodies, which the reader only borrows when they hold no quote, backslash or control
/// character (`CartLine::id`), so they are written without looking for escapes.
fn write_id(out: &mut Vec<u8>, id: &str, borrowed: bool) {
    if borrowed {
        out.push(b'"');
        out.extend_from_slice(id.as_bytes());
        out.push(b'"');
    } else {
        write_string(out, id);
    }
}

fn write_message(out: &mut Vec<u8>, message: &Option<Cow<'_, str>>) {
    if let Some(message) = message {
        out.extend_from_slice(br#""message":"#);
        write_string(out, message);
        out.push(b',');
    }
}

fn write_value(out: &mut Vec<u8>, value: &Value<'_>, per_item: bool) {
    match value {
        Value::Percentage(percent) => {
            out.extend_from_slice(br#"{"percentage":{"value":"#);
            write_string(out, percent);
            out.extend_from_slice(b"}}");
        }
        Value::FixedAmount(amount) => {
            out.extend_from_slice(br#"{"fixedAmount":{"amount":"#);
            write_string(out, amount);
            if per_item {
                out.extend_from_slice(br#","appliesToEachItem":true"#);
            }
            out.extend_from_slice(b"}}");
        }
    }
}
