//! The README's example is `examples/smart_ureq.rs`, the one CI runs: the
//! code block must be the example file after its header comment.

#[test]
fn the_readme_example_is_the_example_ci_runs() {
    let readme = include_str!("../README.md");
    let example = include_str!("../examples/smart_ureq.rs");
    let start = readme
        .find("```rust,no_run\n")
        .map(|i| i + "```rust,no_run\n".len())
        .unwrap_or_else(|| panic!("the README has no rust block"));
    let end = start
        + readme[start..]
            .find("\n```")
            .unwrap_or_else(|| panic!("the README's rust block is not closed"));
    let block = &readme[start..end];
    let body = example
        .find("use std::error::Error;")
        .map(|i| &example[i..])
        .unwrap_or_else(|| panic!("the example lost its first line"));
    assert_eq!(
        block.trim_end(),
        body.trim_end(),
        "README.md and examples/smart_ureq.rs differ: copy the example into the README"
    );
}
