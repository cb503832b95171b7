//! Fitting a schema's `fit` placeholders from data (SPEC §1, §11): the statistics and the fitting
//! that `tensorseam fit` runs, as a library. Readers hand over raw values ([`Leaf`]s) input by
//! input; [`Target`]s learn from them in bounded memory and merge across parts of the data;
//! [`fitted`] turns what they learned into the schema's parameters.
//!
//! ```
//! use tensorseam::dynamic::fit::{fitted, targets};
//! use tensorseam::value::Leaf;
//!
//! let (_, out) = tensorseam_compiler::compile_bytes(
//!     "s.seam",
//!     b"schema s v1 { input x: f64 { scale standardize(fit) } }",
//! );
//! let checked = out.checked.expect("valid");
//! let mut t = targets(&checked).expect("fittable");
//! for x in [1.0, 2.0, 3.0, f64::NAN] {
//!     t[0].observe(Leaf::Float(x));
//! }
//! assert_eq!((t[0].missing, t[0].invalid), (1, 0));
//! let schema = fitted(checked.schema(), t).expect("fitted");
//! let text = tensorseam_compiler::emit::seam::write(&schema);
//! assert!(text.contains("standardize(mean: 2, std: 0.816496580927726)"), "{text}");
//! ```
//!
//! Each value is taken by the one value rule (`tensorseam::value`): missing values (absent,
//! null, NaN for floats) are skipped and counted; a value encoding would reject (wrong type,
//! outside the range, not ASCII, ±inf) is skipped and counted as invalid. A scaling step is fitted
//! on the value that enters it — after the steps before it (`log1p |> standardize(fit)` fits on
//! `log1p(x)`), run by the one scaling arithmetic (`tensorseam::scale`).

pub mod stats;

use stats::{Counts, Extremes, Key, Moments};
use tensorseam_compiler::ir::{
    Categories, DType, Encoding, FitOrder, MinMax, Schema, Standardize, Step, Transform,
};
use tensorseam_compiler::Checked;
use tensorseam_core::scale;
pub use tensorseam_core::value::Leaf;
use tensorseam_core::value::{Typed, ValueRule};

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
    /// How each raw value is taken (the fill is never fitted on: a missing value is skipped).
    rule: ValueRule,
    /// The steps before the fitted one, fitted themselves.
    prefix: Vec<scale::Step>,
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
                    prefix = steps[..at].iter().filter_map(Step::fitted).collect();
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
        out.push(Target {
            index,
            name: input.name.clone(),
            dtype: input.dtype,
            rank: input.shape.len(),
            rule: input.value_rule(),
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
            && self.rule.range.is_none()
            && self.prefix.is_empty()
            && self.categories.is_none()
            && self.scale.is_some();
        let text = self.dtype == DType::Str && !self.rule.ascii && self.categories.is_some();
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
        if self.rule.is_missing(v) {
            self.missing += 1;
            return;
        }
        if !self.take(v) {
            self.invalid += 1;
        }
    }

    /// Counts a value the value rule accepts; `false` when encoding would reject it.
    fn take(&mut self, v: Leaf<'_>) -> bool {
        let Ok(t) = self.rule.take(v, false, &self.name) else {
            return false;
        };
        if let Some((counts, ..)) = &mut self.categories {
            match t {
                Typed::Str(s) => counts.push_str(s),
                Typed::Bool(b) => counts.push(Key::Bool(b)),
                Typed::Int(i) => counts.push(Key::Int(i)),
                Typed::Float(_) => return false,
            }
            return true;
        }
        self.scaled(t.as_f64())
    }

    /// Feeds the value entering the fitted step.
    fn scaled(&mut self, x: f64) -> bool {
        let Some((_, stat)) = &mut self.scale else {
            return true;
        };
        let Ok(x) = scale::run(&self.prefix, x) else {
            return false;
        };
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
