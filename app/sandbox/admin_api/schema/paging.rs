//! Cursor pagination shared by the customer, order and nested line connections: Shopify's
//! `first`/`after`/`last`/`before`/`reverse` rules, and the unpaged walk a bulk query makes.

use async_graphql::{Context, Result};

use super::PageInfo;
use super::query::{cursor, cursor_id};
use crate::sandbox::bulk::BulkScan;

/// The paging arguments of one connection field.
pub struct Window {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub reverse: bool,
}

/// One page: `(cursor, item)` pairs and the page info.
pub type Page<T> = (Vec<(String, T)>, PageInfo);

/// Pages `all` (already in the connection's order, keyed by numeric id). `root` says this is a
/// query-root connection, which a bulk query walks page by page; nested ones it reads whole.
pub fn page<T>(ctx: &Context<'_>, all: Vec<(u64, T)>, w: Window, root: bool) -> Result<Page<T>> {
    let mut all = all;
    if w.reverse {
        all.reverse();
    }
    if let Some(scan) = ctx.data_opt::<BulkScan>() {
        if root {
            return Ok(scan_page(scan, all));
        }
        if w.first.is_none() && w.last.is_none() {
            return Ok(slice(all, 0, usize::MAX, false));
        }
    }
    let size = match (w.first, w.last) {
        (Some(n), None) | (None, Some(n)) if (0..=250).contains(&n) => n as usize,
        (Some(_), Some(_)) => return Err("providing both first and last is not supported".into()),
        (None, None) => return Err("you must provide one of first or last".into()),
        _ => return Err("The maximum page size is 250".into()),
    };
    let position = |c: &Option<String>| {
        c.as_deref()
            .and_then(cursor_id)
            .and_then(|id| all.iter().position(|(x, _)| *x == id))
    };
    let start = position(&w.after).map_or(0, |p| p + 1);
    let end = position(&w.before).unwrap_or(all.len()).max(start);
    let total = all.len();
    let mut window: Vec<(u64, T)> = all.into_iter().take(end).skip(start).collect();
    if w.last.is_some() {
        let from = window.len().saturating_sub(size);
        let window: Vec<(u64, T)> = window.drain(from..).collect();
        let (items, mut info) = slice(window, 0, size, end < total);
        info.has_previous_page = start + from > 0;
        Ok((items, info))
    } else {
        let more = window.len() > size || end < total;
        let (items, mut info) = slice(window, 0, size, more);
        info.has_previous_page = start > 0;
        Ok((items, info))
    }
}

fn slice<T>(all: Vec<(u64, T)>, skip: usize, take: usize, more: bool) -> Page<T> {
    let items: Vec<(String, T)> = all
        .into_iter()
        .skip(skip)
        .take(take)
        .map(|(id, x)| (cursor(id), x))
        .collect();
    let info = PageInfo {
        start_cursor: items.first().map(|(c, _)| c.clone()),
        end_cursor: items.last().map(|(c, _)| c.clone()),
        has_next_page: more,
        has_previous_page: false,
    };
    (items, info)
}

/// The next page of a bulk query's root connection; records where the following page starts.
fn scan_page<T>(scan: &BulkScan, all: Vec<(u64, T)>) -> Page<T> {
    let start = scan
        .after
        .and_then(|id| all.iter().position(|(x, _)| *x == id))
        .map_or(0, |p| p + 1);
    let more = start + scan.page_size < all.len();
    let page: Vec<(u64, T)> = all.into_iter().skip(start).take(scan.page_size).collect();
    scan.set_next(if more {
        page.last().map(|(id, _)| *id)
    } else {
        None
    });
    slice(page, 0, usize::MAX, more)
}
