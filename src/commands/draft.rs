//! `medrd draft SOURCE.txt -o DIR | --check DIR`: drafts a source folder from a summary text,
//! or compares the draft with a curated source folder.

use anyhow::Context;
use medrd_kg::draft::{self, check, write};
use medrd_kg::inputs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(
    root: &Path,
    source: &Path,
    output: Option<&Path>,
    check_dir: Option<&Path>,
    organizations: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let orgs = organizations_path(root, check_dir, organizations);
    let marks = draft::marks(&orgs)?;
    let bytes = inputs::read(source, inputs::MAX_DRAFT_TEXT)?;
    let (text, encoding) = inputs::decode_text(source, bytes)?;
    if encoding == inputs::Encoding::ShiftJis && output.is_some() {
        eprintln!(
            "note: {} is Shift_JIS (CP932): read as such, and copied into the draft in UTF-8 \
             (the lines are the same)",
            inputs::shown(source)
        );
    }
    let d = draft::draft_text(source, &text, &marks)
        .with_context(|| format!("drafting {}", inputs::shown(source)))?;
    if let Some(dir) = check_dir {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let report = check::check(&d, &lines, dir)
            .with_context(|| format!("reading the curated data of {}", dir.display()))?;
        print_report(&report);
        return Ok(if report.passed() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let dir = output.context("give -o DIR or --check DIR")?;
    let known = write::Known::read(&root.join("data"))
        .context("reading the curated ids of data/ (to keep programs' ids)")?;
    // The folder's name is the source's id (and its graph's), as for the folders of data/.
    let slug = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .context("-o DIR: give a folder with a name (it becomes the source's id)")?;
    let files = write::render(&d, &text, &slug, &known).context("drafting the source folder")?;
    write::write(dir, &files).context("writing the draft")?;
    let open = files
        .values()
        .map(|t| t.matches("\nneeds_review = ").count())
        .sum::<usize>();
    let programs = d.programs().len();
    let entries: usize = d.projects.iter().map(|p| p.entries.len()).sum();
    let inits: usize = d
        .projects
        .iter()
        .flat_map(|p| &p.entries)
        .map(|e| e.initiatives.len())
        .sum();
    let figures: usize = d.projects.iter().map(|p| p.figures.len()).sum();
    eprintln!(
        "drafted {}: {} projects, {programs} programs, {entries} ◆ entries, {inits} ✓ initiatives, {figures} figure lines, {} table cells; {open} records need review (needs_review)",
        inputs::shown(dir),
        d.projects.len(),
        d.table.len()
    );
    for f in files.keys() {
        println!("{}", inputs::shown(&dir.join(f)));
    }
    Ok(ExitCode::SUCCESS)
}

fn organizations_path(root: &Path, check_dir: Option<&Path>, explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_owned();
    }
    if let Some(d) = check_dir {
        for c in [
            d.join("organizations.toml"),
            d.join("../organizations.toml"),
        ] {
            if c.is_file() {
                return c;
            }
        }
    }
    root.join("data/organizations.toml")
}

fn print_report(r: &check::Report) {
    println!("category             curated  found  agreement  missing  only_in_draft");
    for c in &r.categories {
        println!(
            "{:<20} {:>7}  {:>5}  {:>8.1}%  {:>7}  {:>13}",
            c.name,
            c.curated,
            c.found,
            c.percent(),
            c.missing.len(),
            c.extra.len()
        );
    }
    for c in &r.categories {
        for (l, f) in &c.missing {
            let at = if *l == 0 {
                "no line".to_owned()
            } else {
                format!("line {l}")
            };
            println!(
                "{}: {at}: curated, not drafted: {}",
                c.name,
                inputs::escape(f)
            );
        }
        for (l, f) in &c.extra {
            println!(
                "{}: line {l}: drafted, not curated: {}",
                c.name,
                inputs::escape(f)
            );
        }
    }
    for (l, f) in &r.not_stated {
        println!(
            "not stated: line {l}: drafted but not printed there: {}",
            inputs::escape(f)
        );
    }
    eprintln!(
        "{}: {} not stated in the text",
        if r.passed() {
            "agreement ≥ 95% in every category"
        } else {
            "FAIL"
        },
        r.not_stated.len()
    );
}
