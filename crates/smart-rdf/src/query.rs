//! SPARQL queries, prepared once and run over any number of graphs, and their results.

use std::ops::Index;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use oxigraph::sparql::{PreparedSparqlQuery, QueryResults, SparqlEvaluator};

use crate::{Error, Graph, Term};

/// A parsed SPARQL 1.1 query, reusable across graphs.
///
/// ```
/// use smart_rdf::{Graph, Query};
///
/// let query = Query::new("SELECT ?s WHERE { ?s a <http://smartplatforms.org/terms#Medication> }")?;
/// let graph = Graph::parse(
///     b"<http://x/records/1/medications/7> a <http://smartplatforms.org/terms#Medication> .",
///     "text/turtle",
///     None,
/// )?;
/// let rows = query.select(&graph)?;
/// assert_eq!(rows[0].get("s").and_then(|t| t.as_iri()), Some("http://x/records/1/medications/7"));
/// # Ok::<(), smart_rdf::Error>(())
/// ```
#[derive(Clone)]
pub struct Query {
    prepared: PreparedSparqlQuery,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query").finish_non_exhaustive()
    }
}

/// The result of a query.
#[derive(Debug)]
pub enum QueryResult {
    /// The rows of a SELECT query.
    Rows(Rows),
    /// The answer of an ASK query.
    Boolean(bool),
    /// The graph built by a CONSTRUCT or DESCRIBE query.
    Graph(Graph),
}

impl Query {
    /// Parses a SPARQL 1.1 query. `SERVICE` calls fail: the engine is built without an HTTP client.
    pub fn new(sparql: &str) -> Result<Self, Error> {
        let prepared = SparqlEvaluator::new()
            .parse_query(sparql)
            .map_err(|e| Error::QuerySyntax(e.to_string()))?;
        Ok(Self { prepared })
    }

    /// Runs the query over a graph.
    pub fn run(&self, graph: &Graph) -> Result<QueryResult, Error> {
        let results = self
            .prepared
            .clone()
            .on_store(&graph.store)
            .execute()
            .map_err(|e| Error::QueryEvaluation(e.to_string()))?;
        match results {
            QueryResults::Solutions(solutions) => {
                let variables: Arc<[String]> = solutions
                    .variables()
                    .iter()
                    .map(|v| v.as_str().to_owned())
                    .collect();
                let mut rows = Vec::new();
                for solution in solutions {
                    let solution = solution.map_err(|e| Error::QueryEvaluation(e.to_string()))?;
                    rows.push(Row {
                        variables: Arc::clone(&variables),
                        values: solution
                            .values()
                            .iter()
                            .map(|v| v.as_ref().map(Term::from_ox))
                            .collect(),
                    });
                }
                Ok(QueryResult::Rows(Rows { variables, rows }))
            }
            QueryResults::Boolean(b) => Ok(QueryResult::Boolean(b)),
            QueryResults::Graph(triples) => {
                let mut built = Vec::new();
                for t in triples {
                    built.push(t.map_err(|e| Error::QueryEvaluation(e.to_string()))?);
                }
                Ok(QueryResult::Graph(Graph::from_triples(&built)?))
            }
        }
    }

    /// Runs a SELECT query; any other kind of query is an error.
    pub fn select(&self, graph: &Graph) -> Result<Rows, Error> {
        match self.run(graph)? {
            QueryResult::Rows(rows) => Ok(rows),
            other => Err(wrong_kind("SELECT", &other)),
        }
    }

    /// Runs an ASK query; any other kind of query is an error.
    pub fn ask(&self, graph: &Graph) -> Result<bool, Error> {
        match self.run(graph)? {
            QueryResult::Boolean(b) => Ok(b),
            other => Err(wrong_kind("ASK", &other)),
        }
    }

    /// Runs a CONSTRUCT or DESCRIBE query; any other kind of query is an error.
    pub fn construct(&self, graph: &Graph) -> Result<Graph, Error> {
        match self.run(graph)? {
            QueryResult::Graph(g) => Ok(g),
            other => Err(wrong_kind("CONSTRUCT", &other)),
        }
    }
}

/// The rows of a SELECT query, in the order the query produced them.
///
/// Indexing (`rows[0]`) and iteration give [`Row`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    variables: Arc<[String]>,
    rows: Vec<Row>,
}

impl Rows {
    /// The projected variable names, without `?`.
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows, borrowed.
    pub fn iter(&self) -> std::slice::Iter<'_, Row> {
        self.rows.iter()
    }

    /// The first row, if any.
    pub fn first(&self) -> Option<&Row> {
        self.rows.first()
    }
}

impl Index<usize> for Rows {
    type Output = Row;
    fn index(&self, index: usize) -> &Row {
        &self.rows[index]
    }
}

impl IntoIterator for Rows {
    type Item = Row;
    type IntoIter = std::vec::IntoIter<Row>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = &'a Row;
    type IntoIter = std::slice::Iter<'a, Row>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

/// One solution of a SELECT query: a term, or nothing, per projected variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    variables: Arc<[String]>,
    values: Vec<Option<Term>>,
}

impl Row {
    /// The term bound to a variable (name without `?`), or `None` when unbound or unknown.
    pub fn get(&self, variable: &str) -> Option<&Term> {
        let i = self.variables.iter().position(|v| v == variable)?;
        self.values.get(i)?.as_ref()
    }

    /// The term in a column, by position.
    pub fn get_index(&self, index: usize) -> Option<&Term> {
        self.values.get(index)?.as_ref()
    }

    /// `(variable, term)` pairs for the bound variables.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Term)> {
        self.variables
            .iter()
            .zip(&self.values)
            .filter_map(|(v, t)| Some((v.as_str(), t.as_ref()?)))
    }

    /// The bound term, or [`Error::Unbound`].
    pub fn term(&self, variable: &str) -> Result<&Term, Error> {
        self.get(variable)
            .ok_or_else(|| Error::Unbound(variable.to_owned()))
    }

    /// The bound value as a string (see [`Term::to_string_value`]).
    pub fn string(&self, variable: &str) -> Result<String, Error> {
        self.term(variable)?.to_string_value()
    }

    /// The bound value as a string, `None` when unbound.
    pub fn opt_string(&self, variable: &str) -> Result<Option<String>, Error> {
        self.get(variable).map(Term::to_string_value).transpose()
    }

    /// The bound value as an integer.
    pub fn i64(&self, variable: &str) -> Result<i64, Error> {
        self.term(variable)?.to_i64()
    }

    /// The bound value as a float.
    pub fn f64(&self, variable: &str) -> Result<f64, Error> {
        self.term(variable)?.to_f64()
    }

    /// The bound value as a date.
    pub fn date(&self, variable: &str) -> Result<NaiveDate, Error> {
        self.term(variable)?.to_date()
    }

    /// The bound value as a date-time.
    pub fn datetime(&self, variable: &str) -> Result<DateTime<FixedOffset>, Error> {
        self.term(variable)?.to_datetime()
    }
}

fn wrong_kind(expected: &'static str, actual: &QueryResult) -> Error {
    Error::WrongResultKind {
        expected,
        actual: match actual {
            QueryResult::Rows(_) => "SELECT",
            QueryResult::Boolean(_) => "ASK",
            QueryResult::Graph(_) => "CONSTRUCT",
        },
    }
}
