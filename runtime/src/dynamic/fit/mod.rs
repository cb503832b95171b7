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

pub mod exchange;
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

/// A category list being fitted: the counts and the options.
#[derive(Clone)]
struct Fitting {
    counts: Counts,
    order: FitOrder,
    max: Option<u64>,
    min: Option<u64>,
    include: Vec<Key>,
}

/// One input with `fit` placeholders and what is being learned for it.
#[derive(Clone)]
pub struct Target {
    /// The input's position in the schema.
    pub index: usize,
    /// Its name.
    pub name: String,
    /// The record field or data column it reads.
    pub column: String,
    /// Its raw dtype.
    pub dtype: DType,
    /// Its shape's rank (leaves are the elements of nested lists).
    pub rank: usize,
    /// How each raw value is taken (the fill is never fitted on: a missing value is skipped).
    rule: ValueRule,
    /// The steps before the fitted one, fitted themselves.
    prefix: Vec<scale::Step>,
    scale: Option<(usize, Scale)>,
    categories: Option<Fitting>,
    /// Missing values skipped.
    pub missing: u64,
    /// Invalid values skipped.
    pub invalid: u64,
    /// Values taken into the statistic.
    pub taken: u64,
    /// The row being read (readers set it, so a skipped value can be named by its row).
    pub row: u64,
    /// The first invalid value: its row and why (`wrong_type: expected …, found …`).
    pub first_invalid: Option<(u64, String)>,
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
                        include,
                    },
                    _,
                )) = e.categories()
                {
                    categories = Some(Fitting {
                        counts: Counts::default(),
                        order: *order,
                        max: *max_categories,
                        min: *min_frequency,
                        include: include.iter().filter_map(Key::of).collect(),
                    });
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
            column: input.column().to_string(),
            dtype: input.dtype,
            rank: input.shape.len(),
            rule: input.value_rule(),
            prefix,
            scale,
            categories,
            missing: 0,
            invalid: 0,
            taken: 0,
            row: 0,
            first_invalid: None,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(FitError(errors))
    }
}

impl Target {
    /// Adds what `other` (the same input, the part of the data that follows `rows_before` rows)
    /// learned.
    pub fn merge(&mut self, other: Target, rows_before: u64) {
        self.missing += other.missing;
        self.invalid += other.invalid;
        self.taken += other.taken;
        if self.first_invalid.is_none() {
            self.first_invalid = other
                .first_invalid
                .map(|(row, why)| (row + rows_before, why));
        }
        match (&mut self.scale, other.scale) {
            (Some((_, Scale::Standardize(a))), Some((_, Scale::Standardize(b)))) => a.merge(b),
            (Some((_, Scale::MinMax(a))), Some((_, Scale::MinMax(b)))) => a.merge(b),
            _ => {}
        }
        if let (Some(a), Some(b)) = (&mut self.categories, other.categories) {
            a.counts.merge(b.counts);
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
            (Ok(s), Some(f)) => {
                f.counts.push_str(s);
                self.taken += 1;
            }
            _ => self.reject(|| "wrong_type: the cell is not UTF-8 text".to_string()),
        }
    }

    /// What this target learned, as the `inputs` entry of a statistics file (SPEC §12).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let mut v = json!({
            "missing": self.missing,
            "invalid": self.invalid,
            "taken": self.taken,
            "first_invalid": self.first_invalid.as_ref().map(|(row, why)| json!([row, why])),
        });
        match &self.scale {
            Some((_, Scale::Standardize(m))) => {
                let (count, mean, m2) = m.state();
                v["moments"] = json!({"count": count, "mean": mean, "m2": m2});
            }
            Some((_, Scale::MinMax(e))) => {
                v["extremes"] = match e.get() {
                    Some((min, max)) => json!({"min": min, "max": max}),
                    None => serde_json::Value::Null,
                };
            }
            None => {}
        }
        if let Some(f) = &self.categories {
            let (entries, dropped) = f.counts.entries();
            v["counts"] = serde_json::Value::Array(
                entries
                    .into_iter()
                    .map(|(k, n)| json!([exchange::key_json(&k), n]))
                    .collect(),
            );
            v["dropped"] = json!(dropped);
        }
        v
    }

    /// Adds what a statistics file's entry for this input says (a partition that follows
    /// `rows_before` rows).
    ///
    /// # Errors
    /// An entry that does not hold this input's statistic.
    pub fn absorb_json(&mut self, v: &serde_json::Value, rows_before: u64) -> Result<(), String> {
        let count = |key: &str| v.get(key).and_then(serde_json::Value::as_u64).unwrap_or(0);
        let mut other = self.clone();
        other.missing = count("missing");
        other.invalid = count("invalid");
        other.taken = count("taken");
        other.first_invalid = v
            .get("first_invalid")
            .and_then(|f| Some((f.get(0)?.as_u64()?, f.get(1)?.as_str()?.to_string())));
        let number = |o: &serde_json::Value, key: &str| -> Result<f64, String> {
            // JSON has no NaN or infinity: a statistic too large for f64 was written as null.
            match o.get(key) {
                Some(serde_json::Value::Null) => Ok(f64::INFINITY),
                Some(x) => x.as_f64().ok_or_else(|| format!("`{key}` is not a number")),
                None => Err(format!("no `{key}`")),
            }
        };
        match &mut other.scale {
            Some((_, Scale::Standardize(m))) => {
                let o = v
                    .get("moments")
                    .ok_or("no `moments` (a `standardize` statistic)")?;
                let n = o
                    .get("count")
                    .and_then(serde_json::Value::as_u64)
                    .ok_or("no `count`")?;
                *m = if n == 0 {
                    Moments::default()
                } else {
                    Moments::from_state(n, number(o, "mean")?, number(o, "m2")?)
                };
            }
            Some((_, Scale::MinMax(e))) => {
                let o = v
                    .get("extremes")
                    .ok_or("no `extremes` (a `minmax` statistic)")?;
                *e = if o.is_null() {
                    Extremes::default()
                } else {
                    Extremes::from_range(Some((number(o, "min")?, number(o, "max")?)))
                };
            }
            None => {}
        }
        if let Some(f) = &mut other.categories {
            let entries = v
                .get("counts")
                .and_then(serde_json::Value::as_array)
                .ok_or("no `counts` (a category statistic)")?;
            f.counts = Counts::default();
            for e in entries {
                let (Some(k), Some(n)) = (
                    e.get(0).and_then(exchange::key_of),
                    e.get(1).and_then(serde_json::Value::as_u64),
                ) else {
                    return Err(format!("a count that is not `[value, n]`: {e}"));
                };
                f.counts.add_count(k, n);
            }
            f.counts.add_dropped(count("dropped"));
        }
        self.merge(other, rows_before);
        Ok(())
    }

    /// Counts a value encoding would reject; the first is kept with its row and why.
    pub fn reject(&mut self, why: impl FnOnce() -> String) {
        self.invalid += 1;
        if self.first_invalid.is_none() {
            self.first_invalid = Some((self.row, why()));
        }
    }

    /// The share of this input's values that were invalid (0 without values).
    pub fn invalid_fraction(&self) -> f64 {
        let all = self.missing + self.invalid + self.taken;
        if all == 0 {
            0.0
        } else {
            self.invalid as f64 / all as f64
        }
    }

    /// "skipped 282 of 406 values as invalid (first at row 0: wrong_type: …)", or `None` when
    /// nothing was invalid; missing values, which `fit` skips by design, are counted too.
    pub fn skipped(&self) -> Option<String> {
        if self.missing + self.invalid == 0 {
            return None;
        }
        let all = self.missing + self.invalid + self.taken;
        let mut parts = Vec::new();
        if self.invalid > 0 {
            let first = self
                .first_invalid
                .as_ref()
                .map_or_else(String::new, |(row, why)| {
                    format!(" (first at row {row}: {why})")
                });
            parts.push(format!(
                "{} of {all} values as invalid{first}",
                self.invalid
            ));
        }
        if self.missing > 0 {
            let values = if parts.is_empty() { " values" } else { "" };
            parts.push(format!("{} of {all}{values} as missing", self.missing));
        }
        Some(format!(
            "input `{}`: skipped {}",
            self.name,
            parts.join(", and ")
        ))
    }

    /// A finite value of a `plain_float` input: exactly what `observe` does with it, shorter.
    #[inline]
    pub fn push_plain(&mut self, x: f64) {
        self.taken += 1;
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
        match self.take(v) {
            Ok(()) => self.taken += 1,
            Err(why) => self.reject(|| why),
        }
    }

    /// Counts a value the value rule accepts; why encoding would reject it otherwise.
    fn take(&mut self, v: Leaf<'_>) -> Result<(), String> {
        let t = self
            .rule
            .take(v, false, &self.column)
            .map_err(|r| format!("{}: {}", r.code, r.message))?;
        if let Some(f) = &mut self.categories {
            match t {
                Typed::Str(s) => f.counts.push_str(s),
                Typed::Bool(b) => f.counts.push(Key::Bool(b)),
                Typed::Int(i) => f.counts.push(Key::Int(i)),
                Typed::Float(_) => return Err("wrong_type: a float category".to_string()),
            }
            return Ok(());
        }
        self.scaled(t.as_f64())
    }

    /// Feeds the value entering the fitted step.
    fn scaled(&mut self, x: f64) -> Result<(), String> {
        let Some((_, stat)) = &mut self.scale else {
            return Ok(());
        };
        let x = scale::run(&self.prefix, x).map_err(|e| format!("{}: {}", e.code, e.message))?;
        if !x.is_finite() {
            return Err(format!(
                "non_finite: {x} after the steps before the fitted one"
            ));
        }
        match stat {
            Scale::Standardize(m) => m.push(x),
            Scale::MinMax(e) => e.push(x),
        }
        Ok(())
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
        if let Some(Fitting {
            counts,
            order,
            max,
            min,
            include,
        }) = t.categories
        {
            if counts.overflowed() {
                errors.push(format!(
                    "input `{}` has more than {} distinct values: too many for a category list (one tensor position each) — encode it with `hash`, or with `index` and `unknown: {{oov: n}}` over a listed subset",
                    t.name,
                    stats::MAX_DISTINCT
                ));
                continue;
            }
            let list = counts.categories(order, max, min, &include);
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
