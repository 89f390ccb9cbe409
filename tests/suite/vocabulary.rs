//! Every term of the vocabulary module is declared in ontology/ with labels in Japanese and
//! English and a comment; every term the data uses is declared.

use medrd_kg::query::output::Table;
use medrd_kg::vocab::medrd;

#[test]
fn every_vocabulary_term_is_declared_with_labels_and_comment() {
    let kb = crate::util::kb();
    for term in medrd::ALL {
        let q = format!(
            "ASK {{ GRAPH <https://w3id.org/medrd-kg/graph/ontology> {{
                <{t}> a ?kind ; <http://www.w3.org/2000/01/rdf-schema#label> ?ja , ?en ;
                      <http://www.w3.org/2000/01/rdf-schema#comment> ?c .
                FILTER (LANG(?ja) = \"ja\" && LANG(?en) = \"en\") }} }}",
            t = term.as_str()
        );
        let t = Table::collect(kb.query("declared", &q).unwrap()).unwrap();
        assert_eq!(
            t.text(0, "boolean"),
            "true",
            "{term} is not declared with ja/en labels and a comment"
        );
    }
}

#[test]
fn every_medrd_term_used_in_the_data_is_declared() {
    let run = crate::util::medrd(&[
        "query",
        "queries/checks/undeclared-term-violation.rq",
        "--format",
        "csv",
    ]);
    let rows = crate::util::csv(&run.ok());
    assert_eq!(
        rows,
        vec![vec!["term".to_owned()]],
        "undeclared terms: {rows:?}"
    );
}
