//! The setup checklist the merchant sees, derived from the shop's recorded state.

use crate::shopify::scopes;
use crate::tenants::ShopRecord;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    pub title: &'static str,
    pub state: StepState,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    Pending,
    Failed,
}

impl StepState {
    pub fn label(self) -> &'static str {
        match self {
            StepState::Done => "Done",
            StepState::Pending => "Pending",
            StepState::Failed => "Needs attention",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            StepState::Done => "success",
            StepState::Pending => "attention",
            StepState::Failed => "critical",
        }
    }
}

pub fn steps(
    shop: &ShopRecord,
    workspace_slug: &str,
    has_keys: bool,
    missing_scopes: &[&str],
) -> Vec<Step> {
    let done = |b: bool| {
        if b {
            StepState::Done
        } else {
            StepState::Pending
        }
    };
    let webhooks = &shop.webhooks;
    let webhook_state = if webhooks.expected > 0 && webhooks.present >= webhooks.expected {
        StepState::Done
    } else if webhooks.error.is_some() {
        StepState::Failed
    } else {
        StepState::Pending
    };
    vec![
        Step {
            title: "Store connected",
            state: done(shop.is_installed()),
            detail: format!("{} granted SegOps offline access", shop.domain),
        },
        Step {
            title: "Workspace provisioned",
            state: StepState::Done,
            detail: format!("Workspace {workspace_slug}"),
        },
        Step {
            title: "Keys issued",
            state: done(has_keys),
            detail: "A public storefront key and a server key".into(),
        },
        Step {
            title: "Permissions granted",
            state: if missing_scopes.is_empty() {
                StepState::Done
            } else {
                StepState::Failed
            },
            detail: if missing_scopes.is_empty() {
                "Every permission SegOps uses is granted".into()
            } else {
                missing_scopes
                    .iter()
                    .map(|s| format!("{s} ({})", scopes::reason(s)))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        },
        Step {
            title: "Webhooks subscribed",
            state: webhook_state,
            detail: match &webhooks.error {
                Some(error) if webhook_state != StepState::Done => {
                    format!(
                        "{} of {} topics: {error}",
                        webhooks.present, webhooks.expected
                    )
                }
                _ if webhooks.synced_at.is_none() => format!(
                    "Subscribing to {} topics in the background",
                    crate::shopify::topics::SUBSCRIBED.len()
                ),
                _ => format!("{} of {} topics", webhooks.present, webhooks.expected),
            },
        },
    ]
}
