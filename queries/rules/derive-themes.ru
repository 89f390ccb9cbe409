#+ summary: Derive themes by keyword: a program, initiative or figure entry whose Japanese name or text contains a theme's medrd:keyword gets medrd:derivedTheme; a program also gets the themes of its initiatives and figure entries.
PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>

# A derived theme goes to the graph of the text it is derived from (every document folder of
# data/ is a graph of its own), unless a premise of it comes from a --with file: then to that
# file's graph (the text's, else the class's, else the keyword's), never to one of ours, so
# that our graphs hold only what our sources give. The classes are read in any graph: a
# file's new label of one of our programs is read although the file's own statement of the
# program's class is left out at load (ours states it).
INSERT { GRAPH ?to { ?x medrd:derivedTheme ?theme } }
WHERE {
  GRAPH ?tg { ?theme medrd:keyword ?keyword }
  {
    GRAPH ?c { ?x a medrd:Program }
    GRAPH ?g { { ?x rdfs:label ?text } UNION { ?x skos:altLabel ?text } }
  } UNION {
    GRAPH ?c { ?x a medrd:Initiative }
    GRAPH ?g { ?x dcterms:description ?text }
  } UNION {
    GRAPH ?g { ?initiative medrd:initiativeOf ?x ; dcterms:description ?text }
  } UNION {
    GRAPH ?c { ?x a medrd:FigureEntry }
    GRAPH ?g { ?x medrd:figureText ?text }
  } UNION {
    GRAPH ?c { ?entry a medrd:FigureEntry }
    GRAPH ?g { ?entry medrd:listsProgram ?x ; medrd:figureText ?text }
  }
  FILTER (LANG(?text) = "ja" && CONTAINS(?text, STR(?keyword)))
  BIND ("https://w3id.org/medrd-kg/graph/with/" AS ?with)
  BIND (IF(STRSTARTS(STR(?g), ?with), ?g,
        IF(BOUND(?c) && STRSTARTS(STR(?c), ?with), ?c,
        IF(STRSTARTS(STR(?tg), ?with), ?tg, ?g))) AS ?to)
}
