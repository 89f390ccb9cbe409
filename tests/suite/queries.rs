//! Every named query against its expected answer (tests/expected/NAME.csv: recorded from
//! `medrd query` and checked by hand against the document), plus direct checks of the
//! answers an analyst relies on most, written from the document itself.

use crate::util::{medrd, query, root};

#[test]
fn every_named_query_matches_its_expected_result() {
    let list = medrd(&["queries"]).ok();
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        names.len() >= 15,
        "at least 15 named queries, found {}",
        names.len()
    );
    let mut missing = Vec::new();
    for name in names {
        let expected_path = root().join("tests/expected").join(format!("{name}.csv"));
        let Ok(expected) = std::fs::read_to_string(&expected_path) else {
            missing.push(name.to_owned());
            continue;
        };
        let actual = medrd(&["query", name, "--format", "csv"]).ok();
        assert_eq!(
            actual.replace("\r\n", "\n"),
            expected.replace("\r\n", "\n"),
            "query {name} differs from {}",
            expected_path.display()
        );
    }
    assert!(missing.is_empty(), "no expected result for {missing:?}");
}

fn projects_of(rows: &[Vec<String>], program: &str) -> Vec<String> {
    rows.iter()
        .filter(|r| r[0] == program)
        .map(|r| r[3].clone())
        .collect()
}

#[test]
fn program_projects_has_the_documented_columns_and_memberships() {
    let rows = query("program-projects");
    assert_eq!(
        rows[0],
        ["program", "program_ja", "program_en", "project_no"]
    );
    // 認知症研究開発事業: ◆ in projects 1 (【新規】), 4 and 5.
    assert_eq!(projects_of(&rows, "dementia-rd"), ["1", "4", "5"]);
    // 革新的がん医療実用化研究事業: project 2 figure (2億円), ◆ in 3, 4 and 5.
    assert_eq!(
        projects_of(&rows, "innovative-cancer"),
        ["2", "3", "4", "5"]
    );
    // 医工連携イノベーション推進事業: project 2 only, listed twice there (once 再掲).
    assert_eq!(projects_of(&rows, "med-eng-innovation"), ["2"]);
    // A program known only from project 4's grouped figure line.
    assert_eq!(projects_of(&rows, "womens-health"), ["4"]);
}

#[test]
fn overview_table_totals_in_oku_yen() {
    let rows = query("budget-by-ministry");
    assert_eq!(rows[0], ["category", "kind", "ministry", "oku_yen"]);
    let get = |c: &str, k: &str, m: &str| {
        rows.iter()
            .find(|r| r[0] == c && r[1] == k && r[2] == m)
            .map(|r| r[3].clone())
    };
    assert_eq!(get("amed", "total", "mext").as_deref(), Some("697"));
    assert_eq!(
        get("amed", "fy2023_initial", "mhlw").as_deref(),
        Some("483")
    );
    assert_eq!(get("inhouse", "demand", "mhlw").as_deref(), Some("47"));
    // 内閣府 has only a demand (要望) in the AMED row, nothing in request or FY2023.
    assert_eq!(get("amed", "request", "cao"), None);
    assert_eq!(get("amed", "demand", "cao").as_deref(), Some("10"));
    let amed_total: i64 = rows
        .iter()
        .filter(|r| r[0] == "amed" && r[1] == "total")
        .map(|r| r[3].parse::<i64>().unwrap())
        .sum();
    assert_eq!(
        amed_total, 1489,
        "AMED shares add up to the printed 1,489億円"
    );
}

#[test]
fn project_budgets_and_reconciliation() {
    let rows = query("project-budgets");
    assert_eq!(
        rows[0],
        [
            "project_no",
            "project_ja",
            "total_oku_yen",
            "amed_oku_yen",
            "inhouse_oku_yen"
        ]
    );
    assert_eq!(rows[1], ["1", "医薬品プロジェクト", "431", "380", "51"]);
    assert_eq!(
        rows[4],
        ["4", "ゲノム・データ基盤プロジェクト", "221", "203", "18"]
    );
    let rec = query("budget-reconciliation");
    // AMED: 1,390 in projects + 100 outside = 1,490 against the printed 1,489 (rounding).
    assert_eq!(rec[1], ["amed", "1390", "100", "1490", "1489"]);
    assert_eq!(rec[2], ["inhouse", "69", "769", "838", "838"]);
}

#[test]
fn cross_project_programs_and_markers() {
    let rows = query("cross-project-programs");
    assert_eq!(rows[0], ["program_ja", "project_count", "projects"]);
    assert!(rows.contains(&vec![
        "認知症研究開発事業".into(),
        "3".into(),
        "1 4 5".into()
    ]));
    let markers = query("initiative-markers");
    // Project 4: five 【新規】 and one 【拡充】 ✓ lines.
    assert!(markers.contains(&vec!["4".into(), "new".into(), "5".into()]));
    assert!(markers.contains(&vec!["4".into(), "expanded".into(), "1".into()]));
}

#[test]
fn themes_hold_the_documented_programs() {
    let rows = query("theme-programs");
    let of = |theme: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r[0] == theme)
            .map(|r| r[1].clone())
            .collect()
    };
    let dementia = of("dementia");
    assert!(dementia.contains(&"dementia-rd".to_owned()));
    assert!(dementia.contains(&"brain-science".to_owned()));
    assert!(!dementia.contains(&"med-eng-innovation".to_owned()));
    // mRNA only through the 【新規】 initiative of 医薬品等規制調和・評価研究事業.
    assert_eq!(of("mrna"), ["regulatory-science"]);
}
