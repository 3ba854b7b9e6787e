//! The `smart-container` command.

fn main() {}
