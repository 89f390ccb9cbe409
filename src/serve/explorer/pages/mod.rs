//! The explorer's pages, one file each; the table of programs that the project,
//! organisation and theme pages share is here.

pub(super) mod flow;
pub(super) mod home;
pub(super) mod line;
pub(super) mod money;
pub(super) mod org;
pub(super) mod program;
pub(super) mod programs;
pub(super) mod project;
pub(super) mod recipient;
pub(super) mod search;
pub(super) mod theme;

use super::table::{Cell, Show, Table};
use super::view::View;
use super::Row;
use crate::markup::path_segment as seg;
use money::{newest_cells, newest_columns, Newest};
use std::collections::BTreeMap;

/// A table of programs: name and slug, and the ministries, projects, how they were related
/// and the line, where the rows give them, and each program's newest figure.
fn programs_table(
    view: &View,
    rows: &[Row],
    id: &'static str,
    figures: &BTreeMap<String, Newest>,
) -> Table {
    let t = |ja, en| view.t(ja, en);
    let mut columns = vec![
        ("program", t("事業", "Program").to_owned()),
        ("slug", "ID".to_owned()),
    ];
    let optional = [
        ("ministries", t("府省庁", "Ministries")),
        ("projects", t("プロジェクト", "Projects")),
        ("how", t("関連づけ", "How")),
        ("line", t("行", "Line")),
    ];
    for (k, h) in optional {
        if rows.iter().any(|r| r.contains_key(k)) {
            columns.push((k, h.to_owned()));
        }
    }
    let own = columns.len();
    columns.extend(newest_columns(view));
    let rows = rows
        .iter()
        .filter(|r| r.contains_key("program"))
        .map(|r| {
            let slug = r.get("program").cloned().unwrap_or_default();
            let newest = newest_cells(view, figures.get(&slug));
            let mut cells = vec![
                Cell::link(
                    view.pick(r, "label_ja", "label_en"),
                    &view.link(&format!("/explore/program/{}", seg(&slug))),
                ),
                Cell::text(slug),
            ];
            for (k, _) in &columns[2..own] {
                let v = r.get(*k).cloned().unwrap_or_default();
                cells.push(match *k {
                    "how" if v == "curated" => {
                        Cell::text(v).showing(Show::Label(t("確認済み", "curated").into()))
                    }
                    "how" => Cell::text(v).showing(Show::Label(
                        t("キーワードから導出", "derived from keywords").into(),
                    )),
                    "line" => Cell::num(v),
                    _ => Cell::text(v),
                });
            }
            cells.extend(newest);
            cells
        })
        .collect();
    Table {
        id,
        caption: String::new(),
        columns,
        rows,
    }
}
