//! The encoding and scaling primitives, one function per operation (SPEC §2.4, §2.5, §9). The
//! derive's generated code and the dynamic path both call these, so they agree by construction.
//!
//! Scaling is exact: the raw value is widened to f64, every step is one f64 operation as written
//! (no fused multiply-add, a division is a division), and the result is rounded once by
//! [`finish_f32`] / [`finish_f64`].

use crate::code::ErrorCode;

/// FNV-1a 64 offset basis.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64 prime.
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 of `bytes`.
#[inline]
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME)
    })
}

/// The bytes an integer hashes as: its decimal text, `-` for negatives.
#[inline]
pub fn int_text(v: i128, buf: &mut [u8; 40]) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// FNV-1a 64 of an integer's decimal text.
#[inline]
pub fn fnv1a64_int(v: i128) -> u64 {
    let mut buf = [0u8; 40];
    fnv1a64(int_text(v, &mut buf))
}

/// FNV-1a 64 of `true` / `false`.
#[inline]
pub fn fnv1a64_bool(v: bool) -> u64 {
    fnv1a64(if v { b"true" } else { b"false" })
}

/// String equality for category tables: a byte loop the compiler inlines, where `==` on short
/// strings calls `memcmp`.
#[inline]
pub fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A string of at most 8 bytes as one integer, for category lookup in generated code: together with
/// the length it identifies the string exactly, and it is read with at most two loads — no byte
/// loop, no pointer to follow into the table. `None` for longer strings. The derive computes the
/// keys of its tables with this same function.
#[inline]
pub fn short_word(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 4 {
        if n > 8 {
            return None;
        }
        // The first and the last four bytes; they overlap when n < 8, which the length disambiguates.
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
        Some(u64::from(lo) | (u64::from(hi) << 32))
    } else if n > 0 {
        Some(u64::from(b[0]) | (u64::from(b[n / 2]) << 8) | (u64::from(b[n - 1]) << 16))
    } else {
        Some(0)
    }
}

/// The slot a short-string key hashes to in a table of `1 << bits` slots (multiplicative hashing:
/// the high bits of the product).
#[inline]
pub fn short_slot(word: u64, len: usize, bits: u32) -> usize {
    ((word ^ ((len as u64) << 59)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
}

/// An integer category's key in the derive's lookup tables: the two halves folded and mixed
/// (multiplicative hashing). The macro builds the tables with it and generated code probes them
/// with it.
#[inline]
pub fn mix_int(v: i128) -> u64 {
    (v as u64 ^ (v >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// `hash` encoding: bucket of a hash.
#[inline]
pub fn bucket(hash: u64, buckets: u64) -> u64 {
    hash % buckets
}

/// `index` with `unknown: {oov: n}`: the position of an unknown value, after the `k` categories.
#[inline]
pub fn oov_position(k: u64, hash: u64, n: u64) -> u64 {
    k + hash % n
}

/// `bucketize`: the number of boundaries `b` with `b <= x` (boundaries strictly increasing).
#[inline]
pub fn bucketize(boundaries: &[f64], x: f64) -> u64 {
    boundaries.partition_point(|b| *b <= x) as u64
}

/// `(x - mean) / std`
#[inline]
pub fn standardize(x: f64, mean: f64, std: f64) -> f64 {
    (x - mean) / std
}

/// `(x - min) / (max - min)`
#[inline]
pub fn minmax(x: f64, min: f64, max: f64) -> f64 {
    (x - min) / (max - min)
}

/// `x * scale + offset`, two roundings (Rust never fuses these).
#[inline]
pub fn affine(x: f64, scale: f64, offset: f64) -> f64 {
    x * scale + offset
}

/// `x / by`
#[inline]
pub fn divide(x: f64, by: f64) -> f64 {
    x / by
}

/// `ln(1 + x)` by the C library's `log1p`; `out_of_range` unless `x > -1`.
///
/// # Errors
/// [`ErrorCode::OutOfRange`] for `x <= -1`.
#[inline]
pub fn log1p(x: f64) -> Result<f64, ErrorCode> {
    if x > -1.0 {
        Ok(x.ln_1p())
    } else {
        Err(ErrorCode::OutOfRange)
    }
}

/// Clamps into `[min, max]`; either bound may be absent.
#[inline]
pub fn clip(x: f64, min: Option<f64>, max: Option<f64>) -> f64 {
    let x = match min {
        Some(m) if x < m => m,
        _ => x,
    };
    match max {
        Some(m) if x > m => m,
        _ => x,
    }
}

/// Rounds a scaled value to f32 once; `non_finite` if it is not finite there.
///
/// # Errors
/// [`ErrorCode::NonFinite`] when `x` or its f32 rounding is ±inf or NaN.
#[inline]
pub fn finish_f32(x: f64) -> Result<f32, ErrorCode> {
    let y = x as f32;
    if y.is_finite() {
        Ok(y)
    } else {
        Err(ErrorCode::NonFinite)
    }
}

/// A scaled value as f64; `non_finite` if it is not finite.
///
/// # Errors
/// [`ErrorCode::NonFinite`] when `x` is ±inf or NaN.
#[inline]
pub fn finish_f64(x: f64) -> Result<f64, ErrorCode> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(ErrorCode::NonFinite)
    }
}

/// A raw f64 taken as an `f32` input's value (the f32 nearest, widened back to f64): `non_finite`
/// for a finite value outside f32's range.
///
/// # Errors
/// [`ErrorCode::NonFinite`] when the value does not fit f32.
#[inline]
pub fn raw_f32(x: f64) -> Result<f64, ErrorCode> {
    let y = x as f32;
    if y.is_infinite() && x.is_finite() {
        Err(ErrorCode::NonFinite)
    } else {
        Ok(f64::from(y))
    }
}

/// Which part of a too-long sequence is kept: `Some(range)`, or `None` for `truncate: error`.
/// `right` keeps the first `max`, `left` the last `max`.
#[inline]
pub fn kept(len: usize, max: usize, truncate: Truncate) -> Option<std::ops::Range<usize>> {
    if len <= max {
        return Some(0..len);
    }
    match truncate {
        Truncate::Error => None,
        Truncate::Right => Some(0..max),
        Truncate::Left => Some(len - max..len),
    }
}

/// What happens to a sequence longer than its maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truncate {
    /// `too_long`.
    Error,
    /// Keep the first `max`.
    Right,
    /// Keep the last `max`.
    Left,
}

/// `bytes` encoding: the UTF-8 bytes to write (possibly cut inside a code point).
///
/// # Errors
/// [`ErrorCode::TooLong`] when longer than `max_len` with `truncate: error`.
#[inline]
pub fn text_bytes(s: &str, max_len: usize, truncate: Truncate) -> Result<&[u8], ErrorCode> {
    let b = s.as_bytes();
    kept(b.len(), max_len, truncate)
        .map(|r| &b[r])
        .ok_or(ErrorCode::TooLong)
}

/// `chars` encoding: writes Unicode scalar values through `put(position, code point)` and returns
/// how many were written. Cuts between scalar values.
///
/// # Errors
/// [`ErrorCode::TooLong`] when longer than `max_len` with `truncate: error`.
#[inline]
pub fn text_chars(
    s: &str,
    max_len: usize,
    truncate: Truncate,
    mut put: impl FnMut(usize, u32),
) -> Result<usize, ErrorCode> {
    let count = s.chars().count();
    let range = kept(count, max_len, truncate).ok_or(ErrorCode::TooLong)?;
    let n = range.len();
    for (i, c) in s.chars().skip(range.start).take(n).enumerate() {
        put(i, c as u32);
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_word_identifies_every_short_string() {
        // Every string of up to 8 bytes over a small alphabet: equal (word, length) means equal text.
        let mut seen = std::collections::HashMap::new();
        let alphabet = ["a", "b", "é"];
        let mut frontier = vec![String::new()];
        for _ in 0..8 {
            let mut next = Vec::new();
            for s in &frontier {
                if s.len() <= 8 {
                    let w = short_word(s).unwrap();
                    if let Some(other) = seen.insert((w, s.len()), s.clone()) {
                        assert_eq!(&other, s);
                    }
                }
                for a in alphabet {
                    next.push(format!("{s}{a}"));
                }
            }
            frontier = next;
        }
        assert!(seen.len() > 1400, "{}", seen.len());
        assert_eq!(short_word("123456789"), None);
        assert_eq!(short_word(""), Some(0));
    }

    #[test]
    fn fnv1a64_published_vectors() {
        // From the FNV reference test suite (Fowler, Noll, Vo).
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
        assert_eq!(fnv1a64_int(-12), fnv1a64(b"-12"));
        assert_eq!(fnv1a64_int(0), fnv1a64(b"0"));
        assert_eq!(
            fnv1a64_int(i128::from(u64::MAX)),
            fnv1a64(b"18446744073709551615")
        );
        assert_eq!(
            fnv1a64_int(i128::from(i64::MIN)),
            fnv1a64(b"-9223372036854775808")
        );
        assert_eq!(fnv1a64_bool(true), fnv1a64(b"true"));
        assert_eq!(oov_position(3, 10, 4), 5);
    }

    #[test]
    fn bucketize_at_exact_boundaries() {
        let b = [0.0, 10.0, 20.0];
        assert_eq!(bucketize(&b, -0.5), 0);
        assert_eq!(bucketize(&b, 0.0), 1);
        assert_eq!(bucketize(&b, -0.0), 1);
        assert_eq!(bucketize(&b, 9.999), 1);
        assert_eq!(bucketize(&b, 10.0), 2);
        assert_eq!(bucketize(&b, 20.0), 3);
        assert_eq!(bucketize(&b, 1e300), 3);
    }

    #[test]
    fn scaling_is_the_written_arithmetic() {
        assert_eq!(standardize(50.0, 43.92, 5.46), (50.0 - 43.92) / 5.46);
        assert_eq!(minmax(5.0, 0.0, 10.0), 0.5);
        assert_eq!(affine(2.0, 3.0, 1.0), 7.0);
        // No reciprocal: 1/3 * x differs from x / 3 for some x.
        assert_eq!(divide(0.1, 3.0), 0.1 / 3.0);
        assert_eq!(log1p(0.0), Ok(0.0));
        assert_eq!(log1p(-1.0), Err(ErrorCode::OutOfRange));
        assert_eq!(log1p(-2.0), Err(ErrorCode::OutOfRange));
        assert_eq!(log1p(1e-300), Ok(1e-300));
        assert_eq!(clip(5.0, Some(0.0), Some(1.0)), 1.0);
        assert_eq!(clip(-5.0, Some(0.0), None), 0.0);
        assert_eq!(clip(0.5, None, None), 0.5);
        assert_eq!(finish_f32(1e39), Err(ErrorCode::NonFinite));
        assert_eq!(finish_f32(f64::INFINITY), Err(ErrorCode::NonFinite));
        assert_eq!(finish_f32(0.1), Ok(0.1f32));
        assert_eq!(finish_f32(-0.0).map(f32::to_bits), Ok((-0.0f32).to_bits()));
        assert_eq!(finish_f32(1e-46), Ok(0.0)); // below the smallest subnormal: rounds to zero
        assert_eq!(finish_f32(1e-40).map(|x| x > 0.0), Ok(true)); // subnormal kept
        assert_eq!(finish_f64(f64::MAX), Ok(f64::MAX));
        assert_eq!(raw_f32(0.1), Ok(f64::from(0.1f32)));
        assert_eq!(raw_f32(1e39), Err(ErrorCode::NonFinite));
        assert!(raw_f32(f64::INFINITY).is_ok_and(f64::is_infinite));
    }

    #[test]
    fn text_truncation_at_exactly_max() {
        assert_eq!(text_bytes("abcd", 4, Truncate::Error), Ok(&b"abcd"[..]));
        assert_eq!(
            text_bytes("abcde", 4, Truncate::Error),
            Err(ErrorCode::TooLong)
        );
        assert_eq!(text_bytes("abcde", 4, Truncate::Right), Ok(&b"abcd"[..]));
        assert_eq!(text_bytes("abcde", 4, Truncate::Left), Ok(&b"bcde"[..]));
        // bytes may cut inside a code point; chars never do.
        assert_eq!(text_bytes("é", 1, Truncate::Right), Ok(&[0xc3u8][..]));
        let mut out = vec![0u32; 3];
        let n = text_chars("a😀bé", 3, Truncate::Left, |i, c| out[i] = c).expect("fits");
        assert_eq!((n, out), (3, vec!['😀' as u32, 'b' as u32, 'é' as u32]));
        assert_eq!(text_chars("", 3, Truncate::Error, |_, _| {}), Ok(0));
        assert_eq!(kept(5, 5, Truncate::Error), Some(0..5));
        assert_eq!(kept(6, 5, Truncate::Left), Some(1..6));
    }
}
