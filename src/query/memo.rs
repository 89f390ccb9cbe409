//! Query results kept for the length of one piece of work (a build). A build writes every
//! named query's results as CSV and draws its charts and money diagrams from some of the same
//! queries (`program-timeline`, `project-timeline`, `ministry-timeline`, `rs-links`): each of
//! those ran twice, on two threads at once. Through a [`Memo`] a query runs once, and a
//! thread that asks for it while it runs waits for its answer instead of running it again.

use crate::error::{Error, Result};
use crate::query::output::Table;
use crate::store::Kb;
use oxigraph::model::Variable;
use oxigraph::sparql::{QueryResults, QuerySolutionIter};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// One query's answer once it has run; its lock is held while the query runs.
type Slot = Arc<Mutex<Option<Arc<Table>>>>;

/// The answers of SELECT queries, by query text, as long as the memo lives.
pub struct Memo<'a> {
    kb: &'a Kb,
    /// One slot per query text.
    slots: Mutex<HashMap<String, Slot>>,
}

impl<'a> Memo<'a> {
    pub fn new(kb: &'a Kb) -> Self {
        Memo {
            kb,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The rows of a SELECT (or ASK) query, run once whoever asks. A failed query is not
    /// kept: its error goes to the caller, and a later caller runs it again.
    pub fn table(&self, name: &str, sparql: &str) -> Result<Arc<Table>> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(slots.entry(sparql.to_owned()).or_default())
        };
        let mut kept = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(table) = kept.as_ref() {
            return Ok(Arc::clone(table));
        }
        // Named as the query, not as Table::collect names its errors ("results").
        let table = Table::collect(self.kb.query(name, sparql)?).map_err(|e| match e {
            Error::Query { message, .. } => Error::Query {
                name: name.to_owned(),
                message,
            },
            e => e,
        })?;
        let table = Arc::new(table);
        *kept = Some(Arc::clone(&table));
        Ok(table)
    }

    /// The results of any query: a SELECT's from [`Memo::table`] (the same solutions in the
    /// same order as the query gives them), any other query run as it is.
    pub fn results(&self, name: &str, sparql: &str) -> Result<QueryResults<'static>> {
        if !super::is_select(sparql) {
            return self.kb.query(name, sparql);
        }
        let table = self.table(name, sparql)?;
        let variables: Arc<[Variable]> = table
            .vars
            .iter()
            .map(|v| Variable::new_unchecked(v.clone()))
            .collect();
        let rows = (0..table.rows.len()).map(move |i| Ok(table.rows[i].clone()));
        Ok(QueryResults::Solutions(QuerySolutionIter::from_tuples(
            variables, rows,
        )))
    }
}
