//! Record validation errors (SPEC §3): every error has a row, a field path, a stable code and a
//! message with the offending value. Validation collects errors up to a limit instead of stopping
//! at the first.

use std::fmt;
pub use tensorseam_core::ErrorCode;

/// One invalid value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Row index in the batch, from 0 (0 for an error about the batch's columns).
    pub row: usize,
    /// Field path into the raw record, e.g. `history[3][1]`; empty for the record itself.
    pub path: String,
    /// The stable code.
    pub code: ErrorCode,
    /// What is wrong, with the offending value.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.is_batch_level() {
            write!(f, "column `{}`: {}: {}", self.path, self.code, self.message)
        } else if self.path.is_empty() {
            write!(f, "row {}: {}: {}", self.row, self.code, self.message)
        } else {
            write!(
                f,
                "row {}, `{}`: {}: {}",
                self.row, self.path, self.code, self.message
            )
        }
    }
}

/// The default number of errors collected before validation stops reporting.
pub const DEFAULT_ERROR_LIMIT: usize = 100;

/// Every error of a batch, up to a limit; the count of those past the limit is kept. When the
/// batch could not be built at all — its tensors need more memory than the machine gives — that
/// reason is kept instead ([`ValidationErrors::unbuildable`]): no record is wrong, the batch is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    errors: Vec<ValidationError>,
    limit: usize,
    omitted: usize,
    unbuildable: Option<String>,
}

impl ValidationErrors {
    /// An empty collection that keeps at most `limit` errors.
    pub fn with_limit(limit: usize) -> ValidationErrors {
        ValidationErrors {
            errors: Vec::new(),
            limit,
            omitted: 0,
            unbuildable: None,
        }
    }

    /// A batch that cannot be built, with why (its size, say).
    pub fn batch_too_large(why: impl Into<String>) -> ValidationErrors {
        ValidationErrors {
            unbuildable: Some(why.into()),
            ..ValidationErrors::default()
        }
    }

    /// Why the batch could not be built at all, when that is the failure (not a record).
    pub fn unbuildable(&self) -> Option<&str> {
        self.unbuildable.as_deref()
    }

    /// Records an error (or counts it, past the limit).
    pub fn push(
        &mut self,
        row: usize,
        path: impl Into<String>,
        code: ErrorCode,
        message: impl Into<String>,
    ) {
        if self.errors.len() < self.limit {
            self.errors.push(ValidationError {
                row,
                path: path.into(),
                code,
                message: message.into(),
            });
        } else {
            self.omitted += 1;
        }
    }

    /// Adds `other`'s errors (a later part of a stream), their rows moved on by `offset`, up to
    /// this collection's limit; the rest are counted.
    pub fn absorb(&mut self, other: &ValidationErrors, offset: usize) {
        if self.unbuildable.is_none() {
            self.unbuildable.clone_from(&other.unbuildable);
        }
        for e in &other.errors {
            self.push(e.row + offset, e.path.clone(), e.code, e.message.clone());
        }
        self.omitted += other.omitted;
    }

    /// The recorded errors, in row order.
    pub fn errors(&self) -> &[ValidationError] {
        &self.errors
    }

    /// Errors found past the limit (not recorded).
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// No error at all.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.omitted == 0 && self.unbuildable.is_none()
    }

    /// Whether the limit is reached (encoders may stop looking).
    pub fn is_full(&self) -> bool {
        self.errors.len() >= self.limit
    }

    /// The recorded errors as a report shows them: one line per field and code, in order of
    /// first appearance; a field and code that repeat over rows read as one line with the count,
    /// the first rows and the first message (`errors()` keeps each one).
    pub fn grouped_lines(&self) -> Vec<String> {
        let mut order: Vec<(&str, ErrorCode)> = Vec::new();
        let mut groups: std::collections::HashMap<(&str, ErrorCode), Vec<&ValidationError>> =
            std::collections::HashMap::new();
        for e in &self.errors {
            let key = (e.path.as_str(), e.code);
            let group = groups.entry(key).or_default();
            if group.is_empty() {
                order.push(key);
            }
            group.push(e);
        }
        order
            .iter()
            .map(|key| {
                let group = &groups[key];
                let first = group[0];
                if group.len() == 1 || first.code.is_batch_level() {
                    return first.to_string();
                }
                let rows: Vec<String> = group.iter().take(5).map(|e| e.row.to_string()).collect();
                let more = if group.len() > 5 { ", …" } else { "" };
                format!(
                    "`{}` in {} rows ({}{more}): {}: {} (row {})",
                    first.path,
                    group.len(),
                    rows.join(", "),
                    first.code,
                    first.message,
                    first.row
                )
            })
            .collect()
    }

    /// All errors found, recorded or not.
    pub fn len(&self) -> usize {
        self.errors.len() + self.omitted
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.unbuildable {
            return writeln!(f, "the batch cannot be built: {why}");
        }
        let n = self.len();
        writeln!(f, "{n} invalid value{}:", if n == 1 { "" } else { "s" })?;
        for line in self.grouped_lines() {
            writeln!(f, "  {line}")?;
        }
        if self.omitted > 0 {
            writeln!(f, "  ... and {} more (limit {})", self.omitted, self.limit)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_grouped() {
        let mut e = ValidationErrors::with_limit(100);
        for row in 0..7 {
            e.push(
                row,
                "acceleration",
                ErrorCode::WrongType,
                format!("found {row}.5"),
            );
        }
        e.push(3, "island", ErrorCode::UnknownCategory, "\"Mars\"");
        let lines = e.grouped_lines();
        assert_eq!(
            lines,
            vec![
                "`acceleration` in 7 rows (0, 1, 2, 3, 4, …): wrong_type: found 0.5 (row 0)",
                "row 3, `island`: unknown_category: \"Mars\"",
            ]
        );
        assert_eq!(e.errors().len(), 8, "the structured list keeps each error");
    }

    #[test]
    fn limit_keeps_count() {
        let mut e = ValidationErrors::with_limit(2);
        for row in 0..5 {
            e.push(row, "x", ErrorCode::Missing, "x is missing");
        }
        assert_eq!(e.errors().len(), 2);
        assert_eq!(e.len(), 5);
        let shown = e.to_string();
        assert!(shown.starts_with("5 invalid values:"));
        assert!(shown.contains("`x` in 2 rows (0, 1): missing: x is missing (row 0)"));
        assert!(shown.contains("... and 3 more (limit 2)"));
    }
}
