#![no_std]
//! `oauth1-sign`: see the crate README and `ARCHITECTURE.md`.
