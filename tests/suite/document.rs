//! Reads the source text on its own, independently of data/, and checks that the knowledge
//! base holds what the document prints: every ◆ program in its project, every ✓ line, every
//! ministry in brackets.

use crate::util::{query, root};
use std::collections::BTreeSet;

/// The ◆ lines of the key-points pages: (project number, name, ministries as printed).
fn diamond_programs() -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(
        root().join("data/fy2024-request/fy2024-medical-rd-budget-request.ja.txt"),
    )
    .unwrap();
    let mut project = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_suffix(" 令和6年度概算要求のポイント") {
            project = rest.split('.').next().unwrap().to_owned();
        }
        let clean = line.replace("**", "");
        if let Some(i) = clean.find('◆') {
            let body = clean[i + '◆'.len_utf8()..]
                .trim()
                .trim_start_matches("【新規】")
                .trim();
            let open = body.rfind('(').unwrap();
            let name = body[..open].to_owned();
            let ministries = body[open + 1..body.len() - 1]
                .split('、')
                .map(str::to_owned)
                .collect();
            out.push((project.clone(), name, ministries));
        }
    }
    out
}

#[test]
fn every_diamond_program_is_in_its_project() {
    let programs = diamond_programs();
    assert_eq!(programs.len(), 44, "the document has 44 ◆ lines");
    let rows = query("program-projects");
    let have: BTreeSet<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[3].clone(), r[1].clone()))
        .collect();
    for (project, name, _) in &programs {
        // 臨床研究開発推進事業(医療技術実用化総合促進事業) is recorded under its first name.
        let name = name.split("(医療技術").next().unwrap().to_owned();
        assert!(
            have.contains(&(project.clone(), name.clone())),
            "{name} not in project {project}"
        );
    }
}

#[test]
fn every_printed_ministry_is_recorded() {
    let short = [
        ("内", "cao"),
        ("こ", "cfa"),
        ("総", "mic"),
        ("文", "mext"),
        ("厚", "mhlw"),
        ("経", "meti"),
    ];
    let rows = query("program-ministries");
    let have: BTreeSet<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[1].clone(), r[2].clone()))
        .collect();
    for (_, name, ministries) in diamond_programs() {
        let name = name.split("(医療技術").next().unwrap().to_owned();
        for m in ministries {
            let code = short
                .iter()
                .find(|(s, _)| *s == m)
                .map(|(_, c)| *c)
                .unwrap();
            assert!(
                have.contains(&(name.clone(), code.to_owned())),
                "{name} ({m}) missing"
            );
        }
    }
}

#[test]
fn every_check_line_is_an_initiative() {
    let text = std::fs::read_to_string(
        root().join("data/fy2024-request/fy2024-medical-rd-budget-request.ja.txt"),
    )
    .unwrap();
    let ticks = text.lines().filter(|l| l.contains('✓')).count();
    let news = text
        .lines()
        .filter(|l| l.contains('✓') && l.contains("【新規】"))
        .count();
    let expanded = text
        .lines()
        .filter(|l| l.contains('✓') && l.contains("【拡充】"))
        .count();
    let markers = query("initiative-markers");
    let count = |m: &str| -> usize {
        markers[1..]
            .iter()
            .filter(|r| r[1] == m)
            .map(|r| r[2].parse::<usize>().unwrap())
            .sum()
    };
    assert_eq!(count("new"), news);
    assert_eq!(count("expanded"), expanded);
    let stats = crate::util::medrd(&["stats"]).ok();
    let line = stats
        .lines()
        .find(|l| l.starts_with("medrd:Initiative "))
        .unwrap();
    assert_eq!(
        line.split_whitespace()
            .last()
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        ticks
    );
}
