//! `oauth1-dance`: see the crate README and `ARCHITECTURE.md`.
