//! `smart-client`: see the crate README and `ARCHITECTURE.md`.
