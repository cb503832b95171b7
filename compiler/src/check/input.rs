//! One input: dtype, shape, role, range, missing, charset, and its transform.

use super::ctx::{closest, one_of, Ctx};
use super::transform;
use super::values::{check_fill, le, scalar};
use crate::codes::Code;
use crate::diag::Diagnostic;
use crate::ir::{Axis, Charset, DType, Dim, Input, Missing, Range, Role, Scalar, Transform};
use crate::source::Span;
use crate::tree::{Key, Node, Value};

const KEYS: &[&str] = &[
    "dtype",
    "column",
    "shape",
    "doc",
    "range",
    "missing",
    "charset",
    "role",
    "deprecated",
    "encode",
    "scale",
    "out",
];

/// The largest shape (SPEC §2.3).
pub const MAX_AXES: usize = 4;

/// Decodes and checks one input; `None` when it has errors (all of them reported).
pub fn input(
    cx: &mut Ctx<'_>,
    key: &Key,
    node: &Node,
    dims: &[(Dim, Span)],
    dim_names: &[String],
) -> Option<Input> {
    let before = cx.diags.iter().filter(|d| d.is_error()).count();
    let f = cx.map(node, &format!("input `{}`", key.name), KEYS)?;
    let dtype = cx
        .require(
            &f,
            "dtype",
            &format!("input `{}`", key.name),
            "add `dtype: f32` (or bool, i8…i64, u8…u64, f64, str)",
        )
        .and_then(|n| dtype(cx, n));
    let shape = f
        .get("shape")
        .map_or(Some(Vec::new()), |n| shape(cx, n, dims, dim_names));
    let role = match f.get("role") {
        None => Some(Role::Feature),
        Some(n) => cx
            .choice(
                n,
                "role",
                &["feature", "label", "weight"],
                Code::InvalidRole,
            )
            .map(|r| match r {
                "label" => Role::Label,
                "weight" => Role::Weight,
                _ => Role::Feature,
            }),
    };
    let doc = cx.text(&f, "doc");
    let deprecated = cx.text(&f, "deprecated");
    let (dtype, shape, role) = (dtype?, shape?, role?);

    let charset = match f.get("charset") {
        None => Charset::Utf8,
        Some(n) => {
            let c = cx.choice(n, "charset", &["utf8", "ascii"], Code::WrongKind);
            if dtype != DType::Str {
                cx.report(
                    Diagnostic::new(
                        Code::CharsetNotStr,
                        f.key_span("charset"),
                        format!("`charset` on a `{dtype}` input"),
                    )
                    .label("only `str` inputs have a charset")
                    .help("remove `charset`"),
                );
            }
            if c == Some("ascii") {
                Charset::Ascii
            } else {
                Charset::Utf8
            }
        }
    };
    let transform = transform_of(cx, &f, &key.name, dtype, &shape, role);
    let range = f.get("range").and_then(|n| range(cx, n, dtype));
    // The column a record or a data file names the input by; its own name needs no saying.
    let column = f
        .get("column")
        .and_then(|n| cx.string(n, "column"))
        .filter(|c| *c != key.name)
        .map(str::to_string);
    let mut input = Input {
        name: key.name.clone(),
        column,
        dtype,
        shape,
        role,
        doc,
        deprecated,
        range,
        missing: Missing::Error,
        charset,
        transform: transform?,
    };
    if role == Role::Weight
        && (!dtype.is_numeric()
            || !input.shape.is_empty()
            || matches!(input.transform, Transform::Encode(_)))
    {
        cx.report(
            Diagnostic::new(
                Code::InvalidRole,
                f.key_span("role"),
                format!("weight `{}` must be a numeric scalar", key.name),
            )
            .label("a weight is one number per example")
            .help("give it a numeric dtype, no shape and no encoding"),
        );
    }
    if let Some(n) = f.get("missing") {
        if let Some(m) = missing(cx, n, &input) {
            input.missing = m;
            if let Some(fill) = n.get("fill") {
                check_fill(cx, &input, fill);
            }
        }
    }
    if let Some(d) = f.get("deprecated") {
        let why = input.deprecated.clone().unwrap_or_default();
        cx.report(
            Diagnostic::new(
                Code::Deprecated,
                d.span,
                format!("input `{}` is deprecated: {why}", key.name),
            )
            .label("deprecated here"),
        );
    }
    let after = cx.diags.iter().filter(|d| d.is_error()).count();
    (after == before).then_some(input)
}

fn dtype(cx: &mut Ctx<'_>, node: &Node) -> Option<DType> {
    let name = cx.string(node, "dtype")?;
    if let Some(d) = DType::from_name(name) {
        return Some(d);
    }
    let alias = match name {
        "float" | "float32" | "single" => Some("f32"),
        "double" | "float64" => Some("f64"),
        "int" | "int64" | "long" => Some("i64"),
        "int32" => Some("i32"),
        "int16" => Some("i16"),
        "int8" => Some("i8"),
        "uint8" | "byte" => Some("u8"),
        "string" | "String" | "text" | "utf8" => Some("str"),
        "boolean" => Some("bool"),
        _ => None,
    };
    let names: Vec<&str> = DType::ALL.iter().map(|d| d.name()).collect();
    let mut d = Diagnostic::new(
        Code::UnknownDtype,
        node.span,
        format!("unknown dtype `{name}`"),
    )
    .label(format!("expected {}", one_of(&names)));
    if let Some(a) = alias.or_else(|| closest(name, &names)) {
        d = d.help(format!("did you mean `{a}`?"));
    }
    cx.report(d);
    None
}

fn shape(
    cx: &mut Ctx<'_>,
    node: &Node,
    dims: &[(Dim, Span)],
    dim_names: &[String],
) -> Option<Vec<Axis>> {
    let Value::Seq(items) = &node.value else {
        cx.wrong_kind(node, "shape", "a list such as `[seq, 4]`");
        return None;
    };
    let mut ok = true;
    if items.len() > MAX_AXES {
        cx.report(
            Diagnostic::new(
                Code::TooManyAxes,
                node.span,
                format!(
                    "a shape has at most {MAX_AXES} entries, this one has {}",
                    items.len()
                ),
            )
            .label("too many entries")
            .help("flatten some axes into one"),
        );
        ok = false;
    }
    let mut axes = Vec::with_capacity(items.len());
    for item in items {
        match &item.value {
            Value::Int(n) if *n > 0 => {
                axes.push(Axis::Fixed(u64::try_from(*n).unwrap_or(u64::MAX)))
            }
            Value::Int(n) => {
                cx.report(
                    Diagnostic::new(
                        Code::ZeroSize,
                        item.span,
                        format!("shape entry {n} is not a positive size"),
                    )
                    .label("sizes start at 1")
                    .help(
                        "remove the entry for a scalar, or use a named dim for a variable length",
                    ),
                );
                ok = false;
            }
            Value::Str(name) => {
                if dims.iter().any(|(d, _)| d.name == *name) {
                    axes.push(Axis::Dim(name.clone()));
                } else if dim_names.contains(name) {
                    ok = false; // declared, but with errors of its own
                } else {
                    let names: Vec<&str> = dims.iter().map(|(d, _)| d.name.as_str()).collect();
                    let mut d = Diagnostic::new(
                        Code::UndeclaredDim,
                        item.span,
                        format!("dim `{name}` is not declared"),
                    )
                    .label("undeclared dim");
                    d = match closest(name, &names) {
                        Some(c) => d.help(format!("did you mean `{c}`?")),
                        None => d.help(format!(
                            "declare it under `dims:`, e.g. `{name}: {{max: 64}}`"
                        )),
                    };
                    cx.report(d);
                    ok = false;
                }
            }
            _ => {
                cx.wrong_kind(item, "a shape entry", "a positive integer or a dim name");
                ok = false;
            }
        }
    }
    ok.then_some(axes)
}

fn transform_of(
    cx: &mut Ctx<'_>,
    f: &super::ctx::Fields<'_>,
    name: &str,
    dtype: DType,
    shape: &[Axis],
    role: Role,
) -> Option<Transform> {
    let (enc, scale, out) = (f.get("encode"), f.get("scale"), f.get("out"));
    if let (Some(_), Some(_)) = (enc, scale) {
        cx.report(
            Diagnostic::new(
                Code::EncodeAndScale,
                f.key_span("scale"),
                format!("input `{name}` has both `encode` and `scale`"),
            )
            .label("scaling here")
            .with(f.key_span("encode"), "encoding here")
            .help("an input is either encoded (categories, text) or scaled (numbers), not both"),
        );
        return None;
    }
    if out.is_some() && scale.is_none() {
        cx.report(
            Diagnostic::new(
                Code::InvalidOut,
                f.key_span("out"),
                "`out` without `scale`".to_string(),
            )
            .label("nothing to write as `out`")
            .help(
                "`out` chooses a scaled input's dtype; an encoding sets `dtype` inside it instead",
            ),
        );
    }
    if let Some(n) = enc {
        return transform::encoding(cx, n, dtype, shape).map(Transform::Encode);
    }
    if let Some(n) = scale {
        if !dtype.is_numeric() {
            cx.report(
                Diagnostic::new(
                    Code::ScaleNotNumeric,
                    f.key_span("scale"),
                    format!("`scale` on a `{dtype}` input"),
                )
                .label("scaling needs numbers")
                .help(if dtype == DType::Str {
                    "encode strings instead, e.g. `encode: {one_hot: {categories: [...]}}`"
                } else {
                    "remove `scale`: booleans pass through as they are"
                }),
            );
            return None;
        }
        let steps = transform::scale(cx, n);
        let out = match out {
            None => Some(DType::F32),
            Some(o) => cx
                .choice(o, "out", &["f32", "f64"], Code::InvalidOut)
                .and_then(DType::from_name),
        };
        return Some(Transform::Scale {
            steps: steps?,
            out: out?,
        });
    }
    if dtype == DType::Str && role != Role::Weight {
        cx.report(
            Diagnostic::new(
                Code::StrNeedsEncoding,
                f.key_span("dtype"),
                format!("`str` input `{name}` has no encoding"),
            )
            .label("strings must be encoded to reach a tensor")
            .help("add `encode:` with one_hot, index, hash, multi_hot, bytes or chars"),
        );
        return None;
    }
    Some(Transform::None)
}

fn range(cx: &mut Ctx<'_>, node: &Node, dtype: DType) -> Option<Range> {
    if !dtype.is_numeric() {
        cx.report(
            Diagnostic::new(
                Code::RangeNotNumeric,
                node.span,
                format!("`range` on a `{dtype}` input"),
            )
            .label("range bounds numbers")
            .help(if dtype == DType::Str {
                "restrict strings with categories or `charset`"
            } else {
                "remove `range`"
            }),
        );
        return None;
    }
    let items = match &node.value {
        Value::Seq(items) if items.len() == 2 => items,
        _ => {
            cx.wrong_kind(node, "range", "a list `[low, high]` (either may be null)");
            return None;
        }
    };
    let mut bound = |n: &Node, which: &str| -> Option<Option<Scalar>> {
        if n.value == Value::Null {
            return Some(None);
        }
        scalar(
            cx,
            n,
            dtype,
            &format!("the {which} bound"),
            Code::InvalidRange,
        )
        .map(Some)
    };
    let lo = bound(&items[0], "lower");
    let hi = bound(&items[1], "upper");
    let (lo, hi) = (lo?, hi?);
    if let (Some(l), Some(h)) = (&lo, &hi) {
        if !le(l, h) {
            cx.report(
                Diagnostic::new(
                    Code::InvalidRange,
                    items[1].span,
                    format!("range upper bound {h} is below the lower bound {l}"),
                )
                .label("below the lower bound")
                .with(items[0].span, "lower bound")
                .help("put the lower bound first"),
            );
            return None;
        }
    }
    Some(Range { lo, hi })
}

fn missing(cx: &mut Ctx<'_>, node: &Node, input: &Input) -> Option<Missing> {
    match &node.value {
        Value::Str(s) if s == "error" => Some(Missing::Error),
        Value::Map(_) => {
            let f = cx.map(node, "`missing`", &["fill"])?;
            let v = cx.require(
                &f,
                "fill",
                "`missing`",
                "write `missing: {fill: <value>}` or `missing: error`",
            )?;
            if !input.shape.is_empty() {
                cx.report(
                    Diagnostic::new(
                        Code::FillOnShaped,
                        node.span,
                        format!("`fill` on shaped input `{}`", input.name),
                    )
                    .label("fill is for scalar inputs")
                    .help(
                        "a missing element inside a shape is always an error; use `missing: error`",
                    ),
                );
                return None;
            }
            scalar(cx, v, input.dtype, "the fill value", Code::InvalidFill).map(Missing::Fill)
        }
        _ => {
            cx.wrong_kind(node, "missing", "`error` or `{fill: <value>}`");
            None
        }
    }
}
