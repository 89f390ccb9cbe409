//! The sources of the knowledge base: one folder per source under `data/`, each with a
//! `source.toml` saying what kind of source it is. A `document` folder holds a document's text
//! and the TOML records that cite its lines ([`crate::ingest::document::records::Data`]); an `rs-edition` folder
//! holds one edition of the administrative project review (RS) in its official CSV/ZIP
//! layouts, read by the RS importer ([`crate::ingest::rs`]); a `review-sheets` folder holds the
//! review sheets of 2015–2023 as JUDGIT! publishes them (`sheets/EDITION/府省庁/STEM.json`,
//! read by [`crate::ingest::judgit`]), one source per edition present. Each source is one named graph
//! `https://w3id.org/medrd-kg/graph/<folder>` carrying its own DCAT/PROV description; the
//! links between the documents' programs and the RS lines (matcher + curated decisions) go
//! to `https://w3id.org/medrd-kg/graph/links`. Adding a source is adding a folder.

use crate::error::{Error, Result};
use crate::ingest::document::records::Data;
use crate::ingest::quad_list::QuadList;
use crate::ingest::rs::{self, RsData};
use crate::vocab::{ext, id, medrd, BASE};
use oxigraph::model::{
    GraphName, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Quad, Term, TermRef,
};
use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The named graph of a source, from its folder name (slug).
pub fn source_graph(slug: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{BASE}graph/{slug}"))
}

/// The named graph of the links between our programs and the RS lines.
pub fn links_graph() -> NamedNode {
    source_graph("links")
}

/// The IRI of a source itself (the document or RS edition the facts come from).
pub fn source_iri(source_id: &str) -> NamedNode {
    NamedNode::new_unchecked(id("source", source_id))
}

/// The kinds of source a folder may hold.
pub const KINDS: [&str; 3] = ["document", "rs-edition", "review-sheets"];

/// The description of an RS edition (`[edition]` of its `source.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditionMeta {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub short_ja: Option<String>,
    pub short_en: Option<String>,
    pub publisher_ja: String,
    /// The review year (事業年度) of the edition's sheets.
    pub review_year: i32,
    pub edition: Option<String>,
    pub issued: Option<String>,
    pub url: Option<String>,
    /// Where the files were taken from when not from the publisher directly.
    pub via: Option<String>,
    pub via_note: Option<String>,
    pub licence: Option<String>,
    pub licence_note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditionFile {
    #[allow(dead_code)]
    kind: String,
    edition: EditionMeta,
}

/// One RS edition: its description and the CSV/ZIP files of its folder.
#[derive(Clone, Debug)]
pub struct RsEdition {
    pub slug: String,
    pub dir: PathBuf,
    pub meta: EditionMeta,
    pub files: Vec<PathBuf>,
}

/// The description of a folder of review sheets (`[sheets]` of its `source.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetsMeta {
    /// The id the editions' sources are named by: `id/source/<id>-<edition>`.
    pub id: String,
    pub ja: String,
    pub en: String,
    pub publisher_ja: String,
    pub url: Option<String>,
    /// Where the files were taken from (JUDGIT!'s repository).
    pub via: Option<String>,
    pub licence: Option<String>,
    pub licence_note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SheetsFile {
    #[allow(dead_code)]
    kind: String,
    sheets: SheetsMeta,
    ministries: crate::ingest::judgit::read::Ministries,
}

/// A folder of review sheets: its description, its table of 府省庁 and its sheet files.
#[derive(Clone, Debug)]
pub struct SheetSource {
    pub slug: String,
    pub dir: PathBuf,
    pub meta: SheetsMeta,
    pub ministries: crate::ingest::judgit::read::Ministries,
    /// The editions present (folders of `sheets/`), in order.
    pub editions: Vec<i32>,
    pub files: Vec<PathBuf>,
}

impl SheetSource {
    /// The id of the source of one edition: `judgit-2019`.
    pub fn edition_id(&self, edition: i32) -> String {
        format!("{}-{edition}", self.meta.id)
    }
}

/// Every source under `data/`, in folder-name order.
#[derive(Debug, Default)]
pub struct Sources {
    pub documents: Vec<Data>,
    pub editions: Vec<RsEdition>,
    pub review_sheets: Vec<SheetSource>,
}

/// A fiscal year as pages and diagrams show it: the document that gives its figures (their
/// `dcterms:source`, bound to `?view_doc` in the queries beside `?view_year`) and its titles
/// and caption of totals, read from its `source.toml`.
#[derive(Clone, Debug, Default)]
pub struct YearView {
    pub year: i32,
    /// The document's IRI.
    pub iri: String,
    pub ja: String,
    pub en: String,
    /// Short titles, for the heads of diagrams (the full title where none is given).
    pub short_ja: String,
    pub short_en: String,
    /// What its totals are (`totals_ja`/`totals_en`; 「金額」/"amounts" where not given).
    pub totals_ja: String,
    pub totals_en: String,
}

impl YearView {
    /// What the queries of a view are bound to: `?view_year` (an `xsd:gYear`, as the figures
    /// carry it) and `?view_doc` (the document of that year).
    pub fn bindings(&self) -> [(&'static str, oxigraph::model::Term); 2] {
        use oxigraph::model::{vocab::xsd, Literal, NamedNode};
        [
            (
                "view_year",
                Literal::new_typed_literal(self.year.to_string(), xsd::G_YEAR).into(),
            ),
            (
                "view_doc",
                NamedNode::new_unchecked(self.iri.clone()).into(),
            ),
        ]
    }

    fn of(doc: &crate::ingest::document::records::Document) -> Self {
        YearView {
            year: doc.fiscal_year,
            iri: source_iri(&doc.id).as_str().to_owned(),
            ja: doc.ja.clone(),
            en: doc.en.clone(),
            short_ja: doc.short_ja.clone().unwrap_or_else(|| doc.ja.clone()),
            short_en: doc.short_en.clone().unwrap_or_else(|| doc.en.clone()),
            totals_ja: doc.totals_ja.clone().unwrap_or_else(|| "金額".into()),
            totals_en: doc.totals_en.clone().unwrap_or_else(|| "amounts".into()),
        }
    }
}

#[derive(Deserialize)]
struct KindOnly {
    kind: Option<String>,
}

fn data_err(path: &Path, message: impl Into<String>) -> Error {
    Error::data(path, 1, message.into())
}

impl Sources {
    /// Reads every `data/<slug>/source.toml` (folders without one are not sources) and the
    /// source each describes.
    pub fn read(data_root: &Path) -> Result<Self> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(data_root)
            .map_err(|e| Error::io(data_root, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("source.toml").is_file())
            .collect();
        dirs.sort();
        let mut sources = Sources::default();
        for dir in dirs {
            let path = dir.join("source.toml");
            check_slug(&folder_name(&dir), &path)?;
            let text = crate::inputs::read_utf8(&path, crate::inputs::MAX_SMALL_FILE)?;
            let kind: KindOnly = toml::from_str(&text)
                .map_err(|e: toml::de::Error| data_err(&path, e.message().trim()))?;
            match kind.kind.as_deref().unwrap_or("document") {
                "document" => sources.documents.push(Data::load(data_root, &dir)?),
                "rs-edition" => sources.editions.push(read_edition(&dir, &path, &text)?),
                "review-sheets" => sources
                    .review_sheets
                    .push(read_sheets_folder(&dir, &path, &text)?),
                other => {
                    return Err(data_err(
                        &path,
                        format!("kind = {other:?}: a source is one of {KINDS:?}"),
                    ))
                }
            }
        }
        if sources.documents.is_empty() {
            return Err(data_err(
                &data_root.join("<slug>/source.toml"),
                "no document source: data/ needs a folder with a source.toml of kind \"document\"",
            ));
        }
        Ok(sources)
    }

    /// One view per fiscal year the documents give figures for, in year order: the year's
    /// document (the first in folder order, when two are of one year) and what it says of
    /// itself. Pages and diagrams show one at a time, so that two years' figures are never
    /// added up.
    pub fn years(&self) -> Vec<YearView> {
        let mut years: Vec<YearView> = Vec::new();
        for d in &self.documents {
            let doc = &d.source.value.document;
            if years.iter().all(|y| y.year != doc.fiscal_year) {
                years.push(YearView::of(doc));
            }
        }
        years.sort_by_key(|y| y.year);
        years
    }

    /// The view of fiscal year `year`, or of the newest when `None`; an error naming the
    /// years there are for a year no document gives.
    pub fn year(&self, year: Option<i32>) -> Result<YearView> {
        let years = self.years();
        let found = match year {
            None => years.last(),
            Some(y) => years.iter().find(|v| v.year == y),
        };
        found.cloned().ok_or_else(|| Error::NoDocumentYear {
            year: year.unwrap_or_default(),
            known: years
                .iter()
                .map(|y| y.year.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// The slug of every source, with its graph.
    /// The id of every source (documents, then editions, each in folder order): the sources
    /// are `id/source/ID`.
    pub fn source_ids(&self) -> Vec<String> {
        self.documents
            .iter()
            .map(|d| d.source.value.document.id.clone())
            .chain(self.editions.iter().map(|e| e.meta.id.clone()))
            .chain(
                self.review_sheets
                    .iter()
                    .flat_map(|s| s.editions.iter().map(|e| s.edition_id(*e))),
            )
            .collect()
    }

    pub fn graphs(&self) -> Vec<NamedNode> {
        self.documents
            .iter()
            .map(|d| d.slug.as_str())
            .chain(self.editions.iter().map(|e| e.slug.as_str()))
            .chain(self.review_sheets.iter().map(|s| s.slug.as_str()))
            .map(source_graph)
            .collect()
    }
}

/// A TOML file's error with its line.
fn toml_err(path: &Path, text: &str, e: toml::de::Error) -> Error {
    let line = e.span().map_or(1, |s| {
        text[..s.start.min(text.len())].matches('\n').count() + 1
    });
    Error::data(path, line, e.message().trim().to_owned())
}

/// Graph names under `graph/` that are not a source's: a source of one of these names would
/// put its quads in the ontology's, the links' or the `--with` files' graphs.
const RESERVED_SLUGS: [&str; 3] = ["ontology", "links", "with"];

/// A source's folder name is the last segment of its graph's IRI: ASCII letters, digits and
/// `-`, `_`, `.`, begun with a letter or digit, and none of [`RESERVED_SLUGS`].
fn check_slug(slug: &str, path: &Path) -> Result<()> {
    let fits = slug.starts_with(|c: char| c.is_ascii_alphanumeric())
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !fits {
        return Err(data_err(
            path,
            format!(
                "the folder name {slug:?} names the source's graph <{BASE}graph/{slug}>: use \
                 ASCII letters, digits, '-', '_' and '.', beginning with a letter or digit"
            ),
        ));
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Err(data_err(
            path,
            format!(
                "the folder name {slug:?} is taken: <{BASE}graph/{slug}> is the graph of the \
                 {}; rename the folder",
                match slug {
                    "ontology" => "ontology",
                    "links" => "links between the sources",
                    _ => "--with files",
                }
            ),
        ));
    }
    Ok(())
}

fn folder_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A `review-sheets` folder: its `source.toml` and the files of `sheets/` (the sheets are read
/// when the store is built, by `ingest::judgit`).
fn read_sheets_folder(dir: &Path, path: &Path, text: &str) -> Result<SheetSource> {
    let file: SheetsFile = toml::from_str(text).map_err(|e| toml_err(path, text, e))?;
    let sheets = dir.join("sheets");
    let files = crate::ingest::judgit::read::sheet_files(std::slice::from_ref(&sheets))?;
    let mut editions: Vec<i32> = files
        .iter()
        .filter_map(|f| f.parent()?.parent()?.file_name()?.to_str()?.parse().ok())
        .collect();
    editions.sort_unstable();
    editions.dedup();
    if files.is_empty() {
        return Err(data_err(
            path,
            "a review-sheets folder needs its sheets/EDITION/府省庁/STEM.json files",
        ));
    }
    Ok(SheetSource {
        slug: folder_name(dir),
        dir: dir.to_owned(),
        meta: file.sheets,
        ministries: file.ministries,
        editions,
        files,
    })
}

fn read_edition(dir: &Path, path: &Path, text: &str) -> Result<RsEdition> {
    let file: EditionFile = toml::from_str(text).map_err(|e| toml_err(path, text, e))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("zip") || e.eq_ignore_ascii_case("csv"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(data_err(
            path,
            "an rs-edition folder needs its .zip or .csv files",
        ));
    }
    Ok(RsEdition {
        slug: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        dir: dir.to_owned(),
        meta: file.edition,
        files,
    })
}

fn iri(s: &str) -> NamedNode {
    NamedNode::new_unchecked(s)
}
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const PROV: &str = "http://www.w3.org/ns/prov#";

fn lang(s: &str, l: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(s, l).into()
}

/// The DCAT/PROV description of a source, in its own graph: the named graph is a
/// `dcat:Dataset` derived from (`prov:wasDerivedFrom`, `dcterms:source`) the source itself,
/// which carries title, publisher, issue date, edition, licence and address.
pub struct Description<'a> {
    pub slug: &'a str,
    pub source_id: &'a str,
    pub title_ja: &'a str,
    pub title_en: &'a str,
    pub short_ja: Option<&'a str>,
    pub short_en: Option<&'a str>,
    /// A publisher resource (an organisation of ours) or its name.
    pub publisher: Term,
    pub fiscal_year: Option<i32>,
    pub edition: Option<&'a str>,
    pub issued: Option<&'a str>,
    pub url: Option<&'a str>,
    pub via: Option<&'a str>,
    pub licence: Option<&'a str>,
    pub licence_note: &'a str,
    pub source_class: NamedNodeRef<'a>,
}

impl Description<'_> {
    pub fn quads(&self) -> Vec<Quad> {
        let g: GraphName = source_graph(self.slug).into();
        let mut quads = Vec::new();
        let mut add = |s: &NamedNode, p: NamedNode, o: Term| {
            quads.push(Quad::new(s.clone(), p, o, g.clone()));
        };
        let ds = source_graph(self.slug);
        let src = source_iri(self.source_id);
        let dct = |l: &str| iri(&format!("http://purl.org/dc/terms/{l}"));
        let dcat = |l: &str| iri(&format!("{DCAT}{l}"));
        add(&ds, ext::RDF_TYPE.into_owned(), dcat("Dataset").into());
        add(
            &ds,
            ext::RDFS_LABEL.into_owned(),
            lang(&format!("{}（ナレッジグラフ）", self.title_ja), "ja"),
        );
        add(
            &ds,
            ext::RDFS_LABEL.into_owned(),
            lang(&format!("{} (knowledge graph)", self.title_en), "en"),
        );
        add(
            &ds,
            iri(&format!("{PROV}wasDerivedFrom")),
            src.clone().into(),
        );
        add(&ds, dct("source"), src.clone().into());
        if let Some(l) = self.licence {
            add(&ds, dct("license"), iri(l).into());
        }
        // The source as published.
        add(
            &src,
            ext::RDF_TYPE.into_owned(),
            self.source_class.into_owned().into(),
        );
        add(
            &src,
            ext::RDF_TYPE.into_owned(),
            iri(&format!("{PROV}Entity")).into(),
        );
        add(&src, dct("title"), lang(self.title_ja, "ja"));
        add(&src, dct("title"), lang(self.title_en, "en"));
        add(
            &src,
            ext::RDFS_LABEL.into_owned(),
            lang(self.title_ja, "ja"),
        );
        add(
            &src,
            ext::RDFS_LABEL.into_owned(),
            lang(self.title_en, "en"),
        );
        if let Some(s) = self.short_ja {
            add(&src, ext::SKOS_ALT_LABEL.into_owned(), lang(s, "ja"));
        }
        if let Some(s) = self.short_en {
            add(&src, ext::SKOS_ALT_LABEL.into_owned(), lang(s, "en"));
        }
        add(
            &src,
            ext::SKOS_NOTATION.into_owned(),
            Literal::new_simple_literal(self.slug).into(),
        );
        add(&src, dct("publisher"), self.publisher.clone());
        if let Some(fy) = self.fiscal_year {
            add(
                &src,
                medrd::FISCAL_YEAR.into_owned(),
                Literal::new_typed_literal(fy.to_string(), ext::XSD_G_YEAR).into(),
            );
        }
        if let Some(e) = self.edition {
            add(&src, dcat("version"), lang(e, "ja"));
        }
        if let Some(d) = self.issued {
            add(&src, dct("issued"), Literal::new_simple_literal(d).into());
        }
        if let Some(u) = self.url {
            add(&src, dcat("landingPage"), iri(u).into());
        }
        if let Some(v) = self.via {
            add(&src, iri(&format!("{PROV}hadPrimarySource")), iri(v).into());
        }
        add(
            &src,
            ext::DCTERMS_RIGHTS.into_owned(),
            Literal::new_simple_literal(self.licence_note).into(),
        );
        quads
    }
}

/// The description of an RS edition.
pub fn edition_description(e: &RsEdition) -> Vec<Quad> {
    let m = &e.meta;
    Description {
        slug: &e.slug,
        source_id: &m.id,
        title_ja: &m.ja,
        title_en: &m.en,
        short_ja: m.short_ja.as_deref(),
        short_en: m.short_en.as_deref(),
        publisher: lang(&m.publisher_ja, "ja"),
        fiscal_year: Some(m.review_year),
        edition: m.edition.as_deref(),
        issued: m.issued.as_deref(),
        url: m.url.as_deref(),
        via: m.via.as_deref(),
        licence: m.licence.as_deref(),
        licence_note: &m.licence_note,
        source_class: medrd::RS_EDITION,
    }
    .quads()
}

/// The description of a folder of review sheets, in its graph: the graph is a `dcat:Dataset`
/// derived from each edition present, and each edition a `medrd:ReviewSheetEdition`
/// (`id/source/judgit-2019`, `skos:notation "judgit-2019"`) with its titles, review year,
/// publisher, licence and the repository it was taken from (`prov:wasDerivedFrom`).
pub fn sheets_description(s: &SheetSource) -> Vec<Quad> {
    let g: GraphName = source_graph(&s.slug).into();
    let m = &s.meta;
    let mut quads = Vec::new();
    let mut add = |s: &NamedNode, p: NamedNode, o: Term| {
        quads.push(Quad::new(s.clone(), p, o, g.clone()));
    };
    let dct = |l: &str| iri(&format!("http://purl.org/dc/terms/{l}"));
    let ds = source_graph(&s.slug);
    add(
        &ds,
        ext::RDF_TYPE.into_owned(),
        iri(&format!("{DCAT}Dataset")).into(),
    );
    let ja_title = format!("{}（ナレッジグラフ）", m.ja);
    add(&ds, ext::RDFS_LABEL.into_owned(), lang(&ja_title, "ja"));
    let en_title = format!("{} (knowledge graph)", m.en);
    add(&ds, ext::RDFS_LABEL.into_owned(), lang(&en_title, "en"));
    if let Some(l) = &m.licence {
        add(&ds, dct("license"), iri(l).into());
    }
    for &edition in &s.editions {
        let src = source_iri(&s.edition_id(edition));
        add(
            &ds,
            iri(&format!("{PROV}wasDerivedFrom")),
            src.clone().into(),
        );
        add(&ds, dct("source"), src.clone().into());
        add(
            &src,
            ext::RDF_TYPE.into_owned(),
            medrd::REVIEW_SHEET_EDITION.into_owned().into(),
        );
        add(
            &src,
            ext::RDF_TYPE.into_owned(),
            iri(&format!("{PROV}Entity")).into(),
        );
        let ja = format!("行政事業レビューシート {edition}年公開 (JUDGIT!)");
        let en = format!("Administrative project review sheets, {edition} edition (JUDGIT!)");
        for p in [dct("title"), ext::RDFS_LABEL.into_owned()] {
            add(&src, p.clone(), lang(&ja, "ja"));
            add(&src, p, lang(&en, "en"));
        }
        let notation = Literal::new_simple_literal(s.edition_id(edition));
        add(&src, ext::SKOS_NOTATION.into_owned(), notation.into());
        let year = Literal::new_typed_literal(edition.to_string(), ext::XSD_G_YEAR);
        add(
            &src,
            crate::ingest::rs::term::REVIEW_YEAR.into_owned(),
            year.into(),
        );
        add(&src, dct("publisher"), lang(&m.publisher_ja, "ja"));
        if let Some(l) = &m.licence {
            add(&src, dct("license"), iri(l).into());
        }
        if let Some(u) = &m.url {
            add(&src, iri(&format!("{DCAT}landingPage")), iri(u).into());
        }
        if let Some(v) = &m.via {
            add(&src, iri(&format!("{PROV}wasDerivedFrom")), iri(v).into());
        }
        let rights = Literal::new_simple_literal(&m.licence_note);
        add(&src, ext::DCTERMS_RIGHTS.into_owned(), rights.into());
    }
    quads
}

/// About how many quads of RS records [`rs_quads_into`] hands over at a time: in memory the
/// store inserts a part while the next is made (at national scale the records were one part of
/// 950k quads, which the store waited 1.4 s for).
const RECORDS_PART: usize = 1 << 14;

/// The records of the RS editions as quads, each in the graph of the edition it was read
/// from: budget records and payments by their review year (事業年度), a budget program's own
/// description (one IRI across editions, 予算事業ID) and a recipient's in the latest edition
/// that has them, so that a name is stated once. Every record and payment cites its edition
/// (`dcterms:source`); the file names of the importer are dropped (they are the edition's).
/// Handed to `emit` a few programs at a time ([`RECORDS_PART`]), each part followed by its
/// records' observations (`rs::Observations`), then the editions' data sets.
pub fn rs_quads_into(
    data: &RsData,
    editions: &[RsEdition],
    ministries: &BTreeMap<String, String>,
    emit: &mut dyn FnMut(QuadList) -> Result<()>,
) -> Result<()> {
    rs_quads_in_parts(data, editions, ministries, RECORDS_PART, emit)
}

/// [`rs_quads_into`] in parts of about `part_len` quads (whole programs).
fn rs_quads_in_parts(
    data: &RsData,
    editions: &[RsEdition],
    ministries: &BTreeMap<String, String>,
    part_len: usize,
    emit: &mut dyn FnMut(QuadList) -> Result<()>,
) -> Result<()> {
    let Some(latest) = editions.iter().max_by_key(|e| e.meta.review_year) else {
        return Ok(());
    };
    let placing = Placing {
        by_year: editions.iter().map(|e| (e.meta.review_year, e)).collect(),
        latest,
        graphs: editions
            .iter()
            .map(|e| (e.slug.as_str(), source_graph(&e.slug).into()))
            .collect(),
        payees: rs::payee_review_years(data),
    };
    let mut observations = rs::Observations::default();
    let mut payees = rs::Payees::default();
    let mut part = QuadList::new();
    let mut projects = data.projects.values().peekable();
    while let Some(p) = projects.next() {
        rs::project_quads_into(&mut part, p, ministries, &mut payees);
        if part.len() >= part_len || projects.peek().is_none() {
            let mut records = std::mem::take(&mut part);
            placing.place(&mut records);
            let observed = observations.of(&records);
            emit(records)?;
            emit(observed)?;
        }
    }
    emit(observations.descriptions())
}

/// What puts the RS quads of a part in their editions' graphs ([`rs_quads_into`]).
struct Placing<'e> {
    by_year: BTreeMap<i32, &'e RsEdition>,
    latest: &'e RsEdition,
    graphs: FxHashMap<&'e str, GraphName>,
    /// The latest review year of each recipient's payments, over every program
    /// (`rs::payee_review_years`): a part holds only some of them.
    payees: FxHashMap<String, i32>,
}

impl Placing<'_> {
    /// Puts each quad of a part of the records (whole programs) in its edition's graph, by the
    /// review year of its subject: its own, else the latest of those pointing to it (a
    /// recipient's over every program); the citations of the editions come after them, and
    /// the importer's file names are dropped.
    fn place(&self, quads: &mut QuadList) {
        let mut edition = Vec::with_capacity(quads.len());
        let mut citations = Vec::new();
        {
            let mut year: FxHashMap<NamedOrBlankNodeRef<'_>, i32> = FxHashMap::default();
            for q in quads.iter() {
                if q.predicate == rs::term::REVIEW_YEAR {
                    if let TermRef::Literal(l) = q.object {
                        if let Ok(y) = l.value().parse::<i32>() {
                            year.insert(q.subject, y);
                        }
                    }
                }
            }
            // A program's records and payments are in its part; its payees' years are known.
            let points = [rs::term::PAYMENT_OF, rs::term::RECORD_OF];
            for q in quads.iter() {
                if points.contains(&q.predicate) {
                    if let (Some(&y), TermRef::NamedNode(o)) = (year.get(&q.subject), q.object) {
                        let e = year.entry(o.into()).or_insert(y);
                        *e = (*e).max(y);
                    }
                }
            }
            let mut cited = rustc_hash::FxHashSet::default();
            for q in quads.iter() {
                let y = year.get(&q.subject).copied().or_else(|| match q.subject {
                    NamedOrBlankNodeRef::NamedNode(n) => self.payees.get(n.as_str()).copied(),
                    NamedOrBlankNodeRef::BlankNode(_) => None,
                });
                let e = edition_of(&self.by_year, self.latest, y);
                if (q.predicate == rs::term::REVIEW_YEAR || q.predicate == rs::term::RECORD_OF)
                    && cited.insert(q.subject)
                {
                    citations.push(Quad::new(
                        q.subject.into_owned(),
                        ext::DCTERMS_SOURCE,
                        source_iri(&e.meta.id),
                        source_graph(&e.slug),
                    ));
                }
                edition.push(e);
            }
        }
        let mut each = edition.into_iter();
        quads.set_graphs(|_| each.next().map(|e| self.graphs[e.slug.as_str()].as_ref()));
        quads.retain(|q| {
            !(q.predicate == ext::DCTERMS_SOURCE && matches!(q.object, TermRef::Literal(_)))
        });
        quads.extend(citations);
    }
}

/// The edition of a review year: that year's, else the latest.
fn edition_of<'e>(
    by_year: &BTreeMap<i32, &'e RsEdition>,
    latest: &'e RsEdition,
    year: Option<i32>,
) -> &'e RsEdition {
    year.and_then(|y| by_year.get(&y).copied())
        .unwrap_or(latest)
}

/// Reads the files of every RS edition as one set (a program keeps one IRI and one record
/// per budget year across editions; the latest edition's name and description win).
pub fn read_editions(editions: &[RsEdition]) -> Result<RsData> {
    let files: Vec<PathBuf> = editions.iter().flat_map(|e| e.files.clone()).collect();
    RsData::read(&files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The RS editions of `data/`, read.
    fn editions() -> (Sources, RsData) {
        let sources = Sources::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
            .expect("data/ reads");
        let rs = read_editions(&sources.editions).expect("the RS editions read");
        (sources, rs)
    }

    /// Every quad of `rs_quads_in_parts` in N-Quads, with the number of parts of records.
    fn made(sources: &Sources, rs: &RsData, part_len: usize) -> (Vec<String>, usize) {
        let (mut quads, mut parts) = (Vec::new(), 0);
        rs_quads_in_parts(
            rs,
            &sources.editions,
            &BTreeMap::new(),
            part_len,
            &mut |part| {
                parts += 1;
                quads.extend(part.iter().map(|q| q.to_string()));
                Ok(())
            },
        )
        .expect("no part is refused");
        quads.sort();
        quads.dedup();
        (quads, parts)
    }

    /// A recipient is paid by many programs, which may fall in different parts: its
    /// description goes to the edition of its latest payment over all of them, as when the
    /// records are made whole.
    #[test]
    fn records_made_a_program_at_a_time_are_the_records_made_whole() {
        let (sources, rs) = editions();
        let (whole, one) = made(&sources, &rs, usize::MAX);
        let (each, parts) = made(&sources, &rs, 1);
        // One part of records and one of observations per program, then the data sets.
        assert_eq!(one, 3);
        assert_eq!(parts, 2 * rs.projects.len() + 1);
        let only: Vec<_> = whole
            .iter()
            .filter(|q| each.binary_search(q).is_err())
            .chain(each.iter().filter(|q| whole.binary_search(q).is_err()))
            .take(3)
            .collect();
        assert!(
            only.is_empty(),
            "made in parts or whole, not both: {only:?}"
        );
        assert_eq!(whole.len(), each.len());
        // Each recipient is described in the edition of its latest payment, over every
        // program; and not so by chance: some recipient is paid in one edition by a
        // program and in a later one by others only, which a part alone would place in
        // the earlier edition.
        let slug_of = |y: i32| {
            let e = sources.editions.iter().find(|e| e.meta.review_year == y);
            e.map(|e| e.slug.as_str())
        };
        let mut paid: HashMap<&str, BTreeMap<i32, std::collections::BTreeSet<&str>>> =
            HashMap::new();
        for p in rs.projects.values() {
            for pay in &p.payments {
                if let (Some(y @ 1..), Some(c)) = (pay.review_year, pay.corporate_number.as_deref())
                {
                    paid.entry(c)
                        .or_default()
                        .entry(y)
                        .or_default()
                        .insert(&p.id);
                }
            }
        }
        let mut split = 0;
        for (corp, by_year) in &paid {
            let (first, last) = (by_year.iter().next(), by_year.iter().next_back());
            let ((y0, from), (y1, to)) = first.zip(last).expect("a recipient has a payment");
            let graph = source_graph(slug_of(*y1).expect("a payment's year is an edition's"));
            let typed = |g: &NamedNode| {
                format!(
                    "{} <{}> <{}> {g}",
                    rs::corporate_iri(corp),
                    ext::RDF_TYPE.as_str(),
                    ext::ORG_ORGANIZATION.as_str()
                )
            };
            let graphs: Vec<_> = sources
                .editions
                .iter()
                .map(|e| source_graph(&e.slug))
                .collect();
            for g in &graphs {
                let held = each.binary_search(&typed(g)).is_ok();
                assert_eq!(held, *g == graph, "recipient {corp} in {g}");
            }
            if slug_of(*y0) != slug_of(*y1) && from.is_disjoint(to) {
                split += 1;
            }
        }
        assert!(split > 0, "no recipient of the subsets tests the parts");
    }

    /// A recipient is described once (its type and 法人番号, and each name it was paid under),
    /// however many payments and programs name it, in whatever parts they fall: the RS
    /// records state no quad twice. Every name of every payment with a 法人番号 is there.
    #[test]
    fn the_records_state_each_recipient_once_with_every_name_it_was_paid_under() {
        let (sources, rs) = editions();
        let mut stated: Vec<String> = Vec::new();
        let mut names = std::collections::BTreeSet::new();
        rs_quads_in_parts(&rs, &sources.editions, &BTreeMap::new(), 1, &mut |part| {
            for q in part.iter() {
                stated.push(q.to_string());
                if q.predicate == ext::RDFS_LABEL {
                    if let (Some(corp), TermRef::Literal(name)) = (
                        q.subject
                            .to_string()
                            .strip_prefix("<http://hojin-info.go.jp/data/basic/"),
                        q.object,
                    ) {
                        names.insert((
                            corp.trim_end_matches('>').to_owned(),
                            name.value().to_owned(),
                        ));
                    }
                }
            }
            Ok(())
        })
        .expect("no part is refused");
        let count = stated.len();
        stated.sort_unstable();
        stated.dedup();
        assert_eq!(stated.len(), count, "a quad of the records is stated twice");
        let paid: std::collections::BTreeSet<(String, String)> = rs
            .projects
            .values()
            .flat_map(|p| &p.payments)
            .filter_map(|pay| {
                let corp = pay.corporate_number.as_deref().filter(|c| !c.is_empty())?;
                Some((corp.to_owned(), pay.name.clone()))
            })
            .collect();
        assert!(paid.len() > 1_000, "{} recipients' names", paid.len());
        assert_eq!(names, paid);
        // What is left out are repeats only: the programs' quads are the same set with the
        // recipients described afresh in each program (as before, but for repeats within a
        // program) as with them described once over all (a recipient's graph is its
        // subject's, the same in every part: `Placing`).
        let distinct = |shared: bool| {
            let (mut set, mut payees) = (std::collections::BTreeSet::new(), rs::Payees::default());
            for p in rs.projects.values() {
                if !shared {
                    payees = rs::Payees::default();
                }
                let mut part = QuadList::new();
                rs::project_quads_into(&mut part, p, &BTreeMap::new(), &mut payees);
                set.extend(part.iter().map(|q| q.to_string()));
            }
            set
        };
        let once = distinct(true);
        assert!(once.len() > 10_000, "{} quads", once.len());
        assert!(once == distinct(false), "describing once lost a quad");
    }
}
