//! `tensorseam fit`: fills every `fit` placeholder of a schema from data, in one streaming pass.
//!
//! Each value is taken as encoding takes it (SPEC §9): missing values (absent, null, NaN for
//! floats) are skipped and counted; a value encoding would reject (wrong type, outside the range,
//! not ASCII, ±inf) is skipped and counted as invalid. A scaling step is fitted on the value that
//! enters it — after the steps before it (`log1p |> standardize(fit)` fits on `log1p(x)`).

pub mod read;
mod run;
pub mod stats;

pub use run::fit;

use stats::{Counts, Extremes, Key, Moments};
use tensorseam::ops;
use tensorseam_compiler::ir::{
    Categories, Charset, DType, Encoding, FitOrder, MinMax, Scalar, Schema, Standardize, Step,
    Transform,
};
use tensorseam_compiler::Checked;

/// A raw leaf value, as read from CSV or JSON.
#[derive(Clone, Copy, Debug)]
pub enum Leaf<'a> {
    /// Absent or null.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A float (NaN and ±inf included).
    Float(f64),
    /// Text.
    Str(&'a str),
    /// A list or an object where a value belongs.
    Other,
}

#[derive(Clone)]
enum Scale {
    Standardize(Moments),
    MinMax(Extremes),
}

/// One input with `fit` placeholders and what is being learned for it.
#[derive(Clone)]
pub struct Target {
    /// The input's position in the schema.
    pub index: usize,
    /// Its name.
    pub name: String,
    /// Its raw dtype.
    pub dtype: DType,
    /// Its shape's rank (leaves are the elements of nested lists).
    pub rank: usize,
    range: (Option<Scalar>, Option<Scalar>),
    /// The range as floats (for float inputs), worked out once.
    float_range: (f64, f64),
    ascii: bool,
    prefix: Vec<Step>,
    scale: Option<(usize, Scale)>,
    categories: Option<(Counts, FitOrder, Option<u64>, Option<u64>)>,
    /// Missing values skipped.
    pub missing: u64,
    /// Invalid values skipped.
    pub invalid: u64,
}

/// Why a schema cannot be fitted.
#[derive(Debug)]
pub struct FitError(pub Vec<String>);

/// The inputs of `c` that have `fit` placeholders, ready to observe values.
///
/// # Errors
/// When an input has two fitted steps (the second would need the first's parameters: fit twice).
pub fn targets(c: &Checked) -> Result<Vec<Target>, FitError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (index, input) in c.schema().inputs.iter().enumerate() {
        let mut scale = None;
        let mut prefix = Vec::new();
        let mut categories = None;
        match &input.transform {
            Transform::Scale { steps, .. } => {
                let fitted: Vec<usize> = steps
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| matches!(s, Step::Standardize(None) | Step::MinMax(None)))
                    .map(|(i, _)| i)
                    .collect();
                if fitted.len() > 1 {
                    errors.push(format!(
                        "input `{}` has {} `fit` steps; fit the first, write the result, then fit again",
                        input.name,
                        fitted.len()
                    ));
                    continue;
                }
                if let Some(&at) = fitted.first() {
                    prefix = steps[..at].to_vec();
                    let stat = match steps[at] {
                        Step::Standardize(_) => Scale::Standardize(Moments::default()),
                        _ => Scale::MinMax(Extremes::default()),
                    };
                    scale = Some((at, stat));
                }
            }
            Transform::Encode(e) => {
                if let Some((
                    Categories::Fit {
                        order,
                        max_categories,
                        min_frequency,
                    },
                    _,
                )) = e.categories()
                {
                    categories = Some((Counts::default(), *order, *max_categories, *min_frequency));
                }
            }
            _ => {}
        }
        if scale.is_none() && categories.is_none() {
            continue;
        }
        let range = input
            .range
            .as_ref()
            .map_or((None, None), |r| (r.lo.clone(), r.hi.clone()));
        out.push(Target {
            index,
            name: input.name.clone(),
            dtype: input.dtype,
            rank: input.shape.len(),
            float_range: (
                range
                    .0
                    .as_ref()
                    .and_then(as_f64)
                    .unwrap_or(f64::NEG_INFINITY),
                range.1.as_ref().and_then(as_f64).unwrap_or(f64::INFINITY),
            ),
            range,
            ascii: input.charset == Charset::Ascii,
            prefix,
            scale,
            categories,
            missing: 0,
            invalid: 0,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(FitError(errors))
    }
}

fn as_f64(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        _ => None,
    }
}

impl Target {
    /// Adds what `other` (the same input, another part of the data) learned.
    pub fn merge(&mut self, other: Target) {
        self.missing += other.missing;
        self.invalid += other.invalid;
        match (&mut self.scale, other.scale) {
            (Some((_, Scale::Standardize(a))), Some((_, Scale::Standardize(b)))) => a.merge(b),
            (Some((_, Scale::MinMax(a))), Some((_, Scale::MinMax(b)))) => a.merge(b),
            _ => {}
        }
        if let (Some((a, ..)), Some((b, ..))) = (&mut self.categories, other.categories) {
            a.merge(b);
        }
    }

    /// How a scalar CSV cell may skip the general path: `Some(true)` for an `f64` or `i64` input
    /// without a range whose first step is the fitted one (a finite number in a short cell goes
    /// straight to the statistic: nothing to round, check or transform first); `Some(false)` for a
    /// `str` input fitting categories without `charset: ascii` (a non-empty cell is counted as is).
    pub fn plain(&self) -> Option<bool> {
        let numeric = matches!(self.dtype, DType::F64 | DType::I64)
            && self.range == (None, None)
            && self.prefix.is_empty()
            && self.categories.is_none()
            && self.scale.is_some();
        let text = self.dtype == DType::Str && !self.ascii && self.categories.is_some();
        match (self.rank, numeric, text) {
            (0, true, _) => Some(true),
            (0, _, true) => Some(false),
            _ => None,
        }
    }

    /// A non-empty cell of a plain `str` input: exactly what `observe` does with it, shorter.
    #[inline]
    pub fn push_plain_str(&mut self, cell: &[u8]) {
        match (std::str::from_utf8(cell), &mut self.categories) {
            (Ok(s), Some((counts, ..))) => counts.push_str(s),
            _ => self.invalid += 1,
        }
    }

    /// A finite value of a `plain_float` input: exactly what `observe` does with it, shorter.
    #[inline]
    pub fn push_plain(&mut self, x: f64) {
        match &mut self.scale {
            Some((_, Scale::Standardize(m))) => m.push(x),
            Some((_, Scale::MinMax(e))) => e.push(x),
            None => {}
        }
    }

    /// Observes one leaf value.
    pub fn observe(&mut self, v: Leaf<'_>) {
        let missing = match v {
            Leaf::Null => true,
            Leaf::Float(f) => f.is_nan() && self.dtype.is_float(),
            _ => false,
        };
        if missing {
            self.missing += 1;
            return;
        }
        if !self.take(v) {
            self.invalid += 1;
        }
    }

    /// Counts a valid value; `false` when encoding would reject it.
    fn take(&mut self, v: Leaf<'_>) -> bool {
        match (self.dtype, v) {
            (DType::Str, Leaf::Str(s)) => {
                if self.ascii && !s.is_ascii() {
                    return false;
                }
                if let Some((counts, ..)) = &mut self.categories {
                    counts.push_str(s);
                }
                true
            }
            (DType::Bool, Leaf::Bool(b)) => {
                if let Some((counts, ..)) = &mut self.categories {
                    counts.push(Key::Bool(b));
                }
                true
            }
            (d, Leaf::Int(_) | Leaf::Float(_)) if d.is_int() => {
                let i = match v {
                    Leaf::Int(i) => i,
                    Leaf::Float(f) if f.is_finite() && f.fract() == 0.0 => f as i128,
                    _ => return false,
                };
                let (lo, hi) = d.int_bounds().unwrap_or((i128::MIN, i128::MAX));
                let below = matches!(&self.range.0, Some(Scalar::Int(b)) if i < *b);
                let above = matches!(&self.range.1, Some(Scalar::Int(b)) if i > *b);
                if i < lo || i > hi || below || above {
                    return false;
                }
                if let Some((counts, ..)) = &mut self.categories {
                    counts.push(Key::Int(i));
                }
                self.scaled(i as f64)
            }
            (d, Leaf::Int(_) | Leaf::Float(_)) if d.is_float() => {
                let x = match v {
                    Leaf::Int(i) => i as f64,
                    Leaf::Float(f) => f,
                    _ => return false,
                };
                if !x.is_finite() {
                    return false;
                }
                let x = if d == DType::F32 {
                    match ops::raw_f32(x) {
                        Ok(y) => y,
                        Err(_) => return false,
                    }
                } else {
                    x
                };
                if x < self.float_range.0 || x > self.float_range.1 {
                    return false;
                }
                self.scaled(x)
            }
            _ => false,
        }
    }

    /// Feeds the value entering the fitted step.
    fn scaled(&mut self, mut x: f64) -> bool {
        let Some((_, stat)) = &mut self.scale else {
            return true;
        };
        for step in &self.prefix {
            x = match step {
                Step::Standardize(Some(p)) => ops::standardize(x, p.mean, p.std),
                Step::MinMax(Some(p)) => ops::minmax(x, p.min, p.max),
                Step::Affine { scale, offset } => ops::affine(x, *scale, *offset),
                Step::Divide(by) => ops::divide(x, *by),
                Step::Log1p => match ops::log1p(x) {
                    Ok(y) => y,
                    Err(_) => return false,
                },
                Step::Clip { min, max } => ops::clip(x, *min, *max),
                Step::Standardize(None) | Step::MinMax(None) => return false,
            };
        }
        if !x.is_finite() {
            return false;
        }
        match stat {
            Scale::Standardize(m) => m.push(x),
            Scale::MinMax(e) => e.push(x),
        }
        true
    }
}

/// The schema with every placeholder filled.
///
/// # Errors
/// Every input that cannot be fitted, each named with why.
pub fn fitted(schema: &Schema, targets: Vec<Target>) -> Result<Schema, FitError> {
    let mut out = schema.clone();
    let mut errors = Vec::new();
    for t in targets {
        let seen = |t: &Target| {
            if t.missing + t.invalid > 0 {
                format!(
                    " ({} missing and {} invalid values were skipped)",
                    t.missing, t.invalid
                )
            } else {
                String::new()
            }
        };
        let note = seen(&t);
        let input = &mut out.inputs[t.index];
        if let Some((at, stat)) = t.scale {
            let step = match stat {
                Scale::Standardize(mut m) => match m.mean_std() {
                    None => {
                        errors.push(format!("input `{}` has no values to fit{note}", t.name));
                        continue;
                    }
                    Some((mean, std)) if !std.is_finite() || !mean.is_finite() => {
                        errors.push(format!(
                            "input `{}`: its values entering `standardize` are too large for f64 arithmetic (their variance overflows); scale them down first (e.g. `divide`) or use `minmax`{note}",
                            t.name
                        ));
                        continue;
                    }
                    Some((mean, 0.0)) => {
                        errors.push(format!(
                            "input `{}` is constant (every value entering `standardize` is {mean}): its std is 0; drop the step or the input{note}",
                            t.name
                        ));
                        continue;
                    }
                    Some((mean, std)) => Step::Standardize(Some(Standardize { mean, std })),
                },
                Scale::MinMax(e) => match e.get() {
                    None => {
                        errors.push(format!("input `{}` has no values to fit{note}", t.name));
                        continue;
                    }
                    Some((min, max)) if min >= max => {
                        errors.push(format!(
                            "input `{}` is constant (every value entering `minmax` is {min}): `minmax` needs max > min; drop the step or the input{note}",
                            t.name
                        ));
                        continue;
                    }
                    Some((min, max)) => Step::MinMax(Some(MinMax { min, max })),
                },
            };
            if let Transform::Scale { steps, .. } = &mut input.transform {
                steps[at] = step;
            }
        }
        if let Some((counts, order, max, min)) = t.categories {
            if counts.overflowed() {
                errors.push(format!(
                    "input `{}` has more than {} distinct values: too many for a category list (one tensor position each) — encode it with `hash`, or with `index` and `unknown: {{oov: n}}` over a listed subset",
                    t.name,
                    stats::MAX_DISTINCT
                ));
                continue;
            }
            let list = counts.categories(order, max, min);
            if list.is_empty() {
                errors.push(format!(
                    "input `{}` has no categories to fit{}{note}",
                    t.name,
                    if min.is_some() {
                        ": none is frequent enough for `min_frequency`"
                    } else {
                        ""
                    }
                ));
                continue;
            }
            if let Transform::Encode(
                Encoding::OneHot { categories, .. }
                | Encoding::Index { categories, .. }
                | Encoding::MultiHot { categories, .. },
            ) = &mut input.transform
            {
                *categories = Categories::List(list);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(FitError(errors))
    }
}
