//! The read-only load (`Kb::load_frozen`: the import into `store::frozen`'s copy alone, the
//! rules run over it) against the store's load, on the project's data: the same quads, the
//! same matches for every shape of pattern, the same planner counts, graph sizes and answers
//! to every named query, check and explorer query, the same exports.

use crate::util::{kb, root, Scratch};
use medrd_kg::query::{catalog, output::Table};
use medrd_kg::store::frozen::Frozen;
use medrd_kg::{Kb, Layout};
use oxigraph::model::{NamedNodeRef, Quad, Term, TermRef};
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

/// The project's knowledge base loaded for reading only.
fn frozen_kb() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| Kb::load_frozen(Layout::new(root())).expect("the knowledge base loads"))
}

fn copy() -> &'static Arc<Frozen> {
    frozen_kb()
        .stats
        .frozen()
        .expect("an in-memory load without --with files is read-only")
}

/// The quads of the store's load ([`kb`]).
fn store_quads(kb: &Kb) -> Vec<Quad> {
    kb.store()
        .unwrap()
        .iter()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The read-only load has no store: what reads the store itself is refused, not answered
/// from an empty one; what the knowledge base answers comes from the copy.
#[test]
fn the_read_only_load_holds_no_store_and_answers_as_one() {
    let Err(err) = frozen_kb().store() else {
        panic!("a read-only load gave a store");
    };
    assert!(matches!(err, medrd_kg::Error::NoStore(_)), "{err}");
    assert!(err.to_string().contains("loaded for reading only"), "{err}");
    assert_eq!(frozen_kb().len().unwrap(), kb().len().unwrap());
    assert_eq!(
        frozen_kb().graph_sizes().unwrap(),
        kb().graph_sizes().unwrap()
    );
    let graphs =
        |k: &Kb| -> BTreeSet<String> { k.named_graphs().map(|g| g.unwrap().to_string()).collect() };
    assert_eq!(graphs(frozen_kb()), graphs(kb()));
    assert!(graphs(kb()).len() > 5);
    for g in frozen_kb().data_graphs() {
        let len = frozen_kb().graph_len(g.as_ref()).unwrap();
        assert_eq!(len, kb().graph_len(g.as_ref()).unwrap(), "{g}");
    }
    // The linker reads our side from either (`link` and `publish` load a copy).
    let ours = |k: &Kb| {
        let ours = k.ours();
        let matcher = medrd_kg::ingest::link::matcher::programs(ours.stats, &ours.queries);
        let names = medrd_kg::ingest::link::matcher::ministry_names(ours.stats, &ours.queries);
        format!("{:?} {:?}", matcher.unwrap(), names.unwrap())
    };
    assert_eq!(ours(frozen_kb()), ours(kb()));
    assert!(ours(kb()).contains("dementia"), "{}", ours(kb()));
}

#[test]
fn the_copy_holds_each_quad_of_the_store_once() {
    let store: Vec<Quad> = store_quads(kb());
    let copied = copy().quads();
    assert_eq!(
        copied.len(),
        store.len(),
        "a quad copied twice, or one missing"
    );
    let store: BTreeSet<String> = store.iter().map(Quad::to_string).collect();
    let copied: BTreeSet<String> = copied.iter().map(Quad::to_string).collect();
    assert_eq!(store, copied);
    // The rules' quads are in it, and literals are in the store's form:
    // rs:matchScore was written "0.750"^^xsd:decimal, which the store keeps as 0.75.
    assert!(copied.iter().any(|q| q.contains("derivedTheme")));
    assert!(copied.iter().any(|q| q.contains("matchScore> \"0.75\"")));
    assert!(!copied.iter().any(|q| q.contains("\"0.750\"")));
}

/// Every quad of a sample, asked for with each of the 16 choices of positions bound (the
/// graph unbound meaning every graph, as the store's API has it).
#[test]
fn the_copy_matches_every_shape_of_pattern_as_the_store_does() {
    let (kb, store) = (frozen_kb(), self::kb().store().unwrap());
    let quads = store_quads(self::kb());
    let sorted = |it: Box<dyn Iterator<Item = medrd_kg::error::Result<Quad>> + '_>| {
        let mut v: Vec<String> = it.map(|q| q.unwrap().to_string()).collect();
        v.sort();
        v
    };
    let (mut compared, mut patterns) = (0, 0);
    for q in quads.iter().step_by(quads.len() / 150) {
        for mask in 0u8..16 {
            // Patterns binding at most one position read a predicate's or a graph's quads
            // whole: a few of them are enough.
            if mask.count_ones() <= 1 && compared % 7 != 0 {
                continue;
            }
            let bound = |bit: u8| mask & (1 << bit) != 0;
            let s = bound(0).then_some(q.subject.as_ref());
            let p = bound(1).then_some(q.predicate.as_ref());
            let o = bound(2).then_some(q.object.as_ref());
            let g = bound(3).then_some(q.graph_name.as_ref());
            let from_store = sorted(Box::new(
                store
                    .quads_for_pattern(s, p, o, g)
                    .map(|q| q.map_err(Into::into)),
            ));
            let from_copy = sorted(kb.quads_for_pattern(s, p, o, g));
            assert_eq!(from_copy, from_store, "{q} with positions {mask:04b} bound");
            assert!(!from_copy.is_empty());
            patterns += 1;
        }
        compared += 1;
    }
    // Eleven shapes of each quad, and the five sparser ones of every seventh.
    assert!(
        patterns >= compared * 11,
        "{patterns} patterns for {compared} quads"
    );
    // A term the store does not hold matches nothing; a literal is looked up by its value.
    let nowhere = NamedNodeRef::new_unchecked("https://w3id.org/medrd-kg/id/nowhere");
    assert_eq!(
        kb.quads_for_pattern(Some(nowhere.into()), None, None, None)
            .count(),
        0
    );
    let score = NamedNodeRef::new_unchecked("https://w3id.org/medrd-kg/rs#matchScore");
    let decimal = |v: &str| {
        Term::from(oxigraph::model::Literal::new_typed_literal(
            v,
            oxigraph::model::vocab::xsd::DECIMAL,
        ))
    };
    let count = |kb: &Kb, v: &str| {
        kb.quads_for_pattern(None, Some(score), Some(TermRef::from(&decimal(v))), None)
            .count()
    };
    assert!(count(kb, "0.750") > 0);
    assert_eq!(count(kb, "0.750"), count(kb, "0.75"));
    assert_eq!(
        count(kb, "0.750"),
        store
            .quads_for_pattern(None, Some(score), Some(decimal("0.750").as_ref()), None)
            .count()
    );
}

/// The counts the planner is given: as the store's SPARQL counts them, for every predicate
/// and every class.
#[test]
fn the_copy_gives_the_planner_the_store_s_counts() {
    let kb = kb();
    let column = |sparql: &str| -> Vec<String> {
        let t = Table::collect(kb.query("column", sparql).unwrap()).unwrap();
        t.texts().into_iter().map(|r| r[0].clone()).collect()
    };
    let number = |sparql: String| -> u64 {
        let t = Table::collect(kb.query("count", &sparql).unwrap()).unwrap();
        t.text(0, "n").parse().unwrap()
    };
    let predicates = column("SELECT DISTINCT ?p WHERE { ?s ?p ?o }");
    assert!(predicates.len() > 100);
    for p in &predicates {
        let counted = copy().predicate(&Term::NamedNode(
            oxigraph::model::NamedNode::new_unchecked(p),
        ));
        let pattern = format!("?s <{p}> ?o");
        assert_eq!(
            counted.triples,
            number(format!("SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")),
            "{p}"
        );
        assert_eq!(
            counted.subjects,
            number(format!(
                "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} }}"
            )),
            "{p}"
        );
        assert_eq!(
            counted.objects,
            number(format!(
                "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {pattern} }}"
            )),
            "{p}"
        );
    }
    for c in column("SELECT DISTINCT ?c WHERE { ?x a ?c }") {
        let counted = copy().instances(&Term::NamedNode(
            oxigraph::model::NamedNode::new_unchecked(&c),
        ));
        assert_eq!(
            counted,
            number(format!("SELECT (COUNT(*) AS ?n) WHERE {{ ?x a <{c}> }}")),
            "{c}"
        );
    }
}

/// Every query of `queries/` (named, checks, explorer, diagrams, tables), run over the store
/// and over the copy: the same rows. A named query's rows come in the same order too, the
/// order `medrd build` writes them in, and so do an explorer query's with an ORDER BY, the
/// order of its page (the figures of one source line came in the engine's order, and a
/// project's figure stated on two lines showed either line); the others are compared sorted,
/// as a query without an ORDER BY that fixes every row leaves their order to the store (the
/// build's diagrams and tables do not depend on it: `dist/` is the same either way). A query
/// of one resource (`?arg`) is run for one instance of every class, in the view of the
/// latest year, as the explorer binds it.
#[test]
fn every_query_answers_alike_over_the_copy() {
    let dir = root().join("queries");
    let named = catalog::named(&dir).unwrap();
    let mut others = catalog::checks(&dir).unwrap();
    // The explorer's queries order their rows for the page: in the same order too.
    let (ordered, unordered): (Vec<_>, Vec<_>) = catalog::explorer(&dir)
        .unwrap()
        .into_iter()
        .partition(|q| q.text.contains("ORDER BY"));
    others.extend(unordered);
    for sub in ["diagrams", "tables"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rq"))
            .collect();
        files.sort();
        others.extend(files.iter().map(|f| catalog::NamedQuery::read(f).unwrap()));
    }
    assert!(named.len() > 30 && ordered.len() > 15 && others.len() > 50);
    let answer = |kb: &Kb, name: &str, text: &str, in_order: bool| {
        let mut rows = Table::collect(kb.query(name, text).unwrap())
            .unwrap()
            .texts();
        if !in_order {
            rows.sort();
        }
        rows
    };
    let args: Vec<String> = answer(
        kb(),
        "one of each class",
        "SELECT (MIN(STR(?x)) AS ?i) WHERE { ?x a ?c FILTER isIRI(?x) } GROUP BY ?c",
        false,
    )
    .into_iter()
    .map(|r| format!("<{}>", r[0]))
    .collect();
    assert!(args.len() > 15);
    let (mut rows, mut bound_rows) = (0, 0);
    let queries = named.iter().chain(&ordered).map(|q| (q, true));
    for (q, in_order) in queries.chain(others.iter().map(|q| (q, false))) {
        let texts: Vec<(String, String)> = if q.text.contains("?arg") {
            args.iter()
                .map(|a| (a.clone(), catalog::bind(&q.text, &[("arg", a.clone())])))
                .collect()
        } else {
            vec![(String::new(), q.text.clone())]
        };
        for (arg, text) in &texts {
            let over_store = answer(kb(), &q.name, text, in_order);
            let over_copy = answer(frozen_kb(), &q.name, text, in_order);
            assert_eq!(over_copy, over_store, "{} {arg}", q.name);
            if arg.is_empty() {
                rows += over_store.len();
            } else {
                bound_rows += over_store.len();
            }
        }
    }
    assert!(rows > 10_000, "{rows} rows compared");
    assert!(
        bound_rows > 100,
        "{bound_rows} rows of bound queries compared"
    );
}

/// The exports written from the copy's quads ([`Sorted::from_copy`]) are those written from
/// the store's, byte for byte, in every syntax `medrd build` writes.
#[test]
fn the_exports_from_the_copy_are_the_store_s() {
    use medrd_kg::publish::rdf::{Sorted, WRITTEN_HERE};
    let from_store = Sorted::from_quads(store_quads(kb()));
    let from_copy = Sorted::of(frozen_kb()).unwrap();
    for format in WRITTEN_HERE {
        let write = |sorted: &Sorted| {
            let mut out = Vec::new();
            sorted.write(format, &mut out).unwrap();
            out
        };
        let written = write(&from_store);
        assert!(written.len() > 1_000_000, "{format}");
        assert!(write(&from_copy) == written, "{format}");
    }
}

/// A rule the copy cannot run (one that deletes) leaves the read-only load to the store, which
/// runs it; a rule nested beyond a query's bounds is reported by the commands that only read,
/// with exit 2, not parsed until the stack overflows.
#[test]
fn a_rule_the_copy_cannot_run_leaves_the_load_to_the_store() {
    let s = Scratch::new("frozen-deleting-rule");
    s.write(
        "queries/rules/zz-undo.ru",
        "#+ summary: undo the derived themes\n\
         PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>\n\
         DELETE { GRAPH ?g { ?x medrd:derivedTheme ?t } } \
         WHERE { GRAPH ?g { ?x medrd:derivedTheme ?t } }\n",
    );
    let loaded = Kb::load_frozen(Layout::new(s.dir.clone())).unwrap();
    assert!(loaded.stats.frozen().is_none());
    assert!(loaded.store().is_ok());
    let derived = |kb: &Kb| {
        count(
            kb,
            "SELECT (COUNT(*) AS ?n) WHERE { ?x <https://w3id.org/medrd-kg/ontology#derivedTheme> ?t }",
        )
    };
    assert_eq!(derived(&loaded), "0");
    assert_ne!(derived(kb()), "0");

    let deep = Scratch::new("frozen-deep-rule");
    deep.write(
        "queries/rules/zz-deep.ru",
        &format!(
            "#+ summary: too deep\nINSERT {{ <http://example.org/a> <http://example.org/p> ?x }} \
             WHERE {{ BIND({}1{} AS ?x) }}\n",
            "(".repeat(50_000),
            ")".repeat(50_000)
        ),
    );
    for command in [&["stats"][..], &["query", "new-programs"]] {
        let run = deep.medrd(command);
        assert_eq!(run.code, 2, "{command:?}: {}", run.stderr);
        assert!(run.stderr.contains("zz-deep.ru"), "{}", run.stderr);
        assert!(run.stderr.contains("nests deeper"), "{}", run.stderr);
    }
}

/// `--with` files load into the copy as into the store: each file's triples in its own graph,
/// a triple another graph states already left there — ours (a file restating our data), or an
/// earlier file's — and a blank node of one file apart from the same label in another.
#[test]
fn with_files_load_into_the_copy_as_into_the_store() {
    let s = Scratch::new("frozen-with");
    let ours = s
        .medrd(&[
            "query",
            "--format",
            "ntriples",
            "--sparql",
            "CONSTRUCT { ?p ?q ?o } WHERE { ?p a <https://w3id.org/medrd-kg/ontology#Program> ; ?q ?o }",
        ])
        .ok();
    assert!(ours.lines().count() > 100, "{ours}");
    let new = "<http://example.org/a> <http://example.org/p> \"1\" .\n\
               _:b <http://example.org/p> <http://example.org/a> .\n";
    s.write("a.nt", &format!("{ours}{new}"));
    s.write(
        "b.nt",
        "<http://example.org/a> <http://example.org/p> \"1\" .\n\
         <http://example.org/c> <http://example.org/p> \"2\" .\n\
         <http://example.org/c> <http://example.org/p> \"2\" .\n\
         _:b <http://example.org/p> <http://example.org/c> .\n",
    );
    let mut layout = Layout::new(s.dir.clone());
    layout.with = vec![s.dir.join("a.nt"), s.dir.join("b.nt")];
    let copy = Kb::load_frozen(layout.clone()).unwrap();
    assert!(copy.store().is_err(), "--with files load into the copy");
    let store = Kb::load(layout).unwrap();
    // Blank nodes are named anew by each load: compared by their shape.
    let shape = |quads: Vec<Quad>| -> BTreeSet<String> {
        quads
            .into_iter()
            .map(|q| {
                let text = q.to_string();
                if text.starts_with("_:") {
                    format!("_:x{}", &text[text.find(' ').unwrap()..])
                } else {
                    text
                }
            })
            .collect()
    };
    let held = copy.stats.frozen().unwrap().quads();
    assert_eq!(held.len(), store.len().unwrap());
    assert_eq!(shape(held), shape(store_quads(&store)));
    let graph = |name: &str| {
        let g = medrd_kg::store::extra_graph(&s.dir.join(name));
        copy.graph_len(g.as_ref()).unwrap()
    };
    // a.nt: its two new triples, ours left in our graphs, what the rules derive too (they
    // run after the files are read) taken out of it after them, in the copy as in the store
    // (`store::derived`). b.nt: its two new ones (the triple of a.nt left there, the one it
    // states twice held once).
    let derived = ours
        .lines()
        .filter(|l| l.contains("#derivedTheme>"))
        .count();
    assert!(derived > 0, "a.nt holds derived triples");
    assert_eq!((graph("a.nt"), graph("b.nt")), (2, 2));
}

/// A triple the rules derive that a `--with` file states too is counted once, by both loads.
/// Our own N-Triples export beside our data: every triple of it is ours, the derived themes
/// included, which the rules derive again after the file is loaded. Each load left the file's
/// copies of those in its graph (520 derived themes, not 260) before `store::derived`.
#[test]
fn a_rules_triple_a_with_file_states_too_is_counted_once() {
    let dir = std::env::temp_dir().join(format!("medrd-derived-too-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let export = dir.join("ours.nt");
    let mut out = std::fs::File::create(&export).unwrap();
    medrd_kg::publish::rdf::write(frozen_kb(), oxigraph::io::RdfFormat::NTriples, &mut out)
        .unwrap();
    drop(out);
    let derived = |kb: &Kb| {
        count(
            kb,
            "SELECT (COUNT(*) AS ?n) WHERE { ?x <https://w3id.org/medrd-kg/ontology#derivedTheme> ?t }",
        )
    };
    let alone = derived(frozen_kb());
    assert!(alone.parse::<u64>().unwrap() > 100, "{alone}");
    let layout = || Layout::new(root()).with_extra([export.clone()]);
    let by_copy = Kb::load_frozen(layout()).unwrap();
    let by_store = Kb::load(layout()).unwrap();
    assert!(by_copy.stats.frozen().is_some() && by_store.stats.frozen().is_none());
    for (how, kb) in [("copy", &by_copy), ("store", &by_store)] {
        assert_eq!(derived(kb), alone, "{how}");
        // Every triple of the file is ours: its graph ends empty.
        assert_eq!(kb.len().unwrap(), frozen_kb().len().unwrap(), "{how}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A `--with` file's new label of one of our programs gets its theme, by both loads, in the
/// file's graph. The file states the program's class too, which ours states already: that
/// triple is left out at load, so a rule reading the class and the label in one graph derived
/// nothing from the label (a new IRI with the same two triples got its theme).
#[test]
fn a_with_files_new_label_of_our_program_derives_its_theme() {
    let program = "https://w3id.org/medrd-kg/id/program/b-cure-tmm";
    let theme = "https://w3id.org/medrd-kg/id/theme/ai-data";
    let dir = std::env::temp_dir().join(format!("medrd-new-label-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("label.ttl");
    std::fs::write(
        &file,
        format!(
            "<{program}> a <https://w3id.org/medrd-kg/ontology#Program> ;\n  \
             <http://www.w3.org/2004/02/skos/core#altLabel> \"AI活用\"@ja .\n"
        ),
    )
    .unwrap();
    let themes_in = |kb: &Kb, graph: &str| {
        let ask = format!(
            "SELECT ?t WHERE {{ GRAPH <{graph}> {{ <{program}> \
             <https://w3id.org/medrd-kg/ontology#derivedTheme> ?t }} }} ORDER BY ?t"
        );
        let table = Table::collect(kb.query("themes", &ask).unwrap()).unwrap();
        (0..table.rows.len())
            .map(|i| table.text(i, "t"))
            .collect::<Vec<_>>()
    };
    let any_graph = |kb: &Kb| {
        let ask = format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ <{program}> \
             <https://w3id.org/medrd-kg/ontology#derivedTheme> <{theme}> }}"
        );
        count(kb, &ask)
    };
    // Ours does not give this program the theme: its keyword AI is in no text of it.
    assert_eq!(any_graph(frozen_kb()), "0");
    let graph = medrd_kg::store::extra_graph(&file).as_str().to_owned();
    let layout = || Layout::new(root()).with_extra([file.clone()]);
    let by_copy = Kb::load_frozen(layout()).unwrap();
    let by_store = Kb::load(layout()).unwrap();
    for (how, kb) in [("copy", &by_copy), ("store", &by_store)] {
        // The label and the theme derived from it: the class stays in our graph only.
        // (the table writes our IRIs short)
        assert_eq!(themes_in(kb, &graph), ["id:theme/ai-data"], "{how}");
        let named = medrd_kg::store::extra_graph(&file);
        assert_eq!(kb.graph_len(named.as_ref()).unwrap(), 2, "{how}");
        assert_eq!(any_graph(kb), "1", "{how}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// What the rules derive from a `--with` file's statement goes to that file's graph, never to
/// ours, by both loads: a file stating only that one of our focus areas is a program (its
/// label is ours), or a new keyword of a theme (the texts are ours). Our graphs keep the
/// themes our sources give; the first put a theme into ours with the rule that read the class
/// in any graph, the second with every rule before.
#[test]
fn a_with_files_premise_derives_into_its_own_graph_never_ours() {
    let dir = std::env::temp_dir().join(format!("medrd-premise-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let class = dir.join("class.ttl");
    std::fs::write(
        &class,
        "<https://w3id.org/medrd-kg/id/focus-area/p2-healthcare> \
         a <https://w3id.org/medrd-kg/ontology#Program> .\n",
    )
    .unwrap();
    let keyword = dir.join("keyword.ttl");
    std::fs::write(
        &keyword,
        "<https://w3id.org/medrd-kg/id/theme/ai-data> \
         <https://w3id.org/medrd-kg/ontology#keyword> \"研究\"@ja .\n",
    )
    .unwrap();
    let derived = |kb: &Kb, filter: &str| {
        let ask = format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?x \
             <https://w3id.org/medrd-kg/ontology#derivedTheme> ?t }} FILTER ({filter}) }}"
        );
        count(kb, &ask).parse::<u64>().unwrap()
    };
    let ours = "!STRSTARTS(STR(?g), \"https://w3id.org/medrd-kg/graph/with/\")";
    let alone = derived(frozen_kb(), ours);
    assert!(alone > 100, "{alone}");
    for file in [&class, &keyword] {
        let graph = medrd_kg::store::extra_graph(file);
        let in_file = format!("?g = <{}>", graph.as_str());
        let layout = || Layout::new(root()).with_extra([file.clone()]);
        let by_copy = Kb::load_frozen(layout()).unwrap();
        let by_store = Kb::load(layout()).unwrap();
        for (how, kb) in [("copy", &by_copy), ("store", &by_store)] {
            assert_eq!(derived(kb, ours), alone, "{how} {}", file.display());
            assert!(derived(kb, &in_file) > 0, "{how} {}", file.display());
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The value of `?n` in the one row of a counting query.
fn count(kb: &Kb, sparql: &str) -> String {
    Table::collect(kb.query("count", sparql).unwrap())
        .unwrap()
        .text(0, "n")
}
