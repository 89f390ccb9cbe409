//! Dereferencing the IRIs medrd-kg mints: `GET /id/...` describes the resource — its own
//! statements (blank nodes followed) and the statements that point at it — as an HTML page
//! for a browser or as RDF (Turtle, JSON-LD, N-Triples, RDF/XML) for a Linked Data client.

use super::sparql::{content_type, rdf_serializer};
use super::{negotiate, App, HttpError};
use crate::query::output::compact;
use crate::vocab::{ext, BASE, ID, MEDRD, ONTOLOGY_GRAPH};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use oxigraph::model::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::sync::Arc;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Html,
    Rdf(RdfFormat),
}

/// Turtle first: a client that accepts anything is a program; browsers ask for HTML.
const OFFERS: &[(&str, Form)] = &[
    ("text/turtle", Form::Rdf(RdfFormat::Turtle)),
    ("text/html", Form::Html),
    ("application/xhtml+xml", Form::Html),
    (
        "application/ld+json",
        Form::Rdf(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
    ),
    (
        "application/json",
        Form::Rdf(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
    ),
    ("application/n-triples", Form::Rdf(RdfFormat::NTriples)),
    ("application/rdf+xml", Form::Rdf(RdfFormat::RdfXml)),
];

const OWL_SAME_AS: &str = "http://www.w3.org/2002/07/owl#sameAs";

/// The statements about one resource.
struct Description {
    about: Vec<Triple>,
    /// The statements whose object it is, at most --max-results of them.
    pointing: Vec<Triple>,
    /// How many statements (of every graph, repeats counted) have it as object, when more
    /// than `pointing` holds: a source cited by every record of a national RS edition is
    /// the object of a hundred thousand, which one page must not gather.
    pointing_total: Option<Counted>,
}

/// A count that stops at a bound.
#[derive(Clone, Copy)]
struct Counted {
    n: usize,
    /// Counting stopped at `n`: there are more.
    more: bool,
}

/// How many of the statements pointing to a resource are counted, as a multiple of
/// --max-results: counting them all would be as long as gathering them.
const COUNTED_PAGES: usize = 10;

/// Scans look at the time limit (`kb::cancelled`) once per this many statements.
const CANCEL_EVERY: usize = 4096;

/// The IRIs (under the base) that the catalogue describes: itself, its agent, periods and
/// licences, the dataset with its distributions and partitions, and the named graphs.
const CATALOGUED: [&str; 6] = [
    "id/catalog/",
    "id/agent/",
    "id/period/",
    "id/license/",
    "id/dataset/",
    "graph/",
];

/// The catalogue's triples where `iri` is one it describes (else none: making them reads the
/// whole store once, which a program's page need not wait for).
fn catalogue_for<'a>(app: &'a App, iri: &NamedNode) -> Result<&'a [Triple], HttpError> {
    let rest = iri.as_str().strip_prefix(BASE).unwrap_or_default();
    if CATALOGUED.iter().any(|p| rest.starts_with(p)) {
        app.catalog()
    } else {
        Ok(&[])
    }
}

fn triples_of(app: &App, subject: &NamedOrBlankNode, catalogue: &[Triple]) -> Vec<Triple> {
    let mut out: Vec<Triple> = app
        .kb
        .quads_for_pattern(Some(subject.as_ref()), None, None, None)
        .filter_map(|q| q.ok().map(Triple::from))
        .collect();
    out.extend(catalogue.iter().filter(|t| t.subject == *subject).cloned());
    out
}

fn gather(app: &App, iri: &NamedNode) -> Result<Description, HttpError> {
    let limit = app.config.max_results;
    let catalogue = catalogue_for(app, iri)?;
    let mut about = HashSet::new();
    let mut seen: HashSet<BlankNode> = HashSet::new();
    let mut todo = vec![NamedOrBlankNode::from(iri.clone())];
    while let Some(subject) = todo.pop() {
        // A page answered 503 at the time limit stops reading (its answer is not sent).
        if crate::store::cancelled() {
            break;
        }
        for t in triples_of(app, &subject, catalogue) {
            if let Term::BlankNode(b) = &t.object {
                if seen.insert(b.clone()) {
                    todo.push(b.clone().into());
                }
            }
            about.insert(t);
        }
    }
    let mut pointing: HashSet<Triple> = HashSet::new();
    let counted = limit.saturating_mul(COUNTED_PAGES).max(limit + 1);
    let mut seen = 0usize;
    let mut more = false;
    for quad in app
        .kb
        .quads_for_pattern(None, None, Some(iri.as_ref().into()), None)
        .flatten()
    {
        if seen == counted {
            more = true;
            break;
        }
        seen += 1;
        if seen.is_multiple_of(CANCEL_EVERY) && crate::store::cancelled() {
            break;
        }
        if pointing.len() < limit {
            pointing.insert(Triple::from(quad));
        }
    }
    let object = Term::from(iri.clone());
    for t in catalogue.iter().filter(|t| t.object == object) {
        if pointing.len() < limit {
            pointing.insert(t.clone());
        }
    }
    // A read cut short by the time limit (a scan of the copy ends in an error, which the
    // reads above pass over) is never described as whole.
    if crate::store::cancelled() {
        return Err(HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the resource took longer than this server's time limit",
        ));
    }
    let cut = seen > pointing.len() && pointing.len() >= limit;
    Ok(Description {
        about: sorted(about),
        pointing: sorted(pointing),
        pointing_total: cut.then_some(Counted { n: seen, more }),
    })
}

/// Triples in a stable order (the union of graphs may repeat a triple: sets drop repeats).
fn sorted(triples: HashSet<Triple>) -> Vec<Triple> {
    let mut v: Vec<Triple> = triples.into_iter().collect();
    v.sort_by_cached_key(|t| {
        (
            t.subject.to_string(),
            t.predicate.to_string(),
            t.object.to_string(),
        )
    });
    v
}

/// The form a request asks for: `format=`, else the `Accept` header.
fn form_of(request: &Request) -> Result<Form, HttpError> {
    let query = super::sparql::params(
        request.uri().query().unwrap_or("").as_bytes(),
        "query string",
    )?;
    let format = query
        .iter()
        .find(|(k, _)| k == "format")
        .map(|(_, f)| f.as_str());
    let header = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let accept = negotiate::effective_accept(format, header).map_err(HttpError::bad_request)?;
    negotiate::choose(accept.as_deref(), OFFERS).ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_ACCEPTABLE,
            "a resource is described in text/html, text/turtle, application/ld+json, application/n-triples or application/rdf+xml",
        )
    })
}

fn respond(media_type: &str, body: Vec<u8>) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type(media_type))], body).into_response();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// `GET /ontology`: the document of the `medrd:` terms (`https://w3id.org/medrd-kg/ontology`),
/// i.e. the ontology graph, as RDF or as an HTML page with one anchor per term.
pub(crate) async fn ontology(State(app): State<Arc<App>>, request: Request) -> Response {
    let key = app.lanes.key(("ontology", request.uri().query()));
    let work = {
        let app = Arc::clone(&app);
        move |_| ontology_inner(&app, &request)
    };
    super::blocking(&app, "reading the ontology", (key, false), work)
        .await
        .and_then(|r| r)
        .unwrap_or_else(IntoResponse::into_response)
}

/// `GET /rs`: the RS link vocabulary (`rs:`, ontology/rs.ttl), the document its terms'
/// namespace `…/rs#` names.
pub(crate) async fn rs_vocabulary(State(app): State<Arc<App>>, request: Request) -> Response {
    let key = app.lanes.key(("rs", request.uri().query()));
    let work = {
        let app = Arc::clone(&app);
        move |_| {
            vocabulary(
                &app,
                &request,
                Some(crate::ingest::rs::RS.trim_end_matches('#')),
            )
        }
    };
    super::blocking(&app, "reading the vocabulary", (key, false), work)
        .await
        .and_then(|r| r)
        .unwrap_or_else(IntoResponse::into_response)
}

fn ontology_inner(app: &App, request: &Request) -> Result<Response, HttpError> {
    vocabulary(app, request, None)
}

/// The ontology graph, or the terms of one vocabulary in it (subjects under `only`).
fn vocabulary(app: &App, request: &Request, only: Option<&str>) -> Result<Response, HttpError> {
    let form = form_of(request)?;
    let within = |t: &Triple| match (&t.subject, only) {
        (_, None) => true,
        (NamedOrBlankNode::NamedNode(n), Some(doc)) => {
            n.as_str() == doc
                || n.as_str()
                    .strip_prefix(doc)
                    .is_some_and(|r| r.starts_with('#'))
        }
        _ => false,
    };
    let triples: HashSet<Triple> = app
        .kb
        .quads_for_pattern(None, None, None, Some(ONTOLOGY_GRAPH.into()))
        .filter_map(|q| q.ok().map(Triple::from))
        .filter(within)
        .collect();
    let d = Description {
        about: sorted(triples),
        pointing: Vec::new(),
        pointing_total: None,
    };
    Ok(match form {
        Form::Html => respond("text/html", ontology_html(app, &d).into_bytes()),
        Form::Rdf(format) => {
            let mut out = Vec::new();
            let mut w = rdf_serializer(format).for_writer(&mut out);
            let io = |e: std::io::Error| {
                HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            };
            for t in &d.about {
                w.serialize_triple(&rebase(t, &app.config.base))
                    .map_err(io)?;
            }
            w.finish().map_err(io)?;
            let out = crate::query::jsonld::compact_body(format, out).map_err(io)?;
            respond(format.media_type(), out)
        }
    })
}

/// `GET /id/...`.
pub(crate) async fn describe(State(app): State<Arc<App>>, request: Request) -> Response {
    let key = app.lanes.key(("id", request.uri().to_string()));
    let work = {
        let app = Arc::clone(&app);
        move |_| describe_inner(&app, &request)
    };
    super::blocking(&app, "describing the resource", (key, false), work)
        .await
        .and_then(|r| r)
        .unwrap_or_else(IntoResponse::into_response)
}

fn describe_inner(app: &App, request: &Request) -> Result<Response, HttpError> {
    // `/id/…` and `/graph/…`: the IRI of the path under the base.
    let rest = request.uri().path().trim_start_matches('/');
    let iri = NamedNode::new(format!("{BASE}{rest}"))
        .map_err(|e| HttpError::bad_request(format!("not a valid resource IRI: {e}")))?;
    let form = form_of(request)?;
    let description = gather(app, &iri)?;
    if description.about.is_empty()
        && description.pointing.is_empty()
        && description.pointing_total.is_none()
    {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("no resource {iri} in this knowledge graph (the resources are listed by the SPARQL endpoint, /sparql)"),
        ));
    }
    let mut response = match form {
        Form::Html => respond("text/html", html(app, &iri, &description).into_bytes()),
        Form::Rdf(format) => respond(format.media_type(), rdf(app, &iri, &description, format)?),
    };
    // As /sparql says of an answer cut at --max-results.
    let h = response.headers_mut();
    h.insert(
        "Medrd-Result-Limit",
        HeaderValue::from(app.config.max_results),
    );
    if description.pointing_total.is_some() {
        h.insert("Medrd-Results-Truncated", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// Moves an IRI under the configured base when it is not the canonical one.
fn rebase_node(node: &NamedNode, base: &str) -> NamedNode {
    match node.as_str().strip_prefix(BASE) {
        Some(rest) if base != BASE => NamedNode::new_unchecked(format!("{base}{rest}")),
        _ => node.clone(),
    }
}

fn rebase(t: &Triple, base: &str) -> Triple {
    let subject = match &t.subject {
        NamedOrBlankNode::NamedNode(n) => rebase_node(n, base).into(),
        other => other.clone(),
    };
    let object = match &t.object {
        Term::NamedNode(n) => rebase_node(n, base).into(),
        other => other.clone(),
    };
    Triple::new(subject, rebase_node(&t.predicate, base), object)
}

fn rdf(
    app: &App,
    iri: &NamedNode,
    d: &Description,
    format: RdfFormat,
) -> Result<Vec<u8>, HttpError> {
    let base = app.config.base.as_str();
    let mut out = Vec::new();
    let mut w = rdf_serializer(format).for_writer(&mut out);
    let io = |e: std::io::Error| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    if base != BASE {
        w.serialize_triple(&Triple::new(
            rebase_node(iri, base),
            NamedNode::new_unchecked(OWL_SAME_AS),
            iri.clone(),
        ))
        .map_err(io)?;
    }
    for t in d.about.iter().chain(&d.pointing) {
        w.serialize_triple(&rebase(t, base)).map_err(io)?;
    }
    w.finish().map_err(io)?;
    crate::query::jsonld::compact_body(format, out).map_err(io)
}

use crate::markup::escape as esc;

/// The labels of a resource, Japanese first: (ja, en, other).
fn labels(app: &App, node: &NamedNode) -> Vec<Literal> {
    let mut labels: Vec<Literal> = app
        .kb
        .quads_for_pattern(
            Some(node.as_ref().into()),
            Some(ext::RDFS_LABEL),
            None,
            None,
        )
        .filter_map(|q| match q.ok()?.object {
            Term::Literal(l) => Some(l),
            _ => None,
        })
        .collect();
    let rank = |l: &Literal| match l.language() {
        Some("ja") => 0,
        Some("en") => 1,
        _ => 2,
    };
    labels.sort_by_key(|l| (rank(l), l.value().to_owned()));
    labels.dedup();
    labels
}

/// Where a link to an IRI goes: this server for our own resources, else the IRI itself —
/// when it may be a link at all ([`crate::markup::link_target`]: http(s) only; a
/// `javascript:` IRI of `--with` data is shown as text).
fn href(iri: &str) -> Option<String> {
    if let Some(rest) = iri.strip_prefix(ID) {
        Some(format!("/id/{rest}"))
    } else if let Some(term) = iri.strip_prefix(MEDRD) {
        Some(format!("/ontology#{term}"))
    } else {
        crate::markup::link_target(iri).map(str::to_owned)
    }
}

fn node_html(app: &App, node: &NamedNode) -> String {
    let label = labels(app, node).into_iter().next();
    let short = compact(node.as_str());
    let text = label.as_ref().map_or(short.as_str(), |l| l.value());
    let mut out = match href(node.as_str()) {
        Some(href) => crate::markup::anchor(&href, text),
        None => format!("<span class=\"nolink\">{}</span>", esc(text)),
    };
    if label.is_some() {
        let _ = write!(out, " <span class=\"iri\">{}</span>", esc(&short));
    }
    out
}

fn term_html(app: &App, term: &Term, d: &Description, depth: usize) -> String {
    match term {
        Term::NamedNode(n) => node_html(app, n),
        Term::Literal(l) => {
            let mut s = format!("<span class=\"lit\">{}</span>", esc(l.value()));
            if let Some(lang) = l.language() {
                let _ = write!(s, " <span class=\"tag\">@{}</span>", esc(lang));
            } else if l.datatype().as_str() != "http://www.w3.org/2001/XMLSchema#string" {
                let _ = write!(
                    s,
                    " <span class=\"tag\">{}</span>",
                    esc(&compact(l.datatype().as_str()))
                );
            }
            s
        }
        Term::BlankNode(b) if depth < 4 => {
            let inner: Vec<&Triple> = d
                .about
                .iter()
                .filter(|t| matches!(&t.subject, NamedOrBlankNode::BlankNode(s) if s == b))
                .collect();
            let mut s = String::from("<ul class=\"bnode\">");
            for t in inner {
                let _ = write!(
                    s,
                    "<li>{}: {}</li>",
                    node_html(app, &t.predicate),
                    term_html(app, &t.object, d, depth + 1)
                );
            }
            s.push_str("</ul>");
            s
        }
        other => esc(&other.to_string()),
    }
}

/// The statements about `subject`, grouped by property in the order of their compact names.
fn property_table(app: &App, subject: &NamedNode, d: &Description) -> String {
    let mut by_property: BTreeMap<String, (NamedNode, Vec<&Term>)> = BTreeMap::new();
    for t in d
        .about
        .iter()
        .filter(|t| t.subject.as_ref() == subject.as_ref().into())
    {
        by_property
            .entry(compact(t.predicate.as_str()))
            .or_insert_with(|| (t.predicate.clone(), Vec::new()))
            .1
            .push(&t.object);
    }
    let mut table = String::from("<table>");
    for (predicate, objects) in by_property.values() {
        let values: Vec<String> = objects.iter().map(|o| term_html(app, o, d, 0)).collect();
        let _ = write!(
            table,
            "<tr><th>{}</th><td>{}</td></tr>",
            node_html(app, predicate),
            values.join("<br>")
        );
    }
    table.push_str("</table>");
    table
}

/// The top of a page: head, style, banner and title.
fn page_head(app: &App, title: &str, subtitle: &str, iri: &str) -> String {
    // The knowledge base's name: the first document's short titles (its source.toml).
    let doc = &app.kb.primary().source.value.document;
    let head = format!(
        "{} / {}",
        doc.short_ja.as_deref().unwrap_or(&doc.ja),
        doc.short_en.as_deref().unwrap_or(&doc.en)
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{t} — medrd-kg</title>\
<link rel=\"alternate\" type=\"text/turtle\" href=\"?format=ttl\">\
<link rel=\"alternate\" type=\"application/ld+json\" href=\"?format=jsonld\">\
<link rel=\"stylesheet\" href=\"/assets/resource.css\"></head><body>\
<header><a href=\"/\">medrd-kg</a> — {head}</header><main>\
<h1>{t}</h1><p class=\"en\">{subtitle}</p><p class=\"iri\">&lt;{iri}&gt;</p>",
        t = esc(title),
        iri = esc(iri),
        head = esc(&head),
    )
}

const FORMATS_NAV: &str = "<nav class=\"formats\">RDF: <a href=\"?format=ttl\">Turtle</a><a href=\"?format=jsonld\">JSON-LD</a>\
<a href=\"?format=nt\">N-Triples</a><a href=\"?format=rdfxml\">RDF/XML</a> · <a href=\"/ontology\">オントロジー / Ontology</a> · \
<a href=\"/\">クエリ / Query</a></nav></main></body></html>\n";

fn ontology_html(app: &App, d: &Description) -> String {
    let mut page = page_head(
        app,
        "medrd オントロジー",
        "medrd-kg ontology",
        &MEDRD[..MEDRD.len() - 1],
    );
    let mut terms: Vec<&NamedNode> = d
        .about
        .iter()
        .filter_map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with(MEDRD) => Some(n),
            _ => None,
        })
        .collect();
    terms.sort_by_key(|n| n.as_str());
    terms.dedup();
    for term in terms {
        let local = &term.as_str()[MEDRD.len()..];
        let names: Vec<String> = labels(app, term).iter().map(|l| esc(l.value())).collect();
        let _ = write!(
            page,
            "<h2 id=\"{id}\">{names} <span class=\"iri\">medrd:{id}</span></h2>{table}",
            id = esc(local),
            names = names.join(" / "),
            table = property_table(app, term, d),
        );
    }
    page.push_str(FORMATS_NAV);
    page
}

/// The explorer's page of a resource that has one: a program, project, organisation, theme,
/// or budget line (an RS budget program, a review sheet; not its records or amounts).
fn explorer_page(iri: &NamedNode, d: &Description) -> Option<String> {
    let rest = iri.as_str().strip_prefix(ID)?;
    let (kind, key) = rest.split_once('/')?;
    let is_line = || {
        d.about.iter().any(|t| {
            t.subject.as_ref() == iri.as_ref().into()
                && t.predicate.as_ref() == ext::RDF_TYPE
                && matches!(&t.object, Term::NamedNode(c) if c.as_str() == format!("{}BudgetLine", crate::ingest::rs::RS))
        })
    };
    match kind {
        "program" | "project" | "org" | "theme" if !key.contains('/') => Some(format!(
            "/explore/{kind}/{}",
            crate::markup::path_segment(key)
        )),
        // A line's path is its IRI's, ASCII (`rs/2958`, `review-sheet/2023/mhlw/22-0964`).
        "rs" | "review-sheet" if is_line() && rest.bytes().all(|b| b.is_ascii_graphic()) => {
            Some(format!("/explore/line/{rest}"))
        }
        _ => None,
    }
}

/// For a program, an integrated project or a ministry: its timeline chart (the document's
/// figures beside the RS editions', `/diagram/timeline/...`) and a link to its explorer page,
/// which lists its RS links. Empty for any other resource.
fn timeline_section(iri: &NamedNode, d: &Description) -> String {
    let is_a = |class: &str| {
        d.about.iter().any(|t| {
            t.subject.as_ref() == iri.as_ref().into()
                && t.predicate.as_ref() == ext::RDF_TYPE
                && matches!(&t.object, Term::NamedNode(c) if c.as_str() == format!("{MEDRD}{class}"))
        })
    };
    let Some(rest) = iri.as_str().strip_prefix(ID) else {
        return String::new();
    };
    let (subject, slug, explore) = match rest.split_once('/') {
        Some(("program", slug)) if is_a("Program") => ("program", slug, "program"),
        Some(("project", n)) if is_a("IntegratedProject") => ("project", n, "project"),
        Some(("org", code)) if is_a("Ministry") => ("ministry", code, "ministry"),
        _ => return String::new(),
    };
    let seg = crate::markup::path_segment(slug);
    format!(
        "<h2>予算の推移 / Timeline</h2><figure><img src=\"/diagram/timeline/{subject}/{seg}\" \
         alt=\"予算の推移（年度・段階・出典ごとの金額） / Budget over the years, by stage and source\">\
         <figcaption><a href=\"/diagram/timeline/{subject}/{seg}\">SVG</a> · \
         <a href=\"/explore/{explore}/{seg}\">エクスプローラ（出典の行、RSとのリンク） / \
         Explorer (source lines, RS links)</a></figcaption></figure>"
    )
}

fn html(app: &App, iri: &NamedNode, d: &Description) -> String {
    let labels = labels(app, iri);
    let title = labels
        .first()
        .map_or_else(|| compact(iri.as_str()), |l| l.value().to_owned());
    let subtitle: Vec<String> = labels.iter().skip(1).map(|l| esc(l.value())).collect();
    let mut page = page_head(app, &title, &subtitle.join(" / "), iri.as_str());
    if app.config.base != BASE {
        let _ = write!(
            page,
            "<p class=\"iri\">= &lt;{}&gt; (owl:sameAs)</p>",
            esc(rebase_node(iri, &app.config.base).as_str())
        );
    }
    if let Some(path) = explorer_page(iri, d) {
        let _ = write!(
            page,
            "<p><a href=\"{}\">エクスプローラで読む（額・出典・支出先） / Read it in the explorer \
             (figures, sources, recipients)</a></p>",
            esc(&path)
        );
    }
    page.push_str(&timeline_section(iri, d));
    page.push_str("<h2>プロパティ / Properties</h2>");
    page.push_str(&property_table(app, iri, d));
    if !d.pointing.is_empty() {
        page.push_str("<h2>被参照 / Referenced by</h2>");
        if let Some(total) = d.pointing_total {
            // The endpoint cuts its answers at --max-results too: the rest is read page by
            // page, the query of the next page linked (its OFFSET changed for the ones after).
            let shown = d.pointing.len();
            let query = format!(
                "SELECT ?s ?p WHERE {{ ?s ?p <{}> }} ORDER BY ?s ?p LIMIT {} OFFSET {shown}",
                iri.as_str(),
                app.config.max_results
            );
            let (ja_of, en_of) = if total.more {
                ("以上", "more than ")
            } else {
                ("", "")
            };
            let n = crate::text::thousands(total.n as i64);
            let shown = crate::text::thousands(shown as i64);
            let _ = write!(
                page,
                "<p>{n}{ja_of}件のうち {shown} 件（上限 --max-results）。続きはページごとに SPARQL で \
                 / {shown} of {en_of}{n} shown (the server's --max-results); the next ones, page by \
                 page (OFFSET): <a href=\"/?{}\">{}</a></p>",
                esc(&form_urlencoded::Serializer::new(String::new())
                    .append_pair("query", &query)
                    .finish()),
                esc(&query)
            );
        }
        page.push_str("<table>");
        for t in &d.pointing {
            let subject = match &t.subject {
                NamedOrBlankNode::NamedNode(n) => node_html(app, n),
                other => esc(&other.to_string()),
            };
            let _ = write!(
                page,
                "<tr><th>{}</th><td>{}</td></tr>",
                node_html(app, &t.predicate),
                subject
            );
        }
        page.push_str("</table>");
    }
    page.push_str(FORMATS_NAV);
    page
}
