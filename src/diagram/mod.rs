//! Diagrams of the knowledge graph: each kind is a SPARQL file of `queries/diagrams/` whose
//! rows become a petgraph graph, written as Graphviz DOT (then SVG/PNG by `dot`) or Mermaid.
//!
//! A diagram query is a SELECT that follows one convention, so that every diagram, built in
//! or not, is drawn the same way. Each row either declares a node or adds an edge:
//!
//! * `?node` (required): the resource;
//! * `?label`, `?kind` (`project`, `program`, `ministry`, `theme`, …) and `?group` (a
//!   ministry code, used for the colour; a node may have several) describe the node;
//! * `?attr` adds a line to the node's label (the ontology diagram's datatype properties);
//!   `?weight` on a node row is the node's own amount (億円);
//! * `?target` makes the row an edge `?node → ?target`, with `?edge` (its label),
//!   `?edgeKind` (its style) and `?weight` (its width). An `?edge` of several lines (a
//!   `GROUP_CONCAT` with `"\n"`) is drawn with its lines sorted: SPARQL leaves the order of
//!   `GROUP_CONCAT` open and engines differ (`--endpoint`), so a diagram must not depend on it.
//!
//! Before running the query medrd replaces `?lang` by `"ja"` or `"en"` and, for `project`,
//! `theme` and `ministry`, `?arg` by the resource the diagram is about.
//!
//! The timeline (`timeline program|project|ministry SLUG`) is a chart, not a graph: its
//! query's rows are drawn as bars by [`timeline`], in SVG only ([`draw`]).

pub mod analyze;
pub mod dot;
mod fold;
pub mod graphviz;
pub mod mermaid;
pub mod timeline;
mod write;

pub use write::{write_all, Writer};

use crate::error::{Error, Result};
use crate::ingest::sources::YearView;
use crate::query::catalog::NamedQuery;
use crate::query::output::{compact, plain, Table};
use crate::vocab::ext::RDFS_LABEL;
use crate::Kb;
use oxigraph::model::{Literal, NamedNode, Term, Triple};
use oxigraph::sparql::QueryResults;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub use crate::lang::Lang;

/// What a diagram is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Graphviz DOT source.
    Dot,
    /// SVG drawn by Graphviz `dot`.
    Svg,
    /// PNG drawn by Graphviz `dot`.
    Png,
    /// Mermaid flowchart source.
    Mermaid,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Dot => "dot",
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Mermaid => "mmd",
        }
    }
}

/// Which diagram to draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The six projects, every program and the ministries.
    Overview,
    /// One integrated project (1-6).
    Project(u32),
    /// One theme, by its slug (`dementia`).
    Theme(String),
    /// One ministry, by its code (`mhlw`).
    Ministry(String),
    /// One program, by its slug (`dementia-rd`): its ministries, projects and themes.
    Program(String),
    /// Projects linked by the programs they share and by medrd:feedsInto.
    CrossProject,
    /// One program's money: ministry → program → RS lines → recipients, by program slug.
    Money(String),
    /// Ministry → funding category → project money flow.
    Budget,
    /// The classes and properties of the ontology.
    Ontology,
    /// A user's CONSTRUCT query.
    Query(PathBuf),
    /// The budget timeline chart of a program, project or ministry (SVG only).
    Timeline(timeline::Subject, String),
}

impl Kind {
    /// Parses a kind and its argument as given on the command line.
    pub fn parse(kind: &str, arg: Option<&str>) -> Result<Self> {
        let need = |what: &str| {
            arg.map(str::to_owned)
                .ok_or_else(|| Error::Diagram(format!("diagram {kind} needs {what}")))
        };
        Ok(match kind {
            "overview" => Kind::Overview,
            "project" => {
                let n = need("a project number (1-6)")?;
                Kind::Project(
                    n.parse().map_err(|_| {
                        Error::Diagram(format!("project number {n:?} is not a number"))
                    })?,
                )
            }
            "theme" => Kind::Theme(need("a theme slug (e.g. dementia)")?),
            "ministry" => Kind::Ministry(need("a ministry code (e.g. mhlw)")?.to_lowercase()),
            "program" => Kind::Program(need("a program slug (e.g. dementia-rd)")?),
            "money" => Kind::Money(need("a program slug (e.g. medical-device-seeds)")?),
            "cross-project" => Kind::CrossProject,
            "budget" => Kind::Budget,
            "ontology" => Kind::Ontology,
            "timeline" => {
                // `program/slug` (a URL path) or `program slug` (two words).
                let what = need("program SLUG, project N or ministry CODE")?;
                let (subject, slug) = what
                    .split_once(|c: char| c == '/' || c.is_whitespace())
                    .map(|(a, b)| (a.trim(), b.trim()))
                    .filter(|(_, b)| !b.is_empty())
                    .ok_or_else(|| {
                        Error::Diagram(format!(
                            "diagram timeline {what}: give program SLUG, project N or ministry CODE"
                        ))
                    })?;
                let subject = timeline::Subject::parse(subject)?;
                let slug = match subject {
                    timeline::Subject::Ministry => slug.to_lowercase(),
                    _ => slug.to_owned(),
                };
                Kind::Timeline(subject, slug)
            }
            other => {
                return Err(Error::Diagram(format!(
                    "unknown diagram {other:?} (overview, project N, theme SLUG, ministry CODE, \
                     program SLUG, money PROGRAM, cross-project, budget, ontology, timeline \
                     program|project|ministry SLUG, or --query FILE.rq)"
                )))
            }
        })
    }

    /// The file name (without extension) the diagram is written to.
    pub fn file_stem(&self) -> String {
        match self {
            Kind::Overview => "overview".into(),
            Kind::Project(n) => format!("project-{n}"),
            Kind::Theme(s) => format!("theme-{s}"),
            Kind::Ministry(c) => format!("ministry-{c}"),
            Kind::Program(s) => format!("program-{s}"),
            Kind::Money(p) => format!("money-{p}"),
            Kind::CrossProject => "cross-project".into(),
            Kind::Budget => "budget".into(),
            Kind::Ontology => "ontology".into(),
            Kind::Timeline(s, slug) => format!("timeline-{}-{slug}", s.as_str()),
            Kind::Query(p) => p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("query")
                .to_owned(),
        }
    }

    fn query_file(&self) -> Option<&'static str> {
        Some(match self {
            Kind::Overview => "overview.rq",
            Kind::Project(_) => "project.rq",
            Kind::Theme(_) => "theme.rq",
            Kind::Ministry(_) => "ministry.rq",
            Kind::Program(_) => "program.rq",
            Kind::Money(_) => "money.rq",
            Kind::CrossProject => "cross-project.rq",
            Kind::Budget => "budget.rq",
            Kind::Ontology => "ontology.rq",
            // A timeline reads its subject's named query (timeline::rows_by_subject).
            Kind::Timeline(..) | Kind::Query(_) => return None,
        })
    }
}

/// A node of a diagram.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// Stable key: the compact IRI (`id:program/dementia-rd`) or the literal's text.
    pub key: String,
    pub label: String,
    /// What the node is (`project`, `program`, `ministry`, `theme`, `initiative`, …).
    pub kind: String,
    /// Colour groups: the codes of the ministries that run it.
    pub groups: BTreeSet<String>,
    /// Extra label lines.
    pub attrs: BTreeSet<String>,
    /// Set on programs listed in more than one project.
    pub bridge: bool,
    /// The node's own amount (億円), when the query gives one (`?weight` on a node row).
    pub total: Option<f64>,
}

/// The lines of a text in code-point order (see the module's `?edge`).
fn sorted_lines(text: String) -> String {
    if !text.contains('\n') {
        return text;
    }
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

/// An edge of a diagram.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edge {
    pub label: String,
    /// The edge's style (`runs`, `partOf`, `shared`, `feedsInto`, `money`, `subClassOf`, …).
    pub kind: String,
    pub weight: Option<f64>,
}

/// A diagram: a petgraph graph of labelled nodes and edges, with a title.
#[derive(Clone, Debug, Default)]
pub struct Diagram {
    /// File stem (`theme-dementia`).
    pub name: String,
    pub title: String,
    /// A note printed under the title.
    pub note: String,
    pub lang: Lang,
    pub graph: DiGraph<Node, Edge>,
    index: BTreeMap<String, NodeIndex>,
    /// The ministries' colours, from `data/organizations.toml`.
    pub palette: Palette,
}

/// Fill and line colour of each ministry (by its code, the skos:notation), read from
/// `data/organizations.toml` (`fill`, `line_colour`); grey for anything else.
#[derive(Clone, Debug, Default)]
pub struct Palette(pub BTreeMap<String, (String, String)>);

impl Palette {
    /// The colours of every organisation of a document's shared files that has them.
    pub fn from_data(data: &crate::ingest::document::records::Data) -> Self {
        let o = &data.organizations.value;
        Palette(
            [&o.ministry, &o.agency, &o.institute, &o.body]
                .into_iter()
                .flatten()
                .map(|o| o.get_ref())
                .filter_map(|o| Some((o.id.clone(), (o.fill.clone()?, o.line_colour.clone()?))))
                .collect(),
        )
    }

    /// Fill colour of a ministry, used for its programs too.
    pub fn fill(&self, code: &str) -> &str {
        self.0.get(code).map_or("#eeeeee", |c| c.0.as_str())
    }

    /// Border and line colour matching [`Palette::fill`].
    pub fn line(&self, code: &str) -> &str {
        self.0.get(code).map_or("#666666", |c| c.1.as_str())
    }
}

impl Diagram {
    fn new(name: String, lang: Lang) -> Self {
        Diagram {
            name,
            lang,
            ..Diagram::default()
        }
    }

    /// The node with this key, created (labelled by its key) when new.
    pub fn node(&mut self, key: &str) -> NodeIndex {
        if let Some(i) = self.index.get(key) {
            return *i;
        }
        let i = self.graph.add_node(Node {
            key: key.to_owned(),
            label: key.to_owned(),
            kind: "resource".into(),
            ..Node::default()
        });
        self.index.insert(key.to_owned(), i);
        i
    }

    /// Adds an edge unless the same one (ends, kind and label) is already there.
    pub fn edge(&mut self, from: &str, to: &str, edge: Edge) {
        let (a, b) = (self.node(from), self.node(to));
        if !self
            .graph
            .edges_connecting(a, b)
            .any(|e| *e.weight() == edge)
        {
            self.graph.add_edge(a, b, edge);
        }
    }

    /// Looks a node up by key.
    pub fn find(&self, key: &str) -> Option<&Node> {
        self.index.get(key).map(|i| &self.graph[*i])
    }

    /// The nodes, sorted by key (so output is stable).
    pub fn nodes(&self) -> Vec<&Node> {
        self.index.values().map(|i| &self.graph[*i]).collect()
    }

    /// The edges as (from, to, edge), sorted by keys, kind and label.
    pub fn edges(&self) -> Vec<(&Node, &Node, &Edge)> {
        let mut edges: Vec<_> = self
            .graph
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.graph.edge_endpoints(e)?;
                Some((&self.graph[a], &self.graph[b], &self.graph[e]))
            })
            .collect();
        edges.sort_by(|x, y| {
            (&x.0.key, &x.1.key, &x.2.kind, &x.2.label)
                .cmp(&(&y.0.key, &y.1.key, &y.2.kind, &y.2.label))
        });
        edges
    }

    /// Every node label, sorted.
    pub fn labels(&self) -> Vec<String> {
        let mut l: Vec<String> = self.graph.node_weights().map(|n| n.label.clone()).collect();
        l.sort();
        l
    }

    /// Marks as bridges the programs that point to more than one project.
    fn mark_bridges(&mut self) {
        let bridges: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&i| self.graph[i].kind == "program")
            .filter(|&i| {
                let projects: BTreeSet<_> = self
                    .graph
                    .neighbors(i)
                    .filter(|&j| self.graph[j].kind == "project")
                    .collect();
                projects.len() > 1
            })
            .collect();
        for i in bridges {
            self.graph[i].bridge = true;
        }
    }

    /// Adds to every node on a money edge the amount it receives, or else gives (億円);
    /// with `by_line`, not to the recipients of a money diagram: the lines that pay them are
    /// sheets of different years (2015–2023, RS 2025), so a sum would add years up, and each
    /// edge says what its line paid.
    fn add_money_totals(&mut self, by_line: bool) {
        let indices: Vec<NodeIndex> = self.graph.node_indices().collect();
        for i in indices {
            if by_line && matches!(self.graph[i].kind.as_str(), "category" | "others") {
                continue;
            }
            let sum = |dir| {
                self.graph
                    .edges_directed(i, dir)
                    .filter(|e| e.weight().kind == "money")
                    .filter_map(|e| e.weight().weight)
                    .sum::<f64>()
            };
            // What flows in where anything does (a project's figure), else what flows out
            // (a ministry's share), unless the node states its own total (a category's sum
            // as printed in the overview table).
            let incoming = sum(petgraph::Direction::Incoming);
            let total = if incoming > 0.0 {
                incoming
            } else {
                sum(petgraph::Direction::Outgoing)
            };
            let total = self.graph[i].total.unwrap_or(total);
            if total > 0.0 {
                let text = format!("{}{}", oku(total), self.lang.pick("億円", " oku yen"));
                self.graph[i].label.push_str(&format!("\n{text}"));
            }
        }
        for e in self.graph.edge_weights_mut().filter(|e| e.kind == "money") {
            if let Some(w) = e.weight {
                e.label = format!("{}{}", oku(w), self.lang.pick("億円", ""));
            }
        }
    }

    /// The ministry codes used as colour groups, sorted.
    pub fn groups(&self) -> BTreeSet<String> {
        self.graph
            .node_weights()
            .flat_map(|n| n.groups.iter().cloned())
            .collect()
    }
}

/// An amount in 億円 with thousands separators and at most two decimals, rounded half up on
/// the decimal value (`1,489`, `0.4`, `10.24` for 10.235, `2` for 1.999).
pub fn oku(v: f64) -> String {
    oku_places(v, 2)
}

/// An amount in 億円 as the source gives it, to the yen (six decimals at most, `10.235`,
/// `2,115.332`): for tooltips and tables, where a rounded figure would misquote the source.
pub fn oku_exact(v: f64) -> String {
    oku_places(v, 6)
}

/// An amount in 億円 with thousands separators and at most `places` (≤ 6) decimals, trailing
/// zeros dropped, rounded half up on the decimal value.
fn oku_places(v: f64, places: u32) -> String {
    // Through millionths first: 10.235 is 10.23499… in binary, and a reader rounds 10.235.
    let micro = (v.abs() * 1e6).round() as u64;
    let step = 10u64.pow(6 - places.min(6));
    let units = (micro + step / 2) / step;
    let scale = 10u64.pow(places.min(6));
    let digits = crate::text::thousands((units / scale) as i64);
    let sign = if v < 0.0 && units > 0 { "-" } else { "" };
    let frac = units % scale;
    if frac == 0 {
        return format!("{sign}{digits}");
    }
    let f = format!("{frac:0width$}", width = places as usize);
    format!("{sign}{digits}.{}", f.trim_end_matches('0'))
}

/// A term as a diagram key: compact IRI, or the literal's text.
fn key(term: &Term) -> String {
    plain(term)
}

/// Runs a SELECT or CONSTRUCT over the union of graphs, with the variables of `bindings`
/// replaced by their terms in the text first (so they are bound in subqueries and
/// filters alike; oxigraph's own substitution only binds projected variables).
fn run(kb: &Kb, q: &NamedQuery, bindings: &[(&str, Term)]) -> Result<QueryResults<'static>> {
    let values: Vec<(&str, String)> = bindings
        .iter()
        .map(|(var, term)| (*var, term.to_string()))
        .collect();
    let text = crate::query::catalog::bind(&q.text, &values);
    // Through Kb::query, so that diagrams follow --endpoint like every other query.
    kb.query(&q.path.display().to_string(), &text)
}

/// The diagram queries' directory.
pub fn queries_dir(kb: &Kb) -> PathBuf {
    kb.layout.queries().join("diagrams")
}

/// Finds the resource a diagram is about; `None` when the kind takes no argument.
pub(crate) fn resolve_arg(kb: &Kb, kind: &Kind) -> Result<Option<NamedNode>> {
    let (class, code, what) = match kind {
        Kind::Project(n) => ("medrd:IntegratedProject", n.to_string(), "project"),
        Kind::Theme(s) => ("skos:Concept", s.clone(), "theme"),
        Kind::Ministry(c) => ("medrd:Ministry", c.clone(), "ministry"),
        Kind::Program(s) => ("medrd:Program", s.clone(), "program"),
        Kind::Timeline(timeline::Subject::Program, s) => ("medrd:Program", s.clone(), "program"),
        Kind::Timeline(timeline::Subject::Project, n) => {
            ("medrd:IntegratedProject", n.clone(), "project")
        }
        Kind::Timeline(timeline::Subject::Ministry, c) => ("medrd:Ministry", c.clone(), "ministry"),
        Kind::Money(p) => ("medrd:Program", p.clone(), "program"),
        _ => return Ok(None),
    };
    let lookup = match kind {
        Kind::Project(_) | Kind::Timeline(timeline::Subject::Project, _) => {
            "?x medrd:projectNumber ?n . FILTER (STR(?n) = ?code)"
        }
        Kind::Timeline(timeline::Subject::Program, _) => {
            "?x skos:notation ?n . FILTER (STR(?n) = ?code)"
        }
        Kind::Theme(_) => {
            "?x skos:notation ?n ; skos:inScheme <https://w3id.org/medrd-kg/id/theme> . \
             FILTER (STR(?n) = ?code)"
        }
        _ => "?x skos:notation ?n . FILTER (LCASE(STR(?n)) = LCASE(?code))",
    };
    let text = format!(
        "PREFIX medrd: <{}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> \
         SELECT ?x WHERE {{ ?x a {class} . {lookup} }} ORDER BY ?x LIMIT 1",
        crate::vocab::MEDRD
    );
    let q = NamedQuery {
        name: format!("{what} lookup"),
        path: PathBuf::from(format!("<{what} lookup>")),
        summary: String::new(),
        text,
    };
    let code_term: Term = Literal::new_simple_literal(&code).into();
    let table = Table::collect(run(kb, &q, &[("code", code_term)])?)?;
    match table.rows.first().and_then(|r| r[0].clone()) {
        Some(Term::NamedNode(n)) => Ok(Some(n)),
        _ => Err(Error::Diagram(format!(
            "no {what} {code:?} in the knowledge base"
        ))),
    }
}

fn or<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

/// The title of a built-in diagram, headed by the document's short title.
fn title(kind: &Kind, lang: Lang, arg_label: &str, view: &YearView) -> (String, String) {
    let t = |ja: &str, en: &str| lang.pick(ja, en).to_owned();
    let what = match kind {
        Kind::Overview => t(
            "統合プロジェクト・事業・府省庁",
            "Projects, programs and ministries",
        ),
        Kind::Project(n) => format!("{} {n}", t("統合プロジェクト", "Integrated project")),
        Kind::Theme(s) => format!("{}: {}", t("テーマ", "Theme"), or(arg_label, s)),
        Kind::Ministry(c) => format!("{}: {}", t("府省庁", "Ministry"), or(arg_label, c)),
        Kind::Program(s) => format!("{}: {}", t("事業", "Program"), or(arg_label, s)),
        Kind::Money(p) => format!("{}: {}", t("お金の流れ", "Money path"), or(arg_label, p)),
        Kind::CrossProject => t("プロジェクト間のつながり", "Links between projects"),
        Kind::Budget => t("予算の流れ（億円）", "Budget flow (億円, 100 million yen)"),
        Kind::Ontology => t("オントロジー", "Ontology"),
        Kind::Query(p) => p.display().to_string(),
        Kind::Timeline(..) => t("予算の推移（億円）", "Budget over the years (億円)"),
    };
    let what = match kind {
        Kind::Project(_) if !arg_label.is_empty() => format!("{what}: {arg_label}"),
        _ => what,
    };
    let note = match kind {
        Kind::Overview => t(
            "太枠の事業は複数のプロジェクトに掲載（橋渡し）。色は実施府省庁（複数府省庁の事業は縞）。",
            "Programs with a thick border are listed in several projects (bridges). Colour: ministry (striped: several).",
        ),
        Kind::Theme(_) => t(
            "実線：確認済みテーマ (dcterms:subject)／破線：キーワード規則で導出 (medrd:derivedTheme)",
            "Solid: curated theme (dcterms:subject); dashed: derived by the keyword rule (medrd:derivedTheme)",
        ),
        Kind::CrossProject => t(
            "線の太さと数：共通の事業数。破線の矢印：展開・連携先 (medrd:feedsInto)",
            "Edge width and number: programs shared. Dashed arrows: medrd:feedsInto",
        ),
        Kind::Budget => match lang {
            Lang::Ja => format!(
                "{} {}、再掲・内訳は数えない。府省庁→経費区分は総括表の府省庁別の額、\
                 経費区分→プロジェクトは各プロジェクトの額による（府省庁別のプロジェクト額は資料にない）。",
                timeline::year_label(view.year, lang),
                view.totals_ja
            ),
            Lang::En => format!(
                "{} {}; reposts and portions never counted twice. Ministry → category comes \
                 from the overview table's per-ministry totals, category → project from each project's figures \
                 (the document gives no per-ministry project figures).",
                timeline::year_label(view.year, lang),
                view.totals_en
            ),
        },
        Kind::Project(_) => t("破線：再掲", "Dashed: repost (再掲)"),
        Kind::Money(_) => t(
            "府省庁→事業→行政事業レビュー(RS)の事業（辺：リンクの種類）→支出先（5-1、各行の最新の版、億円）。辺の額は各行の支払い（行ごとに年度が違うので支出先では合計しない）。各行の上位10者を描き、どの行でも上位にない支出先は1つにまとめる。",
            "Ministry → program → administrative project review (RS) lines (edge: link relation) → recipients (5-1, each line's latest edition, 億円). Each edge is what its line paid (the lines are of different years, so a recipient shows no sum). The 10 largest recipients of each line are drawn; those among the largest of no line are one node.",
        ),
        _ => String::new(),
    };
    match kind {
        // Its money comes from the RS editions, not from the document the head names.
        Kind::Money(_) => (what, note),
        _ => (
            format!("{} — {what}", lang.pick(&view.short_ja, &view.short_en)),
            note,
        ),
    }
}

/// Builds a diagram from the store, for the document of fiscal year `fy` (the newest when
/// `None`): its figures (the budget diagram's query binds `?view_year` and `?view_doc`) and
/// the head of its title.
pub fn build(kb: &Kb, kind: &Kind, lang: Lang, fy: Option<i32>) -> Result<Diagram> {
    let mut d = Diagram::new(kind.file_stem(), lang);
    d.palette = Palette::from_data(kb.primary());
    let lang_term: Term = Literal::new_simple_literal(lang.tag()).into();
    if let Kind::Timeline(..) = kind {
        return Err(Error::Diagram(format!(
            "{} is a chart, drawn as SVG only (--format svg)",
            kind.file_stem()
        )));
    }
    if let Kind::Query(path) = kind {
        let q = NamedQuery::read(path).or_else(|_| {
            let text = crate::inputs::read_utf8(path, crate::inputs::MAX_SMALL_FILE)?;
            Ok::<_, Error>(NamedQuery {
                name: d.name.clone(),
                path: path.clone(),
                summary: String::new(),
                text,
            })
        })?;
        from_construct(kb, &q, lang, &mut d)?;
        d.title = if q.summary.is_empty() {
            path.display().to_string()
        } else {
            q.summary.clone()
        };
        return Ok(d);
    }
    let view = kb.sources.year(fy)?;
    let file = kind.query_file().unwrap_or_default();
    let q = NamedQuery::read(&queries_dir(kb).join(file))?;
    let mut bindings = vec![("lang", lang_term)];
    bindings.extend(view.bindings());
    let mut arg_label = String::new();
    if let Some(iri) = resolve_arg(kb, kind)? {
        arg_label = label_of(kb, &iri, lang)?;
        bindings.push(("arg", iri.into()));
    }
    let table = Table::collect(run(kb, &q, &bindings)?)?;
    from_rows(&table, &mut d);
    if let Kind::Money(_) = kind {
        d.fold_recipients(fold::TOP);
    }
    if *kind == Kind::Ontology {
        // Classes of other vocabularies appear only as domains, ranges and superclasses.
        for n in d.graph.node_weights_mut().filter(|n| n.kind == "resource") {
            n.kind = "class".into();
        }
    }
    d.mark_bridges();
    d.add_money_totals(matches!(kind, Kind::Money(_)));
    // The title's head and the caption of totals come from the data: the document's
    // source.toml.
    (d.title, d.note) = title(kind, lang, &arg_label, &view);
    if *kind == Kind::Budget && d.graph.edge_count() == 0 {
        d.note = lang
            .pick(
                "この資料には総括表の額（府省庁別・経費区分別）がない。",
                "This document gives no overview table (figures by ministry and funding category).",
            )
            .to_owned();
    }
    Ok(d)
}

/// The label of a resource in a language (else any label, else its compact IRI).
fn label_of(kb: &Kb, iri: &NamedNode, lang: Lang) -> Result<String> {
    Ok(labels(kb, std::slice::from_ref(iri), lang)?
        .remove(iri.as_str())
        .unwrap_or_else(|| compact(iri.as_str())))
}

const SKOS_PREF_LABEL: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";

/// Labels (rdfs:label or skos:prefLabel, preferring the language) of many resources.
pub fn labels(kb: &Kb, iris: &[NamedNode], lang: Lang) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for chunk in iris.chunks(200) {
        let values: String = chunk.iter().map(|n| format!("{n} ")).collect();
        let text = format!(
            "SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x <{}>|<{SKOS_PREF_LABEL}> ?l }}",
            RDFS_LABEL.as_str()
        );
        let table = Table::collect(kb.query("labels", &text)?)?;
        let mut best: BTreeMap<String, (u8, String)> = BTreeMap::new();
        for row in &table.rows {
            let (Some(Term::NamedNode(x)), Some(Term::Literal(l))) = (&row[0], &row[1]) else {
                continue;
            };
            let rank = match l.language() {
                Some(t) if t == lang.tag() => 0,
                None => 1,
                _ => 2,
            };
            let entry = best
                .entry(x.as_str().to_owned())
                .or_insert((u8::MAX, String::new()));
            if (rank, l.value()) < (entry.0, entry.1.as_str()) {
                *entry = (rank, l.value().to_owned());
            }
        }
        out.extend(best.into_iter().map(|(k, (_, v))| (k, v)));
    }
    Ok(out)
}

/// Fills a diagram from the rows of a diagram query (see the module documentation).
fn from_rows(table: &Table, d: &mut Diagram) {
    let col = |name: &str| table.vars.iter().position(|v| v == name);
    let (c_node, c_label, c_kind, c_group, c_attr) = (
        col("node"),
        col("label"),
        col("kind"),
        col("group"),
        col("attr"),
    );
    let (c_target, c_edge, c_edge_kind, c_weight) =
        (col("target"), col("edge"), col("edgeKind"), col("weight"));
    let get = |row: &Vec<Option<Term>>, c: Option<usize>| c.and_then(|c| row[c].clone());
    let text = |row: &Vec<Option<Term>>, c: Option<usize>| get(row, c).map(|t| plain(&t));
    for row in &table.rows {
        let Some(node) = get(row, c_node) else {
            continue;
        };
        let from = key(&node);
        if let Some(target) = get(row, c_target) {
            let edge = Edge {
                label: text(row, c_edge).map(sorted_lines).unwrap_or_default(),
                kind: text(row, c_edge_kind).unwrap_or_default(),
                weight: text(row, c_weight).and_then(|w| w.parse().ok()),
            };
            d.edge(&from, &key(&target), edge);
            continue;
        }
        let i = d.node(&from);
        let n = &mut d.graph[i];
        if let Some(l) = text(row, c_label).filter(|l| !l.is_empty()) {
            n.label = l;
        }
        if let Some(k) = text(row, c_kind) {
            n.kind = k;
        }
        if let Some(g) = text(row, c_group) {
            n.groups.insert(g);
        }
        if let Some(a) = text(row, c_attr) {
            n.attrs.insert(a);
        }
        if let Some(w) = text(row, c_weight).and_then(|w| w.parse().ok()) {
            n.total = Some(w);
        }
    }
}

/// Fills a diagram from a CONSTRUCT query: resources are nodes labelled by rdfs:label,
/// triples between resources are edges labelled by the predicate's label, literal values
/// other than labels are small text nodes.
fn from_construct(kb: &Kb, q: &NamedQuery, lang: Lang, d: &mut Diagram) -> Result<()> {
    let lang_term: Term = Literal::new_simple_literal(lang.tag()).into();
    let triples: Vec<Triple> = match run(kb, q, &[("lang", lang_term)])? {
        QueryResults::Graph(triples) => triples
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| q.error(e))?,
        _ => {
            return Err(Error::Diagram(format!(
                "{}: a diagram query must be a CONSTRUCT (or DESCRIBE) query",
                q.path.display()
            )))
        }
    };
    let mut iris = BTreeSet::new();
    for t in &triples {
        if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = &t.subject {
            iris.insert(n.clone());
        }
        iris.insert(t.predicate.clone());
        if let Term::NamedNode(n) = &t.object {
            iris.insert(n.clone());
        }
    }
    let iris: Vec<NamedNode> = iris.into_iter().collect();
    let names = labels(kb, &iris, lang)?;
    let name = |iri: &str| names.get(iri).cloned().unwrap_or_else(|| compact(iri));
    for t in &triples {
        let s: Term = t.subject.clone().into();
        let from = key(&s);
        let i = d.node(&from);
        if let Term::NamedNode(n) = &s {
            d.graph[i].label = name(n.as_str());
        }
        if t.predicate.as_ref() == RDFS_LABEL {
            continue;
        }
        let to = match &t.object {
            Term::Literal(l) => {
                let k = format!("\"{}\"", l.value());
                let j = d.node(&k);
                d.graph[j].label = l.value().to_owned();
                d.graph[j].kind = "literal".into();
                k
            }
            other => {
                let k = key(other);
                let j = d.node(&k);
                if let Term::NamedNode(n) = other {
                    d.graph[j].label = name(n.as_str());
                }
                k
            }
        };
        let edge = Edge {
            label: name(t.predicate.as_str()),
            kind: "property".into(),
            weight: None,
        };
        d.edge(&from, &to, edge);
    }
    Ok(())
}

/// Writes a diagram in a format (SVG and PNG need Graphviz `dot` on PATH). A failure of
/// `dot` names the diagram.
pub fn render(d: &Diagram, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Dot => Ok(dot::to_dot(d).into_bytes()),
        Format::Mermaid => Ok(mermaid::to_mermaid(d).into_bytes()),
        Format::Svg => drawn(d, &dot::to_dot(d), "svg", None),
        Format::Png => drawn(d, &dot::to_dot(d), "png", None),
    }
}

/// `dot_text`, the DOT of `d` ([`dot::to_dot`]), drawn by Graphviz as `dot -T<format>`; an
/// SVG that `dot` lays out in one of `pool`'s processes if given (the same bytes, without
/// starting a `dot` for each diagram). A failure of `dot` names the diagram.
pub fn drawn(
    d: &Diagram,
    dot_text: &str,
    format: &str,
    pool: Option<&graphviz::Pool>,
) -> Result<Vec<u8>> {
    let drawn = match pool {
        Some(pool) if format == "svg" && !dot::has_boxes(d) => pool.svg(dot_text),
        _ => graphviz::run_dot(dot_text, format),
    };
    drawn.map_err(|e| naming(&d.name, e))
}

/// A failed `dot`'s error, naming the diagram it drew.
fn naming(diagram: &str, e: Error) -> Error {
    match e {
        Error::GraphvizFailed(m) => Error::GraphvizFailed(format!("diagram {diagram}: {m}")),
        e => e,
    }
}

/// Draws any diagram in a format: a graph by [`build`] and [`render`], a timeline as the
/// SVG of [`timeline::chart`] (other formats are refused with a message saying so).
pub fn draw(kb: &Kb, kind: &Kind, lang: Lang, format: Format, fy: Option<i32>) -> Result<Vec<u8>> {
    // A year no document gives is refused whatever the kind, even one it does not change.
    if fy.is_some() {
        kb.sources.year(fy)?;
    }
    match kind {
        Kind::Timeline(..) => match format {
            Format::Svg => {
                let (title, rows) = timeline::build(kb, kind, lang)?;
                Ok(timeline::chart(&rows, &title, lang).into_bytes())
            }
            other => Err(Error::Diagram(format!(
                "{} is a chart, drawn as SVG only, not {} (convert it with e.g. \
                 rsvg-convert -o chart.png chart.svg)",
                kind.file_stem(),
                other.extension()
            ))),
        },
        _ => render(&build(kb, kind, lang, fy)?, format),
    }
}

/// The projects, themes and ministries that have a diagram each.
const DIAGRAM_LIST: &str = r#"PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?kind ?code WHERE {
  { ?x medrd:projectNumber ?code . BIND ("project" AS ?kind) } UNION
  { ?x skos:inScheme <https://w3id.org/medrd-kg/id/theme> ; skos:notation ?code . BIND ("theme" AS ?kind) } UNION
  { ?x a medrd:Ministry ; skos:notation ?code . BIND ("ministry" AS ?kind) }
} ORDER BY ?kind ?code"#;

/// The built-in diagrams: overview, every project, theme and ministry, cross-project,
/// budget and ontology.
pub fn all_kinds(kb: &Kb) -> Result<Vec<Kind>> {
    let mut kinds = vec![
        Kind::Overview,
        Kind::CrossProject,
        Kind::Budget,
        Kind::Ontology,
    ];
    let table = Table::collect(kb.query("diagram list", DIAGRAM_LIST)?)?;
    for i in 0..table.rows.len() {
        kinds.push(Kind::parse(
            &table.text(i, "kind"),
            Some(&table.text(i, "code")),
        )?);
    }
    Ok(kinds)
}

/// The named queries [`Writer`] draws from (the timelines and `rs-links`): a build that also
/// writes their results runs them once for both, through one [`crate::query::memo::Memo`].
pub fn shared_queries() -> Vec<&'static str> {
    let timelines = [
        timeline::Subject::Program,
        timeline::Subject::Project,
        timeline::Subject::Ministry,
    ];
    timelines
        .into_iter()
        .map(|s| s.named_query().0)
        .chain(["rs-links"])
        .collect()
}

/// Every money diagram: one per program with an RS link (the named query `rs-links`), each
/// drawn ministry → program → its RS lines → their recipients.
pub fn money_kinds(kb: &Kb) -> Result<Vec<Kind>> {
    money_kinds_in(kb, &crate::query::memo::Memo::new(kb))
}

/// [`money_kinds`], `rs-links` answered through `memo`.
pub fn money_kinds_in(kb: &Kb, memo: &crate::query::memo::Memo<'_>) -> Result<Vec<Kind>> {
    let q = NamedQuery::read(&kb.layout.queries().join("rs-links.rq"))?;
    let table = memo.table(&q.name, &q.text)?;
    let programs: BTreeSet<String> = (0..table.rows.len())
        .map(|i| table.text(i, "program"))
        .collect();
    Ok(programs.into_iter().map(Kind::Money).collect())
}

/// Every timeline chart: one per program, project and ministry
/// (`queries/diagrams/timeline-subjects.rq`).
pub fn timeline_kinds(kb: &Kb) -> Result<Vec<Kind>> {
    let q = NamedQuery::read(&queries_dir(kb).join("timeline-subjects.rq"))?;
    let table = Table::collect(kb.query(&q.name, &q.text)?)?;
    (0..table.rows.len())
        .map(|i| {
            let subject = timeline::Subject::parse(&table.text(i, "kind"))?;
            Ok(Kind::Timeline(subject, table.text(i, "code")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn edge_labels_of_several_lines_are_sorted() {
        assert_eq!(super::sorted_lines("b\na\nc".into()), "a\nb\nc");
        assert_eq!(super::sorted_lines("one line".into()), "one line");
    }

    #[test]
    fn amounts_round_half_up_on_their_decimal_value() {
        use super::oku;
        // 10.235 is RS 6843's FY2023 budget (1,023,500,000 yen); 1,489 a document total.
        assert_eq!(oku(10.235), "10.24");
        assert_eq!(oku(1.999), "2");
        assert_eq!(oku(0.4), "0.4");
        assert_eq!(oku(1489.0), "1,489");
        assert_eq!(oku(4292.98327), "4,292.98");
        assert_eq!(oku(-12.5), "-12.5");
        assert_eq!(oku(-0.001), "0");
        assert_eq!(super::oku_exact(10.235), "10.235");
        assert_eq!(super::oku_exact(2115.332), "2,115.332");
        assert_eq!(super::oku_exact(10.91832), "10.91832");
        assert_eq!(super::oku_exact(12.0), "12");
    }
}
