//! The reviewer's side of the sheet links: the curated decisions of `data/link-decisions.toml`
//! (`[[sheet]]`, each with its reason), which win over the rules; the truth table of
//! `tests/fixtures/judgit-real/truth.csv` and the precision and recall of the links against it;
//! and the review report (CSV).

use super::lineage::Lineage;
use super::link::SheetLink;
use super::read::err;
use super::records::Sheet;
use crate::error::{Error, Result};
use crate::ingest::link::matcher::{Decision, Relation};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

pub use crate::ingest::decisions::SheetDecision;

/// The rule links with the decisions applied: an accept links (replacing the rule's row), a
/// reject drops the pair (kept as `unmatched`, basis `curated`); with `with_earlier`, the
/// earlier sheets of the line likewise. A decision naming a sheet that was not read is left
/// aside (the sheets read may be a part of the editions).
pub fn apply(
    rules: &[SheetLink],
    decisions: &[SheetDecision],
    sheets: &[Sheet],
    lineage: &Lineage,
) -> Vec<SheetLink> {
    let index: HashMap<String, usize> = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key(), i))
        .collect();
    let mut rows: BTreeMap<(String, usize), SheetLink> = rules
        .iter()
        .map(|l| ((l.subject.clone(), l.sheet), l.clone()))
        .collect();
    for d in decisions {
        let Some(&first) = index.get(&d.sheet) else {
            continue;
        };
        let targets = if d.with_earlier {
            lineage.back(first)
        } else {
            vec![first]
        };
        for (k, s) in targets.into_iter().enumerate() {
            let reason = if k == 0 {
                d.reason.clone()
            } else {
                format!("{} (an earlier sheet of the line of {})", d.reason, d.sheet)
            };
            let accept = d.decision == "accept";
            rows.insert(
                (d.subject.clone(), s),
                SheetLink {
                    subject: d.subject.clone(),
                    sheet: s,
                    decision: if accept {
                        Decision::Linked
                    } else {
                        Decision::Unmatched
                    },
                    relation: if accept {
                        d.relation.as_deref().and_then(Relation::parse)
                    } else {
                        None
                    },
                    basis: "curated",
                    evidence: reason,
                },
            );
        }
    }
    let mut out: Vec<SheetLink> = rows.into_values().collect();
    out.sort_by(|a, b| {
        (
            a.subject.as_str(),
            sheets[a.sheet].edition,
            &sheets[a.sheet].stem,
        )
            .cmp(&(
                b.subject.as_str(),
                sheets[b.sheet].edition,
                &sheets[b.sheet].stem,
            ))
    });
    out
}

/// Known true links: (subject, `EDITION/府省庁/STEM`) → relation, from a CSV with the columns
/// `subject,sheet,relation,decision[,evidence]`; rows whose decision is not `linked` (the
/// look-alikes read and rejected) are not links.
pub fn read_truth(path: &Path) -> Result<BTreeMap<(String, String), String>> {
    let bad = |e: csv::Error| err(path, e.to_string());
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(path)
        .map_err(bad)?;
    let header = reader.headers().map_err(bad)?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| err(path, format!("no column {name:?}")))
    };
    let (subject, sheet, relation, decision) = (
        col("subject")?,
        col("sheet")?,
        col("relation")?,
        col("decision")?,
    );
    let mut truth = BTreeMap::new();
    for r in reader.records() {
        let r = r.map_err(bad)?;
        let get = |i: usize| r.get(i).unwrap_or("").trim().to_owned();
        if get(decision) == "linked" {
            truth.insert((get(subject), get(sheet)), get(relation));
        }
    }
    Ok(truth)
}

/// Precision and recall of the linked rows against a truth table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quality {
    pub true_positives: usize,
    pub predicted: usize,
    pub expected: usize,
    pub precision: f64,
    pub recall: f64,
    /// Of the true positives, how many carry the truth's relation.
    pub same_relation: usize,
}

/// Measures `links` against `truth` (precision = true links / links, recall = true links /
/// true pairs).
pub fn quality(
    links: &[SheetLink],
    sheets: &[Sheet],
    truth: &BTreeMap<(String, String), String>,
) -> Quality {
    let predicted: BTreeMap<(String, String), &str> = links
        .iter()
        .filter(|l| l.decision == Decision::Linked)
        .map(|l| {
            (
                (l.subject.clone(), sheets[l.sheet].key()),
                l.relation.map_or("", Relation::as_str),
            )
        })
        .collect();
    let tp: Vec<&(String, String)> = predicted
        .keys()
        .filter(|k| truth.contains_key(*k))
        .collect();
    let same = tp.iter().filter(|k| truth[**k] == predicted[**k]).count();
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Quality {
        true_positives: tp.len(),
        predicted: predicted.len(),
        expected: truth.len(),
        precision: ratio(tp.len(), predicted.len()),
        recall: ratio(tp.len(), truth.len()),
        same_relation: same,
    }
}

/// The report columns.
pub const REPORT_COLUMNS: [&str; 7] = [
    "subject",
    "sheet",
    "sheet_name",
    "decision",
    "relation",
    "basis",
    "evidence",
];

/// Writes the review report: one row per linked or rejected pair, then one `unmatched` row per
/// program with no sheet.
pub fn write_report(
    links: &[SheetLink],
    unmatched: &[String],
    sheets: &[Sheet],
    out: impl Write,
) -> Result<()> {
    let io = |e: csv::Error| Error::Write(std::io::Error::other(e.to_string()));
    let mut w = csv::Writer::from_writer(out);
    w.write_record(REPORT_COLUMNS).map_err(io)?;
    for l in links {
        let s = &sheets[l.sheet];
        w.write_record([
            l.subject.as_str(),
            &s.key(),
            &s.name,
            l.decision.as_str(),
            l.relation.map_or("", Relation::as_str),
            l.basis,
            &l.evidence,
        ])
        .map_err(io)?;
    }
    for subject in unmatched {
        w.write_record([
            subject.as_str(),
            "",
            "",
            "unmatched",
            "",
            "score",
            "no sheet by the rules or a decision",
        ])
        .map_err(io)?;
    }
    w.flush().map_err(Error::Write)
}
