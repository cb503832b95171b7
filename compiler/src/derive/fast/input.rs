//! The code for one input: reading its field, the value rule's checks, its transform, and the
//! write into its tensor — for a scalar input, and for a shaped one as nested loops over the
//! field's lists. Every check and every operation is a call of the shared rules
//! (`tensorseam_core`, through `::tensorseam::__private`), with the schema's parameters as
//! constants; the driver (`super`) wraps this in one small function per input.

use super::lookup::lookup;
use crate::ir::{
    Categories, DType, Encoding, Input, Missing, Scalar, Schema, Step, TensorAxis, Transform,
    Unknown,
};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// An exact f64 in generated code: from its bits, so no literal parsing can move it.
fn f(x: f64) -> TokenStream {
    let bits = x.to_bits();
    quote! { f64::from_bits(#bits) }
}

pub fn elem(d: DType) -> TokenStream {
    match d {
        DType::Bool => quote!(bool),
        DType::I8 => quote!(i8),
        DType::I16 => quote!(i16),
        DType::I32 => quote!(i32),
        DType::I64 => quote!(i64),
        DType::U8 => quote!(u8),
        DType::U16 => quote!(u16),
        DType::U32 => quote!(u32),
        DType::U64 => quote!(u64),
        DType::F32 => quote!(f32),
        DType::F64 | DType::Str => quote!(f64),
    }
}

/// The expression reading a field's raw value into `x`, or bailing when it is invalid.
/// `source` is an expression of type `&T` (or `&Option<T>` when `optional`).
fn read(input: &Input, source: &TokenStream, optional: bool) -> TokenStream {
    let take = match (input.dtype, ()) {
        (DType::Str, _) => quote! { ::core::convert::AsRef::<str>::as_ref(v) },
        (DType::Bool, _) => quote! { *v },
        (d, _) if d.is_int() => quote! { i128::from(*v) },
        _ => quote! { f64::from(*v) },
    };
    let fill = match &input.missing {
        Missing::Fill(Scalar::Str(s)) => {
            let lit = Literal::string(s);
            quote! { #lit }
        }
        Missing::Fill(Scalar::Bool(b)) => quote! { #b },
        Missing::Fill(Scalar::Int(i)) if input.dtype.is_int() => {
            let lit = Literal::i128_suffixed(*i);
            quote! { #lit }
        }
        Missing::Fill(Scalar::Int(i)) => fill_float(input.dtype, *i as f64),
        Missing::Fill(Scalar::Float(x)) => fill_float(input.dtype, *x),
        Missing::Error => quote! { return ::core::option::Option::None },
    };
    let value = if optional {
        quote! { match #source { ::core::option::Option::Some(v) => #take, ::core::option::Option::None => #fill } }
    } else {
        quote! { { let v = #source; #take } }
    };
    // Floats: NaN is missing; ±inf is invalid — the value rule's own function decides.
    if input.dtype.is_float() {
        quote! {
            let x: f64 = match __ts::value::field_float(#value) {
                ::core::result::Result::Ok(::core::option::Option::Some(x)) => x,
                ::core::result::Result::Ok(::core::option::Option::None) => #fill,
                ::core::result::Result::Err(_) => return ::core::option::Option::None,
            };
        }
    } else {
        quote! { let x = #value; }
    }
}

/// A float fill value as the engine takes it: rounded to f32 first for an `f32` input.
fn fill_float(dtype: DType, x: f64) -> TokenStream {
    let x = if dtype == DType::F32 {
        f64::from(x as f32)
    } else {
        x
    };
    f(x)
}

/// Range and charset checks on `x`.
fn checks(input: &Input) -> TokenStream {
    let mut out = TokenStream::new();
    if input.charset == crate::ir::Charset::Ascii {
        out.extend(quote! { if !x.is_ascii() { return ::core::option::Option::None; } });
    }
    if let Some(r) = &input.range {
        // The value rule's own range functions, with the bounds as constants.
        let check = if input.dtype.is_int() {
            let bound = |b: &Option<Scalar>, open: i128| {
                let v = match b {
                    Some(Scalar::Int(i)) => *i,
                    _ => open,
                };
                let lit = Literal::i128_suffixed(v);
                quote! { #lit }
            };
            let (lo, hi) = (bound(&r.lo, i128::MIN), bound(&r.hi, i128::MAX));
            quote! { __ts::value::within_int(x, #lo, #hi) }
        } else {
            let bound = |b: &Option<Scalar>, open: f64| {
                f(match b {
                    Some(Scalar::Int(i)) => *i as f64,
                    Some(Scalar::Float(x)) => *x,
                    _ => open,
                })
            };
            let (lo, hi) = (bound(&r.lo, f64::NEG_INFINITY), bound(&r.hi, f64::INFINITY));
            let x = as_f64(input);
            quote! { __ts::value::within(#x, #lo, #hi) }
        };
        out.extend(quote! { if !#check { return ::core::option::Option::None; } });
    }
    out
}

fn as_f64(input: &Input) -> TokenStream {
    if input.dtype.is_int() {
        quote! { (x as f64) }
    } else if input.dtype == DType::Bool {
        quote! { (u8::from(x) as f64) }
    } else {
        quote! { x }
    }
}

fn hash(input: &Input) -> TokenStream {
    match input.dtype {
        DType::Str => quote! { __ts::fnv1a64(x.as_bytes()) },
        DType::Bool => quote! { __ts::fnv1a64_bool(x) },
        _ => quote! { __ts::fnv1a64_int(x) },
    }
}

/// The code for one input: read, check, transform, write into tensor slice `t` at `base`.
pub fn input_code(
    input: &Input,
    source: &TokenStream,
    optional: bool,
    t: &syn::Ident,
    te: DType,
    base: TokenStream,
    text_mask: Option<&syn::Ident>,
) -> TokenStream {
    let read = read(input, source, optional);
    let checks = checks(input);
    let e = elem(te);
    let body = match &input.transform {
        Transform::None => match input.dtype {
            DType::Bool => quote! { #t[#base] = <#e as __ts::FastElem>::from_i128(i128::from(x)); },
            d if d.is_int() => quote! { #t[#base] = <#e as __ts::FastElem>::from_i128(x); },
            _ => quote! { #t[#base] = <#e as __ts::FastElem>::from_f64(x); },
        },
        Transform::Scale { steps, out } => {
            let x = as_f64(input);
            let steps = steps.iter().map(|s| match s {
                Step::Standardize(Some(p)) => {
                    let (m, s) = (f(p.mean), f(p.std));
                    quote! { y = __ts::standardize(y, #m, #s); }
                }
                Step::MinMax(Some(p)) => {
                    let (lo, hi) = (f(p.min), f(p.max));
                    quote! { y = __ts::minmax(y, #lo, #hi); }
                }
                Step::Affine { scale, offset } => {
                    let (a, b) = (f(*scale), f(*offset));
                    quote! { y = __ts::affine(y, #a, #b); }
                }
                Step::Divide(by) => {
                    let by = f(*by);
                    quote! { y = __ts::divide(y, #by); }
                }
                Step::Log1p => quote! { y = __ts::log1p(y).ok()?; },
                Step::Clip { min, max } => {
                    let opt = |v: &Option<f64>| {
                        v.map_or(quote! { ::core::option::Option::None }, |x| {
                            let x = f(x);
                            quote! { ::core::option::Option::Some(#x) }
                        })
                    };
                    let (lo, hi) = (opt(min), opt(max));
                    quote! { y = __ts::clip(y, #lo, #hi); }
                }
                Step::Standardize(None) | Step::MinMax(None) => {
                    quote! { return ::core::option::Option::None; }
                }
            });
            let finish = if *out == DType::F64 {
                quote! { __ts::finish_f64(y).ok()? }
            } else {
                quote! { f64::from(__ts::finish_f32(y).ok()?) }
            };
            quote! {
                let mut y: f64 = #x;
                #(#steps)*
                #t[#base] = <#e as __ts::FastElem>::from_f64(#finish);
            }
        }
        Transform::Encode(Encoding::OneHot {
            categories: Categories::List(c),
            unknown,
            ..
        }) => {
            let m = lookup(c);
            let miss = if *unknown == Unknown::Ignore {
                quote! {}
            } else {
                quote! { return ::core::option::Option::None; }
            };
            quote! {
                match #m {
                    ::core::option::Option::Some(p) => #t[#base + p] = <#e as __ts::FastElem>::ONE,
                    ::core::option::Option::None => { #miss }
                }
            }
        }
        Transform::Encode(Encoding::Index {
            categories: Categories::List(c),
            unknown,
            ..
        }) => {
            let m = lookup(c);
            let k = c.len() as u64;
            let miss = match unknown {
                Unknown::Oov(n) => {
                    let h = hash(input);
                    quote! { __ts::oov_position(#k, #h, #n) }
                }
                _ => quote! { return ::core::option::Option::None },
            };
            quote! {
                let p: u64 = match #m { ::core::option::Option::Some(p) => p as u64, ::core::option::Option::None => #miss };
                #t[#base] = <#e as __ts::FastElem>::from_i128(i128::from(p));
            }
        }
        Transform::Encode(Encoding::Hash { buckets, .. }) => {
            let h = hash(input);
            quote! { #t[#base] = <#e as __ts::FastElem>::from_i128(i128::from(__ts::bucket(#h, #buckets))); }
        }
        Transform::Encode(Encoding::Bucketize { boundaries, .. }) => {
            let b = boundaries.iter().map(|x| f(*x));
            let x = as_f64(input);
            quote! { #t[#base] = <#e as __ts::FastElem>::from_i128(i128::from(__ts::bucketize(&[#(#b),*], #x))); }
        }
        // Not covered (see `covered`), or still `fit`: let the engine decide.
        Transform::Encode(
            Encoding::Bytes {
                max_len, truncate, ..
            }
            | Encoding::Chars {
                max_len, truncate, ..
            },
        ) => {
            let m = *max_len as usize;
            let cut = match truncate {
                crate::ir::Truncate::Error => quote! { return ::core::option::Option::None },
                crate::ir::Truncate::Right => quote! { (0usize, #m) },
                crate::ir::Truncate::Left => quote! { (n - #m, n) },
            };
            let mask = text_mask
                .map(|mk| quote! { for j in 0..(stop - start) { #mk[r * #m + j] = true; } });
            let (count, values) = if matches!(
                &input.transform,
                Transform::Encode(Encoding::Bytes { .. })
            ) {
                (
                    quote! { x.len() },
                    quote! { x.as_bytes()[start..stop].iter().map(|b| i128::from(*b)) },
                )
            } else {
                (
                    quote! { x.chars().count() },
                    quote! { x.chars().skip(start).take(stop - start).map(|c| i128::from(u32::from(c))) },
                )
            };
            quote! {
                let n: usize = #count;
                let (start, stop): (usize, usize) = if n <= #m { (0usize, n) } else { #cut };
                for (j, v) in #values.enumerate() { #t[#base + j] = <#e as __ts::FastElem>::from_i128(v); }
                #mask
            }
        }
        _ => quote! { return ::core::option::Option::None; },
    };
    quote! { { #read #checks #body } }
}

/// The size of an axis at run time: a fixed size, a dim's `max`, or the batch's longest.
pub fn axis_size(schema: &Schema, a: &TensorAxis) -> TokenStream {
    match a {
        TensorAxis::Fixed(Some(n)) => {
            let n = *n as usize;
            quote! { #n }
        }
        TensorAxis::Dim { max: Some(m), .. } => {
            let m = *m as usize;
            quote! { #m }
        }
        TensorAxis::Dim { name, max: None } => {
            let d = schema
                .dims
                .iter()
                .position(|x| x.name == *name)
                .unwrap_or(0);
            quote! { longest[#d] }
        }
        _ => quote! { 1usize },
    }
}

/// The loop over one raw axis of `outer`, binding each kept element to `inner` at output position
/// `i`. Fixed axes check their length; a named dim sets (or must match) the record's length of the
/// dim, checks `min`, and keeps the range `max`/`truncate` allow.
fn axis_loop(
    schema: &Schema,
    axis: &crate::ir::Axis,
    outer: &syn::Ident,
    inner: &syn::Ident,
    i: &syn::Ident,
    body: TokenStream,
) -> TokenStream {
    let none = quote! { return ::core::option::Option::None; };
    match axis {
        crate::ir::Axis::Fixed(n) => {
            let n = *n as usize;
            quote! {
                if #outer.len() != #n { #none }
                for (#i, #inner) in #outer.iter().enumerate() { #body }
            }
        }
        crate::ir::Axis::Dim(name) => {
            let k = schema
                .dims
                .iter()
                .position(|x| x.name == *name)
                .unwrap_or(0);
            let dim = &schema.dims[k];
            let min = dim.min.map(|m| {
                let m = m as usize;
                quote! { if len < #m { #none } }
            });
            let range = match dim.max {
                None => quote! {{ if len > __ts::DEFAULT_MAX_DIM_LEN { #none } (0usize, len) }},
                Some(m) => {
                    let m = m as usize;
                    let cut = match dim.truncate {
                        crate::ir::Truncate::Error => quote! { #none },
                        crate::ir::Truncate::Right => quote! { (0usize, #m) },
                        crate::ir::Truncate::Left => quote! { (len - #m, len) },
                    };
                    quote! { if len <= #m { (0usize, len) } else { #cut } }
                }
            };
            quote! {
                let len = #outer.len();
                if dim_len[#k] == usize::MAX { dim_len[#k] = len; } else if dim_len[#k] != len { #none }
                #min
                let (start, stop): (usize, usize) = #range;
                dim_kept[#k] = stop - start;
                for (#i, #inner) in #outer.iter().skip(start).take(stop - start).enumerate() { #body }
            }
        }
    }
}

/// A shaped input on its own tensor: nested loops over the field (arrays or `Vec`s), elements
/// validated and written at their row-major position (padding is already zero). `multi_hot`
/// reduces the last raw axis into its `k` flags.
pub fn shaped(
    schema: &Schema,
    input: &Input,
    member: &TokenStream,
    t: &syn::Ident,
    spec: &crate::ir::TensorSpec,
    offset: usize,
) -> TokenStream {
    let multi = match &input.transform {
        Transform::Encode(Encoding::MultiHot {
            categories: Categories::List(c),
            unknown,
            ..
        }) => Some((c, *unknown)),
        _ => None,
    };
    let loops = input.shape.len() - usize::from(multi.is_some());
    // Row-major strides of the tensor's axes: an element at raw indices i (and encoding position j)
    // sits at r·row + offset + Σ iₖ·strideₖ (+ j). For a concat part without an encoding axis, its
    // last raw axis is the tensor's last, whose stride is 1 and which `offset` shifts.
    let axes: Vec<TokenStream> = spec
        .axes
        .iter()
        .skip(1)
        .map(|a| axis_size(schema, a))
        .collect();
    let vars: Vec<syn::Ident> = (0..=input.shape.len())
        .map(|d| format_ident!("v{d}"))
        .collect();
    let idx: Vec<syn::Ident> = (0..=input.shape.len())
        .map(|d| format_ident!("i{d}"))
        .collect();
    let mut linear = quote! { 0usize };
    for (k, i) in idx.iter().take(loops).enumerate() {
        let rest = &axes[k + 1..];
        linear = quote! { #linear + #i * (1usize #(* (#rest))*) };
    }
    let base = quote! { r * (1usize #(* (#axes))*) + #offset + #linear };
    let mut code = match multi {
        None => {
            let leaf = &vars[loops];
            input_code(input, &quote! { #leaf }, false, t, spec.dtype, base, None)
        }
        Some((categories, unknown)) => {
            // The list along the last raw axis: each element validated, its category flagged.
            let (list, elem_var, elem_i) = (&vars[loops], &vars[loops + 1], &idx[loops]);
            let read = read(input, &quote! { #elem_var }, false);
            let checks = checks(input);
            let found = lookup(categories);
            let e = elem(spec.dtype);
            let miss = if unknown == Unknown::Ignore {
                quote! {}
            } else {
                quote! { return ::core::option::Option::None; }
            };
            let body = quote! {
                let _ = #elem_i;
                #read
                #checks
                match #found {
                    ::core::option::Option::Some(p) => #t[#base + p] = <#e as __ts::FastElem>::ONE,
                    ::core::option::Option::None => { #miss }
                }
            };
            axis_loop(schema, &input.shape[loops], list, elem_var, elem_i, body)
        }
    };
    for d in (0..loops).rev() {
        code = axis_loop(
            schema,
            &input.shape[d],
            &vars[d],
            &vars[d + 1],
            &idx[d],
            code,
        );
    }
    let first = &vars[0];
    quote! {{ let #first = &row.#member; #code }}
}

/// Pass one for a shaped input: the longest list of each dim without `max` it holds, over the
/// batch (`None` when it has no such dim). A list over the cap is left for the engine to report;
/// nothing is sized by it.
pub fn measure(schema: &Schema, input: &Input, member: &TokenStream) -> Option<TokenStream> {
    let dims: Vec<Option<usize>> = input
        .shape
        .iter()
        .map(|a| match a {
            crate::ir::Axis::Dim(name) => schema
                .dims
                .iter()
                .position(|x| x.name == *name)
                .filter(|k| schema.dims[*k].max.is_none()),
            crate::ir::Axis::Fixed(_) => None,
        })
        .collect();
    let last = dims.iter().rposition(Option::is_some)?;
    let mut code = TokenStream::new();
    for d in (0..=last).rev() {
        let (outer, inner) = (format_ident!("v{d}"), format_ident!("v{}", d + 1));
        let descend = (d < last).then(|| quote! { for #inner in #outer.iter() { #code } });
        code = match dims[d] {
            Some(k) => quote! {
                if #outer.len() <= __ts::DEFAULT_MAX_DIM_LEN {
                    longest[#k] = longest[#k].max(#outer.len());
                    #descend
                }
            },
            None => quote! { #descend },
        };
    }
    Some(quote! { for row in rows { let v0 = &row.#member; #code } })
}
