//! `encode:` and `scale:` — each encoding and scaling step with its parameter rules (SPEC §2.4, §2.5, §9).

use super::ctx::{closest, one_of, Ctx, Fields};
use super::values::scalar;
use crate::codes::Code;
use crate::diag::Diagnostic;
use crate::ir::{
    Axis, Categories, DType, Encoding, FitOrder, MinMax, Scalar, Standardize, Step, Truncate,
    Unknown,
};
use crate::source::Span;
use crate::tree::{Node, Value};
use std::collections::HashMap;

const ENCODINGS: &[&str] = &[
    "one_hot",
    "index",
    "hash",
    "multi_hot",
    "bucketize",
    "bytes",
    "chars",
];
const STEPS: &[&str] = &["standardize", "minmax", "affine", "divide", "log1p", "clip"];

/// The single `{name: payload}` entry of an encoding or step written as a mapping.
fn single<'n>(cx: &mut Ctx<'_>, node: &'n Node, what: &str) -> Option<(&'n str, Span, &'n Node)> {
    match &node.value {
        Value::Map(e) if e.len() == 1 => Some((e[0].0.name.as_str(), e[0].0.span, &e[0].1)),
        Value::Map(e) if e.is_empty() => {
            cx.wrong_kind(node, what, "a mapping with one entry");
            None
        }
        Value::Map(e) => {
            cx.report(
                Diagnostic::new(
                    Code::WrongKind,
                    e[1].0.span,
                    format!("`{what}` takes exactly one {what} here"),
                )
                .label("a second entry")
                .with(e[0].0.span, "the first"),
            );
            None
        }
        _ => {
            cx.wrong_kind(node, what, "a mapping like `{name: {...}}`");
            None
        }
    }
}

/// Decodes `encode:` for an input of `dtype` and `shape`.
pub fn encoding(cx: &mut Ctx<'_>, node: &Node, dtype: DType, shape: &[Axis]) -> Option<Encoding> {
    let (name, name_span, params) = single(cx, node, "encode")?;
    if !ENCODINGS.contains(&name) {
        let mut d = Diagnostic::new(
            Code::UnknownEncoding,
            name_span,
            format!("unknown encoding `{name}`"),
        )
        .label(format!("expected {}", one_of(ENCODINGS)));
        if let Some(c) = closest(name, ENCODINGS) {
            d = d.help(format!("did you mean `{c}`?"));
        }
        cx.report(d);
        return None;
    }
    let allowed: &[&str] = match name {
        "one_hot" | "index" | "multi_hot" => &["categories", "unknown", "dtype"],
        "hash" => &["buckets", "dtype"],
        "bucketize" => &["boundaries", "dtype"],
        _ => &["max_len", "truncate", "dtype"],
    };
    let f = cx.map(params, &format!("`{name}`"), allowed)?;
    applies(cx, name, name_span, dtype, shape);
    let out_dtype = |cx: &mut Ctx<'_>, default: DType| match f.get("dtype") {
        None => Some(default),
        Some(n) => {
            let names: Vec<&str> = DType::ALL.iter().map(|d| d.name()).collect();
            cx.choice(n, "dtype", &names, Code::UnknownDtype)
                .and_then(DType::from_name)
        }
    };
    let holds = |cx: &mut Ctx<'_>, out: DType, max: Option<u128>, ints_only: bool| {
        let bad_kind = if ints_only {
            !out.is_int()
        } else {
            out == DType::Str
        };
        let too_small = max.is_some_and(|m| !out.holds(m));
        if bad_kind || too_small {
            let at = f.get("dtype").map_or(name_span, |n| n.span);
            let mut d = Diagnostic::new(
                Code::OutputDtype,
                at,
                format!("`{name}` cannot write its values as `{out}`"),
            );
            d = match (bad_kind, max) {
                (true, _) if ints_only => d.label("an integer dtype is needed"),
                (true, _) => d.label("a float, integer or `bool` dtype is needed"),
                (false, Some(m)) => d.label(format!("values reach {m}")),
                (false, None) => d,
            };
            cx.report(d.help("choose a wider dtype, or leave `dtype` out for the default"));
        }
    };
    Some(match name {
        "one_hot" | "multi_hot" => {
            let categories = categories(cx, &f, dtype, name)?;
            let unknown = unknown(cx, &f, name, false);
            let out = out_dtype(cx, DType::F32)?;
            holds(cx, out, Some(1), false);
            let unknown = unknown?;
            if name == "one_hot" {
                Encoding::OneHot {
                    categories,
                    unknown,
                    dtype: out,
                }
            } else {
                Encoding::MultiHot {
                    categories,
                    unknown,
                    dtype: out,
                }
            }
        }
        "index" => {
            let categories = categories(cx, &f, dtype, name)?;
            let unknown = unknown(cx, &f, name, true)?;
            let out = out_dtype(cx, DType::I64)?;
            let k = match &categories {
                Categories::List(l) => Some(l.len() as u128),
                Categories::Fit { max_categories, .. } => max_categories.map(u128::from),
            };
            let extra = match unknown {
                Unknown::Oov(n) => u128::from(n),
                _ => 0,
            };
            holds(cx, out, k.map(|k| (k + extra).saturating_sub(1)), true);
            Encoding::Index {
                categories,
                unknown,
                dtype: out,
            }
        }
        "hash" => {
            let buckets = cx
                .require(&f, "buckets", "`hash`", "add `buckets: <n>`")
                .and_then(|n| cx.count(n, "buckets"));
            let out = out_dtype(cx, DType::I64)?;
            let buckets = buckets?;
            holds(cx, out, Some(u128::from(buckets) - 1), true);
            Encoding::Hash {
                buckets,
                dtype: out,
            }
        }
        "bucketize" => {
            let boundaries = boundaries(cx, &f);
            let out = out_dtype(cx, DType::I64)?;
            let boundaries = boundaries?;
            holds(cx, out, Some(boundaries.len() as u128), true);
            Encoding::Bucketize {
                boundaries,
                dtype: out,
            }
        }
        _ => {
            let max_len = cx
                .require(&f, "max_len", &format!("`{name}`"), "add `max_len: <n>`")
                .and_then(|n| cx.count(n, "max_len"));
            let truncate = truncate(cx, f.get("truncate"));
            let bytes = name == "bytes";
            let out = out_dtype(cx, if bytes { DType::U8 } else { DType::I32 })?;
            holds(cx, out, Some(if bytes { 255 } else { 0x10FFFF }), true);
            let (max_len, truncate) = (max_len?, truncate?);
            if bytes {
                Encoding::Bytes {
                    max_len,
                    truncate,
                    dtype: out,
                }
            } else {
                Encoding::Chars {
                    max_len,
                    truncate,
                    dtype: out,
                }
            }
        }
    })
}

/// Which raw dtypes and shapes each encoding accepts (SPEC §2.4).
fn applies(cx: &mut Ctx<'_>, name: &str, at: Span, dtype: DType, shape: &[Axis]) {
    let (ok, accepts) = match name {
        "one_hot" | "index" => (
            dtype == DType::Str || dtype == DType::Bool || dtype.is_int(),
            "`str`, integer or `bool`",
        ),
        "hash" => (dtype == DType::Str || dtype.is_int(), "`str` or integer"),
        "multi_hot" => (dtype == DType::Str || dtype.is_int(), "`str` or integer"),
        "bucketize" => (dtype.is_numeric(), "numeric"),
        _ => (dtype == DType::Str, "`str`"),
    };
    if !ok {
        cx.report(
            Diagnostic::new(
                Code::EncodingDtype,
                at,
                format!("`{name}` does not take `{dtype}` inputs"),
            )
            .label(format!("`{name}` takes {accepts} inputs")),
        );
    }
    if name == "multi_hot" && shape.is_empty() {
        cx.report(
            Diagnostic::new(
                Code::EncodingDtype,
                at,
                "`multi_hot` needs a list input".to_string(),
            )
            .label("the input is a scalar")
            .help("give the input a shape such as `shape: [8]` or `shape: [tags]`"),
        );
    }
    if matches!(name, "bytes" | "chars") && !shape.is_empty() {
        cx.report(
            Diagnostic::new(
                Code::EncodingDtype,
                at,
                format!("`{name}` encodes one string per example"),
            )
            .label("the input has a shape")
            .help("remove `shape`, or encode the strings with `index` or `hash`"),
        );
    }
}

/// A category as a hash key, borrowed from the document (categories are strings, integers or
/// booleans; a float never reads as a category).
#[derive(PartialEq, Eq, Hash)]
enum CategoryKey<'a> {
    Str(&'a str),
    Int(i128),
    Bool(bool),
}

impl<'a> CategoryKey<'a> {
    fn of(v: &'a Value) -> Option<CategoryKey<'a>> {
        match v {
            Value::Str(s) => Some(CategoryKey::Str(s)),
            Value::Int(i) => Some(CategoryKey::Int(*i)),
            Value::Bool(b) => Some(CategoryKey::Bool(*b)),
            _ => None,
        }
    }
}

fn categories(cx: &mut Ctx<'_>, f: &Fields<'_>, dtype: DType, enc: &str) -> Option<Categories> {
    let node = cx.require(
        f,
        "categories",
        &format!("`{enc}`"),
        "add `categories: [...]`, or `categories: fit` to fill them from data",
    )?;
    match &node.value {
        Value::Str(s) if s == "fit" => Some(Categories::Fit {
            order: FitOrder::Lexical,
            max_categories: None,
            min_frequency: None,
            include: Vec::new(),
        }),
        Value::Map(_) => {
            let (key, key_span, payload) = single(cx, node, "categories")?;
            if key != "fit" {
                cx.report(
                    Diagnostic::new(Code::UnknownKey, key_span, format!("unknown key `{key}` in `categories`"))
                        .help("write a list of categories, `fit`, or `{fit: {order, max_categories, min_frequency, include}}`"),
                );
                return None;
            }
            if payload.value == Value::Null {
                return Some(Categories::Fit {
                    order: FitOrder::Lexical,
                    max_categories: None,
                    min_frequency: None,
                    include: Vec::new(),
                });
            }
            let o = cx.map(
                payload,
                "`fit`",
                &["order", "max_categories", "min_frequency", "include"],
            )?;
            let include = match o.get("include") {
                None => Some(Vec::new()),
                Some(n) => match &n.value {
                    Value::Seq(items) => category_list(cx, items, dtype),
                    _ => {
                        cx.wrong_kind(n, "include", "a list of categories");
                        None
                    }
                },
            };
            let order = match o.get("order") {
                None => Some(FitOrder::Lexical),
                Some(n) => cx
                    .choice(n, "order", &["lexical", "frequency"], Code::WrongKind)
                    .map(|s| {
                        if s == "frequency" {
                            FitOrder::Frequency
                        } else {
                            FitOrder::Lexical
                        }
                    }),
            };
            let max_categories = o
                .get("max_categories")
                .map(|n| cx.count(n, "max_categories"));
            let min_frequency = o.get("min_frequency").map(|n| cx.count(n, "min_frequency"));
            Some(Categories::Fit {
                order: order?,
                max_categories: max_categories.map_or(Some(None), |v| v.map(Some))?,
                min_frequency: min_frequency.map_or(Some(None), |v| v.map(Some))?,
                include: include?,
            })
        }
        Value::Seq(items) => {
            if items.is_empty() {
                cx.report(
                    Diagnostic::new(
                        Code::EmptyCategories,
                        node.span,
                        "the category list is empty".to_string(),
                    )
                    .label("no categories")
                    .help("list the categories, or write `fit` to fill them from data"),
                );
                return None;
            }
            category_list(cx, items, dtype).map(Categories::List)
        }
        _ => {
            cx.wrong_kind(node, "categories", "a list or `fit`");
            None
        }
    }
}

/// Categories as listed: each of the input's kind, none twice.
fn category_list(cx: &mut Ctx<'_>, items: &[Node], dtype: DType) -> Option<Vec<Scalar>> {
    let mut out: Vec<Scalar> = Vec::with_capacity(items.len());
    // Where each category was first listed: one lookup per item, so a million categories
    // check in linear time.
    let mut first_at: HashMap<CategoryKey, Span> = HashMap::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let Some(v) = scalar(cx, item, dtype, "a category", Code::CategoryKind) else {
            ok = false;
            continue;
        };
        let key = CategoryKey::of(&item.value);
        if let Some(first) = key.as_ref().and_then(|k| first_at.get(k)) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateCategory,
                    item.span,
                    format!("category {v} is listed twice"),
                )
                .label("listed again here")
                .with(*first, "first listed here")
                .help("categories must be unique: each is one position in the tensor"),
            );
            ok = false;
            continue;
        }
        if let Some(k) = key {
            first_at.insert(k, item.span);
        }
        out.push(v);
    }
    ok.then_some(out)
}

fn unknown(cx: &mut Ctx<'_>, f: &Fields<'_>, enc: &str, index: bool) -> Option<Unknown> {
    let Some(node) = f.get("unknown") else {
        return Some(Unknown::Error);
    };
    let policy = match &node.value {
        Value::Str(s) if s == "error" => Unknown::Error,
        Value::Str(s) if s == "ignore" => Unknown::Ignore,
        Value::Map(_) => {
            let (key, key_span, payload) = single(cx, node, "unknown")?;
            if key != "oov" {
                cx.report(
                    Diagnostic::new(
                        Code::InvalidUnknown,
                        key_span,
                        format!("unknown policy `{key}`"),
                    )
                    .label("expected `oov`"),
                );
                return None;
            }
            Unknown::Oov(cx.count(payload, "oov")?)
        }
        _ => {
            cx.wrong_kind(node, "unknown", "`error`, `ignore` or `{oov: n}`");
            return None;
        }
    };
    let fits = match policy {
        Unknown::Error => true,
        Unknown::Ignore => !index,
        Unknown::Oov(_) => index,
    };
    if !fits {
        let help = if index {
            "`index` takes `error` or `{oov: n}` (unknown values share n extra positions)"
        } else {
            "this encoding takes `error` or `ignore` (unknown values give all zeros)"
        };
        cx.report(
            Diagnostic::new(
                Code::InvalidUnknown,
                node.span,
                format!("`{enc}` does not take this `unknown` policy"),
            )
            .label("not valid here")
            .help(help),
        );
        return None;
    }
    Some(policy)
}

fn boundaries(cx: &mut Ctx<'_>, f: &Fields<'_>) -> Option<Vec<f64>> {
    let node = cx.require(
        f,
        "boundaries",
        "`bucketize`",
        "add `boundaries: [b1, b2, ...]`",
    )?;
    let Value::Seq(items) = &node.value else {
        cx.wrong_kind(node, "boundaries", "a list of numbers");
        return None;
    };
    if items.is_empty() {
        cx.report(
            Diagnostic::new(
                Code::EmptyCategories,
                node.span,
                "`boundaries` is empty".to_string(),
            )
            .label("no boundaries"),
        );
        return None;
    }
    let mut out: Vec<f64> = Vec::new();
    let mut prev: Option<(f64, Span)> = None;
    let mut ok = true;
    for item in items {
        let Some(b) = cx.float(item, "boundaries") else {
            ok = false;
            continue;
        };
        if let Some((p, ps)) = prev {
            if b <= p {
                cx.report(
                    Diagnostic::new(
                        Code::BoundariesNotIncreasing,
                        item.span,
                        "bucketize boundaries must be strictly increasing".to_string(),
                    )
                    .label(format!("not above {}", crate::json::number(p)))
                    .with(ps, "the previous boundary")
                    .help("sort the boundaries and remove repeats"),
                );
                ok = false;
            }
        }
        prev = Some((b, item.span));
        out.push(b);
    }
    ok.then_some(out)
}

/// `error`, `right`, `left`.
pub fn truncate(cx: &mut Ctx<'_>, node: Option<&Node>) -> Option<Truncate> {
    let Some(node) = node else {
        return Some(Truncate::Error);
    };
    Some(
        match cx.choice(
            node,
            "truncate",
            &["error", "right", "left"],
            Code::WrongKind,
        )? {
            "right" => Truncate::Right,
            "left" => Truncate::Left,
            _ => Truncate::Error,
        },
    )
}

/// Decodes `scale:` — one step or a list of steps.
pub fn scale(cx: &mut Ctx<'_>, node: &Node) -> Option<Vec<Step>> {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    if items.is_empty() {
        cx.report(
            Diagnostic::new(
                Code::UnknownStep,
                node.span,
                "`scale` lists no steps".to_string(),
            )
            .help("remove `scale`, or list steps such as `[log1p, {standardize: fit}]`"),
        );
        return None;
    }
    let steps: Vec<Option<Step>> = items.into_iter().map(|n| step(cx, n)).collect();
    steps.into_iter().collect()
}

fn step(cx: &mut Ctx<'_>, node: &Node) -> Option<Step> {
    let (name, name_span, params) = match &node.value {
        Value::Str(s) => (s.as_str(), node.span, None),
        _ => {
            let (n, s, p) = single(cx, node, "scale")?;
            (n, s, Some(p))
        }
    };
    if !STEPS.contains(&name) {
        let mut d = Diagnostic::new(
            Code::UnknownStep,
            name_span,
            format!("unknown scaling step `{name}`"),
        )
        .label(format!("expected {}", one_of(STEPS)));
        if let Some(c) = closest(name, STEPS) {
            d = d.help(format!("did you mean `{c}`?"));
        }
        cx.report(d);
        return None;
    }
    let is_fit = params.is_some_and(|p| p.as_str() == Some("fit"));
    let fittable = matches!(name, "standardize" | "minmax");
    if name == "log1p" {
        if let Some(p) = params {
            if !matches!(&p.value, Value::Null)
                && !matches!(&p.value, Value::Map(e) if e.is_empty())
            {
                cx.wrong_kind(p, "log1p", "written without parameters");
                return None;
            }
        }
        return Some(Step::Log1p);
    }
    let Some(params) = params else {
        let example = match name {
            "standardize" => "{standardize: {mean: 0, std: 1}} or {standardize: fit}",
            "minmax" => "{minmax: {min: 0, max: 1}} or {minmax: fit}",
            "affine" => "{affine: {scale: 2, offset: 0}}",
            "divide" => "{divide: {by: 255}}",
            _ => "{clip: {min: 0, max: 1}}",
        };
        cx.report(
            Diagnostic::new(
                Code::MissingKey,
                node.span,
                format!("`{name}` needs parameters"),
            )
            .label("no parameters")
            .help(format!("write `{example}`")),
        );
        return None;
    };
    if is_fit {
        return if fittable {
            Some(if name == "standardize" {
                Step::Standardize(None)
            } else {
                Step::MinMax(None)
            })
        } else {
            cx.report(
                Diagnostic::new(
                    Code::WrongKind,
                    params.span,
                    format!("`{name}` cannot be fitted"),
                )
                .label("`fit` is for `standardize` and `minmax`"),
            );
            None
        };
    }
    let keys: &[&str] = match name {
        "standardize" => &["mean", "std"],
        "minmax" | "clip" => &["min", "max"],
        "affine" => &["scale", "offset"],
        _ => &["by"],
    };
    let f = cx.map(params, &format!("`{name}`"), keys)?;
    let num = |cx: &mut Ctx<'_>, key: &str, required: bool| -> Option<Option<(f64, Span)>> {
        match f.get(key) {
            Some(n) => cx.float(n, key).map(|x| Some((x, n.span))),
            None if required => {
                cx.require(&f, key, &format!("`{name}`"), "");
                None
            }
            None => Some(None),
        }
    };
    match name {
        "standardize" => {
            let mean = num(cx, "mean", true);
            let std = num(cx, "std", true)??;
            if std.0 <= 0.0 {
                cx.report(
                    Diagnostic::new(
                        Code::StdNotPositive,
                        std.1,
                        "std must be positive".to_string(),
                    )
                    .label(format!("std is {}", crate::json::number(std.0)))
                    .help("a constant input carries no information; drop the step or the input"),
                );
                return None;
            }
            Some(Step::Standardize(Some(Standardize {
                mean: mean??.0,
                std: std.0,
            })))
        }
        "minmax" => {
            let min = num(cx, "min", true);
            let max = num(cx, "max", true);
            let (min, max) = (min??, max??);
            if max.0 <= min.0 {
                cx.report(
                    Diagnostic::new(
                        Code::MaxNotAboveMin,
                        max.1,
                        "`max` must be greater than `min`".to_string(),
                    )
                    .label(format!("max is {}", crate::json::number(max.0)))
                    .with(min.1, format!("min is {}", crate::json::number(min.0))),
                );
                return None;
            }
            // A width beyond f64 (`min: -1e308, max: 1e308`) would map every value to 0.
            if !(max.0 - min.0).is_finite() {
                cx.report(
                    Diagnostic::new(
                        Code::NonFiniteParameter,
                        max.1,
                        "`max - min` is not finite: every value would scale to 0".to_string(),
                    )
                    .label(format!(
                        "{} - {} overflows f64",
                        crate::json::number(max.0),
                        crate::json::number(min.0)
                    ))
                    .with(min.1, "min")
                    .help("bring the bounds closer: their difference must be a finite number"),
                );
                return None;
            }
            Some(Step::MinMax(Some(MinMax {
                min: min.0,
                max: max.0,
            })))
        }
        "affine" => {
            let scale = num(cx, "scale", true);
            let offset = num(cx, "offset", true);
            Some(Step::Affine {
                scale: scale??.0,
                offset: offset??.0,
            })
        }
        "divide" => {
            let by = num(cx, "by", true)??;
            if by.0 == 0.0 {
                cx.report(
                    Diagnostic::new(Code::DivideByZero, by.1, "`divide` by zero".to_string())
                        .label("zero"),
                );
                return None;
            }
            Some(Step::Divide(by.0))
        }
        _ => {
            let min = num(cx, "min", false);
            let max = num(cx, "max", false);
            let (min, max) = (min?, max?);
            if min.is_none() && max.is_none() {
                cx.report(
                    Diagnostic::new(
                        Code::InvalidClip,
                        params.span,
                        "`clip` needs `min`, `max` or both".to_string(),
                    )
                    .label("no bounds"),
                );
                return None;
            }
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo.0 > hi.0 {
                    cx.report(
                        Diagnostic::new(
                            Code::InvalidClip,
                            hi.1,
                            "`clip` max is below its min".to_string(),
                        )
                        .label("below min")
                        .with(lo.1, "min"),
                    );
                    return None;
                }
            }
            Some(Step::Clip {
                min: min.map(|m| m.0),
                max: max.map(|m| m.0),
            })
        }
    }
}
