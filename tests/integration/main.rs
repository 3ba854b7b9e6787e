//! The workspace integration tests, one binary.
