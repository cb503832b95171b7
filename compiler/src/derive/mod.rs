//! `#[derive(ModelInput)]`: the struct a model is served with is checked against the schema at
//! compile time. The macro crate is a thin shell over [`expand`], so these rules are ordinary code
//! that unit tests reach.
//!
//! Every mismatch is a compile error spanned on the offending field or attribute, naming the
//! schema file and line; all of them are reported in one build, and the impl is emitted anyway
//! (a stub when the schema itself is unusable) so one mistake does not cascade.

mod fast;

use crate::ir::{Axis, DType, Input, Missing, Role};
use crate::names::{rust_leaf, rust_type};
use crate::{compile_bytes, Checked, SourceFile};
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use std::path::{Path, PathBuf};
use syn::spanned::Spanned;

/// For tests: trybuild compiles UI tests in its own directory, so a test may point the macro at
/// the crate's real manifest directory (the pattern trybuild's maintainer recommends).
const MANIFEST_DIR_OVERRIDE: &str = "TENSORSEAM_MANIFEST_DIR_OVERRIDE";

/// A field's Rust type, as far as the schema cares.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FieldType {
    /// `bool`, `i8` … `f64`, or one of the string types (as `Str`).
    Leaf(DType),
    Option(Box<FieldType>),
    Vec(Box<FieldType>),
    Array(Box<FieldType>, u64),
    /// Anything else, by name.
    Other(String),
}

fn field_type(ty: &syn::Type) -> FieldType {
    match ty {
        syn::Type::Paren(p) => field_type(&p.elem),
        syn::Type::Group(g) => field_type(&g.elem),
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Path(p) if p.path.is_ident("str") => FieldType::Leaf(DType::Str),
            _ => FieldType::Other(ty.to_token_stream().to_string()),
        },
        syn::Type::Array(a) => {
            let len = match &a.len {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(n),
                    ..
                }) => n.base10_parse::<u64>().ok(),
                _ => None,
            };
            match len {
                Some(n) => FieldType::Array(Box::new(field_type(&a.elem)), n),
                None => FieldType::Other(ty.to_token_stream().to_string()),
            }
        }
        syn::Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return FieldType::Other(String::new());
            };
            let name = last.ident.to_string();
            let arg = match &last.arguments {
                syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                },
                _ => None,
            };
            match (name.as_str(), arg) {
                ("Option", Some(t)) => FieldType::Option(Box::new(field_type(t))),
                ("Vec", Some(t)) => FieldType::Vec(Box::new(field_type(t))),
                ("Box", Some(syn::Type::Path(s))) if s.path.is_ident("str") => {
                    FieldType::Leaf(DType::Str)
                }
                ("String", None) => FieldType::Leaf(DType::Str),
                (n, None) => DType::from_name(n)
                    .filter(|d| *d != DType::Str)
                    .map_or_else(|| FieldType::Other(n.to_string()), FieldType::Leaf),
                _ => FieldType::Other(ty.to_token_stream().to_string()),
            }
        }
        _ => FieldType::Other(ty.to_token_stream().to_string()),
    }
}

/// Why a field's type does not fit its input; `None` when it fits.
fn mismatch(ty: &FieldType, input: &Input) -> Option<String> {
    let mut ty = ty;
    if let FieldType::Option(inner) = ty {
        if input.shape.is_empty() && matches!(input.missing, Missing::Fill(_)) {
            ty = inner;
        } else if input.shape.is_empty() {
            return Some("`Option` but the schema has no `missing: {fill: …}`, so a missing value is an error".to_string());
        } else {
            return Some(
                "`Option` on a shaped input: `fill` is for scalars, a missing list is an error"
                    .to_string(),
            );
        }
    }
    for (depth, axis) in input.shape.iter().enumerate() {
        ty = match (ty, axis) {
            (FieldType::Vec(inner), _) => inner,
            (FieldType::Array(inner, m), Axis::Fixed(n)) if m == n => inner,
            (FieldType::Array(_, m), Axis::Fixed(n)) => {
                return Some(format!(
                    "an array of {m} where the schema fixes axis {depth} at {n}"
                ))
            }
            (FieldType::Array(_, m), Axis::Dim(d)) => {
                return Some(format!(
                    "an array of {m} for dim `{d}`, whose length varies; use `Vec`"
                ));
            }
            (FieldType::Option(_), _) => {
                return Some(
                    "`Option` inside a shape: a missing element is always an error".to_string(),
                )
            }
            _ => {
                return Some(format!(
                    "{depth} level{} of `Vec`/array where the shape [{}] needs {}",
                    if depth == 1 { "" } else { "s" },
                    shape_text(input),
                    input.shape.len()
                ))
            }
        };
    }
    match ty {
        FieldType::Leaf(d) if *d == input.dtype => None,
        FieldType::Leaf(d) => Some(format!(
            "`{}` where the schema's dtype is `{}` (no silent widening or narrowing)",
            rust_leaf(*d),
            input.dtype
        )),
        FieldType::Vec(_) | FieldType::Array(..) => Some(format!(
            "more levels of `Vec`/array than the shape [{}] has",
            shape_text(input)
        )),
        FieldType::Option(_) if !input.shape.is_empty() => Some(
            "`Option` elements inside a shape: a missing element is always an error".to_string(),
        ),
        FieldType::Option(_) => Some("`Option` inside `Option`".to_string()),
        FieldType::Other(name) => Some(format!(
            "`{name}` is not a type tensorseam reads for `{}`",
            input.dtype
        )),
    }
    .map(|why| format!("{why}; help: use `{}`", rust_type(input)))
}

fn shape_text(input: &Input) -> String {
    input
        .shape
        .iter()
        .map(|a| match a {
            Axis::Fixed(n) => n.to_string(),
            Axis::Dim(d) => d.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where each input is written in the schema file: `file:line`.
fn input_lines(file: &SourceFile) -> Vec<(String, String)> {
    let mut diags = Vec::new();
    let Some(tree) = crate::parse(file, &mut diags) else {
        return Vec::new();
    };
    let Some(crate::tree::Value::Map(entries)) = tree.get("inputs").map(|n| &n.value) else {
        return Vec::new();
    };
    entries
        .iter()
        .map(|(k, _)| {
            let (line, _) = file.line_col(k.span.start);
            (k.name.clone(), format!("{}:{line}", file.path()))
        })
        .collect()
}

/// The struct's `#[tensorseam(schema = "…")]`.
fn schema_attr(input: &syn::DeriveInput, errors: &mut Vec<syn::Error>) -> Option<syn::LitStr> {
    let mut schema = None;
    for attr in input
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("tensorseam"))
    {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("schema") {
                schema = Some(meta.value()?.parse::<syn::LitStr>()?);
                Ok(())
            } else {
                Err(meta.error("unknown attribute; the struct takes `#[tensorseam(schema = \"path/to/schema.yaml\")]`"))
            }
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    if schema.is_none() && errors.is_empty() {
        errors.push(syn::Error::new(
            input.ident.span(),
            "`#[derive(ModelInput)]` needs the schema: add `#[tensorseam(schema = \"schemas/model.yaml\")]` (relative to Cargo.toml)",
        ));
    }
    schema
}

/// The input a field reads: its name, or its `#[tensorseam(rename = "…")]`; `None` for a field
/// marked `#[tensorseam(skip)]` (a request id, say: not an input).
fn field_name(field: &syn::Field, errors: &mut Vec<syn::Error>) -> Option<String> {
    let mut name = field
        .ident
        .as_ref()
        .map(|i| i.to_string().trim_start_matches("r#").to_string());
    let mut skip = false;
    for attr in field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("tensorseam"))
    {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
                Ok(())
            } else if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error(
                    "unknown attribute; a field takes `#[tensorseam(rename = \"input_name\")]` or `#[tensorseam(skip)]`",
                ))
            }
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    name.filter(|_| !skip)
}

fn manifest_dir() -> Option<PathBuf> {
    std::env::var_os(MANIFEST_DIR_OVERRIDE)
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
}

/// Loads the schema named by the attribute, or explains (at the attribute) why not.
fn load(lit: &syn::LitStr) -> Result<(Checked, SourceFile, PathBuf), syn::Error> {
    let rel = lit.value();
    if Path::new(&rel).is_absolute() {
        return Err(syn::Error::new(
            lit.span(),
            "the schema path must be relative to the crate's Cargo.toml, not absolute",
        ));
    }
    let dir = manifest_dir().ok_or_else(|| {
        syn::Error::new(
            lit.span(),
            "CARGO_MANIFEST_DIR is not set; build with cargo",
        )
    })?;
    let path = dir.join(&rel);
    let bytes = crate::read_source(&path)
        .map_err(|e| syn::Error::new(lit.span(), format!("cannot read schema `{rel}`: {e}")))?;
    let (file, out) = compile_bytes(&rel, &bytes);
    match out.checked {
        Some(c) => Ok((c, file, path)),
        None => {
            let shown: Vec<String> = out
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| {
                    let (line, col) = file.line_col(d.span.start);
                    let help = d
                        .help
                        .as_ref()
                        .map_or(String::new(), |h| format!(" (help: {h})"));
                    format!(
                        "error[{}]: {} --> {rel}:{line}:{col}{help}",
                        d.code.as_str(),
                        d.message
                    )
                })
                .collect();
            Err(syn::Error::new(
                lit.span(),
                format!("schema `{rel}` has errors:\n{}", shown.join("\n")),
            ))
        }
    }
}

/// Expands `#[derive(ModelInput)]`.
pub fn expand(input: &syn::DeriveInput) -> TokenStream {
    let mut errors: Vec<syn::Error> = Vec::new();
    let ident = &input.ident;
    let lit = schema_attr(input, &mut errors);
    let named = matches!(
        &input.data,
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(_),
            ..
        })
    );
    let fields: Vec<&syn::Field> = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) => named.named.iter().collect(),
        _ => {
            errors.push(syn::Error::new(
                ident.span(),
                "`ModelInput` derives for structs with named fields, one per schema input",
            ));
            Vec::new()
        }
    };
    let loaded = match &lit {
        Some(lit) => load(lit).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    let mut consts = quote! {
        const SCHEMA_NAME: &'static str = "";
        const SCHEMA_VERSION: u64 = 0;
        const FINGERPRINT: &'static str = "";
        const TENSORS: &'static [&'static str] = &[];
    };
    // A stub while there are errors: the build fails on them, so it never runs.
    let mut plan = quote! { ::core::unreachable!("the derive reported errors") };
    let mut access: Vec<TokenStream> = Vec::new();
    let mut fast_method = TokenStream::new();
    let mut fast_helpers = TokenStream::new();
    let mut rebuild = TokenStream::new();
    if let Some((checked, file, path)) = &loaded {
        let lines = input_lines(file);
        let line_of = |name: &str| {
            lines
                .iter()
                .find(|(n, _)| n == name)
                .map_or_else(|| file.path().to_string(), |(_, l)| l.clone())
        };
        let position: std::collections::HashMap<&str, usize> = checked
            .inputs
            .iter()
            .enumerate()
            .map(|(i, input)| (input.name.as_str(), i))
            .collect();
        // The field that reads each input (two fields reading one input is an error).
        let mut reader: Vec<Option<String>> = vec![None; checked.inputs.len()];
        let mut by_input: Vec<Option<(TokenStream, FieldType)>> = vec![None; checked.inputs.len()];
        let pending = checked.unfitted_inputs();
        if !pending.is_empty() {
            if let Some(lit) = &lit {
                errors.push(syn::Error::new(
                    lit.span(),
                    format!("schema `{}` has `fit` placeholders in inputs {}; run `tensorseam fit` to fill them before serving", file.path(), pending.join(", ")),
                ));
            }
        }
        for field in &fields {
            let Some(name) = field_name(field, &mut errors) else {
                continue;
            };
            let span = field
                .ident
                .as_ref()
                .map_or_else(|| field.span(), Spanned::span);
            match position
                .get(name.as_str())
                .map(|&i| (i, &checked.inputs[i]))
            {
                None => {
                    let known: Vec<&str> = checked.inputs.iter().map(|i| i.name.as_str()).collect();
                    let hint = crate::check::closest_name(&name, &known).map_or_else(
                        || format!("the schema's inputs are {}", known.join(", ")),
                        |c| format!("did you mean `{c}`? or add `#[tensorseam(rename = \"{c}\")]`"),
                    );
                    errors.push(syn::Error::new(
                        span,
                        format!(
                            "field `{name}` has no input in schema `{}`; help: {hint}",
                            file.path()
                        ),
                    ));
                }
                Some((index, input)) => {
                    let member = field.ident.as_ref();
                    let shown = member.map_or_else(String::new, ToString::to_string);
                    if let Some(first) = &reader[index] {
                        errors.push(syn::Error::new(
                            span,
                            format!(
                                "fields `{first}` and `{shown}` both read input `{name}` ({}); help: each input is read by one field: remove one, or point its `rename` at another input",
                                line_of(&name)
                            ),
                        ));
                        continue;
                    }
                    reader[index] = Some(shown);
                    access.push(quote! { #index => ::core::option::Option::Some(&self.#member as &dyn ::tensorseam::__private::Raw), });
                    by_input[index] = Some((quote! { #member }, field_type(&field.ty)));
                    if let Some(why) = mismatch(&field_type(&field.ty), input) {
                        errors.push(syn::Error::new(
                            field.ty.span(),
                            format!(
                                "field `{name}` does not fit input `{name}` ({}): {why}",
                                line_of(&name)
                            ),
                        ));
                    }
                }
            }
        }
        // A struct of the wrong shape has no fields to match: its one error says so.
        for input in checked
            .inputs
            .iter()
            .zip(&reader)
            .filter(|(i, r)| named && i.role == Role::Feature && r.is_none())
            .map(|(i, _)| i)
        {
            errors.push(syn::Error::new(
                ident.span(),
                format!(
                    "struct `{ident}` has no field for input `{}` ({}); help: add `{}: {}`",
                    input.name,
                    line_of(&input.name),
                    crate::names::field_ident(&input.name),
                    rust_type(input)
                ),
            ));
        }
        let name = &checked.name;
        let version = checked.version;
        let fingerprint = checked.fingerprint();
        let tensors = checked
            .specs
            .iter()
            .filter(|t| {
                !matches!(
                    t.kind,
                    crate::ir::TensorKind::Label | crate::ir::TensorKind::Weight
                )
            })
            .map(|t| t.name.as_str());
        consts = quote! {
            const SCHEMA_NAME: &'static str = #name;
            const SCHEMA_VERSION: u64 = #version;
            const FINGERPRINT: &'static str = #fingerprint;
            const TENSORS: &'static [&'static str] = &[#(#tensors),*];
        };
        (fast_method, fast_helpers) = fast::method(checked.schema(), &by_input);
        let ir = crate::ir::json::plan_text(checked.schema());
        plan = quote! {
            static PLAN: ::tensorseam::__private::OnceLock<::tensorseam::__private::Plan> = ::tensorseam::__private::OnceLock::new();
            // The IR was written by the compiler this runtime is pinned to: it always reads.
            PLAN.get_or_init(|| ::tensorseam::__private::Plan::from_ir_json(#ir, #fingerprint).expect("tensorseam: the embedded schema IR reads"))
        };
        // Rebuild the deriving crate when the schema changes.
        let abs = path.to_string_lossy().into_owned();
        rebuild = quote! { const _: &[u8] = ::core::include_bytes!(#abs); };
    }
    // The fast path reads fields with the schema's types: only sound once every field fits.
    let (fast_method, fast_helpers) = if errors.is_empty() {
        (fast_method, fast_helpers)
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let helpers = (!fast_helpers.is_empty()).then(|| {
        let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
        quote! {
            #[automatically_derived]
            #[doc(hidden)]
            impl #impl_generics #ident #ty_generics #where_clause { #fast_helpers }
        }
    });
    let compile_errors = errors.iter().map(syn::Error::to_compile_error);
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #(#compile_errors)*
        const _: () = {
            #rebuild
            #[automatically_derived]
            impl #impl_generics ::tensorseam::__private::Record for #ident #ty_generics #where_clause {
                fn field(&self, index: usize, _name: &str) -> ::core::result::Result<::core::option::Option<&dyn ::tensorseam::__private::Raw>, ()> {
                    ::core::result::Result::Ok(match index {
                        #(#access)*
                        _ => ::core::option::Option::None,
                    })
                }
            }
            #[automatically_derived]
            impl #impl_generics ::tensorseam::ModelInput for #ident #ty_generics #where_clause {
                #consts
                fn plan() -> &'static ::tensorseam::__private::Plan {
                    #plan
                }
                #fast_method
            }
            #helpers
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Checked {
        let text = r#"schema s v1 {
            dim seq max 4
            input a: f32 { missing fill(0) }
            input b: i64[seq, 3]
            input c: str { encode hash(buckets: 4) }
            label y: bool
        }"#;
        crate::compile(&SourceFile::new("s.seam", text))
            .checked
            .expect("valid")
    }

    fn fits(ty: &str, input: &str) -> Option<String> {
        let checked = schema();
        let t = field_type(&syn::parse_str::<syn::Type>(ty).expect("type"));
        mismatch(&t, checked.input(input).expect("input"))
    }

    #[test]
    fn exact_types_fit() {
        for (ty, input) in [
            ("f32", "a"),
            ("Option<f32>", "a"),
            ("Vec<[i64; 3]>", "b"),
            ("Vec<Vec<i64>>", "b"),
            ("String", "c"),
            ("&'a str", "c"),
            ("Box<str>", "c"),
            ("::std::string::String", "c"),
        ] {
            assert_eq!(fits(ty, input), None, "{ty} for {input}");
        }
    }

    #[test]
    fn mismatches_say_what_to_use() {
        let why = fits("f64", "a").expect("mismatch");
        assert!(
            why.contains("`f64` where the schema's dtype is `f32`")
                && why.ends_with("help: use `Option<f32>`"),
            "{why}"
        );
        assert!(fits("Vec<[i64; 2]>", "b")
            .expect("len")
            .contains("an array of 2 where the schema fixes axis 1 at 3"));
        assert!(fits("[[i64; 3]; 4]", "b")
            .expect("dim")
            .contains("whose length varies"));
        assert!(fits("Vec<i64>", "b")
            .expect("depth")
            .contains("1 level of `Vec`/array where the shape [seq, 3] needs 2"));
        assert!(fits("Option<String>", "c")
            .expect("option")
            .contains("no `missing: {fill: …}`"));
        assert!(fits("char", "c")
            .expect("other")
            .contains("`char` is not a type"));
        assert!(fits("i32", "y")
            .expect("label")
            .contains("help: use `bool`"));
    }

    #[test]
    fn expansion_rebuilds_on_schema_edits_and_stubs_on_errors() {
        let dir = std::env::temp_dir().join(format!("tensorseam-derive-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("m.seam"), "schema m v1 { input x: f32 }").expect("write");
        std::env::set_var(MANIFEST_DIR_OVERRIDE, &dir);
        let ok: syn::DeriveInput = syn::parse_quote! {
            #[tensorseam(schema = "m.seam")]
            struct M { x: f32 }
        };
        let out = expand(&ok).to_string();
        assert!(out.contains("include_bytes"), "{out}");
        assert!(
            out.contains("impl :: tensorseam :: ModelInput for M"),
            "{out}"
        );
        assert!(!out.contains("compile_error"), "{out}");
        let bad: syn::DeriveInput = syn::parse_quote! {
            #[tensorseam(schema = "m.seam")]
            struct M { x: f64, y: f32 }
        };
        let out = expand(&bad).to_string();
        assert_eq!(out.matches("compile_error").count(), 2, "{out}");
        assert!(
            out.contains("impl :: tensorseam :: ModelInput for M"),
            "a stub impl keeps uses compiling: {out}"
        );
    }
}
