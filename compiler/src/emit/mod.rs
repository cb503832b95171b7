//! Emitters. Each takes a [`crate::check::Checked`] schema (or its IR) and nothing unchecked.

pub mod ir;
pub mod rust;
pub mod seam;
pub mod yaml;

/// A float as schema text (YAML or DSL). ECMAScript form, except that an integral value too large
/// for a 64-bit integer is written with an exponent: `-10730005104119261000` would read back as
/// an integer literal, and an out-of-range one at that.
pub fn float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() >= 9.2e18 {
        format!("{x:e}")
    } else {
        crate::json::number(x)
    }
}
