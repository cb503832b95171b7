//! The stable validation codes (SPEC §3), identical in Rust and in the generated Python.

use std::fmt;

/// The stable validation codes, identical in Rust and in the generated Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// A value is absent, null or NaN, and the input has no fill.
    Missing,
    /// A value of the wrong JSON kind, or one that would be coerced with loss.
    WrongType,
    /// ±inf, or a finite value that is not finite in the input's (or the output's) dtype.
    NonFinite,
    /// Outside `range`, outside the integer dtype, or outside a transform's domain.
    OutOfRange,
    /// A category the encoding does not know, with `unknown: error`.
    UnknownCategory,
    /// A fixed axis of the wrong length, or a dim shorter than its `min`.
    WrongLength,
    /// Inputs sharing a dim disagree on its length within one example.
    DimMismatch,
    /// Longer than a dim's or a text encoding's `max` with `truncate: error`.
    TooLong,
    /// Non-ASCII text for a `charset: ascii` input.
    NotAscii,
    /// A field the schema does not know, in strict mode.
    UnknownField,
    /// A columnar source (a CSV header, a mapping of columns, a data frame, Arrow) has no column
    /// for an input: one error for the whole batch, not one per row.
    MissingColumn,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Missing,
        ErrorCode::WrongType,
        ErrorCode::NonFinite,
        ErrorCode::OutOfRange,
        ErrorCode::UnknownCategory,
        ErrorCode::WrongLength,
        ErrorCode::DimMismatch,
        ErrorCode::TooLong,
        ErrorCode::NotAscii,
        ErrorCode::UnknownField,
        ErrorCode::MissingColumn,
    ];

    /// The code as written in reports and in Python: `missing`, `wrong_type`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Missing => "missing",
            ErrorCode::WrongType => "wrong_type",
            ErrorCode::NonFinite => "non_finite",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::UnknownCategory => "unknown_category",
            ErrorCode::WrongLength => "wrong_length",
            ErrorCode::DimMismatch => "dim_mismatch",
            ErrorCode::TooLong => "too_long",
            ErrorCode::NotAscii => "not_ascii",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::MissingColumn => "missing_column",
        }
    }

    /// Whether the error is about the batch's columns rather than one row's value.
    pub fn is_batch_level(self) -> bool {
        matches!(self, ErrorCode::MissingColumn)
    }

    /// The code named `s`.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
        }
    }
}
