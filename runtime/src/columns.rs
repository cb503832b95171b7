//! The batch's columns against the schema's inputs, checked once per batch rather than per row
//! (SPEC §9, §11): a columnar source (a CSV header, a mapping of columns, a data frame, Arrow,
//! Parquet) that lacks an input's column is one `missing_column` error — not a fill on every row,
//! not a `missing` on every row — unless the caller said that column may be absent. For records,
//! where a field may be absent from one record and present in the next, an input with a fill that
//! no record of the batch carries is a warning: the fill is legal, and also what a renamed field
//! looks like.

use crate::error::{ErrorCode, ValidationErrors};
use crate::plan::{InputPlan, Plan, Role};
use tensorseam_core::suggest::closest_column;

/// How many of the data's columns a message lists when none is close to the one missing.
const LISTED: usize = 8;

fn active(input: &InputPlan, training: bool) -> bool {
    input.role == Role::Feature || training
}

/// Whether `allow` (input names or column names) lets `input`'s column be absent.
fn allowed(input: &InputPlan, allow: &[String]) -> bool {
    allow.iter().any(|a| *a == input.name || *a == input.column)
}

/// "did you mean `Horsepower`?", or the columns there are.
fn hint(input: &InputPlan, present: &[&str]) -> String {
    if let Some(c) = closest_column(&input.column, present) {
        return format!("; did you mean `{c}`? (set `column: \"{c}\"` on the input, or rename the data's column)");
    }
    if present.is_empty() {
        return "; the data has no columns".to_string();
    }
    let shown: Vec<String> = present
        .iter()
        .take(LISTED)
        .map(|c| format!("`{c}`"))
        .collect();
    let more = present.len().saturating_sub(LISTED);
    format!(
        "; the data's columns are {}{}",
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// One `missing_column` error for each input (active for `training`) whose column is not among
/// `present`, unless `allow` names the input or its column.
pub fn check(
    plan: &Plan,
    present: &[&str],
    allow: &[String],
    training: bool,
    errors: &mut ValidationErrors,
) {
    let set: std::collections::HashSet<&str> = present.iter().copied().collect();
    for input in plan.inputs.iter().filter(|i| active(i, training)) {
        if set.contains(input.column.as_str()) || allowed(input, allow) {
            continue;
        }
        let allow_hint = if input.rule.fill.is_some() {
            format!(
                "; if every row should get the fill, allow the column to be missing (`--allow-missing-column {0}`, `allow_missing=[\"{0}\"]`)",
                input.name
            )
        } else {
            String::new()
        };
        errors.push(
            0,
            input.column.clone(),
            ErrorCode::MissingColumn,
            format!(
                "input `{}` reads column `{}`, which the data does not have{}{allow_hint}",
                input.name,
                input.column,
                hint(input, present)
            ),
        );
    }
}

/// Warnings for inputs with a fill that no record carries (`carried(column)` is false), active
/// for `training` and not named in `allow`; `keys` are field names seen in the records, for the
/// suggestion. Without a fill the rows' own `missing` errors say it.
pub fn absent_everywhere(
    plan: &Plan,
    carried: impl Fn(&str) -> bool,
    keys: &[&str],
    allow: &[String],
    training: bool,
) -> Vec<String> {
    plan.inputs
        .iter()
        .filter(|i| active(i, training) && i.rule.fill.is_some() && !allowed(i, allow))
        .filter(|i| !carried(&i.column))
        .map(|i| {
            let fill = i.rule.fill.as_ref().map_or_else(String::new, ToString::to_string);
            let suggestion = closest_column(&i.column, keys)
                .map_or_else(String::new, |c| format!("; did you mean `{c}`?"));
            format!(
                "input `{}` (column `{}`) is absent from every record: every row gets its fill {fill}{suggestion}",
                i.name, i.column
            )
        })
        .collect()
}
