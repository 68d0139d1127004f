//! Checks the catalog that ships in the repository, as the ChatGPT plugin reads it.

use std::path::Path;

use ouro_catalog_update::catalog::Catalog;

#[test]
fn bundled_catalog_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/chatgpt/catalog.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let catalog = Catalog::parse(&text)
        .unwrap_or_else(|error| panic!("{} is invalid: {error}", path.display()));

    assert!(!catalog.source.package.is_empty());
    assert!(!catalog.source.version.is_empty());
    assert!(
        catalog.source.integrity.starts_with("sha512-"),
        "{}",
        catalog.source.integrity
    );
    assert!(!catalog.models.is_empty());
    for model in &catalog.models {
        assert!(!model.id.is_empty(), "{model:?}");
        assert!(!model.name.is_empty(), "{}", model.id);
        assert!(model.context_window > 0, "{}", model.id);
        assert!(model.max_output_tokens > 0, "{}", model.id);
        assert!(!model.input.is_empty(), "{}", model.id);
    }

    let ids: Vec<&str> = catalog
        .models
        .iter()
        .map(|model| model.id.as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "models are sorted by id without duplicates");
    assert_eq!(
        text,
        catalog.render(),
        "the file is in the generated format"
    );
}
