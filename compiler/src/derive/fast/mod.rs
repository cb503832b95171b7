//! The derive's fast path: generated code that validates and writes every value of a batch into
//! typed buffers, with the schema's parameters as constants and the shared rules' functions for
//! every check and operation (`tensorseam_core`, through `::tensorseam::__private`). On the first
//! invalid value it bails out and the runtime's engine re-runs the batch, so errors are exactly the
//! dynamic path's; values are bit-identical because every operation is the same function call.
//!
//! Its shape keeps release compile time linear in the schema's size: the inputs are cut into
//! groups of at most [`GROUP`], each encoded by one small function over a block of rows (row by
//! row, its inputs' code straight-line, each input's code in `input`), and a short driver calls
//! the groups block by block. An optimizer's cost grows faster than a function's size; many
//! small functions cost what their sum does. Measured (BENCHMARKS.md): one function per input,
//! column at a time, compiled as fast but ran 1.5× slower on the benchmark workload (each
//! column a pass over the rows); groups keep the row-at-a-time speed of one function. Blocks of
//! rows keep each group's reads and writes in cache.

mod input;
mod lookup;

use super::FieldType;
use crate::ir::{Encoding, Input, Role, Schema, TensorAxis, TensorKind, TensorSpec, Transform};
use input::{elem, input_code, measure, shaped};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The most inputs one generated function encodes: small enough that its optimization is cheap,
/// large enough that a schema of a few dozen inputs is one function.
const GROUP: usize = 32;

/// One input's place: its tensor, its field, and where its columns start.
struct Unit<'a> {
    ti: usize,
    spec: &'a TensorSpec,
    input: &'a Input,
    member: &'a TokenStream,
    optional: bool,
    offset: usize,
    text_mask: Option<usize>,
}

/// Whether the fast path covers this schema: every size and offset is known (no `fit`
/// placeholders).
fn covered(schema: &Schema) -> bool {
    schema.specs.iter().all(|t| {
        t.axes.iter().all(|a| !matches!(a, TensorAxis::Fixed(None)))
            && t.parts.iter().all(|p| p.offset.is_some())
    })
}

/// The constant width of one row of a tensor (its axes after the batch), when every axis is
/// fixed.
fn row_width(spec: &TensorSpec) -> Option<usize> {
    spec.axes.iter().skip(1).try_fold(1usize, |w, a| match a {
        TensorAxis::Fixed(Some(n)) => Some(w * *n as usize),
        TensorAxis::Dim { max: Some(m), .. } => Some(w * *m as usize),
        _ => None,
    })
}

/// Whether an input writes every one of its cells (so its columns need no zeroing first).
fn writes_every_cell(input: &Input) -> bool {
    input.shape.is_empty()
        && matches!(
            input.transform,
            Transform::None
                | Transform::Scale { .. }
                | Transform::Encode(
                    Encoding::Index { .. } | Encoding::Hash { .. } | Encoding::Bucketize { .. }
                )
        )
}

/// The `fast` method and the functions it calls (an inherent `impl` of the struct), or nothing
/// when the schema is not covered. `fields[i]` is the member and type of the field for input `i`,
/// if the struct has one.
pub fn method(
    schema: &Schema,
    fields: &[Option<(TokenStream, FieldType)>],
) -> (TokenStream, TokenStream) {
    if !covered(schema) {
        return (TokenStream::new(), TokenStream::new());
    }
    let n_dims = schema.dims.len();
    let uses_dims = schema
        .inputs
        .iter()
        .any(|i| i.shape.iter().any(|a| matches!(a, crate::ir::Axis::Dim(_))));
    let position = |name: &str| schema.inputs.iter().position(|i| i.name == name);
    let mut helpers = Vec::new();
    let mut measures = Vec::new();
    let mut serving: Vec<Unit<'_>> = Vec::new();
    let mut training: Vec<Unit<'_>> = Vec::new();
    let mut missing_training_field = false;
    // Tensors some positions of which no input writes (padding, one-hot zeros): zeroed block by
    // block before they are written.
    let mut needs_zero: Vec<usize> = Vec::new();
    for (ti, spec) in schema.specs.iter().enumerate() {
        let fed: Vec<Option<&Input>> = spec
            .parts
            .iter()
            .map(|p| position(&p.input).map(|i| &schema.inputs[i]))
            .collect();
        let whole = spec.kind != TensorKind::Mask
            && !fed.is_empty()
            && fed.iter().all(|i| i.is_some_and(writes_every_cell));
        if !whole {
            needs_zero.push(ti);
        }
        let is_training = matches!(spec.kind, TensorKind::Label | TensorKind::Weight);
        for part in &spec.parts {
            let Some(index) = position(&part.input) else {
                continue;
            };
            let input = &schema.inputs[index];
            let Some((member, ty)) = &fields[index] else {
                if input.role != Role::Feature {
                    missing_training_field = true;
                }
                continue;
            };
            if let Some(m) = measure(schema, input, member) {
                let name = format_ident!("__tensorseam_measure_{index}");
                helpers.push(quote! {
                    #[inline(never)]
                    fn #name(rows: &[Self], longest: &mut [usize; #n_dims]) {
                        use ::tensorseam::__private as __ts;
                        #m
                    }
                });
                measures.push(quote! { Self::#name(rows, &mut longest); });
            }
            let unit = Unit {
                ti,
                spec,
                input,
                member,
                optional: matches!(ty, FieldType::Option(_)),
                offset: part.offset.unwrap_or(0) as usize,
                text_mask: (!is_training)
                    .then(|| {
                        schema.specs.iter().position(|t| {
                            t.kind == TensorKind::Mask && t.name == format!("{}_mask", input.name)
                        })
                    })
                    .flatten(),
            };
            if is_training {
                training.push(unit);
            } else {
                serving.push(unit);
            }
        }
    }
    let groups: Vec<(&[Unit<'_>], bool)> = serving
        .chunks(GROUP)
        .map(|g| (g, false))
        .chain(training.chunks(1).map(|g| (g, true)))
        .collect();
    let writes =
        |g: &[Unit<'_>], ti: usize| g.iter().any(|u| u.ti == ti || u.text_mask == Some(ti));
    let mut calls = Vec::new();
    for (n, &(group, is_training)) in groups.iter().enumerate() {
        // The tensors this group zeroes: those it is the first to write.
        let first_writer: Vec<usize> = needs_zero
            .iter()
            .copied()
            .filter(|&ti| writes(group, ti) && !groups[..n].iter().any(|(g, _)| writes(g, ti)))
            .collect();
        let alone: Vec<usize> = first_writer
            .iter()
            .copied()
            .filter(|&ti| groups.iter().filter(|(g, _)| writes(g, ti)).count() == 1)
            .collect();
        let (helper, call) = group_fn(schema, n, group, uses_dims, &first_writer, &alone);
        helpers.push(helper);
        calls.push(if is_training {
            quote! { if training { #call } }
        } else {
            call
        });
    }
    // Dim masks: `true` at the kept positions of each record that set the dim.
    let mut mask_code = Vec::new();
    for (ti, spec) in schema.specs.iter().enumerate() {
        if let (TensorKind::Mask, Some(TensorAxis::Dim { name, .. })) =
            (spec.kind, spec.axes.get(1))
        {
            let k = schema
                .dims
                .iter()
                .position(|x| x.name == *name)
                .unwrap_or(0);
            let w = input::axis_size(schema, &spec.axes[1]);
            mask_code.push(quote! {
                let t = __ts::slice::<bool>(&mut tensors.get_mut(#ti)?.1)?;
                let w: usize = #w;
                __ts::zero_rows(t, first, count, n_rows);
                for kb in 0..count {
                    if dim_len[kb * #n_dims + #k] != usize::MAX {
                        let kept = dim_kept[kb * #n_dims + #k].min(w);
                        t[(first + kb) * w..(first + kb) * w + kept].fill(true);
                    }
                }
            });
        }
    }
    let masks = (!mask_code.is_empty()).then(|| {
        helpers.push(quote! {
            #[inline(never)]
            fn __tensorseam_masks(first: usize, count: usize, n_rows: usize, tensors: &mut [(::std::string::String, ::tensorseam::Tensor)], longest: &[usize; #n_dims], dim_len: &[usize], dim_kept: &[usize]) -> ::core::option::Option<()> {
                use ::tensorseam::__private as __ts;
                #(#mask_code)*
                ::core::option::Option::Some(())
            }
        });
        quote! { Self::__tensorseam_masks(first, block.len(), rows.len(), &mut tensors, &longest, &dim_len, &dim_kept)?; }
    });
    let names = schema.specs.iter().map(|t| t.name.as_str());
    let longest = if measures.is_empty() {
        quote! { let longest = [0usize; #n_dims]; }
    } else {
        quote! { let mut longest = [0usize; #n_dims]; #(#measures)* }
    };
    let dim_state = uses_dims.then(|| {
        quote! {
            let mut dim_len = ::std::vec![usize::MAX; __ts::BLOCK_ROWS * #n_dims];
            let mut dim_kept = ::std::vec![0usize; __ts::BLOCK_ROWS * #n_dims];
        }
    });
    let dim_reset = uses_dims.then(|| quote! { dim_len.fill(usize::MAX); });
    let guard = missing_training_field
        .then(|| quote! { if training { return ::core::result::Result::Err(reuse); } });
    let fast = quote! {
        fn fast(rows: &[Self], training: bool, reuse: ::core::option::Option<::tensorseam::Batch>) -> ::core::result::Result<::tensorseam::Batch, ::core::option::Option<::tensorseam::Batch>> {
            use ::tensorseam::__private as __ts;
            #guard
            let plan = <Self as ::tensorseam::ModelInput>::plan();
            #longest
            // Every buffer is written (or zeroed) block by block below: none is zeroed up front.
            let ::core::result::Result::Ok(mut tensors) = __ts::tensors(plan, rows.len(), training, &longest, &[#(#names),*], reuse) else {
                return ::core::result::Result::Err(::core::option::Option::None);
            };
            let mut fill = || -> ::core::option::Option<()> {
                #dim_state
                let mut first = 0usize;
                for block in rows.chunks(__ts::BLOCK_ROWS) {
                    #dim_reset
                    #(#calls)*
                    #masks
                    first += block.len();
                }
                ::core::option::Option::Some(())
            };
            let done = fill().is_some();
            let batch = ::tensorseam::Batch::new(plan.schema.clone(), plan.version, plan.fingerprint.clone(), tensors);
            if done { ::core::result::Result::Ok(batch) } else { ::core::result::Result::Err(::core::option::Option::Some(batch)) }
        }
    };
    (fast, quote! { #(#helpers)* })
}

/// One group's function — its inputs encoded row by row over a block of rows, straight-line —
/// and the driver's call of it. The function takes its own tensors from the batch, and zeroes
/// the block's rows of those it is the first to write (`first_writer`; row by row through the
/// row view when it writes them alone, `alone`).
fn group_fn(
    schema: &Schema,
    n: usize,
    group: &[Unit<'_>],
    uses_dims: bool,
    first_writer: &[usize],
    alone: &[usize],
) -> (TokenStream, TokenStream) {
    let n_dims = schema.dims.len();
    let name = format_ident!("__tensorseam_encode_{n}");
    // The tensors this group writes, each once, in order.
    let mut tensors: Vec<usize> = Vec::new();
    for u in group {
        for t in std::iter::once(u.ti).chain(u.text_mask) {
            if !tensors.contains(&t) {
                tensors.push(t);
            }
        }
    }
    // A tensor written only by this group's scalar inputs is written through a fixed-size view
    // of each row: constant offsets, no bounds check per value.
    let view_of = |ti: usize| -> Option<usize> {
        let writers: Vec<&Unit<'_>> = group.iter().filter(|u| u.ti == ti).collect();
        (!writers.is_empty() && writers.iter().all(|u| u.input.shape.is_empty()))
            .then(|| row_width(&schema.specs[ti]))
            .flatten()
    };
    let indices: Vec<usize> = tensors.clone();
    let bound: Vec<TokenStream> = tensors
        .iter()
        .map(|ti| {
            let t = format_ident!("t{ti}");
            quote! { (_, #t) }
        })
        .collect();
    let mut slices = Vec::new();
    let mut zeroing = Vec::new();
    let mut views = Vec::new();
    for &ti in &tensors {
        let t = format_ident!("t{ti}");
        let e = elem(schema.specs[ti].dtype);
        slices.push(quote! { let #t: &mut [#e] = __ts::slice::<#e>(#t)?; });
        let view = view_of(ti);
        let by_row = alone.contains(&ti) && view.is_some();
        if first_writer.contains(&ti) && !by_row {
            zeroing.push(quote! { __ts::zero_rows(#t, first, rows.len(), n_rows); });
        }
        if let Some(w) = view {
            let v = format_ident!("v{ti}");
            let zero = by_row.then(|| quote! { *#v = [<#e as __ts::FastElem>::ZERO; #w]; });
            views.push(quote! {
                let #v: &mut [#e; #w] = ::core::convert::TryFrom::try_from(#t.get_mut(r * #w..r * #w + #w)?).ok()?;
                #zero
            });
        }
    }
    let mut code = Vec::new();
    for u in group {
        let t = format_ident!("t{}", u.ti);
        let mask = u.text_mask.map(|m| format_ident!("t{m}"));
        let m = u.member;
        let source = quote! { &row.#m };
        let offset = u.offset;
        code.push(if !u.input.shape.is_empty() {
            shaped(schema, u.input, u.member, &t, u.spec, u.offset)
        } else if view_of(u.ti).is_some() {
            input_code(
                u.input,
                &source,
                u.optional,
                &format_ident!("v{}", u.ti),
                u.spec.dtype,
                quote! { #offset },
                mask.as_ref(),
            )
        } else {
            let width = row_width(u.spec).unwrap_or(1);
            input_code(
                u.input,
                &source,
                u.optional,
                &t,
                u.spec.dtype,
                quote! { r * #width + #offset },
                mask.as_ref(),
            )
        });
    }
    // This record's length of each dim, shared by every input of the block.
    let shaped_in_group = group.iter().any(|u| !u.input.shape.is_empty());
    let (dims, dim_params, dim_args) = match (shaped_in_group, uses_dims) {
        (true, true) => (
            quote! {
                let dim_len = &mut dim_len[k * #n_dims..(k + 1) * #n_dims];
                let dim_kept = &mut dim_kept[k * #n_dims..(k + 1) * #n_dims];
            },
            quote! { , longest: &[usize; #n_dims], dim_len: &mut [usize], dim_kept: &mut [usize] },
            quote! { , &longest, &mut dim_len, &mut dim_kept },
        ),
        (true, false) => (
            TokenStream::new(),
            quote! { , longest: &[usize; #n_dims] },
            quote! { , &longest },
        ),
        _ => (TokenStream::new(), TokenStream::new(), TokenStream::new()),
    };
    let helper = quote! {
        #[inline(never)]
        #[allow(unused_variables, clippy::all)]
        fn #name(rows: &[Self], first: usize, n_rows: usize, tensors: &mut [(::std::string::String, ::tensorseam::Tensor)] #dim_params) -> ::core::option::Option<()> {
            use ::tensorseam::__private as __ts;
            let [#(#bound),*] = tensors.get_disjoint_mut([#(#indices),*]).ok()?;
            #(#slices)*
            #(#zeroing)*
            for (k, row) in rows.iter().enumerate() {
                let r = first + k;
                #dims
                #(#views)*
                #(#code)*
            }
            ::core::option::Option::Some(())
        }
    };
    let call = quote! { Self::#name(block, first, rows.len(), &mut tensors #dim_args)?; };
    (helper, call)
}
