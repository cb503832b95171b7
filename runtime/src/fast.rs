//! Helpers for the derive's specialized fast path. The generated code validates and writes every
//! value itself, a block of rows and one input at a time; on the first invalid value it returns
//! `None`, and the caller re-runs the batch through the engine, which reports exactly the errors
//! the dynamic path would. The engine allocates its buffers with [`tensors`] too.

use crate::batch::Batch;
use crate::plan::{Plan, TensorAxis, TensorKind};
use crate::tensor::{Element, Tensor};

/// An element type the fast path writes, with the casts the checker proved lossless.
pub trait FastElem: Element {
    /// Zero (`false`).
    const ZERO: Self;
    /// One (`true`).
    const ONE: Self;
    /// From a scaled or raw float (already rounded to the tensor's precision).
    fn from_f64(x: f64) -> Self;
    /// From an index, bucket or raw integer that fits.
    fn from_i128(x: i128) -> Self;
}

macro_rules! fast_num {
    ($($t:ty),*) => {$(
        impl FastElem for $t {
            const ZERO: Self = 0 as $t;
            const ONE: Self = 1 as $t;
            fn from_f64(x: f64) -> Self { x as $t }
            fn from_i128(x: i128) -> Self { x as $t }
        }
    )*};
}
fast_num!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl FastElem for bool {
    const ZERO: Self = false;
    const ONE: Self = true;
    fn from_f64(x: f64) -> Self {
        x != 0.0
    }
    fn from_i128(x: i128) -> Self {
        x != 0
    }
}

/// The tensors of a batch of `rows` rows, in plan order (labels and weights only when `training`),
/// reusing `reuse`'s buffers when they fit — the one allocation of a batch, for the engine and
/// the derive's generated code alike. Buffers are zeroed, except reused ones of the tensors in
/// `whole`, which the caller writes (or zeroes) itself. A named dim's axis is its `max`, or
/// `longest[d]` (the batch's longest, measured by the caller) when it has none.
///
/// # Errors
/// A tensor that cannot be allocated, named.
pub fn tensors(
    plan: &Plan,
    rows: usize,
    training: bool,
    longest: &[usize],
    whole: &[&str],
    reuse: Option<Batch>,
) -> Result<Vec<(String, Tensor)>, String> {
    let mut spare = reuse.map(Batch::into_tensors).unwrap_or_default();
    let mut out = Vec::with_capacity(plan.tensors.len());
    for t in &plan.tensors {
        if !training && matches!(t.kind, TensorKind::Label | TensorKind::Weight) {
            continue;
        }
        let shape = t
            .axes
            .iter()
            .map(|a| match a {
                TensorAxis::Batch => Some(rows),
                TensorAxis::Fixed(n) => Some(*n),
                TensorAxis::Dim(d) => plan.dims.get(*d).map(|dim| {
                    dim.max
                        .unwrap_or_else(|| longest.get(*d).copied().unwrap_or(0))
                }),
            })
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| format!("tensor `{}`: a dim the plan does not hold", t.name))?;
        let tensor = match spare.iter().position(|(n, x)| {
            *n == t.name && x.dtype() == t.dtype && x.shape() == shape.as_slice()
        }) {
            Some(i) => {
                let mut x = spare.swap_remove(i).1;
                if !whole.contains(&t.name.as_str()) {
                    x.fill_zero();
                }
                x
            }
            None => Tensor::try_zeros(t.dtype, &shape)
                .map_err(|e| format!("tensor `{}`: {e}", t.name))?,
        };
        out.push((t.name.clone(), tensor));
    }
    Ok(out)
}

/// Rows the generated code encodes at a time, column by column: a block's fields and output stay
/// in cache while each input's function runs over it.
pub const BLOCK_ROWS: usize = 256;

/// Zeroes rows `first..first + count` of a tensor of `rows` rows (its padding and the positions
/// an encoding leaves unset), just before a block is written.
pub fn zero_rows<T: FastElem>(t: &mut [T], first: usize, count: usize, rows: usize) {
    if rows == 0 {
        return;
    }
    let width = t.len() / rows;
    if let Some(s) = t.get_mut(first * width..(first + count) * width) {
        s.fill(T::ZERO);
    }
}

/// A tensor's elements as a mutable slice of `T` (the generated code knows each tensor's dtype).
pub fn slice<T: FastElem>(t: &mut Tensor) -> Option<&mut [T]> {
    T::view_mut(t)?.into_slice()
}
