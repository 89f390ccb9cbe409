//! Checks that every fact in `data/` stands where it says it does: each cited line of the
//! source text must contain the name, text or figure recorded for it.

use crate::error::Result;
use crate::ingest::document::records::{Data, Kind, Oku, Parsed};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

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
    out: Vec<Mismatch>,
}

impl Checker<'_> {
    fn line(&self, n: usize) -> Option<&str> {
        n.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .map(String::as_str)
    }

    fn expect<T>(&mut self, file: &Parsed<T>, at: usize, line: usize, needle: &str, what: &str) {
        let found = self
            .line(line)
            .is_some_and(|l| l.contains(&normalize(needle)));
        if !found {
            self.out.push(Mismatch {
                at: format!("{}:{at}", file.path.display()),
                message: format!("{what} {needle:?} is not on source line {line}"),
            });
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
            self.out.push(Mismatch {
                at: format!("{}:{at}", file.path.display()),
                message: format!("{what} {needle:?} is not on source line {line}"),
            });
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
            self.out.push(Mismatch {
                at: format!("{}:{at}", file.path.display()),
                message: format!(
                    "source line {line} is in section {section:?}, expected one of {sections:?}"
                ),
            });
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
        out: Vec::new(),
    };
    let orgs = &data.organizations;
    let short: BTreeMap<&str, &str> = data
        .ministries()
        .map(|m| (m.id.as_str(), m.short.as_deref().unwrap_or("")))
        .collect();
    for o in orgs
        .value
        .ministry
        .iter()
        .chain(&orgs.value.agency)
        .chain(&orgs.value.institute)
        .chain(&orgs.value.body)
        .filter(|_| shared)
    {
        let v = o.get_ref();
        let text = c.line(v.line).unwrap_or("");
        let named = [Some(&v.ja), v.short.as_ref(), v.legend.as_ref()]
            .into_iter()
            .flatten()
            .any(|n| text.contains(n.as_str()));
        if !named {
            let at = orgs.line_of(o);
            c.expect(orgs, at, v.line, &v.ja, "organisation");
        }
    }

    // The overview table: each cell must hold exactly the row total and shares we record.
    let ov = &data.overview;
    // A share is a ministry's short mark and a number, e.g. 文697; the marks are the `short`
    // labels of data/organizations.toml.
    let marks: String = short.values().map(|m| regex::escape(m)).collect();
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
        let text = c
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
            .map(|(m, o)| {
                (
                    short.get(m.as_str()).copied().unwrap_or("?").to_owned(),
                    o.to_string(),
                )
            })
            .collect();
        if !text.starts_with(&figure(v.oku)) || printed != ours {
            c.out.push(Mismatch {
                at: format!("{}:{at}", ov.path.display()),
                message: format!(
                    "overview cell {:?}/{:?} records {} {ours:?}, source line {} prints {text:?}",
                    v.category,
                    v.kind,
                    figure(v.oku),
                    v.line
                ),
            });
        }
    }
    for i in &ov.value.item {
        let v = i.get_ref();
        c.expect_in_section(ov, ov.line_of(i), v.line, &["overview", "vaccine"]);
    }
    for a in &ov.value.amount {
        let v = a.get_ref();
        for l in v.all_lines() {
            c.expect_figure(ov, ov.line_of(a), l, v.oku, "amount");
        }
    }
    for f in &data.projects {
        for a in &f.value.amount {
            let v = a.get_ref();
            for l in v.all_lines() {
                c.expect_figure(f, f.line_of(a), l, v.oku, "amount");
            }
        }
    }

    for f in &data.projects {
        let v = &f.value;
        let n = v.project.number;
        let own = format!("project-{n}");
        let sections = ["overview", own.as_str()];
        c.expect(f, 1, v.project.line, &v.project.ja, "project");
        c.expect(
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
                c.expect_figure(f, 1, l, fig.oku, "project amount");
                c.expect_in_section(f, 1, l, &sections);
            }
        }
        for fa in &v.focus_area {
            let fv = fa.get_ref();
            let at = f.line_of(fa);
            c.expect(f, at, fv.line, &fv.ja, "focus area");
            c.expect_in_section(f, at, fv.line, &[own.as_str()]);
        }
        for g in &v.group {
            let gv = g.get_ref();
            // Inferred members are, by definition, not printed on the group's line.
            for m in &gv.members {
                let name = data.program(m).map(|p| p.ja.clone()).unwrap_or_default();
                c.expect(f, f.line_of(g), gv.line, &name, "group member");
            }
        }
        for e in &v.entry {
            let ev = e.get_ref();
            let at = f.line_of(e);
            c.expect_in_section(f, at, ev.line, &[own.as_str()]);
            if let Some(p) = data.program(&ev.program) {
                c.expect(f, at, ev.line, &p.ja, "program");
                // The ministries printed in the last brackets of a ◆ line: (文、厚、経).
                let text = c.line(ev.line).unwrap_or("").to_owned();
                let printed = text.rsplit('(').next().unwrap_or("").trim_end_matches(')');
                let printed: Vec<&str> = printed.split('、').collect();
                let ours: Vec<&str> = p
                    .ministries
                    .iter()
                    .map(|m| short.get(m.as_str()).copied().unwrap_or("?"))
                    .collect();
                if printed != ours {
                    c.out.push(Mismatch {
                        at: format!("{}:{at}", f.path.display()),
                        message: format!(
                            "program {} has ministries {ours:?}, source line {} prints {printed:?}",
                            p.id, ev.line
                        ),
                    });
                }
                let marked = text.contains("【新規】");
                if marked != (ev.status == Some(crate::ingest::document::records::Status::New)) {
                    c.out.push(Mismatch {
                        at: format!("{}:{at}", f.path.display()),
                        message: format!(
                            "program {}: 【新規】 on source line {} is {marked}, data says {:?}",
                            p.id, ev.line, ev.status
                        ),
                    });
                }
            }
            if let (Some(note), Some(l)) = (&ev.note, ev.note_line) {
                c.expect(f, at, l, note, "note");
            }
            for i in &ev.initiative {
                let iv = i.get_ref();
                let at = f.line_of(i);
                c.expect(f, at, iv.line, &iv.text, "initiative");
                c.expect_in_section(f, at, iv.line, &[own.as_str()]);
                let text = c.line(iv.line).unwrap_or("").to_owned();
                let printed = if text.contains("【新規】") {
                    crate::ingest::document::records::Status::New
                } else if text.contains("【拡充】") {
                    crate::ingest::document::records::Status::Expanded
                } else {
                    crate::ingest::document::records::Status::Unmarked
                };
                if printed != iv.status || !text.contains('✓') {
                    c.out.push(Mismatch {
                        at: format!("{}:{at}", f.path.display()),
                        message: format!(
                            "initiative on source line {} is printed {printed:?}, data says {:?}",
                            iv.line, iv.status
                        ),
                    });
                }
            }
        }
        for x in &v.figure {
            let xv = x.get_ref();
            let at = f.line_of(x);
            c.expect_in_section(f, at, xv.line, &[own.as_str()]);
            if let (Some(p), None) = (&xv.program, &xv.inferred_program) {
                if let Some(p) = data.program(p) {
                    // A B-cure part may be printed as its parent's name with the part below.
                    let parent = p.part_of.as_deref().and_then(|id| data.program(id));
                    let text = c.line(xv.line).unwrap_or("");
                    let ok = text.contains(&normalize(&p.ja))
                        || parent.is_some_and(|pp| text.contains(&normalize(&pp.ja)));
                    if !ok {
                        c.expect(f, at, xv.line, &p.ja, "program");
                    }
                }
            }
            if let Some(t) = &xv.text {
                // A figure's description may wrap onto the next line of the conversion.
                let first = xv.text_line.unwrap_or(xv.line);
                let joined = format!(
                    "{}{}",
                    c.line(first).unwrap_or(""),
                    c.line(first + 1).unwrap_or("")
                );
                if !joined.contains(&normalize(t)) {
                    c.expect(f, at, first, t, "figure text");
                }
            }
            if let Some(a) = &xv.amount {
                c.expect_figure(f, at, a.line, a.oku, "figure amount");
            }
        }
    }
    let lf = &data.links;
    for l in &lf.value.linkage {
        let lv = l.get_ref();
        for &n in &lv.lines {
            c.expect(lf, lf.line_of(l), n, &lv.ja, "linkage");
        }
    }
    let src = &data.source;
    c.expect(
        src,
        1,
        src.value.document.line,
        &src.value.document.ja,
        "document title",
    );
    for s in &src.value.section {
        let sv = s.get_ref();
        if let (Some(d), Some(l)) = (&sv.description_ja, sv.description_line) {
            c.expect(src, src.line_of(s), l, d, "section description");
        }
        for n in &sv.notes {
            c.expect(src, src.line_of(s), n.line, &n.ja, "section note");
        }
    }
    Ok(c.out)
}
