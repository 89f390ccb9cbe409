//! Network analysis of the data graph: resources as nodes and object-property triples as
//! undirected edges (queries/diagrams/analysis-*.rq), with betweenness centrality (Brandes'
//! algorithm, which petgraph 0.8 lacks), connected components, degree statistics per class
//! and shortest paths between two entities.

use super::{labels, queries_dir, run, Lang};
use crate::error::{Error, Result};
use crate::query::catalog::NamedQuery;
use crate::query::output::{compact, Table};
use crate::Kb;
use oxigraph::model::{Literal, NamedNode, Term};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A resource of the data graph.
#[derive(Clone, Debug, Default)]
pub struct Resource {
    pub iri: String,
    /// Most specific class, compact (`medrd:Program`).
    pub class: String,
    /// Label in the chosen language (else the compact IRI).
    pub label: String,
    /// Every label in any language, for looking entities up.
    pub names: BTreeSet<String>,
}

/// An edge: the predicate (its IRI); the edge's first endpoint is the triple's subject.
#[derive(Clone, Debug)]
pub struct Link {
    pub predicate: String,
}

/// The data graph as an undirected petgraph graph.
pub struct DataGraph {
    pub graph: UnGraph<Resource, Link>,
    pub lang: Lang,
    index: BTreeMap<String, NodeIndex>,
    predicate_labels: BTreeMap<String, String>,
}

fn read(kb: &Kb, file: &str) -> Result<NamedQuery> {
    NamedQuery::read(&queries_dir(kb).join(file))
}

impl DataGraph {
    /// Loads the graph from the store.
    pub fn load(kb: &Kb, lang: Lang) -> Result<Self> {
        let mut g = DataGraph {
            graph: UnGraph::default(),
            lang,
            index: BTreeMap::new(),
            predicate_labels: BTreeMap::new(),
        };
        let nodes = read(kb, "analysis-nodes.rq")?;
        for l in [lang, if lang == Lang::Ja { Lang::En } else { Lang::Ja }] {
            let lang_term: Term = Literal::new_simple_literal(l.tag()).into();
            let table = Table::collect(run(kb, &nodes, &[("lang", lang_term)])?)?;
            for row in &table.rows {
                let Some(Term::NamedNode(n)) = &row[0] else {
                    continue;
                };
                let i = g.node(n.as_str());
                let r = &mut g.graph[i];
                if let Some(Term::NamedNode(c)) = &row[1] {
                    if r.class.is_empty()
                        || (c.as_str().starts_with(crate::vocab::MEDRD)
                            && !r.class.starts_with("medrd:"))
                    {
                        r.class = compact(c.as_str());
                    }
                }
                if let Some(Term::Literal(label)) = &row[2] {
                    r.names.insert(label.value().to_owned());
                    if l == lang && (r.label.is_empty() || label.value() < r.label.as_str()) {
                        r.label = label.value().to_owned();
                    }
                }
            }
        }
        let edges = read(kb, "analysis-edges.rq")?;
        let table = Table::collect(run(kb, &edges, &[])?)?;
        let mut predicates = BTreeSet::new();
        for row in &table.rows {
            let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(Term::NamedNode(o))) =
                (&row[0], &row[1], &row[2])
            else {
                continue;
            };
            let (a, b) = (g.node(s.as_str()), g.node(o.as_str()));
            g.graph.add_edge(
                a,
                b,
                Link {
                    predicate: p.as_str().to_owned(),
                },
            );
            predicates.insert(p.clone());
        }
        let predicates: Vec<NamedNode> = predicates.into_iter().collect();
        g.predicate_labels = labels(kb, &predicates, lang)?;
        for r in g.graph.node_weights_mut() {
            if r.label.is_empty() {
                r.label = compact(&r.iri);
            }
            if r.class.is_empty() {
                r.class = "(untyped)".into();
            }
        }
        Ok(g)
    }

    fn node(&mut self, iri: &str) -> NodeIndex {
        if let Some(i) = self.index.get(iri) {
            return *i;
        }
        let i = self.graph.add_node(Resource {
            iri: iri.to_owned(),
            ..Resource::default()
        });
        self.index.insert(iri.to_owned(), i);
        i
    }

    /// The label of a predicate in the graph's language.
    pub fn predicate_label(&self, iri: &str) -> String {
        self.predicate_labels
            .get(iri)
            .cloned()
            .unwrap_or_else(|| compact(iri))
    }

    /// Neighbours of a node, sorted by IRI (so that every result is stable).
    fn neighbours(&self, i: NodeIndex) -> Vec<NodeIndex> {
        let mut n: Vec<NodeIndex> = self.graph.neighbors(i).collect();
        n.sort_by(|a, b| self.graph[*a].iri.cmp(&self.graph[*b].iri));
        n.dedup();
        n
    }

    /// Nodes in IRI order.
    fn ordered(&self) -> Vec<NodeIndex> {
        self.index.values().copied().collect()
    }

    /// Betweenness centrality of every node, by node index (see [`betweenness`]).
    pub fn betweenness(&self) -> Vec<f64> {
        betweenness(&self.graph)
    }

    /// Connected components as lists of nodes, largest first.
    pub fn components(&self) -> Vec<Vec<NodeIndex>> {
        let mut seen = vec![false; self.graph.node_count()];
        let mut out = Vec::new();
        for start in self.ordered() {
            if seen[start.index()] {
                continue;
            }
            seen[start.index()] = true;
            let mut comp = vec![start];
            let mut queue = VecDeque::from([start]);
            while let Some(v) = queue.pop_front() {
                for w in self.neighbours(v) {
                    if !seen[w.index()] {
                        seen[w.index()] = true;
                        comp.push(w);
                        queue.push_back(w);
                    }
                }
            }
            out.push(comp);
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.len()));
        out
    }

    /// Finds an entity by IRI, compact IRI (`id:org/meti`) or exact label in any language,
    /// else by a label that contains the text, when only one does.
    pub fn find(&self, name: &str) -> Result<NodeIndex> {
        let expanded = crate::vocab::PREFIXES.iter().find_map(|(p, ns)| {
            name.strip_prefix(&format!("{p}:"))
                .map(|rest| format!("{ns}{rest}"))
        });
        for iri in [Some(name.to_owned()), expanded].into_iter().flatten() {
            if let Some(i) = self.index.get(&iri) {
                return Ok(*i);
            }
        }
        let exact: Vec<NodeIndex> = self
            .ordered()
            .into_iter()
            .filter(|&i| self.graph[i].names.contains(name))
            .collect();
        let found = if exact.is_empty() {
            let lower = name.to_lowercase();
            self.ordered()
                .into_iter()
                .filter(|&i| {
                    self.graph[i]
                        .names
                        .iter()
                        .any(|l| l.to_lowercase().contains(&lower))
                })
                .collect()
        } else {
            exact
        };
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::Diagram(format!(
                "no entity is labelled or named {name:?}"
            ))),
            many => {
                let list: Vec<String> = many
                    .iter()
                    .take(8)
                    .map(|&i| format!("{} ({})", self.graph[i].label, compact(&self.graph[i].iri)))
                    .collect();
                Err(Error::Diagram(format!(
                    "{name:?} matches {} entities, e.g. {}; give the IRI",
                    many.len(),
                    list.join(", ")
                )))
            }
        }
    }

    /// A shortest path (fewest triples, either direction) between two nodes: the steps as
    /// (predicate IRI, forward?, node reached). `None` when they are not connected.
    pub fn path(&self, from: NodeIndex, to: NodeIndex) -> Option<Vec<(String, bool, NodeIndex)>> {
        let n = self.graph.node_count();
        let mut prev: Vec<Option<NodeIndex>> = vec![None; n];
        let mut seen = vec![false; n];
        seen[from.index()] = true;
        let mut queue = VecDeque::from([from]);
        while let Some(v) = queue.pop_front() {
            if v == to {
                break;
            }
            for w in self.neighbours(v) {
                if !seen[w.index()] {
                    seen[w.index()] = true;
                    prev[w.index()] = Some(v);
                    queue.push_back(w);
                }
            }
        }
        if !seen[to.index()] {
            return None;
        }
        let mut nodes = vec![to];
        while let Some(p) = prev[nodes.last()?.index()] {
            nodes.push(p);
        }
        nodes.reverse();
        let mut steps = Vec::new();
        for pair in nodes.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let mut links: Vec<(String, bool)> = self
                .graph
                .edges(a)
                .filter(|e| e.target() == b || e.source() == b)
                .map(|e| {
                    let (s, _) = self.graph.edge_endpoints(e.id()).expect("edge exists");
                    (e.weight().predicate.clone(), s == a)
                })
                .collect();
            links.sort();
            let (p, forward) = links.into_iter().next()?;
            steps.push((p, forward, b));
        }
        Some(steps)
    }

    /// A path as readable text, one step a line.
    pub fn describe_path(&self, from: NodeIndex, steps: &[(String, bool, NodeIndex)]) -> String {
        let name =
            |i: NodeIndex| format!("{} ({})", self.graph[i].label, compact(&self.graph[i].iri));
        let mut s = name(from);
        for (p, forward, node) in steps {
            let p = self.predicate_label(p);
            if *forward {
                s.push_str(&format!("\n  —[{p}]→ {}", name(*node)));
            } else {
                s.push_str(&format!("\n  ←[{p}]— {}", name(*node)));
            }
        }
        s
    }
}

/// Betweenness centrality of every node of an undirected graph, by node index: for each
/// node, the sum over pairs of other nodes of the share of their shortest paths that run
/// through it (Brandes, "A faster algorithm for betweenness centrality", 2001; unweighted,
/// each unordered pair counted once, not normalised). Parallel edges count once.
pub fn betweenness<N, E>(graph: &UnGraph<N, E>) -> Vec<f64> {
    let n = graph.node_count();
    let mut cb = vec![0.0; n];
    let adj: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            let mut a: Vec<usize> = graph
                .neighbors(NodeIndex::new(i))
                .map(|j| j.index())
                .collect();
            a.sort_unstable();
            a.dedup();
            a
        })
        .collect();
    for s in 0..n {
        let mut stack = Vec::with_capacity(n);
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut sigma = vec![0.0_f64; n];
        let mut dist = vec![-1_i64; n];
        sigma[s] = 1.0;
        dist[s] = 0;
        let mut queue = VecDeque::from([s]);
        while let Some(v) = queue.pop_front() {
            stack.push(v);
            for &w in &adj[v] {
                if dist[w] < 0 {
                    dist[w] = dist[v] + 1;
                    queue.push_back(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                    preds[w].push(v);
                }
            }
        }
        let mut delta = vec![0.0_f64; n];
        while let Some(w) = stack.pop() {
            for &v in &preds[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                cb[w] += delta[w];
            }
        }
    }
    // Every unordered pair was counted from both ends.
    cb.iter().map(|c| c / 2.0).collect()
}

/// One program's betweenness and what it bridges.
#[derive(Clone, Debug)]
pub struct Bridge {
    pub program: String,
    pub iri: String,
    pub betweenness: f64,
    /// Betweenness divided by the number of pairs of other nodes, (n-1)(n-2)/2.
    pub normalised: f64,
    pub projects: Vec<String>,
    pub themes: Vec<String>,
}

/// Degree statistics of one class.
#[derive(Clone, Debug)]
pub struct DegreeStats {
    pub class: String,
    pub count: usize,
    pub min: usize,
    pub mean: f64,
    pub max: usize,
    /// The node with the highest degree.
    pub top: String,
}

/// What `medrd analyze` reports.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub nodes: usize,
    pub edges: usize,
    pub bridges: Vec<Bridge>,
    /// Components of more than one resource, largest first: size and the label of the
    /// member with the most edges.
    pub components: Vec<(usize, String)>,
    /// Resources without any edge, by class.
    pub isolated: BTreeMap<String, usize>,
    pub degrees: Vec<DegreeStats>,
}

/// Analyses the data graph; `top` programs by betweenness are reported.
pub fn analyze(g: &DataGraph, top: usize) -> Analysis {
    let cb = g.betweenness();
    let n = g.graph.node_count();
    let pairs = ((n.saturating_sub(1)) * (n.saturating_sub(2))) as f64 / 2.0;
    let mut programs: Vec<NodeIndex> = g
        .ordered()
        .into_iter()
        .filter(|&i| g.graph[i].class == "medrd:Program")
        .collect();
    programs.sort_by(|a, b| cb[b.index()].total_cmp(&cb[a.index()]));
    let bridges = programs
        .into_iter()
        .take(top)
        .map(|i| {
            let around = |class: &str| -> Vec<String> {
                g.neighbours(i)
                    .into_iter()
                    .filter(|&j| g.graph[j].class == class)
                    .map(|j| g.graph[j].label.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect()
            };
            Bridge {
                program: g.graph[i].label.clone(),
                iri: g.graph[i].iri.clone(),
                betweenness: cb[i.index()],
                normalised: if pairs > 0.0 {
                    cb[i.index()] / pairs
                } else {
                    0.0
                },
                projects: around("medrd:IntegratedProject"),
                themes: around("skos:Concept"),
            }
        })
        .collect();
    let mut components = Vec::new();
    let mut isolated: BTreeMap<String, usize> = BTreeMap::new();
    for c in g.components() {
        if c.len() == 1 {
            *isolated.entry(g.graph[c[0]].class.clone()).or_default() += 1;
            continue;
        }
        let hub = c
            .iter()
            .copied()
            .max_by(|a, b| {
                let degree = |i: NodeIndex| g.graph.edges(i).count();
                degree(*a)
                    .cmp(&degree(*b))
                    .then(g.graph[*b].iri.cmp(&g.graph[*a].iri))
            })
            .map(|i| g.graph[i].label.clone())
            .unwrap_or_default();
        components.push((c.len(), hub));
    }
    let mut by_class: BTreeMap<String, Vec<NodeIndex>> = BTreeMap::new();
    for i in g.ordered() {
        by_class
            .entry(g.graph[i].class.clone())
            .or_default()
            .push(i);
    }
    let degrees = by_class
        .into_iter()
        .map(|(class, nodes)| {
            let deg: Vec<usize> = nodes.iter().map(|&i| g.graph.edges(i).count()).collect();
            let (mut best, mut top_node) = (0, String::new());
            for (&i, &d) in nodes.iter().zip(&deg) {
                if d > best || top_node.is_empty() {
                    best = d;
                    top_node = g.graph[i].label.clone();
                }
            }
            DegreeStats {
                class,
                count: nodes.len(),
                min: deg.iter().copied().min().unwrap_or(0),
                mean: deg.iter().sum::<usize>() as f64 / nodes.len().max(1) as f64,
                max: best,
                top: top_node,
            }
        })
        .collect();
    Analysis {
        nodes: n,
        edges: g.graph.edge_count(),
        bridges,
        components,
        isolated,
        degrees,
    }
}
