#+ summary: Derive themes by keyword: a program, initiative or figure entry whose Japanese name or text contains a theme's medrd:keyword gets medrd:derivedTheme; a program also gets the themes of its initiatives and figure entries.
PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>

# Each derived theme goes to the graph of the source that states the program (every document
# folder of data/ is a graph of its own); the themes and keywords are shared.
INSERT { GRAPH ?g { ?x medrd:derivedTheme ?theme } }
WHERE {
  GRAPH ?tg { ?theme medrd:keyword ?keyword }
  GRAPH ?g { {
    ?x a medrd:Program ; rdfs:label ?text .
  } UNION {
    ?x a medrd:Program ; skos:altLabel ?text .
  } UNION {
    ?x a medrd:Initiative ; dcterms:description ?text .
  } UNION {
    ?initiative medrd:initiativeOf ?x ; dcterms:description ?text .
  } UNION {
    ?x a medrd:FigureEntry ; medrd:figureText ?text .
  } UNION {
    ?entry a medrd:FigureEntry ; medrd:listsProgram ?x ; medrd:figureText ?text .
  } }
  FILTER (LANG(?text) = "ja" && CONTAINS(?text, STR(?keyword)))
}
