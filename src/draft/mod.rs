//! `medrd draft`: reads a text conversion of a 概算要求のポイント summary and drafts the facts it
//! states plainly (projects, overview table, ◆ programs with ministry marks, ✓ initiatives,
//! figure lines with 億円 amounts), each with its line; what needs judgement is flagged
//! `needs_review` instead of guessed. `write` turns a draft into TOML, `check` compares it
//! with curated data.

pub mod check;
pub mod write;

use crate::error::{Error, Result};
use crate::ingest::document::records::Oku;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// Most figures outside the projects a draft holds (the FY2024 summary has 33): a text with
/// more is not a summary, and each costs a record of its own.
const MAX_LOOSE: usize = 10_000;

/// Most characters kept on each side of a loose figure as its context.
const CONTEXT: usize = 40;

/// The words around `line[start..end]`: up to [`CONTEXT`] characters on each side, `…`
/// where the line goes on.
fn excerpt(line: &str, start: usize, end: usize) -> String {
    let from = line[..start]
        .char_indices()
        .rev()
        .nth(CONTEXT - 1)
        .map_or(0, |(i, _)| i);
    let to = line[end..]
        .char_indices()
        .nth(CONTEXT)
        .map_or(line.len(), |(i, _)| end + i);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&line[from..to]);
    if to < line.len() {
        out.push('…');
    }
    out
}

/// A ministry as `organizations.toml` names it: id and its one-character mark.
#[derive(Clone, Debug)]
pub struct Mark {
    pub id: String,
    pub short: String,
}

/// An amount as printed: the value in 億円, its line and the text it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Printed {
    pub oku: Oku,
    pub line: usize,
    pub printed: String,
}

#[derive(Clone, Debug, Default)]
pub struct Project {
    pub number: u8,
    pub ja: String,
    pub line: usize,
    pub description: Option<(String, usize)>,
    pub total: Option<Printed>,
    pub amed: Vec<Printed>,
    pub inhouse: Vec<Printed>,
    pub focus_areas: Vec<(String, usize)>,
    pub entries: Vec<Entry>,
    pub figures: Vec<FigureLine>,
    pub groups: Vec<GroupLine>,
}

/// A ◆ line.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub line: usize,
    pub new: bool,
    pub ministries: Vec<String>,
    /// A second name printed in brackets after the name (`A事業(B事業)`).
    pub alt: Option<String>,
    pub focus_area: Option<usize>,
    pub note: Option<(String, usize)>,
    pub initiatives: Vec<Initiative>,
    pub needs_review: Option<String>,
}

/// A ✓ line (wrapped lines joined).
#[derive(Clone, Debug, PartialEq)]
pub struct Initiative {
    pub line: usize,
    /// "new", "expanded" or "unmarked", as in the record schema.
    pub status: &'static str,
    pub text: String,
}

/// A line of a project's overview figure (● or - name, its text, 概算要求額 N億円).
#[derive(Clone, Debug, Default)]
pub struct FigureLine {
    pub name: Option<String>,
    pub line: usize,
    pub text: Option<(String, usize)>,
    pub amount: Option<Printed>,
    /// 「N億円の内数」: the amount is of a larger whole, not of this line.
    pub within: bool,
    pub repost: bool,
    pub inhouse: bool,
    pub group: Option<usize>,
    pub note: Option<(String, usize)>,
    pub needs_review: Option<String>,
}

/// Names printed together on one figure line (A / B / C, or A/B).
#[derive(Clone, Debug)]
pub struct GroupLine {
    pub line: usize,
    pub printed: String,
    pub members: Vec<String>,
    pub needs_review: String,
}

/// One group of cells of the overview table.
#[derive(Clone, Debug)]
pub struct Cell {
    pub category: &'static str,
    pub kind: &'static str,
    pub fiscal_year: Option<i32>,
    pub amount: Printed,
    pub shares: BTreeMap<String, Oku>,
}

/// A figure the draft found but cannot attach to anything by itself.
#[derive(Clone, Debug)]
pub struct Loose {
    pub amount: Printed,
    pub context: String,
}

/// A line that needs a curator's judgement, with why.
#[derive(Clone, Debug)]
pub struct Review {
    pub line: usize,
    pub text: String,
    pub why: String,
}

/// Everything drafted from one text.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub source: PathBuf,
    pub title: Option<(String, usize)>,
    pub fiscal_year: Option<i32>,
    pub projects: Vec<Project>,
    pub table: Vec<Cell>,
    pub loose: Vec<Loose>,
    pub unclassified: Vec<Review>,
}

impl Draft {
    /// Every program named in the draft with the ministries printed beside it (merged over
    /// its lines), its first line, and whether a ◆ line printed a ministry for it.
    pub fn programs(&self) -> Vec<DraftProgram> {
        let mut out: Vec<DraftProgram> = Vec::new();
        let mut add = |name: &str, line: usize, ministries: &[String], alt: Option<&String>| {
            let i = match out.iter().position(|p| p.ja == name) {
                Some(i) => i,
                None => {
                    out.push(DraftProgram {
                        ja: name.to_owned(),
                        line,
                        ministries: Vec::new(),
                        alt_ja: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            if let Some(a) = alt {
                if !out[i].alt_ja.contains(a) {
                    out[i].alt_ja.push(a.clone());
                }
            }
            for m in ministries {
                if !out[i].ministries.contains(m) {
                    out[i].ministries.push(m.clone());
                }
            }
        };
        for p in &self.projects {
            for e in &p.entries {
                add(&e.name, e.line, &e.ministries, e.alt.as_ref());
            }
            for f in &p.figures {
                if let Some(n) = &f.name {
                    add(n, f.line, &[], None);
                }
            }
            for g in &p.groups {
                for m in &g.members {
                    add(m, g.line, &[], None);
                }
            }
        }
        out
    }
}

#[derive(Clone, Debug)]
pub struct DraftProgram {
    pub ja: String,
    pub alt_ja: Vec<String>,
    pub line: usize,
    pub ministries: Vec<String>,
}

static COMMA_DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d),\s*(\d{3})").unwrap());
static OKU_SPACES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"億\s+円").unwrap());
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d+(?:\.\d)?)\s*億円").unwrap());
static SUMMARY_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:第?(\d+)[.、．)]?\s*)?(\S*プロジェクト)\s+(\d+(?:\.\d)?)億円\s*<(.*)>$")
        .unwrap()
});
static PAGE_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:第?(\d+)[.、．)]?\s*)?(\S*プロジェクト)$").unwrap());
static POINTS_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:第?(\d+)[.、．)]?\s*)?(\S*プロジェクト)\s*令和\S*年度\S*のポイント$").unwrap()
});
static PAGE_AMOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^令和\S*年度概算要求額\s*(\d+(?:\.\d)?)億円$").unwrap());
static FIGURE_AMOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"概算要求額\s*(\d+(?:\.\d)?)億円(の内数)?").unwrap());
static SECOND_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([^()]+事業)\(([^()]+事業)\)$").unwrap());
static TITLE_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"令和(\d+)年度.*概算要求のポイント").unwrap());
static TABLE_CELL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+(?:\.\d)?)億円\s*(?:\((.*)\))?$").unwrap());

/// A line made comparable: NFKC of the full-width and half-width forms only (digits,
/// brackets, colons, the ideographic space; ①, ※ and the like stay as printed), bold and
/// italic markers removed, `1, 489` → `1489`, `億 円` → `億円`, trimmed.
pub fn normalize(line: &str) -> String {
    let s: String = line
        .chars()
        .flat_map(|c| {
            let width_form = ('\u{FF01}'..='\u{FFEF}').contains(&c) || c == '\u{3000}';
            let v: Vec<char> = if width_form {
                c.nfkc().collect()
            } else {
                vec![c]
            };
            v
        })
        .collect();
    let s = s.replace("**", "").replace('*', "");
    let s = COMMA_DIGITS.replace_all(&s, "$1$2");
    let s = OKU_SPACES.replace_all(&s, "億円");
    s.trim().to_owned()
}

fn oku(text: &str) -> Option<Oku> {
    let v: f64 = text.parse().ok()?;
    Some(Oku((v * 10.0).round() as i64))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Before the first project heading of the 主な取組 page.
    Front,
    /// The 主な取組 page: project headings with their figures and descriptions.
    Summary,
    /// A project's overview page and figure.
    Page,
    /// A project's key-points page (◆, ✓).
    Points,
    /// After the last project (reference sections).
    Tail,
}

/// The ministries of an `organizations.toml` that carry a mark (`short`).
pub fn marks(path: &Path) -> Result<Vec<Mark>> {
    let orgs = crate::ingest::document::records::read_optional_toml::<
        crate::ingest::document::records::OrganizationsFile,
    >(path)?
    .ok_or_else(|| {
        Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not found (ministry marks are resolved through it; give --organizations FILE)",
            ),
        )
    })?;
    Ok(orgs
        .ministry
        .into_iter()
        .filter_map(|m| {
            let m = m.into_inner();
            m.short.map(|short| Mark { id: m.id, short })
        })
        .collect())
}

/// Reads `path` and drafts it. `marks` are the ministries of `organizations.toml`.
pub fn draft_file(path: &Path, marks: &[Mark]) -> Result<Draft> {
    let bytes = crate::inputs::read(path, crate::inputs::MAX_DRAFT_TEXT)?;
    let (text, _) = crate::inputs::decode_text(path, bytes)?;
    draft_text(path, &text, marks)
}

/// Drafts a text; `path` is used in messages only.
pub fn draft_text(path: &Path, text: &str, marks: &[Mark]) -> Result<Draft> {
    Parser {
        path,
        marks,
        d: Draft {
            source: path.to_owned(),
            ..Draft::default()
        },
        mode: Mode::Front,
        cur: None,
        open: Open::None,
        pending_category: None,
        wrapped: 0,
    }
    .run(text)
}

/// What an indented or unmarked line may continue.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Open {
    None,
    /// The last ✓ of the last entry (a wrapped ✓ line continues it).
    Initiative,
    /// A ◆ line without its closing mark.
    Entry,
    /// The last figure line, still before its amount.
    Figure,
    /// The last figure line after a blank line, still without its amount: an amount
    /// line attaches to it, anything else ends it.
    FigureGap,
    /// The last figure line after its amount (notes may follow).
    FigureDone,
}

struct Parser<'a> {
    path: &'a Path,
    marks: &'a [Mark],
    d: Draft,
    mode: Mode,
    /// Index into d.projects.
    cur: Option<usize>,
    open: Open,
    /// 日本医療研究開発機構対象経費 / インハウス研究機関経費 just read (true: in-house).
    pending_category: Option<bool>,
    /// Lines joined to the open ◆ entry so far (at most [`MAX_WRAP`]).
    wrapped: usize,
}

/// Most lines a ◆ line is wrapped over before its ministry mark (the texts wrap one or two):
/// each joined line copies the entry's name, so a long run of them is cut short, not
/// joined in quadratic time.
const MAX_WRAP: usize = 8;

impl Parser<'_> {
    fn err(&self, line: usize, message: String) -> Error {
        Error::data(self.path, line, message)
    }

    fn review(&mut self, line: usize, text: &str, why: &str) {
        self.d.unclassified.push(Review {
            line,
            text: text.to_owned(),
            why: why.to_owned(),
        });
    }

    /// The project with this name (numbered as first printed), created if new; a heading
    /// numbered differently from the 主な取組 page still lands in the same project. A number
    /// printed twice, or none, gives the first number no project has (each project has a
    /// file of its own, `projects/pN.toml`); the record schema numbers projects 1 to 255, so a
    /// 256th project is an error naming its line.
    fn project(&mut self, number: Option<u8>, ja: &str, line: usize) -> Result<usize> {
        if let Some(i) = self.d.projects.iter().position(|p| p.ja == ja) {
            return Ok(i);
        }
        let used = |n: u8| self.d.projects.iter().any(|p| p.number == n);
        let next = self.d.projects.len().min(255) as u8;
        let number = number
            .filter(|n| *n > 0 && !used(*n))
            .or_else(|| {
                (next.saturating_add(1)..=255)
                    .chain(1..=next)
                    .find(|n| !used(*n))
            })
            .ok_or_else(|| {
                self.err(
                    line,
                    format!(
                        "a 256th project ({}): the record schema numbers projects 1 to 255",
                        crate::inputs::escape(ja)
                    ),
                )
            })?;
        self.d.projects.push(Project {
            number,
            ja: ja.to_owned(),
            line,
            ..Project::default()
        });
        Ok(self.d.projects.len() - 1)
    }

    fn ministry(&self, mark: &str, line: usize) -> Result<String> {
        self.marks
            .iter()
            .find(|m| m.short == mark)
            .map(|m| m.id.clone())
            .ok_or_else(|| {
                self.err(
                    line,
                    format!("unknown ministry mark {mark:?}: no ministry of organizations.toml has short = {mark:?}"),
                )
            })
    }

    /// Splits `NAME(文、厚)` into the name and the ministries of its marks; `None` when the
    /// last bracket does not hold marks (short CJK words, none ASCII).
    fn split_marks(&self, body: &str, line: usize) -> Result<Option<(String, Vec<String>)>> {
        let Some(inner) = body.strip_suffix(')') else {
            return Ok(None);
        };
        let Some(open) = inner.rfind('(') else {
            return Ok(None);
        };
        let content = &inner[open + 1..];
        let parts: Vec<&str> = content.split(['、', ',', '・']).map(str::trim).collect();
        let looks_like_marks = parts.iter().all(|p| {
            let n = p.chars().count();
            (1..=2).contains(&n) && !p.chars().any(|c| c.is_ascii())
        });
        if !looks_like_marks {
            return Ok(None);
        }
        let ministries = parts
            .iter()
            .map(|p| self.ministry(p, line))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some((inner[..open].trim().to_owned(), ministries)))
    }

    fn run(mut self, text: &str) -> Result<Draft> {
        let lines: Vec<String> = text.lines().map(normalize).collect();
        for (i, raw) in lines.iter().enumerate() {
            let n = i + 1;
            self.line(n, raw)?;
        }
        Ok(self.d)
    }

    fn line(&mut self, n: usize, s: &str) -> Result<()> {
        if s.is_empty() {
            match self.open {
                // a ◆ without a printed ministry is for review, not an error
                Open::Entry => self.close_entry_without_mark(),
                Open::Initiative => self.open = Open::None,
                Open::Figure => self.open = Open::FigureGap,
                _ => {}
            }
            return Ok(());
        }
        if self.d.title.is_none() && self.mode == Mode::Front {
            if let Some(c) = TITLE_YEAR.captures(s) {
                self.d.fiscal_year = c[1]
                    .parse::<i32>()
                    .ok()
                    .and_then(|r| crate::lang::era_year("令和", r));
                self.d.title = Some((s.to_owned(), n));
                return Ok(());
            }
        }
        if s.starts_with('|') {
            return self.table_row(n, s);
        }
        if let Some(c) = SUMMARY_HEAD.captures(s) {
            self.mode = Mode::Summary;
            let p = self.project(c.get(1).and_then(|m| m.as_str().parse().ok()), &c[2], n)?;
            let total = oku(&c[3]).unwrap_or(Oku(0));
            self.d.projects[p].total = Some(Printed {
                oku: total,
                line: n,
                printed: format!("{}億円", &c[3]),
            });
            let split = c[4].to_owned();
            for part in split.split(['、', ',']) {
                let part = part.trim();
                let amt = AMOUNT
                    .captures(part)
                    .and_then(|a| oku(&a[1]).map(|o| (o, a[0].to_owned())));
                let (o, printed) = amt.unwrap_or((total, format!("{}億円", &c[3])));
                let pr = Printed {
                    oku: o,
                    line: n,
                    printed,
                };
                if part.starts_with("AMED") || part.starts_with("日本医療研究開発機構") {
                    self.d.projects[p].amed.push(pr);
                } else if part.starts_with("インハウス") {
                    self.d.projects[p].inhouse.push(pr);
                } else {
                    self.review(
                        n,
                        part,
                        "a part of a project's figure that is neither AMED nor インハウス",
                    );
                }
            }
            self.cur = Some(p);
            self.open = Open::None;
            return Ok(());
        }
        if let Some(c) = POINTS_HEAD.captures(s) {
            let p = self.project(c.get(1).and_then(|m| m.as_str().parse().ok()), &c[2], n)?;
            self.cur = Some(p);
            self.mode = Mode::Points;
            self.open = Open::None;
            return Ok(());
        }
        if let Some(c) = PAGE_HEAD.captures(s) {
            if self.mode != Mode::Front {
                let p = self.project(c.get(1).and_then(|m| m.as_str().parse().ok()), &c[2], n)?;
                self.cur = Some(p);
                self.mode = Mode::Page;
                self.open = Open::None;
                return Ok(());
            }
        }
        if s.starts_with("(参考)") && self.mode != Mode::Front {
            self.mode = Mode::Tail;
            self.cur = None;
            self.open = Open::None;
            self.review(
                n,
                s,
                "a reference section: not a project; curate its facts by hand",
            );
            return Ok(());
        }
        let category_line = s == "日本医療研究開発機構対象経費" || s == "インハウス研究機関経費";
        if matches!(self.mode, Mode::Page | Mode::Points)
            && (category_line || PAGE_AMOUNT.is_match(s))
        {
            return self.page_line(n, s);
        }
        match self.mode {
            Mode::Front | Mode::Tail => self.free_line(n, s),
            Mode::Summary => self.summary_line(n, s),
            Mode::Page => self.page_line(n, s),
            Mode::Points => self.points_line(n, s),
        }
    }

    fn close_entry_without_mark(&mut self) {
        if let Some(p) = self.cur {
            if let Some(e) = self.d.projects[p].entries.last_mut() {
                e.needs_review =
                    Some("the ministry of this program is not printed beside it".into());
            }
        }
        self.open = Open::None;
    }

    /// A line that is not part of a project: keep any figure it prints for review, with the
    /// words around it (not the whole line: memory stays in proportion to the text).
    fn free_line(&mut self, n: usize, s: &str) -> Result<()> {
        let mut found = false;
        for c in AMOUNT.captures_iter(s) {
            if let Some(o) = oku(&c[1]) {
                found = true;
                if self.d.loose.len() >= MAX_LOOSE {
                    return Err(self.err(
                        n,
                        format!(
                            "over {MAX_LOOSE} figures outside the projects: this is not a \
                             概算要求のポイント summary the draft can read"
                        ),
                    ));
                }
                let m = c.get(0).map_or(0..0, |m| m.range());
                self.d.loose.push(Loose {
                    amount: Printed {
                        oku: o,
                        line: n,
                        printed: c[0].to_owned(),
                    },
                    context: excerpt(s, m.start, m.end),
                });
            }
        }
        if !found {
            self.review(
                n,
                s,
                "a statement outside the projects that the draft does not model",
            );
        }
        Ok(())
    }

    fn summary_line(&mut self, n: usize, s: &str) -> Result<()> {
        if let (Some(p), Some(body)) = (self.cur, s.strip_prefix("- ")) {
            let pr = &mut self.d.projects[p];
            if pr.description.is_none() {
                pr.description = Some((body.trim().to_owned(), n));
                return Ok(());
            }
            return Ok(()); // a focus area of the summary: the key-points page repeats it
        }
        if s.contains("統合プロジェクトの概要") {
            self.mode = Mode::Page;
            self.cur = None;
            return Ok(());
        }
        self.free_line(n, s)
    }

    fn table_row(&mut self, n: usize, s: &str) -> Result<()> {
        let cells: Vec<&str> = s.trim_matches('|').split('|').map(str::trim).collect();
        let label = cells.first().copied().unwrap_or("");
        let category = if label.contains("AMED") || label.contains("日本医療研究開発機構")
        {
            "amed"
        } else if label.contains("インハウス") {
            "inhouse"
        } else {
            return Ok(()); // header, separator or the table of contents
        };
        const KINDS: [&str; 4] = ["total", "request", "demand", "initial"];
        for (k, cell) in cells.iter().skip(1).enumerate() {
            let Some(c) = TABLE_CELL.captures(cell) else {
                if !cell.is_empty() {
                    self.review(
                        n,
                        cell,
                        "a cell of the overview table that is not 「N億円 (marks)」",
                    );
                }
                continue;
            };
            let Some(kind) = KINDS.get(k) else {
                self.review(
                    n,
                    cell,
                    "a column of the overview table beyond the four known",
                );
                continue;
            };
            let mut shares = BTreeMap::new();
            if let Some(inner) = c.get(2) {
                for part in inner.as_str().split([',', '、']) {
                    let part = part.trim();
                    let digits = part
                        .find(|ch: char| ch.is_ascii_digit())
                        .unwrap_or(part.len());
                    let (mark, value) = part.split_at(digits);
                    let id = self.ministry(mark.trim(), n)?;
                    let v = oku(value).ok_or_else(|| {
                        self.err(n, format!("a ministry's share {part:?} is not a figure"))
                    })?;
                    shares.insert(id, v);
                }
            }
            self.d.table.push(Cell {
                category,
                kind,
                fiscal_year: (*kind == "initial")
                    .then(|| self.d.fiscal_year.map(|y| y - 1))
                    .flatten(),
                amount: Printed {
                    oku: oku(&c[1]).unwrap_or(Oku(0)),
                    line: n,
                    printed: cell.to_string(),
                },
                shares,
            });
        }
        Ok(())
    }

    /// The project a page belongs to; a figure printed after one project's key points and
    /// before the next heading belongs to the next project (the conversion moved it).
    fn page_project(&mut self, n: usize, s: &str) -> Result<usize> {
        if self.mode == Mode::Points {
            let next = self
                .cur
                .map_or(Some(1), |p| self.d.projects[p].number.checked_add(1));
            let i = match next.and_then(|x| self.d.projects.iter().position(|p| p.number == x)) {
                Some(i) => i,
                None => {
                    let name =
                        next.map_or("a project after 255".into(), |x| format!("project {x}"));
                    self.project(next, &name, n)?
                }
            };
            let number = self.d.projects[i].number;
            self.review(
                n,
                s,
                &format!("a project page printed before its heading: drafted as project {number}, the next in order"),
            );
            self.cur = Some(i);
            self.mode = Mode::Page;
        }
        match self.cur {
            Some(p) => Ok(p),
            None => self.project(None, "(unnamed project)", n),
        }
    }

    fn page_line(&mut self, n: usize, s: &str) -> Result<()> {
        if s == "日本医療研究開発機構対象経費" || s == "インハウス研究機関経費"
        {
            if matches!(self.open, Open::Figure) {
                if s == "インハウス研究機関経費" {
                    let p = self.cur.unwrap();
                    self.d.projects[p].figures.last_mut().unwrap().inhouse = true;
                }
                return Ok(());
            }
            self.pending_category = Some(s == "インハウス研究機関経費");
            return Ok(());
        }
        if let Some(c) = PAGE_AMOUNT.captures(s) {
            let inhouse = self.pending_category.take().unwrap_or(false);
            let p = self.page_project(n, s)?;
            let pr = Printed {
                oku: oku(&c[1]).unwrap_or(Oku(0)),
                line: n,
                printed: s.to_owned(),
            };
            if inhouse {
                self.d.projects[p].inhouse.push(pr);
            } else {
                self.d.projects[p].amed.push(pr);
            }
            self.open = Open::None;
            return Ok(());
        }
        self.pending_category = None;
        if self.open == Open::FigureGap {
            self.open = if FIGURE_AMOUNT.is_match(s) {
                Open::Figure
            } else {
                Open::None
            };
        }
        let Some(p) = self.cur else {
            return self.free_line(n, s);
        };
        // A figure line: ● NAME: text, or - NAME(:).
        let bullet = s
            .strip_prefix('●')
            .or_else(|| s.strip_prefix("- "))
            .map(str::trim);
        if let Some(body) = bullet {
            return self.figure_name(p, n, body);
        }
        if let Some(c) = FIGURE_AMOUNT.captures(s) {
            let printed = c[0].to_owned();
            let a = Printed {
                oku: oku(&c[1]).unwrap_or(Oku(0)),
                line: n,
                printed,
            };
            let within = c.get(2).is_some();
            match self.open {
                Open::Figure => {
                    let f = self.d.projects[p].figures.last_mut().unwrap();
                    f.amount = Some(a);
                    f.within = within;
                    self.open = Open::FigureDone;
                }
                Open::FigureDone
                    if self.d.projects[p]
                        .figures
                        .last()
                        .and_then(|f| f.amount.as_ref())
                        .is_some_and(|x| x.oku == a.oku && x.line + 3 >= n) =>
                {
                    // the same figure printed again under its text (line 204 and 207)
                }
                _ => {
                    self.d.projects[p].figures.push(FigureLine {
                        line: n,
                        amount: Some(a),
                        within,
                        needs_review: Some("a figure printed without a program name: which program it is needs judgement".into()),
                        ..FigureLine::default()
                    });
                    self.open = Open::FigureDone;
                }
            }
            return Ok(());
        }
        if let Some(note) = s.strip_prefix('※') {
            if matches!(self.open, Open::Figure | Open::FigureDone) {
                let f = self.d.projects[p].figures.last_mut().unwrap();
                f.note = Some((format!("※{}", note.trim()), n));
                return Ok(());
            }
        }
        if self.open == Open::Figure {
            let f = self.d.projects[p].figures.last_mut().unwrap();
            // The sub-name of a program in brackets on its own line: `(…):`
            if f.text.is_none() && s.starts_with('(') {
                let sub = s.trim_end_matches([':', '：']).trim();
                if sub.ends_with(')') {
                    if let Some(name) = &mut f.name {
                        name.push_str(sub);
                    }
                    return Ok(());
                }
            }
            if f.text.is_none() && f.amount.is_none() && f.group.is_none() && s.contains(" / ") {
                return self.group_line(p, n, s, s.split(" / ").map(str::trim).collect());
            }
            match &mut f.text {
                Some((t, _)) => t.push_str(s),
                None => f.text = Some((s.to_owned(), n)),
            }
            return Ok(());
        }
        if self.open == Open::FigureDone {
            let f = self.d.projects[p].figures.last_mut().unwrap();
            if f.text.is_none() && f.name.is_some() && f.line + 1 == n {
                // `● NAME： 概算要求額 N億円` with its text on the next line
                f.text = Some((s.to_owned(), n));
                return Ok(());
            }
        }
        self.open = Open::None;
        if AMOUNT.is_match(s) {
            return self.free_line(n, s);
        }
        if s.starts_with('■') {
            self.review(n, s, "a figure legend: the colours that tie programs to ministries were lost in the text");
            return Ok(());
        }
        self.review(
            n,
            s,
            "a line of a project page the draft could not classify (a diagram label?)",
        );
        Ok(())
    }

    fn group_line(&mut self, p: usize, n: usize, printed: &str, names: Vec<&str>) -> Result<()> {
        let members: Vec<String> = names
            .iter()
            .map(|m| {
                // 障害者対策総合研究開発事業(精神障害分野、…): the fields are not program names
                match m.find('(') {
                    Some(i) if m.ends_with(')') && m[..i].ends_with("事業") => m[..i].to_owned(),
                    _ => (*m).to_owned(),
                }
            })
            .collect();
        let pr = &mut self.d.projects[p];
        pr.groups.push(GroupLine {
            line: n,
            printed: printed.to_owned(),
            members,
            needs_review: "a group figure: one amount for several programs; whether programs printed beside it (without a figure of their own) belong to it needs judgement".into(),
        });
        let g = pr.groups.len() - 1;
        let previous_named_without_figure = pr
            .figures
            .last()
            .is_some_and(|f| f.line + 1 == n && f.text.is_none() && f.amount.is_none());
        if previous_named_without_figure {
            pr.figures.last_mut().unwrap().needs_review = Some(format!(
                "a program printed without a figure, directly above the group of line {n}: whether the group's figure covers it needs judgement"
            ));
        }
        pr.figures.push(FigureLine {
            line: n,
            group: Some(g),
            needs_review: Some("a group figure (see the group of this line)".into()),
            ..FigureLine::default()
        });
        self.open = Open::Figure;
        Ok(())
    }

    fn figure_name(&mut self, p: usize, n: usize, body: &str) -> Result<()> {
        // `NAME: text`, `NAME：` or `NAME` alone; a figure may follow on the same line.
        let (name_part, rest) = match body.find([':', '：']) {
            Some(i) => (
                body[..i].trim(),
                body[i..].trim_start_matches([':', '：']).trim(),
            ),
            None => (body.trim(), ""),
        };
        let mut name = name_part.to_owned();
        let repost = name.contains("(再掲)");
        name = name.replace("(再掲)", "").trim().to_owned();
        if name.contains('/') {
            let members: Vec<&str> = name.split('/').map(str::trim).collect();
            self.group_line(p, n, &name.clone(), members)?;
            let f = self.d.projects[p].figures.last_mut().unwrap();
            if !rest.is_empty() {
                f.text = Some((rest.to_owned(), n));
            }
            return Ok(());
        }
        let mut f = FigureLine {
            name: Some(name),
            line: n,
            repost,
            ..FigureLine::default()
        };
        let mut done = false;
        if let Some(c) = FIGURE_AMOUNT.captures(rest) {
            f.amount = Some(Printed {
                oku: oku(&c[1]).unwrap_or(Oku(0)),
                line: n,
                printed: c[0].to_owned(),
            });
            f.within = c.get(2).is_some();
            let text = rest.replace(&c[0], "");
            if !text.trim().is_empty() {
                f.text = Some((text.trim().to_owned(), n));
            }
            done = true;
        } else if !rest.is_empty() {
            f.text = Some((rest.to_owned(), n));
        }
        self.d.projects[p].figures.push(f);
        self.open = if done { Open::FigureDone } else { Open::Figure };
        Ok(())
    }

    fn points_line(&mut self, n: usize, s: &str) -> Result<()> {
        let Some(p) = self.cur else {
            return self.free_line(n, s);
        };
        let body = s.strip_prefix("- ").map(str::trim).unwrap_or(s);
        if self.open == Open::Entry
            && (body.starts_with('◆') || body.starts_with('✓') || self.wrapped >= MAX_WRAP)
        {
            self.close_entry_without_mark();
        }
        if self.open == Open::Entry {
            self.wrapped += 1;
            // a ◆ line wrapped before its mark
            let e = self.d.projects[p].entries.last_mut().unwrap();
            let joined = format!("{}{}", e.name, body);
            return self.finish_entry(p, n, &joined);
        }
        if let Some(rest) = body.strip_prefix('◆') {
            let rest = rest.trim();
            let (new, rest) = match rest.strip_prefix("【新規】") {
                Some(r) => (true, r.trim()),
                None => (false, rest),
            };
            let fa = self.d.projects[p].focus_areas.len().checked_sub(1);
            self.wrapped = 0;
            self.d.projects[p].entries.push(Entry {
                name: rest.to_owned(),
                line: n,
                new,
                ministries: Vec::new(),
                alt: None,
                focus_area: fa,
                note: None,
                initiatives: Vec::new(),
                needs_review: None,
            });
            return self.finish_entry(p, n, rest);
        }
        if let Some(rest) = body.strip_prefix('✓') {
            let rest = rest.trim();
            let (status, text) = if let Some(t) = rest.strip_prefix("【新規】") {
                ("new", t)
            } else if let Some(t) = rest.strip_prefix("【拡充】") {
                ("expanded", t)
            } else {
                ("unmarked", rest)
            };
            let Some(e) = self.d.projects[p].entries.last_mut() else {
                self.review(n, s, "a ✓ line before any ◆ program");
                return Ok(());
            };
            e.initiatives.push(Initiative {
                line: n,
                status,
                text: text.trim().to_owned(),
            });
            self.open = Open::Initiative;
            return Ok(());
        }
        if let Some(note) = s.strip_prefix('※') {
            if let Some(e) = self.d.projects[p].entries.last_mut() {
                e.note = Some((format!("※{}", note.trim()), n));
                self.open = Open::None;
                return Ok(());
            }
        }
        if self.open == Open::Initiative {
            // a ✓ line wrapped onto the next line
            let e = self.d.projects[p].entries.last_mut().unwrap();
            e.initiatives.last_mut().unwrap().text.push_str(body);
            return Ok(());
        }
        if s.starts_with('(') || s.starts_with('※') {
            self.review(
                n,
                s,
                "a note of a key-points page that the draft could not attach",
            );
            return Ok(());
        }
        // A heading of the key-points page: a focus area.
        self.d.projects[p].focus_areas.push((s.to_owned(), n));
        Ok(())
    }

    fn finish_entry(&mut self, p: usize, n: usize, body: &str) -> Result<()> {
        match self.split_marks(body, n)? {
            Some((name, ministries)) => {
                let e = self.d.projects[p].entries.last_mut().unwrap();
                e.name = name;
                if let Some(c) = SECOND_NAME.captures(&e.name.clone()) {
                    e.name = c[1].to_owned();
                    e.alt = Some(c[2].to_owned());
                    e.needs_review = Some(format!(
                        "a second name in brackets ({}): drafted as another name of the program (alt_ja); say if it is rather its parent program (part_of)",
                        &c[2]
                    ));
                }
                e.ministries = ministries;
                self.open = Open::None;
            }
            None => {
                let e = self.d.projects[p].entries.last_mut().unwrap();
                e.name = body.to_owned();
                self.open = Open::Entry;
            }
        }
        Ok(())
    }
}
