//! Records → validated tensors: the one implementation of SPEC §9 that both the derive's generated
//! code and the dynamic path run, over any [`Record`] of [`Raw`] values. Two passes: the first
//! measures the lengths of dims that pad to the batch's longest; the second validates every value
//! in the order of checks (missing → type → non-finite → charset → range → encoding → transforms)
//! and writes it.

use crate::batch::Batch;
use crate::error::{ErrorCode, ValidationErrors};
use crate::ops;
use crate::plan::{AxisPlan, DimPlan, InputPlan, Plan, Role, TensorKind, Transform};
use crate::raw::{Kind, List, Raw, Record};
use crate::tensor::Tensor;
use std::fmt::Write as _;
use tensorseam_core::scale;
use tensorseam_core::value::{describe, Typed};

/// How to encode.
#[derive(Clone, Debug)]
pub struct EncodeOptions {
    /// Include (and require) labels and weights.
    pub training: bool,
    /// Report fields the schema does not know (`unknown_field`).
    pub strict: bool,
    /// Stop recording errors after this many.
    pub error_limit: usize,
    /// The longest list a dim without `max` may hold (SPEC §10): longer is `too_long`, found
    /// before anything is allocated for it.
    pub max_dim_len: usize,
    /// Inputs (or their columns) a columnar source may lack: their rows get the fill, or a
    /// `missing` error without one. Any other absent column is a `missing_column` error.
    pub allow_missing: Vec<String>,
}

/// The default cap on dims without `max` (the same in the derive, the dynamic path and Python).
pub const DEFAULT_MAX_DIM_LEN: usize = 65_536;

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            training: false,
            strict: false,
            error_limit: crate::DEFAULT_ERROR_LIMIT,
            max_dim_len: DEFAULT_MAX_DIM_LEN,
            allow_missing: Vec::new(),
        }
    }
}

/// A value written to a tensor; cast to the tensor's dtype, which the checker proved holds it.
#[derive(Clone, Copy, Debug)]
enum Out {
    Bool(bool),
    Int(i128),
    Float(f64),
}

macro_rules! put_impl {
    ($t:expr, $i:expr, $v:expr; $($variant:ident: $ty:ty),*) => {
        match $t {
            Tensor::Bool(a) => {
                if let Some(s) = a.as_slice_mut() {
                    s[$i] = match $v { Out::Bool(b) => b, Out::Int(n) => n != 0, Out::Float(f) => f != 0.0 };
                }
            }
            $(Tensor::$variant(a) => {
                if let Some(s) = a.as_slice_mut() {
                    s[$i] = match $v { Out::Bool(b) => u8::from(b) as $ty, Out::Int(n) => n as $ty, Out::Float(f) => f as $ty };
                }
            })*
        }
    };
}

fn put(t: &mut Tensor, i: usize, v: Out) {
    put_impl!(t, i, v; I8: i8, I16: i16, I32: i32, I64: i64, U8: u8, U16: u16, U32: u32, U64: u64, F32: f32, F64: f64);
}

/// One tensor being filled.
struct Target {
    tensor: Tensor,
    strides: Vec<usize>,
}

fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

fn kind(v: Option<&dyn Raw>) -> Kind<'_> {
    v.map_or(Kind::Null, Raw::kind)
}

/// Encodes `rows` with `plan`, reusing `reuse`'s buffers where dtype and shape fit.
///
/// # Errors
/// Every invalid value (up to the limit); no batch is returned then.
pub fn encode<R: Record>(
    plan: &Plan,
    rows: &[R],
    opts: &EncodeOptions,
    reuse: Option<Batch>,
) -> Result<Batch, ValidationErrors> {
    let active = |i: &InputPlan| i.role == Role::Feature || opts.training;
    // Pass 1: dims without `max` pad to the longest value in the batch.
    let mut longest = vec![0usize; plan.dims.len()];
    for row in rows {
        for (index, input) in plan.inputs.iter().enumerate().filter(|(_, i)| active(i)) {
            if let Ok(v) = row.field(index, &input.column) {
                measure(v, &input.shape, &plan.dims, opts.max_dim_len, &mut longest);
            }
        }
    }
    // The batch's buffers, allocated as the derive's generated code allocates them.
    let mut allocated = crate::fast::tensors(plan, rows.len(), opts.training, &longest, &[], reuse)
        .map_err(ValidationErrors::batch_too_large)?
        .into_iter();
    let mut targets = Vec::with_capacity(plan.tensors.len());
    for t in &plan.tensors {
        if !opts.training && matches!(t.kind, TensorKind::Label | TensorKind::Weight) {
            targets.push(None);
            continue;
        }
        let Some((_, tensor)) = allocated.next() else {
            return Err(ValidationErrors::batch_too_large(
                "the plan's tensors changed",
            ));
        };
        targets.push(Some(Target {
            strides: strides(tensor.shape()),
            tensor,
        }));
    }
    let mut enc = Encoder {
        plan,
        targets,
        errors: ValidationErrors::with_limit(opts.error_limit),
        row: 0,
        dim_len: vec![None; plan.dims.len()],
        dim_kept: vec![0; plan.dims.len()],
        max_dim_len: opts.max_dim_len,
    };
    // Reused for every value: the path is only read when an error is reported.
    let mut path = String::new();
    let mut idx = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        enc.row = r;
        enc.dim_len.iter_mut().for_each(|d| *d = None);
        enc.dim_kept.iter_mut().for_each(|d| *d = 0);
        if opts.strict {
            for key in row.unknown_fields(&|k| plan.columns.contains(k)) {
                enc.error(
                    &key,
                    ErrorCode::UnknownField,
                    format!("unknown field `{key}`"),
                );
            }
        }
        for (index, input) in plan.inputs.iter().enumerate().filter(|(_, i)| active(i)) {
            let Ok(value) = row.field(index, &input.column) else {
                enc.error(
                    "",
                    ErrorCode::WrongType,
                    "a record must be an object".to_string(),
                );
                break;
            };
            path.clear();
            // Paths name the value in the record: its column.
            path.push_str(&input.column);
            idx.clear();
            enc.walk(input, value, 0, &mut path, &mut idx);
        }
        enc.dim_masks();
    }
    if !enc.errors.is_empty() {
        return Err(enc.errors);
    }
    let tensors = plan
        .tensors
        .iter()
        .zip(enc.targets)
        .filter_map(|(t, target)| target.map(|x| (t.name.clone(), x.tensor)))
        .collect();
    Ok(Batch::new(
        plan.schema.clone(),
        plan.version,
        plan.fingerprint.clone(),
        tensors,
    ))
}

/// Records the longest list at each dim axis (pass 1). A list over the cap of a dim without `max`
/// is not counted: pass 2 reports it, and nothing is allocated for it.
fn measure(
    v: Option<&dyn Raw>,
    shape: &[AxisPlan],
    dims: &[DimPlan],
    cap: usize,
    longest: &mut [usize],
) {
    let Some((axis, rest)) = shape.split_first() else {
        return;
    };
    if let Kind::List(items) = kind(v) {
        if let AxisPlan::Dim(d) = axis {
            if dims[*d].max.is_none() && items.len() > cap {
                return;
            }
            longest[*d] = longest[*d].max(items.len());
        }
        if !rest.is_empty() {
            for i in 0..items.len() {
                measure(items.get(i), rest, dims, cap, longest);
            }
        }
    }
}

struct Encoder<'p> {
    plan: &'p Plan,
    targets: Vec<Option<Target>>,
    errors: ValidationErrors,
    row: usize,
    /// This example's raw length of each dim, once an input has set it.
    dim_len: Vec<Option<usize>>,
    /// This example's kept (truncated) length of each dim.
    dim_kept: Vec<usize>,
    /// The cap on dims without `max`.
    max_dim_len: usize,
}

impl Encoder<'_> {
    fn error(&mut self, path: &str, code: ErrorCode, message: String) {
        self.errors.push(self.row, path, code, message);
    }

    /// Sets `<dim>_mask[row, 0..kept]` for every dim this example set.
    fn dim_masks(&mut self) {
        for (d, dim) in self.plan.dims.iter().enumerate() {
            let (Some(mask), Some(_)) = (dim.mask, self.dim_len[d]) else {
                continue;
            };
            if let Some(target) = self.targets[mask].as_mut() {
                let base = self.row * target.strides[0];
                let width = target.tensor.shape()[1];
                for p in 0..self.dim_kept[d].min(width) {
                    put(&mut target.tensor, base + p, Out::Bool(true));
                }
            }
        }
    }

    /// Walks the raw value along the input's shape; `idx` holds the output position on each axis.
    fn walk(
        &mut self,
        input: &InputPlan,
        v: Option<&dyn Raw>,
        axis: usize,
        path: &mut String,
        idx: &mut Vec<usize>,
    ) {
        let out_rank = input.shape.len() - usize::from(input.reduces);
        if axis == out_rank {
            if input.reduces {
                self.multi_hot(input, v, path, idx);
            } else {
                self.cell(input, v, path, idx);
            }
            return;
        }
        let Some((items, range)) = self.list(input.shape[axis], v, path) else {
            return;
        };
        for (pos, raw_i) in range.enumerate() {
            let len = path.len();
            let _ = write!(path, "[{raw_i}]");
            idx.push(pos);
            self.walk(input, items.get(raw_i), axis + 1, path, idx);
            idx.pop();
            path.truncate(len);
        }
    }

    /// A list along one axis: its items and the kept range, or `None` after reporting why not.
    fn list<'v>(
        &mut self,
        axis: AxisPlan,
        v: Option<&'v dyn Raw>,
        path: &str,
    ) -> Option<(&'v dyn List, std::ops::Range<usize>)> {
        let items = match kind(v) {
            Kind::List(items) => items,
            Kind::Null => {
                self.error(path, ErrorCode::Missing, format!("`{path}` is missing"));
                return None;
            }
            other => {
                self.error(
                    path,
                    ErrorCode::WrongType,
                    format!("expected a list, found {}", describe(other.leaf())),
                );
                return None;
            }
        };
        let len = items.len();
        match axis {
            AxisPlan::Fixed(n) => {
                if len != n {
                    self.error(
                        path,
                        ErrorCode::WrongLength,
                        format!("expected {n} elements, found {len}"),
                    );
                    return None;
                }
                Some((items, 0..n))
            }
            AxisPlan::Dim(d) => {
                let dim = &self.plan.dims[d];
                if let Some(l) = self.dim_len[d].filter(|l| *l != len) {
                    let name = &dim.name;
                    self.error(
                        path,
                        ErrorCode::DimMismatch,
                        format!("dim `{name}` has length {l} elsewhere in this record, {len} here"),
                    );
                    return None;
                }
                let first = self.dim_len[d].is_none();
                self.dim_len[d] = Some(len);
                if let Some(min) = dim.min.filter(|m| len < *m) {
                    self.error(
                        path,
                        ErrorCode::WrongLength,
                        format!(
                            "dim `{}` needs at least {min} elements, found {len}",
                            dim.name
                        ),
                    );
                    return None;
                }
                let range = match dim.max {
                    None if len > self.max_dim_len => {
                        self.error(
                            path,
                            ErrorCode::TooLong,
                            format!(
                                "{len} elements, longer than the {} allowed for dim `{}`, which has no `max` (raise the cap with --max-dim-len / max_dim_len)",
                                self.max_dim_len, dim.name
                            ),
                        );
                        return None;
                    }
                    None => Some(0..len),
                    Some(max) => ops::kept(len, max, dim.truncate),
                };
                let Some(range) = range else {
                    let max = dim.max.unwrap_or(0);
                    self.error(
                        path,
                        ErrorCode::TooLong,
                        format!("{len} elements, longer than dim `{}` max {max}", dim.name),
                    );
                    return None;
                };
                if first {
                    self.dim_kept[d] = range.len();
                }
                Some((items, range))
            }
        }
    }

    /// The flat index of output value `j` of the cell at `idx` (SPEC §2.6 layout): the input's
    /// local index is `idx` followed by `j` when the encoding adds an axis (`[0]` for a scalar),
    /// and its last entry is shifted by the input's offset in a concat.
    fn flat(&self, input: &InputPlan, idx: &[usize], j: usize) -> Option<usize> {
        let strides = &self.targets[input.tensor].as_ref()?.strides;
        let rank = strides.len();
        let base = self.row * strides[0];
        if rank == 1 {
            return Some(base);
        }
        let n = idx.len() + usize::from(input.enc_axis);
        let local = |k: usize| if k < idx.len() { idx[k] } else { j };
        if n == 0 {
            return Some(base + input.offset * strides[rank - 1]);
        }
        let lead: usize = (0..n - 1).map(|k| local(k) * strides[k + 1]).sum();
        Some(base + lead + (input.offset + local(n - 1)) * strides[rank - 1])
    }

    fn write(&mut self, input: &InputPlan, idx: &[usize], j: usize, v: Out) {
        if let Some(i) = self.flat(input, idx, j) {
            if let Some(target) = self.targets[input.tensor].as_mut() {
                put(&mut target.tensor, i, v);
            }
        }
    }

    /// The value rule (missing → type → non-finite → charset → range). `None` after reporting.
    fn value<'v>(
        &mut self,
        input: &'v InputPlan,
        v: Option<&'v dyn Raw>,
        path: &str,
        scalar_input: bool,
    ) -> Option<Typed<'v>> {
        match input.rule.take(kind(v).leaf(), scalar_input, path) {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(path, e.code, e.message);
                None
            }
        }
    }

    /// One leaf value: validate, encode, write.
    fn cell(&mut self, input: &InputPlan, v: Option<&dyn Raw>, path: &str, idx: &[usize]) {
        let Some(x) = self.value(input, v, path, input.shape.is_empty()) else {
            return;
        };
        match &input.transform {
            Transform::None => {
                let out = match x {
                    Typed::Bool(b) => Out::Bool(b),
                    Typed::Int(i) => Out::Int(i),
                    Typed::Float(f) => Out::Float(f),
                    Typed::Str(_) => return,
                };
                self.write(input, idx, 0, out);
            }
            Transform::Scale { steps, out_f64 } => {
                if let Some(y) = self.scale(steps, *out_f64, x.as_f64(), path) {
                    self.write(input, idx, 0, Out::Float(y));
                }
            }
            other => self.encode(input, other, x, path, idx),
        }
    }

    fn scale(&mut self, steps: &[scale::Step], out_f64: bool, x: f64, path: &str) -> Option<f64> {
        match scale::run(steps, x).and_then(|y| scale::finish(y, out_f64)) {
            Ok(y) => Some(y),
            Err(e) => {
                self.error(path, e.code, e.message);
                None
            }
        }
    }

    fn lookup(input: &InputPlan, x: Typed<'_>) -> Option<usize> {
        match x {
            Typed::Str(s) => input.lookup.strs.get(s).copied(),
            Typed::Int(i) => input.lookup.ints.get(&i).copied(),
            Typed::Bool(b) => input.lookup.bools[usize::from(b)],
            Typed::Float(_) => None,
        }
    }

    fn unknown(&mut self, input: &InputPlan, x: Typed<'_>, path: &str) {
        let k = input.lookup.k;
        self.error(
            path,
            ErrorCode::UnknownCategory,
            format!(
                "{} is not one of the {k} categories: {}",
                x.shown(),
                input.lookup.listed
            ),
        );
    }

    fn encode(
        &mut self,
        input: &InputPlan,
        transform: &Transform,
        x: Typed<'_>,
        path: &str,
        idx: &[usize],
    ) {
        match transform {
            Transform::OneHot { ignore_unknown } => {
                let position = Self::lookup(input, x);
                if position.is_none() && !ignore_unknown {
                    return self.unknown(input, x, path);
                }
                // Buffers start zeroed: only the category's own position is written.
                if let Some(p) = position {
                    self.write(input, idx, p, Out::Bool(true));
                }
            }
            Transform::Index { oov } => {
                let position = match (Self::lookup(input, x), oov) {
                    (Some(p), _) => p as u64,
                    (None, Some(n)) => ops::oov_position(input.lookup.k as u64, hash(x), *n),
                    (None, None) => return self.unknown(input, x, path),
                };
                self.write(input, idx, 0, Out::Int(position.into()));
            }
            Transform::Hash { buckets } => self.write(
                input,
                idx,
                0,
                Out::Int(ops::bucket(hash(x), *buckets).into()),
            ),
            Transform::Bucketize { boundaries } => self.write(
                input,
                idx,
                0,
                Out::Int(ops::bucketize(boundaries, x.as_f64()).into()),
            ),
            Transform::Bytes { max_len, truncate } | Transform::Chars { max_len, truncate } => {
                let Typed::Str(s) = x else { return };
                let bytes = matches!(transform, Transform::Bytes { .. });
                // Buffers start zeroed: write the kept values; padding is already there.
                let kept = if bytes {
                    ops::text_bytes(s, *max_len, *truncate).map(|b| {
                        for (j, v) in b.iter().enumerate() {
                            self.write(input, idx, j, Out::Int((*v).into()));
                        }
                        b.len()
                    })
                } else {
                    ops::text_chars(s, *max_len, *truncate, |j, c| {
                        self.write(input, idx, j, Out::Int(c.into()))
                    })
                };
                let Ok(kept) = kept else {
                    let (n, unit) = if bytes {
                        (s.len(), "bytes")
                    } else {
                        (s.chars().count(), "characters")
                    };
                    return self.error(
                        path,
                        ErrorCode::TooLong,
                        format!("the text is {n} {unit}, longer than `max_len` {max_len}"),
                    );
                };
                if let Some(mask) = input.text_mask.and_then(|m| self.targets[m].as_mut()) {
                    let base = self.row * mask.strides[0];
                    for j in 0..*max_len {
                        put(&mut mask.tensor, base + j, Out::Bool(j < kept));
                    }
                }
            }
            Transform::None | Transform::Scale { .. } | Transform::MultiHot { .. } => {}
        }
    }

    /// `multi_hot`: the list along the last raw axis becomes `k` flags.
    fn multi_hot(
        &mut self,
        input: &InputPlan,
        v: Option<&dyn Raw>,
        path: &mut String,
        idx: &[usize],
    ) {
        let Some(axis) = input.shape.last().copied() else {
            return;
        };
        let Some((items, range)) = self.list(axis, v, path) else {
            return;
        };
        let Transform::MultiHot { ignore_unknown } = &input.transform else {
            return;
        };
        // Buffers start zeroed: set the flag of each category present (once or more).
        for raw_i in range {
            let len = path.len();
            let _ = write!(path, "[{raw_i}]");
            if let Some(x) = self.value(input, items.get(raw_i), path, false) {
                match Self::lookup(input, x) {
                    Some(p) => self.write(input, idx, p, Out::Bool(true)),
                    None if !ignore_unknown => self.unknown(input, x, path),
                    None => {}
                }
            }
            path.truncate(len);
        }
    }
}

/// The FNV-1a hash of a typed value (`hash` and `oov`).
pub(crate) fn hash(x: Typed<'_>) -> u64 {
    match x {
        Typed::Str(s) => ops::fnv1a64(s.as_bytes()),
        Typed::Int(i) => ops::fnv1a64_int(i),
        Typed::Bool(b) => ops::fnv1a64_bool(b),
        Typed::Float(f) => ops::fnv1a64(f.to_string().as_bytes()),
    }
}
