//! `smart-rest-minimal`: see the crate README and `ARCHITECTURE.md`.
