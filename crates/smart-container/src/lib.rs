//! `smart-container`: see the crate README and `ARCHITECTURE.md`.
