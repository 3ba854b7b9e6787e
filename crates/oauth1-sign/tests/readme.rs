//! The README's example is `examples/readme.rs`: the code block must be the
//! example file after its header comment, so that the example CI builds and
//! runs is the one readers copy.

#[test]
fn the_readme_example_is_examples_readme_rs() {
    let readme = include_str!("../README.md");
    let example = include_str!("../examples/readme.rs");
    let start = readme
        .find("```rust\n")
        .map(|i| i + "```rust\n".len())
        .unwrap_or_else(|| panic!("the README has no rust block"));
    let end = start
        + readme[start..]
            .find("\n```")
            .unwrap_or_else(|| panic!("the README's rust block is not closed"));
    let body = example
        .find("use oauth1_sign::")
        .map(|i| &example[i..])
        .unwrap_or_else(|| panic!("the example lost its first line"));
    assert_eq!(
        readme[start..end].trim_end(),
        body.trim_end(),
        "README.md and examples/readme.rs differ: copy the example into the README"
    );
}
