//! The `fit` command: read, fit, write the schema in its syntax with a note of where from.

use super::read;
use crate::args::Color;
use crate::output::say;
use std::path::Path;
use tensorseam::dynamic::fit::{fitted, targets};
use tensorseam_compiler::{emit, Syntax};

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (civil calendar, proleptic Gregorian).
fn timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// When the fit ran: `SOURCE_DATE_EPOCH` when set (reproducible output), else now.
fn now() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    timestamp(secs)
}

/// The comments of the source schema (none when it cannot be read again).
fn source_comments(schema: &Path) -> Vec<tensorseam_compiler::comments::Comment> {
    let Ok(bytes) = tensorseam_compiler::read_source(schema) else {
        return Vec::new();
    };
    let (file, _) = tensorseam_compiler::compile_bytes(&schema.to_string_lossy(), &bytes);
    let mut diags = Vec::new();
    tensorseam_compiler::parse(&file, &mut diags)
        .map(|tree| tensorseam_compiler::comments::extract(&file, &tree))
        .unwrap_or_default()
}

/// Where `fit` learns from: data files, statistics files of parts fitted apart, and where to
/// write this data's statistics instead of a fitted schema.
pub struct Sources {
    /// Data files or directories.
    pub data: Vec<std::path::PathBuf>,
    /// Statistics files to merge.
    pub stats: Vec<std::path::PathBuf>,
    /// Write statistics here instead of the fitted schema.
    pub stats_out: Option<std::path::PathBuf>,
}

/// Reads every statistics file into `targets`; returns the rows they cover.
fn merge_stats(
    c: &tensorseam_compiler::Checked,
    files: &[std::path::PathBuf],
    targets: &mut [tensorseam::dynamic::fit::Target],
    mut rows: u64,
) -> Result<u64, u8> {
    for path in files {
        let shown = tensorseam_compiler::names::printable(&path.to_string_lossy()).into_owned();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                say!("error: cannot read `{shown}`: {e}");
                return Err(2);
            }
        };
        let doc: serde_json::Value = match serde_json::from_str(&text) {
            Ok(d) => d,
            Err(e) => {
                say!("error: `{shown}` is not JSON: {e}");
                return Err(2);
            }
        };
        match tensorseam::dynamic::fit::exchange::absorb(c, targets, &doc, rows) {
            Ok(n) => rows += n,
            Err(e) => {
                e.0.iter().for_each(|m| say!("error: `{shown}`: {m}"));
                return Err(1);
            }
        }
    }
    Ok(rows)
}

/// Runs `tensorseam fit`.
pub fn fit(
    schema: &Path,
    sources: &Sources,
    output: Option<&Path>,
    max_skip_fraction: f64,
    color: Color,
) -> u8 {
    if !(0.0..=1.0).contains(&max_skip_fraction) {
        say!("error: --max-skip-fraction must be between 0 and 1, not {max_skip_fraction}");
        return 2;
    }
    crate::load::with_schema(schema, color, |c| {
        let mut targets = match targets(c) {
            Ok(t) => t,
            Err(e) => {
                e.0.iter().for_each(|m| say!("error: {m}"));
                return 1;
            }
        };
        if targets.is_empty() {
            say!(
                "error: `{}` has no `fit` placeholders: nothing to fit",
                schema.display()
            );
            return 1;
        }
        let mut seen = read::Seen { rows: 0 };
        if !sources.data.is_empty() {
            seen = match read::read_all(&sources.data, &mut targets) {
                Ok(s) => s,
                Err(e) => {
                    say!("error: {}", tensorseam_compiler::names::printable(&e.0));
                    return 2;
                }
            };
        }
        match merge_stats(c, &sources.stats, &mut targets, seen.rows) {
            Ok(rows) => seen.rows = rows,
            Err(code) => return code,
        }
        if let Some(out) = &sources.stats_out {
            for t in &targets {
                if let Some(line) = t.skipped() {
                    say!("fit: {}", tensorseam_compiler::names::printable(&line));
                }
            }
            let doc = tensorseam::dynamic::fit::exchange::write(c, &targets, seen.rows);
            let status = crate::output::write_output(
                Some(out),
                &format!("{}\n", tensorseam_compiler::json::pretty(&doc)),
            );
            if status == 0 {
                say!("fit: statistics of {} rows written to {}; merge them with `tensorseam fit {} --stats FILE...`", seen.rows, out.display(), schema.display());
            }
            return status;
        }
        // What was skipped, per input, on stderr; too many invalid values fail the fit: the
        // statistic of what is left is not the data's.
        for t in &targets {
            if let Some(line) = t.skipped() {
                say!("fit: {}", tensorseam_compiler::names::printable(&line));
            }
        }
        let too_many: Vec<&tensorseam::dynamic::fit::Target> = targets
            .iter()
            .filter(|t| t.invalid_fraction() > max_skip_fraction)
            .collect();
        if !too_many.is_empty() {
            for t in too_many {
                say!(
                    "error: input `{}`: {:.1}% of its values are invalid, more than --max-skip-fraction {}; fix the data or the input's dtype/range (the first invalid value is named above); nothing was written",
                    t.name,
                    t.invalid_fraction() * 100.0,
                    max_skip_fraction
                );
            }
            return 1;
        }
        let skipped: Vec<String> = targets
            .iter()
            .filter(|t| t.missing + t.invalid > 0)
            .map(|t| match (t.missing, t.invalid) {
                (m, 0) => format!("{} {m} missing", t.name),
                (0, i) => format!("{} {i} invalid", t.name),
                (m, i) => format!("{} {m} missing, {i} invalid", t.name),
            })
            .collect();
        let schema_ir = match fitted(c.schema(), targets) {
            Ok(s) => s,
            Err(e) => {
                e.0.iter().for_each(|m| say!("error: {m}"));
                return 1;
            }
        };
        let syntax = output
            .and_then(|p| Syntax::from_path(&p.to_string_lossy()))
            .or_else(|| Syntax::from_path(&schema.to_string_lossy()))
            .unwrap_or(Syntax::Yaml);
        let body = match syntax {
            Syntax::Yaml => emit::yaml::write(&schema_ir),
            Syntax::Seam => emit::seam::write(&schema_ir),
        };
        // The source's comments come along, beside their elements (as `fmt` keeps them).
        let body = tensorseam_compiler::comments::restore(&body, syntax, &source_comments(schema));
        let named: Vec<String> = sources
            .data
            .iter()
            .chain(&sources.stats)
            .map(|p| {
                p.file_name()
                    .map_or_else(|| p.to_string_lossy(), |n| n.to_string_lossy())
                    .into_owned()
            })
            .collect();
        let source = if named.len() > 3 {
            format!("{}, … ({} sources)", named[..3].join(", "), named.len())
        } else {
            named.join(", ")
        };
        let mut text = format!(
            "# Fitted by `tensorseam fit` from {} on {}: {} rows. Version {} kept from the source schema.\n",
            tensorseam_compiler::names::comment_text(&source),
            now(),
            seen.rows,
            schema_ir.version
        );
        if !skipped.is_empty() {
            text.push_str(&format!("# Skipped values: {}.\n", skipped.join("; ")));
        }
        text.push_str(&body);
        // The written schema must check: compile it before anyone else does.
        let shown = output.map_or_else(
            || "fitted".to_string(),
            |p| p.to_string_lossy().into_owned(),
        );
        let probe = format!("{shown}.{}", syntax.extension());
        let (file, compiled) = tensorseam_compiler::compile_bytes(&probe, text.as_bytes());
        if compiled.checked.is_none() {
            // Fitted values a schema cannot hold (a range so wide its width overflows, a list
            // too long for a schema file): say which, on the fitted text; write nothing.
            say!("error: the fitted values do not make a valid schema; nothing was written");
            let mut reporter = crate::output::Reporter::new(crate::args::DiagFormat::Human, color);
            reporter.report(&file, &compiled.diagnostics);
            return 1;
        }
        let status = crate::output::write_output(output, &text);
        if status == 0 {
            // The fitted schema is the source's contract with numbers filled in: the same
            // version. Review a refit with `diff` of the two fitted files.
            say!(
                "fit: {} rows; the fitted schema keeps version v{} of `{}` (edit and review the source; `tensorseam diff OLD_FITTED NEW_FITTED` reviews a refit)",
                seen.rows,
                schema_ir.version,
                tensorseam_compiler::names::printable(&schema.to_string_lossy())
            );
        }
        status
    })
}

#[cfg(test)]
mod tests {
    use super::timestamp;

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(timestamp(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
