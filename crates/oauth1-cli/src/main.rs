//! The `oauth1` command.

fn main() {}
