//! The curated data of `data/` as Rust values: TOML deserialisation with file:line errors,
//! and the cross-file reference checks that must pass before anything reaches the store.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// An amount in 億円, held exactly in tenths (the document prints at most one decimal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Oku(pub i64);

impl Oku {
    /// The value in yen (1億円 = 10^8 yen).
    pub fn yen(self) -> i64 {
        self.0 * 10_000_000
    }
}

impl fmt::Display for Oku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 10 == 0 {
            write!(f, "{}", self.0 / 10)
        } else {
            write!(f, "{}.{}", self.0 / 10, (self.0 % 10).abs())
        }
    }
}

impl<'de> Deserialize<'de> for Oku {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        let tenths = (v * 10.0).round();
        // 10^7 億円 (10^15 yen) is far beyond any budget line and keeps yen() within i64.
        if !v.is_finite() || !(0.0..=1e7).contains(&v) || (tenths - v * 10.0).abs() > 1e-6 {
            return Err(serde::de::Error::custom(format!(
                "amount {v} is not a figure in 億円 from 0 to 10,000,000 with at most one decimal"
            )));
        }
        Ok(Oku(tenths as i64))
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Expanded,
    Unmarked,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Request,
    Demand,
    Total,
    Initial,
    /// 補正予算: a supplementary budget (here the FY2022 fund of the vaccine section).
    Supplementary,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Amed,
    Inhouse,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// `document` (absent means the same); other kinds are read by [`crate::ingest::sources`].
    pub kind: Option<String>,
    pub document: Document,
    pub section: Vec<Spanned<Section>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub publisher: String,
    pub fiscal_year: i32,
    pub text_file: String,
    /// Short titles for diagrams, tables and pages (default: the full title).
    pub short_ja: Option<String>,
    pub short_en: Option<String>,
    /// The caption printed on project pages and figure lines (「令和6年度概算要求額」).
    pub project_figure_label: Option<String>,
    /// The edition as the publisher names it.
    pub edition: Option<String>,
    /// What the document's totals are, as its tables name them (「概算要求・要望額」,
    /// "request + demand"): the captions of totals in diagrams and pages.
    pub totals_ja: Option<String>,
    pub totals_en: Option<String>,
    /// Date of issue (xsd:date or gYearMonth form) and the address it was taken from.
    pub issued: Option<String>,
    pub url: Option<String>,
    pub licence: String,
    pub licence_note: String,
    pub line: usize,
    /// Set by `medrd draft` where the text does not say (English title, publisher, licence…):
    /// a source with it left does not load.
    pub needs_review: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub page: Option<u32>,
    pub lines: [usize; 2],
    pub description_ja: Option<String>,
    pub description_line: Option<usize>,
    pub note: Option<String>,
    #[serde(default)]
    pub notes: Vec<SectionNote>,
    /// Set by `medrd draft`, which does not divide a text into sections.
    pub needs_review: Option<String>,
}

/// A statement of a section that is not a fact about one program or figure.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionNote {
    pub line: usize,
    pub ja: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationsFile {
    pub ministry: Vec<Spanned<Organization>>,
    pub agency: Vec<Spanned<Organization>>,
    pub institute: Vec<Spanned<Organization>>,
    /// Other government bodies (the publisher), neither ministries nor funders.
    pub body: Vec<Spanned<Organization>>,
}

impl OrganizationsFile {
    /// Every organisation: the ministries, agencies, institutes and other bodies, in that
    /// order.
    pub fn all(&self) -> impl Iterator<Item = &Spanned<Organization>> {
        [&self.ministry, &self.agency, &self.institute, &self.body]
            .into_iter()
            .flatten()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub short: Option<String>,
    pub legend: Option<String>,
    pub line: usize,
    /// Diagram colours (fill, border/line), `#rrggbb`.
    pub fill: Option<String>,
    pub line_colour: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemesFile {
    pub theme: Vec<Spanned<Theme>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramsFile {
    pub program: Vec<Spanned<Program>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub id: String,
    pub ja: String,
    pub en: String,
    #[serde(default)]
    pub ministries: Vec<String>,
    #[serde(default)]
    pub inferred_ministries: Vec<String>,
    pub ministry_reasoning: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    pub part_of: Option<String>,
    #[serde(default)]
    pub alt_ja: Vec<String>,
    /// The first line the program is printed on (written by `medrd draft`).
    pub line: Option<usize>,
    /// Left by `medrd draft` where a curator must decide; data with it does not load.
    pub needs_review: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverviewFile {
    pub table: Vec<Spanned<TableCell>>,
    pub item: Vec<Spanned<Item>>,
    pub amount: Vec<Spanned<Amount>>,
}

/// One cell group of the overview table: a row total and the ministries' shares.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableCell {
    pub category: Category,
    pub kind: Kind,
    pub fiscal_year: Option<i32>,
    pub line: usize,
    pub oku: Oku,
    pub shares: BTreeMap<String, Oku>,
    /// The cell as printed (written by `medrd draft`).
    pub printed: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub ministry: Option<String>,
    pub line: usize,
}

/// A figure with an explicit subject, used for amounts that are not tied to a table cell,
/// a project heading or a figure line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    pub id: String,
    #[serde(rename = "for")]
    pub for_: String,
    pub kind: Kind,
    pub category: Option<Category>,
    pub fiscal_year: Option<i32>,
    pub oku: Oku,
    pub line: Option<usize>,
    #[serde(default)]
    pub lines: Vec<usize>,
    pub printed: Option<String>,
    pub note: Option<String>,
    pub portion_of: Option<String>,
    pub needs_review: Option<String>,
}

impl Amount {
    /// Every line the amount is printed on.
    pub fn all_lines(&self) -> Vec<usize> {
        self.line.iter().chain(&self.lines).copied().collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    pub project: ProjectHead,
    pub amounts: ProjectAmounts,
    #[serde(default)]
    pub focus_area: Vec<Spanned<FocusArea>>,
    #[serde(default)]
    pub entry: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub figure: Vec<Spanned<Figure>>,
    #[serde(default)]
    pub group: Vec<Spanned<Group>>,
    #[serde(default)]
    pub amount: Vec<Spanned<Amount>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectHead {
    pub number: u8,
    pub id: String,
    pub ja: String,
    pub en: String,
    pub line: usize,
    pub description_ja: String,
    pub description_line: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectAmounts {
    pub total: Figure1,
    pub amed: Option<Figure1>,
    pub inhouse: Option<Figure1>,
}

/// A project-level figure and the lines it is printed on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure1 {
    pub oku: Oku,
    pub lines: Vec<usize>,
    /// The figure as printed (written by `medrd draft`).
    pub printed: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocusArea {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub line: usize,
}

/// A ◆ program on a key-points page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub program: String,
    pub line: usize,
    pub focus_area: Option<String>,
    pub status: Option<Status>,
    pub note: Option<String>,
    pub note_line: Option<usize>,
    #[serde(default)]
    pub initiative: Vec<Spanned<Initiative>>,
    pub needs_review: Option<String>,
}

/// A ✓ line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Initiative {
    pub line: usize,
    pub status: Status,
    pub text: String,
}

/// A line of a project overview figure.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub program: Option<String>,
    pub group: Option<String>,
    pub line: usize,
    pub text: Option<String>,
    pub text_line: Option<usize>,
    pub amount: Option<LineAmount>,
    pub included_in: Option<String>,
    pub category: Option<Category>,
    /// The in-house institute the line names (e.g. the National Centers).
    pub institute: Option<String>,
    #[serde(default)]
    pub repost: bool,
    pub inferred_program: Option<String>,
    pub note: Option<String>,
    pub needs_review: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineAmount {
    pub oku: Oku,
    pub line: usize,
    /// The figure as printed (written by `medrd draft`).
    pub printed: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub ja: String,
    pub en: String,
    /// The group's line exactly as printed, where the label is ours.
    pub printed: Option<String>,
    pub line: usize,
    pub members: Vec<String>,
    /// Members not printed on the group's line, with `members_reasoning`.
    #[serde(default)]
    pub inferred_members: Vec<String>,
    pub members_reasoning: Option<String>,
    pub note: Option<String>,
    pub needs_review: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksFile {
    pub linkage: Vec<Spanned<Linkage>>,
    pub feeds: Vec<Spanned<Feeds>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linkage {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub programs: Vec<String>,
    pub lines: Vec<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feeds {
    pub from: u8,
    pub to: Vec<u8>,
    pub lines: Vec<usize>,
}

/// A parsed file with the path and text needed to turn byte spans into line numbers.
#[derive(Debug)]
pub struct Parsed<T> {
    pub path: PathBuf,
    text: String,
    pub value: T,
}

impl<T> Parsed<T> {
    /// The 1-based line of a byte offset in this file.
    pub fn line_of<U>(&self, spanned: &Spanned<U>) -> usize {
        line_at(&self.text, spanned.span().start)
    }

    /// An error located at a spanned record of this file.
    pub fn error<U>(&self, at: &Spanned<U>, message: impl Into<String>) -> Error {
        Error::data(&self.path, self.line_of(at), message)
    }

    /// An error at record `at` unless `ids` holds `id`, a reference to a `kind` of record.
    fn check_ref<U>(
        &self,
        at: &Spanned<U>,
        ids: &HashSet<&str>,
        kind: &str,
        id: &str,
    ) -> Result<()> {
        if ids.contains(id) {
            Ok(())
        } else {
            Err(self.error(at, unknown(kind, id)))
        }
    }

    /// An error at the first of `records` still marked `needs_review` (`why` reads the
    /// field): a draft decision left open.
    fn no_open_review<U>(
        &self,
        records: &[Spanned<U>],
        why: impl Fn(&U) -> Option<&String>,
    ) -> Result<()> {
        match records
            .iter()
            .find_map(|r| why(r.get_ref()).map(|w| (r, w)))
        {
            Some((r, w)) => Err(self.error(r, review(w))),
            None => Ok(()),
        }
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn parse<T: DeserializeOwned>(path: &Path) -> Result<Parsed<T>> {
    let text = crate::inputs::read_utf8(path, crate::inputs::MAX_SMALL_FILE)?;
    let value = toml::from_str(&text).map_err(|e: toml::de::Error| {
        let line = e.span().map_or(1, |s| line_at(&text, s.start));
        Error::data(path, line, e.message().trim().to_owned())
    })?;
    Ok(Parsed {
        path: path.to_owned(),
        text,
        value,
    })
}

/// Reads an optional TOML file (a missing file is `None`), with file:line errors like the
/// rest of `data/`.
pub fn read_optional_toml<T: DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => parse(path).map(|p| Some(p.value)),
    }
}

/// One document source: the shared files at the top of `data/` (organisations, themes) and
/// the document's own folder `data/<slug>/`, parsed and cross-checked.
#[derive(Debug)]
pub struct Data {
    /// The document's folder (`data/<slug>/`).
    pub dir: PathBuf,
    /// The folder name: the source's slug, which names its graph.
    pub slug: String,
    pub source: Parsed<SourceFile>,
    pub organizations: Parsed<OrganizationsFile>,
    pub themes: Parsed<ThemesFile>,
    pub programs: Parsed<ProgramsFile>,
    pub overview: Parsed<OverviewFile>,
    pub projects: Vec<Parsed<ProjectFile>>,
    pub links: Parsed<LinksFile>,
}

impl Data {
    /// Reads the shared files of `data_root` and every file of the document folder `dir`
    /// (projects from `dir/projects/*.toml`, in name order) and checks that every reference
    /// between them resolves.
    pub fn load(data_root: &Path, dir: &Path) -> Result<Self> {
        let projects_dir = dir.join("projects");
        // A document without integrated projects (a folder with no projects/) has none.
        let mut project_paths: Vec<PathBuf> = match std::fs::read_dir(&projects_dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            entries => entries
                .map_err(|e| Error::io(&projects_dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect(),
        };
        project_paths.sort();
        // A folder without one of these is not a document yet (a draft of an older medrd
        // had no links.toml): say what it lacks, not "No such file".
        for name in ["programs.toml", "overview.toml", "links.toml"] {
            if std::fs::symlink_metadata(dir.join(name)).is_err() {
                return Err(Error::data(
                    dir.join("source.toml"),
                    1,
                    format!(
                        "the document folder has no {name}: a document source holds \
                         source.toml, programs.toml, overview.toml and links.toml (`linkage = \
                         []` and `feeds = []` when its projects have no links), as the \
                         document folders of data/ do"
                    ),
                ));
            }
        }
        let data = Data {
            dir: dir.to_owned(),
            slug: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            source: parse(&dir.join("source.toml"))?,
            organizations: parse(&data_root.join("organizations.toml"))?,
            themes: parse(&data_root.join("themes.toml"))?,
            programs: parse(&dir.join("programs.toml"))?,
            overview: parse(&dir.join("overview.toml"))?,
            projects: project_paths
                .iter()
                .map(|p| parse(p))
                .collect::<Result<_>>()?,
            links: parse(&dir.join("links.toml"))?,
        };
        data.check_references()?;
        Ok(data)
    }

    /// The text of the source document, one entry per line (index 0 is line 1).
    pub fn source_lines(&self) -> Result<Vec<String>> {
        let path = self.dir.join(&self.source.value.document.text_file);
        let text = crate::inputs::read_utf8(&path, crate::inputs::MAX_DRAFT_TEXT)?;
        Ok(text.lines().map(str::to_owned).collect())
    }

    pub fn ministries(&self) -> impl Iterator<Item = &Organization> {
        self.organizations
            .value
            .ministry
            .iter()
            .map(|m| m.get_ref())
    }

    pub fn program(&self, id: &str) -> Option<&Program> {
        self.programs
            .value
            .program
            .iter()
            .map(|p| p.get_ref())
            .find(|p| p.id == id)
    }

    /// The section (and so the page) a line of the source falls in.
    pub fn section_of(&self, line: usize) -> Option<&Section> {
        self.source
            .value
            .section
            .iter()
            .map(|s| s.get_ref())
            .find(|s| s.lines[0] <= line && line <= s.lines[1])
    }

    /// Checks every reference between the files (and that no draft decision is left open),
    /// stopping at the first problem, in the order of the steps below.
    fn check_references(&self) -> Result<()> {
        let known = self.known();
        let last_line = self.source_lines()?.len();
        self.check_open_reviews()?;
        self.check_source(&known, last_line)?;
        let mut unique = UniqueIds::default();
        self.check_unique_ids(&mut unique)?;
        self.check_colours()?;
        self.check_programs(&known, &mut unique)?;
        self.check_overview(&known, &mut unique)?;
        for f in &self.projects {
            check_project(f, &known)?;
        }
        self.check_links(&known)
    }

    /// The ids of every kind of record, as references name them.
    fn known(&self) -> Known<'_> {
        Known {
            ministries: self.ministries().map(|m| m.id.as_str()).collect(),
            orgs: self
                .organizations
                .value
                .all()
                .map(|o| o.get_ref().id.as_str())
                .collect(),
            themes: self
                .themes
                .value
                .theme
                .iter()
                .map(|t| t.get_ref().id.as_str())
                .collect(),
            programs: self
                .programs
                .value
                .program
                .iter()
                .map(|p| p.get_ref().id.as_str())
                .collect(),
            groups: self
                .projects
                .iter()
                .flat_map(|f| &f.value.group)
                .map(|g| g.get_ref().id.as_str())
                .collect(),
            items: self
                .overview
                .value
                .item
                .iter()
                .map(|i| i.get_ref().id.as_str())
                .collect(),
            amounts: self
                .projects
                .iter()
                .flat_map(|f| &f.value.amount)
                .chain(&self.overview.value.amount)
                .map(|a| a.get_ref().id.as_str())
                .collect(),
            projects: self
                .projects
                .iter()
                .map(|f| f.value.project.number)
                .collect(),
        }
    }

    /// No record still carries `needs_review` (an open draft decision): programs, overview
    /// amounts, each project's entries, figures, groups and amounts, the document, sections.
    fn check_open_reviews(&self) -> Result<()> {
        let pf = &self.programs;
        pf.no_open_review(&pf.value.program, |p| p.needs_review.as_ref())?;
        let ov = &self.overview;
        ov.no_open_review(&ov.value.amount, |a| a.needs_review.as_ref())?;
        for f in &self.projects {
            let v = &f.value;
            f.no_open_review(&v.entry, |x| x.needs_review.as_ref())?;
            f.no_open_review(&v.figure, |x| x.needs_review.as_ref())?;
            f.no_open_review(&v.group, |x| x.needs_review.as_ref())?;
            f.no_open_review(&v.amount, |x| x.needs_review.as_ref())?;
        }
        let src = &self.source;
        if let Some(why) = &src.value.document.needs_review {
            // the line of the field (else of the table)
            let table = src.text.find("[document]").unwrap_or(0);
            let at = src.text[table..]
                .find("needs_review")
                .map_or(table, |i| table + i);
            let line = line_at(&src.text, at);
            return Err(Error::data(&src.path, line, review(why)));
        }
        src.no_open_review(&src.value.section, |s| s.needs_review.as_ref())
    }

    /// The document's publisher is a known organisation and its sections' lines lie within
    /// the text.
    fn check_source(&self, known: &Known, last_line: usize) -> Result<()> {
        let src = &self.source;
        if !known.orgs.contains(src.value.document.publisher.as_str()) {
            return Err(Error::data(
                &src.path,
                1,
                unknown("organization", &src.value.document.publisher),
            ));
        }
        for s in &src.value.section {
            let [a, b] = s.get_ref().lines;
            if a == 0 || a > b || b > last_line {
                return Err(src.error(
                    s,
                    format!("section lines {a}-{b} are not within 1-{last_line}"),
                ));
            }
        }
        Ok(())
    }

    /// Each id of organisations, themes, linkages, amounts, projects, focus areas and groups
    /// is used once (programs and items are checked with their references, later).
    fn check_unique_ids(&self, unique: &mut UniqueIds) -> Result<()> {
        let of = &self.organizations;
        for o in of.value.all() {
            unique.check("organization", &of.path, of.line_of(o), &o.get_ref().id)?;
        }
        let tf = &self.themes;
        for t in &tf.value.theme {
            unique.check("theme", &tf.path, tf.line_of(t), &t.get_ref().id)?;
        }
        let lf = &self.links;
        for l in &lf.value.linkage {
            unique.check("linkage", &lf.path, lf.line_of(l), &l.get_ref().id)?;
        }
        let ov = &self.overview;
        for a in &ov.value.amount {
            unique.check("amount", &ov.path, ov.line_of(a), &a.get_ref().id)?;
        }
        for f in &self.projects {
            unique.check("project", &f.path, 1, &f.value.project.number.to_string())?;
            for fa in &f.value.focus_area {
                unique.check("focus area", &f.path, f.line_of(fa), &fa.get_ref().id)?;
            }
            for g in &f.value.group {
                unique.check("group", &f.path, f.line_of(g), &g.get_ref().id)?;
            }
            for a in &f.value.amount {
                unique.check("amount", &f.path, f.line_of(a), &a.get_ref().id)?;
            }
        }
        Ok(())
    }

    /// Each organisation's diagram colours are `#rrggbb`: they are written into the DOT of
    /// the diagrams, inside the legend's HTML label too, where anything else would break it.
    fn check_colours(&self) -> Result<()> {
        let of = &self.organizations;
        for o in of.value.all() {
            let org = o.get_ref();
            for (field, colour) in [("fill", &org.fill), ("line_colour", &org.line_colour)] {
                if let Some(c) = colour.as_deref().filter(|c| !is_hex_colour(c)) {
                    return Err(of.error(
                        o,
                        format!(
                            "organization {}: {field} {c:?} is not a colour #rrggbb",
                            org.id
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Each program: a unique id, known ministries (at least one; inferred ones with their
    /// reasoning), known themes and a known parent.
    fn check_programs(&self, known: &Known, unique: &mut UniqueIds) -> Result<()> {
        let pf = &self.programs;
        for p in &pf.value.program {
            let v = p.get_ref();
            unique.check("program", &pf.path, pf.line_of(p), &v.id)?;
            for m in v.ministries.iter().chain(&v.inferred_ministries) {
                pf.check_ref(p, &known.ministries, "ministry", m)?;
            }
            if v.ministries.is_empty() && v.inferred_ministries.is_empty() {
                return Err(pf.error(p, format!("program {:?} has no ministry", v.id)));
            }
            if !v.inferred_ministries.is_empty() && v.ministry_reasoning.is_none() {
                return Err(pf.error(p, "inferred_ministries needs ministry_reasoning"));
            }
            for t in &v.themes {
                pf.check_ref(p, &known.themes, "theme", t)?;
            }
            if let Some(parent) = &v.part_of {
                pf.check_ref(p, &known.programs, "program", parent)?;
            }
        }
        Ok(())
    }

    /// The overview: the table's shares name known ministries, each item has a unique id
    /// and a known ministry, each amount resolves.
    fn check_overview(&self, known: &Known, unique: &mut UniqueIds) -> Result<()> {
        let ov = &self.overview;
        for c in &ov.value.table {
            for m in c.get_ref().shares.keys() {
                ov.check_ref(c, &known.ministries, "ministry", m)?;
            }
        }
        for i in &ov.value.item {
            unique.check("item", &ov.path, ov.line_of(i), &i.get_ref().id)?;
            if let Some(m) = &i.get_ref().ministry {
                ov.check_ref(i, &known.ministries, "ministry", m)?;
            }
        }
        for a in &ov.value.amount {
            check_amount(known, &ov.path, ov.line_of(a), a.get_ref())?;
        }
        Ok(())
    }

    /// The linkages name known programs, the feeds known projects.
    fn check_links(&self, known: &Known) -> Result<()> {
        let lf = &self.links;
        for l in &lf.value.linkage {
            for p in &l.get_ref().programs {
                lf.check_ref(l, &known.programs, "program", p)?;
            }
        }
        for fd in &lf.value.feeds {
            let v = fd.get_ref();
            for n in std::iter::once(&v.from).chain(&v.to) {
                if !known.projects.contains(n) {
                    return Err(lf.error(fd, format!("unknown project {n}")));
                }
            }
        }
        Ok(())
    }
}

/// The ids of every kind of record of one document, as references name them.
struct Known<'a> {
    ministries: HashSet<&'a str>,
    orgs: HashSet<&'a str>,
    themes: HashSet<&'a str>,
    programs: HashSet<&'a str>,
    groups: HashSet<&'a str>,
    items: HashSet<&'a str>,
    amounts: HashSet<&'a str>,
    projects: HashSet<u8>,
}

/// Ids become IRIs (id/<kind>/<id>): two records of one kind with one id would merge.
#[derive(Default)]
struct UniqueIds {
    seen: HashSet<(&'static str, String)>,
}

impl UniqueIds {
    /// An error at `path:line` when `id` was seen before for a record of this kind.
    fn check(&mut self, kind: &'static str, path: &Path, line: usize, id: &str) -> Result<()> {
        if self.seen.insert((kind, id.to_owned())) {
            Ok(())
        } else {
            Err(Error::data(
                path,
                line,
                format!("{kind} id {id:?} is used twice"),
            ))
        }
    }
}

fn unknown(kind: &str, id: &str) -> String {
    format!("unknown {kind} {id:?}")
}

fn review(why: &str) -> String {
    format!(
        "needs_review = {why:?}: a draft decision is still open; resolve it and remove the field"
    )
}

/// Whether `c` is `#` and six hexadecimal digits.
fn is_hex_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// An amount is for a known program, group or item, a portion of a known amount, and
/// cites a line.
fn check_amount(known: &Known, path: &Path, line: usize, v: &Amount) -> Result<()> {
    let subject_ok = |id: &str| {
        known.programs.contains(id) || known.groups.contains(id) || known.items.contains(id)
    };
    if !subject_ok(&v.for_) {
        return Err(Error::data(
            path,
            line,
            unknown("program, group or item", &v.for_),
        ));
    }
    if let Some(p) = &v.portion_of {
        if !known.amounts.contains(p.as_str()) {
            return Err(Error::data(path, line, unknown("amount", p)));
        }
    }
    if v.all_lines().is_empty() {
        return Err(Error::data(path, line, "amount needs `line` or `lines`"));
    }
    Ok(())
}

/// One project file: its amounts resolve, its groups' members are known programs, its
/// entries name known programs and focus areas of its own (and are never marked 拡充), its
/// figure lines name one program or one of its groups and known amounts and institutes.
fn check_project(f: &Parsed<ProjectFile>, known: &Known) -> Result<()> {
    let v = &f.value;
    let focus: HashSet<&str> = v
        .focus_area
        .iter()
        .map(|x| x.get_ref().id.as_str())
        .collect();
    for a in &v.amount {
        check_amount(known, &f.path, f.line_of(a), a.get_ref())?;
    }
    for g in &v.group {
        let gv = g.get_ref();
        for m in gv.members.iter().chain(&gv.inferred_members) {
            f.check_ref(g, &known.programs, "program", m)?;
        }
        if !gv.inferred_members.is_empty() && gv.members_reasoning.is_none() {
            return Err(f.error(g, "inferred_members needs members_reasoning"));
        }
    }
    for e in &v.entry {
        let ev = e.get_ref();
        f.check_ref(e, &known.programs, "program", &ev.program)?;
        if let Some(fa) = &ev.focus_area {
            f.check_ref(e, &focus, "focus area", fa)?;
        }
        if ev.status == Some(Status::Expanded) {
            return Err(f.error(e, "a program can only be marked new (【新規】)"));
        }
    }
    for x in &v.figure {
        check_figure(f, x, known)?;
    }
    Ok(())
}

/// A figure line names exactly one of a known program or a group of its own project file,
/// and only known amounts and institutes.
fn check_figure(f: &Parsed<ProjectFile>, x: &Spanned<Figure>, known: &Known) -> Result<()> {
    let xv = x.get_ref();
    let v = &f.value;
    match (&xv.program, &xv.group) {
        (Some(p), None) if known.programs.contains(p.as_str()) => {}
        (None, Some(g)) if v.group.iter().any(|gg| &gg.get_ref().id == g) => {}
        (Some(p), None) => return Err(f.error(x, unknown("program", p))),
        (None, Some(g)) => {
            return Err(f.error(
                x,
                format!(
                    "unknown group {g:?} (a figure line names a group of its own project file)"
                ),
            ))
        }
        _ => return Err(f.error(x, "a figure line names exactly one of `program` or `group`")),
    }
    if let Some(i) = &xv.included_in {
        f.check_ref(x, &known.amounts, "amount", i)?;
    }
    if let Some(i) = &xv.institute {
        f.check_ref(x, &known.orgs, "organization", i)?;
    }
    Ok(())
}
