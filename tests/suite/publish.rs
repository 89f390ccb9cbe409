//! Publishing: the DCAT 3 + VoID description (`medrd export --dcat`) parses as Turtle,
//! names every distribution and counts the store; the CSV tables (`medrd export --csv DIR`)
//! have their documented columns, real rows and CSVW metadata.

use crate::util::{csv, medrd, root};
use medrd_kg::{Kb, Layout};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Quad, Triple, TripleRef};
use std::collections::BTreeSet;

const DATASET: &str = "https://w3id.org/medrd-kg/id/dataset/medrd-kg";

/// The objects of `s p ?o` as plain strings (IRIs without brackets, literal values).
fn objects(triples: &[Triple], s: &str, p: &str) -> Vec<String> {
    let subject = format!("<{s}>");
    triples
        .iter()
        .filter(|t| t.subject.to_string() == subject && t.predicate.as_str() == p)
        .map(|t| match &t.object {
            oxigraph::model::Term::Literal(l) => l.value().to_owned(),
            oxigraph::model::Term::NamedNode(n) => n.as_str().to_owned(),
            o => o.to_string(),
        })
        .collect()
}

/// The Turtle we write reads as it is (issue 24): no local name with an escaped `/`
/// (`id:rs\/987`): our resources are written as full IRIs, which read and dereference as
/// they are.
#[test]
fn turtle_and_trig_are_readable_without_escaped_slashes() {
    for (args, what) in [
        (&["export", "--format", "turtle"][..], "export"),
        (&["export", "--format", "trig"][..], "export trig"),
        (&["export", "--dcat"][..], "catalogue"),
        (
            &[
                "query",
                "--format",
                "turtle",
                "--sparql",
                "CONSTRUCT WHERE { ?s a <https://w3id.org/medrd-kg/rs#ReviewSheet> ; ?p ?o }",
            ][..],
            "CONSTRUCT",
        ),
    ] {
        let text = medrd(args).ok();
        assert!(
            !text.contains("\\/"),
            "{what}: an escaped slash in {:?}",
            text.lines().find(|l| l.contains("\\/"))
        );
        assert!(
            text.contains("<https://w3id.org/medrd-kg/id/"),
            "{what}: our IRIs in full"
        );
        assert!(!text.contains("@prefix id:"), "{what}");
    }
}

#[test]
fn dcat_parses_names_every_distribution_and_counts_the_store() {
    let ttl = medrd(&["export", "--dcat"]).ok();
    let triples: Vec<Triple> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(ttl.as_bytes())
        .map(|q| q.map(Triple::from))
        .collect::<Result<_, _>>()
        .expect("the DCAT description is Turtle");
    let dcat = "http://www.w3.org/ns/dcat#";
    let types = objects(
        &triples,
        DATASET,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    );
    assert!(
        types.contains(&format!("{dcat}Dataset"))
            && types.contains(&"http://rdfs.org/ns/void#Dataset".to_owned())
    );
    let distributions = objects(&triples, DATASET, &format!("{dcat}distribution"));
    let downloads: Vec<String> = distributions
        .iter()
        .flat_map(|d| objects(&triples, d, &format!("{dcat}downloadURL")))
        .collect();
    for file in [
        "medrd-kg.ttl",
        "medrd-kg.nt",
        "medrd-kg.nq",
        "medrd-kg.trig",
        "medrd-kg.rdf",
        "medrd-kg.jsonld",
        "tables/programs.csv",
        "tables/memberships.csv",
        "tables/amounts.csv",
        "tables/initiatives.csv",
        "tables/csv-metadata.json",
    ] {
        assert!(
            downloads.contains(&format!("https://w3id.org/medrd-kg/dist/{file}")),
            "no distribution for {file}: {downloads:?}"
        );
    }
    for d in &distributions {
        assert_eq!(
            objects(&triples, d, &format!("{dcat}mediaType")).len(),
            1,
            "{d} has one media type"
        );
        // DCAT-AP: every distribution has an access URL, and a format from the EU's table.
        assert_eq!(
            objects(&triples, d, &format!("{dcat}accessURL")),
            objects(&triples, d, &format!("{dcat}downloadURL"))
        );
        let format = objects(&triples, d, "http://purl.org/dc/terms/format");
        assert!(
            format.len() == 1
                && format[0]
                    .starts_with("http://publications.europa.eu/resource/authority/file-type/"),
            "{d}: {format:?}"
        );
    }
    // Our instance namespace is no vocabulary.
    assert!(
        !objects(&triples, DATASET, "http://rdfs.org/ns/void#vocabulary")
            .contains(&"https://w3id.org/medrd-kg/id/".to_owned())
    );
    assert_eq!(
        objects(&triples, DATASET, "http://purl.org/dc/terms/license"),
        ["https://creativecommons.org/licenses/by/4.0/"]
    );
    // DCAT-AP wants dcterms:source to be a dcat:Dataset: the sources (a document, review
    // editions) are what the dataset is derived from.
    assert!(objects(&triples, DATASET, "http://purl.org/dc/terms/source").is_empty());
    let mut derived = objects(
        &triples,
        DATASET,
        "http://www.w3.org/ns/prov#wasDerivedFrom",
    );
    derived.sort();
    let mut want = vec!["fy2024-request".to_owned()];
    want.extend((2015..=2023).map(|y| format!("judgit-{y}")));
    want.extend(["rs-2024".to_owned(), "rs-2025".to_owned()]);
    assert_eq!(
        derived,
        want.iter()
            .map(|s| format!("https://w3id.org/medrd-kg/id/source/{s}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        objects(&triples, DATASET, &format!("{dcat}version")),
        [env!("CARGO_PKG_VERSION")]
    );
    assert_eq!(
        objects(&triples, DATASET, "http://purl.org/dc/terms/publisher").len(),
        1
    );

    // VoID statistics agree with the store.
    let kb = Kb::load(Layout::new(root())).unwrap();
    let count = |q: &str| {
        let t = medrd_kg::query::output::Table::collect(kb.query("count", q).unwrap()).unwrap();
        t.text(0, "n")
    };
    let void = |p: &str| objects(&triples, DATASET, &format!("http://rdfs.org/ns/void#{p}"));
    assert_eq!(
        void("triples"),
        [count(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        )]
    );
    assert_eq!(
        void("entities"),
        [count(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }"
        )]
    );
    let partitions = void("classPartition");
    let program_partition = partitions
        .iter()
        .find(|p| {
            objects(&triples, p, "http://rdfs.org/ns/void#class")
                == ["https://w3id.org/medrd-kg/ontology#Program"]
        })
        .expect("a class partition for medrd:Program");
    assert_eq!(
        objects(
            &triples,
            program_partition,
            "http://rdfs.org/ns/void#entities"
        ),
        ["52"]
    );
    assert!(!void("propertyPartition").is_empty());
}

#[test]
fn csv_tables_have_documented_columns_real_rows_and_csvw_metadata() {
    let dir = std::env::temp_dir().join(format!("medrd-tables-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    medrd(&["export", "--csv", dir.to_str().unwrap()]).ok();
    let read = |name: &str| csv(&std::fs::read_to_string(dir.join(name)).unwrap());

    let programs = read("programs.csv");
    assert_eq!(
        programs[0],
        [
            "program",
            "program_ja",
            "program_en",
            "ministries",
            "parent"
        ]
    );
    assert_eq!(programs.len() - 1, 52);
    let data_platform = programs.iter().find(|r| r[0] == "data-platform").unwrap();
    assert_eq!(data_platform[3], "meti mext mhlw");
    assert_eq!(
        programs.iter().find(|r| r[0] == "b-cure-tmm").unwrap()[4],
        "b-cure"
    );

    let memberships = read("memberships.csv");
    assert_eq!(
        memberships[0],
        ["program", "project_no", "listing", "repost", "line"]
    );
    let mut dementia: Vec<&str> = memberships
        .iter()
        .filter(|r| r[0] == "dementia-rd")
        .map(|r| r[1].as_str())
        .collect();
    dementia.dedup();
    assert_eq!(dementia, ["1", "4", "5"]);

    let amounts = read("amounts.csv");
    assert_eq!(
        amounts[0],
        [
            "amount",
            "subject",
            "fiscal_year",
            "kind",
            "category",
            "project_no",
            "oku_yen",
            "yen",
            "repost_of",
            "portion_of",
            "line"
        ]
    );
    let amed_total = amounts
        .iter()
        .find(|r| r[0] == "overview-amed-total")
        .unwrap();
    assert_eq!(
        amed_total[1..8],
        [
            "budget/fy2024-medical-rd",
            "2024",
            "total",
            "amed",
            "",
            "1489",
            "148900000000"
        ]
    );
    let shares: f64 = amounts
        .iter()
        .filter(|r| r[9] == "overview-amed-total")
        .map(|r| r[6].parse::<f64>().unwrap())
        .sum();
    assert_eq!(
        shares, 1489.0,
        "the ministries' shares add up to the AMED total"
    );

    let initiatives = read("initiatives.csv");
    assert_eq!(
        initiatives[0],
        [
            "initiative",
            "project_no",
            "program",
            "status",
            "text_ja",
            "line"
        ]
    );
    assert_eq!(initiatives.len() - 1, 76);
    assert_eq!(initiatives.iter().filter(|r| r[3] == "new").count(), 16);

    let metadata: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("csv-metadata.json")).unwrap())
            .unwrap();
    let tables = metadata["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 4);
    for t in tables {
        let url = t["url"].as_str().unwrap();
        let header = &read(url)[0];
        let columns: Vec<&str> = t["tableSchema"]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["titles"].as_str().unwrap())
            .collect();
        assert_eq!(
            &columns, header,
            "{url}: metadata columns match the CSV header"
        );
        for c in t["tableSchema"]["columns"].as_array().unwrap() {
            assert!(
                c["datatype"].is_string() && c["dc:description"].is_string(),
                "{url}: {c}"
            );
        }
    }
    let amount_columns =
        &tables.iter().find(|t| t["url"] == "amounts.csv").unwrap()["tableSchema"]["columns"];
    let datatype = |name: &str| {
        amount_columns
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["datatype"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(datatype("oku_yen"), "decimal");
    assert_eq!(datatype("yen"), "integer");
    assert_eq!(datatype("fiscal_year"), "integer");

    // CSVW keys, URLs and lists (issue 24): every foreign key's values are found in the
    // column it references; every row's aboutUrl and every valueUrl names a resource of the
    // knowledge base; the space-separated ministries are a list of organisations.
    let kb = Kb::load(Layout::new(root())).unwrap();
    let described = |iri: &str| {
        let ask = format!("ASK {{ <{iri}> ?p ?o }}");
        matches!(
            kb.query("described", &ask).unwrap(),
            oxigraph::sparql::QueryResults::Boolean(true)
        )
    };
    let expand = |template: &str, header: &[String], row: &[String]| -> Vec<String> {
        let (start, rest) = template.split_once('{').unwrap();
        let (name, end) = rest.split_once('}').unwrap();
        let col = header
            .iter()
            .position(|h| h == name.trim_start_matches('+'))
            .unwrap();
        row[col]
            .split(' ')
            .filter(|v| !v.is_empty())
            .map(|v| format!("{start}{v}{end}"))
            .collect()
    };
    let mut foreign_keys = 0;
    for t in tables {
        let url = t["url"].as_str().unwrap();
        let rows = read(url);
        let schema = &t["tableSchema"];
        if let Some(about) = schema["aboutUrl"].as_str() {
            for row in &rows[1..] {
                for iri in expand(about, &rows[0], row) {
                    assert!(described(&iri), "{url}: aboutUrl {iri} names nothing");
                }
            }
        }
        for c in schema["columns"].as_array().unwrap() {
            let Some(template) = c["valueUrl"].as_str() else {
                continue;
            };
            for row in &rows[1..] {
                for iri in expand(template, &rows[0], row) {
                    assert!(described(&iri), "{url}: valueUrl {iri} names nothing");
                }
            }
        }
        for fk in schema["foreignKeys"].as_array().into_iter().flatten() {
            foreign_keys += 1;
            let column = fk["columnReference"].as_str().unwrap();
            let target = read(fk["reference"]["resource"].as_str().unwrap());
            let referenced = fk["reference"]["columnReference"].as_str().unwrap();
            let tcol = target[0].iter().position(|h| h == referenced).unwrap();
            let known: BTreeSet<&str> = target[1..].iter().map(|r| r[tcol].as_str()).collect();
            let col = rows[0].iter().position(|h| h == column).unwrap();
            for row in &rows[1..] {
                assert!(
                    row[col].is_empty() || known.contains(row[col].as_str()),
                    "{url}: {column} {} is not in {referenced}",
                    row[col]
                );
            }
        }
    }
    assert_eq!(foreign_keys, 5);
    let programs_schema =
        &tables.iter().find(|t| t["url"] == "programs.csv").unwrap()["tableSchema"];
    let ministries = programs_schema["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ministries")
        .unwrap();
    assert_eq!(ministries["separator"], " ");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `export --csv DIR --bom` (issue 24): the same tables, each begun with a UTF-8 byte order
/// mark (Excel in Japanese reads a CSV without one as Shift_JIS and garbles it).
#[test]
fn csv_tables_with_a_byte_order_mark_are_the_same_tables() {
    let dir = std::env::temp_dir().join(format!("medrd-tables-bom-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (plain, bom) = (dir.join("plain"), dir.join("bom"));
    medrd(&["export", "--csv", plain.to_str().unwrap()]).ok();
    medrd(&["export", "--csv", bom.to_str().unwrap(), "--bom"]).ok();
    for table in ["programs", "amounts", "memberships", "initiatives"] {
        let name = format!("{table}.csv");
        let with = std::fs::read(bom.join(&name)).unwrap();
        let without = std::fs::read(plain.join(&name)).unwrap();
        assert_eq!(&with[..3], b"\xEF\xBB\xBF", "{name}");
        assert_eq!(&with[3..], &without[..], "{name}");
    }
    let refused = medrd(&["export", "--bom"]);
    assert_eq!(refused.code, 2, "--bom without --csv: {}", refused.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The exports' order (each term's text ranked once, the quads sorted by their ranks) is the
/// order of the terms' texts: every quad of our store, and every triple once, in the order a
/// sort by the texts themselves gives.
#[test]
fn the_exports_are_in_the_order_of_the_terms_texts() {
    use medrd_kg::order::{sort_triples, text_key};
    let kb = crate::util::kb();
    let sorted = medrd_kg::publish::rdf::Sorted::of(kb).unwrap();
    let mut quads = kb.quads().unwrap();
    quads.sort_by_cached_key(text_key);
    assert!(quads.len() > 100_000, "{} quads", quads.len());
    assert!(sorted.quads().eq(quads.iter().map(Quad::as_ref)));
    let mut triples: Vec<Triple> = quads.iter().map(|q| Triple::from(q.clone())).collect();
    sort_triples(&mut triples);
    // And our own graphs state each triple once: queries over the union would count a
    // triple stated in two graphs twice.
    assert_eq!(triples.len(), quads.len());
    assert!(sorted
        .triples()
        .map(|q| Triple::from(TripleRef::from(q)))
        .eq(triples));
}

/// N-Triples, N-Quads, Turtle, TriG and JSON-LD are written straight from the terms' texts and
/// the quads' order; on our store each gives the bytes of oxigraph's serialiser (JSON-LD
/// compacted):
/// the files of `medrd build` did not change when they stopped going through it.
#[test]
fn the_direct_writers_give_the_bytes_of_oxigraphs_serialisers() {
    let kb = crate::util::kb();
    let sorted = medrd_kg::publish::rdf::Sorted::of(kb).unwrap();
    for format in [
        RdfFormat::NTriples,
        RdfFormat::NQuads,
        RdfFormat::Turtle,
        RdfFormat::TriG,
        RdfFormat::JsonLd {
            profile: Default::default(),
        },
    ] {
        let (mut direct, mut serialised) = (Vec::new(), Vec::new());
        sorted.write(format, &mut direct).unwrap();
        sorted.write_by_serializer(format, &mut serialised).unwrap();
        assert!(direct.len() > 1_000_000, "{format}: {} bytes", direct.len());
        let first = direct.iter().zip(&serialised).position(|(a, b)| a != b);
        assert!(
            direct == serialised,
            "{format}: {} and {} bytes, first difference at {first:?}",
            direct.len(),
            serialised.len()
        );
    }
}
