//! The one reader of `data/link-decisions.toml`, a reviewer's decisions that win over the
//! linking rules: on RS lines (`[[decision]]`, applied by `ingest::link`), on review sheets
//! (`[[sheet]]`, applied by `ingest::judgit`) and on RS lines that succeed ended ones
//! (`[[succession]]`, `rs:successorOf`). The tables are read and checked together, so a typo
//! in any is an error naming the file and the entry, whichever command reads it.

use crate::error::{Error, Result};
use crate::ingest::link::relation::Relation;
use crate::ingest::rs::normalize_id;
use serde::Deserialize;
use std::path::Path;

/// Where the decisions are, under the project's root.
pub const DECISIONS_FILE: &str = "data/link-decisions.toml";

/// A reviewer's decision on one of our programs and an RS line (`[[decision]]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Curated {
    pub program: String,
    /// The RS 予算事業ID, leading zeros removed when read.
    pub rs_id: String,
    /// `accept` or `reject`.
    pub decision: String,
    /// For `accept`: a [`Relation`] (default exact).
    #[serde(default)]
    pub relation: Option<String>,
    pub reason: String,
}

/// A reviewer's decision on a subject and a review sheet (`[[sheet]]`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SheetDecision {
    /// A program slug, or `project-N`.
    pub subject: String,
    /// `EDITION/府省庁/STEM`.
    pub sheet: String,
    /// `accept` or `reject`.
    pub decision: String,
    /// For `accept`: a [`Relation`] (required).
    #[serde(default)]
    pub relation: Option<String>,
    /// The decision holds for the earlier sheets of the line too (`rs:continues`).
    #[serde(default)]
    pub with_earlier: bool,
    pub reason: String,
}

/// A reviewer's reading that a new RS line succeeds an ended one (`[[succession]]`): a
/// different program, not a rename, whose money continues the ended line's work
/// (`rs:successorOf`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Succession {
    /// The new line's 予算事業ID, leading zeros removed when read.
    pub line: String,
    /// The ended line's 予算事業ID, leading zeros removed when read.
    pub succeeds: String,
    pub reason: String,
}

/// Every decision of the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    /// On RS lines.
    #[serde(default, rename = "decision")]
    pub rs: Vec<Curated>,
    /// On review sheets.
    #[serde(default, rename = "sheet")]
    pub sheets: Vec<SheetDecision>,
    /// Lines succeeding ended lines.
    #[serde(default, rename = "succession")]
    pub successions: Vec<Succession>,
}

/// Reads and checks the decisions; a missing file is no decisions. Each needs a subject and a
/// reason, `accept` or `reject`, and a known relation (required for a sheet's accept); a sheet
/// is named `EDITION/府省庁/STEM`; a succession names two different lines and a reason.
pub fn read(path: &Path) -> Result<Decisions> {
    let Some(mut file) = crate::ingest::document::records::read_optional_toml::<Decisions>(path)?
    else {
        return Ok(Decisions::default());
    };
    let bad = |what: String, m: &str| Error::Import {
        path: path.to_owned(),
        message: format!("{what}: {m}"),
    };
    for d in &mut file.rs {
        let what = format!("decision for {} / {}", d.program, d.rs_id);
        check(
            &d.decision,
            d.relation.as_deref(),
            false,
            &d.program,
            &d.reason,
        )
        .map_err(|m| bad(what, &m))?;
        d.rs_id = normalize_id(&d.rs_id);
    }
    for (i, d) in file.sheets.iter().enumerate() {
        let what = format!("[[sheet]] {} ({} / {})", i + 1, d.subject, d.sheet);
        check(
            &d.decision,
            d.relation.as_deref(),
            true,
            &d.subject,
            &d.reason,
        )
        .and_then(|()| match d.sheet.split('/').count() {
            3 => Ok(()),
            _ => Err("sheet is EDITION/府省庁/STEM".to_owned()),
        })
        .map_err(|m| bad(what, &m))?;
    }
    for d in &mut file.successions {
        let what = format!("[[succession]] {} after {}", d.line, d.succeeds);
        (d.line, d.succeeds) = (normalize_id(&d.line), normalize_id(&d.succeeds));
        if d.line.is_empty() || d.line == d.succeeds || d.reason.trim().is_empty() {
            return Err(bad(what, "give two different lines and a reason"));
        }
    }
    Ok(file)
}

/// What is wrong with a decision's common fields, if anything.
fn check(
    decision: &str,
    relation: Option<&str>,
    relation_required: bool,
    subject: &str,
    reason: &str,
) -> std::result::Result<(), String> {
    if decision != "accept" && decision != "reject" {
        return Err(format!(
            "decision is {decision:?}; use \"accept\" or \"reject\""
        ));
    }
    let known = "exact, part, whole, aggregate, project-share or successor";
    match relation {
        Some(r) if Relation::parse(r).is_none() => {
            return Err(format!("relation is {r:?}; use {known}"))
        }
        None if relation_required && decision == "accept" => {
            return Err(format!("an accept needs relation = {known}"))
        }
        _ => {}
    }
    if reason.trim().is_empty() || subject.trim().is_empty() {
        return Err("give a subject and a reason".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Decisions> {
        let dir = std::env::temp_dir().join(format!("medrd-decisions-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "{:x}.toml",
            text.len() * 31 + text.as_bytes()[0] as usize
        ));
        std::fs::write(&path, text).unwrap();
        let read = read(&path);
        std::fs::remove_file(&path).unwrap();
        read
    }

    #[test]
    fn the_project_decisions_read_and_each_table_is_checked() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let decisions = read(&root.join(DECISIONS_FILE)).unwrap();
        assert!(decisions.sheets.iter().all(|d| !d.reason.is_empty()));
        assert!(!decisions.sheets.is_empty());
        assert!(decisions
            .successions
            .iter()
            .any(|d| (d.line.as_str(), d.succeeds.as_str()) == ("19775", "3540")));
        let e = read_text("[[decision]]\nprogram = \"x\"\nrs_id = \"0042\"\ndecision = \"accept\"\nrelation = \"sibling\"\nreason = \"r\"\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("decision for x / 0042: relation is \"sibling\""),
            "{e}"
        );
        let e = read_text("[[sheet]]\nsubject = \"x\"\nsheet = \"2020/府省\"\ndecision = \"reject\"\nreason = \"r\"\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("[[sheet]] 1 (x / 2020/府省): sheet is EDITION"),
            "{e}"
        );
        let e = read_text("[[sheet]]\nsubject = \"x\"\nsheet = \"2020/a/b\"\ndecision = \"accept\"\nreason = \"r\"\n").unwrap_err();
        assert!(e.to_string().contains("an accept needs relation"), "{e}");
        let e = read_text("[[decisions]]\nprogram = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("decisions"), "{e}");
        let e =
            read_text("[[succession]]\nline = \"19775\"\nsucceeds = \"19775\"\nreason = \"r\"\n")
                .unwrap_err();
        assert!(e.to_string().contains("two different lines"), "{e}");
        let ok = read_text("[[decision]]\nprogram = \"x\"\nrs_id = \"0042\"\ndecision = \"reject\"\nreason = \"r\"\n").unwrap();
        assert_eq!(ok.rs[0].rs_id, "42");
    }
}
