//! What `fit` learns from data, one value at a time in bounded memory: a numerically stable mean
//! and variance (Welford; population std, as scikit-learn's StandardScaler), min and max, and
//! category counts — and how those become the schema's parameters.

use std::collections::HashMap;
use tensorseam_compiler::ir::{FitOrder, Scalar};

/// Running mean and variance (Welford's update, stable for large counts and large means).
#[derive(Clone, Debug, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// `(mean, population std)`, or `None` without values.
    pub fn mean_std(&self) -> Option<(f64, f64)> {
        (self.n > 0).then(|| (self.mean, (self.m2 / self.n as f64).sqrt()))
    }
}

/// Running minimum and maximum.
#[derive(Clone, Debug, Default)]
pub struct Extremes {
    range: Option<(f64, f64)>,
}

impl Extremes {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.range = Some(match self.range {
            None => (x, x),
            Some((lo, hi)) => (lo.min(x), hi.max(x)),
        });
    }

    /// `(min, max)`, or `None` without values.
    pub fn get(&self) -> Option<(f64, f64)> {
        self.range
    }
}

/// A category value as counted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// `false` < `true`.
    Bool(bool),
    /// Numerically.
    Int(i128),
    /// By UTF-8 bytes.
    Str(Box<str>),
}

impl Key {
    fn scalar(&self) -> Scalar {
        match self {
            Key::Bool(b) => Scalar::Bool(*b),
            Key::Int(i) => Scalar::Int(*i),
            Key::Str(s) => Scalar::Str(s.to_string()),
        }
    }
}

/// Category counts.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    counts: HashMap<Key, u64>,
    strings: HashMap<Box<str>, u64>,
}

impl Counts {
    /// Counts a string (without allocating when it was seen before).
    pub fn push_str(&mut self, s: &str) {
        match self.strings.get_mut(s) {
            Some(n) => *n += 1,
            None => {
                self.strings.insert(s.into(), 1);
            }
        }
    }

    /// Counts an integer or a bool.
    pub fn push(&mut self, k: Key) {
        *self.counts.entry(k).or_insert(0) += 1;
    }

    /// The fitted category list: those seen at least `min_frequency` times; the
    /// `max_categories` most frequent of them (ties: lexical); in `order`.
    pub fn categories(
        self,
        order: FitOrder,
        max_categories: Option<u64>,
        min_frequency: Option<u64>,
    ) -> Vec<Scalar> {
        let mut all: Vec<(Key, u64)> = self
            .counts
            .into_iter()
            .chain(self.strings.into_iter().map(|(s, n)| (Key::Str(s), n)))
            .filter(|(_, n)| *n >= min_frequency.unwrap_or(1))
            .collect();
        // Most frequent first, ties in lexical order: the order `max_categories` keeps from.
        all.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
        if let Some(m) = max_categories {
            all.truncate(usize::try_from(m).unwrap_or(usize::MAX));
        }
        if order == FitOrder::Lexical {
            all.sort_by(|(a, _), (b, _)| a.cmp(b));
        }
        all.iter().map(|(k, _)| k.scalar()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_the_two_pass_formula() {
        let xs: Vec<f64> = (0..10_000)
            .map(|i| 1e9 + f64::from(i % 97) * 0.25)
            .collect();
        let mut m = Moments::default();
        xs.iter().for_each(|x| m.push(*x));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        let (fm, fs) = m.mean_std().unwrap();
        assert!((fm - mean).abs() / mean < 1e-14);
        assert!(
            (fs - var.sqrt()).abs() / var.sqrt() < 1e-9,
            "{fs} {}",
            var.sqrt()
        );
        assert_eq!(Moments::default().mean_std(), None);
    }

    #[test]
    fn categories_by_order_frequency_and_limits() {
        let mut c = Counts::default();
        for s in ["b", "a", "c", "b", "c", "c", "é", "B"] {
            c.push_str(s);
        }
        let names = |v: Vec<Scalar>| -> Vec<String> { v.iter().map(ToString::to_string).collect() };
        assert_eq!(
            names(c.clone().categories(FitOrder::Lexical, None, None)),
            ["\"B\"", "\"a\"", "\"b\"", "\"c\"", "\"é\""]
        );
        assert_eq!(
            names(c.clone().categories(FitOrder::Frequency, None, None)),
            ["\"c\"", "\"b\"", "\"B\"", "\"a\"", "\"é\""]
        );
        assert_eq!(
            names(c.clone().categories(FitOrder::Lexical, Some(2), None)),
            ["\"b\"", "\"c\""]
        );
        assert_eq!(
            names(c.categories(FitOrder::Frequency, None, Some(2))),
            ["\"c\"", "\"b\""]
        );
        let mut n = Counts::default();
        for k in [10, -2, 3, 10] {
            n.push(Key::Int(k));
        }
        assert_eq!(
            names(n.categories(FitOrder::Lexical, None, None)),
            ["-2", "3", "10"]
        );
        let mut b = Counts::default();
        for v in [true, false, true] {
            b.push(Key::Bool(v));
        }
        assert_eq!(
            names(b.clone().categories(FitOrder::Lexical, None, None)),
            ["false", "true"]
        );
        assert_eq!(
            names(b.categories(FitOrder::Frequency, None, None)),
            ["true", "false"]
        );
    }
}
