#+ summary: RS budget records become Data Cube observations of a budget stage (medrd:BudgetAmount, the same kind as the document's figures): 当初予算 → InitialBudget, 補正予算 → SupplementaryBudget, 執行額 → Execution of the budget year; 翌年度要求額 → Request and 要望額 → Demand of the next fiscal year. Amount in yen (schema:value) and 億円 (medrd:okuYen, exact), the RS program (one IRI per 予算事業ID across editions) as medrd:amountFor, the record as prov:wasDerivedFrom, the edition as dcterms:source; each in the graph of its record.
# Applies to every graph holding rs:BudgetRecord: the editions of data/rs-*/ and RS graphs
# written by `medrd link rs --rs-graph` and loaded with --with. IRIs: <record>-<stage>, e.g.
# id/rs/6843-fy2023-initial, id/rs/6843-fy2023-request (the FY2024 request of the FY2023
# record), so one figure has one IRI whichever edition it is read from.
PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>
PREFIX rs: <https://w3id.org/medrd-kg/rs#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX qb: <http://purl.org/linked-data/cube#>

INSERT { GRAPH ?g {
  ?obs a medrd:BudgetAmount ;
    qb:dataSet <https://w3id.org/medrd-kg/id/dataset/rs-amounts> ;
    medrd:amountFor ?line ;
    medrd:amountKind ?kind ;
    medrd:fiscalYear ?fy ;
    schema:value ?yen ;
    schema:currency "JPY" ;
    medrd:okuYen ?oku ;
    prov:wasDerivedFrom ?record ;
    dcterms:source ?edition .
} }
WHERE {
  GRAPH ?g {
    ?record a rs:BudgetRecord ; rs:recordOf ?line ; rs:budgetYear ?by .
    OPTIONAL { ?record dcterms:source ?edition }
    {
      ?record rs:initialBudget ?yen . BIND (medrd:InitialBudget AS ?kind) BIND ("initial" AS ?stage) BIND (0 AS ?next)
    } UNION {
      ?record rs:supplementaryBudget ?yen . BIND (medrd:SupplementaryBudget AS ?kind) BIND ("supplementary" AS ?stage) BIND (0 AS ?next)
    } UNION {
      ?record rs:executedAmount ?yen . BIND (medrd:Execution AS ?kind) BIND ("execution" AS ?stage) BIND (0 AS ?next)
    } UNION {
      ?record rs:nextYearRequest ?yen . BIND (medrd:Request AS ?kind) BIND ("request" AS ?stage) BIND (1 AS ?next)
    } UNION {
      ?record rs:demandAmount ?yen . BIND (medrd:Demand AS ?kind) BIND ("demand" AS ?stage) BIND (1 AS ?next)
    }
  }
  BIND (STRDT(STR(xsd:integer(STR(?by)) + ?next), xsd:gYear) AS ?fy)
  BIND (IRI(CONCAT(STR(?record), "-", ?stage)) AS ?obs)
  BIND (?yen / 100000000 AS ?oku)
}
