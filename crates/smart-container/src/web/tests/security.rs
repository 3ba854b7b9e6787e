//! One test per SECURITY.md item that concerns the provider or the UI.
