//! Walking a collection page by page.

use smart_rdf::ResponseSummary;
use url::Url;

use crate::error::{Error, Result};
use crate::query::{Collection, Query};
use crate::record::RecordClient;
use crate::response::SmartResponse;

/// The most pages one walk fetches: a guard against a container whose
/// paging never ends.
pub const MAX_PAGES: usize = 10_000;

/// The pages of a collection, fetched one by one.
///
/// After each page it follows the summary's `nextPageURL` (which must lie
/// under the api_base) or, without one, moves `offset` by the results
/// returned while the total says more remain.
#[derive(Debug)]
pub struct Pages<'a> {
    record: RecordClient<'a>,
    collection: Collection,
    next: Option<Next>,
    fetched: usize,
    seen_urls: Vec<String>,
}

#[derive(Debug)]
enum Next {
    Query(Query),
    Url(Url),
}

impl<'a> Pages<'a> {
    pub(crate) fn new(record: RecordClient<'a>, collection: Collection, query: Query) -> Self {
        Pages {
            record,
            collection,
            next: Some(Next::Query(query)),
            fetched: 0,
            seen_urls: Vec::new(),
        }
    }

    /// The next page, `None` after the last one. An error ends the walk.
    pub async fn next_page(&mut self) -> Option<Result<SmartResponse>> {
        let next = self.next.take()?;
        let result = self.fetch(next).await;
        if result.is_err() {
            self.next = None;
        }
        Some(result)
    }

    /// Every remaining page.
    pub async fn collect_all(mut self) -> Result<Vec<SmartResponse>> {
        let mut pages = Vec::new();
        while let Some(page) = self.next_page().await {
            pages.push(page?);
        }
        Ok(pages)
    }

    async fn fetch(&mut self, next: Next) -> Result<SmartResponse> {
        self.fetched += 1;
        if self.fetched > MAX_PAGES {
            return Err(Error::Paging(format!("more than {MAX_PAGES} pages")));
        }
        let (response, query) = match next {
            Next::Query(query) => (
                self.record.collection(self.collection, &query).await?,
                Some(query),
            ),
            Next::Url(url) => (self.record.get(url).await?, None),
        };
        let summary = page_summary(&response)?;
        self.next = match summary {
            Some(summary) => self.following(&summary, query)?,
            None => None,
        };
        Ok(response)
    }

    fn following(
        &mut self,
        summary: &ResponseSummary,
        query: Option<Query>,
    ) -> Result<Option<Next>> {
        if let Some(next) = summary.next_page_url.as_deref().filter(|u| !u.is_empty()) {
            let url = Url::parse(next)
                .or_else(|_| self.record.client().url(next))
                .map_err(|_| Error::Paging(format!("bad nextPageURL {next}")))?;
            if !self.record.client().is_under_api_base(&url) {
                return Err(Error::Paging(format!(
                    "nextPageURL {url} is outside the api_base"
                )));
            }
            if self.seen_urls.iter().any(|seen| seen == url.as_str()) {
                return Err(Error::Paging(format!("nextPageURL {url} repeats")));
            }
            self.seen_urls.push(url.as_str().to_owned());
            return Ok(Some(Next::Url(url)));
        }
        let Some(query) = query else {
            return Ok(None);
        };
        let (total, returned) = (summary.total_result_count, summary.results_returned);
        let offset = u64::from(query.get_offset().unwrap_or(0)) + returned;
        if returned == 0 || offset >= total {
            return Ok(None);
        }
        let offset = u32::try_from(offset).map_err(|_| Error::Paging("offset overflow".into()))?;
        Ok(Some(Next::Query(query.with_page(None, offset))))
    }
}

/// Reads the `api:ResponseSummary` of a collection reply; `None` when it
/// has none.
pub fn page_summary(response: &SmartResponse) -> Result<Option<ResponseSummary>> {
    ResponseSummary::from_graph(response.require_graph()?).map_err(|e| Error::Rdf(e.to_string()))
}
