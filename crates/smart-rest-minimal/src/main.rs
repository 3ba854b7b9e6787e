//! The `smart-rest-minimal` command.

fn main() {}
