//! Fuzzes RDF read as `--with` reads a file: the byte guards of `store::rdf_bounds` (JSON-LD
//! nesting, RDF/XML entity expansion) in front of oxigraph's parser, in each syntax (the
//! first byte of the input picks it), on a thread with the program's query stack. A crash,
//! a stack overflow or memory past libFuzzer's `-rss_limit_mb` is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser};

const FORMATS: [RdfFormat; 7] = [
    RdfFormat::Turtle,
    RdfFormat::TriG,
    RdfFormat::NTriples,
    RdfFormat::NQuads,
    RdfFormat::RdfXml,
    RdfFormat::N3,
    RdfFormat::JsonLd {
        profile: JsonLdProfileSet::empty(),
    },
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let format = FORMATS[usize::from(pick) % FORMATS.len()];
    medrd_kg::query::bounds::on_stack(|| {
        let (guarded, _) = medrd_kg::store::rdf_bounds::guard(format, bytes);
        RdfParser::from_format(format)
            .rename_blank_nodes()
            .for_reader(guarded)
            .take(100_000)
            .for_each(drop);
    });
});
