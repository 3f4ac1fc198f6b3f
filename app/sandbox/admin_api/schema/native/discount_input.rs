//! Checking a `DiscountAutomaticAppInput` as Shopify does (title, Function identifier, dates,
//! configuration metafields) and applying it to a stored discount.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::super::DateTime;
use super::discount_types::*;
use super::discounts::{FUNCTION_HANDLE, function_id};
use super::metafield_values::{check_key, check_namespace, check_value};
use super::{ApiContext, resolve_namespace};
use crate::sandbox::store::native::{CombinesWith, DiscountRecord, MetafieldRecord};

pub(super) fn err(
    field: &[&str],
    code: DiscountErrorCode,
    message: impl Into<String>,
) -> DiscountUserError {
    let mut path = vec!["automaticAppDiscount".to_string()];
    path.extend(field.iter().map(|s| s.to_string()));
    DiscountUserError {
        code: Some(code),
        extra_info: None,
        field: Some(path),
        message: message.into(),
    }
}

pub(super) fn time_of(t: &DateTime, field: &str) -> Result<OffsetDateTime, DiscountUserError> {
    OffsetDateTime::parse(&t.0, &Rfc3339).map_err(|_| {
        err(
            &[field],
            DiscountErrorCode::Invalid,
            format!("{field} is not a valid date and time"),
        )
    })
}

/// Checked configuration metafields: (namespace, key, type, value).
pub(super) type Checked = Vec<(String, String, String, String)>;

pub(super) fn check_metafields(
    api: &ApiContext,
    inputs: &[MetafieldInput],
) -> Result<Checked, DiscountUserError> {
    let mut out = Vec::new();
    for (i, m) in inputs.iter().enumerate() {
        let index = i.to_string();
        let at = |f: &'static str| vec!["metafields", "", f];
        let fail = |f: &'static str, code, message: String| {
            let mut path = at(f);
            path[1] = index.as_str();
            err(&path, code, message)
        };
        let _ = &m.id;
        let namespace = resolve_namespace(api, m.namespace.as_deref().unwrap_or("$app"));
        let key = m.key.clone().unwrap_or_default();
        if let Some((field, _, message)) = check_namespace(&namespace).or_else(|| check_key(&key)) {
            return Err(fail(field, DiscountErrorCode::Invalid, message));
        }
        let Some(type_name) = m.type_name.clone() else {
            return Err(fail(
                "type",
                DiscountErrorCode::Blank,
                "Type can't be blank".into(),
            ));
        };
        let value = check_value(&type_name, m.value.as_deref().unwrap_or_default())
            .map_err(|(field, _, message)| fail(field, DiscountErrorCode::Invalid, message))?;
        out.push((namespace, key, type_name, value));
    }
    Ok(out)
}

pub(super) fn store_metafields(
    api: &ApiContext,
    owner: &str,
    checked: Checked,
    into: &mut BTreeMap<(String, String, String), MetafieldRecord>,
) {
    let now = OffsetDateTime::now_utc();
    for (namespace, key, type_name, value) in checked {
        let id = api.state.next_id();
        let record = into
            .entry((owner.to_string(), namespace.clone(), key.clone()))
            .or_insert_with(|| MetafieldRecord {
                id,
                owner_id: owner.to_string(),
                owner_type: "DISCOUNT".into(),
                namespace,
                key,
                type_name: type_name.clone(),
                value: value.clone(),
                created_at: now,
                updated_at: now,
            });
        record.type_name = type_name;
        record.value = value;
        record.updated_at = now;
    }
}

/// The parts of an input both create and update apply, checked.
pub(super) struct Changes {
    pub(super) function_id: Option<String>,
    pub(super) starts_at: Option<OffsetDateTime>,
    pub(super) ends_at: Option<OffsetDateTime>,
    pub(super) metafields: Checked,
}

pub(super) fn check_input(
    api: &ApiContext,
    input: &DiscountAutomaticAppInput,
    creating: bool,
) -> Result<Changes, DiscountUserError> {
    if let Some(title) = &input.title {
        if title.trim().is_empty() {
            return Err(err(
                &["title"],
                DiscountErrorCode::Blank,
                "Title can't be blank",
            ));
        }
        if title.chars().count() > 255 {
            return Err(err(
                &["title"],
                DiscountErrorCode::TooLong,
                "Title is too long (maximum is 255 characters)",
            ));
        }
    } else if creating {
        return Err(err(
            &["title"],
            DiscountErrorCode::Blank,
            "Title can't be blank",
        ));
    }
    let function_id = match (&input.function_id, &input.function_handle) {
        (Some(_), Some(_)) => {
            return Err(err(
                &["functionHandle"],
                DiscountErrorCode::MultipleFunctionIdentifiers,
                "Only one of functionId or functionHandle is allowed.",
            ));
        }
        (None, None) if creating => {
            return Err(err(
                &["functionHandle"],
                DiscountErrorCode::MissingFunctionIdentifier,
                "Either functionId or functionHandle must be provided.",
            ));
        }
        (None, None) => None,
        (Some(id), None) if *id == function_id(api) => Some(id.clone()),
        (Some(id), None) => {
            return Err(err(
                &["functionId"],
                DiscountErrorCode::Invalid,
                format!(
                    "Function {id} not found. Ensure that it is released in the current app ({}), and that the app is installed.",
                    api.state.config.api_key
                ),
            ));
        }
        (None, Some(h)) if h == FUNCTION_HANDLE => Some(function_id(api)),
        (None, Some(h)) => {
            return Err(err(
                &["functionHandle"],
                DiscountErrorCode::Invalid,
                format!(
                    "Function {h} not found. Ensure that it is released in the current app ({}), and that the app is installed.",
                    api.state.config.api_key
                ),
            ));
        }
    };
    let starts_at = input
        .starts_at
        .as_ref()
        .map(|t| time_of(t, "startsAt"))
        .transpose()?;
    let ends_at = input
        .ends_at
        .as_ref()
        .map(|t| time_of(t, "endsAt"))
        .transpose()?;
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e <= s
    {
        return Err(err(
            &["endsAt"],
            DiscountErrorCode::EndDateBeforeStartDate,
            "Ends at needs to be after starts_at",
        ));
    }
    Ok(Changes {
        function_id,
        starts_at,
        ends_at,
        metafields: check_metafields(api, &input.metafields)?,
    })
}

pub(super) fn apply(d: &mut DiscountRecord, input: &DiscountAutomaticAppInput, changes: &Changes) {
    if let Some(t) = &input.title {
        d.title = t.trim().to_string();
    }
    if let Some(f) = &changes.function_id {
        d.function_id = f.clone();
    }
    if let Some(s) = changes.starts_at {
        d.starts_at = s;
    }
    if changes.ends_at.is_some() {
        d.ends_at = changes.ends_at;
    }
    if let Some(c) = &input.combines_with {
        d.combines_with = CombinesWith {
            order_discounts: c.order_discounts,
            product_discounts: c.product_discounts,
            shipping_discounts: c.shipping_discounts,
        };
    }
    if let Some(classes) = &input.discount_classes {
        d.discount_classes = classes.iter().map(|c| c.wire().to_string()).collect();
    }
    d.updated_at = OffsetDateTime::now_utc();
}
