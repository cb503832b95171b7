//! `tensors:` declarations, the shared namespace, and resolution of every tensor the model receives
//! (SPEC §2.6, §9 "Masks and tensor order", "Names", "Limits").

use super::ctx::{closest, Ctx};
use crate::codes::Code;
use crate::diag::Diagnostic;
use crate::ir::{
    Axis, DType, Dim, Encoding, Input, Part, Role, Schema, TensorAxis, TensorDecl, TensorKind,
    TensorSpec, Transform,
};
use crate::source::Span;
use crate::tree::{Node, Value};
use std::collections::HashMap;

/// A declared tensor with the places of its name and parts.
pub struct DeclSrc {
    pub decl: TensorDecl,
    pub span: Span,
    pub parts: Vec<Span>,
}

/// The largest element count of one tensor per example (SPEC §9 "Limits").
pub const MAX_ELEMENTS: u128 = 1 << 31;

/// Decodes `tensors:`.
pub fn decls(cx: &mut Ctx<'_>, node: &Node) -> Vec<DeclSrc> {
    let Value::Map(entries) = &node.value else {
        cx.wrong_kind(
            node,
            "tensors",
            "a mapping of tensor names to `{concat: [...]}`",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let named = super::name(
            cx,
            &Node::new(key.span, Value::Str(key.name.clone())),
            "tensor",
        );
        let Some(f) = cx.map(value, &format!("tensor `{}`", key.name), &["concat", "doc"]) else {
            continue;
        };
        let doc = cx.text(&f, "doc");
        let Some(parts) = cx.require(
            &f,
            "concat",
            &format!("tensor `{}`", key.name),
            "write `{concat: [input_a, input_b]}`",
        ) else {
            continue;
        };
        let Value::Seq(items) = &parts.value else {
            cx.wrong_kind(parts, "concat", "a list of input names");
            continue;
        };
        if items.is_empty() {
            cx.report(
                Diagnostic::new(
                    Code::EmptyConcat,
                    parts.span,
                    format!("tensor `{}` concatenates nothing", key.name),
                )
                .label("no inputs")
                .help("list the inputs to concatenate, or remove the tensor"),
            );
            continue;
        }
        let mut names = Vec::new();
        let mut spans = Vec::new();
        for item in items {
            if let Some(s) = cx.string(item, "a concat part") {
                names.push(s.to_string());
                spans.push(item.span);
            }
        }
        if named.is_some() && names.len() == items.len() {
            out.push(DeclSrc {
                decl: TensorDecl {
                    name: key.name.clone(),
                    concat: names,
                    doc,
                },
                span: key.span,
                parts: spans,
            });
        }
    }
    out
}

/// Every name — dims, inputs, tensors and generated masks — is unique (SPEC §9 "Names"). The
/// schema's own name stands apart: a schema `weather` may have a label `weather`.
pub fn namespace(
    cx: &mut Ctx<'_>,
    schema: &Schema,
    dims: &[(Dim, Span)],
    input_spans: &[Span],
    decls: &[DeclSrc],
) {
    let mut names: Vec<(String, Span, String)> = Vec::new();
    for (d, s) in dims {
        names.push((d.name.clone(), *s, format!("dim `{}`", d.name)));
    }
    for (i, s) in schema.inputs.iter().zip(input_spans) {
        names.push((i.name.clone(), *s, format!("input `{}`", i.name)));
    }
    for d in decls {
        names.push((
            d.decl.name.clone(),
            d.span,
            format!("tensor `{}`", d.decl.name),
        ));
    }
    for (d, s) in dims {
        names.push((
            format!("{}_mask", d.name),
            *s,
            format!("the mask of dim `{}`", d.name),
        ));
    }
    for (i, s) in schema.inputs.iter().zip(input_spans) {
        if matches!(
            i.transform,
            Transform::Encode(Encoding::Bytes { .. } | Encoding::Chars { .. })
        ) {
            names.push((
                format!("{}_mask", i.name),
                *s,
                format!("the mask of input `{}`", i.name),
            ));
        }
    }
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (n, (name, span, what)) in names.iter().enumerate() {
        let earlier = *first.entry(name.as_str()).or_insert(n);
        if earlier != n {
            let (_, first_span, first_what) = &names[earlier];
            cx.report(
                Diagnostic::new(
                    Code::NameCollision,
                    *span,
                    format!("`{name}` names both {first_what} and {what}"),
                )
                .label(format!("{what} named here"))
                .with(*first_span, format!("{first_what} named here"))
                .help("dim, input, tensor and mask names share one namespace; rename one"),
            );
        }
    }
}

/// The per-example axes and dtype an input contributes, before concatenation.
fn input_tensor(schema: &Schema, input: &Input) -> (DType, Vec<TensorAxis>) {
    let mut axes: Vec<TensorAxis> = input
        .shape
        .iter()
        .map(|a| match a {
            Axis::Fixed(n) => TensorAxis::Fixed(Some(*n)),
            Axis::Dim(d) => TensorAxis::Dim {
                name: d.clone(),
                max: schema.dim(d).and_then(|d| d.max),
            },
        })
        .collect();
    let dtype = match &input.transform {
        Transform::None => input.dtype,
        Transform::Scale { out, .. } => *out,
        Transform::Encode(e) => {
            match e {
                Encoding::OneHot { categories, .. } => {
                    axes.push(TensorAxis::Fixed(categories.count()))
                }
                Encoding::MultiHot { categories, .. } => {
                    axes.pop();
                    axes.push(TensorAxis::Fixed(categories.count()));
                }
                Encoding::Bytes { max_len, .. } | Encoding::Chars { max_len, .. } => {
                    axes = vec![TensorAxis::Fixed(Some(*max_len))];
                }
                Encoding::Index { .. } | Encoding::Hash { .. } | Encoding::Bucketize { .. } => {}
            }
            e.dtype()
        }
    };
    (dtype, axes)
}

/// The columns an input fills along its tensor's last axis (scalars count as one).
fn part_width(axes: &[TensorAxis]) -> Option<u64> {
    match axes.last() {
        None => Some(1),
        Some(TensorAxis::Fixed(n)) => *n,
        // A named dim is never concatenated along (E0507); alone, the input fills the axis.
        Some(_) => Some(1),
    }
}

/// The parts of a tensor built from `inputs` (with their axes before concatenation), offsets
/// accumulated along the last axis.
fn tensor_parts<'a>(inputs: impl Iterator<Item = (&'a str, &'a [TensorAxis])>) -> Vec<Part> {
    let mut offset = Some(0u64);
    inputs
        .map(|(name, axes)| {
            let width = part_width(axes);
            let part = Part {
                input: name.to_string(),
                offset,
                width,
            };
            offset = offset.zip(width).map(|(o, w)| o + w);
            part
        })
        .collect()
}

/// Elements per example, `None` on overflow. Dynamic dims count as 1 and unfitted sizes as 1:
/// neither is known before data arrives.
fn elements<'a>(sizes: impl IntoIterator<Item = &'a TensorAxis>) -> Option<u128> {
    sizes.into_iter().try_fold(1u128, |acc, a| {
        let n = match a {
            TensorAxis::Batch => 1,
            TensorAxis::Fixed(n) => n.unwrap_or(1),
            TensorAxis::Dim { max, .. } => max.unwrap_or(1),
        };
        acc.checked_mul(u128::from(n))
    })
}

fn too_many(cx: &mut Ctx<'_>, at: Span, what: &str, count: Option<u128>) -> bool {
    match count {
        Some(n) if n <= MAX_ELEMENTS => false,
        _ => {
            let shown = count.map_or("more than 2^128".to_string(), |n| n.to_string());
            cx.report(
                Diagnostic::new(
                    Code::TooManyElements,
                    at,
                    format!("{what} has {shown} elements per example"),
                )
                .label("the limit is 2^31")
                .help("a tensor this large cannot be allocated per example; check the sizes"),
            );
            true
        }
    }
}

/// Resolves every tensor, in SPEC §9 order. `None` when a rule failed (all reported).
pub fn resolve(
    cx: &mut Ctx<'_>,
    schema: &Schema,
    shape_spans: &[Span],
    decls: &[DeclSrc],
    declared: &[String],
) -> Option<Vec<TensorSpec>> {
    let mut ok = true;
    let per_input: Vec<(DType, Vec<TensorAxis>)> = schema
        .inputs
        .iter()
        .map(|i| input_tensor(schema, i))
        .collect();
    // Sizes are reported on the input's `shape` (or its name when it has none).
    for ((input, (_, axes)), span) in schema.inputs.iter().zip(&per_input).zip(shape_spans) {
        let raw: Vec<TensorAxis> = input
            .shape
            .iter()
            .map(|a| match a {
                Axis::Fixed(n) => TensorAxis::Fixed(Some(*n)),
                Axis::Dim(d) => TensorAxis::Dim {
                    name: d.clone(),
                    max: schema.dim(d).and_then(|d| d.max),
                },
            })
            .collect();
        if too_many(
            cx,
            *span,
            &format!("input `{}`", input.name),
            elements(&raw),
        ) || too_many(
            cx,
            *span,
            &format!("the tensor of input `{}`", input.name),
            elements(axes),
        ) {
            ok = false;
        }
    }
    let positions: HashMap<&str, usize> = schema
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| (input.name.as_str(), i))
        .collect();
    let index_of = |name: &str| positions.get(name).copied();
    let declared: std::collections::HashSet<&str> = declared.iter().map(String::as_str).collect();
    let mut consumed: Vec<Option<Span>> = vec![None; schema.inputs.len()];
    let mut specs = Vec::new();
    for d in decls {
        let mut parts: Vec<(usize, Span)> = Vec::new();
        for (part, span) in d.decl.concat.iter().zip(&d.parts) {
            let Some(i) = index_of(part) else {
                ok = false;
                if declared.contains(part.as_str()) {
                    continue; // the input's own errors are already reported
                }
                if cx.full() {
                    // Past the limit only a count is kept: no hint worth computing.
                    cx.report(Diagnostic::new(
                        Code::UnknownConcatInput,
                        *span,
                        String::new(),
                    ));
                    continue;
                }
                let names: Vec<&str> = schema.inputs.iter().map(|i| i.name.as_str()).collect();
                let mut diag = Diagnostic::new(
                    Code::UnknownConcatInput,
                    *span,
                    format!(
                        "tensor `{}` concatenates unknown input `{part}`",
                        d.decl.name
                    ),
                )
                .label("no such input");
                if let Some(c) = closest(part, &names) {
                    diag = diag.help(format!("did you mean `{c}`?"));
                }
                cx.report(diag);
                continue;
            };
            let input = &schema.inputs[i];
            if input.role != Role::Feature {
                cx.report(
                    Diagnostic::new(
                        Code::ConcatRole,
                        *span,
                        format!("{} `{part}` cannot be concatenated", input.role.name()),
                    )
                    .label("not a feature")
                    .help("labels and weights form their own tensors; remove it from the concat"),
                );
                ok = false;
                continue;
            }
            if let Some(first) = consumed[i] {
                cx.report(
                    Diagnostic::new(
                        Code::ConcatTwice,
                        *span,
                        format!("input `{part}` is already part of a tensor"),
                    )
                    .label("used again here")
                    .with(first, "first used here")
                    .help("each input feeds one tensor"),
                );
                ok = false;
                continue;
            }
            consumed[i] = Some(*span);
            parts.push((i, *span));
        }
        if parts.len() != d.decl.concat.len() {
            continue;
        }
        match concat(cx, d, &parts, &per_input) {
            Some((dtype, axes)) => {
                specs.push(TensorSpec {
                    name: d.decl.name.clone(),
                    dtype,
                    axes,
                    kind: TensorKind::Feature,
                    sources: d.decl.concat.clone(),
                    parts: tensor_parts(parts.iter().map(|&(i, _)| {
                        (schema.inputs[i].name.as_str(), per_input[i].1.as_slice())
                    })),
                })
            }
            None => ok = false,
        }
    }
    for (i, input) in schema.inputs.iter().enumerate() {
        if input.role == Role::Feature && consumed[i].is_none() {
            let (dtype, axes) = per_input[i].clone();
            specs.push(TensorSpec {
                name: input.name.clone(),
                dtype,
                parts: tensor_parts(std::iter::once((input.name.as_str(), axes.as_slice()))),
                axes: [vec![TensorAxis::Batch], axes].concat(),
                kind: TensorKind::Feature,
                sources: vec![input.name.clone()],
            });
        }
    }
    // A dim has a mask when it is an axis of some feature tensor: a dim that only `multi_hot`
    // reduces never reaches a tensor, so no mask (SPEC §9).
    for dim in &schema.dims {
        let users: Vec<String> = schema
            .inputs
            .iter()
            .zip(&per_input)
            .filter(|(i, (_, axes))| {
                i.role == Role::Feature
                    && axes
                        .iter()
                        .any(|a| matches!(a, TensorAxis::Dim { name, .. } if *name == dim.name))
            })
            .map(|(i, _)| i.name.clone())
            .collect();
        if !users.is_empty() {
            specs.push(TensorSpec {
                name: format!("{}_mask", dim.name),
                dtype: DType::Bool,
                axes: vec![
                    TensorAxis::Batch,
                    TensorAxis::Dim {
                        name: dim.name.clone(),
                        max: dim.max,
                    },
                ],
                kind: TensorKind::Mask,
                sources: users,
                parts: Vec::new(),
            });
        }
    }
    for input in schema.inputs.iter().filter(|i| i.role == Role::Feature) {
        if let Transform::Encode(
            Encoding::Bytes { max_len, .. } | Encoding::Chars { max_len, .. },
        ) = &input.transform
        {
            specs.push(TensorSpec {
                name: format!("{}_mask", input.name),
                dtype: DType::Bool,
                axes: vec![TensorAxis::Batch, TensorAxis::Fixed(Some(*max_len))],
                kind: TensorKind::Mask,
                sources: vec![input.name.clone()],
                parts: Vec::new(),
            });
        }
    }
    for (i, input) in schema.inputs.iter().enumerate() {
        let kind = match input.role {
            Role::Feature => continue,
            Role::Label => TensorKind::Label,
            Role::Weight => TensorKind::Weight,
        };
        let (dtype, axes) = per_input[i].clone();
        specs.push(TensorSpec {
            name: input.name.clone(),
            dtype,
            parts: tensor_parts(std::iter::once((input.name.as_str(), axes.as_slice()))),
            axes: [vec![TensorAxis::Batch], axes].concat(),
            kind,
            sources: vec![input.name.clone()],
        });
    }
    ok.then_some(specs)
}

fn axis_text(a: &TensorAxis) -> String {
    match a {
        TensorAxis::Batch => "batch".to_string(),
        TensorAxis::Fixed(Some(n)) => n.to_string(),
        TensorAxis::Fixed(None) => "?".to_string(),
        TensorAxis::Dim { name, .. } => name.clone(),
    }
}

fn shape_text(axes: &[TensorAxis]) -> String {
    format!(
        "[{}]",
        axes.iter().map(axis_text).collect::<Vec<_>>().join(", ")
    )
}

/// Concatenation along the last axis; scalars count as `[1]`.
fn concat(
    cx: &mut Ctx<'_>,
    d: &DeclSrc,
    parts: &[(usize, Span)],
    per_input: &[(DType, Vec<TensorAxis>)],
) -> Option<(DType, Vec<TensorAxis>)> {
    let widened = |i: usize| {
        let (dt, axes) = &per_input[i];
        if axes.is_empty() {
            (*dt, vec![TensorAxis::Fixed(Some(1))])
        } else {
            (*dt, axes.clone())
        }
    };
    let (first_i, first_span) = parts[0];
    let (dtype, first_axes) = widened(first_i);
    let lead = first_axes[..first_axes.len() - 1].to_vec();
    let mut ok = true;
    let mut total: Option<u64> = Some(0);
    for &(i, span) in parts {
        let (dt, axes) = widened(i);
        if dt != dtype {
            cx.report(
                Diagnostic::new(Code::ConcatDtype, span, format!("tensor `{}` mixes `{dtype}` and `{dt}`", d.decl.name))
                    .label(format!("this part is `{dt}`"))
                    .with(first_span, format!("this part is `{dtype}`"))
                    .help("concatenated inputs must share one dtype: set `out`, or an encoding's `dtype`, to match"),
            );
            ok = false;
        }
        if axes[..axes.len() - 1] != lead[..] {
            cx.report(
                Diagnostic::new(
                    Code::ConcatAxes,
                    span,
                    format!(
                        "tensor `{}` joins parts of different leading axes",
                        d.decl.name
                    ),
                )
                .label(format!("this part is {}", shape_text(&axes)))
                .with(
                    first_span,
                    format!("this part is {}", shape_text(&first_axes)),
                )
                .help("all axes but the last must match"),
            );
            ok = false;
        }
        match axes.last() {
            Some(TensorAxis::Fixed(n)) => total = total.zip(*n).and_then(|(t, n)| t.checked_add(n)),
            _ => {
                cx.report(
                    Diagnostic::new(Code::ConcatDynamic, span, format!("tensor `{}` would concatenate along a named dim", d.decl.name))
                        .label(format!("the last axis of this part is {}", shape_text(&axes)))
                        .help("concatenate inputs whose last axis is a fixed size, or keep this input as its own tensor"),
                );
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    let unfitted = parts
        .iter()
        .any(|&(i, _)| matches!(widened(i).1.last(), Some(TensorAxis::Fixed(None))));
    let last = if unfitted { None } else { total };
    if !unfitted && total.is_none() {
        too_many(cx, d.span, &format!("tensor `{}`", d.decl.name), None);
        return None;
    }
    let axes: Vec<TensorAxis> =
        [vec![TensorAxis::Batch], lead, vec![TensorAxis::Fixed(last)]].concat();
    if too_many(
        cx,
        d.span,
        &format!("tensor `{}`", d.decl.name),
        elements(&axes),
    ) {
        return None;
    }
    Some((dtype, axes))
}
