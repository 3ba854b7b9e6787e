//! The `api:ResponseSummary` node of a collection reply.

use oxigraph::model as ox;

use crate::ns::{api, rdf};
use crate::records::node::{Node, Out};
use crate::records::typed_nodes;
use crate::{Error, Graph};

/// What a collection reply says about itself (`api:ResponseSummary`).
///
/// Written as a blank node; `result_order` is an `rdf:Seq` of sort keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseSummary {
    /// `api:totalResultCount`: how many records match, over all pages.
    pub total_result_count: u64,
    /// `api:resultsReturned`: how many this page carries.
    pub results_returned: u64,
    /// `api:resultOrder`: the sort keys, most significant first (an `rdf:Seq`).
    pub result_order: Vec<String>,
    /// `api:nextPageURL`: the next page, when there is one.
    pub next_page_url: Option<String>,
}

const NAME: &str = "ResponseSummary";

impl ResponseSummary {
    /// The summary of a collection reply: `None` when the graph has none, an error when it has
    /// several or a malformed one.
    pub fn from_graph(graph: &Graph) -> Result<Option<Self>, Error> {
        let mut nodes = typed_nodes(graph, api::RESPONSE_SUMMARY)?;
        if nodes.len() > 1 {
            return Err(Error::Ambiguous {
                kind: NAME,
                count: nodes.len(),
            });
        }
        let Some(node) = nodes.pop() else {
            return Ok(None);
        };
        let node = Node::new(graph, node, NAME);
        let result_order = match node.opt_child(api::RESULT_ORDER, "result_order")? {
            None => Vec::new(),
            Some(seq) => {
                let mut items = Vec::new();
                for i in 1.. {
                    match seq.opt_str(&format!("{}_{i}", rdf::NS), "result_order")? {
                        Some(item) => items.push(item),
                        None => break,
                    }
                }
                items
            }
        };
        Ok(Some(Self {
            total_result_count: node.u64(api::TOTAL_RESULT_COUNT, "total_result_count")?,
            results_returned: node.u64(api::RESULTS_RETURNED, "results_returned")?,
            result_order,
            next_page_url: node.opt_str(api::NEXT_PAGE_URL, "next_page_url")?,
        }))
    }

    pub(crate) fn write(&self, out: &mut Out) -> Result<ox::NamedOrBlankNode, Error> {
        let s = out.blank();
        out.typed(&s, api::RESPONSE_SUMMARY);
        out.integer(&s, api::TOTAL_RESULT_COUNT, self.total_result_count);
        out.integer(&s, api::RESULTS_RETURNED, self.results_returned);
        if !self.result_order.is_empty() {
            let seq = out.blank();
            out.typed(&seq, rdf::SEQ);
            for (i, key) in self.result_order.iter().enumerate() {
                out.lit(&seq, &format!("{}_{}", rdf::NS, i + 1), key);
            }
            out.node(&s, api::RESULT_ORDER, &seq);
        }
        if let Some(url) = &self.next_page_url {
            out.link(&s, api::NEXT_PAGE_URL, url)?;
        }
        Ok(s)
    }
}
