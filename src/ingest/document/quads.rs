//! Turns the curated data into RDF: every fact of `data/` becomes triples in the
//! document's named graph, each program, initiative and amount with its provenance.

use crate::ingest::document::records::{
    Amount, Category, Data, Entry, Figure, Initiative, Kind, Oku, ProjectFile, Status,
};
use crate::vocab::{ext, id, medrd, ID};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};
use std::collections::{BTreeMap, BTreeSet};

/// Collects the triples of the data graph.
struct Builder {
    quads: Vec<Quad>,
    graph: GraphName,
    doc: String,
    /// The Data Cube data set the amounts written now belong to: the document's summary
    /// tables, or the project page being read.
    dataset: NamedNode,
}

fn node(iri: String) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn ja(s: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(s, "ja")
}

fn en(s: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(s, "en")
}

fn decimal(v: Oku) -> Literal {
    Literal::new_typed_literal(v.to_string(), ext::XSD_DECIMAL)
}

impl Builder {
    fn add(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>) {
        self.quads
            .push(Quad::new(s.clone(), p, o.into(), self.graph.clone()));
    }

    fn typed(&mut self, s: &NamedNode, class: NamedNodeRef<'_>) {
        self.add(s, ext::RDF_TYPE, class);
    }

    fn labels(&mut self, s: &NamedNode, ja_label: &str, en_label: &str) {
        self.add(s, ext::RDFS_LABEL, ja(ja_label));
        self.add(s, ext::RDFS_LABEL, en(en_label));
    }

    fn location(&self, line: usize) -> NamedNode {
        node(id("source", &format!("{}/L{line}", self.doc)))
    }

    /// `prov:wasDerivedFrom` the given lines of the source document.
    fn derived_from(&mut self, s: &NamedNode, lines: &[usize]) {
        for &line in lines {
            let loc = self.location(line);
            self.add(s, ext::PROV_WAS_DERIVED_FROM, loc);
        }
    }

    fn note(&mut self, s: &NamedNode, note: Option<&str>) {
        if let Some(n) = note {
            self.add(s, ext::SKOS_EDITORIAL_NOTE, en(n));
        }
    }

    /// A reified statement saying that `s p o` is inferred, not printed, and why.
    fn inference(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: &NamedNode, why: &str) {
        let local = |n: &NamedNode| n.as_str().trim_start_matches(ID).replace('/', "-");
        let stmt = node(id(
            "inference",
            &format!(
                "{}--{}--{}",
                local(s),
                p.as_str().rsplit('#').next().unwrap_or(""),
                local(o)
            ),
        ));
        self.typed(&stmt, medrd::INFERENCE);
        self.add(&stmt, ext::RDF_SUBJECT, s.clone());
        self.add(&stmt, ext::RDF_PREDICATE, p);
        self.add(&stmt, ext::RDF_OBJECT, o.clone());
        self.add(&stmt, medrd::REASONING, en(why));
    }

    #[allow(clippy::too_many_arguments)]
    fn amount(
        &mut self,
        iri: &NamedNode,
        subject: &NamedNode,
        kind: Kind,
        category: Option<Category>,
        fiscal_year: i32,
        oku: Oku,
        lines: &[usize],
        printed: Option<&str>,
    ) {
        self.typed(iri, medrd::BUDGET_AMOUNT);
        self.add(iri, ext::QB_DATASET_PROP, self.dataset.clone());
        self.add(iri, medrd::AMOUNT_FOR, subject.clone());
        self.add(iri, medrd::AMOUNT_KIND, kind_concept(kind));
        match category {
            Some(c) => {
                self.add(iri, medrd::FUNDING_CATEGORY, category_concept(c));
                if c == Category::Amed {
                    self.add(iri, medrd::FUNDED_THROUGH, node(id("org", "amed")));
                }
            }
            // Every observation is fully dimensioned (Data Cube IC-11): an amount printed
            // without a category is the dimension's total value.
            None => self.add(iri, medrd::FUNDING_CATEGORY, medrd::ALL_FUNDING),
        }
        self.add(
            iri,
            medrd::FISCAL_YEAR,
            Literal::new_typed_literal(fiscal_year.to_string(), ext::XSD_G_YEAR),
        );
        self.add(iri, medrd::OKU_YEN, decimal(oku));
        self.add(iri, ext::DCTERMS_SOURCE, node(id("source", &self.doc)));
        self.add(iri, ext::SCHEMA_VALUE, Literal::from(oku.yen()));
        self.add(
            iri,
            ext::SCHEMA_CURRENCY,
            Literal::new_simple_literal("JPY"),
        );
        if let Some(p) = printed {
            self.add(iri, medrd::PRINTED_LABEL, ja(p));
        }
        self.derived_from(iri, lines);
    }

    fn explicit_amount(
        &mut self,
        a: &Amount,
        fiscal_year: i32,
        subjects: &BTreeMap<String, NamedNode>,
    ) {
        let iri = node(id("amount", &a.id));
        let subject = subjects[&a.for_].clone();
        self.amount(
            &iri,
            &subject,
            a.kind,
            a.category,
            a.fiscal_year.unwrap_or(fiscal_year),
            a.oku,
            &a.all_lines(),
            a.printed.as_deref(),
        );
        if let Some(p) = &a.portion_of {
            self.add(&iri, medrd::PORTION_OF, node(id("amount", p)));
        }
        self.note(&iri, a.note.as_deref());
    }
}

fn kind_concept(k: Kind) -> NamedNodeRef<'static> {
    match k {
        Kind::Request => medrd::REQUEST,
        Kind::Demand => medrd::DEMAND,
        Kind::Total => medrd::REQUEST_TOTAL,
        Kind::Initial => medrd::INITIAL_BUDGET,
        Kind::Supplementary => medrd::SUPPLEMENTARY_BUDGET,
    }
}

fn kind_slug(k: Kind) -> &'static str {
    match k {
        Kind::Request => "request",
        Kind::Demand => "demand",
        Kind::Total => "total",
        Kind::Initial => "initial",
        Kind::Supplementary => "supplementary",
    }
}

fn category_concept(c: Category) -> NamedNodeRef<'static> {
    match c {
        Category::Amed => medrd::AMED_FUNDED,
        Category::Inhouse => medrd::IN_HOUSE_FUNDED,
    }
}

fn category_slug(c: Category) -> &'static str {
    match c {
        Category::Amed => "amed",
        Category::Inhouse => "inhouse",
    }
}

fn status_concept(s: Status) -> NamedNodeRef<'static> {
    match s {
        Status::New => medrd::NEW,
        Status::Expanded => medrd::EXPANDED,
        Status::Unmarked => medrd::UNMARKED,
    }
}

const PROJECT_FIGURE_NOTE: &str = "Printed as 概算要求額 (request), but project figures add up to the overview table's request + demand totals (AMED: six projects + 100 = 1,490 ≈ 1,489, not 1,132), so the kind is modelled as request + demand.";

/// Every triple of a document's graph (`graph/<slug>`), in a stable order. `shared`: also the
/// organisations and themes of the shared files at the top of `data/` (given to one
/// document's graph only, so that the union of the graphs states each once).
pub fn data_quads(data: &Data, shared: bool) -> Vec<Quad> {
    let doc = &data.source.value.document;
    let mut b = Builder {
        quads: Vec::new(),
        graph: crate::ingest::sources::source_graph(&data.slug).into(),
        doc: doc.id.clone(),
        dataset: node(id("dataset", &doc.id)),
    };
    let doc_iri = source_document(&mut b, data);
    let sections = sections(&mut b, data, &doc_iri);
    if shared {
        organisations(&mut b, data);
        themes(&mut b, data);
    }
    let mut subjects = programs(&mut b, data);
    overview(&mut b, data, &doc_iri, &mut subjects);
    let mut facts = ProgramFacts::default();
    for f in &data.projects {
        let p = Project::new(&mut b, data, &f.value, &sections);
        p.focus_areas(&mut b);
        p.groups(&mut b);
        let figures = p.dataset(&mut b, &doc_iri);
        let summary = std::mem::replace(&mut b.dataset, figures);
        p.amounts(&mut b, &subjects);
        p.listings(&mut b, data, &mut facts);
        p.figures(&mut b, &subjects, &mut facts);
        b.dataset = summary;
    }
    facts.quads(&mut b);
    links(&mut b, data);
    source_locations(&mut b, data, &doc_iri, &sections);

    let mut quads = b.quads;
    crate::order::sort_quads(&mut quads);
    quads
}

/// The source document: its labels, publisher, rights, year and the DCAT description of
/// its graph. Returns its node.
fn source_document(b: &mut Builder, data: &Data) -> NamedNode {
    let doc = &data.source.value.document;
    let fy = doc.fiscal_year;
    let doc_iri = node(id("source", &doc.id));
    b.typed(&doc_iri, medrd::SOURCE_DOCUMENT);
    b.labels(&doc_iri, &doc.ja, &doc.en);
    b.add(&doc_iri, ext::DCTERMS_TITLE, ja(&doc.ja));
    b.add(
        &doc_iri,
        ext::DCTERMS_PUBLISHER,
        node(id("org", &doc.publisher)),
    );
    // The source's own licence is stated in words (dcterms:rights); `licence` is the licence
    // of our derived dataset, which the DCAT catalogue states.
    b.add(
        &doc_iri,
        ext::DCTERMS_RIGHTS,
        Literal::new_simple_literal(&doc.licence_note),
    );
    b.add(
        &doc_iri,
        medrd::FISCAL_YEAR,
        Literal::new_typed_literal(fy.to_string(), ext::XSD_G_YEAR),
    );
    b.derived_from(&doc_iri, &[doc.line]);
    b.quads.extend(
        crate::ingest::sources::Description {
            slug: &data.slug,
            source_id: &doc.id,
            title_ja: &doc.ja,
            title_en: &doc.en,
            short_ja: doc.short_ja.as_deref(),
            short_en: doc.short_en.as_deref(),
            publisher: node(id("org", &doc.publisher)).into(),
            fiscal_year: Some(fy),
            edition: doc.edition.as_deref(),
            issued: doc.issued.as_deref(),
            url: doc.url.as_deref(),
            via: None,
            licence: Some(&doc.licence),
            licence_note: &doc.licence_note,
            source_class: medrd::SOURCE_DOCUMENT,
        }
        .quads(),
    );
    doc_iri
}

/// The document's sections, each part of the document, with its page, description and
/// notes. Returns their nodes by section id.
fn sections(b: &mut Builder, data: &Data, doc_iri: &NamedNode) -> BTreeMap<String, NamedNode> {
    let doc = &data.source.value.document;
    let mut sections = BTreeMap::new();
    for s in &data.source.value.section {
        let s = s.get_ref();
        let iri = node(id("source", &format!("{}/{}", doc.id, s.id)));
        b.typed(&iri, medrd::DOCUMENT_SECTION);
        b.labels(&iri, &s.ja, &s.en);
        b.add(&iri, ext::DCTERMS_IS_PART_OF, doc_iri.clone());
        if let Some(p) = s.page {
            b.add(&iri, medrd::START_PAGE, Literal::from(i64::from(p)));
        }
        if let Some(d) = &s.description_ja {
            b.add(&iri, ext::DCTERMS_DESCRIPTION, ja(d));
        }
        b.derived_from(&iri, &s.description_line.into_iter().collect::<Vec<_>>());
        b.note(&iri, s.note.as_deref());
        for n in &s.notes {
            b.add(&iri, ext::SKOS_NOTE, ja(&n.ja));
            b.derived_from(&iri, &[n.line]);
        }
        sections.insert(s.id.clone(), iri);
    }
    sections
}

/// The organisations of the shared `organizations.toml`, each typed by the table it
/// stands in.
fn organisations(b: &mut Builder, data: &Data) {
    let orgs = &data.organizations.value;
    let org_kinds = [
        (&orgs.ministry, medrd::MINISTRY),
        (&orgs.agency, medrd::FUNDING_AGENCY),
        (&orgs.institute, medrd::IN_HOUSE_INSTITUTE),
        (&orgs.body, ext::ORG_ORGANIZATION),
    ];
    for (orgs, class) in org_kinds {
        for o in orgs {
            let o = o.get_ref();
            let iri = node(id("org", &o.id));
            b.typed(&iri, class);
            b.typed(&iri, ext::ORG_ORGANIZATION);
            b.labels(&iri, &o.ja, &o.en);
            b.add(&iri, ext::SKOS_NOTATION, Literal::new_simple_literal(&o.id));
            if let Some(s) = &o.short {
                b.add(&iri, medrd::SHORT_LABEL, ja(s));
            }
            if let Some(l) = &o.legend {
                b.add(&iri, ext::SKOS_ALT_LABEL, ja(l));
            }
            b.derived_from(&iri, &[o.line]);
        }
    }
}

/// The themes of the shared `themes.toml`: a SKOS scheme of top concepts with keywords.
fn themes(b: &mut Builder, data: &Data) {
    let scheme = node(format!("{ID}theme"));
    b.typed(&scheme, ext::SKOS_CONCEPT_SCHEME);
    b.labels(&scheme, "テーマ", "Themes");
    for t in &data.themes.value.theme {
        let t = t.get_ref();
        let iri = node(id("theme", &t.id));
        b.typed(&iri, ext::SKOS_CONCEPT);
        b.add(&iri, ext::SKOS_IN_SCHEME, scheme.clone());
        b.add(&iri, ext::SKOS_TOP_CONCEPT_OF, scheme.clone());
        b.add(&scheme, ext::SKOS_HAS_TOP_CONCEPT, iri.clone());
        b.labels(&iri, &t.ja, &t.en);
        b.add(&iri, ext::SKOS_PREF_LABEL, ja(&t.ja));
        b.add(&iri, ext::SKOS_PREF_LABEL, en(&t.en));
        b.add(&iri, ext::SKOS_NOTATION, Literal::new_simple_literal(&t.id));
        for k in &t.keywords {
            b.add(&iri, medrd::KEYWORD, ja(k));
        }
    }
}

/// The programs, with their ministries (printed or inferred), themes and parent; their
/// memberships come from the listings of the projects. Returns their nodes by id, the
/// first of the subjects an amount can be for.
fn programs(b: &mut Builder, data: &Data) -> BTreeMap<String, NamedNode> {
    let mut subjects: BTreeMap<String, NamedNode> = BTreeMap::new();
    for p in &data.programs.value.program {
        let p = p.get_ref();
        let iri = node(id("program", &p.id));
        b.typed(&iri, medrd::PROGRAM);
        b.labels(&iri, &p.ja, &p.en);
        b.add(&iri, ext::SKOS_NOTATION, Literal::new_simple_literal(&p.id));
        for a in &p.alt_ja {
            b.add(&iri, ext::SKOS_ALT_LABEL, ja(a));
        }
        for m in &p.ministries {
            b.add(&iri, medrd::MINISTRY_PROP, node(id("org", m)));
        }
        for m in &p.inferred_ministries {
            let org = node(id("org", m));
            b.add(&iri, medrd::MINISTRY_PROP, org.clone());
            b.inference(
                &iri,
                medrd::MINISTRY_PROP,
                &org,
                p.ministry_reasoning.as_deref().unwrap_or(""),
            );
        }
        for t in &p.themes {
            b.add(&iri, ext::DCTERMS_SUBJECT, node(id("theme", t)));
        }
        if let Some(parent) = &p.part_of {
            b.add(&iri, ext::DCTERMS_IS_PART_OF, node(id("program", parent)));
        }
        subjects.insert(p.id.clone(), iri);
    }
    subjects
}

/// The whole budget, the amounts dataset and the overview table (each cell with its
/// ministries' shares), the expense items, and the overview's explicit amounts. Adds the
/// items and the groups of every project to `subjects`.
fn overview(
    b: &mut Builder,
    data: &Data,
    doc_iri: &NamedNode,
    subjects: &mut BTreeMap<String, NamedNode>,
) {
    let fy = data.source.value.document.fiscal_year;
    let budget = node(id("budget", &format!("fy{fy}-medical-rd")));
    b.typed(&budget, medrd::BUDGET);
    b.labels(&budget, "医療分野の研究開発関連予算", "Medical R&D budget");
    b.add(&budget, ext::DCTERMS_SOURCE, doc_iri.clone());
    let dataset = b.dataset.clone();
    b.typed(&dataset, ext::QB_DATASET);
    b.add(
        &dataset,
        ext::QB_STRUCTURE,
        medrd::DOCUMENT_AMOUNT_STRUCTURE,
    );
    b.labels(
        &dataset,
        "予算額（総括表・プロジェクト合計・経費項目）",
        "Budget amounts (overview table, project totals, expense items)",
    );
    b.add(&dataset, ext::DCTERMS_SOURCE, doc_iri.clone());
    for c in &data.overview.value.table {
        let c = c.get_ref();
        let year = c.fiscal_year.unwrap_or(fy);
        let stem = format!(
            "overview-{}-{}",
            category_slug(c.category),
            kind_slug(c.kind)
        );
        // A cell and each ministry's share of it differ only in subject and figure.
        let cell = |b: &mut Builder, iri: &NamedNode, subject: &NamedNode, oku: Oku| {
            b.amount(
                iri,
                subject,
                c.kind,
                Some(c.category),
                year,
                oku,
                &[c.line],
                None,
            )
        };
        let row = node(id("amount", &stem));
        cell(b, &row, &budget, c.oku);
        for (m, oku) in &c.shares {
            let iri = node(id("amount", &format!("{stem}-{m}")));
            cell(b, &iri, &node(id("org", m)), *oku);
            b.add(&iri, medrd::PORTION_OF, row.clone());
        }
    }
    for i in &data.overview.value.item {
        let i = i.get_ref();
        let iri = node(id("item", &i.id));
        b.typed(&iri, medrd::EXPENSE_ITEM);
        b.labels(&iri, &i.ja, &i.en);
        if let Some(m) = &i.ministry {
            b.add(&iri, medrd::MINISTRY_PROP, node(id("org", m)));
        }
        b.derived_from(&iri, &[i.line]);
        subjects.insert(i.id.clone(), iri);
    }
    for f in &data.projects {
        for g in &f.value.group {
            subjects.insert(g.get_ref().id.clone(), node(id("group", &g.get_ref().id)));
        }
    }
    for a in &data.overview.value.amount {
        b.explicit_amount(a.get_ref(), fy, subjects);
    }
}

/// What the listings and figure lines of all projects say about programs, stated once
/// after the last project.
#[derive(Default)]
struct ProgramFacts {
    /// (program, project number) for every listing.
    memberships: BTreeSet<(String, u8)>,
    /// Programs a listing marks new (【新規】).
    new_programs: BTreeSet<String>,
    /// The lines that list each program.
    lines: BTreeMap<String, Vec<usize>>,
}

impl ProgramFacts {
    fn listed(&mut self, program: &str, project: u8, line: usize) {
        self.memberships.insert((program.to_owned(), project));
        self.lines.entry(program.to_owned()).or_default().push(line);
    }

    /// Each program's projects, whether it is new, and the lines it is derived from.
    fn quads(&self, b: &mut Builder) {
        for (p, n) in &self.memberships {
            b.add(
                &node(id("program", p)),
                medrd::PART_OF_PROJECT,
                node(id("project", &n.to_string())),
            );
        }
        for p in &self.new_programs {
            b.add(
                &node(id("program", p)),
                medrd::IS_NEW_PROGRAM,
                Literal::from(true),
            );
        }
        for (p, lines) in &self.lines {
            b.derived_from(&node(id("program", p)), lines);
        }
    }
}

/// One project file while its triples are written: the file, the project's number and
/// node, and the funding category its figure lines default to.
struct Project<'a> {
    file: &'a ProjectFile,
    n: u8,
    iri: NamedNode,
    fy: i32,
    /// AMED when the project has no in-house share, else none of its own.
    category: Option<Category>,
    figure_label: Option<&'a str>,
}

impl<'a> Project<'a> {
    /// The project: its labels, number, description, section and its printed totals.
    fn new(
        b: &mut Builder,
        data: &'a Data,
        v: &'a ProjectFile,
        sections: &BTreeMap<String, NamedNode>,
    ) -> Self {
        let n = v.project.number;
        let project = node(id("project", &n.to_string()));
        b.typed(&project, medrd::INTEGRATED_PROJECT);
        b.labels(&project, &v.project.ja, &v.project.en);
        b.add(&project, medrd::PROJECT_NUMBER, Literal::from(i64::from(n)));
        b.add(
            &project,
            ext::SKOS_NOTATION,
            Literal::new_simple_literal(&v.project.id),
        );
        b.add(
            &project,
            ext::DCTERMS_DESCRIPTION,
            ja(&v.project.description_ja),
        );
        b.derived_from(&project, &[v.project.line, v.project.description_line]);
        if let Some(s) = sections.get(&format!("project-{n}")) {
            b.add(&project, ext::DCTERMS_SOURCE, s.clone());
        }
        let doc = &data.source.value.document;
        let p = Project {
            file: v,
            n,
            iri: project,
            fy: doc.fiscal_year,
            category: if v.amounts.inhouse.is_none() {
                Some(Category::Amed)
            } else {
                None
            },
            figure_label: doc.project_figure_label.as_deref(),
        };
        p.totals(b);
        p
    }

    /// The project's total and its AMED and in-house parts, as printed.
    fn totals(&self, b: &mut Builder) {
        let a = &self.file.amounts;
        let parts = [
            ("total", Some(&a.total), None),
            ("amed", a.amed.as_ref(), Some(Category::Amed)),
            ("inhouse", a.inhouse.as_ref(), Some(Category::Inhouse)),
        ];
        for (slug, fig, cat) in parts {
            if let Some(fig) = fig {
                let iri = node(id("amount", &format!("p{}-{slug}", self.n)));
                b.amount(
                    &iri,
                    &self.iri,
                    Kind::Total,
                    cat,
                    self.fy,
                    fig.oku,
                    &fig.lines,
                    self.figure_label,
                );
                b.note(&iri, Some(PROJECT_FIGURE_NOTE));
            }
        }
    }

    /// The data set of the amounts printed on the project's page (its figure lines and
    /// explicit amounts; a program can print another figure on another project's page).
    fn dataset(&self, b: &mut Builder, doc_iri: &NamedNode) -> NamedNode {
        let dataset = node(id("dataset", &format!("{}/project-{}", b.doc, self.n)));
        b.typed(&dataset, ext::QB_DATASET);
        b.add(&dataset, ext::QB_STRUCTURE, medrd::PROJECT_FIGURE_STRUCTURE);
        b.labels(
            &dataset,
            &format!("予算額（プロジェクト{}の図）", self.n),
            &format!("Budget amounts (project {}'s figures)", self.n),
        );
        b.add(&dataset, medrd::IN_PROJECT, self.iri.clone());
        b.add(&dataset, ext::DCTERMS_SOURCE, doc_iri.clone());
        dataset
    }

    /// The data set of the page's (再掲) lines: figures printed again, kept apart so that
    /// no key has two observations in one data set.
    fn reposts_dataset(&self, b: &mut Builder) -> NamedNode {
        let dataset = node(id(
            "dataset",
            &format!("{}/project-{}/reposts", b.doc, self.n),
        ));
        b.typed(&dataset, ext::QB_DATASET);
        b.add(&dataset, ext::QB_STRUCTURE, medrd::PROJECT_FIGURE_STRUCTURE);
        b.labels(
            &dataset,
            &format!("予算額（プロジェクト{}の図の再掲）", self.n),
            &format!(
                "Budget amounts (project {}'s figures printed again, 再掲)",
                self.n
            ),
        );
        b.add(&dataset, medrd::IN_PROJECT, self.iri.clone());
        b.add(&dataset, ext::DCTERMS_SOURCE, node(id("source", &b.doc)));
        dataset
    }

    /// The focus areas, in the order printed.
    fn focus_areas(&self, b: &mut Builder) {
        for fa in &self.file.focus_area {
            let fa = fa.get_ref();
            let iri = node(id("focus-area", &fa.id));
            b.typed(&iri, medrd::FOCUS_AREA);
            b.labels(&iri, &fa.ja, &fa.en);
            b.add(&iri, medrd::FOCUS_AREA_OF, self.iri.clone());
            b.add(&iri, medrd::ORDER, Literal::from(fa.line as i64));
            b.derived_from(&iri, &[fa.line]);
        }
    }

    /// The program groups, with their printed and inferred members.
    fn groups(&self, b: &mut Builder) {
        for g in &self.file.group {
            let g = g.get_ref();
            let iri = node(id("group", &g.id));
            b.typed(&iri, medrd::PROGRAM_GROUP);
            b.labels(&iri, &g.ja, &g.en);
            if let Some(p) = &g.printed {
                b.add(&iri, medrd::PRINTED_LABEL, ja(p));
            }
            for m in &g.members {
                b.add(&iri, medrd::GROUP_MEMBER, node(id("program", m)));
            }
            for m in &g.inferred_members {
                let program = node(id("program", m));
                b.add(&iri, medrd::GROUP_MEMBER, program.clone());
                b.inference(
                    &iri,
                    medrd::GROUP_MEMBER,
                    &program,
                    g.members_reasoning.as_deref().unwrap_or(""),
                );
            }
            b.derived_from(&iri, &[g.line]);
            b.note(&iri, g.note.as_deref());
        }
    }

    /// The project's explicit amounts (`[[amount]]`), each in the project.
    fn amounts(&self, b: &mut Builder, subjects: &BTreeMap<String, NamedNode>) {
        for a in &self.file.amount {
            b.explicit_amount(a.get_ref(), self.fy, subjects);
            b.add(
                &node(id("amount", &a.get_ref().id)),
                medrd::IN_PROJECT,
                self.iri.clone(),
            );
        }
    }

    /// The ◆ listings of programs (the points entries), each with its initiatives.
    fn listings(&self, b: &mut Builder, data: &Data, facts: &mut ProgramFacts) {
        let n = self.n;
        for e in &self.file.entry {
            let e = e.get_ref();
            let listing = node(id("listing", &format!("p{n}-L{}", e.line)));
            let program = node(id("program", &e.program));
            b.typed(&listing, medrd::POINTS_ENTRY);
            b.add(&listing, medrd::LISTS_PROGRAM, program.clone());
            b.add(&listing, medrd::IN_PROJECT, self.iri.clone());
            if let Some(fa) = &e.focus_area {
                b.add(&listing, medrd::IN_FOCUS_AREA, node(id("focus-area", fa)));
            }
            let status = e.status.unwrap_or(Status::Unmarked);
            b.add(&listing, medrd::STATUS, status_concept(status));
            if status == Status::New {
                facts.new_programs.insert(e.program.clone());
            }
            b.add(&listing, medrd::ORDER, Literal::from(e.line as i64));
            b.derived_from(&listing, &[e.line]);
            if let Some(note) = &e.note {
                b.add(&listing, ext::RDFS_COMMENT, ja(note));
                b.derived_from(&listing, &e.note_line.into_iter().collect::<Vec<_>>());
            }
            facts.listed(&e.program, n, e.line);
            let program_en = data.program(&e.program).map_or("", |p| p.en.as_str());
            for i in &e.initiative {
                self.initiative(b, e, i.get_ref(), &listing, &program, program_en);
            }
        }
    }

    /// One ✓ initiative of a listing, labelled by the start of its text.
    fn initiative(
        &self,
        b: &mut Builder,
        e: &Entry,
        i: &Initiative,
        listing: &NamedNode,
        program: &NamedNode,
        program_en: &str,
    ) {
        let n = self.n;
        let iri = node(id("initiative", &format!("p{n}-L{}", i.line)));
        b.typed(&iri, medrd::INITIATIVE);
        let short: String = i.text.chars().take(40).collect();
        let ellipsis = if i.text.chars().count() > 40 {
            "…"
        } else {
            ""
        };
        b.labels(
            &iri,
            &format!("{short}{ellipsis}"),
            &format!("Initiative of {program_en} (project {n}, line {})", i.line),
        );
        b.add(&iri, ext::DCTERMS_DESCRIPTION, ja(&i.text));
        b.add(&iri, medrd::STATUS, status_concept(i.status));
        b.add(&iri, medrd::INITIATIVE_OF, program.clone());
        b.add(&iri, medrd::LISTED_UNDER, listing.clone());
        b.add(&iri, medrd::IN_PROJECT, self.iri.clone());
        if let Some(fa) = &e.focus_area {
            b.add(&iri, medrd::IN_FOCUS_AREA, node(id("focus-area", fa)));
        }
        b.add(&iri, medrd::ORDER, Literal::from(i.line as i64));
        b.derived_from(&iri, &[i.line]);
    }

    /// The figure lines: a listing per program they name (every member of a group), and
    /// the amount they print. The originals come first, so that reposts can point at them.
    fn figures(
        &self,
        b: &mut Builder,
        subjects: &BTreeMap<String, NamedNode>,
        facts: &mut ProgramFacts,
    ) {
        let mut originals: BTreeMap<String, NamedNode> = BTreeMap::new();
        let mut figures: Vec<_> = self.file.figure.iter().map(|x| x.get_ref()).collect();
        figures.sort_by_key(|x| x.repost);
        for x in figures {
            let key = x.program.clone().or(x.group.clone()).unwrap_or_default();
            let subject = subjects[&key].clone();
            let listings = self.figure_listings(b, x, facts);
            let Some(a) = &x.amount else { continue };
            let iri = node(id("amount", &format!("p{}-L{}", self.n, a.line)));
            for listing in &listings {
                b.add(listing, medrd::FIGURE_AMOUNT, iri.clone());
            }
            let cat = x.category.or(self.category).or(Some(Category::Amed));
            // A (再掲) line repeats a figure of the page: an observation of the page's
            // reposts, never a second one of the same key in its figures.
            let page = if x.repost {
                let reposts = self.reposts_dataset(b);
                Some(std::mem::replace(&mut b.dataset, reposts))
            } else {
                None
            };
            b.amount(
                &iri,
                &subject,
                Kind::Total,
                cat,
                self.fy,
                a.oku,
                &[a.line],
                Some("概算要求額"),
            );
            b.add(&iri, medrd::IN_PROJECT, self.iri.clone());
            if let Some(page) = page {
                b.dataset = page;
            }
            if let Some(inst) = &x.institute {
                b.add(&iri, medrd::FUNDED_THROUGH, node(id("org", inst)));
            }
            b.note(&iri, Some(PROJECT_FIGURE_NOTE));
            if x.repost {
                if let Some(orig) = originals.get(&key) {
                    b.add(&iri, medrd::REPOST_OF, orig.clone());
                }
            } else {
                originals.insert(key, iri);
            }
        }
    }

    /// The listings of one figure line: one for its program, or one per member of its
    /// group. Returns their nodes.
    fn figure_listings(
        &self,
        b: &mut Builder,
        x: &Figure,
        facts: &mut ProgramFacts,
    ) -> Vec<NamedNode> {
        let members: Vec<String> = match (&x.program, &x.group) {
            (Some(p), _) => vec![p.clone()],
            (None, Some(g)) => self
                .file
                .group
                .iter()
                .map(|gg| gg.get_ref())
                .find(|gg| &gg.id == g)
                .map(|gg| gg.members.clone())
                .unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        let mut listings = Vec::new();
        for m in &members {
            let suffix = if x.group.is_some() {
                format!("-{m}")
            } else {
                String::new()
            };
            let listing = node(id("listing", &format!("p{}-L{}{suffix}", self.n, x.line)));
            let program = node(id("program", m));
            b.typed(&listing, medrd::FIGURE_ENTRY);
            b.add(&listing, medrd::LISTS_PROGRAM, program.clone());
            b.add(&listing, medrd::IN_PROJECT, self.iri.clone());
            b.add(&listing, medrd::IS_REPOST, Literal::from(x.repost));
            b.add(&listing, medrd::ORDER, Literal::from(x.line as i64));
            b.derived_from(&listing, &[x.line]);
            if let Some(t) = &x.text {
                b.add(&listing, medrd::FIGURE_TEXT, ja(t));
                b.derived_from(&listing, &x.text_line.into_iter().collect::<Vec<_>>());
            }
            if let Some(group) = &x.group {
                b.add(&listing, ext::DCTERMS_IS_PART_OF, node(id("group", group)));
            }
            if let Some(inc) = &x.included_in {
                b.add(&listing, medrd::INCLUDED_IN, node(id("amount", inc)));
                b.add(&program, medrd::INCLUDED_IN, node(id("amount", inc)));
            }
            if let Some(why) = &x.inferred_program {
                b.inference(&listing, medrd::LISTS_PROGRAM, &program, why);
            }
            b.note(&listing, x.note.as_deref());
            facts.listed(m, self.n, x.line);
            listings.push(listing);
        }
        listings
    }
}

/// The links between programs (linkages) and between projects (feeds into).
fn links(b: &mut Builder, data: &Data) {
    for l in &data.links.value.linkage {
        let l = l.get_ref();
        let iri = node(id("linkage", &l.id));
        b.typed(&iri, medrd::PROGRAM_LINKAGE);
        b.labels(&iri, &l.ja, &l.en);
        for p in &l.programs {
            b.add(&iri, medrd::LINKS_PROGRAM, node(id("program", p)));
        }
        b.derived_from(&iri, &l.lines);
    }
    for fd in &data.links.value.feeds {
        let fd = fd.get_ref();
        let from = node(id("project", &fd.from.to_string()));
        for t in &fd.to {
            b.add(
                &from,
                medrd::FEEDS_INTO,
                node(id("project", &t.to_string())),
            );
        }
    }
}

/// Every source line cited so far (`prov:wasDerivedFrom`), as a location with its number
/// and the section it falls in (else the document).
fn source_locations(
    b: &mut Builder,
    data: &Data,
    doc_iri: &NamedNode,
    sections: &BTreeMap<String, NamedNode>,
) {
    let cited: BTreeSet<String> = b
        .quads
        .iter()
        .filter(|q| q.predicate == ext::PROV_WAS_DERIVED_FROM)
        // The graph's DCAT dataset is derived from the document itself, not from a line.
        .filter(|q| q.object != Term::from(doc_iri.clone()))
        .filter_map(|q| match &q.object {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        })
        .collect();
    for loc in cited {
        let line: usize = loc
            .rsplit("/L")
            .next()
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let iri = node(loc);
        b.typed(&iri, medrd::SOURCE_LOCATION);
        b.add(&iri, medrd::LINE_NUMBER, Literal::from(line as i64));
        b.labels(&iri, &format!("{}行目", line), &format!("line {line}"));
        let section = data
            .section_of(line)
            .and_then(|s| sections.get(&s.id))
            .cloned();
        b.add(
            &iri,
            ext::DCTERMS_IS_PART_OF,
            section.unwrap_or_else(|| doc_iri.clone()),
        );
    }
}
