//! Diagrams, network analysis and paths (issue 3): the structure the source document gives
//! (which programs a theme holds, which projects share programs), DOT that parses back and
//! that Graphviz accepts, stable output, and the `medrd diagram`/`path` command lines.

use crate::util::kb;
use medrd_kg::diagram::analyze::{analyze, DataGraph};
use medrd_kg::diagram::{self, Diagram, Format, Kind, Lang};
use std::collections::BTreeSet;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn build(kind: Kind) -> Diagram {
    diagram::build(kb(), &kind, Lang::Ja, None).expect("the diagram builds")
}

fn medrd(args: &[&str]) -> std::process::Output {
    crate::util::command()
        .args(args)
        .env("MEDRD_ROOT", ROOT)
        .output()
        .expect("medrd runs")
}

/// The DOT `medrd --with FILE diagram ARGS… -f dot` prints, FILE holding `turtle` for the
/// run (a scratch file named after `name`, removed after).
fn dot_with(name: &str, turtle: &str, args: &[&str]) -> String {
    let file = std::env::temp_dir().join(format!("medrd-{name}-{}.ttl", std::process::id()));
    std::fs::write(&file, turtle).unwrap();
    let mut all = vec!["--with", file.to_str().unwrap(), "diagram"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-f", "dot"]);
    let out = medrd(&all);
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether Graphviz is installed; says so when it is not.
fn graphviz() -> bool {
    let ok = diagram::graphviz::available();
    if !ok {
        println!("note: Graphviz `dot` is not on PATH; skipping the rendering checks");
    }
    ok
}

#[test]
fn theme_dementia_holds_its_programs_across_projects() {
    let d = build(Kind::Theme("dementia".into()));
    let labels: BTreeSet<String> = d.labels().into_iter().collect();
    assert!(labels.contains("認知症研究開発事業"), "{labels:?}");
    assert!(labels.contains("脳神経科学統合プログラム"), "{labels:?}");
    assert!(
        !labels.contains("医工連携イノベーション推進事業"),
        "{labels:?}"
    );
    // 認知症研究開発事業 is listed in projects 1, 4 and 5 and so is a bridge.
    let dementia = d.find("id:program/dementia-rd").expect("dementia program");
    assert!(dementia.bridge);
    let projects: BTreeSet<&str> = d
        .edges()
        .into_iter()
        .filter(|(a, b, _)| a.key == "id:program/dementia-rd" && b.kind == "project")
        .map(|(_, b, _)| b.key.as_str())
        .collect();
    assert_eq!(
        projects,
        BTreeSet::from(["id:project/1", "id:project/4", "id:project/5"])
    );
    // Both ways a theme is attached are drawn: curated and derived.
    let kinds: BTreeSet<&str> = d
        .edges()
        .into_iter()
        .map(|(_, _, e)| e.kind.as_str())
        .collect();
    assert!(
        kinds.contains("subject") && kinds.contains("derived"),
        "{kinds:?}"
    );
    assert!(d.graph.node_weights().any(|n| n.kind == "initiative"));
    assert!(d
        .graph
        .node_weights()
        .any(|n| n.kind == "ministry" && n.label == "厚生労働省"));
}

#[test]
fn cross_project_links_projects_by_shared_programs() {
    let d = build(Kind::CrossProject);
    let projects: Vec<_> = d
        .nodes()
        .into_iter()
        .filter(|n| n.kind == "project")
        .collect();
    assert_eq!(projects.len(), 6);
    let edge = d
        .edges()
        .into_iter()
        .find(|(a, b, e)| a.key == "id:project/1" && b.key == "id:project/5" && e.kind == "shared")
        .expect("projects 1 and 5 share a program");
    assert!(edge.2.label.contains("認知症研究開発事業"), "{:?}", edge.2);
    assert_eq!(edge.2.weight, Some(1.0));
    let feeds: BTreeSet<&str> = d
        .edges()
        .into_iter()
        .filter(|(_, _, e)| e.kind == "feedsInto")
        .map(|(a, b, _)| {
            assert_eq!(a.key, "id:project/4");
            b.key.as_str()
        })
        .collect();
    assert_eq!(
        feeds,
        BTreeSet::from(["id:project/1", "id:project/2", "id:project/3"])
    );
}

#[test]
fn money_follows_a_program_to_its_rs_line_and_recipients() {
    // 医療機器等研究成果展開事業: 文部科学省 → the program → RS 6843 (exact) → AMED, paid
    // 1,091,832,000 yen in the latest edition (RS 2025): 10.91832億円.
    let d = build(Kind::Money("medical-device-seeds".into()));
    let edges: Vec<(String, String, String, Option<f64>)> = d
        .edges()
        .into_iter()
        .map(|(a, b, e)| (a.key.clone(), b.key.clone(), e.label.clone(), e.weight))
        .collect();
    let has = |from: &str, to: &str| edges.iter().find(|(a, b, _, _)| a == from && b == to);
    assert!(
        has("id:org/mext", "id:program/medical-device-seeds").is_some(),
        "{edges:?}"
    );
    let line = has("id:program/medical-device-seeds", "id:rs/6843").expect("program → RS 6843");
    assert_eq!(line.2, "exact");
    let paid = has(
        "id:rs/6843",
        "http://hojin-info.go.jp/data/basic/9010005023796",
    )
    .expect("RS 6843 → AMED by its 法人番号 IRI");
    assert_eq!(paid.3, Some(10.91832));
    assert!(
        !d.title.contains("概算要求"),
        "RS money is not the request's: {}",
        d.title
    );
    // A program behind MHLW's aggregate line: the edge says so.
    let d = build(Kind::Money("dementia-rd".into()));
    assert!(d
        .edges()
        .iter()
        .any(|(a, b, e)| a.key == "id:program/dementia-rd"
            && b.key == "id:rs/2958"
            && e.label == "aggregate"));
}

/// A money diagram draws the ten largest recipients of each line and folds the others into
/// one node, losing no yen: the 2015 review sheet 経済産業省/0089 (未来医療を実現する医療機器・
/// システム研究開発事業), a predecessor of 医療機器等における先進的研究開発・開発体制強靱化事業,
/// lists 72 payments, 5,175,300,000 yen in all; drawn, its edges are at most eleven and
/// still sum to 51.753億円. The line is named by its sheet and linked as "successor".
#[test]
fn money_draws_each_lines_largest_recipients_and_folds_the_rest_without_losing_a_yen() {
    let d = build(Kind::Money("advanced-medical-devices".into()));
    let line = "id:review-sheet/2015/meti/0089";
    let edges = d.edges();
    let from_line: Vec<_> = edges.iter().filter(|(a, _, _)| a.key == line).collect();
    assert!(from_line.len() <= 11, "{}", from_line.len());
    assert!(from_line.iter().any(|(_, b, _)| b.kind == "others"));
    let sum: f64 = from_line.iter().filter_map(|(_, _, e)| e.weight).sum();
    assert!((sum - 51.753).abs() < 1e-6, "{sum}");
    let linked = edges
        .iter()
        .find(|(a, b, _)| a.key == "id:program/advanced-medical-devices" && b.key == line)
        .expect("program → its predecessor's sheet");
    assert_eq!(linked.2.label, "successor");
    assert!(
        d.find(line)
            .unwrap()
            .label
            .starts_with("レビューシート 2015/経済産業省/0089 未来医療"),
        "{}",
        d.find(line).unwrap().label
    );
    // One node holds the rest of every line.
    let others = d.nodes().into_iter().filter(|n| n.kind == "others").count();
    assert_eq!(others, 1);
}

#[test]
fn budget_draws_only_figures_that_are_not_counted_twice() {
    let d = build(Kind::Budget);
    let money: Vec<_> = d
        .edges()
        .into_iter()
        .filter(|(_, _, e)| e.kind == "money")
        .collect();
    let from_ministries: f64 = money
        .iter()
        .filter(|(a, b, _)| a.kind == "ministry" && b.key == "medrd:AmedFunded")
        .filter_map(|(_, _, e)| e.weight)
        .sum();
    // The overview table's AMED request + demand: 1,489億円.
    assert_eq!(from_ministries, 1489.0);
    let to_projects: f64 = money
        .iter()
        .filter(|(a, b, _)| a.key == "medrd:AmedFunded" && b.kind == "project")
        .filter_map(|(_, _, e)| e.weight)
        .sum();
    assert_eq!(to_projects, 380.0 + 131.0 + 209.0 + 203.0 + 198.0 + 269.0);
    assert!(
        d.note.contains("総括表"),
        "the graph says where each level comes from"
    );
}

#[test]
fn every_diagram_is_valid_stable_dot() {
    let graphviz = graphviz();
    for kind in diagram::all_kinds(kb()).expect("diagram list") {
        let d = diagram::build(kb(), &kind, Lang::Ja, None).expect("builds");
        assert!(d.graph.node_count() > 0, "{kind:?} is empty");
        let dot = diagram::dot::to_dot(&d);
        graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{kind:?}: DOT does not parse: {e}"));
        assert!(dot.contains("Noto Sans CJK JP"));
        let again =
            diagram::dot::to_dot(&diagram::build(kb(), &kind, Lang::Ja, None).expect("builds"));
        assert_eq!(dot, again, "{kind:?} is not stable");
        let mermaid = diagram::mermaid::to_mermaid(&d);
        assert!(mermaid.contains("flowchart"));
        if graphviz {
            let svg = diagram::render(&d, Format::Svg).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert!(String::from_utf8_lossy(&svg).contains("<svg"));
        }
    }
    // English labels too.
    let en = diagram::build(kb(), &Kind::Theme("dementia".into()), Lang::En, None).expect("builds");
    assert!(en
        .labels()
        .contains(&"Dementia Research and Development Program".to_owned()));
}

/// The overview draws each ministry as a box around the programs only it runs (the
/// document's ◆ lines name one ministry for all but one of them), and the program that three
/// ministries run (健康・医療研究開発データ統合利活用プラットフォーム事業: 経済産業省, 文部科学省,
/// 厚生労働省) outside every box, with an arrow from each of their boxes. 内閣府 runs no
/// program listed in a project, so it stays a node of its own.
#[test]
fn overview_boxes_each_programs_ministry_and_points_from_every_box_to_a_shared_one() {
    use graphviz_rust::dot_structures::{Attribute, EdgeTy, Graph, Id, Stmt, Vertex};
    let dot = diagram::dot::to_dot(&build(Kind::Overview));
    let Graph::DiGraph { stmts, .. } = graphviz_rust::parse(&dot).expect("the DOT parses") else {
        panic!("a digraph");
    };
    let name = |id: &Id| match id {
        Id::Escaped(s) | Id::Plain(s) | Id::Html(s) | Id::Anonymous(s) => {
            s.trim_matches('"').to_owned()
        }
    };
    let mut boxed: std::collections::BTreeMap<String, String> = Default::default();
    let mut outside = BTreeSet::new();
    let mut arrows = Vec::new();
    for stmt in &stmts {
        match stmt {
            Stmt::Subgraph(sub) => {
                let ministry = name(&sub.id).replace("cluster ", "");
                for inner in &sub.stmts {
                    if let Stmt::Node(n) = inner {
                        boxed.insert(name(&n.id.0), ministry.clone());
                    }
                }
            }
            Stmt::Node(n) => {
                outside.insert(name(&n.id.0));
            }
            Stmt::Edge(e) => {
                let EdgeTy::Pair(Vertex::N(a), Vertex::N(b)) = &e.ty else {
                    panic!("pairs of nodes");
                };
                let tail = e.attributes.iter().find_map(|Attribute(k, v)| {
                    (k.to_string() == "ltail").then(|| name(v).replace("cluster ", ""))
                });
                arrows.push((name(&a.0), name(&b.0), tail));
            }
            _ => {}
        }
    }
    assert_eq!(boxed["id:program/dementia-rd"], "id:org/mhlw");
    assert_eq!(boxed["id:program/brain-science"], "id:org/mext");
    assert!(outside.contains("id:program/data-platform"));
    assert!(outside.contains("id:org/cao"), "内閣府 is a node");
    let shared: BTreeSet<_> = arrows
        .iter()
        .filter(|(_, b, _)| b == "id:program/data-platform")
        .map(|(a, _, tail)| (a.as_str(), tail.as_deref()))
        .collect();
    let from_boxes: BTreeSet<_> = ["id:org/meti", "id:org/mext", "id:org/mhlw"]
        .into_iter()
        .map(|m| (m, Some(m)))
        .collect();
    assert_eq!(shared, from_boxes);
    // No arrow from a ministry into its own box; every program drawn once, in a box or not.
    assert!(arrows
        .iter()
        .all(|(a, b, _)| boxed.get(b) != Some(a) || a.starts_with("id:program/")));
    let programs = build(Kind::Overview)
        .nodes()
        .iter()
        .filter(|n| n.kind == "program")
        .count();
    let drawn = boxed
        .keys()
        .filter(|k| k.starts_with("id:program/"))
        .count()
        + outside
            .iter()
            .filter(|k| k.starts_with("id:program/"))
            .count();
    assert_eq!(drawn, programs);
    let listed = medrd_kg::query::output::Table::collect(
        kb().query(
            "count",
            "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/medrd-kg/ontology#Program> ; \
             <https://w3id.org/medrd-kg/ontology#partOfProject> ?x }",
        )
        .unwrap(),
    )
    .unwrap()
    .text(0, "n");
    assert_eq!(
        programs.to_string(),
        listed,
        "the programs listed in a project"
    );
}

/// A `--with` file's organisation that is no ministry of ours (no label, no notation) runs
/// a program beside its ministry: the program is run by two, so it is in no box.
#[test]
fn overview_boxes_a_program_only_when_a_ministry_runs_it_alone() {
    let dot = dot_with(
        "ghost",
        "<https://w3id.org/medrd-kg/id/program/brain-science> \
         <https://w3id.org/medrd-kg/ontology#ministry> <https://example.org/ghost-ministry> .\n",
        &["overview"],
    );
    let mext = &dot[dot
        .find("subgraph \"cluster id:org/mext\"")
        .expect("mext's box")..];
    let mext = &mext[..mext.find("\n  }").unwrap()];
    assert!(mext.contains("id:program/advanced-research"), "{mext}");
    assert!(!mext.contains("id:program/brain-science"), "{mext}");
    assert!(dot.contains("\n  \"id:program/brain-science\"["));
    assert!(dot.contains("\"id:org/mext\" -> \"id:program/brain-science\" [ltail="));
}

/// Graphviz 2.43 orders a graph's clusters by where their names lie in its memory, so the
/// overview's boxes came out in another order from a `dot` that drew another graph before
/// them (the budget, the ontology, a money diagram): the overview is drawn by a `dot` of its
/// own even where the build keeps some.
#[test]
fn the_overview_is_drawn_as_a_dot_of_its_own_draws_it() {
    if !graphviz() {
        return;
    }
    let overview = build(Kind::Overview);
    let dot = diagram::dot::to_dot(&overview);
    let alone = diagram::graphviz::run_dot(&dot, "svg").unwrap();
    let before = [
        Kind::Budget,
        Kind::Ontology,
        Kind::Money("child-development".into()),
    ];
    for kind in before {
        let pool = diagram::graphviz::Pool::new();
        let first = diagram::dot::to_dot(&build(kind.clone()));
        pool.svg(&first).expect("drawn");
        let kept = diagram::drawn(&overview, &dot, "svg", Some(&pool)).unwrap();
        assert!(kept == alone, "the overview drawn after {kind:?} differs");
    }
}

/// A line a `--with` file links to our program with no name at all is drawn with its
/// payment: 500,000,000 yen, 5億円 on its one edge. (It was a plain node whose recipients
/// the fold did not see, and folded away with the 5億円.)
#[test]
fn money_counts_the_payments_of_a_line_it_cannot_name() {
    let dot = dot_with(
        "line",
        "@prefix rs: <https://w3id.org/medrd-kg/rs#> .\n\
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
         <https://w3id.org/medrd-kg/id/program/advanced-medical-devices> rs:linkedLine <https://example.org/line> .\n\
         <https://example.org/pay> rs:paymentOf <https://example.org/line> ; rs:reviewYear \"2015\"^^xsd:gYear ;\n\
           rs:amount 500000000 ; rs:payeeName \"公益財団法人医療機器開発センター\" .\n",
        &["money", "advanced-medical-devices"],
    );
    let paid: Vec<&str> = dot
        .lines()
        .filter(|l| l.starts_with("  \"https://example.org/line\" -> "))
        .collect();
    assert_eq!(paid.len(), 1, "{paid:?}");
    assert!(paid[0].contains("label=\"5億円\""), "{}", paid[0]);
}

#[test]
fn user_construct_query_is_drawn_with_labels() {
    let dir = std::env::temp_dir().join(format!("medrd-diagram-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let q = dir.join("dementia-projects.rq");
    std::fs::write(
        &q,
        "#+ summary: The projects of the dementia program.\n\
         PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>\n\
         CONSTRUCT { ?p medrd:partOfProject ?j } WHERE {\n\
           BIND (<https://w3id.org/medrd-kg/id/program/dementia-rd> AS ?p)\n\
           ?p medrd:partOfProject ?j }\n",
    )
    .unwrap();
    let d = diagram::build(kb(), &Kind::Query(q.clone()), Lang::Ja, None).expect("builds");
    assert!(d.labels().contains(&"認知症研究開発事業".to_owned()));
    assert!(d.labels().contains(&"医薬品プロジェクト".to_owned()));
    assert_eq!(d.edges().len(), 3);
    assert!(d
        .edges()
        .iter()
        .all(|(_, _, e)| e.label == "所属プロジェクト"));
    let out = medrd(&["diagram", "--query", q.to_str().unwrap(), "-f", "mermaid"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("所属プロジェクト"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn command_line_draws_and_renders() {
    let out = medrd(&["diagram", "theme", "dementia"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.starts_with("digraph"));
    assert!(dot.contains("認知症研究開発事業"));
    assert!(!dot.contains("医工連携イノベーション推進事業"));

    let out = medrd(&["diagram", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));

    if graphviz() {
        // What `dot` makes of our DOT: an SVG.
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dot.as_bytes())
            .unwrap();
        let svg = child.wait_with_output().unwrap();
        assert!(svg.status.success());
        assert!(String::from_utf8_lossy(&svg.stdout).contains("認知症"));
        let out = medrd(&["diagram", "cross-project", "-f", "png"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.starts_with(b"\x89PNG"));
    } else {
        // Without Graphviz, svg fails with one line naming it.
        let out = medrd(&["diagram", "overview", "-f", "svg"]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("Graphviz"), "{err}");
    }
}

#[test]
fn missing_graphviz_is_one_line_naming_it() {
    // An empty PATH hides `dot` whether or not it is installed.
    let out = crate::util::command()
        .args(["diagram", "budget", "-f", "svg"])
        .env("MEDRD_ROOT", ROOT)
        .env("PATH", "")
        .output()
        .expect("medrd runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("Graphviz") && err.contains("graphviz"),
        "{err}"
    );
    // DOT and Mermaid need nothing.
    for f in ["dot", "mermaid"] {
        let out = crate::util::command()
            .args(["diagram", "budget", "-f", f])
            .env("MEDRD_ROOT", ROOT)
            .env("PATH", "")
            .output()
            .expect("medrd runs");
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn path_from_dementia_program_to_meti() {
    let out = medrd(&["path", "認知症研究開発事業", "経済産業省"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("認知症研究開発事業"), "{text}");
    assert!(
        lines.iter().any(|l| l.contains("経済産業省 (id:org/meti)")),
        "{text}"
    );
    assert!(text.contains('→') || text.contains('←'));

    let g = DataGraph::load(kb(), Lang::En).expect("graph loads");
    let from = g
        .find("Dementia Research and Development Program")
        .expect("found by English label");
    let to = g.find("id:org/meti").expect("found by compact IRI");
    let steps = g.path(from, to).expect("connected");
    assert!(!steps.is_empty() && steps.len() <= 4);
    assert_eq!(steps.last().unwrap().2, to);
}

#[test]
fn analysis_ranks_bridging_programs() {
    let g = DataGraph::load(kb(), Lang::Ja).expect("graph loads");
    let a = analyze(&g, 10);
    assert_eq!(a.bridges.len(), 10);
    assert!(a
        .bridges
        .windows(2)
        .all(|w| w[0].betweenness >= w[1].betweenness));
    // The program listed in four projects is among the top bridges.
    let cancer = a
        .bridges
        .iter()
        .find(|b| b.program == "革新的がん医療実用化研究事業")
        .expect("革新的がん医療実用化研究事業 bridges projects");
    assert_eq!(cancer.projects.len(), 4);
    let programs = a
        .degrees
        .iter()
        .find(|d| d.class == "medrd:Program")
        .expect("programs");
    assert_eq!(programs.count, 52);
    assert!(!a.components.is_empty());
}

#[test]
fn betweenness_matches_a_hand_computed_graph() {
    // A path a - b - c: only b lies between a pair (a, c).
    let mut d = Diagram::default();
    d.edge("a", "b", Default::default());
    d.edge("b", "c", Default::default());
    let cb = diagram::analyze::betweenness(&d.graph.clone().into_edge_type());
    assert_eq!(cb, vec![0.0, 1.0, 0.0]);
}

/// Every SVG of `files` is byte for byte what a `dot` of its own draws from the DOT written
/// beside it, although `write_all` draws one graph after another in a `dot` kept running.
fn drawn_as_alone(files: &[std::path::PathBuf]) {
    let mut compared = 0;
    for svg in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
    {
        let dot = svg.with_extension("dot");
        if !dot.exists() {
            continue; // a timeline chart, drawn by medrd
        }
        let alone = Command::new("dot")
            .arg("-Tsvg")
            .arg(&dot)
            .output()
            .expect("dot runs");
        assert!(alone.status.success(), "{}", dot.display());
        assert!(
            std::fs::read(svg).unwrap() == alone.stdout,
            "{} differs from what `dot -Tsvg {}` draws",
            svg.display(),
            dot.display()
        );
        compared += 1;
    }
    let dots = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dot"))
        .count();
    assert_eq!(compared, dots, "an SVG for every DOT");
    assert!(compared > 80, "{compared} diagrams drawn");
}

#[test]
fn write_all_writes_every_diagram() {
    let dir = std::env::temp_dir().join(format!("medrd-diagrams-{}", std::process::id()));
    let files = diagram::write_all(kb(), &dir).expect("writes");
    let names: BTreeSet<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for name in [
        "overview.dot",
        "theme-dementia.dot",
        "cross-project.dot",
        "budget.dot",
        "project-1.dot",
        "ministry-mhlw.dot",
        "ontology.mmd",
    ] {
        assert!(names.contains(name), "{name} missing from {names:?}");
    }
    if graphviz() {
        assert!(names.contains("overview.svg"));
        drawn_as_alone(&files);
    }
    // A timeline chart per program, project and ministry, in timeline/.
    for name in [
        "program-medical-device-seeds.svg",
        "project-2.svg",
        "ministry-mext.svg",
    ] {
        let path = dir.join("timeline").join(name);
        assert!(files.contains(&path), "{name} missing from {files:?}");
    }
    let programs = files
        .iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("timeline")))
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("program-")
        })
        .count();
    assert_eq!(
        programs, 52,
        "one chart per program (medrd stats: 52 medrd:Program)"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The titles (`<title>` tooltips) of a timeline chart's bars.
fn bar_tooltips(svg: &str) -> Vec<String> {
    svg.split("<rect ")
        .filter_map(|r| r.split_once("<title>").map(|(_, t)| t))
        .filter_map(|t| t.split_once("</title>").map(|(t, _)| t.to_owned()))
        .collect()
}

#[test]
fn timeline_of_a_program_shows_the_document_beside_the_rs_editions() {
    let out = medrd(&[
        "diagram",
        "timeline",
        "program",
        "medical-device-seeds",
        "--format",
        "svg",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.starts_with("<?xml"), "{svg}");
    assert!(
        svg.contains(">医療機器等研究成果展開事業 — 予算の推移</text>"),
        "{svg}"
    );
    // RS 6843 (MEXT), checked by hand against the RS 2024 and 2025 sheets: FY2023 initial and
    // execution 1,023,500,000 yen, FY2024 request 1,216,000,000 (RS 2024) beside the 12億円
    // printed on line 152 of the document, FY2024 initial and execution 1,091,832,000, FY2025
    // request 1,204,832,000 (RS 2025). RS's 翌年度要求額 includes the 要望: the same stage as
    // the document's 概算要求・要望額. Tooltips quote the figure exactly, with its source.
    let rs24 = "行政事業レビュー 2024年度 (RSシステム公開データ)";
    let rs25 = "行政事業レビュー 2025年度 (RSシステム公開データ)";
    let doc = "令和6年度 医療分野の研究開発関連予算 概算要求のポイント";
    let sheet = "行政事業レビューシート 2023年公開 (JUDGIT!)";
    let want = [
        ("当初予算額 12.3億円（令和2年度）", sheet, "fy2020"),
        ("執行額 12.18億円（令和2年度）", sheet, "fy2020"),
        ("当初予算額 8.62億円（令和3年度）", sheet, "fy2021"),
        ("執行額 8.69億円（令和3年度）", sheet, "fy2021"),
        ("当初予算額 10.72億円（令和4年度）", sheet, "fy2022"),
        ("執行額 10.77億円（令和4年度）", sheet, "fy2022"),
        ("当初予算額 10.24億円（令和5年度）", sheet, "fy2023"),
        ("当初予算額 10.235億円（令和5年度）", rs24, "6843-fy2023"),
        ("執行額 10.235億円（令和5年度）", rs24, "6843-fy2023"),
        ("概算要求・要望額 12億円（令和6年度）", doc, "line 152"),
        ("概算要求・要望額 12.16億円（令和6年度）", sheet, "fy2023"),
        (
            "概算要求・要望額 12.16億円（令和6年度）",
            rs24,
            "6843-fy2023",
        ),
        ("当初予算額 10.91832億円（令和6年度）", rs25, "6843-fy2024"),
        ("執行額 10.91832億円（令和6年度）", rs25, "6843-fy2024"),
        (
            "概算要求・要望額 12.04832億円（令和7年度）",
            rs25,
            "6843-fy2024",
        ),
    ];
    let tips = bar_tooltips(&svg);
    assert_eq!(tips.len(), want.len(), "{tips:?}");
    for (tip, (head, source, evidence)) in tips.iter().zip(want) {
        assert!(
            tip.starts_with(&format!("{head}\n出典："))
                && tip.contains(source)
                && tip.ends_with(evidence),
            "{tip:?} is not {head} from {source}, {evidence}"
        );
    }
    // Bars are labelled to two decimals, rounded half up (10.235 → 10.24).
    for label in [
        ">10.24</text>",
        ">12.16</text>",
        ">12</text>",
        ">10.92</text>",
        ">12.05</text>",
    ] {
        assert!(svg.contains(label), "{label} not in {svg}");
    }
    for year in [
        ">令和5年度</text>",
        ">令和6年度</text>",
        ">令和7年度</text>",
    ] {
        assert!(svg.contains(year), "{year}");
    }
    assert!(svg.contains("font-family=\"Noto Sans CJK JP, sans-serif\""));
}

#[test]
fn timeline_of_a_ministry_stacks_its_shares_and_sums_its_rs_lines() {
    let out = medrd(&["diagram", "timeline", "ministry", "MEXT", "--lang", "en"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(
        svg.contains(
            ">Ministry of Education, Culture, Sports, Science and Technology — budget over the years</text>"
        ),
        "{svg}"
    );
    let tips = bar_tooltips(&svg);
    // The overview table (lines 10-11): AMED 697 and in-house 254 of request + demand,
    // FY2023 initial 581 and 254, each its own part of a stacked bar.
    for (stage, amount, year, evidence) in [
        ("Request + demand", "697", "FY2024", "amed, line 10"),
        ("Request + demand", "254", "FY2024", "inhouse, line 11"),
        ("Budget request", "523", "FY2024", "amed, line 10"),
        ("Special demand", "17", "FY2024", "inhouse, line 11"),
        ("Initial budget", "581", "FY2023", "amed, line 10"),
        ("Initial budget", "254", "FY2023", "inhouse, line 11"),
    ] {
        let want = format!("{stage}: {amount} oku yen ({year})");
        assert!(
            tips.iter()
                .any(|t| t.starts_with(&want) && t.ends_with(evidence)),
            "{want} from {evidence} not in {tips:?}"
        );
    }
    // Beside them, per RS edition, the MEXT lines linked to our programs, each counted once
    // (among them AMED's operating grant 1691, an aggregate, and said so).
    let rs: Vec<&String> = tips
        .iter()
        .filter(|t| t.contains("行政事業レビュー"))
        .collect();
    assert!(
        rs.iter().any(|t| t.starts_with("Initial budget: ")
            && t.contains("(FY2023)")
            && t.ends_with("\n13 lines incl. an aggregate line")),
        "{rs:?}"
    );
    assert!(rs
        .iter()
        .any(|t| t.starts_with("Request + demand: ") && t.contains("(FY2025)")));
    // The stacked bars are labelled with their sums and the chart says it stacks.
    assert!(
        svg.contains(">951</text></g>") && svg.contains(">835</text></g>"),
        "{svg}"
    );
    assert!(svg.contains("Stacked bars"));
    for year in [">FY2023</text>", ">FY2024</text>", ">FY2025</text>"] {
        assert!(svg.contains(year), "{year}");
    }
}

#[test]
fn timeline_of_a_project_uses_its_printed_total_and_counts_each_rs_line_once() {
    let out = medrd(&["diagram", "timeline", "project", "4"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    let tips = bar_tooltips(&svg);
    // Project 4: 221億円 printed as its total (203 AMED + 18 in-house are not added again).
    let doc: Vec<&String> = tips
        .iter()
        .filter(|t| t.contains("概算要求のポイント"))
        .collect();
    assert_eq!(doc.len(), 1, "{tips:?}");
    assert!(
        doc[0].starts_with("概算要求・要望額 221億円（令和6年度）"),
        "{doc:?}"
    );
    // RS 2025 prints 429,298,327,000 yen executed for line 719's FY2024 (its budget: 5億円):
    // flagged as a suspected unit slip, left out of the FY2024 execution, and said so.
    let exec: Vec<&String> = tips
        .iter()
        .filter(|t| t.starts_with("執行額 ") && t.contains("（令和6年度）"))
        .collect();
    assert_eq!(exec.len(), 2, "{tips:?}");
    assert!(
        exec.iter().any(|t| t.starts_with("執行額 57.49722億円")
            && t.ends_with("2 lines wider than their programs (whole); 1 left out: suspected unit slip (rs:suspectedUnitSlip)")),
        "{exec:?}"
    );
    assert!(!exec.iter().any(|t| t.contains("4,908")), "{exec:?}");
    // The aggregate lines behind the project's programs (RS 2958, the MHLW AMED grants, and
    // RS 1691, AMED's operating grant, behind data-platform) are never counted as the
    // project's money: its programs' own lines are, and they are named.
    assert!(
        exec.iter().any(|t| t.starts_with("執行額 4.65894億円")
            && t.ends_with("2 own lines; 2 aggregate lines left out (its project share is counted where the source gives one)")),
        "{exec:?}"
    );
}

#[test]
fn timeline_refuses_bad_arguments_and_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("medrd-timeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("chart.svg");
    let o = out_file.to_str().unwrap();
    let png_file = dir.join("chart.png");
    let png = png_file.to_str().unwrap();
    for (args, message) in [
        (
            vec!["timeline", "program", "no-such-program", "-o", o],
            "no program \"no-such-program\"",
        ),
        (
            vec!["timeline", "programme", "x", "-o", o],
            "give program SLUG, project N or ministry CODE",
        ),
        (
            vec!["timeline", "program", "-o", o],
            "give program SLUG, project N or ministry CODE",
        ),
        (
            vec![
                "timeline",
                "program",
                "medical-device-seeds",
                "-f",
                "dot",
                "-o",
                o,
            ],
            "drawn as SVG only",
        ),
        (
            vec!["theme", "dementia", "extra", "-o", o],
            "takes one argument",
        ),
        (
            vec!["timeline", "ministry", "mext", "-o", png],
            "drawn as SVG only, not png",
        ),
    ] {
        let mut all = vec!["diagram"];
        all.extend(args.iter().copied());
        let out = medrd(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {stderr}");
        assert!(stderr.contains(message), "{all:?}: {stderr}");
        assert!(
            !out_file.exists() && !png_file.exists(),
            "{all:?} wrote a file"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The server stops a diagram at its time limit through the token of its work: every store
/// query the drawing makes under `kb::cancelled_by` stops, and the thread's queries run again
/// once the work is over.
#[test]
fn a_diagram_drawn_under_a_cancelled_token_stops_with_an_error() {
    let kb = kb();
    let before = diagram::dot::to_dot(&build(Kind::Overview));
    let token = oxigraph::sparql::CancellationToken::new();
    token.cancel();
    let stopped = medrd_kg::store::cancelled_by(token, || {
        diagram::build(kb, &Kind::Overview, Lang::Ja, None)
    });
    let Err(stopped) = stopped else {
        panic!("a drawing under a cancelled token was drawn");
    };
    let message = stopped.to_string();
    assert!(message.to_lowercase().contains("cancel"), "{message}");
    // Outside the work, the same thread draws it as before.
    assert_eq!(diagram::dot::to_dot(&build(Kind::Overview)), before);
}

/// A program's timeline chart runs `program-timeline` with the program bound (its `#+ subject:`
/// line), not the query for every program: for every program with figures, the rows alone are
/// the rows the whole query gives it (what `medrd build` draws from).
#[test]
fn a_programs_chart_alone_has_the_rows_the_whole_timeline_gives_it() {
    use medrd_kg::diagram::timeline::{self, Subject};
    let kb = kb();
    let whole = timeline::rows_by_subject(kb, Subject::Program).unwrap();
    assert!(whole.len() > 20, "{} programs with figures", whole.len());
    for (slug, rows) in &whole {
        let kind = Kind::Timeline(Subject::Program, slug.clone());
        let (_, alone) = timeline::build(kb, &kind, Lang::Ja).unwrap();
        assert_eq!(&alone, rows, "{slug}");
    }
}
