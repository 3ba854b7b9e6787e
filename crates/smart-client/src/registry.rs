//! The containers an app holds credentials for (SECURITY.md item 24): an
//! api_base that is not here is refused before anything is sent.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::client::{SmartClient, normalize_api_base};
use crate::error::{Error, Result};

/// Clients by api_base.
///
/// ```
/// use smart_client::{Credentials, Registry, SmartClient};
/// let mut registry = Registry::new();
/// registry.insert(SmartClient::new("http://localhost:7000/", Credentials::new("app@x", "secret"))?);
/// assert!(registry.get("http://localhost:7000").is_ok());
/// assert!(registry.get("http://evil.example").is_err());
/// # Ok::<(), smart_client::Error>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct Registry {
    clients: BTreeMap<String, Arc<SmartClient>>,
}

impl Registry {
    /// No containers.
    pub fn new() -> Self {
        Registry::default()
    }

    /// Adds (or replaces) the client of a container.
    pub fn insert(&mut self, client: SmartClient) {
        self.clients
            .insert(client.api_base().to_owned(), Arc::new(client));
    }

    /// The client of an api_base (compared after trimming trailing slashes),
    /// or [`Error::UnknownApiBase`].
    pub fn get(&self, api_base: &str) -> Result<Arc<SmartClient>> {
        self.clients
            .get(&normalize_api_base(api_base))
            .cloned()
            .ok_or_else(|| Error::UnknownApiBase(api_base.to_owned()))
    }

    /// The first container configured (in api_base order), if any.
    pub fn first(&self) -> Option<Arc<SmartClient>> {
        self.clients.values().next().cloned()
    }

    /// Every client.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<SmartClient>> {
        self.clients.values()
    }

    /// The number of containers.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}
