//! The columnar fast path over an Arrow record batch: one input at a time, one tight loop over
//! its column, each value taken by the one value rule (`tensorseam::value`) and transformed by
//! the one arithmetic (`tensorseam::scale`, `tensorseam::ops`), written straight into the
//! tensor. It handles what tabular data is — scalar inputs, scaled or encoded — and gives up
//! (`None`) on anything else or on the first value that would be an error; the caller then
//! encodes the chunk with the engine, which reports exactly the errors of every other path (the
//! derive's generated code falls back the same way).

use super::EncodeOptions;
use crate::batch::Batch;
use crate::fast::{tensors, FastElem};
use crate::plan::{InputPlan, Plan, Role, TensorAxis, TensorKind, Transform};
use crate::raw::Raw;
use crate::tensor::Tensor;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayAccessor, ArrowPrimitiveType, PrimitiveArray, RecordBatch};
use arrow_schema::DataType;
use tensorseam_core::ops;
use tensorseam_core::scale;
use tensorseam_core::value::{Leaf, Typed};

/// Whether the fast path can encode `plan`'s active inputs at all.
fn applies(plan: &Plan, opts: &EncodeOptions) -> bool {
    plan.inputs
        .iter()
        .filter(|i| i.role == Role::Feature || opts.training)
        .all(|i| {
            i.shape.is_empty()
                && matches!(
                    i.transform,
                    Transform::None
                        | Transform::Scale { .. }
                        | Transform::OneHot { .. }
                        | Transform::Index { .. }
                        | Transform::Hash { .. }
                        | Transform::Bucketize { .. }
                )
        })
}

/// Where a chunk's columns come from.
pub enum Source<'a> {
    /// An Arrow record batch.
    Arrow(&'a RecordBatch),
    /// CSV records with their header (each cell read by the one CSV cell rule).
    Csv {
        /// The header.
        header: &'a [String],
        /// The records.
        records: &'a super::csv_block::CsvBlock,
    },
    /// JSON Lines records read into cells (one per input, by input position).
    Cells(&'a super::cells::Cells<'a>),
}

impl Source<'_> {
    fn rows(&self) -> usize {
        match self {
            Source::Arrow(b) => b.num_rows(),
            Source::Csv { records, .. } => records.len(),
            Source::Cells(c) => c.len(),
        }
    }

    fn names(&self) -> Vec<&str> {
        match self {
            Source::Arrow(b) => b
                .schema_ref()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect(),
            Source::Csv { header, .. } => header.iter().map(String::as_str).collect(),
            // Records carry their own fields; strict mode never takes this path.
            Source::Cells(_) => Vec::new(),
        }
    }

    fn has(&self, column: &str) -> bool {
        match self {
            Source::Arrow(b) => b.column_by_name(column).is_some(),
            Source::Csv { header, .. } => header.iter().any(|h| h == column),
            // A record without the field has a missing value, not a missing column.
            Source::Cells(_) => true,
        }
    }

    /// Each value of `input`'s column handed to `put` as a leaf.
    fn leaves(
        &self,
        index: usize,
        input: &InputPlan,
        put: &mut impl FnMut(usize, Leaf<'_>) -> Option<()>,
    ) -> Option<()> {
        match self {
            Source::Cells(cells) => (0..cells.len()).try_for_each(|r| {
                put(
                    r,
                    cells.get(r, index).map_or(Leaf::Null, |c| c.kind().leaf()),
                )
            }),
            Source::Arrow(b) => {
                leaves(b.column_by_name(&input.column)?.as_ref(), b.num_rows(), put)
            }
            Source::Csv { header, records } => {
                let c = header.iter().position(|h| *h == input.column)?;
                (0..records.len()).try_for_each(|r| {
                    put(
                        r,
                        super::reader::csv_leaf(records.get(r, c).unwrap_or(""), input.rule.dtype),
                    )
                })
            }
        }
    }
}

/// Encodes a chunk with `plan`, or `None` when the engine must (an input the fast path does not
/// handle, or a value that is an error).
pub fn encode(
    plan: &Plan,
    source: &Source<'_>,
    opts: &EncodeOptions,
    reuse: Option<Batch>,
) -> Option<Batch> {
    if !applies(plan, opts) {
        return None;
    }
    if opts.strict && source.names().iter().any(|n| !plan.columns.contains(*n)) {
        return None;
    }
    let rows = source.rows();
    let mut allocated = tensors(
        plan,
        rows,
        opts.training,
        &vec![0; plan.dims.len()],
        &[],
        reuse,
    )
    .ok()?;
    // Plan tensor index → position among the allocated (labels and weights only when training).
    let mut at = vec![None; plan.tensors.len()];
    let mut next = 0;
    for (t, spec) in plan.tensors.iter().enumerate() {
        if opts.training || !matches!(spec.kind, TensorKind::Label | TensorKind::Weight) {
            at[t] = Some(next);
            next += 1;
        }
    }
    for (index, input) in plan
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.role == Role::Feature || opts.training)
    {
        let (_, tensor) = allocated.get_mut(at[input.tensor]?)?;
        let spec = &plan.tensors[input.tensor];
        let row_stride: usize = spec
            .axes
            .iter()
            .skip(1)
            .map(|a| match a {
                TensorAxis::Fixed(n) => *n,
                _ => 1,
            })
            .product();
        let present = source.has(&input.column);
        if !present
            && !opts
                .allow_missing
                .iter()
                .any(|a| *a == input.name || *a == input.column)
        {
            return None;
        }
        let column = present.then_some(source);
        macro_rules! run {
            ($($variant:ident),*) => {
                match tensor {
                    $(Tensor::$variant(a) => run_input(index, input, column, a.as_slice_mut()?, row_stride, rows),)*
                    Tensor::Bool(a) => run_input(index, input, column, a.as_slice_mut()?, row_stride, rows),
                }
            };
        }
        run!(I8, I16, I32, I64, U8, U16, U32, U64, F32, F64)?;
    }
    Some(Batch::new(
        plan.schema.clone(),
        plan.version,
        plan.fingerprint.clone(),
        allocated,
    ))
}

/// One input's column into its tensor; `None` at the first value the fast path leaves to the
/// engine. Numbers and text the value rule accepts as they are go straight to the transform
/// (`accept_*`, `scale::run_quiet`); anything else — a null, NaN, a fill — takes the rule's full
/// path (`take`), value by value.
fn run_input<T: FastElem>(
    index: usize,
    input: &InputPlan,
    column: Option<&Source<'_>>,
    out: &mut [T],
    row_stride: usize,
    rows: usize,
) -> Option<()> {
    let Some(source) = column else {
        // An allowed-missing column: every row is missing (its fill).
        return (0..rows).try_for_each(|r| general(input, out, r * row_stride, Leaf::Null));
    };
    if let Source::Arrow(batch) = source {
        let col = batch.column_by_name(&input.column)?;
        let (rule, dtype) = (&input.rule, input.rule.dtype);
        let at = |r: usize| r * row_stride;
        macro_rules! numbers {
            ($ty:ty, $conv:expr, $accept:ident, $emit:ident) => {{
                let a = col.as_primitive::<$ty>();
                let values = a.values();
                let nulls = a.nulls();
                let n = rows.min(values.len());
                let slow = |r: usize, out: &mut [T]| {
                    let leaf = if nulls.is_some_and(|x| x.is_null(r)) {
                        Leaf::Null
                    } else {
                        number_leaf(values[r])
                    };
                    general(input, out, at(r), leaf)
                };
                // The most common input — a number scaled — in its own loop: no per-value
                // dispatch on the transform.
                if let Transform::Scale { steps, out_f64 } = &input.transform {
                    for r in 0..n {
                        let quick = if nulls.is_some_and(|x| x.is_null(r)) {
                            None
                        } else {
                            rule.$accept($conv(values[r]))
                                .and_then(|x| scale::run_quiet(steps, f64::from(Wide(x)), *out_f64))
                        };
                        match (quick, out.get_mut(at(r) + input.offset)) {
                            (Some(y), Some(slot)) => *slot = T::from_f64(y),
                            _ => slow(r, out)?,
                        }
                    }
                    return Some(());
                }
                for r in 0..n {
                    let quick = if nulls.is_some_and(|x| x.is_null(r)) {
                        None
                    } else {
                        rule.$accept($conv(values[r]))
                            .and_then(|x| $emit(input, out, at(r), x))
                    };
                    if quick.is_none() {
                        slow(r, out)?;
                    }
                }
                return Some(());
            }};
        }
        use tensorseam_core::value::RawType;
        match (col.data_type(), dtype) {
            (DataType::Float64, RawType::F32 | RawType::F64) => {
                numbers!(Float64Type, |v: f64| v, accept_float, emit_float)
            }
            (DataType::Float32, RawType::F32 | RawType::F64) => {
                numbers!(Float32Type, f64::from, accept_float, emit_float)
            }
            (DataType::Int64, RawType::Int(_)) => {
                numbers!(Int64Type, i128::from, accept_int, emit_int)
            }
            (DataType::Int32, RawType::Int(_)) => {
                numbers!(Int32Type, i128::from, accept_int, emit_int)
            }
            (DataType::Int64, RawType::F32 | RawType::F64) => {
                numbers!(Int64Type, |v: i64| v as f64, accept_float, emit_float)
            }
            (DataType::Utf8, RawType::Str) => {
                return strings(input, col.as_string::<i32>(), out, row_stride, rows)
            }
            (DataType::LargeUtf8, RawType::Str) => {
                return strings(input, col.as_string::<i64>(), out, row_stride, rows)
            }
            (DataType::Utf8View, RawType::Str) => {
                return strings(input, col.as_string_view(), out, row_stride, rows)
            }
            _ => {}
        }
    }
    if let Source::Csv { header, records } = source {
        let c = header.iter().position(|h| *h == input.column)?;
        return csv_column(input, records, c, out, row_stride);
    }
    if let Source::Cells(cells) = source {
        return cells_column(input, cells, index, out, row_stride);
    }
    source.leaves(index, input, &mut |r, leaf| {
        general(input, out, r * row_stride, leaf)
    })
}

/// A CSV column into its input: a cell that is plainly a value of the input's type (text for a
/// `str` input, a JSON-style number for a number input — what [`super::reader::csv_leaf`] would
/// read it as) goes straight to the transform; any other cell takes the full rule.
fn csv_column<T: FastElem>(
    input: &InputPlan,
    records: &super::csv_block::CsvBlock,
    c: usize,
    out: &mut [T],
    row_stride: usize,
) -> Option<()> {
    use tensorseam_core::value::RawType;
    let rule = &input.rule;
    for r in 0..records.len() {
        let at = r * row_stride;
        let cell = records.get(r, c).unwrap_or("");
        let quick = if cell.is_empty() {
            None
        } else {
            match rule.dtype {
                RawType::Str => rule
                    .accept_str(cell)
                    .and_then(|s| emit_str(input, out, at, s)),
                RawType::F32 | RawType::F64 => fractional(cell)
                    .and_then(|f| rule.accept_float(f))
                    .and_then(|x| emit_float(input, out, at, x)),
                RawType::Int(_) => integral(cell)
                    .and_then(|i| rule.accept_int(i))
                    .and_then(|i| emit_int(input, out, at, i)),
                _ => None,
            }
        };
        if quick.is_none() {
            general(input, out, at, super::reader::csv_leaf(cell, rule.dtype))?;
        }
    }
    Some(())
}

/// A column of JSON cells into its input: a number or text of the input's type goes straight to
/// the transform; anything else (null, an absent field, a token, a list) takes the full rule.
fn cells_column<T: FastElem>(
    input: &InputPlan,
    cells: &super::cells::Cells<'_>,
    index: usize,
    out: &mut [T],
    row_stride: usize,
) -> Option<()> {
    use super::cells::Cell;
    let rule = &input.rule;
    for r in 0..cells.len() {
        let at = r * row_stride;
        let cell = cells.get(r, index);
        let quick = match cell {
            Some(Cell::Float(f)) => rule
                .accept_float(*f)
                .and_then(|x| emit_float(input, out, at, x)),
            Some(Cell::Int(i)) => match rule.accept_int(*i) {
                Some(i) => emit_int(input, out, at, i),
                None => None,
            },
            Some(Cell::Str(s)) => rule.accept_str(s).and_then(|s| emit_str(input, out, at, s)),
            _ => None,
        };
        if quick.is_none() {
            general(input, out, at, cell.map_or(Leaf::Null, |c| c.kind().leaf()))?;
        }
    }
    Some(())
}

/// A cell that is a JSON number with a fraction or an exponent, as the float the CSV cell rule
/// reads.
fn fractional(cell: &str) -> Option<f64> {
    let b = cell.as_bytes();
    (b.iter().any(|c| matches!(c, b'.' | b'e' | b'E')) && crate::json::is_json_number(b))
        .then(|| cell.parse().ok())
        .flatten()
}

/// A cell that is a JSON integer, as the integer the CSV cell rule reads.
fn integral(cell: &str) -> Option<i128> {
    let b = cell.as_bytes();
    (!b.iter().any(|c| matches!(c, b'.' | b'e' | b'E')) && crate::json::is_json_number(b))
        .then(|| cell.parse().ok())
        .flatten()
}

/// A text column (any of Arrow's string layouts) into its input's encoding.
fn strings<'a, T: FastElem>(
    input: &InputPlan,
    a: impl ArrayAccessor<Item = &'a str>,
    out: &mut [T],
    row_stride: usize,
    rows: usize,
) -> Option<()> {
    for r in 0..rows.min(a.len()) {
        let at = r * row_stride;
        let quick = if a.is_null(r) {
            None
        } else {
            input
                .rule
                .accept_str(a.value(r))
                .and_then(|s| emit_str(input, out, at, s))
        };
        if quick.is_none() {
            let leaf = if a.is_null(r) {
                Leaf::Null
            } else {
                Leaf::Str(a.value(r))
            };
            general(input, out, at, leaf)?;
        }
    }
    Some(())
}

/// An accepted number as the f64 that enters scaling (an integer's nearest float).
struct Wide<T>(T);

impl From<Wide<f64>> for f64 {
    fn from(x: Wide<f64>) -> f64 {
        x.0
    }
}

impl From<Wide<i128>> for f64 {
    fn from(x: Wide<i128>) -> f64 {
        x.0 as f64
    }
}

/// An Arrow number as the raw value the rule reads.
trait Number: Copy {
    fn leaf(self) -> Leaf<'static>;
}

impl Number for f64 {
    fn leaf(self) -> Leaf<'static> {
        Leaf::Float(self)
    }
}

impl Number for f32 {
    fn leaf(self) -> Leaf<'static> {
        Leaf::Float(self.into())
    }
}

impl Number for i64 {
    fn leaf(self) -> Leaf<'static> {
        Leaf::Int(self.into())
    }
}

impl Number for i32 {
    fn leaf(self) -> Leaf<'static> {
        Leaf::Int(self.into())
    }
}

fn number_leaf(v: impl Number) -> Leaf<'static> {
    v.leaf()
}

/// A float the rule accepted, through the input's transform.
#[inline]
fn emit_float<T: FastElem>(input: &InputPlan, out: &mut [T], at: usize, x: f64) -> Option<()> {
    let at = at + input.offset;
    match &input.transform {
        Transform::None => *out.get_mut(at)? = T::from_f64(x),
        Transform::Scale { steps, out_f64 } => {
            *out.get_mut(at)? = T::from_f64(scale::run_quiet(steps, x, *out_f64)?);
        }
        Transform::Bucketize { boundaries } => {
            *out.get_mut(at)? = T::from_i128(ops::bucketize(boundaries, x).into());
        }
        _ => return None,
    }
    Some(())
}

/// An integer the rule accepted, through the input's transform.
#[inline]
fn emit_int<T: FastElem>(input: &InputPlan, out: &mut [T], at: usize, i: i128) -> Option<()> {
    let at = at + input.offset;
    match &input.transform {
        Transform::None => *out.get_mut(at)? = T::from_i128(i),
        Transform::Scale { steps, out_f64 } => {
            *out.get_mut(at)? = T::from_f64(scale::run_quiet(steps, i as f64, *out_f64)?);
        }
        Transform::Bucketize { boundaries } => {
            *out.get_mut(at)? = T::from_i128(ops::bucketize(boundaries, i as f64).into());
        }
        Transform::OneHot { .. } => *out.get_mut(at + *input.lookup.ints.get(&i)?)? = T::ONE,
        Transform::Index { .. } => {
            *out.get_mut(at)? = T::from_i128(*input.lookup.ints.get(&i)? as i128);
        }
        Transform::Hash { buckets } => {
            *out.get_mut(at)? = T::from_i128(ops::bucket(ops::fnv1a64_int(i), *buckets).into());
        }
        _ => return None,
    }
    Some(())
}

/// Text the rule accepted, through the input's encoding.
#[inline]
fn emit_str<T: FastElem>(input: &InputPlan, out: &mut [T], at: usize, s: &str) -> Option<()> {
    let at = at + input.offset;
    match &input.transform {
        Transform::OneHot { .. } => *out.get_mut(at + *input.lookup.strs.get(s)?)? = T::ONE,
        Transform::Index { .. } => {
            *out.get_mut(at)? = T::from_i128(*input.lookup.strs.get(s)? as i128);
        }
        Transform::Hash { buckets } => {
            *out.get_mut(at)? =
                T::from_i128(ops::bucket(ops::fnv1a64(s.as_bytes()), *buckets).into());
        }
        _ => return None,
    }
    Some(())
}

/// Any value by the rule's full path, then the transform; `None` when it is an error.
fn general<T: FastElem>(input: &InputPlan, out: &mut [T], at: usize, leaf: Leaf<'_>) -> Option<()> {
    let x = input.rule.take(leaf, true, &input.column).ok()?;
    let at = at + input.offset;
    match &input.transform {
        Transform::None => {
            *out.get_mut(at)? = match x {
                Typed::Bool(b) => {
                    if b {
                        T::ONE
                    } else {
                        T::ZERO
                    }
                }
                Typed::Int(i) => T::from_i128(i),
                Typed::Float(f) => T::from_f64(f),
                Typed::Str(_) => return None,
            };
        }
        Transform::Scale { steps, out_f64 } => {
            let y = scale::run(steps, x.as_f64())
                .and_then(|y| scale::finish(y, *out_f64))
                .ok()?;
            *out.get_mut(at)? = T::from_f64(y);
        }
        Transform::OneHot { ignore_unknown } => match lookup(input, x) {
            Some(p) => *out.get_mut(at + p)? = T::ONE,
            None if *ignore_unknown => {}
            None => return None,
        },
        Transform::Index { oov } => {
            let p = match (lookup(input, x), oov) {
                (Some(p), _) => p as u64,
                (None, Some(n)) => {
                    ops::oov_position(input.lookup.k as u64, crate::engine::hash(x), *n)
                }
                (None, None) => return None,
            };
            *out.get_mut(at)? = T::from_i128(p.into());
        }
        Transform::Hash { buckets } => {
            *out.get_mut(at)? = T::from_i128(ops::bucket(crate::engine::hash(x), *buckets).into());
        }
        Transform::Bucketize { boundaries } => {
            *out.get_mut(at)? = T::from_i128(ops::bucketize(boundaries, x.as_f64()).into());
        }
        _ => return None,
    }
    Some(())
}

fn lookup(input: &InputPlan, x: Typed<'_>) -> Option<usize> {
    match x {
        Typed::Str(s) => input.lookup.strs.get(s).copied(),
        Typed::Int(i) => input.lookup.ints.get(&i).copied(),
        Typed::Bool(b) => input.lookup.bools[usize::from(b)],
        Typed::Float(_) => None,
    }
}

/// Each value of a column as the leaf the value rule takes (SPEC §11's type mapping), in one
/// loop per Arrow type.
fn leaves(
    column: &dyn Array,
    rows: usize,
    put: &mut impl FnMut(usize, Leaf<'_>) -> Option<()>,
) -> Option<()> {
    fn prim<T: ArrowPrimitiveType>(
        a: &PrimitiveArray<T>,
        rows: usize,
        put: &mut impl FnMut(usize, Leaf<'_>) -> Option<()>,
        leaf: impl Fn(T::Native) -> Leaf<'static>,
    ) -> Option<()> {
        let values = a.values();
        match a.nulls() {
            None => (0..rows.min(values.len())).try_for_each(|r| put(r, leaf(values[r]))),
            Some(n) => (0..rows.min(values.len())).try_for_each(|r| {
                put(
                    r,
                    if n.is_null(r) {
                        Leaf::Null
                    } else {
                        leaf(values[r])
                    },
                )
            }),
        }
    }
    let int = |v: i128| Leaf::Int(v);
    match column.data_type() {
        DataType::Float64 => prim(column.as_primitive::<Float64Type>(), rows, put, Leaf::Float),
        DataType::Float32 => prim(column.as_primitive::<Float32Type>(), rows, put, |v| {
            Leaf::Float(v.into())
        }),
        DataType::Float16 => prim(column.as_primitive::<Float16Type>(), rows, put, |v| {
            Leaf::Float(v.to_f64())
        }),
        DataType::Int64 => prim(column.as_primitive::<Int64Type>(), rows, put, |v| {
            int(v.into())
        }),
        DataType::Int32 => prim(column.as_primitive::<Int32Type>(), rows, put, |v| {
            int(v.into())
        }),
        DataType::Int16 => prim(column.as_primitive::<Int16Type>(), rows, put, |v| {
            int(v.into())
        }),
        DataType::Int8 => prim(column.as_primitive::<Int8Type>(), rows, put, |v| {
            int(v.into())
        }),
        DataType::UInt64 => prim(column.as_primitive::<UInt64Type>(), rows, put, |v| {
            int(v.into())
        }),
        DataType::UInt32 => prim(column.as_primitive::<UInt32Type>(), rows, put, |v| {
            int(v.into())
        }),
        DataType::UInt16 => prim(column.as_primitive::<UInt16Type>(), rows, put, |v| {
            int(v.into())
        }),
        DataType::UInt8 => prim(column.as_primitive::<UInt8Type>(), rows, put, |v| {
            int(v.into())
        }),
        DataType::Boolean => {
            let a = column.as_boolean();
            (0..rows.min(a.len())).try_for_each(|r| {
                put(
                    r,
                    if a.is_null(r) {
                        Leaf::Null
                    } else {
                        Leaf::Bool(a.value(r))
                    },
                )
            })
        }
        DataType::Utf8 => {
            let a = column.as_string::<i32>();
            (0..rows.min(a.len())).try_for_each(|r| {
                put(
                    r,
                    if a.is_null(r) {
                        Leaf::Null
                    } else {
                        Leaf::Str(a.value(r))
                    },
                )
            })
        }
        DataType::LargeUtf8 => {
            let a = column.as_string::<i64>();
            (0..rows.min(a.len())).try_for_each(|r| {
                put(
                    r,
                    if a.is_null(r) {
                        Leaf::Null
                    } else {
                        Leaf::Str(a.value(r))
                    },
                )
            })
        }
        DataType::Utf8View => {
            let a = column.as_string_view();
            (0..rows.min(a.len())).try_for_each(|r| {
                put(
                    r,
                    if a.is_null(r) {
                        Leaf::Null
                    } else {
                        Leaf::Str(a.value(r))
                    },
                )
            })
        }
        DataType::Dictionary(_, value)
            if matches!(**value, DataType::Utf8 | DataType::LargeUtf8) =>
        {
            let dict = column.as_any_dictionary();
            let keys = dict.normalized_keys();
            let values = dict.values();
            let text = |k: usize| -> Option<&str> {
                match values.data_type() {
                    DataType::Utf8 => Some(values.as_string::<i32>().value(k)),
                    DataType::LargeUtf8 => Some(values.as_string::<i64>().value(k)),
                    _ => None,
                }
            };
            (0..rows.min(keys.len())).try_for_each(|r| {
                if column.is_null(r) || values.is_null(keys[r]) {
                    put(r, Leaf::Null)
                } else {
                    put(r, Leaf::Str(text(keys[r])?))
                }
            })
        }
        // Lists, dates, structs, dictionaries of numbers: the engine's to read and report.
        _ => None,
    }
}
