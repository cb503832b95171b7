//! Scaling steps applied to a value, exactly as SPEC §2.5 writes them: in f64, one operation per
//! step, the result rounded once to the output dtype. The engine, `fit` (for the steps before a
//! fitted one), the checker's fill rule and the derive's generated code all run this.

use crate::code::ErrorCode;
use crate::ops;
use crate::value::Reject;

/// One fitted scaling step.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Step {
    Standardize { mean: f64, std: f64 },
    MinMax { min: f64, max: f64 },
    Affine { scale: f64, offset: f64 },
    Divide(f64),
    Log1p,
    Clip { min: Option<f64>, max: Option<f64> },
}

impl Step {
    /// The step applied to `x`.
    ///
    /// # Errors
    /// `out_of_range` when `log1p` receives a value at or below -1.
    #[inline]
    pub fn apply(&self, x: f64) -> Result<f64, Reject> {
        self.compute(x).map_err(|code| Reject {
            code,
            message: format!("`log1p` needs a value above -1, and it receives {x:?}"),
        })
    }

    /// The arithmetic alone (only `log1p` can fail).
    #[inline]
    fn compute(&self, x: f64) -> Result<f64, ErrorCode> {
        Ok(match *self {
            Step::Standardize { mean, std } => ops::standardize(x, mean, std),
            Step::MinMax { min, max } => ops::minmax(x, min, max),
            Step::Affine { scale, offset } => ops::affine(x, scale, offset),
            Step::Divide(by) => ops::divide(x, by),
            Step::Log1p => ops::log1p(x)?,
            Step::Clip { min, max } => ops::clip(x, min, max),
        })
    }
}

/// Every step in order, then the rounding to the output dtype; `None` where [`run`] or
/// [`finish`] would report an error (the caller takes the reporting path for that value).
#[inline]
pub fn run_quiet(steps: &[Step], mut x: f64, out_f64: bool) -> Option<f64> {
    for step in steps {
        x = step.compute(x).ok()?;
    }
    if out_f64 {
        ops::finish_f64(x).ok()
    } else {
        ops::finish_f32(x).ok().map(f64::from)
    }
}

/// Every step in order.
///
/// # Errors
/// As [`Step::apply`].
#[inline]
pub fn run(steps: &[Step], mut x: f64) -> Result<f64, Reject> {
    for step in steps {
        x = step.apply(x)?;
    }
    Ok(x)
}

/// The scaled value rounded once to the output dtype (`f32` unless `out_f64`), as f64.
///
/// # Errors
/// `non_finite` when the value, or its rounding, is not finite.
#[inline]
pub fn finish(x: f64, out_f64: bool) -> Result<f64, Reject> {
    let done = if out_f64 {
        ops::finish_f64(x)
    } else {
        ops::finish_f32(x).map(f64::from)
    };
    done.map_err(|code: ErrorCode| Reject {
        code,
        message: format!(
            "scaling gives {x:?}, which is not finite in `{}`",
            if out_f64 { "f64" } else { "f32" }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_order_and_finish_once() {
        let steps = [
            Step::Log1p,
            Step::Standardize {
                mean: 1.0,
                std: 2.0,
            },
            Step::Clip {
                min: Some(-1.0),
                max: None,
            },
        ];
        let x = run(&steps, 3.0).expect("in domain");
        assert_eq!(x, ((3.0f64).ln_1p() - 1.0) / 2.0);
        assert_eq!(
            run(&steps, -1.0).map_err(|e| e.code),
            Err(ErrorCode::OutOfRange)
        );
        assert_eq!(finish(0.1, false), Ok(f64::from(0.1f32)));
        assert_eq!(
            finish(1e39, false).map_err(|e| e.code),
            Err(ErrorCode::NonFinite)
        );
        assert_eq!(finish(1e39, true), Ok(1e39));
    }
}
