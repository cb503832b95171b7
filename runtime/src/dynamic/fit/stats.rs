//! What `fit` learns from data, one value at a time in bounded memory: a numerically stable mean
//! and variance (Welford; population std, as scikit-learn's StandardScaler), min and max, and
//! category counts — and how those become the schema's parameters.

use rustc_hash::FxHashMap as HashMap;
use tensorseam_compiler::ir::{FitOrder, Scalar};

/// Running mean and variance, numerically stable for large counts and large means: values are
/// gathered in blocks, each block's mean and sum of squared deviations computed in two passes, and
/// blocks merged with Chan's pairwise update (Welford's update, a block at a time, without a
/// division per value).
#[derive(Clone, Debug, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    block: Vec<f64>,
}

const BLOCK: usize = 4096;

impl Moments {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.block.push(x);
        if self.block.len() == BLOCK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.block.is_empty() {
            return;
        }
        let k = self.block.len() as f64;
        let mean = self.block.iter().sum::<f64>() / k;
        let m2 = self
            .block
            .iter()
            .map(|x| (x - mean) * (x - mean))
            .sum::<f64>();
        self.merge_parts(self.block.len() as u64, mean, m2);
        self.block.clear();
    }

    fn merge_parts(&mut self, nb: u64, mean_b: f64, m2_b: f64) {
        if nb == 0 {
            return;
        }
        let n = self.n + nb;
        let delta = mean_b - self.mean;
        self.mean += delta * (nb as f64 / n as f64);
        self.m2 += m2_b + delta * delta * (self.n as f64 * nb as f64 / n as f64);
        self.n = n;
    }

    /// Adds everything `other` saw (another part of the data).
    pub fn merge(&mut self, mut other: Moments) {
        other.flush();
        self.merge_parts(other.n, other.mean, other.m2);
        for x in std::mem::take(&mut self.block) {
            self.push(x);
        }
    }

    /// The running state `(count, mean, sum of squared deviations)`, for a statistics file.
    pub fn state(&self) -> (u64, f64, f64) {
        let mut m = self.clone();
        m.flush();
        (m.n, m.mean, m.m2)
    }

    /// A state read back from a statistics file.
    pub fn from_state(n: u64, mean: f64, m2: f64) -> Moments {
        Moments {
            n,
            mean,
            m2,
            block: Vec::new(),
        }
    }

    /// `(mean, population std)`, or `None` without values.
    pub fn mean_std(&mut self) -> Option<(f64, f64)> {
        self.flush();
        (self.n > 0).then(|| (self.mean, (self.m2 / self.n as f64).sqrt()))
    }
}

/// Running minimum and maximum.
#[derive(Clone, Debug, Default)]
pub struct Extremes {
    range: Option<(f64, f64)>,
}

impl Extremes {
    /// Adds everything `other` saw.
    pub fn merge(&mut self, other: Extremes) {
        if let Some((lo, hi)) = other.range {
            self.push(lo);
            self.push(hi);
        }
    }

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

    /// Extremes read back from a statistics file.
    pub fn from_range(range: Option<(f64, f64)>) -> Extremes {
        Extremes { range }
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
    /// The key of a category literal (`None` for a float, which is no category).
    pub fn of(s: &Scalar) -> Option<Key> {
        match s {
            Scalar::Bool(b) => Some(Key::Bool(*b)),
            Scalar::Int(i) => Some(Key::Int(*i)),
            Scalar::Str(s) => Some(Key::Str(s.as_str().into())),
            Scalar::Float(_) => None,
        }
    }

    fn scalar(&self) -> Scalar {
        match self {
            Key::Bool(b) => Scalar::Bool(*b),
            Key::Int(i) => Scalar::Int(*i),
            Key::Str(s) => Scalar::Str(s.to_string()),
        }
    }
}

/// The most distinct values counted per input. A category list is one tensor position per value:
/// past a million, `hash` (or `index` with `oov`) is the encoding that fits, and counting on would
/// let memory grow with the data. Fitting such an input is an error that says so.
pub const MAX_DISTINCT: usize = 1_000_000;

/// Category counts.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    counts: HashMap<Key, u64>,
    strings: HashMap<Box<str>, u64>,
    /// Strings of up to 15 bytes, packed with their length into one integer: hashed and compared
    /// as a number, without following a pointer (most category values are short).
    short: HashMap<u128, u64>,
    /// Values not counted because the table was full.
    dropped: u64,
}

/// A string of at most 15 bytes as one integer (its bytes, then its length in the top byte).
fn pack(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    (b.len() <= 15).then(|| {
        let mut word = [0u8; 16];
        word[..b.len()].copy_from_slice(b);
        word[15] = b.len() as u8;
        u128::from_le_bytes(word)
    })
}

fn unpack(key: u128) -> Box<str> {
    let word = key.to_le_bytes();
    let len = usize::from(word[15]);
    // The bytes were a `str`'s: valid UTF-8.
    String::from_utf8_lossy(&word[..len]).into()
}

impl Counts {
    /// Distinct values counted.
    pub fn distinct(&self) -> usize {
        self.counts.len() + self.strings.len() + self.short.len()
    }

    /// Whether values were seen past [`MAX_DISTINCT`] (the fit then fails for this input).
    pub fn overflowed(&self) -> bool {
        self.dropped > 0
    }

    fn full(&self) -> bool {
        self.distinct() >= MAX_DISTINCT
    }

    /// Counts a string (without allocating when it was seen before).
    pub fn push_str(&mut self, s: &str) {
        let full = self.full();
        if let Some(key) = pack(s) {
            match self.short.get_mut(&key) {
                Some(n) => *n += 1,
                None if full => self.dropped += 1,
                None => {
                    self.short.insert(key, 1);
                }
            }
            return;
        }
        match self.strings.get_mut(s) {
            Some(n) => *n += 1,
            None if full => self.dropped += 1,
            None => {
                self.strings.insert(s.into(), 1);
            }
        }
    }

    /// Adds everything `other` counted (still within [`MAX_DISTINCT`] values).
    pub fn merge(&mut self, other: Counts) {
        self.dropped += other.dropped;
        for (k, n) in other.counts {
            self.add(k, n);
        }
        for (k, n) in other.strings {
            let full = self.full();
            match self.strings.get_mut(&k) {
                Some(m) => *m += n,
                None if full => self.dropped += n,
                None => {
                    self.strings.insert(k, n);
                }
            }
        }
        for (k, n) in other.short {
            let full = self.full();
            match self.short.get_mut(&k) {
                Some(m) => *m += n,
                None if full => self.dropped += n,
                None => {
                    self.short.insert(k, n);
                }
            }
        }
    }

    fn add(&mut self, k: Key, n: u64) {
        let full = self.full();
        match self.counts.get_mut(&k) {
            Some(m) => *m += n,
            None if full => self.dropped += n,
            None => {
                self.counts.insert(k, n);
            }
        }
    }

    /// Counts an integer or a bool.
    pub fn push(&mut self, k: Key) {
        self.add(k, 1);
    }

    /// Every value counted with its count, in key order, and the count of values dropped past
    /// [`MAX_DISTINCT`] (for a statistics file).
    pub fn entries(&self) -> (Vec<(Key, u64)>, u64) {
        let mut all: Vec<(Key, u64)> = self
            .counts
            .iter()
            .map(|(k, n)| (k.clone(), *n))
            .chain(self.strings.iter().map(|(s, n)| (Key::Str(s.clone()), *n)))
            .chain(self.short.iter().map(|(k, n)| (Key::Str(unpack(*k)), *n)))
            .collect();
        all.sort();
        (all, self.dropped)
    }

    /// Adds `n` counts of `k` (from a statistics file).
    pub fn add_count(&mut self, k: Key, n: u64) {
        match k {
            Key::Str(s) => {
                let mut other = Counts::default();
                match pack(&s) {
                    Some(p) => {
                        other.short.insert(p, n);
                    }
                    None => {
                        other.strings.insert(s, n);
                    }
                }
                self.merge(other);
            }
            k => self.add(k, n),
        }
    }

    /// Adds values dropped elsewhere (a partition that overflowed).
    pub fn add_dropped(&mut self, n: u64) {
        self.dropped += n;
    }

    /// The fitted category list: `include` whatever the data holds, and those seen at least
    /// `min_frequency` times, the `max_categories` most frequent of them (ties: lexical; the
    /// included count against the maximum first); in `order` (frequency: included ones never
    /// seen come last, in the order given).
    pub fn categories(
        self,
        order: FitOrder,
        max_categories: Option<u64>,
        min_frequency: Option<u64>,
        include: &[Key],
    ) -> Vec<Scalar> {
        let mut all: Vec<(Key, u64)> = self
            .counts
            .into_iter()
            .chain(self.strings.into_iter().map(|(s, n)| (Key::Str(s), n)))
            .chain(
                self.short
                    .into_iter()
                    .map(|(k, n)| (Key::Str(unpack(k)), n)),
            )
            .collect();
        let kept = |k: &Key| include.contains(k);
        let seen: std::collections::HashMap<&Key, u64> = all.iter().map(|(k, n)| (k, *n)).collect();
        let mut included: Vec<(Key, u64)> = include
            .iter()
            .map(|k| (k.clone(), seen.get(k).copied().unwrap_or(0)))
            .collect();
        drop(seen);
        all.retain(|(k, n)| !kept(k) && *n >= min_frequency.unwrap_or(1));
        // Most frequent first, ties in lexical order: the order `max_categories` keeps from.
        all.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
        if let Some(m) = max_categories {
            let room = usize::try_from(m)
                .unwrap_or(usize::MAX)
                .saturating_sub(included.len());
            all.truncate(room);
        }
        // The included by frequency among the rest (never-seen ones last, as given).
        included.sort_by(|(_, x), (_, y)| y.cmp(x));
        let mut all: Vec<(Key, u64)> = {
            let mut merged = Vec::with_capacity(all.len() + included.len());
            let (mut a, mut b) = (all.into_iter().peekable(), included.into_iter().peekable());
            loop {
                let take_b = match (a.peek(), b.peek()) {
                    (Some((ka, x)), Some((kb, y))) => y > x || (y == x && kb < ka),
                    (None, Some(_)) => true,
                    (Some(_), None) => false,
                    (None, None) => break,
                };
                merged.extend(if take_b { b.next() } else { a.next() });
            }
            merged
        };
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
    fn included_categories_are_kept_whatever_the_data() {
        let mut c = Counts::default();
        for (k, n) in [(1, 5), (2, 3), (3, 1)] {
            (0..n).for_each(|_| c.push(Key::Int(k)));
        }
        let ints = |v: Vec<Scalar>| -> Vec<i128> {
            v.into_iter()
                .map(|s| match s {
                    Scalar::Int(i) => i,
                    _ => -1,
                })
                .collect()
        };
        let include = [Key::Int(10), Key::Int(3)];
        // Lexical: 10 (never seen) and 3 (below min_frequency) kept; max counts them first.
        assert_eq!(
            ints(
                c.clone()
                    .categories(FitOrder::Lexical, Some(3), Some(2), &include)
            ),
            vec![1, 3, 10]
        );
        // By frequency: the included by their counts, never-seen last.
        assert_eq!(
            ints(c.categories(FitOrder::Frequency, None, None, &include)),
            vec![1, 2, 3, 10]
        );
    }

    #[test]
    fn welford_matches_the_two_pass_formula() {
        let xs: Vec<f64> = (0..10_000)
            .map(|i| 1e9 + f64::from(i % 97) * 0.25)
            .collect();
        let mut m = Moments::default();
        xs.iter().for_each(|x| m.push(*x));
        // Two halves merged give the same (to the precision such data allows: a spread of 7 around 1e9).
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[..3333].iter().for_each(|x| a.push(*x));
        xs[3333..].iter().for_each(|x| b.push(*x));
        a.merge(b);
        let (am, as_) = a.mean_std().unwrap();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        let (fm, fs) = m.mean_std().unwrap();
        assert!((fm - mean).abs() / mean < 1e-14);
        assert!(
            (fs - var.sqrt()).abs() / var.sqrt() < 1e-9,
            "{fs} {}",
            var.sqrt()
        );
        assert!(
            (am - fm).abs() / fm < 1e-15 && (as_ - fs).abs() / fs < 1e-9,
            "{am} {fm} {as_} {fs}"
        );
        assert_eq!(Moments::default().mean_std(), None::<(f64, f64)>);
    }

    #[test]
    fn categories_by_order_frequency_and_limits() {
        let mut c = Counts::default();
        for s in [
            "b",
            "a",
            "c",
            "b",
            "c",
            "c",
            "é",
            "B",
            "a string longer than fifteen bytes",
            "",
        ] {
            c.push_str(s);
        }
        let names = |v: Vec<Scalar>| -> Vec<String> { v.iter().map(ToString::to_string).collect() };
        assert_eq!(
            names(c.clone().categories(FitOrder::Lexical, None, None, &[])),
            [
                "\"\"",
                "\"B\"",
                "\"a\"",
                "\"a string longer than fifteen bytes\"",
                "\"b\"",
                "\"c\"",
                "\"é\""
            ]
        );
        assert_eq!(
            names(c.clone().categories(FitOrder::Frequency, None, None, &[])),
            [
                "\"c\"",
                "\"b\"",
                "\"\"",
                "\"B\"",
                "\"a\"",
                "\"a string longer than fifteen bytes\"",
                "\"é\""
            ]
        );
        assert_eq!(
            names(c.clone().categories(FitOrder::Lexical, Some(2), None, &[])),
            ["\"b\"", "\"c\""]
        );
        assert_eq!(
            names(c.categories(FitOrder::Frequency, None, Some(2), &[])),
            ["\"c\"", "\"b\""]
        );
        let mut n = Counts::default();
        for k in [10, -2, 3, 10] {
            n.push(Key::Int(k));
        }
        assert_eq!(
            names(n.categories(FitOrder::Lexical, None, None, &[])),
            ["-2", "3", "10"]
        );
        let mut b = Counts::default();
        for v in [true, false, true] {
            b.push(Key::Bool(v));
        }
        assert_eq!(
            names(b.clone().categories(FitOrder::Lexical, None, None, &[])),
            ["false", "true"]
        );
        assert_eq!(
            names(b.categories(FitOrder::Frequency, None, None, &[])),
            ["true", "false"]
        );
    }
}
