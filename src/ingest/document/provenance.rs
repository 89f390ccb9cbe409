//! Checks that every fact in `data/` stands where it says it does: each cited line of the
//! source text must contain the name, text or figure recorded for it.

use crate::error::Result;
use crate::ingest::document::records::{
    Data, Entry, Figure, Initiative, Kind, Oku, Parsed, ProjectFile, Status,
};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use toml::Spanned;

/// A fact whose cited line does not support it.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// `file:line` of the record in `data/`.
    pub at: String,
    pub message: String,
}

/// Strips what the text conversion adds around words: markdown emphasis, spaces and the
/// thousands separators of figures ("1, 489億円" → "1489億円").
pub fn normalize(s: &str) -> String {
    let no_marks: String = s
        .chars()
        .filter(|c| !matches!(c, '*' | ' ' | '\u{3000}' | '\t'))
        .collect();
    static THOUSANDS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\d),(\d)").expect("static regex"));
    THOUSANDS.replace_all(&no_marks, "$1$2").into_owned()
}

struct Checker<'a> {
    lines: Vec<String>,
    data: &'a Data,
    /// Each ministry's short mark (文, 厚, …) by its id.
    short: BTreeMap<&'a str, &'a str>,
    out: Vec<Mismatch>,
}

impl Checker<'_> {
    fn line(&self, n: usize) -> Option<&str> {
        n.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .map(String::as_str)
    }

    /// A ministry's short mark, `?` for an unknown one.
    fn mark(&self, ministry: &str) -> &str {
        self.short.get(ministry).copied().unwrap_or("?")
    }

    /// Records a mismatch at line `at` of `file`.
    fn mismatch<T>(&mut self, file: &Parsed<T>, at: usize, message: String) {
        self.out.push(Mismatch {
            at: format!("{}:{at}", file.path.display()),
            message,
        });
    }

    fn expect<T>(&mut self, file: &Parsed<T>, at: usize, line: usize, needle: &str, what: &str) {
        let found = self
            .line(line)
            .is_some_and(|l| l.contains(&normalize(needle)));
        if !found {
            let message = format!("{what} {needle:?} is not on source line {line}");
            self.mismatch(file, at, message);
        }
    }

    /// Like `expect` for a figure: "4億円" must stand on its own, not as the end of "54億円".
    fn expect_figure<T>(&mut self, file: &Parsed<T>, at: usize, line: usize, oku: Oku, what: &str) {
        let needle = figure(oku);
        let found = self.line(line).is_some_and(|l| {
            l.match_indices(&needle).any(|(i, _)| {
                !l[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_digit() || c == '.')
            })
        });
        if !found {
            let message = format!("{what} {needle:?} is not on source line {line}");
            self.mismatch(file, at, message);
        }
    }

    fn expect_in_section<T>(
        &mut self,
        file: &Parsed<T>,
        at: usize,
        line: usize,
        sections: &[&str],
    ) {
        let section = self.data.section_of(line).map(|s| s.id.as_str());
        if !section.is_some_and(|s| sections.contains(&s)) {
            let message = format!(
                "source line {line} is in section {section:?}, expected one of {sections:?}"
            );
            self.mismatch(file, at, message);
        }
    }
}

fn figure(oku: Oku) -> String {
    format!("{oku}億円")
}

/// Verifies every cited line of a document against its text. `shared`: also the shared
/// organisations of `data/organizations.toml`, whose lines are those of the first document.
pub fn verify(data: &Data, shared: bool) -> Result<Vec<Mismatch>> {
    let lines = data.source_lines()?.iter().map(|l| normalize(l)).collect();
    let mut c = Checker {
        lines,
        data,
        short: data
            .ministries()
            .map(|m| (m.id.as_str(), m.short.as_deref().unwrap_or("")))
            .collect(),
        out: Vec::new(),
    };
    if shared {
        c.organisations();
    }
    c.overview_table();
    c.amounts();
    for f in &data.projects {
        c.project(f);
    }
    c.links_and_source();
    Ok(c.out)
}

impl Checker<'_> {
    /// Each organisation is named on its line by its name, short mark or legend.
    fn organisations(&mut self) {
        let orgs = &self.data.organizations;
        for o in orgs.value.all() {
            let v = o.get_ref();
            let text = self.line(v.line).unwrap_or("");
            let named = [Some(&v.ja), v.short.as_ref(), v.legend.as_ref()]
                .into_iter()
                .flatten()
                .any(|n| text.contains(n.as_str()));
            if !named {
                let at = orgs.line_of(o);
                self.expect(orgs, at, v.line, &v.ja, "organisation");
            }
        }
    }

    /// The overview table: each cell must hold exactly the row total and shares we record.
    fn overview_table(&mut self) {
        let ov = &self.data.overview;
        // A share is a ministry's short mark and a number, e.g. 文697; the marks are the
        // `short` labels of data/organizations.toml.
        let marks: String = self.short.values().map(|m| regex::escape(m)).collect();
        let share = Regex::new(&format!(r"([{marks}])(\d+)")).expect("ministry marks form a regex");
        for cell in &ov.value.table {
            let v = cell.get_ref();
            let at = ov.line_of(cell);
            let column = match v.kind {
                Kind::Total => 2,
                Kind::Request => 3,
                Kind::Demand => 4,
                Kind::Initial => 5,
                Kind::Supplementary => 0,
            };
            let text = self
                .line(v.line)
                .unwrap_or("")
                .split('|')
                .nth(column)
                .unwrap_or("")
                .to_owned();
            let printed: BTreeMap<String, String> = share
                .captures_iter(&text)
                .map(|m| (m[1].to_owned(), m[2].to_owned()))
                .collect();
            let ours: BTreeMap<String, String> = v
                .shares
                .iter()
                .map(|(m, o)| (self.mark(m).to_owned(), o.to_string()))
                .collect();
            if !text.starts_with(&figure(v.oku)) || printed != ours {
                self.mismatch(
                    ov,
                    at,
                    format!(
                        "overview cell {:?}/{:?} records {} {ours:?}, source line {} prints {text:?}",
                        v.category,
                        v.kind,
                        figure(v.oku),
                        v.line
                    ),
                );
            }
        }
    }

    /// The overview's items stand in its sections; every explicit amount (of the overview,
    /// then of each project) is printed on each of its lines.
    fn amounts(&mut self) {
        let ov = &self.data.overview;
        for i in &ov.value.item {
            let v = i.get_ref();
            self.expect_in_section(ov, ov.line_of(i), v.line, &["overview", "vaccine"]);
        }
        for a in &ov.value.amount {
            let v = a.get_ref();
            for l in v.all_lines() {
                self.expect_figure(ov, ov.line_of(a), l, v.oku, "amount");
            }
        }
        for f in &self.data.projects {
            for a in &f.value.amount {
                let v = a.get_ref();
                for l in v.all_lines() {
                    self.expect_figure(f, f.line_of(a), l, v.oku, "amount");
                }
            }
        }
    }

    /// One project file: its head and totals, focus areas, groups, entries, figure lines.
    fn project(&mut self, f: &Parsed<ProjectFile>) {
        let v = &f.value;
        let own = format!("project-{}", v.project.number);
        let sections = ["overview", own.as_str()];
        self.expect(f, 1, v.project.line, &v.project.ja, "project");
        self.expect(
            f,
            1,
            v.project.description_line,
            &v.project.description_ja,
            "project description",
        );
        let parts = [
            Some(&v.amounts.total),
            v.amounts.amed.as_ref(),
            v.amounts.inhouse.as_ref(),
        ];
        for fig in parts.into_iter().flatten() {
            for &l in &fig.lines {
                self.expect_figure(f, 1, l, fig.oku, "project amount");
                self.expect_in_section(f, 1, l, &sections);
            }
        }
        for fa in &v.focus_area {
            let fv = fa.get_ref();
            let at = f.line_of(fa);
            self.expect(f, at, fv.line, &fv.ja, "focus area");
            self.expect_in_section(f, at, fv.line, &[own.as_str()]);
        }
        for g in &v.group {
            let gv = g.get_ref();
            // Inferred members are, by definition, not printed on the group's line.
            for m in &gv.members {
                let name = self
                    .data
                    .program(m)
                    .map(|p| p.ja.clone())
                    .unwrap_or_default();
                self.expect(f, f.line_of(g), gv.line, &name, "group member");
            }
        }
        for e in &v.entry {
            self.entry(f, e, &own);
        }
        for x in &v.figure {
            self.figure_line(f, x, &own);
        }
    }

    /// A ◆ entry: in its project's section, naming its program with the ministries and the
    /// 【新規】 mark we record, its note, and each of its initiatives.
    fn entry(&mut self, f: &Parsed<ProjectFile>, e: &Spanned<Entry>, own: &str) {
        let ev = e.get_ref();
        let at = f.line_of(e);
        self.expect_in_section(f, at, ev.line, &[own]);
        if let Some(p) = self.data.program(&ev.program) {
            self.expect(f, at, ev.line, &p.ja, "program");
            // The ministries printed in the last brackets of a ◆ line: (文、厚、経).
            let text = self.line(ev.line).unwrap_or("").to_owned();
            let printed = text.rsplit('(').next().unwrap_or("").trim_end_matches(')');
            let printed: Vec<&str> = printed.split('、').collect();
            let ours: Vec<&str> = p.ministries.iter().map(|m| self.mark(m)).collect();
            if printed != ours {
                let message = format!(
                    "program {} has ministries {ours:?}, source line {} prints {printed:?}",
                    p.id, ev.line
                );
                self.mismatch(f, at, message);
            }
            let marked = text.contains("【新規】");
            if marked != (ev.status == Some(Status::New)) {
                let message = format!(
                    "program {}: 【新規】 on source line {} is {marked}, data says {:?}",
                    p.id, ev.line, ev.status
                );
                self.mismatch(f, at, message);
            }
        }
        if let (Some(note), Some(l)) = (&ev.note, ev.note_line) {
            self.expect(f, at, l, note, "note");
        }
        for i in &ev.initiative {
            self.initiative(f, i, own);
        }
    }

    /// A ✓ initiative: its text on its line, in its project's section, with the mark
    /// (【新規】, 【拡充】 or none) we record.
    fn initiative(&mut self, f: &Parsed<ProjectFile>, i: &Spanned<Initiative>, own: &str) {
        let iv = i.get_ref();
        let at = f.line_of(i);
        self.expect(f, at, iv.line, &iv.text, "initiative");
        self.expect_in_section(f, at, iv.line, &[own]);
        let text = self.line(iv.line).unwrap_or("");
        let printed = if text.contains("【新規】") {
            Status::New
        } else if text.contains("【拡充】") {
            Status::Expanded
        } else {
            Status::Unmarked
        };
        if printed != iv.status || !text.contains('✓') {
            let message = format!(
                "initiative on source line {} is printed {printed:?}, data says {:?}",
                iv.line, iv.status
            );
            self.mismatch(f, at, message);
        }
    }

    /// A figure line: in its project's section, naming its program (or the program's
    /// parent), with its text (which may wrap onto the next line) and its amount.
    fn figure_line(&mut self, f: &Parsed<ProjectFile>, x: &Spanned<Figure>, own: &str) {
        let data = self.data;
        let xv = x.get_ref();
        let at = f.line_of(x);
        self.expect_in_section(f, at, xv.line, &[own]);
        if let (Some(p), None) = (&xv.program, &xv.inferred_program) {
            if let Some(p) = data.program(p) {
                // A B-cure part may be printed as its parent's name with the part below.
                let parent = p.part_of.as_deref().and_then(|id| data.program(id));
                let text = self.line(xv.line).unwrap_or("");
                let ok = text.contains(&normalize(&p.ja))
                    || parent.is_some_and(|pp| text.contains(&normalize(&pp.ja)));
                if !ok {
                    self.expect(f, at, xv.line, &p.ja, "program");
                }
            }
        }
        if let Some(t) = &xv.text {
            // A figure's description may wrap onto the next line of the conversion.
            let first = xv.text_line.unwrap_or(xv.line);
            let joined = format!(
                "{}{}",
                self.line(first).unwrap_or(""),
                self.line(first + 1).unwrap_or("")
            );
            if !joined.contains(&normalize(t)) {
                self.expect(f, at, first, t, "figure text");
            }
        }
        if let Some(a) = &xv.amount {
            self.expect_figure(f, at, a.line, a.oku, "figure amount");
        }
    }

    /// The linkages' names on their lines; the document's title, its sections'
    /// descriptions and notes.
    fn links_and_source(&mut self) {
        let lf = &self.data.links;
        for l in &lf.value.linkage {
            let lv = l.get_ref();
            for &n in &lv.lines {
                self.expect(lf, lf.line_of(l), n, &lv.ja, "linkage");
            }
        }
        let src = &self.data.source;
        self.expect(
            src,
            1,
            src.value.document.line,
            &src.value.document.ja,
            "document title",
        );
        for s in &src.value.section {
            let sv = s.get_ref();
            if let (Some(d), Some(l)) = (&sv.description_ja, sv.description_line) {
                self.expect(src, src.line_of(s), l, d, "section description");
            }
            for n in &sv.notes {
                self.expect(src, src.line_of(s), n.line, &n.ja, "section note");
            }
        }
    }
}
