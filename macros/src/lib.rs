//! `#[derive(ModelInput)]` for tensorseam: a thin shell over `tensorseam_compiler::derive`, where
//! the checks and the code generation live (and are unit-tested). Use it through the `tensorseam`
//! crate, which re-exports it.
#![deny(missing_docs)]

use proc_macro::TokenStream;

/// Checks the struct against its schema at compile time and implements `tensorseam::ModelInput`.
///
/// ```ignore
/// #[derive(tensorseam::ModelInput)]
/// #[tensorseam(schema = "schemas/penguins.yaml")] // relative to Cargo.toml
/// struct Penguin {
///     bill_length_mm: Option<f32>,
///     island: String,
///     #[tensorseam(rename = "body_mass_g")]
///     mass: f64,
/// }
/// ```
#[proc_macro_derive(ModelInput, attributes(tensorseam))]
pub fn derive_model_input(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    tensorseam_compiler::derive::expand(&input).into()
}
