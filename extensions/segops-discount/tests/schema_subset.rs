//! The hand-written `schema.graphql` subset and the input query agree with Shopify's
//! Discount Function API schema.

mod support;

use std::collections::HashMap;

use graphql_parser::query::{
    self, Definition as QueryDefinition, OperationDefinition, Selection, TypeCondition,
};
use graphql_parser::schema::{self, Definition, Document, TypeDefinition};

type Types = HashMap<String, TypeDefinition<'static, String>>;

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()))
}

fn types(text: &str) -> (Types, Document<'static, String>) {
    let document = schema::parse_schema::<String>(text)
        .unwrap_or_else(|error| panic!("parse schema: {error}"))
        .into_static();
    let mut types = HashMap::new();
    for definition in &document.definitions {
        if let Definition::TypeDefinition(definition) = definition {
            types.insert(type_name(definition).to_owned(), definition.clone());
        }
    }
    (types, document)
}

fn type_name<'a>(definition: &'a TypeDefinition<'static, String>) -> &'a str {
    match definition {
        TypeDefinition::Scalar(t) => &t.name,
        TypeDefinition::Object(t) => &t.name,
        TypeDefinition::Interface(t) => &t.name,
        TypeDefinition::Union(t) => &t.name,
        TypeDefinition::Enum(t) => &t.name,
        TypeDefinition::InputObject(t) => &t.name,
    }
}

fn subset() -> String {
    read(&support::crate_dir().join("schema.graphql"))
}

fn input_query() -> String {
    read(&support::crate_dir().join("src/cart_lines_discounts_generate_run.graphql"))
}

fn input_values(
    values: &[schema::InputValue<'static, String>],
) -> HashMap<String, (String, Option<String>)> {
    values
        .iter()
        .map(|value| {
            (
                value.name.clone(),
                (
                    value.value_type.to_string(),
                    value.default_value.as_ref().map(ToString::to_string),
                ),
            )
        })
        .collect()
}

#[test]
fn every_type_and_field_of_the_subset_is_in_shopifys_schema_with_the_same_type() {
    let Some(path) = support::fixture(
        "shopify/functions/discount/schema.graphql",
        "the schema subset check",
    ) else {
        return;
    };
    let (real, real_document) = types(&read(&path));
    let (ours, our_document) = types(&subset());
    for (name, ours) in &ours {
        let real = real
            .get(name)
            .unwrap_or_else(|| panic!("type {name} is not in Shopify's schema"));
        match (ours, real) {
            (TypeDefinition::Scalar(_), TypeDefinition::Scalar(_)) => {}
            (TypeDefinition::Object(ours), TypeDefinition::Object(real)) => {
                for field in &ours.fields {
                    let theirs = real
                        .fields
                        .iter()
                        .find(|candidate| candidate.name == field.name)
                        .unwrap_or_else(|| {
                            panic!("{name}.{} is not in Shopify's schema", field.name)
                        });
                    assert_eq!(
                        field.field_type.to_string(),
                        theirs.field_type.to_string(),
                        "{name}.{}",
                        field.name
                    );
                    let their_arguments = input_values(&theirs.arguments);
                    for (argument, shape) in input_values(&field.arguments) {
                        assert_eq!(
                            Some(&shape),
                            their_arguments.get(&argument),
                            "{name}.{}({argument})",
                            field.name
                        );
                    }
                }
            }
            (TypeDefinition::InputObject(ours), TypeDefinition::InputObject(real)) => {
                let theirs = input_values(&real.fields);
                for (field, shape) in input_values(&ours.fields) {
                    assert_eq!(Some(&shape), theirs.get(&field), "input {name}.{field}");
                }
                let their_directives: Vec<&str> =
                    real.directives.iter().map(|d| d.name.as_str()).collect();
                for directive in &ours.directives {
                    assert!(
                        their_directives.contains(&directive.name.as_str()),
                        "@{} on {name}",
                        directive.name
                    );
                }
            }
            (TypeDefinition::Enum(ours), TypeDefinition::Enum(real)) => {
                for value in &ours.values {
                    assert!(
                        real.values.iter().any(|theirs| theirs.name == value.name),
                        "{name}.{}",
                        value.name
                    );
                }
            }
            (TypeDefinition::Union(ours), TypeDefinition::Union(real)) => {
                let mut our_members = ours.types.clone();
                let mut their_members = real.types.clone();
                our_members.sort();
                their_members.sort();
                assert_eq!(our_members, their_members, "union {name}");
            }
            _ => panic!("{name} is a different kind of type in Shopify's schema"),
        }
    }
    let roots = |document: &Document<'static, String>| {
        document
            .definitions
            .iter()
            .find_map(|definition| match definition {
                Definition::SchemaDefinition(schema) => {
                    Some((schema.query.clone(), schema.mutation.clone()))
                }
                _ => None,
            })
    };
    assert_eq!(roots(&our_document), roots(&real_document), "schema roots");
}

/// Checks every field the input query selects against `types`, with its arguments.
fn check_selection(
    types: &Types,
    parent: &str,
    selection: &query::SelectionSet<'static, String>,
    path: &str,
) {
    for item in &selection.items {
        match item {
            Selection::Field(field) => {
                let Some(TypeDefinition::Object(object)) = types.get(parent) else {
                    panic!("{path}: {parent} is not an object type");
                };
                let definition = object
                    .fields
                    .iter()
                    .find(|candidate| candidate.name == field.name)
                    .unwrap_or_else(|| panic!("{path}.{}: no such field on {parent}", field.name));
                for (argument, _) in &field.arguments {
                    assert!(
                        definition
                            .arguments
                            .iter()
                            .any(|known| &known.name == argument),
                        "{path}.{}({argument}): no such argument",
                        field.name
                    );
                }
                let mut field_type = &definition.field_type;
                let named = loop {
                    match field_type {
                        schema::Type::NamedType(name) => break name.clone(),
                        schema::Type::ListType(inner) | schema::Type::NonNullType(inner) => {
                            field_type = inner
                        }
                    }
                };
                check_selection(
                    types,
                    &named,
                    &field.selection_set,
                    &format!("{path}.{}", field.name),
                );
            }
            Selection::InlineFragment(fragment) => {
                let Some(TypeCondition::On(on)) = &fragment.type_condition else {
                    panic!("{path}: fragments need a type condition");
                };
                match types.get(parent) {
                    Some(TypeDefinition::Union(union)) => {
                        assert!(union.types.contains(on), "{path}: {on} is not in {parent}")
                    }
                    _ => assert_eq!(on, parent, "{path}: fragment on {on} inside {parent}"),
                }
                check_selection(types, on, &fragment.selection_set, path);
            }
            Selection::FragmentSpread(spread) => {
                panic!("{path}: unexpected spread {}", spread.fragment_name)
            }
        }
    }
}

fn check_query_against(types: &Types) {
    let document = query::parse_query::<String>(&input_query())
        .unwrap_or_else(|error| panic!("parse the input query: {error}"))
        .into_static();
    let [QueryDefinition::Operation(OperationDefinition::Query(input))] =
        document.definitions.as_slice()
    else {
        panic!("the input query file holds exactly one query");
    };
    assert_eq!(
        input.name.as_deref(),
        Some("Input"),
        "Shopify requires the query to be named Input"
    );
    check_selection(types, "Input", &input.selection_set, "Input");
}

#[test]
fn the_input_query_selects_only_fields_of_the_schema_subset() {
    check_query_against(&types(&subset()).0);
}

#[test]
fn the_input_query_is_valid_against_shopifys_schema() {
    let Some(path) = support::fixture(
        "shopify/functions/discount/schema.graphql",
        "the input query check",
    ) else {
        return;
    };
    check_query_against(&types(&read(&path)).0);
}

#[test]
fn the_input_query_reads_the_configuration_metafield_of_the_extension() {
    let query = input_query();
    let manifest: toml::Table = read(&support::crate_dir().join("shopify.extension.toml"))
        .parse()
        .expect("manifest");
    let extension = &manifest["extensions"][0];
    let variables = &extension["input"]["variables"];
    let metafield = format!(
        r#"metafield(namespace: "{}", key: "{}")"#,
        variables["namespace"].as_str().unwrap(),
        variables["key"].as_str().unwrap()
    );
    assert!(query.contains(&metafield), "the query reads {metafield}");
    let targeting = &extension["targeting"][0];
    assert_eq!(
        targeting["target"].as_str(),
        Some("cart.lines.discounts.generate.run")
    );
    assert_eq!(targeting["export"].as_str(), Some(support::EXPORT));
    assert!(
        support::crate_dir()
            .join(targeting["input_query"].as_str().unwrap())
            .is_file()
    );
}
