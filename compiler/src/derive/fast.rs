//! The derive's fast path: straight-line code per input that validates and writes each value
//! into typed buffers, with categories as `match` arms and the runtime's own arithmetic functions.
//! It covers schemas whose inputs are all scalars without text encodings; on the first invalid
//! value it bails out and the runtime's engine re-runs the batch, so errors are exactly the
//! dynamic path's. Values are bit-identical because every operation is the same function call.

use super::FieldType;
use crate::ir::{
    Categories, DType, Encoding, Input, Missing, Role, Scalar, Schema, Step, TensorAxis,
    TensorKind, Transform, Unknown,
};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// An exact f64 in generated code: from its bits, so no literal parsing can move it.
fn f(x: f64) -> TokenStream {
    let bits = x.to_bits();
    quote! { f64::from_bits(#bits) }
}

fn elem(d: DType) -> TokenStream {
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

/// Whether the fast path covers this schema: every size is known (no `fit` placeholders).
fn covered(schema: &Schema) -> bool {
    schema
        .specs
        .iter()
        .all(|t| t.axes.iter().all(|a| !matches!(a, TensorAxis::Fixed(None))))
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
    // Floats: NaN is missing; ±inf is invalid.
    if input.dtype.is_float() {
        quote! {
            let x: f64 = #value;
            let x: f64 = if x.is_nan() { #fill } else { x };
            if x.is_infinite() { return ::core::option::Option::None; }
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
        for (bound, below) in [(&r.lo, true), (&r.hi, false)] {
            let Some(b) = bound else { continue };
            let lit = match (b, input.dtype.is_int()) {
                (Scalar::Int(i), true) => {
                    let lit = Literal::i128_suffixed(*i);
                    quote! { #lit }
                }
                (Scalar::Int(i), false) => f(*i as f64),
                (Scalar::Float(x), _) => f(*x),
                _ => continue,
            };
            let cmp = if below {
                quote! { x < #lit }
            } else {
                quote! { x > #lit }
            };
            out.extend(quote! { if #cmp { return ::core::option::Option::None; } });
        }
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

/// FNV-1a 64, as the runtime's `ops::fnv1a64` computes it (the table below is built here, at
/// macro time, and probed there).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Mixes an integer category for the table (runtime and macro time use this same expression).
fn mix(v: i128) -> u64 {
    (v as u64 ^ (v >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// `ops::short_word` of the runtime, computed here for the keys of the tables the generated code
/// probes with the runtime's function (parity tests and the runtime's own test pin them together).
fn short_word(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let n = b.len();
    let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    match n {
        0 => Some(0),
        1..=3 => Some(u64::from(b[0]) | (u64::from(b[n / 2]) << 8) | (u64::from(b[n - 1]) << 16)),
        4..=8 => Some(u64::from(word(0)) | (u64::from(word(n - 4)) << 32)),
        _ => None,
    }
}

/// `ops::short_slot` of the runtime.
fn short_slot(word: u64, len: usize, bits: u32) -> usize {
    ((word ^ ((len as u64) << 59)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
}

/// Lookup among string categories of at most 8 bytes each (most category sets): the string becomes
/// one integer and a length, compared against constants — a `match` for a few, a table of 16-byte
/// slots holding the keys inline for many. A longer string cannot be a category.
fn short_lookup(categories: &[&str]) -> TokenStream {
    if categories.len() <= 16 {
        let arms = categories.iter().enumerate().map(|(i, c)| {
            let w = short_word(c).unwrap_or_default();
            let n = c.len();
            quote! { (#n, #w) => ::core::option::Option::Some(#i), }
        });
        return quote! {
            match __ts::short_word(x) {
                ::core::option::Option::Some(w) => match (x.len(), w) {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                },
                ::core::option::Option::None => ::core::option::Option::None,
            }
        };
    }
    let size = (categories.len() * 2).next_power_of_two();
    let bits = size.trailing_zeros();
    let mut slots: Vec<Option<(u64, u32, u32)>> = vec![None; size];
    for (i, c) in categories.iter().enumerate() {
        let w = short_word(c).unwrap_or_default();
        let mut at = short_slot(w, c.len(), bits);
        while slots[at].is_some() {
            at = (at + 1) & (size - 1);
        }
        slots[at] = Some((w, c.len() as u32, i as u32));
    }
    let entries = slots.iter().map(|s| {
        let (w, n, i) = s.unwrap_or((0, u32::MAX, 0));
        quote! { (#w, #n, #i) }
    });
    let mask = size - 1;
    quote! {
        match __ts::short_word(x) {
            ::core::option::Option::Some(w) => {
                // (key word, key length — u32::MAX for an empty slot, position)
                static SLOTS: [(u64, u32, u32); #size] = [#(#entries),*];
                let n = x.len() as u32;
                let mut at = __ts::short_slot(w, x.len(), #bits);
                loop {
                    let (sw, sn, si) = SLOTS[at];
                    if sn == n && sw == w {
                        break ::core::option::Option::Some(si as usize);
                    }
                    if sn == u32::MAX {
                        break ::core::option::Option::None;
                    }
                    at = (at + 1) & #mask;
                }
            }
            ::core::option::Option::None => ::core::option::Option::None,
        }
    }
}

/// The position of `x` among the categories. A few: a `match`. Many: an open-addressing table
/// built here at macro time and probed with one hash and (almost always) one comparison — a long
/// `match` on strings compiles to a chain of comparisons, which measured slow at 1,000 categories.
fn lookup(categories: &[Scalar]) -> TokenStream {
    let pattern = |c: &Scalar| match c {
        Scalar::Str(s) => {
            let lit = Literal::string(s);
            quote! { #lit }
        }
        Scalar::Int(v) => {
            let lit = Literal::i128_suffixed(*v);
            quote! { #lit }
        }
        Scalar::Bool(b) => quote! { #b },
        Scalar::Float(_) => quote! { _ },
    };
    let short: Option<Vec<&str>> = categories
        .iter()
        .map(|c| match c {
            Scalar::Str(s) if s.len() <= 8 => Some(s.as_str()),
            _ => None,
        })
        .collect();
    if let Some(short) = short.filter(|s| !s.is_empty()) {
        return short_lookup(&short);
    }
    let strings = matches!(categories.first(), Some(Scalar::Str(_)));
    let ints = matches!(categories.first(), Some(Scalar::Int(_)));
    if categories.len() <= 16 || !(strings || ints) {
        let arms = categories.iter().enumerate().map(|(i, c)| {
            let pat = pattern(c);
            quote! { #pat => ::core::option::Option::Some(#i), }
        });
        return quote! { match x { #(#arms)* _ => ::core::option::Option::None } };
    }
    let size = (categories.len() * 2).next_power_of_two();
    let hash_of = |c: &Scalar| match c {
        Scalar::Str(s) => fnv1a64(s.as_bytes()),
        Scalar::Int(v) => mix(*v),
        _ => 0,
    };
    let mut slots: Vec<Option<(u64, usize)>> = vec![None; size];
    for (i, c) in categories.iter().enumerate() {
        let mut at = (hash_of(c) as usize) & (size - 1);
        while slots[at].is_some() {
            at = (at + 1) & (size - 1);
        }
        slots[at] = Some((hash_of(c), i));
    }
    let empty = quote! { (0u64, ::core::option::Option::None) };
    let entries = slots.iter().map(|s| match s {
        Some((h, i)) => {
            let key = pattern(&categories[*i]);
            quote! { (#h, ::core::option::Option::Some((#key, #i))) }
        }
        None => empty.clone(),
    });
    let (key_ty, hash, eq) = if strings {
        (
            quote! { &'static str },
            quote! { __ts::fnv1a64(x.as_bytes()) },
            quote! { __ts::str_eq(k, x) },
        )
    } else {
        (
            quote! { i128 },
            quote! { ((x as u64) ^ ((x >> 64) as u64)).wrapping_mul(0x9e37_79b9_7f4a_7c15) },
            quote! { *k == x },
        )
    };
    let mask = size - 1;
    quote! {{
        static SLOTS: [(u64, ::core::option::Option<(#key_ty, usize)>); #size] = [#(#entries),*];
        let h: u64 = #hash;
        let mut at = (h as usize) & #mask;
        loop {
            match &SLOTS[at] {
                (_, ::core::option::Option::None) => break ::core::option::Option::None,
                (sh, ::core::option::Option::Some((k, i))) if *sh == h && #eq => break ::core::option::Option::Some(*i),
                _ => at = (at + 1) & #mask,
            }
        }
    }}
}

/// The code for one input: read, check, transform, write into tensor slice `t` at `base`.
fn input_code(
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
fn axis_size(schema: &Schema, a: &TensorAxis) -> TokenStream {
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
fn shaped(
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

/// Pass one: the longest list of each dim without `max`, over the batch.
fn measure(schema: &Schema, fields: &[Option<(TokenStream, FieldType)>]) -> TokenStream {
    let mut out = TokenStream::new();
    for (index, input) in schema.inputs.iter().enumerate() {
        let Some((member, _)) = &fields[index] else {
            continue;
        };
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
        let Some(last) = dims.iter().rposition(Option::is_some) else {
            continue;
        };
        let mut code = TokenStream::new();
        for d in (0..=last).rev() {
            let (outer, inner) = (format_ident!("v{d}"), format_ident!("v{}", d + 1));
            let descend = (d < last).then(|| quote! { for #inner in #outer.iter() { #code } });
            // A list over the cap is left for the engine to report; nothing is sized by it.
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
        out.extend(quote! { { let v0 = &row.#member; #code } });
    }
    if out.is_empty() {
        out
    } else {
        quote! { for row in rows { #out } }
    }
}

/// `<dim>_mask[r, 0..kept] = true` for each dim this record set.
fn masks(schema: &Schema) -> (Vec<(usize, TokenStream)>, Vec<TokenStream>) {
    let (mut slices, mut sets) = (Vec::new(), Vec::new());
    for (ti, spec) in schema
        .specs
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == TensorKind::Mask)
    {
        let t = format_ident!("t{ti}");
        slices.push((
            ti,
            quote! { let #t: &mut [bool] = __ts::slice::<bool>(&mut it.next()?.1)?; },
        ));
        // Text masks (`<input>_mask`) are written by their input's code.
        let Some(TensorAxis::Dim { name, .. }) = spec.axes.get(1) else {
            continue;
        };
        let k = schema
            .dims
            .iter()
            .position(|x| x.name == *name)
            .unwrap_or(0);
        let w = axis_size(schema, &spec.axes[1]);
        sets.push(quote! {
            if dim_len[#k] != usize::MAX {
                let w: usize = #w;
                for p in 0..dim_kept[#k].min(w) { #t[r * w + p] = true; }
            }
        });
    }
    (slices, sets)
}

/// The `fast` method, or nothing when the schema is not covered. `fields[i]` is the member and type
/// of the field for input `i`, if the struct has one.
pub fn method(schema: &Schema, fields: &[Option<(TokenStream, FieldType)>]) -> TokenStream {
    if !covered(schema) {
        return TokenStream::new();
    }
    let mut slices = Vec::new();
    let mut serving = Vec::new();
    let mut training = Vec::new();
    let mut missing_training_field = false;
    let mut row_views = Vec::new();
    let mut whole: Vec<String> = Vec::new();
    let (mask_slices, mask_sets) = masks(schema);
    for (ti, spec) in schema.specs.iter().enumerate() {
        // Slices are taken in tensor order; masks are filled per record from the dims' lengths.
        if spec.kind == TensorKind::Mask {
            slices.extend(
                mask_slices
                    .iter()
                    .filter(|(i, _)| *i == ti)
                    .map(|(_, code)| code.clone()),
            );
            continue;
        }
        let t = format_ident!("t{ti}");
        let e = elem(spec.dtype);
        let is_training = matches!(spec.kind, TensorKind::Label | TensorKind::Weight);
        let width = spec.axes.get(1).map_or(1, |a| match a {
            TensorAxis::Fixed(Some(n)) => *n as usize,
            _ => 1,
        });
        if is_training {
            slices.push(quote! { let mut #t: ::core::option::Option<&mut [#e]> = if training { ::core::option::Option::Some(__ts::slice::<#e>(&mut it.next()?.1)?) } else { ::core::option::Option::None }; });
        } else {
            slices.push(quote! { let #t: &mut [#e] = __ts::slice::<#e>(&mut it.next()?.1)?; });
        }
        // A serving tensor `[batch]` or `[batch, n]` fed only by scalar fields is written through
        // a fixed-size view of its row: constant offsets, so no bounds check per value.
        let view = (!is_training
            && spec.axes.len() <= 2
            && spec
                .axes
                .get(1)
                .is_none_or(|a| matches!(a, TensorAxis::Fixed(Some(_)))))
        .then(|| format_ident!("row{ti}"))
        .filter(|_| {
            let fed: Vec<&Input> = schema
                .inputs
                .iter()
                .enumerate()
                .filter(|(i, input)| spec.sources.contains(&input.name) && fields[*i].is_some())
                .map(|(_, input)| input)
                .collect();
            !fed.is_empty() && fed.iter().all(|input| input.shape.is_empty())
        });
        if let Some(v) = &view {
            // Zeroed here, row by row while it is in cache, so the reused buffer needs no
            // separate zeroing pass.
            row_views.push(quote! {
                let #v: &mut [#e; #width] = ::core::convert::TryFrom::try_from(&mut #t[r * #width..r * #width + #width]).ok()?;
                *#v = [<#e as __ts::FastElem>::ZERO; #width];
            });
            whole.push(spec.name.clone());
        }
        // The inputs that feed this tensor, with their offsets along its last axis.
        let mut offset = 0usize;
        for name in &spec.sources {
            let Some((index, input)) = schema
                .inputs
                .iter()
                .enumerate()
                .find(|(_, i)| i.name == *name)
            else {
                continue;
            };
            // The width this input takes along the concat's last axis (the plan's rule).
            let part = match &input.transform {
                Transform::Encode(
                    Encoding::OneHot { categories, .. } | Encoding::MultiHot { categories, .. },
                ) => categories.count().unwrap_or(0) as usize,
                Transform::Encode(
                    Encoding::Bytes { max_len, .. } | Encoding::Chars { max_len, .. },
                ) => *max_len as usize,
                _ => match input.shape.last() {
                    Some(crate::ir::Axis::Fixed(n)) => *n as usize,
                    _ => 1,
                },
            };
            let Some((member, ty)) = &fields[index] else {
                if input.role != Role::Feature {
                    missing_training_field = true;
                }
                offset += part;
                continue;
            };
            let optional = matches!(ty, FieldType::Option(_));
            let text_mask = (!is_training)
                .then(|| {
                    schema.specs.iter().position(|t| {
                        t.kind == TensorKind::Mask && t.name == format!("{}_mask", input.name)
                    })
                })
                .flatten()
                .map(|mi| format_ident!("t{mi}"));
            let t_or_s = if is_training {
                format_ident!("s")
            } else {
                view.clone().unwrap_or_else(|| t.clone())
            };
            let code = if input.shape.is_empty() {
                let source = quote! { &row.#member };
                input_code(
                    input,
                    &source,
                    optional,
                    &t_or_s,
                    spec.dtype,
                    if view.is_some() {
                        quote! { #offset }
                    } else {
                        quote! { r * #width + #offset }
                    },
                    text_mask.as_ref(),
                )
            } else {
                shaped(schema, input, member, &t_or_s, spec, offset)
            };
            if is_training {
                training.push(
                    quote! { if let ::core::option::Option::Some(s) = #t.as_deref_mut() { #code } },
                );
            } else {
                serving.push(code);
            }
            offset += part;
        }
    }
    let measure = measure(schema, fields);
    let n_dims = schema.dims.len();
    // Declared only where used, so generated code stays warning-free.
    let longest = if measure.is_empty() {
        quote! { let longest = [0usize; #n_dims]; }
    } else {
        quote! { let mut longest = [0usize; #n_dims]; #measure }
    };
    let uses_dims = schema
        .inputs
        .iter()
        .any(|i| i.shape.iter().any(|a| matches!(a, crate::ir::Axis::Dim(_))));
    let dim_state = uses_dims.then(|| {
        quote! {
            let mut dim_len = [usize::MAX; #n_dims];
            let mut dim_kept = [0usize; #n_dims];
        }
    });
    let guard = missing_training_field
        .then(|| quote! { if training { return ::core::result::Result::Err(reuse); } });
    quote! {
        fn fast(rows: &[Self], training: bool, reuse: ::core::option::Option<::tensorseam::Batch>) -> ::core::result::Result<::tensorseam::Batch, ::core::option::Option<::tensorseam::Batch>> {
            use ::tensorseam::__private as __ts;
            #guard
            let plan = <Self as ::tensorseam::ModelInput>::plan();
            #longest
            let ::core::option::Option::Some(mut tensors) = __ts::tensors(plan, rows.len(), training, &longest, &[#(#whole),*], reuse) else {
                return ::core::result::Result::Err(::core::option::Option::None);
            };
            let mut fill = || -> ::core::option::Option<()> {
                let mut it = tensors.iter_mut();
                #(#slices)*
                for (r, row) in rows.iter().enumerate() {
                    #dim_state
                    #(#row_views)*
                    #(#serving)*
                    #(#training)*
                    #(#mask_sets)*
                }
                ::core::option::Option::Some(())
            };
            let done = fill().is_some();
            let batch = ::tensorseam::Batch::new(plan.schema.clone(), plan.version, plan.fingerprint.clone(), tensors);
            if done { ::core::result::Result::Ok(batch) } else { ::core::result::Result::Err(::core::option::Option::Some(batch)) }
        }
    }
}
