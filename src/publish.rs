//! Publishing the dataset: its DCAT 3 description with VoID statistics computed from the
//! store (`write_dcat`, for `dist/catalog.ttl`), and the main tables as tidy CSV with CSVW
//! metadata (`write_csv_tables`, from the SPARQL of `queries/tables/*.rq`).

use crate::catalog::{self, NamedQuery};
use crate::error::{Error, Result};
use crate::kb::Kb;
use crate::output::Table;
use crate::vocab::{ext, id, ONTOLOGY_GRAPH, PREFIXES};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the published files are downloaded from (`medrd build` writes them to `dist/`).
pub const DIST_BASE: &str = "https://w3id.org/medrd-kg/dist/";
/// The dataset described by the catalog.
pub const DATASET: &str = "https://w3id.org/medrd-kg/id/dataset/medrd-kg";

/// The RDF distributions `medrd build` writes: file name, media type, format title.
pub const RDF_DISTRIBUTIONS: &[(&str, &str, &str)] = &[
    ("medrd-kg.ttl", "text/turtle", "Turtle"),
    ("medrd-kg.nt", "application/n-triples", "N-Triples"),
    ("medrd-kg.nq", "application/n-quads", "N-Quads"),
    ("medrd-kg.trig", "application/trig", "TriG"),
    ("medrd-kg.rdf", "application/rdf+xml", "RDF/XML"),
    ("medrd-kg.jsonld", "application/ld+json", "JSON-LD"),
];

/// Where `write_csv_tables` puts its files under the distribution base.
pub const TABLES_DIR: &str = "tables";
/// The CSVW metadata file of the tables.
pub const CSVW_METADATA: &str = "csv-metadata.json";

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const VOID: &str = "http://rdfs.org/ns/void#";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

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
fn lang(s: &str, l: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(s, l)
}
fn integer(n: usize) -> Literal {
    Literal::new_typed_literal(
        n.to_string(),
        NamedNodeRef::new_unchecked(&format!("{XSD}integer")),
    )
}

/// The table queries of `queries/tables/`.
pub fn table_queries(kb: &Kb) -> Result<Vec<NamedQuery>> {
    catalog::named(&kb.layout.queries().join(TABLES_DIR))
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

fn stats(kb: &Kb) -> Result<Stats> {
    let quads = kb.quads()?;
    let mut sizes: BTreeMap<NamedNodeRef<'_>, usize> = BTreeMap::new();
    for q in &quads {
        if let oxigraph::model::GraphName::NamedNode(g) = &q.graph_name {
            *sizes.entry(g.as_ref()).or_default() += 1;
        }
    }
    let graphs = kb
        .sources
        .graphs()
        .into_iter()
        .chain([crate::sources::links_graph(), ONTOLOGY_GRAPH.into_owned()])
        .map(|g| {
            let n = sizes.get(&g.as_ref()).copied().unwrap_or(0);
            (g, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let triples: HashSet<Triple> = quads.into_iter().map(Triple::from).collect();
    let mut subjects: HashSet<&NamedOrBlankNode> = HashSet::new();
    let mut objects: HashSet<&Term> = HashSet::new();
    let mut entities: BTreeSet<&NamedNode> = BTreeSet::new();
    let mut classes: BTreeMap<NamedNode, HashSet<&NamedOrBlankNode>> = BTreeMap::new();
    let mut properties: BTreeMap<NamedNode, usize> = BTreeMap::new();
    for t in &triples {
        subjects.insert(&t.subject);
        objects.insert(&t.object);
        if let NamedOrBlankNode::NamedNode(n) = &t.subject {
            entities.insert(n);
        }
        *properties.entry(t.predicate.clone()).or_default() += 1;
        if t.predicate.as_ref() == ext::RDF_TYPE {
            if let Term::NamedNode(c) = &t.object {
                classes.entry(c.clone()).or_default().insert(&t.subject);
            }
        }
    }
    Ok(Stats {
        triples: triples.len(),
        entities: entities.len(),
        subjects: subjects.len(),
        objects: objects.len(),
        classes: classes.into_iter().map(|(c, s)| (c, s.len())).collect(),
        properties,
        graphs,
    })
}

/// A readable, stable slug of an IRI for partition IRIs (`medrd-Program`, `rdf-type`).
fn slug(iri: &str) -> String {
    let compact = crate::output::compact(iri);
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

/// The DCAT 3 + VoID description of the dataset, computed from the store.
pub fn dcat_triples(kb: &Kb) -> Result<Vec<Triple>> {
    let mut t: Vec<Triple> = Vec::new();
    let mut add = |s: &NamedNode, p: NamedNode, o: Term| t.push(Triple::new(s.clone(), p, o));
    let rdf_type = ext::RDF_TYPE.into_owned();
    let label = ext::RDFS_LABEL.into_owned();
    let comment = ext::RDFS_COMMENT.into_owned();
    let ds = iri(DATASET);
    let catalog = iri(id("catalog", "medrd-kg"));
    let publisher = iri(id("agent", "medrd-kg"));
    let doc = &kb.primary().source.value.document;
    let source = iri(id("source", &doc.id));
    let source_license = iri(id("license", "gov-jp-standard-terms-2.0"));
    let cc_by = iri(doc.licence.clone());
    let version = env!("CARGO_PKG_VERSION");

    add(&catalog, rdf_type.clone(), dcat("Catalog").into());
    add(
        &catalog,
        dct("title"),
        lang("医療分野研究開発予算ナレッジグラフ カタログ", "ja").into(),
    );
    add(
        &catalog,
        dct("title"),
        lang("medrd-kg catalog", "en").into(),
    );
    add(&catalog, dct("publisher"), publisher.clone().into());
    add(&catalog, dcat("dataset"), ds.clone().into());

    add(
        &publisher,
        rdf_type.clone(),
        iri(format!("{FOAF}Agent")).into(),
    );
    add(
        &publisher,
        iri(format!("{FOAF}name")),
        lang("medrd-kg developers", "en").into(),
    );

    add(&ds, rdf_type.clone(), dcat("Dataset").into());
    add(&ds, rdf_type.clone(), void("Dataset").into());
    add(
        &ds,
        dct("title"),
        lang(&format!("{} ナレッジグラフ", doc.ja), "ja").into(),
    );
    add(
        &ds,
        dct("title"),
        lang(&format!("Knowledge graph: {}", doc.en), "en").into(),
    );
    add(
        &ds,
        dct("description"),
        lang(&format!("「{}」（{}）の事業、府省庁、統合プロジェクト、取組、予算額を出典の行とともにRDFにしたもの。行政事業レビューの版の予算・執行・支出先を並べる。", doc.ja, doc.edition.as_deref().unwrap_or("")), "ja").into(),
    );
    add(
        &ds,
        dct("description"),
        lang(&format!("The programs, ministries, integrated projects, initiatives and budget figures of \"{}\" as RDF, each traced to the line of the source where it stands, beside the budget, execution and recipients of the administrative project review editions.", doc.en), "en").into(),
    );
    add(
        &ds,
        dct("identifier"),
        Literal::new_simple_literal("medrd-kg").into(),
    );
    add(
        &ds,
        dcat("version"),
        Literal::new_simple_literal(version).into(),
    );
    add(
        &ds,
        iri("http://www.w3.org/2002/07/owl#versionInfo"),
        Literal::new_simple_literal(version).into(),
    );
    add(&ds, dct("publisher"), publisher.clone().into());
    add(&ds, dct("creator"), publisher.clone().into());
    add(&ds, dct("license"), cc_by.clone().into());
    add(
        &ds,
        dct("rights"),
        lang(&format!("The dataset is licensed under CC BY 4.0. Its source document: {}; cite 「{}」 as the source.", doc.licence_note, doc.ja), "en").into(),
    );
    add(&ds, dct("source"), source.clone().into());
    add(
        &ds,
        iri("http://www.w3.org/ns/prov#wasDerivedFrom"),
        source.clone().into(),
    );
    add(
        &ds,
        dct("language"),
        iri("http://id.loc.gov/vocabulary/iso639-1/ja").into(),
    );
    add(
        &ds,
        dct("language"),
        iri("http://id.loc.gov/vocabulary/iso639-1/en").into(),
    );
    add(
        &ds,
        dct("conformsTo"),
        iri("https://w3id.org/medrd-kg/ontology").into(),
    );
    for k in [
        "医療分野の研究開発",
        "予算",
        "概算要求",
        "AMED",
        "medical R&D",
        "budget",
        "Japan",
    ] {
        add(&ds, dcat("keyword"), Literal::new_simple_literal(k).into());
    }
    let fy = doc.fiscal_year;
    let period = iri(id("period", &format!("fy{fy}")));
    add(&ds, dct("temporal"), period.clone().into());
    add(&period, rdf_type.clone(), dct("PeriodOfTime").into());
    add(
        &period,
        dcat("startDate"),
        Literal::new_typed_literal(
            format!("{fy}-04-01"),
            NamedNodeRef::new_unchecked(&format!("{XSD}date")),
        )
        .into(),
    );
    add(
        &period,
        dcat("endDate"),
        Literal::new_typed_literal(
            format!("{}-03-31", fy + 1),
            NamedNodeRef::new_unchecked(&format!("{XSD}date")),
        )
        .into(),
    );

    add(
        &source_license,
        rdf_type.clone(),
        dct("LicenseDocument").into(),
    );
    add(
        &source_license,
        label.clone(),
        lang("政府標準利用規約（第2.0版）", "ja").into(),
    );
    add(
        &source_license,
        label.clone(),
        lang("Government of Japan Standard Terms of Use (Ver.2.0)", "en").into(),
    );
    add(
        &source_license,
        comment.clone(),
        lang("The terms under which Japanese government bodies publish their content; compatible with CC BY 4.0.", "en").into(),
    );
    add(&source, dct("license"), source_license.clone().into());
    add(&cc_by, rdf_type.clone(), dct("LicenseDocument").into());
    add(
        &cc_by,
        label.clone(),
        lang("Creative Commons Attribution 4.0 International", "en").into(),
    );

    // Distributions.
    let dist = |file: &str| iri(format!("{DATASET}/distribution/{}", slug(file)));
    let media = |m: &str| iri(format!("https://www.iana.org/assignments/media-types/{m}"));
    for (file, mt, title) in RDF_DISTRIBUTIONS {
        let d = dist(file);
        add(&ds, dcat("distribution"), d.clone().into());
        add(&d, rdf_type.clone(), dcat("Distribution").into());
        add(
            &d,
            dct("title"),
            lang(&format!("medrd-kg in {title}"), "en").into(),
        );
        add(
            &d,
            dcat("downloadURL"),
            iri(format!("{DIST_BASE}{file}")).into(),
        );
        add(&d, dcat("mediaType"), media(mt).into());
        add(
            &d,
            dct("format"),
            Literal::new_simple_literal(*title).into(),
        );
        add(&d, dct("license"), cc_by.clone().into());
        add(
            &ds,
            void("dataDump"),
            iri(format!("{DIST_BASE}{file}")).into(),
        );
    }
    let metadata_url = format!("{DIST_BASE}{TABLES_DIR}/{CSVW_METADATA}");
    for q in table_queries(kb)? {
        let file = format!("{}.csv", q.name);
        let d = dist(&file);
        add(&ds, dcat("distribution"), d.clone().into());
        add(&d, rdf_type.clone(), dcat("Distribution").into());
        add(
            &d,
            dct("title"),
            lang(&format!("Table {file} (CSV)"), "en").into(),
        );
        add(&d, dct("description"), lang(&q.summary, "en").into());
        add(
            &d,
            dcat("downloadURL"),
            iri(format!("{DIST_BASE}{TABLES_DIR}/{file}")).into(),
        );
        add(&d, dcat("mediaType"), media("text/csv").into());
        add(&d, dct("format"), Literal::new_simple_literal("CSV").into());
        add(&d, dct("license"), cc_by.clone().into());
        add(
            &d,
            iri("http://www.w3.org/2007/05/powder-s#describedby"),
            iri(metadata_url.clone()).into(),
        );
    }
    let d = dist(CSVW_METADATA);
    add(&ds, dcat("distribution"), d.clone().into());
    add(&d, rdf_type.clone(), dcat("Distribution").into());
    add(
        &d,
        dct("title"),
        lang("CSVW metadata of the tables", "en").into(),
    );
    add(&d, dcat("downloadURL"), iri(metadata_url).into());
    add(&d, dcat("mediaType"), media("application/csvm+json").into());
    add(
        &d,
        dct("conformsTo"),
        iri("http://www.w3.org/ns/csvw").into(),
    );
    add(&d, dct("license"), cc_by.clone().into());

    // VoID statistics.
    let s = stats(kb)?;
    add(&ds, void("triples"), integer(s.triples).into());
    add(&ds, void("entities"), integer(s.entities).into());
    add(&ds, void("distinctSubjects"), integer(s.subjects).into());
    add(&ds, void("distinctObjects"), integer(s.objects).into());
    add(&ds, void("classes"), integer(s.classes.len()).into());
    add(&ds, void("properties"), integer(s.properties.len()).into());
    add(
        &ds,
        void("uriSpace"),
        Literal::new_simple_literal(crate::vocab::ID).into(),
    );
    for (_, ns) in PREFIXES {
        add(&ds, void("vocabulary"), iri(*ns).into());
    }
    for (class, n) in &s.classes {
        let p = iri(format!("{DATASET}/class/{}", slug(class.as_str())));
        add(&ds, void("classPartition"), p.clone().into());
        add(&p, void("class"), class.clone().into());
        add(&p, void("entities"), integer(*n).into());
    }
    for (prop, n) in &s.properties {
        let p = iri(format!("{DATASET}/property/{}", slug(prop.as_str())));
        add(&ds, void("propertyPartition"), p.clone().into());
        add(&p, void("property"), prop.clone().into());
        add(&p, void("triples"), integer(*n).into());
    }
    for (graph, n) in &s.graphs {
        let sub = iri(format!("{DATASET}/graph/{}", slug(graph.as_str())));
        add(&ds, void("subset"), sub.clone().into());
        add(&sub, rdf_type.clone(), void("Dataset").into());
        add(
            &sub,
            iri("http://www.w3.org/ns/sparql-service-description#name"),
            graph.clone().into(),
        );
        add(&sub, void("triples"), integer(*n).into());
    }
    t.sort_by_cached_key(|x| x.to_string());
    t.dedup();
    Ok(t)
}

/// Writes the DCAT description as Turtle (what `medrd build` puts in `dist/catalog.ttl`).
pub fn write_dcat(kb: &Kb, out: impl Write) -> Result<()> {
    let triples = dcat_triples(kb)?;
    let mut s = RdfSerializer::from_format(RdfFormat::Turtle);
    let extra = [
        ("dcat", DCAT),
        ("void", VOID),
        ("dataset", "https://w3id.org/medrd-kg/id/dataset/medrd-kg/"),
        ("dist", DIST_BASE),
    ];
    for (p, ns) in PREFIXES.iter().copied().chain(extra) {
        s = s.with_prefix(p, ns).map_err(|e| Error::Query {
            name: "dcat".into(),
            message: e.to_string(),
        })?;
    }
    let io = Error::Write;
    let mut w = s.for_writer(out);
    for t in &triples {
        w.serialize_triple(t).map_err(io)?;
    }
    w.finish().map_err(io)?;
    Ok(())
}

/// The `#+ key: COL COL…` header of a table query (its primary key), if any.
fn key(q: &NamedQuery) -> Option<Vec<String>> {
    q.text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("#+ key:"))
        .map(|k| k.split_whitespace().map(String::from).collect())
}

/// `#+ column NAME: description` lines of a table query.
fn column_notes(q: &NamedQuery) -> BTreeMap<String, String> {
    q.text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("#+ column "))
        .filter_map(|l| l.split_once(':'))
        .map(|(n, d)| (n.trim().to_owned(), d.trim().to_owned()))
        .collect()
}

/// The CSVW datatype of a column: the XSD type all its values share, else string.
fn datatype(table: &Table, col: usize) -> &'static str {
    let mut kinds = BTreeSet::new();
    for row in &table.rows {
        match &row[col] {
            Some(Term::Literal(l)) => {
                let dt = l.datatype().as_str();
                kinds.insert(match dt.strip_prefix(XSD) {
                    Some("integer") => "integer",
                    Some("decimal") => "decimal",
                    Some("boolean") => "boolean",
                    Some("gYear") => "gYear",
                    _ => "string",
                });
            }
            Some(_) => {
                kinds.insert("string");
            }
            None => {}
        }
    }
    match kinds.len() {
        1 => kinds.into_iter().next().unwrap_or("string"),
        2 if kinds.contains("integer") && kinds.contains("decimal") => "decimal",
        _ => "string",
    }
}

/// Writes the main tables (`queries/tables/*.rq`) as tidy CSV in `dir`, with their CSVW
/// metadata in `dir/csv-metadata.json`. Returns the files written. Unless `replace`, any of
/// these files already in `dir` is refused before one is written (other files in `dir` are
/// never touched).
pub fn write_csv_tables(kb: &Kb, dir: &Path, replace: bool) -> Result<Vec<PathBuf>> {
    let queries = table_queries(kb)?;
    if !replace {
        let names = queries.iter().map(|q| format!("{}.csv", q.name));
        for path in names.chain([CSVW_METADATA.to_owned()]).map(|n| dir.join(n)) {
            if std::fs::symlink_metadata(&path).is_ok() {
                return Err(Error::io(
                    &path,
                    std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "the file exists: medrd does not replace a file unless asked (pass \
                         --force to replace it)",
                    ),
                ));
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    let mut tables = Vec::new();
    for q in queries {
        let table = Table::collect(kb.query(&q.name, &q.text)?)?;
        let path = dir.join(format!("{}.csv", q.name));
        // Whole or not at all, and never through a link left in `dir` (the fence).
        crate::fence::write_entry(&path, replace, |out| -> Result<(), csv::Error> {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&table.vars)?;
            for row in table.texts() {
                w.write_record(&row)?;
            }
            Ok(w.flush()?)
        })?;
        let notes = column_notes(&q);
        let columns: Vec<serde_json::Value> = table
            .vars
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut c = serde_json::json!({
                    "name": v,
                    "titles": v,
                    "datatype": datatype(&table, i),
                });
                if let Some(d) = notes.get(v) {
                    c["dc:description"] = serde_json::Value::String(d.clone());
                }
                c
            })
            .collect();
        let mut schema = serde_json::json!({ "columns": columns });
        if let Some(k) = key(&q) {
            schema["primaryKey"] = serde_json::json!(k);
        }
        tables.push(serde_json::json!({
            "url": format!("{}.csv", q.name),
            "dc:title": q.name,
            "dc:description": q.summary,
            "tableSchema": schema,
        }));
        written.push(path);
    }
    let metadata = serde_json::json!({
        "@context": ["http://www.w3.org/ns/csvw", { "@language": "en" }],
        "dc:title": "medrd-kg tables",
        "dc:license": { "@id": kb.primary().source.value.document.licence },
        "dc:source": { "@id": id("source", &kb.primary().source.value.document.id) },
        "dc:isPartOf": { "@id": DATASET },
        "tables": tables,
    });
    let path = dir.join(CSVW_METADATA);
    let text = serde_json::to_string_pretty(&metadata)
        .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    crate::fence::write_entry(&path, replace, |w| w.write_all((text + "\n").as_bytes()))?;
    written.push(path);
    Ok(written)
}
