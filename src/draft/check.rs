//! `medrd draft --check DIR`: compares a draft with curated data, category by category
//! (programs, project memberships, ministry marks, ✓ initiatives, printed amounts, and the
//! title and fiscal year of source.toml), and checks that everything drafted is printed on
//! the line it cites.

use super::{normalize, Draft, DraftProgram};
use crate::error::{Error, Result};
use crate::ingest::document::records::{
    read_optional_toml, OverviewFile, ProgramsFile, ProjectFile, SourceFile,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One category's agreement: how many curated facts the draft found, and each difference
/// with its line.
#[derive(Debug)]
pub struct Category {
    pub name: &'static str,
    pub curated: usize,
    pub found: usize,
    /// Curated facts the draft does not have: (line, fact).
    pub missing: Vec<(usize, String)>,
    /// Drafted facts the curated data does not have: (line, fact).
    pub extra: Vec<(usize, String)>,
}

impl Category {
    pub fn percent(&self) -> f64 {
        if self.curated == 0 {
            100.0
        } else {
            100.0 * self.found as f64 / self.curated as f64
        }
    }
}

#[derive(Debug)]
pub struct Report {
    pub categories: Vec<Category>,
    /// Drafted facts whose cited line does not print them: (line, fact).
    pub not_stated: Vec<(usize, String)>,
}

impl Report {
    /// Agreement ≥ 95% in every category and nothing drafted that the text does not state.
    pub fn passed(&self) -> bool {
        self.not_stated.is_empty() && self.categories.iter().all(|c| c.percent() >= 95.0)
    }
}

/// Facts keyed for comparison, each with the line it is cited at.
type Facts = Vec<(String, usize)>;

fn compare(name: &'static str, curated: Facts, drafted: Facts) -> Category {
    // multisets: the same figure printed twice on one line counts twice
    let mut left: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, l) in &drafted {
        left.entry(k).or_default().push(*l);
    }
    let mut missing = Vec::new();
    let mut found = 0;
    for (k, l) in &curated {
        match left.get_mut(k.as_str()).and_then(|v| v.pop()) {
            Some(_) => found += 1,
            None => missing.push((*l, k.clone())),
        }
    }
    let mut extra: Vec<(usize, String)> = left
        .into_iter()
        .flat_map(|(k, ls)| ls.into_iter().map(move |l| (l, k.to_owned())))
        .collect();
    missing.sort();
    extra.sort();
    Category {
        name,
        curated: curated.len(),
        found,
        missing,
        extra,
    }
}

/// The curated files of a source folder.
struct Curated {
    source: Option<SourceFile>,
    programs: ProgramsFile,
    overview: Option<OverviewFile>,
    projects: Vec<ProjectFile>,
}

fn read_curated(dir: &Path) -> Result<Curated> {
    let path = dir.join("programs.toml");
    let programs = read_optional_toml::<ProgramsFile>(&path)?.ok_or_else(|| {
        Error::io(
            &path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no programs.toml: --check needs a source folder of data/ with curated data (a document folder of data/)",
            ),
        )
    })?;
    let overview = read_optional_toml::<OverviewFile>(&dir.join("overview.toml"))?;
    let pdir = dir.join("projects");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&pdir)
        .map_err(|e| Error::io(&pdir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut projects = Vec::new();
    for p in paths {
        if let Some(f) = read_optional_toml::<ProjectFile>(&p)? {
            projects.push(f);
        }
    }
    Ok(Curated {
        source: read_optional_toml::<SourceFile>(&dir.join("source.toml"))?,
        programs,
        overview,
        projects,
    })
}

/// Compares `draft` (of the text `lines`) with the curated data of `dir`.
pub fn check(draft: &Draft, lines: &[String], dir: &Path) -> Result<Report> {
    let c = read_curated(dir)?;
    let names = Names::new(&c.programs);
    let first_line = first_lines(&c, &names);
    let drafted_programs: Vec<DraftProgram> = draft.programs();
    let programs = compare_programs(&c, &drafted_programs, &first_line, &names);
    let memberships = compare_memberships(&c, draft, &names);
    let marks = compare_marks(&c, &drafted_programs, &first_line, &names);
    let initiatives = compare_initiatives(&c, draft);
    let amounts = compare(
        "printed amounts",
        curated_amounts(&c),
        drafted_amounts(draft),
    );
    let source = compare_source(&c, draft);
    Ok(Report {
        categories: vec![programs, memberships, marks, initiatives, amounts, source],
        not_stated: not_stated(draft, lines),
    })
}

/// The curated program names: by id, and by each alt_ja.
struct Names<'a> {
    /// Program id → its normalised ja.
    name_of: BTreeMap<&'a str, String>,
    /// Normalised alt_ja → the normalised ja it stands for.
    canonical: BTreeMap<String, String>,
}

impl<'a> Names<'a> {
    /// Collects the names of the curated programs.
    fn new(programs: &'a ProgramsFile) -> Names<'a> {
        let name_of: BTreeMap<&str, String> = programs
            .program
            .iter()
            .map(|p| (p.get_ref().id.as_str(), normalize(&p.get_ref().ja)))
            .collect();
        // A drafted name printed as a curated alt_ja counts as the curated name.
        let mut canonical: BTreeMap<String, String> = BTreeMap::new();
        for p in &programs.program {
            let p = p.get_ref();
            for alt in &p.alt_ja {
                canonical.insert(normalize(alt), normalize(&p.ja));
            }
        }
        Names { name_of, canonical }
    }

    /// A drafted name, as the curated ja where it is printed as a curated alt_ja.
    fn canon(&self, n: &str) -> String {
        self.canonical
            .get(n)
            .cloned()
            .unwrap_or_else(|| n.to_owned())
    }

    /// The normalised ja of a curated program id (the id itself if unknown).
    fn name(&self, id: &str) -> String {
        self.name_of
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }
}

/// The first curated line citing each program (entries, figures, groups, project by project).
fn first_lines(c: &Curated, names: &Names) -> BTreeMap<String, usize> {
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    for f in &c.projects {
        for e in &f.entry {
            first_line
                .entry(names.name(&e.get_ref().program))
                .or_insert(e.get_ref().line);
        }
        for x in &f.figure {
            if let Some(p) = &x.get_ref().program {
                first_line.entry(names.name(p)).or_insert(x.get_ref().line);
            }
        }
        for g in &f.group {
            for m in &g.get_ref().members {
                first_line.entry(names.name(m)).or_insert(g.get_ref().line);
            }
        }
    }
    first_line
}

/// The programs category: each program once, by name.
fn compare_programs(
    c: &Curated,
    drafted_programs: &[DraftProgram],
    first_line: &BTreeMap<String, usize>,
    names: &Names,
) -> Category {
    let curated_programs: Facts = c
        .programs
        .program
        .iter()
        .map(|p| {
            let n = normalize(&p.get_ref().ja);
            let l = first_line.get(&n).copied().unwrap_or(0);
            (n, l)
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let drafted: Facts = drafted_programs
        .iter()
        .filter(|p| seen.insert(names.canon(&p.ja)))
        .map(|p| (names.canon(&p.ja), p.line))
        .collect();
    compare("programs", curated_programs, drafted)
}

/// The project memberships category: (project, program), once per pair.
fn compare_memberships(c: &Curated, draft: &Draft, names: &Names) -> Category {
    let mut cm: BTreeMap<String, usize> = BTreeMap::new();
    for f in &c.projects {
        let n = f.project.number;
        for e in &f.entry {
            cm.entry(format!("{n} {}", names.name(&e.get_ref().program)))
                .or_insert(e.get_ref().line);
        }
        for x in &f.figure {
            if let Some(p) = &x.get_ref().program {
                if x.get_ref().inferred_program.is_none() {
                    cm.entry(format!("{n} {}", names.name(p)))
                        .or_insert(x.get_ref().line);
                }
            }
        }
        for g in &f.group {
            for m in &g.get_ref().members {
                cm.entry(format!("{n} {}", names.name(m)))
                    .or_insert(g.get_ref().line);
            }
        }
    }
    let mut dm: BTreeMap<String, usize> = BTreeMap::new();
    for p in &draft.projects {
        let n = p.number;
        for e in &p.entries {
            dm.entry(format!("{n} {}", names.canon(&e.name)))
                .or_insert(e.line);
        }
        for f in &p.figures {
            if let Some(x) = &f.name {
                dm.entry(format!("{n} {}", names.canon(x)))
                    .or_insert(f.line);
            }
        }
        for g in &p.groups {
            for m in &g.members {
                dm.entry(format!("{n} {}", names.canon(m)))
                    .or_insert(g.line);
            }
        }
    }
    compare(
        "project memberships",
        cm.into_iter().collect(),
        dm.into_iter().collect(),
    )
}

/// The ministry marks category: the ministries printed beside each program.
fn compare_marks(
    c: &Curated,
    drafted_programs: &[DraftProgram],
    first_line: &BTreeMap<String, usize>,
    names: &Names,
) -> Category {
    let curated_marks: Facts = c
        .programs
        .program
        .iter()
        .flat_map(|p| {
            let p = p.get_ref();
            let n = normalize(&p.ja);
            let l = first_line.get(&n).copied().unwrap_or(0);
            p.ministries
                .iter()
                .map(move |m| (format!("{n} ({m})"), l))
                .collect::<Vec<_>>()
        })
        .collect();
    let drafted_marks: Facts = drafted_programs
        .iter()
        .flat_map(|p| {
            let n = names.canon(&p.ja);
            p.ministries
                .iter()
                .map(move |m| (format!("{n} ({m})"), p.line))
                .collect::<Vec<_>>()
        })
        .collect();
    compare("ministry marks", curated_marks, drafted_marks)
}

/// The initiatives category: ✓ initiatives with their markers.
fn compare_initiatives(c: &Curated, draft: &Draft) -> Category {
    let curated_inits: Facts = c
        .projects
        .iter()
        .flat_map(|f| &f.entry)
        .flat_map(|e| &e.get_ref().initiative)
        .map(|i| {
            let i = i.get_ref();
            let status = match i.status {
                crate::ingest::document::records::Status::New => "new",
                crate::ingest::document::records::Status::Expanded => "expanded",
                crate::ingest::document::records::Status::Unmarked => "unmarked",
            };
            (format!("[{status}] {}", normalize(&i.text)), i.line)
        })
        .collect();
    let drafted_inits: Facts = draft
        .projects
        .iter()
        .flat_map(|p| &p.entries)
        .flat_map(|e| &e.initiatives)
        .map(|i| (format!("[{}] {}", i.status, i.text), i.line))
        .collect();
    compare("initiatives", curated_inits, drafted_inits)
}

/// The curated printed amounts: line and value (and for the table, the cell and the ministry).
fn curated_amounts(c: &Curated) -> Facts {
    let mut ca: Facts = Vec::new();
    if let Some(ov) = &c.overview {
        for t in &ov.table {
            let t = t.get_ref();
            let cell = format!("{:?}/{:?}", t.category, t.kind).to_lowercase();
            ca.push((format!("line {} {cell} {}億円", t.line, t.oku), t.line));
            for (m, v) in &t.shares {
                ca.push((format!("line {} {cell} {m} {v}億円", t.line), t.line));
            }
        }
        for a in &ov.amount {
            for l in a.get_ref().all_lines() {
                ca.push((format!("line {l} {}億円", a.get_ref().oku), l));
            }
        }
    }
    for f in &c.projects {
        let am = &f.project_amounts();
        for (oku, lines) in am {
            for l in lines {
                ca.push((format!("line {l} {oku}億円"), *l));
            }
        }
        for x in &f.figure {
            if let Some(a) = &x.get_ref().amount {
                ca.push((format!("line {} {}億円", a.line, a.oku), a.line));
            }
        }
        for a in &f.amount {
            for l in a.get_ref().all_lines() {
                ca.push((format!("line {l} {}億円", a.get_ref().oku), l));
            }
        }
    }
    ca
}

/// The drafted printed amounts, keyed as in [`curated_amounts`].
fn drafted_amounts(draft: &Draft) -> Facts {
    let mut da: Facts = Vec::new();
    for t in &draft.table {
        let cell = format!("{}/{}", t.category, t.kind);
        let l = t.amount.line;
        da.push((format!("line {l} {cell} {}億円", t.amount.oku), l));
        for (m, v) in &t.shares {
            da.push((format!("line {l} {cell} {m} {v}億円"), l));
        }
    }
    for p in &draft.projects {
        for a in p.total.iter().chain(&p.amed).chain(&p.inhouse) {
            da.push((format!("line {} {}億円", a.line, a.oku), a.line));
        }
        for f in &p.figures {
            if let Some(a) = &f.amount {
                da.push((format!("line {} {}億円", a.line, a.oku), a.line));
            }
        }
    }
    for l in &draft.loose {
        da.push((
            format!("line {} {}億円", l.amount.line, l.amount.oku),
            l.amount.line,
        ));
    }
    da
}

/// The source category: the source's title line and fiscal year (source.toml).
fn compare_source(c: &Curated, draft: &Draft) -> Category {
    let curated_source: Facts = c
        .source
        .iter()
        .flat_map(|s| {
            let d = &s.document;
            [
                (format!("title {}", normalize(&d.ja)), d.line),
                (format!("fiscal year {}", d.fiscal_year), d.line),
            ]
        })
        .collect();
    let drafted_source: Facts = draft
        .title
        .iter()
        .flat_map(|(t, l)| {
            [
                (format!("title {t}"), *l),
                (
                    format!("fiscal year {}", draft.fiscal_year.unwrap_or(0)),
                    *l,
                ),
            ]
        })
        .collect();
    compare("source", curated_source, drafted_source)
}

impl ProjectFile {
    /// Each project figure with the lines it is printed on.
    fn project_amounts(&self) -> Vec<(crate::ingest::document::records::Oku, Vec<usize>)> {
        let a = &self.amounts;
        std::iter::once(&a.total)
            .chain(&a.amed)
            .chain(&a.inhouse)
            .map(|f| (f.oku, f.lines.clone()))
            .collect()
    }
}

/// Drafted facts that their cited lines do not print (normalised, wrapped lines joined).
pub fn not_stated(draft: &Draft, lines: &[String]) -> Vec<(usize, String)> {
    let at = |l: usize, span: usize| -> String {
        (l..l + span)
            .filter_map(|i| lines.get(i.wrapping_sub(1)))
            .map(|s| normalize(s))
            .collect::<Vec<_>>()
            .join("")
            .replace(' ', "")
    };
    let has = |l: usize, span: usize, what: &str| at(l, span).contains(&what.replace(' ', ""));
    let mut out = Vec::new();
    let mut need = |ok: bool, l: usize, what: String| {
        if !ok {
            out.push((l, what));
        }
    };
    if let Some((t, l)) = &draft.title {
        need(has(*l, 1, t), *l, format!("title {t}"));
    }
    for p in &draft.projects {
        need(has(p.line, 1, &p.ja), p.line, format!("project {}", p.ja));
        for a in p.total.iter().chain(&p.amed).chain(&p.inhouse) {
            need(
                has(a.line, 1, &a.printed),
                a.line,
                format!("amount {}", a.printed),
            );
        }
        for e in &p.entries {
            need(
                has(e.line, 2, &e.name),
                e.line,
                format!("program {}", e.name),
            );
            for i in &e.initiatives {
                need(
                    has(i.line, 3, &i.text),
                    i.line,
                    format!("initiative {}", i.text),
                );
            }
        }
        for f in &p.figures {
            if let Some(n) = &f.name {
                need(has(f.line, 2, n), f.line, format!("figure line {n}"));
            }
            if let Some((t, l)) = &f.text {
                need(has(*l, 3, t), *l, format!("figure text {t}"));
            }
            if let Some(a) = &f.amount {
                need(
                    has(a.line, 1, &a.printed),
                    a.line,
                    format!("amount {}", a.printed),
                );
            }
        }
        for g in &p.groups {
            for m in &g.members {
                need(has(g.line, 1, m), g.line, format!("group member {m}"));
            }
        }
    }
    for t in &draft.table {
        let l = t.amount.line;
        need(
            has(l, 1, &format!("{}億円", t.amount.oku)),
            l,
            format!("table cell {}", t.amount.printed),
        );
    }
    for x in &draft.loose {
        need(
            has(x.amount.line, 1, &x.amount.printed),
            x.amount.line,
            format!("amount {}", x.amount.printed),
        );
    }
    out
}
