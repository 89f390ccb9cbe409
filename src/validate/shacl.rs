//! SHACL shapes of our own data (`queries/shapes/*.ttl`), run by `medrd validate` beside the
//! violation queries: one check per node shape, each violation naming the focus node, the
//! path, the constraint and the value.
//!
//! Why our own evaluator, and not rudof's `shacl_validation` crate: our shapes use a small
//! part of SHACL Core — `sh:targetClass` (with `rdfs:subClassOf`), predicate paths, and the
//! constraints `minCount`, `maxCount`, `datatype` (the lexical form checked too), `class`,
//! `nodeKind`, `pattern`, `uniqueLang`, `in` and `hasValue` — which is a few hundred lines
//! over oxigraph's own store,
//! while that crate brings its own RDF model and a SPARQL engine of its own beside ours. A
//! shape that uses anything else is refused by name, never skipped, so a shape can only say
//! what is checked. The same shapes are run by pySHACL in CI (scripts/conformance.py) on the
//! export, so the two engines are held to the same answers.

use crate::error::{Error, Result};
use crate::store::Kb;
use crate::vocab::ext;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

const SH: &str = "http://www.w3.org/ns/shacl#";
const RDF_LIST_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_LIST_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
const RDFS_SUBCLASS_OF: &str = "http://www.w3.org/2000/01/rdf-schema#subClassOf";
const LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

/// The most items an `sh:in` list may have, and the most violations reported a shape (the
/// rest are counted).
const MAX_LIST: usize = 10_000;
const MAX_REPORTED: usize = 100;

/// What a node shape or a property shape may say beside its constraints (documentation).
const NOTES: [&str; 5] = ["name", "description", "message", "order", "group"];

/// One constraint of a property shape.
#[derive(Debug)]
enum Constraint {
    MinCount(usize),
    MaxCount(usize),
    Datatype(NamedNode),
    Class(NamedNode),
    NodeKind(NamedNode),
    Pattern(regex::Regex, String),
    UniqueLang,
    In(Vec<Term>),
    HasValue(Term),
}

/// A property shape: a predicate path and its constraints.
#[derive(Debug)]
struct PropertyShape {
    path: NamedNode,
    constraints: Vec<Constraint>,
}

/// A node shape: the classes whose instances it targets, and its property shapes.
#[derive(Debug)]
pub struct NodeShape {
    pub name: String,
    pub summary: String,
    targets: Vec<NamedNode>,
    properties: Vec<PropertyShape>,
}

/// The triples of a shapes file, by subject.
struct Shapes {
    by_subject: HashMap<NamedOrBlankNode, Vec<Triple>>,
    file: String,
}

impl Shapes {
    fn objects(&self, s: &NamedOrBlankNode, p: &str) -> Vec<&Term> {
        self.by_subject
            .get(s)
            .into_iter()
            .flatten()
            .filter(|t| t.predicate.as_str() == p)
            .map(|t| &t.object)
            .collect()
    }

    fn error(&self, message: String) -> Error {
        Error::Rdf {
            path: self.file.clone().into(),
            message,
        }
    }

    /// The items of an RDF list (bounded; a list that loops is refused).
    fn list(&self, head: &Term) -> Result<Vec<Term>> {
        let mut items = Vec::new();
        let mut node = head.clone();
        let mut seen = HashSet::new();
        while node != Term::from(NamedNode::new_unchecked(RDF_NIL)) {
            let subject = as_subject(&node)
                .filter(|s| seen.insert(s.clone()) && items.len() < MAX_LIST)
                .ok_or_else(|| self.error(format!("an sh:in list at {node} is not a list")))?;
            let first = self.objects(&subject, RDF_LIST_FIRST);
            let rest = self.objects(&subject, RDF_LIST_REST);
            let ([first], [rest]) = (first.as_slice(), rest.as_slice()) else {
                return Err(self.error(format!("an sh:in list at {node} is not a list")));
            };
            items.push((*first).clone());
            node = (*rest).clone();
        }
        Ok(items)
    }
}

fn as_subject(t: &Term) -> Option<NamedOrBlankNode> {
    match t {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        _ => None,
    }
}

fn sh(local: &str) -> String {
    format!("{SH}{local}")
}

/// Reads the node shapes of every `*.ttl` of `dir` (none when it is absent).
pub fn read(dir: &Path) -> Result<Vec<NodeShape>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|x| x == "ttl") {
            files.push(path);
        }
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        out.extend(read_file(&file)?);
    }
    Ok(out)
}

fn read_file(path: &Path) -> Result<Vec<NodeShape>> {
    let text = crate::inputs::read_utf8(path, crate::inputs::MAX_SMALL_FILE)?;
    let mut shapes = Shapes {
        by_subject: HashMap::new(),
        file: path.display().to_string(),
    };
    for t in RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes()) {
        let t = t.map_err(|e| shapes.error(e.to_string()))?;
        let t = Triple::from(t);
        shapes
            .by_subject
            .entry(t.subject.clone())
            .or_default()
            .push(t);
    }
    // A node shape is what says it is one, or what targets anything (SHACL reads a shape
    // with a target whatever its type); a property shape on its own, with a target or not,
    // is refused: ours are the sh:property of a node shape.
    let typed = |ts: &[Triple], local: &str| {
        let class: Term = NamedNode::new_unchecked(sh(local)).into();
        ts.iter()
            .any(|t| t.predicate == ext::RDF_TYPE && t.object == class)
    };
    let targets = |ts: &[Triple]| {
        ts.iter()
            .any(|t| t.predicate.as_str().starts_with(&sh("target")))
    };
    let properties: HashSet<Term> = shapes
        .by_subject
        .values()
        .flatten()
        .filter(|t| t.predicate.as_str() == sh("property"))
        .map(|t| t.object.clone())
        .collect();
    for (s, ts) in &shapes.by_subject {
        let inner = properties.contains(&Term::from(s.clone()));
        if typed(ts, "PropertyShape") && !inner || (inner && targets(ts)) {
            return Err(shapes.error(format!(
                "{s}: a property shape of its own (or with a target) is not evaluated by medrd validate: put it under the sh:property of a node shape"
            )));
        }
    }
    let mut subjects: Vec<&NamedOrBlankNode> = shapes
        .by_subject
        .iter()
        .filter(|(s, ts)| {
            typed(ts, "NodeShape")
                || (targets(ts) && !properties.contains(&Term::from((*s).clone())))
        })
        .map(|(s, _)| s)
        .collect();
    subjects.sort_by_key(|s| s.to_string());
    subjects
        .into_iter()
        .map(|s| node_shape_of(&shapes, s))
        .collect()
}

fn node_shape_of(shapes: &Shapes, s: &NamedOrBlankNode) -> Result<NodeShape> {
    let name = match s {
        NamedOrBlankNode::NamedNode(n) => n
            .as_str()
            .rsplit(['#', '/'])
            .next()
            .unwrap_or_default()
            .to_owned(),
        NamedOrBlankNode::BlankNode(_) => {
            return Err(shapes.error("a node shape needs an IRI: its name is the check's".into()))
        }
    };
    let mut targets = Vec::new();
    let mut properties = Vec::new();
    let mut summary = String::new();
    for t in &shapes.by_subject[s] {
        let Some(local) = t.predicate.as_str().strip_prefix(SH) else {
            if t.predicate.as_str() == ext::RDFS_COMMENT.as_str() {
                if let Term::Literal(l) = &t.object {
                    summary = l.value().to_owned();
                }
            }
            continue;
        };
        match (local, &t.object) {
            ("targetClass", Term::NamedNode(c)) => targets.push(c.clone()),
            ("property", p) => properties.push(property_shape(shapes, &name, p)?),
            (l, _) if NOTES.contains(&l) => {}
            (l, _) => {
                return Err(shapes.error(format!(
                    "shape {name}: sh:{l} is not evaluated by medrd validate (targetClass and property are)"
                )))
            }
        }
    }
    if targets.is_empty() {
        return Err(shapes.error(format!("shape {name} has no sh:targetClass")));
    }
    Ok(NodeShape {
        name: format!("shape-{name}"),
        summary,
        targets,
        properties,
    })
}

fn property_shape(shapes: &Shapes, shape: &str, node: &Term) -> Result<PropertyShape> {
    let s = as_subject(node)
        .ok_or_else(|| shapes.error(format!("shape {shape}: a property shape is a node")))?;
    let mut path = None;
    let mut constraints = Vec::new();
    let count = |t: &Term| match t {
        Term::Literal(l) => l.value().parse::<usize>().ok(),
        _ => None,
    };
    let iri = |t: &Term| match t {
        Term::NamedNode(n) => Some(n.clone()),
        _ => None,
    };
    let bad = |what: &str| shapes.error(format!("shape {shape}: {what}"));
    for t in shapes.by_subject.get(&s).into_iter().flatten() {
        let Some(local) = t.predicate.as_str().strip_prefix(SH) else {
            continue;
        };
        let o = &t.object;
        constraints.push(match local {
            "path" => {
                path =
                    Some(iri(o).ok_or_else(|| bad("only predicate paths (an IRI) are evaluated"))?);
                continue;
            }
            "minCount" => {
                Constraint::MinCount(count(o).ok_or_else(|| bad("sh:minCount needs an integer"))?)
            }
            "maxCount" => {
                Constraint::MaxCount(count(o).ok_or_else(|| bad("sh:maxCount needs an integer"))?)
            }
            "datatype" => {
                Constraint::Datatype(iri(o).ok_or_else(|| bad("sh:datatype needs an IRI"))?)
            }
            "class" => Constraint::Class(iri(o).ok_or_else(|| bad("sh:class needs an IRI"))?),
            "nodeKind" => {
                Constraint::NodeKind(iri(o).ok_or_else(|| bad("sh:nodeKind needs an IRI"))?)
            }
            "pattern" => {
                let Term::Literal(l) = o else {
                    return Err(bad("sh:pattern needs a string"));
                };
                let re = regex::RegexBuilder::new(l.value())
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| bad(&format!("sh:pattern {:?}: {e}", l.value())))?;
                Constraint::Pattern(re, l.value().to_owned())
            }
            "uniqueLang" => match o {
                Term::Literal(l) if l.value() == "true" => Constraint::UniqueLang,
                Term::Literal(l) if l.value() == "false" => continue,
                _ => return Err(bad("sh:uniqueLang needs true or false")),
            },
            "in" => Constraint::In(shapes.list(o)?),
            "hasValue" => Constraint::HasValue(o.clone()),
            l if NOTES.contains(&l) => continue,
            l => return Err(bad(&format!("sh:{l} is not evaluated by medrd validate"))),
        });
    }
    let path = path.ok_or_else(|| bad("a property shape without sh:path"))?;
    Ok(PropertyShape { path, constraints })
}

/// The classes that are `class` or below it (rdfs:subClassOf, in any graph of the store).
fn with_subclasses(kb: &Kb, class: &NamedNode) -> BTreeSet<NamedNode> {
    let sub = NamedNode::new_unchecked(RDFS_SUBCLASS_OF);
    let mut out = BTreeSet::from([class.clone()]);
    let mut todo = vec![class.clone()];
    while let Some(c) = todo.pop() {
        for q in kb
            .quads_for_pattern(None, Some(sub.as_ref()), Some(c.as_ref().into()), None)
            .flatten()
        {
            if let NamedOrBlankNode::NamedNode(n) = q.subject {
                if out.insert(n.clone()) {
                    todo.push(n);
                }
            }
        }
    }
    out
}

/// What a focus node states, over every graph, read once for all the property shapes of
/// its node shape (one look-up a node instead of one a property).
struct Statements(Vec<(NamedNode, Term)>);

impl Statements {
    fn of(kb: &Kb, s: &NamedOrBlankNode) -> Self {
        Statements(
            kb.quads_for_pattern(Some(s.as_ref()), None, None, None)
                .flatten()
                .map(|q| (q.predicate, q.object))
                .collect(),
        )
    }

    /// The distinct objects by `p`, in the store's order.
    fn values(&self, p: &NamedNode) -> Vec<Term> {
        let mut seen: HashSet<&Term> = HashSet::new();
        self.0
            .iter()
            .filter(|(q, o)| q == p && seen.insert(o))
            .map(|(_, o)| o.clone())
            .collect()
    }
}

/// Whether `node` is an instance of one of `classes`.
fn has_type(kb: &Kb, node: &Term, classes: &BTreeSet<NamedNode>) -> bool {
    let Some(s) = as_subject(node) else {
        return false;
    };
    kb.quads_for_pattern(Some(s.as_ref()), Some(ext::RDF_TYPE), None, None)
        .flatten()
        .any(|q| matches!(&q.object, Term::NamedNode(n) if classes.contains(n)))
}

/// Whether a literal's lexical form is one of its XSD datatype (oxigraph keeps ill-formed
/// ones, as `"1.5"^^xsd:integer`, which SHACL's sh:datatype does not accept).
fn well_formed(t: &Term) -> bool {
    use oxsdatatypes::{Boolean, Date, DateTime, Decimal, Double, Float, GYear, Integer};
    use std::str::FromStr;
    let Term::Literal(l) = t else {
        return true;
    };
    let v = l.value();
    match l
        .datatype()
        .as_str()
        .strip_prefix("http://www.w3.org/2001/XMLSchema#")
    {
        Some("integer") => Integer::from_str(v).is_ok(),
        Some("decimal") => Decimal::from_str(v).is_ok(),
        Some("boolean") => Boolean::from_str(v).is_ok(),
        Some("double") => Double::from_str(v).is_ok(),
        Some("float") => Float::from_str(v).is_ok(),
        Some("gYear") => GYear::from_str(v).is_ok(),
        Some("date") => Date::from_str(v).is_ok(),
        Some("dateTime") => DateTime::from_str(v).is_ok(),
        _ => true,
    }
}

fn datatype_of(t: &Term) -> Option<&str> {
    match t {
        Term::Literal(l) if l.language().is_some() => Some(LANG_STRING),
        Term::Literal(l) => Some(l.datatype().as_str()),
        _ => None,
    }
}

fn node_kind_fits(kind: &str, t: &Term) -> bool {
    let kind = kind.strip_prefix(SH).unwrap_or(kind);
    match t {
        Term::NamedNode(_) => matches!(kind, "IRI" | "BlankNodeOrIRI" | "IRIOrLiteral"),
        Term::BlankNode(_) => matches!(kind, "BlankNode" | "BlankNodeOrIRI" | "BlankNodeOrLiteral"),
        _ => matches!(kind, "Literal" | "BlankNodeOrLiteral" | "IRIOrLiteral"),
    }
}

fn text_of(t: &Term) -> String {
    match t {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// The violations of one property shape at one focus node.
fn check_property(
    kb: &Kb,
    focus: &NamedOrBlankNode,
    statements: &Statements,
    p: &PropertyShape,
    classes: &mut HashMap<NamedNode, BTreeSet<NamedNode>>,
) -> Vec<String> {
    let vs = statements.values(&p.path);
    let out = violations(kb, focus, p, &vs, classes);
    if out.is_empty() {
        return out;
    }
    // Reported in the values' text order, so that a report reads the same run to run
    // whatever order the store gives them in (sorted only here: most nodes violate nothing).
    let mut vs = vs;
    vs.sort_by_cached_key(Term::to_string);
    violations(kb, focus, p, &vs, classes)
}

/// The violations of one property shape at one focus node whose values are `vs`.
fn violations(
    kb: &Kb,
    focus: &NamedOrBlankNode,
    p: &PropertyShape,
    vs: &[Term],
    classes: &mut HashMap<NamedNode, BTreeSet<NamedNode>>,
) -> Vec<String> {
    let at = |what: String| format!("{focus} {}: {what}", p.path);
    let mut out = Vec::new();
    for c in &p.constraints {
        match c {
            Constraint::MinCount(n) if vs.len() < *n => {
                out.push(at(format!("{} values, sh:minCount {n}", vs.len())))
            }
            Constraint::MaxCount(n) if vs.len() > *n => {
                out.push(at(format!("{} values, sh:maxCount {n}", vs.len())))
            }
            Constraint::Datatype(d) => out.extend(
                vs.iter()
                    .filter(|v| datatype_of(v) != Some(d.as_str()) || !well_formed(v))
                    .map(|v| at(format!("{v} is not of sh:datatype {d}"))),
            ),
            Constraint::Class(c) => {
                let cs = classes
                    .entry(c.clone())
                    .or_insert_with(|| with_subclasses(kb, c));
                out.extend(
                    vs.iter()
                        .filter(|v| !has_type(kb, v, cs))
                        .map(|v| at(format!("{v} is not of sh:class {c}"))),
                );
            }
            Constraint::NodeKind(k) => out.extend(
                vs.iter()
                    .filter(|v| !node_kind_fits(k.as_str(), v))
                    .map(|v| at(format!("{v} is not of sh:nodeKind {k}"))),
            ),
            Constraint::Pattern(re, text) => out.extend(
                vs.iter()
                    .filter(|v| matches!(v, Term::BlankNode(_)) || !re.is_match(&text_of(v)))
                    .map(|v| at(format!("{v} does not match sh:pattern {text:?}"))),
            ),
            Constraint::UniqueLang => {
                let mut seen = HashSet::new();
                for v in vs {
                    if let Term::Literal(l) = v {
                        if let Some(lang) = l.language() {
                            if !seen.insert(lang.to_owned()) {
                                out.push(at(format!("two values in @{lang}, sh:uniqueLang")));
                            }
                        }
                    }
                }
            }
            Constraint::In(list) => out.extend(
                vs.iter()
                    .filter(|v| !list.contains(v))
                    .map(|v| at(format!("{v} is not sh:in the list"))),
            ),
            Constraint::HasValue(h) if !vs.contains(h) => {
                out.push(at(format!("no value {h}, sh:hasValue")))
            }
            _ => {}
        }
    }
    out
}

/// The violations of a node shape over the store (at most [`MAX_REPORTED`] lines, then how
/// many more).
pub fn check(kb: &Kb, shape: &NodeShape) -> Vec<String> {
    let mut classes = HashMap::new();
    let mut focus: HashSet<NamedOrBlankNode> = HashSet::new();
    for target in &shape.targets {
        for c in with_subclasses(kb, target) {
            for q in kb
                .quads_for_pattern(None, Some(ext::RDF_TYPE), Some(c.as_ref().into()), None)
                .flatten()
            {
                focus.insert(q.subject);
            }
        }
    }
    let mut focus: Vec<NamedOrBlankNode> = focus.into_iter().collect();
    focus.sort_by_cached_key(NamedOrBlankNode::to_string);
    let mut out = Vec::new();
    let mut more = 0usize;
    for f in &focus {
        let statements = Statements::of(kb, f);
        for p in &shape.properties {
            for v in check_property(kb, f, &statements, p, &mut classes) {
                if out.len() < MAX_REPORTED {
                    out.push(v);
                } else {
                    more += 1;
                }
            }
        }
    }
    if more > 0 {
        out.push(format!("… and {more} more"));
    }
    out
}
