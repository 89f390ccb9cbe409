//! Search (`/explore/search?q=`): every name the search index holds, in Japanese and English,
//! compared after NFKC; as a page, or as JSON for the search-as-you-type of explorer.js.

use super::super::page::{render, Page};
use super::super::table::{Cell, Table};
use super::super::view::View;
use super::super::{normalize, Entry, Explorer, Ran};
use crate::lang::Lang;
use crate::markup::path_segment as seg;
use crate::serve::HttpError;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

const MATCHES: [&str; 3] = ["exact", "prefix", "substring"];

/// Most hits shown.
const SHOWN: usize = 50;

/// The header of a partial JSON answer: the kinds of entries not searched yet.
const PENDING: header::HeaderName = header::HeaderName::from_static("medrd-search-pending");

/// A hit as a page and the JSON show it.
struct Hit<'a> {
    entry: &'a Entry,
    rank: usize,
    kind: &'static str,
    href: String,
    label: String,
    context: String,
}

#[derive(Template)]
#[template(path = "search.html", config = "src/serve/explorer/askama.toml")]
struct Search<'a> {
    view: &'a View,
    q: &'a str,
    hits: &'a [Hit<'a>],
    /// The budget lines and recipients are still being read: they are not searched yet.
    pending: bool,
    /// Why the budget lines and recipients could not be read (not searched), if so.
    failed: Option<&'a str>,
}

pub(in crate::serve::explorer) async fn search(
    State(ex): State<Arc<Explorer>>,
    view: View,
) -> Result<Response, HttpError> {
    // A page searches the names at once and says when the lines and recipients are not read
    // yet (or could not be); so does JSON asked with `partial=1` (the search as you type),
    // its header `Medrd-Search-Pending` naming the kinds left out. Every other answer for
    // programs (JSON, a table's CSV) is whole, or an error.
    let format = view.param("format");
    let partial =
        format.is_none() || (format == Some("json") && view.param("partial") == Some("1"));
    if partial {
        ex.ready().await?;
    } else {
        ex.ready_all().await?;
    }
    // Taken once: the entries searched and what the page says of them agree.
    let read = ex.read_so_far();
    let pending = read.money.is_none();
    let failed = match read.money {
        Some(Err(e)) if format.is_none() => Some(e.message.as_str()),
        Some(Err(e)) => return Err(HttpError::new(e.status, e.message.clone())),
        _ => None,
    };
    let q = view.param("q").unwrap_or("").to_owned();
    let found: Vec<Hit> = hits(read.entries(), &q)
        .into_iter()
        .take(SHOWN)
        .map(|(rank, entry)| Hit {
            entry,
            rank,
            kind: kind_label(view.lang, entry.kind),
            href: entry_href(&view, entry),
            label: label(view.lang, entry),
            context: context(&ex, view.lang, entry),
        })
        .collect();
    if format == Some("json") {
        let mut answer = json(&found);
        if pending {
            answer
                .headers_mut()
                .insert(PENDING, header::HeaderValue::from_static("line recipient"));
        }
        return Ok(answer);
    }
    let table = Table {
        id: "results",
        caption: String::new(),
        columns: ["kind", "key", "label", "href"]
            .map(|k| (k, String::new()))
            .to_vec(),
        rows: found
            .iter()
            .map(|h| {
                vec![
                    Cell::text(h.entry.kind),
                    Cell::text(h.entry.key.clone()),
                    Cell::text(h.label.clone()),
                    Cell::text(h.href.clone()),
                ]
            })
            .collect(),
    };
    let body = render(&Search {
        view: &view,
        q: &q,
        hits: &found,
        pending,
        failed,
    })?;
    let ran = ["search-index", "search-money"]
        .iter()
        .filter_map(|name| ex.queries.get(*name))
        .map(|q| Ran {
            name: q.name.clone(),
            sparql: q.text.clone(),
            rows: Arc::new([]),
        })
        .collect();
    Page {
        title: view.t("検索", "Search").to_owned(),
        body,
        ran,
        tables: vec![table],
    }
    .answer(&view)
}

fn json(found: &[Hit]) -> Response {
    let list: Vec<serde_json::Value> = found
        .iter()
        .map(|h| {
            serde_json::json!({
                "kind": h.entry.kind,
                "kind_label": h.kind,
                "key": h.entry.key,
                "label": h.label,
                "label_ja": h.entry.ja,
                "label_en": h.entry.en,
                "href": h.href,
                "context": h.context,
                "match": MATCHES[h.rank],
            })
        })
        .collect();
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::Value::from(list).to_string(),
    )
        .into_response()
}

/// The hits of a search: rank (0 exact, 1 prefix, 2 substring), then kind order, then
/// length.
fn hits<'a>(entries: impl Iterator<Item = &'a Entry>, q: &str) -> Vec<(usize, &'a Entry)> {
    let q = normalize(q);
    if q.is_empty() {
        return Vec::new();
    }
    let kind_order = |k: &str| match k {
        "program" => 0,
        "project" => 1,
        "theme" => 2,
        "org" => 3,
        _ => 4,
    };
    let rank = |n: &String| {
        let len = n.chars().count();
        if *n == q {
            Some((0, len))
        } else if n.starts_with(&q) {
            Some((1, len))
        } else {
            n.contains(&q).then_some((2, len))
        }
    };
    let mut found: Vec<(usize, usize, usize, &Entry)> = entries
        .filter_map(|e| {
            let (rank, len) = e.norm.iter().filter_map(rank).min()?;
            Some((rank, kind_order(e.kind), len, e))
        })
        .collect();
    found.sort_by(|a, b| (a.0, a.1, a.2, &a.3.key).cmp(&(b.0, b.1, b.2, &b.3.key)));
    found.into_iter().map(|(r, _, _, e)| (r, e)).collect()
}

fn entry_href(view: &View, e: &Entry) -> String {
    view.link(&match e.kind {
        "initiative" => format!("/explore/program/{}#{}", seg(&e.program), seg(&e.key)),
        // A line's key is its path under /id/ (rs/2958, review-sheet/2023/mhlw/22-0964).
        "line" => format!("/explore/line/{}", e.key),
        kind => format!("/explore/{kind}/{}", seg(&e.key)),
    })
}

fn kind_label(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "program" => lang.pick("事業", "program"),
        "project" => lang.pick("統合プロジェクト", "project"),
        "theme" => lang.pick("テーマ", "theme"),
        "org" => lang.pick("組織", "organisation"),
        "line" => lang.pick("予算の行", "budget line"),
        "recipient" => lang.pick("支出先", "recipient"),
        _ => lang.pick("取組", "initiative"),
    }
}

/// The entry's name in the language (the other when it has none).
fn label(lang: Lang, e: &Entry) -> String {
    match lang {
        Lang::Ja if !e.ja.is_empty() => e.ja.clone(),
        Lang::En if !e.en.is_empty() => e.en.clone(),
        _ if e.ja.is_empty() => e.en.clone(),
        _ => e.ja.clone(),
    }
}

/// An initiative's program, in brackets; a line's key and newest initial budget; a
/// recipient's 法人番号 and what it was paid in its newest year.
fn context(ex: &Explorer, lang: Lang, e: &Entry) -> String {
    if e.kind == "line" || e.kind == "recipient" {
        let key = match e.key.strip_prefix("rs/") {
            Some(id) => format!("RS {id}"),
            None => e.key.clone(),
        };
        let Some(a) = &e.amount else {
            return key;
        };
        let what = match (e.kind, lang) {
            ("line", Lang::Ja) => "当初予算額",
            ("line", Lang::En) => "initial budget",
            (_, Lang::Ja) => "受取額",
            (_, Lang::En) => "received",
        };
        let source = if a.source.is_empty() {
            String::new()
        } else {
            format!(", {}", a.source)
        };
        return match lang {
            Lang::Ja => format!("{key} · {}年度 {what} {}億円{source}", a.year, a.oku_yen),
            Lang::En => format!("{key} · FY{} {what} {} ¥100M{source}", a.year, a.oku_yen),
        };
    }
    if e.kind != "initiative" {
        return String::new();
    }
    ex.entries()
        .find(|p| p.kind == "program" && p.key == e.program)
        .map(|p| match lang {
            Lang::Ja => format!("（{}）", p.ja),
            Lang::En => format!("({})", p.en),
        })
        .unwrap_or_default()
}
