//! Fuzzes a SPARQL query text the way the server and `medrd query` take one: the shape
//! bounds of `query::bounds`, oxigraph's parser and the patched evaluator, on a thread with
//! the stack the program gives queries, over a small store, cancelled after 200 ms as the
//! time limit cancels a request. A crash, a stack overflow, a hang past the cancellation
//! or memory past libFuzzer's `-rss_limit_mb` is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxigraph::io::RdfFormat;
use oxigraph::sparql::{CancellationToken, QueryResults};
use oxigraph::store::Store;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// A few triples of the shapes our data has: IRIs, language strings, decimals, a list.
const DATA: &str = r#"
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:p1 a ex:Program ; ex:name "認知症研究開発事業"@ja, "dementia"@en ; ex:amount 12.5 ;
  ex:year "2024"^^xsd:gYear ; ex:next ex:p2 ; ex:list (1 2 3) .
ex:p2 a ex:Program ; ex:amount "3"^^xsd:integer ; ex:next ex:p1 ; ex:sameAs ex:p1 .
"#;

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let store = Store::new().expect("an in-memory store");
        store
            .load_from_slice(RdfFormat::Turtle, DATA.as_bytes())
            .expect("the seed data parses");
        store
    })
}

/// The token of the query being run and when it started, cancelled 200 ms later by one
/// watchdog thread (a thread per input that sleeps would cap the run at 5 inputs a second).
static RUNNING: Mutex<Option<(CancellationToken, Instant)>> = Mutex::new(None);

fn watchdog() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        std::thread::spawn(|| loop {
            std::thread::sleep(Duration::from_millis(10));
            let running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((token, start)) = running.as_ref() {
                if start.elapsed() > Duration::from_millis(200) {
                    token.cancel();
                }
            }
        });
    });
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    watchdog();
    let store = store();
    let token = CancellationToken::new();
    *RUNNING.lock().unwrap_or_else(PoisonError::into_inner) = Some((token.clone(), Instant::now()));
    medrd_kg::query::bounds::on_stack(|| {
        let Ok(results) = medrd_kg::query::evaluate(store, "fuzz", text, Some(token)) else {
            return;
        };
        match results {
            QueryResults::Solutions(solutions) => solutions.take(10_000).for_each(drop),
            QueryResults::Graph(triples) => triples.take(10_000).for_each(drop),
            QueryResults::Boolean(_) => {}
        }
    });
    *RUNNING.lock().unwrap_or_else(PoisonError::into_inner) = None;
});
