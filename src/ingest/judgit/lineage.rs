//! Lineages across editions (REPORT §2–3 of the data study): which sheet of edition N+1 is the
//! same line as which sheet of N (`rs:continues`), which new sheets are the parts a line was
//! split into (`rs:splitFrom`), which per-project sheets are shares of an aggregate of their
//! own edition (`rs:shareOf`), and which 2023 sheet continues as which RS budget program
//! (`rs:continuedAs`, the RS bridge). JUDGIT's 事業ID and 関連する過去のレビューシート are not
//! used: the study found them re-keyed and contradicting the money (REPORT §2.3).

use super::read::squeeze;
use super::records::Sheet;
use crate::ingest::link::normalize::{normalize, normalized_score};
use crate::ingest::rs::{RsData, RsProject};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Two figures are the same when they differ by at most this many yen (1 百万円: the sheets
/// print whole 百万円, later editions restate by rounding).
pub const TOLERANCE: i64 = 1_000_000;
/// A name this similar to another (normalised, Dice of bigrams) can decide between candidates.
pub const NAME_SCORE: f64 = 0.6;

/// A relation found, with what shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Found<T> {
    pub to: T,
    pub evidence: String,
}

/// The lineages of a set of sheets (indices into the slice given to [`Lineage::of`]).
#[derive(Debug, Default)]
pub struct Lineage {
    /// Sheet of N+1 → the sheet of N it continues.
    pub continues: BTreeMap<usize, Found<usize>>,
    /// Sheet of N → the sheets of N+1 continuing it.
    pub continued_by: HashMap<usize, Vec<usize>>,
    /// A new sheet of N+1 → the line of N it is one part of.
    pub split_from: BTreeMap<usize, Found<usize>>,
    /// A per-project sheet → the aggregate sheet of its edition.
    pub share_of: BTreeMap<usize, Found<usize>>,
    /// A sheet of the last edition → the RS 予算事業ID it continues as.
    pub continued_as: BTreeMap<usize, Found<String>>,
}

impl Lineage {
    /// Finds every relation among `sheets`, and the RS bridge into `rs`.
    pub fn of(sheets: &[Sheet], rs: &RsData) -> Self {
        let names: Vec<String> = sheets.iter().map(|s| normalize(&s.name)).collect();
        let mut by_edition: BTreeMap<(i32, &str), Vec<usize>> = BTreeMap::new();
        for (i, s) in sheets.iter().enumerate() {
            by_edition
                .entry((s.edition, &s.ministry))
                .or_default()
                .push(i);
        }
        let ctx = Ctx {
            sheets,
            names: &names,
            by_edition: &by_edition,
        };
        let mut l = Lineage::default();
        ctx.continuations(&mut l);
        for (t, f) in &l.continues {
            l.continued_by.entry(f.to).or_default().push(*t);
        }
        ctx.splits(&mut l);
        ctx.shares(&mut l);
        ctx.bridge(&mut l, rs);
        l
    }

    /// The sheet `i` and every earlier sheet of its line, latest first.
    pub fn back(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        while let Some(f) = self.continues.get(&out.last().copied().unwrap_or(i)) {
            if out.contains(&f.to) {
                break;
            }
            out.push(f.to);
        }
        out
    }
}

struct Ctx<'a> {
    sheets: &'a [Sheet],
    names: &'a [String],
    by_edition: &'a BTreeMap<(i32, &'a str), Vec<usize>>,
}

/// The three 当初予算 two consecutive editions both print (FY N−2 … N for editions N, N+1).
fn shared(s: &Sheet, n: i32) -> [i64; 3] {
    [s.initial(n - 2), s.initial(n - 1), s.initial(n)]
}

/// Yen as whole 百万円 with separators, for evidence.
fn million(yen: i64) -> String {
    crate::text::thousands((yen as f64 / 1e6).round() as i64)
}

impl<'a> Ctx<'a> {
    fn edition(&self, edition: i32, ministry: &'a str) -> &'a [usize] {
        self.by_edition
            .get(&(edition, ministry))
            .map_or(&[], Vec::as_slice)
    }

    /// rs:continues for every sheet of every edition but the first (see [`Self::continuation`]);
    /// where two sheets claim one predecessor by the money, the one of its ministry keeps it,
    /// else the one bearing its name: a program run by two ministries publishes one sheet in
    /// each with the same figures (健康・医療分野におけるムーンショット型研究開発等事業, METI and
    /// MEXT), and the METI sheet of 2022 is continued by METI's of 2023, not moved to MEXT.
    fn continuations(&self, l: &mut Lineage) {
        let mut claimed: HashMap<usize, Vec<usize>> = HashMap::new();
        for (t, s) in self.sheets.iter().enumerate() {
            if let Some(f) = self.by_money(t, s) {
                claimed.entry(f.to).or_default().push(t);
                l.continues.insert(t, f);
            }
        }
        for (s, ts) in claimed.iter().filter(|(_, ts)| ts.len() > 1) {
            let own = |t: usize| self.sheets[t].ministry == self.sheets[*s].ministry;
            let best = ts.iter().copied().max_by(|a, b| {
                let sa = normalized_score(&self.names[*a], &self.names[*s]);
                let sb = normalized_score(&self.names[*b], &self.names[*s]);
                own(*a).cmp(&own(*b)).then(sa.total_cmp(&sb)).then(b.cmp(a))
            });
            for t in ts.iter().filter(|t| Some(**t) != best) {
                l.continues.remove(t);
            }
        }
        let taken: std::collections::HashSet<usize> = l.continues.values().map(|f| f.to).collect();
        for (t, s) in self.sheets.iter().enumerate() {
            if let std::collections::btree_map::Entry::Vacant(e) = l.continues.entry(t) {
                if let Some(f) = self.by_name(t, s, &taken) {
                    e.insert(f);
                }
            }
        }
    }

    /// The budget-overlap rule (REPORT §2.1): the sheet of N (same ministry; another ministry
    /// only under a near name) whose three shared 当初予算 agree within [`TOLERANCE`], not all
    /// zero, unique — or unique among the candidates bearing the same name.
    fn by_money(&self, t: usize, s: &Sheet) -> Option<Found<usize>> {
        let n = s.edition - 1;
        let key = shared(s, n);
        if key.iter().all(|v| *v == 0) {
            return None;
        }
        let agree = |c: &usize| {
            let k = shared(&self.sheets[*c], n);
            k.iter().zip(&key).all(|(a, b)| (a - b).abs() <= TOLERANCE)
        };
        let mut found: Vec<usize> = self
            .edition(n, &s.ministry)
            .iter()
            .copied()
            .filter(agree)
            .collect();
        let mut elsewhere = false;
        if found.is_empty() {
            found = self
                .by_edition
                .range((n, "")..(n + 1, ""))
                .flat_map(|(_, v)| v.iter().copied())
                .filter(agree)
                .filter(|c| normalized_score(&self.names[*c], &self.names[t]) >= NAME_SCORE)
                .collect();
            elsewhere = true;
        }
        if found.len() > 1 {
            found = self.closest_name(t, found);
        }
        let [c] = found.as_slice() else { return None };
        let years: Vec<String> = (n - 2..=n)
            .zip(key)
            .map(|(y, v)| format!("FY{y} {}", million(v)))
            .collect();
        let mut evidence = format!(
            "当初予算 of the years both editions print agree within 1 百万円 ({}; 百万円)",
            years.join(", ")
        );
        if elsewhere {
            evidence.push_str(&format!(
                "; the line moved from {}",
                self.sheets[*c].ministry
            ));
        }
        if self.names[*c] != self.names[t] {
            evidence.push_str(&format!("; renamed from 「{}」", self.sheets[*c].name));
        }
        Some(Found { to: *c, evidence })
    }

    /// Of several sheets whose figures agree with sheet `t`'s, the one bearing its name, else
    /// the one whose name is nearest (at least [`NAME_SCORE`], strictly nearer than the next):
    /// a renamed new line (認知症対策… → 認知症等対策…, FY2019 当初 501 百万円) beside another new
    /// line of the ministry with the same figures.
    fn closest_name(&self, t: usize, found: Vec<usize>) -> Vec<usize> {
        let same: Vec<usize> = found
            .iter()
            .copied()
            .filter(|c| self.names[*c] == self.names[t])
            .collect();
        if !same.is_empty() {
            return same;
        }
        let mut scored: Vec<(f64, usize)> = found
            .into_iter()
            .map(|c| (normalized_score(&self.names[c], &self.names[t]), c))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        match scored.as_slice() {
            [(best, c), rest @ ..]
                if *best >= NAME_SCORE && rest.first().is_none_or(|(next, _)| next < best) =>
            {
                vec![*c]
            }
            _ => Vec::new(),
        }
    }

    /// The name rule for new-request and zero sheets and restatements: the one sheet of N of
    /// the same ministry with the same normalised name (the same bureau deciding between
    /// several), not already continued by the money.
    fn by_name(
        &self,
        t: usize,
        s: &Sheet,
        taken: &std::collections::HashSet<usize>,
    ) -> Option<Found<usize>> {
        let n = s.edition - 1;
        let mut found: Vec<usize> = self
            .edition(n, &s.ministry)
            .iter()
            .copied()
            .filter(|c| self.names[*c] == self.names[t] && !taken.contains(c))
            .collect();
        if found.len() > 1 {
            found.retain(|c| squeeze(&self.sheets[*c].bureau) == squeeze(&s.bureau));
        }
        let [c] = found.as_slice() else { return None };
        Some(Found {
            to: *c,
            evidence: "same ministry and name (no unique partner by the shared years' 当初予算)"
                .into(),
        })
    }

    /// rs:splitFrom: a line of N and a run of new sheets of N+1 (same ministry, consecutive
    /// serials, none continuing anything) whose FY N 当初予算 add up to its own within 1 百万円
    /// per part — the whole of it where no sheet of N+1 continues the line (the MEXT
    /// aggregate's 2023 split, REPORT §3.2), else what its continuation no longer carries
    /// (`2015/厚生労働省/0914` 54,542 = `2016/…/0880`, which continues it, 7,183 + the AMED
    /// subsidy split off as `2016/…/0881` 47,358: REPORT §2.1).
    fn splits(&self, l: &mut Lineage) {
        for (&(n, ministry), sheets) in self.by_edition {
            let mut new: Vec<usize> = self
                .edition(n + 1, ministry)
                .iter()
                .copied()
                .filter(|t| {
                    !l.continues.contains_key(t) && self.sheets[*t].serial_number().is_some()
                })
                .collect();
            new.sort_by_key(|t| {
                (
                    self.sheets[*t].serial_number(),
                    self.sheets[*t].slug.clone(),
                )
            });
            for &s in sheets {
                let whole = self.sheets[s].initial(n);
                let (kept, min_len) = match l.continued_by.get(&s) {
                    None => (0, 2),
                    Some(c) => (c.iter().map(|t| self.sheets[*t].initial(n)).sum(), 1),
                };
                if whole <= 0 || whole - kept <= TOLERANCE {
                    continue;
                }
                let parts: Vec<usize> = new
                    .iter()
                    .copied()
                    .filter(|t| min_len == 2 || self.sheets[*t].sub_number().is_none())
                    .collect();
                if let Some(run) = self.run_summing_to(&parts, n, whole - kept, min_len) {
                    let first = &self.sheets[run[0]];
                    let last = &self.sheets[run[run.len() - 1]];
                    let sum: i64 = run.iter().map(|t| self.sheets[*t].initial(n)).sum();
                    let evidence = if kept == 0 {
                        format!(
                            "the line ends in edition {n}; {} new sheets of {} ({} … {}) add up to its FY{n} 当初予算 ({} vs {} 百万円)",
                            run.len(), n + 1, first.stem, last.stem, million(sum), million(whole)
                        )
                    } else {
                        format!(
                            "split off in edition {}: its continuation keeps {} of its FY{n} 当初予算 {} 百万円, the new sheets {} … {} carry {}",
                            n + 1, million(kept), million(whole), first.stem, last.stem, million(sum)
                        )
                    };
                    for t in run {
                        l.split_from.insert(
                            t,
                            Found {
                                to: s,
                                evidence: evidence.clone(),
                            },
                        );
                    }
                }
            }
        }
    }

    /// The longest window of at least `min_len` sheets with consecutive serial numbers whose
    /// FY `n` 当初予算 sum to `whole` (within 1 百万円 per sheet).
    fn run_summing_to(
        &self,
        new: &[usize],
        n: i32,
        whole: i64,
        min_len: usize,
    ) -> Option<Vec<usize>> {
        let mut best: Option<&[usize]> = None;
        let mut start = 0;
        while start < new.len() {
            let mut end = start + 1;
            while end < new.len()
                && self.sheets[new[end]].serial_number()
                    == self.sheets[new[end - 1]].serial_number().map(|v| v + 1)
            {
                end += 1;
            }
            let run = &new[start..end];
            for i in 0..run.len() {
                let mut sum = 0;
                for j in i..run.len() {
                    sum += self.sheets[run[j]].initial(n);
                    let len = j - i + 1;
                    let fits = len >= min_len && (sum - whole).abs() <= TOLERANCE * len as i64;
                    if fits && best.is_none_or(|b| b.len() < len) {
                        best = Some(&run[i..=j]);
                    }
                }
            }
            start = end;
        }
        best.map(<[usize]>::to_vec)
    }

    /// rs:shareOf: a sheet with a sub-number is a share of the sheet of its edition and
    /// ministry, without sub-number and with money, whose name is the part of its own before
    /// the bracket (「医療研究開発推進事業費補助金（医薬品プロジェクト）…」 → 「医療研究開発推進事業費
    /// 補助金…」); the number decides between several. The number alone would be wrong:
    /// `2021-厚労-20-1001-1` belongs to `…-1010` (REPORT §1.3).
    fn shares(&self, l: &mut Lineage) {
        let head = |s: &Sheet| -> String {
            let t = squeeze(&s.name);
            t.split(['(', '（']).next().unwrap_or_default().to_owned()
        };
        for (&(n, ministry), sheets) in self.by_edition {
            for &x in sheets {
                let sx = &self.sheets[x];
                let Some(_) = sx.sub_number() else { continue };
                let h = head(sx);
                let mut found: Vec<usize> = self
                    .edition(n, ministry)
                    .iter()
                    .copied()
                    .filter(|a| {
                        let sa = &self.sheets[*a];
                        sa.sub_number().is_none()
                            && head(sa) == h
                            && sa
                                .budgets
                                .iter()
                                .any(|b| b.initial.is_some() || b.request.is_some())
                    })
                    .collect();
                if found.len() > 1 {
                    found.retain(|a| self.sheets[*a].serial_number() == sx.serial_number());
                }
                if let [a] = found.as_slice() {
                    let evidence = format!(
                        "a per-project sheet of 「{}」 (its name before the bracket), number {} of edition {n}",
                        h, self.sheets[*a].number
                    );
                    l.share_of.insert(x, Found { to: *a, evidence });
                }
            }
        }
    }

    /// rs:continuedAs for the sheets of the newest edition N (2023 in JUDGIT!): the RS line
    /// whose 旧事業番号 (RS N+1, its 1-2 file) is the sheet's number; else the RS line of the
    /// same ministry whose 翌年度要求額 of budget year N equals the sheet's FY N+1 要求額 within
    /// 1 百万円 (the better name deciding between several); else the one RS line of the same ministry with the same normalised name.
    /// One line, one sheet: a line a 旧事業番号 names is no other sheet's, and a line two
    /// sheets reach by their figures or names goes to the one whose name is strictly closer, or
    /// to neither. On the full editions against RS lines of a few ministries' medical R&D,
    /// an unrelated sheet whose request happened to equal a line's (METI's fuel stockpile
    /// subsidy, 4,200 百万円 like RS 3540) took the line beside its own sheet.
    fn bridge(&self, l: &mut Lineage, rs: &RsData) {
        let mut by_old: HashMap<String, &RsProject> = HashMap::new();
        let mut by_ministry: HashMap<String, Vec<&RsProject>> = HashMap::new();
        for p in rs.projects.values() {
            if !p.old_number.is_empty() {
                by_old.insert(old_number_key(&p.old_number), p);
            }
            by_ministry.entry(squeeze(&p.ministry)).or_default().push(p);
        }
        // The newest edition of the sheets is the one the RS system continues: its sheet
        // numbers are the RS's 旧事業番号, its FY N+1 要求額 the RS's first 翌年度要求額.
        let newest = self.sheets.iter().map(|s| s.edition).max();
        let last = || {
            self.sheets
                .iter()
                .enumerate()
                .filter(move |(_, s)| Some(s.edition) == newest)
        };
        for (i, s) in last() {
            if let Some(p) = by_old.get(&old_number_key(&s.stem)) {
                let evidence = format!(
                    "RS {} 旧事業番号 {} of 予算事業ID {}",
                    s.edition + 1,
                    p.old_number,
                    p.id
                );
                l.continued_as.insert(
                    i,
                    Found {
                        to: p.id.clone(),
                        evidence,
                    },
                );
            }
        }
        let named: HashSet<String> = l.continued_as.values().map(|f| f.to.clone()).collect();
        // RS line → the sheets reaching it by figures or names, with their name scores.
        let mut reached: BTreeMap<String, Vec<(f64, usize, Found<String>)>> = BTreeMap::new();
        for (i, s) in last().filter(|(i, _)| !l.continued_as.contains_key(i)) {
            let Some(lines) = by_ministry.get(&squeeze(&s.ministry)) else {
                continue;
            };
            let lines: Vec<&RsProject> = lines
                .iter()
                .copied()
                .filter(|p| !named.contains(&p.id))
                .collect();
            if let Some(f) = self
                .by_request(i, s, &lines)
                .or_else(|| self.by_line_name(i, &lines))
            {
                let score = rs
                    .projects
                    .get(&f.to)
                    .map_or(0.0, |p| self.line_score(i, p));
                reached.entry(f.to.clone()).or_default().push((score, i, f));
            }
        }
        for (_, mut sheets) in reached {
            sheets.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut sheets = sheets.into_iter();
            let (first, second) = (sheets.next(), sheets.next());
            match (first, second) {
                (Some((_, i, f)), None) => {
                    l.continued_as.insert(i, f);
                }
                (Some((best, i, f)), Some((next, ..))) if best > next => {
                    l.continued_as.insert(i, f);
                }
                _ => {}
            }
        }
    }

    fn by_request(&self, i: usize, s: &Sheet, lines: &[&RsProject]) -> Option<Found<String>> {
        let request = s.request();
        if request == 0 {
            return None;
        }
        let rs_request = |p: &RsProject| p.budgets.get(&s.edition).and_then(|b| b.next_request);
        let mut found: Vec<(f64, &RsProject)> = lines
            .iter()
            .filter(|p| rs_request(p).is_some_and(|r| (r - request).abs() <= TOLERANCE))
            .map(|p| (self.line_score(i, p), *p))
            .collect();
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        let pick = match found.as_slice() {
            [one] => one,
            [best, next, ..] if best.0 >= NAME_SCORE && best.0 > next.0 => best,
            _ => return None,
        };
        let next = s.edition + 1;
        Some(Found {
            to: pick.1.id.clone(),
            evidence: format!(
                "same ministry; FY{next} 要求額 {} 百万円 = RS {next} 翌年度要求額 of 予算事業ID {} (name score {:.2})",
                million(request),
                pick.1.id,
                pick.0
            ),
        })
    }

    fn by_line_name(&self, i: usize, lines: &[&RsProject]) -> Option<Found<String>> {
        let same: Vec<&&RsProject> = lines
            .iter()
            .filter(|p| self.line_score(i, p) >= 1.0)
            .collect();
        let [p] = same.as_slice() else { return None };
        Some(Found {
            to: p.id.clone(),
            evidence: format!(
                "same ministry and name as RS 予算事業ID {} (the 要求額 differ)",
                p.id
            ),
        })
    }

    fn line_score(&self, i: usize, p: &RsProject) -> f64 {
        p.names
            .iter()
            .map(|n| normalized_score(&self.names[i], &normalize(n)))
            .fold(0.0, f64::max)
    }
}

/// A sheet number as RS 2024's 旧事業番号 prints it, for comparing: NFKC, dashes of any width
/// as `-`, no spaces (`2023ー経産ー22ー0257` → `2023-経産-22-0257`).
pub fn old_number_key(s: &str) -> String {
    squeeze(s)
        .chars()
        .map(|c| {
            if matches!(c, 'ー' | '－' | '−' | '―' | '‐') {
                '-'
            } else {
                c
            }
        })
        .collect()
}
