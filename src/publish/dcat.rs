//! The catalogue of the dataset (`dist/catalog.ttl`, `medrd export --dcat`): DCAT 3 as the
//! DCAT-AP 3.0.1 application profile has it — so that a data portal harvests it and the
//! SEMIC SHACL shapes pass (`scripts/shacl-check.py`, CI) — with VoID statistics computed
//! from the store. Controlled values are the IRIs the profile names: IANA media types,
//! the EU Publications Office's file types, languages, countries and data themes, ADMS
//! licence types; each typed with the class the profile's ranges ask for.

use super::rdf::Sorted;
use super::{table_queries, CSVW_METADATA, DATASET, DIST_BASE, RDF_DISTRIBUTIONS, TABLES_DIR};
use crate::error::{Error, Result};
use crate::ingest::sources::{self, source_iri};
use crate::store::Kb;
use crate::vocab::{ext, id, ONTOLOGY_GRAPH, PREFIXES};
use oxigraph::io::RdfFormat;
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Term, Triple};
use std::collections::BTreeMap;
use std::io::Write;

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const VOID: &str = "http://rdfs.org/ns/void#";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
/// The EU Publications Office's authority tables (file types, languages, countries, themes).
const EU: &str = "http://publications.europa.eu/resource/authority/";
const IANA: &str = "http://www.iana.org/assignments/media-types/";

fn iri(s: impl Into<String>) -> NamedNode {
    NamedNode::new_unchecked(s)
}
fn dcat(l: &str) -> NamedNode {
    iri(format!("{DCAT}{l}"))
}
fn void(l: &str) -> NamedNode {
    iri(format!("{VOID}{l}"))
}
fn dct(l: &str) -> NamedNode {
    iri(format!("http://purl.org/dc/terms/{l}"))
}
fn lang(s: &str, l: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(s, l).into()
}
fn typed(v: impl Into<String>, datatype: &str) -> Term {
    Literal::new_typed_literal(v, NamedNodeRef::new_unchecked(&format!("{XSD}{datatype}"))).into()
}
fn integer(n: usize) -> Term {
    typed(n.to_string(), "integer")
}
fn plain(s: &str) -> Term {
    Literal::new_simple_literal(s).into()
}

/// The triples being written, with the one verb they are written with.
#[derive(Default)]
struct Triples(Vec<Triple>);

impl Triples {
    fn add(&mut self, s: &NamedNode, p: NamedNode, o: impl Into<Term>) {
        self.0.push(Triple::new(s.clone(), p, o.into()));
    }
    /// `s a class`.
    fn a(&mut self, s: &NamedNode, class: NamedNode) {
        self.add(s, ext::RDF_TYPE.into_owned(), class);
    }
    /// A controlled value: `s p value` and `value a class` (the profile checks the class).
    fn controlled(&mut self, s: &NamedNode, p: NamedNode, value: &str, class: NamedNode) {
        let v = iri(value);
        self.add(s, p, v.clone());
        self.a(&v, class);
    }
    /// A concept of a controlled vocabulary, with the English label its table gives it (the
    /// profile asks a `skos:Concept` for its `skos:prefLabel`).
    fn concept(&mut self, s: &NamedNode, p: NamedNode, value: &str, label: &str) {
        self.controlled(s, p, value, skos("Concept"));
        self.add(&iri(value), skos("prefLabel"), lang(label, "en"));
    }
}

/// The DCAT 3 (DCAT-AP 3.0.1) + VoID description of the dataset, computed from the store.
pub fn dcat_triples(kb: &Kb) -> Result<Vec<Triple>> {
    dcat_triples_of(kb, &Sorted::of(kb)?)
}

/// [`dcat_triples`], its VoID statistics counted on quads already read (a build reads them
/// once for its exports and its catalogue).
pub fn dcat_triples_of(kb: &Kb, all: &Sorted) -> Result<Vec<Triple>> {
    let mut t = Triples::default();
    catalog(&mut t);
    dataset(&mut t, kb);
    licences(&mut t, kb);
    distributions(&mut t, kb)?;
    statistics(&mut t, kb, all);
    let mut triples = t.0;
    crate::order::sort_triples(&mut triples);
    Ok(triples)
}

/// The catalogue, its publisher and what both are about.
fn catalog(t: &mut Triples) {
    let catalog = iri(id("catalog", "medrd-kg"));
    let publisher = iri(id("agent", "medrd-kg"));
    t.a(&catalog, dcat("Catalog"));
    t.add(
        &catalog,
        dct("title"),
        lang("医療分野研究開発予算ナレッジグラフ カタログ", "ja"),
    );
    t.add(&catalog, dct("title"), lang("medrd-kg catalog", "en"));
    t.add(
        &catalog,
        dct("description"),
        lang("日本の医療分野の研究開発予算（健康・医療戦略推進本部の概算要求のポイント、行政事業レビュー）を出典の行・シートとともにRDFにしたナレッジグラフのカタログ。", "ja"),
    );
    t.add(
        &catalog,
        dct("description"),
        lang("Catalogue of a knowledge graph of Japan's medical R&D budget (the Headquarters for Healthcare Policy's budget summaries and the administrative project reviews) as RDF, every fact traced to the line or sheet it comes from.", "en"),
    );
    t.add(&catalog, dct("publisher"), publisher.clone());
    t.add(&catalog, dcat("dataset"), iri(DATASET));
    t.add(
        &catalog,
        foaf("homepage"),
        iri("https://w3id.org/medrd-kg/"),
    );
    t.a(&iri("https://w3id.org/medrd-kg/"), foaf("Document"));
    t.add(&catalog, dct("license"), iri(CC_BY));
    languages(t, &catalog);
    t.controlled(
        &catalog,
        dct("spatial"),
        &format!("{EU}country/JPN"),
        dct("Location"),
    );
    let themes = format!("{EU}data-theme");
    t.controlled(
        &catalog,
        dcat("themeTaxonomy"),
        &themes,
        skos("ConceptScheme"),
    );
    t.add(&iri(themes), dct("title"), lang("Data theme", "en"));
    t.a(&publisher, foaf("Agent"));
    t.add(&publisher, foaf("name"), lang("medrd-kg developers", "en"));
}

fn foaf(l: &str) -> NamedNode {
    iri(format!("{FOAF}{l}"))
}

/// The licence of the dataset and of every distribution.
const CC_BY: &str = "https://creativecommons.org/licenses/by/4.0/";

/// Japanese and English, as the EU language table names them.
fn languages(t: &mut Triples, s: &NamedNode) {
    for code in ["JPN", "ENG"] {
        let l = format!("{EU}language/{code}");
        t.controlled(s, dct("language"), &l, dct("LinguisticSystem"));
    }
}

/// The dataset: titles and description from the first document, the sources it is derived
/// from (every source of `data/`), its period, themes and keywords.
fn dataset(t: &mut Triples, kb: &Kb) {
    let ds = iri(DATASET);
    let doc = &kb.primary().source.value.document;
    let version = env!("CARGO_PKG_VERSION");
    let publisher = iri(id("agent", "medrd-kg"));
    t.a(&ds, dcat("Dataset"));
    t.a(&ds, void("Dataset"));
    t.add(
        &ds,
        dct("title"),
        lang(&format!("{} ナレッジグラフ", doc.ja), "ja"),
    );
    t.add(
        &ds,
        dct("title"),
        lang(&format!("Knowledge graph: {}", doc.en), "en"),
    );
    t.add(
        &ds,
        dct("description"),
        lang(&format!("「{}」（{}）の事業、府省庁、統合プロジェクト、取組、予算額を出典の行とともにRDFにしたもの。行政事業レビューの版の予算・執行・支出先を並べる。", doc.ja, doc.edition.as_deref().unwrap_or("")), "ja"),
    );
    t.add(
        &ds,
        dct("description"),
        lang(&format!("The programs, ministries, integrated projects, initiatives and budget figures of \"{}\" as RDF, each traced to the line of the source where it stands, beside the budget, execution and recipients of the administrative project review editions.", doc.en), "en"),
    );
    t.add(&ds, dct("identifier"), plain("medrd-kg"));
    t.add(&ds, dcat("version"), plain(version));
    t.add(
        &ds,
        iri("http://www.w3.org/2002/07/owl#versionInfo"),
        plain(version),
    );
    t.add(&ds, dct("publisher"), publisher.clone());
    t.add(&ds, dct("creator"), publisher);
    t.add(&ds, dct("license"), iri(CC_BY));
    t.add(
        &ds,
        dct("rights"),
        lang(&format!("The dataset is licensed under CC BY 4.0. Its source document: {}; cite 「{}」 as the source.", doc.licence_note, doc.ja), "en"),
    );
    for source in kb.sources.source_ids() {
        let derived = iri("http://www.w3.org/ns/prov#wasDerivedFrom");
        t.add(&ds, derived, source_iri(&source));
    }
    languages(t, &ds);
    t.controlled(
        &ds,
        dct("conformsTo"),
        "https://w3id.org/medrd-kg/ontology",
        dct("Standard"),
    );
    t.controlled(
        &ds,
        dct("spatial"),
        &format!("{EU}country/JPN"),
        dct("Location"),
    );
    for (theme, label) in [
        ("HEAL", "Health"),
        ("GOVE", "Government and public sector"),
        ("ECON", "Economy and finance"),
    ] {
        t.concept(
            &ds,
            dcat("theme"),
            &format!("{EU}data-theme/{theme}"),
            label,
        );
    }
    for k in [
        "医療分野の研究開発",
        "予算",
        "概算要求",
        "AMED",
        "medical R&D",
        "budget",
        "Japan",
    ] {
        t.add(&ds, dcat("keyword"), plain(k));
    }
    period(t, &ds, doc.fiscal_year);
}

/// The fiscal year of the first document as a period (1 April to 31 March).
fn period(t: &mut Triples, ds: &NamedNode, fy: i32) {
    let period = iri(id("period", &format!("fy{fy}")));
    t.add(ds, dct("temporal"), period.clone());
    t.a(&period, dct("PeriodOfTime"));
    t.add(
        &period,
        dcat("startDate"),
        typed(format!("{fy}-04-01"), "date"),
    );
    t.add(
        &period,
        dcat("endDate"),
        typed(format!("{}-03-31", fy + 1), "date"),
    );
}

/// The dataset's licence (CC BY 4.0) and its source document's (the government's terms).
fn licences(t: &mut Triples, kb: &Kb) {
    let doc = &kb.primary().source.value.document;
    let label = ext::RDFS_LABEL.into_owned();
    let attribution = "http://purl.org/adms/licencetype/Attribution";
    let source_license = iri(id("license", "gov-jp-standard-terms-2.0"));
    t.a(&source_license, dct("LicenseDocument"));
    t.add(
        &source_license,
        label.clone(),
        lang("政府標準利用規約（第2.0版）", "ja"),
    );
    t.add(
        &source_license,
        label.clone(),
        lang("Government of Japan Standard Terms of Use (Ver.2.0)", "en"),
    );
    t.add(
        &source_license,
        ext::RDFS_COMMENT.into_owned(),
        lang("The terms under which Japanese government bodies publish their content; compatible with CC BY 4.0.", "en"),
    );
    t.concept(&source_license, dct("type"), attribution, "Attribution");
    t.add(&source_iri(&doc.id), dct("license"), source_license);
    let cc_by = iri(CC_BY);
    t.a(&cc_by, dct("LicenseDocument"));
    t.add(
        &cc_by,
        label,
        lang("Creative Commons Attribution 4.0 International", "en"),
    );
    t.concept(&cc_by, dct("type"), attribution, "Attribution");
}

fn skos(l: &str) -> NamedNode {
    iri(format!("http://www.w3.org/2004/02/skos/core#{l}"))
}

/// One file of `dist/` as a distribution of the dataset.
struct Distribution<'a> {
    /// The path under `dist/`.
    path: String,
    title: String,
    description: String,
    /// IANA media type (`text/csv`) and EU file type (`CSV`).
    media_type: &'a str,
    file_type: &'a str,
}

impl Distribution<'_> {
    fn iri(&self) -> NamedNode {
        let file = self.path.rsplit('/').next().unwrap_or(&self.path);
        iri(format!("{DATASET}/distribution/{}", slug(file)))
    }

    fn write(&self, t: &mut Triples) -> NamedNode {
        let d = self.iri();
        let url = iri(format!("{DIST_BASE}{}", self.path));
        t.add(&iri(DATASET), dcat("distribution"), d.clone());
        t.a(&d, dcat("Distribution"));
        t.add(&d, dct("title"), lang(&self.title, "en"));
        t.add(&d, dct("description"), lang(&self.description, "en"));
        // A file to download: its address is also where it is accessed (DCAT-AP requires
        // accessURL, and says it may equal downloadURL).
        t.add(&d, dcat("accessURL"), url.clone());
        t.add(&d, dcat("downloadURL"), url);
        let media = format!("{IANA}{}", self.media_type);
        t.controlled(&d, dcat("mediaType"), &media, dct("MediaType"));
        let format = format!("{EU}file-type/{}", self.file_type);
        t.controlled(&d, dct("format"), &format, dct("MediaTypeOrExtent"));
        t.add(&d, dct("license"), iri(CC_BY));
        d
    }
}

/// The RDF exports, the CSV tables and their CSVW metadata.
fn distributions(t: &mut Triples, kb: &Kb) -> Result<()> {
    let ds = iri(DATASET);
    for (file, media_type, title, file_type) in RDF_DISTRIBUTIONS {
        Distribution {
            path: (*file).to_owned(),
            title: format!("medrd-kg in {title}"),
            description: format!("The whole knowledge base, ontology included, in {title}."),
            media_type,
            file_type,
        }
        .write(t);
        t.add(&ds, void("dataDump"), iri(format!("{DIST_BASE}{file}")));
    }
    let metadata_url = iri(format!("{DIST_BASE}{TABLES_DIR}/{CSVW_METADATA}"));
    for q in table_queries(kb)? {
        let file = format!("{}.csv", q.name);
        let d = Distribution {
            path: format!("{TABLES_DIR}/{file}"),
            title: format!("Table {file} (CSV)"),
            description: q.summary.clone(),
            media_type: "text/csv",
            file_type: "CSV",
        }
        .write(t);
        let described_by = iri("http://www.w3.org/2007/05/powder-s#describedby");
        t.add(&d, described_by, metadata_url.clone());
    }
    let d = Distribution {
        path: format!("{TABLES_DIR}/{CSVW_METADATA}"),
        title: "CSVW metadata of the tables".to_owned(),
        description: "The columns, datatypes and keys of the CSV tables (W3C CSV on the Web)."
            .to_owned(),
        media_type: "application/csvm+json",
        file_type: "JSON",
    }
    .write(t);
    t.controlled(
        &d,
        dct("conformsTo"),
        "http://www.w3.org/ns/csvw",
        dct("Standard"),
    );
    Ok(())
}

/// VoID statistics of the knowledge base (the store, or the `--endpoint`): the union of all
/// graphs, as the triple exports write it.
struct Stats {
    triples: usize,
    entities: usize,
    subjects: usize,
    objects: usize,
    classes: BTreeMap<NamedNode, usize>,
    properties: BTreeMap<NamedNode, usize>,
    graphs: Vec<(NamedNode, usize)>,
}

fn stats(kb: &Kb, all: &Sorted) -> Stats {
    // Counted on the terms' ranks (Sorted::triple_ranks), each term's text looked at once:
    // hashing the terms of 182k triples was most of the catalogue's time.
    let iri_of = |rank: u32| {
        let text = all.text(rank);
        text.strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .map(NamedNode::new_unchecked)
    };
    let mut sizes = vec![0usize; all.terms_len()];
    for [g, ..] in all.quad_ranks() {
        sizes[*g as usize] += 1;
    }
    let graphs = kb
        .sources
        .graphs()
        .into_iter()
        .chain([sources::links_graph(), ONTOLOGY_GRAPH.into_owned()])
        .map(|g| {
            let n = all.rank_of(&g.to_string()).map_or(0, |r| sizes[r as usize]);
            (g, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    // The triples come sorted by their subject's text, so a subject's triples are together:
    // counting where the subject changes counts them, and each (resource, rdf:type, class) is
    // there once, so a class's entities are its rdf:type triples.
    let rdf_type = all.rank_of(&ext::RDF_TYPE.to_string());
    let (mut subjects, mut entities) = (0, 0);
    let mut last = None;
    let mut objects = vec![false; all.terms_len()];
    let mut properties = vec![0usize; all.terms_len()];
    let mut classes = vec![0usize; all.terms_len()];
    for [_, s, p, o] in all.triple_ranks() {
        if last != Some(s) {
            subjects += 1;
            entities += usize::from(all.text(s).starts_with('<'));
            last = Some(s);
        }
        objects[o as usize] = true;
        properties[p as usize] += 1;
        if Some(p) == rdf_type {
            classes[o as usize] += 1;
        }
    }
    let counted = |counts: Vec<usize>| {
        (0u32..)
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .filter_map(|(rank, n)| Some((iri_of(rank)?, n)))
            .collect::<BTreeMap<_, _>>()
    };
    Stats {
        triples: all.triples().len(),
        entities,
        subjects,
        objects: objects.iter().filter(|o| **o).count(),
        classes: counted(classes),
        properties: counted(properties),
        graphs,
    }
}

/// A readable, stable slug of an IRI for partition IRIs (`medrd-Program`, `rdf-type`).
fn slug(iri: &str) -> String {
    let compact = crate::query::output::compact(iri);
    let s = if compact == iri {
        iri.rsplit(['#', '/']).next().unwrap_or(iri).to_owned()
    } else {
        compact
    };
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// VoID: sizes, the vocabularies used (not our instance namespace), and a partition per
/// class, property and named graph.
fn statistics(t: &mut Triples, kb: &Kb, all: &Sorted) {
    let ds = iri(DATASET);
    let s = stats(kb, all);
    t.add(&ds, void("triples"), integer(s.triples));
    t.add(&ds, void("entities"), integer(s.entities));
    t.add(&ds, void("distinctSubjects"), integer(s.subjects));
    t.add(&ds, void("distinctObjects"), integer(s.objects));
    t.add(&ds, void("classes"), integer(s.classes.len()));
    t.add(&ds, void("properties"), integer(s.properties.len()));
    t.add(&ds, void("uriSpace"), plain(crate::vocab::ID));
    for (_, ns) in PREFIXES.iter().filter(|(_, ns)| *ns != crate::vocab::ID) {
        t.add(&ds, void("vocabulary"), iri(*ns));
    }
    for (class, n) in &s.classes {
        let p = iri(format!("{DATASET}/class/{}", slug(class.as_str())));
        t.add(&ds, void("classPartition"), p.clone());
        t.add(&p, void("class"), class.clone());
        t.add(&p, void("entities"), integer(*n));
    }
    for (prop, n) in &s.properties {
        let p = iri(format!("{DATASET}/property/{}", slug(prop.as_str())));
        t.add(&ds, void("propertyPartition"), p.clone());
        t.add(&p, void("property"), prop.clone());
        t.add(&p, void("triples"), integer(*n));
    }
    for (graph, n) in &s.graphs {
        let sub = iri(format!("{DATASET}/graph/{}", slug(graph.as_str())));
        t.add(&ds, void("subset"), sub.clone());
        t.a(&sub, void("Dataset"));
        let name = iri("http://www.w3.org/ns/sparql-service-description#name");
        t.add(&sub, name, graph.clone());
        t.add(&sub, void("triples"), integer(*n));
    }
}

/// Writes the DCAT description as Turtle (what `medrd build` puts in `dist/catalog.ttl`).
pub fn write_dcat(kb: &Kb, out: impl Write) -> Result<()> {
    write_dcat_of(kb, &Sorted::of(kb)?, out)
}

/// [`write_dcat`] on quads already read ([`dcat_triples_of`]).
pub fn write_dcat_of(kb: &Kb, all: &Sorted, out: impl Write) -> Result<()> {
    let triples = dcat_triples_of(kb, all)?;
    // Only namespaces whose local names hold no `/` (a distribution's, a media type's or an
    // EU authority's would be written escaped, `iana:text\/csv`): the rest in full.
    let extra = [("dcat", DCAT), ("void", VOID)];
    let io = Error::Write;
    let mut w = crate::vocab::rdf_serializer(RdfFormat::Turtle, &extra).for_writer(out);
    for t in &triples {
        w.serialize_triple(t).map_err(io)?;
    }
    w.finish().map_err(io)?;
    Ok(())
}
