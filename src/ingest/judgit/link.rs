//! Our programs and integrated projects → review sheets, by rules a reviewer can check
//! (REPORT §2.4, §3 and §4 of the data study), then the curated decisions of
//! `data/link-decisions.toml` (`[[sheet]]`), which win:
//!
//! 1. Each RS typed link (program → RS line, `ingest::link::matcher`) is carried to the 2023
//!    sheet that continues as that line (`rs:continuedAs`) and back through `rs:continues`,
//!    with the same relation — except that an exact, part or whole link to a sheet whose
//!    事業概要 announces a 後継事業 under another name becomes `successor` (先端的バイオ創薬 →
//!    スマートバイオ創薬), and that an `aggregate` link goes back to edition N only where the
//!    program's own exact or part sheets of the aggregate's ministry print a non-zero 当初予算
//!    for FY N (so MHLW programs, which have none, link the 2023 aggregate alone).
//! 2. A program's own exact or part sheet that is one part of a line split in two editions
//!    (`rs:splitFrom`, the MEXT aggregate of 2015–2022) links that line as `aggregate`, and its
//!    earlier sheets, under the same condition on 当初予算.
//! 3. Successors: the sheet of the same edition, ministry and name as an exact or successor
//!    sheet, whose line ended (終了年度 before the edition, nothing continuing it) — the
//!    pre-AMED twin (`2015/経済産業省/0082` beside `新27-0008`); and the last sheet of an ended
//!    line whose 事業概要 is the text of the first sheet of an exact lineage (≥ [`SAME_TEXT`]),
//!    ended before that line began (医工連携事業化推進事業 → 医工連携イノベーション推進事業) — each
//!    with its earlier sheets.
//! 4. Project shares: a per-project sheet (`rs:shareOf` an aggregate) whose name, else whose
//!    事業目的, names integrated project N → `project-N`.

use super::lineage::Lineage;
use super::read::squeeze;
use super::records::Sheet;
use crate::ingest::link::matcher::{Candidate, Decision, Program, Relation};
use crate::ingest::link::normalize::normalize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Two 事業概要 at least this similar (Dice of character bigrams) are one text.
pub const SAME_TEXT: f64 = 0.9;

/// Our side, as the sheet linker reads it.
pub struct Ours<'a> {
    pub programs: &'a [Program],
    /// Integrated projects: number and Japanese name (医薬品プロジェクト …).
    pub projects: &'a [(u32, String)],
    /// The RS links (with the RS curated decisions applied).
    pub rs_links: &'a [Candidate],
}

/// One row of the review: a subject (program slug or `project-N`) and a sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetLink {
    pub subject: String,
    /// Index into the sheets.
    pub sheet: usize,
    pub decision: Decision,
    pub relation: Option<Relation>,
    /// `score` (the rules) or `curated`.
    pub basis: &'static str,
    pub evidence: String,
}

struct Rules<'a> {
    sheets: &'a [Sheet],
    lineage: &'a Lineage,
    links: Vec<SheetLink>,
    seen: HashSet<(String, usize)>,
}

/// The links the rules give (see the module documentation), in subject and sheet order.
pub fn rule_links(sheets: &[Sheet], lineage: &Lineage, ours: &Ours<'_>) -> Vec<SheetLink> {
    let mut r = Rules {
        sheets,
        lineage,
        links: Vec::new(),
        seen: HashSet::new(),
    };
    r.carry_rs_links(ours.rs_links);
    r.split_aggregates();
    r.twins();
    r.same_text_predecessors();
    r.project_shares(ours.projects);
    let mut links = r.links;
    links.sort_by(|a, b| {
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
    links
}

impl Rules<'_> {
    fn push(&mut self, subject: &str, sheet: usize, relation: Relation, evidence: String) -> bool {
        if !self.seen.insert((subject.to_owned(), sheet)) {
            return false;
        }
        self.links.push(SheetLink {
            subject: subject.to_owned(),
            sheet,
            decision: Decision::Linked,
            relation: Some(relation),
            basis: "score",
            evidence,
        });
        true
    }

    fn key(&self, i: usize) -> String {
        self.sheets[i].key()
    }

    /// Rule 1.
    fn carry_rs_links(&mut self, rs_links: &[Candidate]) {
        // Aggregates last: going back, they look at the program's own sheets.
        let mut linked: Vec<&Candidate> = rs_links
            .iter()
            .filter(|c| c.decision == Decision::Linked)
            .collect();
        linked.sort_by_key(|c| c.relation == Some(Relation::Aggregate));
        for c in linked {
            let Some(rel) = c.relation else { continue };
            let bridged: Vec<usize> = self
                .lineage
                .continued_as
                .iter()
                .filter(|(_, f)| f.to == c.rs_id)
                .map(|(i, _)| *i)
                .collect();
            for s in bridged {
                let why = format!(
                    "RS {} {} ({}); the sheet continues as it",
                    c.rs_id,
                    c.rs_name,
                    rel.as_str()
                );
                if rel == Relation::Aggregate {
                    self.aggregate_line(&c.program, s, &why);
                    continue;
                }
                let rel = match announces_successor(&self.sheets[s], &c.rs_name) {
                    true if rel != Relation::Successor => Relation::Successor,
                    _ => rel,
                };
                self.line(&c.program, s, rel, &why);
            }
        }
    }

    /// `sheet` and every earlier sheet of its line, linked with `relation`.
    fn line(&mut self, subject: &str, sheet: usize, relation: Relation, why: &str) {
        let back = self.lineage.back(sheet);
        for (k, &i) in back.iter().enumerate() {
            let how = if k == 0 {
                why.to_owned()
            } else {
                format!(
                    "{why}; an earlier sheet of its line (rs:continues from {})",
                    self.key(back[0])
                )
            };
            self.push(subject, i, relation, how);
        }
    }

    /// An aggregate sheet and the earlier sheets of its line for the fiscal years the
    /// program's own sheets of that ministry print a non-zero 当初予算.
    fn aggregate_line(&mut self, subject: &str, sheet: usize, why: &str) {
        let ministry = self.sheets[sheet].ministry.clone();
        let back = self.lineage.back(sheet);
        for (k, &i) in back.iter().enumerate() {
            let fy = self.sheets[i].edition;
            if k > 0 {
                let Some((own, yen)) = self.own_initial(subject, &ministry, fy) else {
                    break;
                };
                let how = format!("{why}; an earlier sheet of the aggregate's line: the program's own sheet {own} prints FY{fy} 当初予算 {} 百万円", yen / 1_000_000);
                self.push(subject, i, Relation::Aggregate, how);
            } else {
                self.push(subject, i, Relation::Aggregate, why.to_owned());
            }
        }
    }

    /// The largest FY `fy` 当初予算 a sheet of `ministry` linked exact or part to `subject`
    /// prints, with that sheet, when non-zero.
    fn own_initial(&self, subject: &str, ministry: &str, fy: i32) -> Option<(String, i64)> {
        self.links
            .iter()
            .filter(|l| {
                l.subject == subject && matches!(l.relation, Some(Relation::Exact | Relation::Part))
            })
            .filter(|l| self.sheets[l.sheet].ministry == ministry)
            .map(|l| (self.key(l.sheet), self.sheets[l.sheet].initial(fy)))
            .filter(|(_, v)| *v > 0)
            .max_by_key(|(_, v)| *v)
    }

    /// Rule 2.
    fn split_aggregates(&mut self) {
        let own: Vec<(String, usize)> = self
            .links
            .iter()
            .filter(|l| matches!(l.relation, Some(Relation::Exact | Relation::Part)))
            .map(|l| (l.subject.clone(), l.sheet))
            .collect();
        for (subject, s) in own {
            let Some(f) = self.lineage.split_from.get(&s) else {
                continue;
            };
            let (whole, edition) = (f.to, self.sheets[f.to].edition);
            if self
                .own_initial(&subject, &self.sheets[whole].ministry.clone(), edition)
                .is_none()
            {
                continue;
            }
            let why = format!(
                "its own sheet {} is one part of {}: {}",
                self.key(s),
                self.key(whole),
                f.evidence
            );
            self.aggregate_line(&subject, whole, &why);
        }
    }

    /// Rule 3, the twins: an ended sheet of the same edition, ministry and name.
    fn twins(&mut self) {
        let linked: Vec<(String, usize)> = self
            .links
            .iter()
            .filter(|l| matches!(l.relation, Some(Relation::Exact | Relation::Successor)))
            .map(|l| (l.subject.clone(), l.sheet))
            .collect();
        for (subject, s) in linked {
            let me = &self.sheets[s];
            let name = normalize(&me.name);
            let twins: Vec<usize> = (0..self.sheets.len())
                .filter(|&t| t != s)
                .filter(|&t| {
                    let o = &self.sheets[t];
                    o.edition == me.edition
                        && o.ministry == me.ministry
                        && normalize(&o.name) == name
                        && o.end_year.is_some_and(|y| y < o.edition)
                        && !self.lineage.continued_by.contains_key(&t)
                })
                .collect();
            for t in twins {
                let why = format!(
                    "same name as {} in the same edition, a line that ended in FY{} (終了年度): the line the program succeeded",
                    self.key(s),
                    self.sheets[t].end_year.unwrap_or_default()
                );
                self.line(&subject, t, Relation::Successor, &why);
            }
        }
    }

    /// Rule 3, the same text: an ended line whose 事業概要 is the first exact sheet's.
    fn same_text_predecessors(&mut self) {
        let mut first: HashMap<String, usize> = HashMap::new();
        for l in self
            .links
            .iter()
            .filter(|l| l.relation == Some(Relation::Exact))
        {
            let e = first.entry(l.subject.clone()).or_insert(l.sheet);
            if self.sheets[l.sheet].edition < self.sheets[*e].edition {
                *e = l.sheet;
            }
        }
        let mut found = Vec::new();
        for (subject, f) in &first {
            let fs = &self.sheets[*f];
            let Some(start) = fs.start_year else { continue };
            let text = squeeze(&fs.overview);
            for (e, es) in self.sheets.iter().enumerate() {
                let ended = es.end_year.is_some_and(|y| y < start)
                    && !self.lineage.continued_by.contains_key(&e);
                let near = (fs.edition - 1..=fs.edition + 1).contains(&es.edition);
                if ended && near && es.ministry == fs.ministry && e != *f {
                    let sim = dice(&text, &squeeze(&es.overview));
                    if sim >= SAME_TEXT {
                        found.push((subject.clone(), e, format!(
                            "事業概要 of {} is that of {} (similarity {sim:.2}), whose line ended in FY{} before the program's began (FY{start}): a new program succeeding it",
                            es.key(), fs.key(), es.end_year.unwrap_or_default()
                        )));
                    }
                }
            }
        }
        found.sort();
        for (subject, e, why) in found {
            self.line(&subject, e, Relation::Successor, &why);
        }
        self.twins();
    }

    /// Rule 4.
    fn project_shares(&mut self, projects: &[(u32, String)]) {
        let shares: Vec<usize> = self.lineage.share_of.keys().copied().collect();
        for s in shares {
            let sheet = &self.sheets[s];
            let named = |text: &str| -> Vec<u32> {
                let t = squeeze(text);
                projects
                    .iter()
                    .filter(|(_, name)| t.contains(&squeeze(name)))
                    .map(|(n, _)| *n)
                    .collect()
            };
            let (n, field) = match (
                named(&sheet.name).as_slice(),
                named(&sheet.purpose).as_slice(),
            ) {
                ([n], _) => (*n, "name"),
                ([], [n]) => (*n, "事業目的"),
                _ => continue,
            };
            let name = &projects
                .iter()
                .find(|(m, _)| *m == n)
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            let aggregate = self.key(self.lineage.share_of[&s].to);
            let why = format!(
                "a per-project sheet of {aggregate} (rs:shareOf); its {field} names 「{name}」"
            );
            self.push(&format!("project-{n}"), s, Relation::ProjectShare, why);
        }
    }
}

/// The sheet's 事業概要 announces a 後継事業 and the RS line bears another name: the sheet's
/// line ends, the RS line is its successor (REPORT §2.2, 先端的バイオ創薬等基盤技術開発事業).
fn announces_successor(sheet: &Sheet, rs_name: &str) -> bool {
    (sheet.overview.contains("後継事業") || sheet.purpose.contains("後継事業"))
        && normalize(&sheet.name) != normalize(rs_name)
}

/// Dice coefficient of the character bigrams of two texts (multiset), in linear time.
pub fn dice(a: &str, b: &str) -> f64 {
    let grams = |s: &str| -> HashMap<(char, char), usize> {
        let chars: Vec<char> = s.chars().collect();
        let mut m = HashMap::new();
        for w in chars.windows(2) {
            *m.entry((w[0], w[1])).or_insert(0) += 1;
        }
        m
    };
    let (ga, gb) = (grams(a), grams(b));
    let total: usize = ga.values().sum::<usize>() + gb.values().sum::<usize>();
    if total == 0 {
        return if a == b { 1.0 } else { 0.0 };
    }
    let common: usize = ga
        .iter()
        .map(|(g, n)| (*n).min(gb.get(g).copied().unwrap_or(0)))
        .sum();
    2.0 * common as f64 / total as f64
}

/// Why each sheet is an aggregate line (`rs:AggregateLine`), from the lineages and links: the
/// per-project sheets are its shares, its line was split into per-program sheets, a program is
/// funded through it — or its text (AMED, and an annex or the integrated projects).
pub fn aggregates(
    sheets: &[Sheet],
    lineage: &Lineage,
    links: &[SheetLink],
) -> BTreeMap<usize, String> {
    let mut out: BTreeMap<usize, String> = BTreeMap::new();
    let mut shares: BTreeMap<usize, usize> = BTreeMap::new();
    for f in lineage.share_of.values() {
        *shares.entry(f.to).or_default() += 1;
    }
    for (a, n) in shares {
        out.insert(
            a,
            format!("{n} per-project sheets of its edition are shares of it (rs:shareOf)"),
        );
    }
    for f in lineage.split_from.values() {
        out.entry(f.to)
            .or_insert_with(|| format!("split in the next edition: {}", f.evidence));
    }
    for l in links
        .iter()
        .filter(|l| l.decision == Decision::Linked && l.relation == Some(Relation::Aggregate))
    {
        out.entry(l.sheet)
            .or_insert_with(|| format!("programs are funded through it: {}", l.evidence));
    }
    for (i, s) in sheets.iter().enumerate() {
        let text = format!("{}{}", s.purpose, s.overview);
        let amed = text.contains("日本医療研究開発機構") || text.contains("AMED");
        let projects = text.matches("プロジェクト").count();
        if amed && (text.contains("別紙") || projects >= 2) && s.request() > 0 {
            out.entry(i).or_insert_with(|| "the sheet names AMED and refers to an annex (別紙) or lists integrated projects".into());
        }
    }
    out
}
