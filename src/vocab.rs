//! The IRIs of medrd-kg: one constant per ontology term, the namespaces we reuse, and the
//! builders of our own stable resource IRIs. Every `medrd:` constant is checked against
//! `ontology/` by the test suite, so a term cannot be used without being declared.

use oxigraph::model::NamedNodeRef;

/// Root of every IRI minted by medrd-kg.
pub const BASE: &str = "https://w3id.org/medrd-kg/";
/// Namespace of the ontology terms (`medrd:`).
pub const MEDRD: &str = "https://w3id.org/medrd-kg/ontology#";
/// Namespace of the resources described by the data (`id:`).
pub const ID: &str = "https://w3id.org/medrd-kg/id/";
/// The named graph that holds the ontology files.
pub const ONTOLOGY_GRAPH: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("https://w3id.org/medrd-kg/graph/ontology");
// The graph of a source is a function of its folder name: `crate::ingest::sources::source_graph`.

/// Prefixes used when writing tables and diagrams (`id:rs/987`) and, all but `id:`, RDF
/// ([`rdf_prefixes`]).
pub const PREFIXES: &[(&str, &str)] = &[
    ("medrd", MEDRD),
    ("rs", "https://w3id.org/medrd-kg/rs#"),
    ("id", ID),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("qb", "http://purl.org/linked-data/cube#"),
    ("schema", "https://schema.org/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("ic", "http://imi.go.jp/ns/core/rdf#"),
];

/// The prefixes declared in the RDF we write (Turtle, TriG, RDF/XML, JSON-LD): [`PREFIXES`]
/// without `id:`. Our resources' IRIs have `/` after the namespace (`id/rs/987/fy2023`),
/// which a Turtle local name may hold only escaped (`id:rs\/987\/fy2023`): written in full
/// they read, and dereference, as they are.
pub fn rdf_prefixes() -> impl Iterator<Item = (&'static str, &'static str)> {
    PREFIXES.iter().copied().filter(|(p, _)| *p != "id")
}

/// An RDF serialiser declaring [`rdf_prefixes`] and the `extra` ones of a writer (namespaces
/// given in the code: valid IRIs).
pub fn rdf_serializer(
    format: oxigraph::io::RdfFormat,
    extra: &[(&str, &str)],
) -> oxigraph::io::RdfSerializer {
    let mut s = oxigraph::io::RdfSerializer::from_format(format);
    for (p, ns) in rdf_prefixes() {
        s = s
            .with_prefix(p, ns)
            .expect("the prefixes of the code are valid IRIs");
    }
    for (p, ns) in extra {
        s = s
            .with_prefix(*p, *ns)
            .expect("the prefixes of the code are valid IRIs");
    }
    s
}

macro_rules! terms {
    ($ns:literal; $($(#[$doc:meta])* $name:ident = $local:literal),* $(,)?) => {
        $( $(#[$doc])* pub const $name: NamedNodeRef<'static> =
            NamedNodeRef::new_unchecked(concat!($ns, $local)); )*
        /// Every term of this namespace, for the declaration test.
        pub const ALL: &[NamedNodeRef<'static>] = &[$($name),*];
    };
}

/// Terms of the medrd-kg ontology (`ontology/medrd.ttl`, `ontology/schemes.ttl`).
pub mod medrd {
    use super::NamedNodeRef;
    terms!("https://w3id.org/medrd-kg/ontology#";
        MINISTRY = "Ministry", FUNDING_AGENCY = "FundingAgency", IN_HOUSE_INSTITUTE = "InHouseInstitute",
        SHORT_LABEL = "shortLabel",
        INTEGRATED_PROJECT = "IntegratedProject", PROJECT_NUMBER = "projectNumber",
        FOCUS_AREA = "FocusArea", FOCUS_AREA_OF = "focusAreaOf",
        PROGRAM = "Program", PROGRAM_GROUP = "ProgramGroup", GROUP_MEMBER = "groupMember",
        MINISTRY_PROP = "ministry", PART_OF_PROJECT = "partOfProject", IS_NEW_PROGRAM = "isNewProgram",
        PROGRAM_LISTING = "ProgramListing", POINTS_ENTRY = "PointsEntry", FIGURE_ENTRY = "FigureEntry",
        LISTS_PROGRAM = "listsProgram", IN_PROJECT = "inProject", IN_FOCUS_AREA = "inFocusArea",
        IS_REPOST = "isRepost", ORDER = "order", FIGURE_TEXT = "figureText",
        FIGURE_AMOUNT = "figureAmount",
        INITIATIVE = "Initiative", INITIATIVE_OF = "initiativeOf", LISTED_UNDER = "listedUnder",
        STATUS = "status",
        PROGRAM_LINKAGE = "ProgramLinkage", LINKS_PROGRAM = "linksProgram", FEEDS_INTO = "feedsInto",
        EXPENSE_ITEM = "ExpenseItem", BUDGET = "Budget",
        BUDGET_AMOUNT = "BudgetAmount", AMOUNT_FOR = "amountFor", FISCAL_YEAR = "fiscalYear",
        AMOUNT_KIND = "amountKind", FUNDING_CATEGORY = "fundingCategory", OKU_YEN = "okuYen",
        FUNDED_THROUGH = "fundedThrough",
        PRINTED_LABEL = "printedLabel", PORTION_OF = "portionOf", INCLUDED_IN = "includedIn",
        REPOST_OF = "repostOf",
        DERIVED_THEME = "derivedTheme", KEYWORD = "keyword",
        SOURCE_DOCUMENT = "SourceDocument", DOCUMENT_SECTION = "DocumentSection",
        SOURCE_LOCATION = "SourceLocation", LINE_NUMBER = "lineNumber", START_PAGE = "startPage",
        INFERENCE = "Inference", REASONING = "reasoning",
        AMOUNT_KIND_SCHEME = "AmountKindScheme", REQUEST = "Request", DEMAND = "Demand",
        REQUEST_TOTAL = "RequestTotal", INITIAL_BUDGET = "InitialBudget",
        SUPPLEMENTARY_BUDGET = "SupplementaryBudget", EXECUTION = "Execution",
        STAGE_ORDER = "stageOrder", RS_EDITION = "RsEdition",
        FUNDING_CATEGORY_SCHEME = "FundingCategoryScheme", AMED_FUNDED = "AmedFunded",
        IN_HOUSE_FUNDED = "InHouseFunded", ALL_FUNDING = "AllFunding",
        DOCUMENT_AMOUNT_STRUCTURE = "DocumentAmountStructure",
        PROJECT_FIGURE_STRUCTURE = "ProjectFigureStructure",
        REVIEW_AMOUNT_STRUCTURE = "ReviewAmountStructure",
        REVIEW_SHEET_EDITION = "ReviewSheetEdition",
        STATUS_SCHEME = "StatusScheme", NEW = "New", EXPANDED = "Expanded", UNMARKED = "Unmarked",
    );
}

/// Terms reused from W3C and other established vocabularies.
pub mod ext {
    use super::NamedNodeRef;
    macro_rules! ext { ($($name:ident = $iri:literal),* $(,)?) => {
        $( pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked($iri); )*
    }; }
    ext!(
        RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        RDF_STATEMENT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement",
        RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject",
        RDF_PREDICATE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate",
        RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object",
        RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label",
        RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment",
        SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept",
        SKOS_CONCEPT_SCHEME = "http://www.w3.org/2004/02/skos/core#ConceptScheme",
        SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme",
        SKOS_TOP_CONCEPT_OF = "http://www.w3.org/2004/02/skos/core#topConceptOf",
        SKOS_HAS_TOP_CONCEPT = "http://www.w3.org/2004/02/skos/core#hasTopConcept",
        SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel",
        SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel",
        SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation",
        SKOS_EDITORIAL_NOTE = "http://www.w3.org/2004/02/skos/core#editorialNote",
        SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#note",
        ORG_ORGANIZATION = "http://www.w3.org/ns/org#Organization",
        ORG_HAS_UNIT = "http://www.w3.org/ns/org#hasUnit",
        PROV_WAS_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom",
        DCTERMS_TITLE = "http://purl.org/dc/terms/title",
        DCTERMS_DESCRIPTION = "http://purl.org/dc/terms/description",
        DCTERMS_IDENTIFIER = "http://purl.org/dc/terms/identifier",
        DCTERMS_IS_PART_OF = "http://purl.org/dc/terms/isPartOf",
        DCTERMS_PUBLISHER = "http://purl.org/dc/terms/publisher",
        DCTERMS_LICENSE = "http://purl.org/dc/terms/license",
        DCTERMS_RIGHTS = "http://purl.org/dc/terms/rights",
        DCTERMS_SUBJECT = "http://purl.org/dc/terms/subject",
        DCTERMS_SOURCE = "http://purl.org/dc/terms/source",
        QB_DATASET_PROP = "http://purl.org/linked-data/cube#dataSet",
        QB_DATASET = "http://purl.org/linked-data/cube#DataSet",
        QB_STRUCTURE = "http://purl.org/linked-data/cube#structure",
        SCHEMA_VALUE = "https://schema.org/value",
        SCHEMA_CURRENCY = "https://schema.org/currency",
        XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal",
        XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer",
        XSD_G_YEAR = "http://www.w3.org/2001/XMLSchema#gYear",
    );
}

/// The IRI of a resource described by the data: `id/<kind>/<slug>`.
pub fn id(kind: &str, slug: &str) -> String {
    format!("{ID}{kind}/{slug}")
}
