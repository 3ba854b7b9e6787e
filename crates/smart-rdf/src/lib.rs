//! `smart-rdf`: see the crate README and `ARCHITECTURE.md`.
