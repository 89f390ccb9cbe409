//! Writes a draft as a source folder in the layout of `data/<source>/` (source.toml, a copy
//! of the text, programs.toml, overview.toml, projects/pN.toml, plus review.toml for the lines
//! the draft could not place), into a folder that is new or empty, so nothing a curator wrote
//! is ever overwritten.

use super::{Draft, FigureLine, Printed, Project};
use crate::error::{Error, Result};
use crate::ingest::document::records::{read_optional_toml, ProgramsFile, ProjectFile};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Ids and English names already curated, so a program keeps its IRI from year to year.
#[derive(Debug, Default)]
pub struct Known {
    /// Program name (ja or alt_ja, normalised) → (id, en).
    pub programs: BTreeMap<String, (String, String)>,
    /// Project name → (id, en).
    pub projects: BTreeMap<String, (String, String)>,
}

impl Known {
    /// Reads `programs.toml` and `projects/*.toml` of `data/` and of each folder under it.
    pub fn read(data: &Path) -> Result<Known> {
        let mut k = Known::default();
        let mut dirs = vec![data.to_owned()];
        if let Ok(rd) = std::fs::read_dir(data) {
            let mut subs: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect();
            subs.sort();
            dirs.extend(subs);
        }
        for d in dirs {
            if let Some(pf) = read_optional_toml::<ProgramsFile>(&d.join("programs.toml"))? {
                for p in pf.program {
                    let p = p.into_inner();
                    for name in std::iter::once(&p.ja).chain(&p.alt_ja) {
                        k.programs
                            .entry(super::normalize(name))
                            .or_insert((p.id.clone(), p.en.clone()));
                    }
                }
            }
            let pdir = d.join("projects");
            let Ok(rd) = std::fs::read_dir(&pdir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for f in files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "toml"))
            {
                if let Some(pf) = read_optional_toml::<ProjectFile>(f)? {
                    k.projects
                        .entry(super::normalize(&pf.project.ja))
                        .or_insert((pf.project.id, pf.project.en));
                }
            }
        }
        Ok(k)
    }
}

/// A TOML basic string.
pub fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a TOML comment: one line, control characters escaped (a newline in a file
/// name or a name from the text would end the comment and break the file).
fn comment(s: &str) -> std::borrow::Cow<'_, str> {
    crate::inputs::escape(s)
}

fn ids(list: &[String]) -> String {
    format!(
        "[{}]",
        list.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

fn amount(a: &Printed) -> String {
    format!(
        "{{ oku = {}, line = {}, printed = {} }}",
        a.oku,
        a.line,
        q(&a.printed)
    )
}

/// The `source.toml` of a draft: kind, and the `[document]` facts the text states (its title
/// line and the fiscal year of its 令和N年度); `slug` is the id (the folder's name).
/// What the text does not say (English title, publisher, licence, sections) is left empty
/// with `needs_review`, so the folder does not load until a curator fills it in.
pub fn source_toml(d: &Draft, slug: &str, text_file: &str, line_count: usize) -> String {
    let shown = comment(text_file);
    let mut out = format!(
        "# The source this folder drafts, in the schema of data/<source>/source.toml.\n# Drafted by `medrd draft` from the text copied beside this file, {shown}:\n# ja and line are its title line, fiscal_year its 令和N年度 (令和N = 2018 + N).\n# Records with `needs_review` hold what the text does not say: fill each in and remove the\n# field (a source with `needs_review` does not load).\n\nkind = \"document\"\n\n[document]\n"
    );
    let (title, line) = d.title.clone().unwrap_or_default();
    let mut why = Vec::new();
    if d.title.is_none() {
        why.push("the text has no title line 「令和N年度…概算要求のポイント」: give ja, fiscal_year and line");
    }
    why.push("not in the text: the English title (en), the publisher (an organization id of organizations.toml), licence and licence_note; add short_ja/short_en, edition, totals_ja/totals_en (what its totals are: 概算要求・要望額), issued and url where known");
    // The caption printed above the project figures (令和N年度概算要求額), when printed.
    let label = d
        .projects
        .iter()
        .flat_map(|p| p.amed.iter().chain(&p.inhouse))
        .find_map(|a| {
            let (year, _) = a.printed.split_once("概算要求額")?;
            year.starts_with("令和")
                .then(|| format!("{year}概算要求額"))
        });
    let _ = writeln!(
        out,
        "id = {}\nja = {}\nen = \"\"\npublisher = \"\"\nfiscal_year = {}\ntext_file = {}",
        q(slug),
        q(&title),
        d.fiscal_year.unwrap_or(0),
        q(text_file)
    );
    if let Some(l) = label {
        let _ = writeln!(out, "project_figure_label = {}", q(&l));
    }
    let _ = writeln!(
        out,
        "licence = \"\"\nlicence_note = \"\"\nline = {}\nneeds_review = {}\n",
        line.max(1),
        q(&why.join("; "))
    );
    let _ = writeln!(
        out,
        "[[section]]\nid = \"all\"\nja = \"全体\"\nen = \"The whole text\"\nlines = [1, {}]\nneeds_review = {}",
        line_count.max(1),
        q("the draft does not divide the text into sections: give each section (目次) its lines and page")
    );
    out
}

/// The files of a draft folder: relative path → content. `text` is the source text, copied
/// into the folder under its own file name; `slug` is the folder's name (the source's id).
pub fn render(
    d: &Draft,
    text: &str,
    slug: &str,
    known: &Known,
) -> Result<BTreeMap<PathBuf, String>> {
    let mut files = BTreeMap::new();
    let source = d
        .source
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let shown = comment(&source);

    let (out, id_of) = programs_toml(d, known, &shown);
    files.insert(PathBuf::from("programs.toml"), out);
    files.insert(PathBuf::from("overview.toml"), overview_toml(d, &shown));
    for p in &d.projects {
        files.insert(
            PathBuf::from(format!("projects/p{}.toml", p.number)),
            project_toml(p, known, &id_of, &shown),
        );
    }
    files.insert(PathBuf::from("review.toml"), review_toml(d, &shown));
    files.insert(
        PathBuf::from("source.toml"),
        source_toml(d, slug, &source, text.lines().count()),
    );
    files.insert(
        PathBuf::from("links.toml"),
        header(&shown, "The links between this source's projects (linkage: programs that link projects; feeds: a project's results feeding others): none drafted, as the text does not state them as records. Add them as the links.toml of a curated document folder of data/ does, or leave both empty.")
            + "linkage = []\nfeeds = []\n",
    );
    if source.is_empty() || source == "projects" || files.contains_key(Path::new(&source)) {
        return Err(Error::io(
            &d.source,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the text is copied into the draft folder under its own name, which must differ from the files drafted (source.toml, programs.toml, overview.toml, links.toml, review.toml, projects)",
            ),
        ));
    }
    files.insert(PathBuf::from(&source), text.to_owned());
    Ok(files)
}

/// The comment opening each drafted file: what it holds, and the text it was drafted from.
fn header(shown: &str, what: &str) -> String {
    let what = comment(what);
    format!(
        "# {what}\n# Drafted by `medrd draft` from {shown}: every record cites its line there.\n# Records with `needs_review` hold a decision the text does not make: resolve each and\n# remove the field (data with `needs_review` does not load).\n\n"
    )
}

/// programs.toml, and the id given to each program name (curated where known, else a placeholder).
fn programs_toml(d: &Draft, known: &Known, shown: &str) -> (String, BTreeMap<String, String>) {
    // Program ids: the curated one where the name is known, else a placeholder for review.
    let programs = d.programs();
    let mut id_of: BTreeMap<String, String> = BTreeMap::new();
    let mut out = header(
        shown,
        "The programs (事業) named in the text, with the ministries printed beside them.",
    );
    let mut fresh = 0;
    for p in &programs {
        let (id, en, known_id) = match known.programs.get(&p.ja) {
            Some((id, en)) => (id.clone(), en.clone(), true),
            None => {
                fresh += 1;
                (format!("new-program-{fresh}"), String::new(), false)
            }
        };
        id_of.insert(p.ja.clone(), id.clone());
        let mut why = Vec::new();
        if !known_id {
            why.push("a program not in the curated data: choose its ASCII id and English name");
        }
        if p.ministries.is_empty() {
            why.push("no ministry is printed beside this program (figure lines only; the legend colours are lost in the text): give inferred_ministries with ministry_reasoning");
        }
        let _ = writeln!(
            out,
            "[[program]]\nid = {}\nja = {}\nen = {}",
            q(&id),
            q(&p.ja),
            q(&en)
        );
        if !p.alt_ja.is_empty() {
            let _ = writeln!(out, "alt_ja = {}", ids(&p.alt_ja));
        }
        if !p.ministries.is_empty() {
            let _ = writeln!(out, "ministries = {}", ids(&p.ministries));
        }
        let _ = writeln!(out, "line = {}", p.line);
        if !why.is_empty() {
            let _ = writeln!(out, "needs_review = {}", q(&why.join("; ")));
        }
        out.push('\n');
    }
    (out, id_of)
}

/// overview.toml: the overview table's cells with the ministries' shares.
fn overview_toml(d: &Draft, shown: &str) -> String {
    let mut out = header(
        shown,
        "The overview table: each row total and the ministries' shares, by the marks printed.",
    );
    out.push_str("item = []\namount = []\n\n");
    for c in &d.table {
        let _ = writeln!(
            out,
            "[[table]]\ncategory = {}\nkind = {}",
            q(c.category),
            q(c.kind)
        );
        if let Some(y) = c.fiscal_year {
            let _ = writeln!(out, "fiscal_year = {y}");
        }
        let shares: Vec<String> = c.shares.iter().map(|(m, v)| format!("{m} = {v}")).collect();
        let _ = writeln!(
            out,
            "line = {}\noku = {}\nprinted = {}\nshares = {{ {} }}\n",
            c.amount.line,
            c.amount.oku,
            q(&c.amount.printed),
            shares.join(", ")
        );
    }
    out
}

/// projects/pN.toml of one project: its record, focus areas, entries, amounts, groups, figures.
fn project_toml(
    p: &Project,
    known: &Known,
    id_of: &BTreeMap<String, String>,
    shown: &str,
) -> String {
    let mut out = header(shown, &format!("Project {}: {}.", p.number, p.ja));
    project_record(&mut out, p, known);
    focus_areas_and_entries(&mut out, p, id_of);
    let within = within_amounts(p);
    write_within_amounts(&mut out, &within);
    write_groups(&mut out, p, id_of);
    write_figures(&mut out, p, &within, id_of);
    out
}

/// The `[project]` record and its `[amounts]` (total, amed, inhouse).
fn project_record(out: &mut String, p: &Project, known: &Known) {
    let (id, en) = known
        .projects
        .get(&p.ja)
        .cloned()
        .unwrap_or((format!("project-{}", p.number), String::new()));
    let (desc, desc_line) = p.description.clone().unwrap_or_default();
    let _ = writeln!(
        out,
        "[project]\nnumber = {}\nid = {}\nja = {}\nen = {}\nline = {}\ndescription_ja = {}\ndescription_line = {}\n",
        p.number,
        q(&id),
        q(&p.ja),
        q(&en),
        p.line,
        q(&desc),
        desc_line
    );
    out.push_str("[amounts]\n");
    let fig = |list: &[&Printed]| -> String {
        let lines: Vec<String> = list.iter().map(|a| a.line.to_string()).collect();
        format!(
            "{{ oku = {}, lines = [{}], printed = {} }}",
            list[0].oku,
            lines.join(", "),
            q(&list[0].printed)
        )
    };
    if let Some(t) = &p.total {
        let _ = writeln!(out, "total = {}", fig(&[t]));
    }
    for (key, list) in [("amed", &p.amed), ("inhouse", &p.inhouse)] {
        if list.is_empty() {
            continue;
        }
        let refs: Vec<&Printed> = list.iter().collect();
        if refs.iter().any(|a| a.oku != refs[0].oku) {
            let _ = writeln!(
                out,
                "# needs_review: the {key} figure is printed with different values on lines {:?}",
                refs.iter().map(|a| a.line).collect::<Vec<_>>()
            );
        }
        let _ = writeln!(out, "{key} = {}", fig(&refs));
    }
    out.push('\n');
}

/// The project's `[[focus_area]]` records, then its `[[entry]]` records with their initiatives.
fn focus_areas_and_entries(out: &mut String, p: &Project, id_of: &BTreeMap<String, String>) {
    for (k, (ja, line)) in p.focus_areas.iter().enumerate() {
        let _ = writeln!(
            out,
            "[[focus_area]]\nid = {}\nja = {}\nen = \"\"\nline = {line}\n",
            q(&format!("p{}-focus-{}", p.number, k + 1)),
            q(ja)
        );
    }
    for e in &p.entries {
        let _ = writeln!(
            out,
            "[[entry]]\nprogram = {}  # {}\nline = {}",
            q(&id_of[&e.name]),
            comment(&e.name),
            e.line
        );
        if let Some(fa) = e.focus_area {
            let _ = writeln!(
                out,
                "focus_area = {}",
                q(&format!("p{}-focus-{}", p.number, fa + 1))
            );
        }
        if e.new {
            out.push_str("status = \"new\"\n");
        }
        if let Some((note, line)) = &e.note {
            let _ = writeln!(out, "note = {}\nnote_line = {line}", q(note));
        }
        if let Some(why) = &e.needs_review {
            let _ = writeln!(out, "needs_review = {}", q(why));
        }
        out.push('\n');
        for i in &e.initiatives {
            let _ = writeln!(
                out,
                "[[entry.initiative]]\nline = {}\nstatus = {}\ntext = {}\n",
                i.line,
                q(i.status),
                q(&i.text)
            );
        }
    }
}

/// The project's 「の内数」 figures grouped by amount: (amount id, the lines that print it).
fn within_amounts(p: &Project) -> Vec<(String, Vec<&FigureLine>)> {
    // 「N億円の内数」: one amount for the larger whole, shared by the lines that print it.
    let mut within: Vec<(String, Vec<&FigureLine>)> = Vec::new();
    for f in p.figures.iter().filter(|f| f.within) {
        let a = f.amount.as_ref().unwrap();
        match within.iter_mut().find(|(_, l)| {
            l[0].amount
                .as_ref()
                .is_some_and(|b| b.oku == a.oku && b.printed == a.printed)
        }) {
            Some((_, l)) => l.push(f),
            None => within.push((format!("p{}-within-{}", p.number, a.line), vec![f])),
        }
    }
    within
}

/// One `[[amount]]` record per 「の内数」 amount, for review.
fn write_within_amounts(out: &mut String, within: &[(String, Vec<&FigureLine>)]) {
    for (id, list) in within {
        let a = list[0].amount.as_ref().unwrap();
        let lines: Vec<String> = list
            .iter()
            .map(|f| f.amount.as_ref().unwrap().line.to_string())
            .collect();
        let _ = writeln!(
            out,
            "[[amount]]\nid = {}\nfor = \"\"\nkind = \"total\"\ncategory = \"amed\"\noku = {}\nlines = [{}]\nprinted = {}\nneeds_review = {}\n",
            q(id),
            a.oku,
            lines.join(", "),
            q(&a.printed),
            q("「の内数」: the figure of a larger whole that these lines are part of; say which program or group it is for (kind and category as printed on the page)")
        );
    }
}

/// The project's `[[group]]` records: programs printed under one figure.
fn write_groups(out: &mut String, p: &Project, id_of: &BTreeMap<String, String>) {
    for (g, gl) in p.groups.iter().enumerate() {
        let members: Vec<String> = gl.members.iter().map(|m| id_of[m].clone()).collect();
        let _ = writeln!(
            out,
            "[[group]]\nid = {}\nja = {}\nen = \"\"\nprinted = {}\nline = {}\nmembers = {}\nneeds_review = {}\n",
            q(&format!("p{}-group-{}", p.number, g + 1)),
            q(&gl.printed),
            q(&gl.printed),
            gl.line,
            ids(&members),
            q(&gl.needs_review)
        );
    }
}

/// The project's `[[figure]]` records, one per figure line.
fn write_figures(
    out: &mut String,
    p: &Project,
    within: &[(String, Vec<&FigureLine>)],
    id_of: &BTreeMap<String, String>,
) {
    for f in &p.figures {
        out.push_str("[[figure]]\n");
        match (&f.name, f.group) {
            (Some(n), _) => {
                let _ = writeln!(out, "program = {}  # {}", q(&id_of[n]), comment(n));
            }
            (None, Some(g)) => {
                let _ = writeln!(
                    out,
                    "group = {}",
                    q(&format!("p{}-group-{}", p.number, g + 1))
                );
            }
            (None, None) => out.push_str("program = \"\"\n"),
        }
        let _ = writeln!(out, "line = {}", f.line);
        if f.repost {
            out.push_str("repost = true\n");
        }
        if let Some((t, l)) = &f.text {
            let _ = writeln!(out, "text = {}", q(t));
            if *l != f.line {
                let _ = writeln!(out, "text_line = {l}");
            }
        }
        if let Some(a) = &f.amount {
            if f.within {
                let id = within
                    .iter()
                    .find(|(_, l)| l.iter().any(|x| x.line == f.line))
                    .map(|(id, _)| id.clone())
                    .unwrap_or_default();
                let _ = writeln!(out, "included_in = {}", q(&id));
            } else {
                let _ = writeln!(out, "amount = {}", amount(a));
            }
        }
        if f.inhouse {
            out.push_str("category = \"inhouse\"\n");
        }
        if let Some((n, l)) = &f.note {
            let _ = writeln!(out, "note = {}", q(&format!("{n} (line {l})")));
        }
        let why = f.needs_review.clone().or_else(|| {
            (f.amount.is_none() && f.group.is_none())
                .then(|| "a program printed in the figure without a figure of its own: which figure covers it needs judgement".to_owned())
        });
        if let Some(why) = why {
            let _ = writeln!(out, "needs_review = {}", q(&why));
        }
        out.push('\n');
    }
}

/// review.toml: figures outside the projects and lines the draft could not classify.
fn review_toml(d: &Draft, shown: &str) -> String {
    let mut out = header(shown, "What the draft could not place: figures outside the projects and lines it could not classify. Curate them by hand (overview.toml items and amounts, source.toml notes) or leave them.");
    for l in &d.loose {
        let _ = writeln!(
            out,
            "[[amount]]\nline = {}\noku = {}\nprinted = {}\ncontext = {}\nneeds_review = \"a figure outside the projects: what it is for, its kind and whether it is part of another\"\n",
            l.amount.line,
            l.amount.oku,
            q(&l.amount.printed),
            q(&l.context)
        );
    }
    for r in &d.unclassified {
        let _ = writeln!(
            out,
            "[[line]]\nline = {}\ntext = {}\nneeds_review = {}\n",
            r.line,
            q(&r.text),
            q(&r.why)
        );
    }
    out
}

/// Writes the files into `dir`, which must not exist or be empty; never overwrites.
pub fn write(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut rd) => {
            if rd.next().is_some() {
                return Err(Error::io(
                    dir,
                    std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "the output folder is not empty: medrd draft writes only into a new or empty folder, so it never overwrites curated data",
                    ),
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(dir, e)),
    }
    // Write into a staging folder beside it, then move it into place: a failure leaves no
    // half-written draft.
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "draft".into());
    let staging = parent.join(format!(".{name}.draft-{}", std::process::id()));
    // Created here, exclusively: a folder or link of that name is never written into.
    std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
    let result = (|| {
        for (rel, text) in files {
            let path = staging.join(rel);
            if let Some(p) = path.parent().filter(|p| *p != staging) {
                if !p.is_dir() {
                    std::fs::create_dir(p).map_err(|e| Error::io(p, e))?;
                }
            }
            crate::fence::write_entry(&path, false, |w| w.write_all(text.as_bytes()))?;
        }
        if !dir.exists() {
            return std::fs::rename(&staging, dir).map_err(|e| Error::io(dir, e));
        }
        // An empty folder the user made stays theirs: move the staged entries into it.
        let entries = std::fs::read_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        for e in entries {
            let e = e.map_err(|e| Error::io(&staging, e))?;
            let to = dir.join(e.file_name());
            std::fs::rename(e.path(), &to).map_err(|e| Error::io(&to, e))?;
        }
        std::fs::remove_dir(&staging).map_err(|e| Error::io(&staging, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}
