//! A name for every column of a tensor's last axis, as scikit-learn's `get_feature_names_out`
//! gives one per output column: `features[4]` is `island=Biscoe`. `explain`, the data sheet, the
//! IR, the Python module (`FEATURE_NAMES`) and `diff` (which columns move) all read them here.

use super::{Categories, Encoding, Scalar, Schema, TensorAxis, TensorKind, TensorSpec, Transform};

/// How a category reads in a column name: the text itself for strings, the literal otherwise.
fn category(c: &Scalar) -> String {
    match c {
        Scalar::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The names of `spec`'s last-axis columns: one per column, in order. `None` for a mask, for a
/// tensor whose last axis is a dim (its positions are steps, not features), and while categories
/// are still to `fit`. A tensor with only the batch axis has one column, its input.
pub fn names(schema: &Schema, spec: &TensorSpec) -> Option<Vec<String>> {
    if spec.kind == TensorKind::Mask || spec.parts.is_empty() {
        return None;
    }
    let width = match spec.axes.last()? {
        TensorAxis::Batch => {
            return (spec.parts.len() == 1).then(|| vec![spec.parts[0].input.clone()]);
        }
        TensorAxis::Fixed(Some(n)) => *n,
        TensorAxis::Fixed(None) | TensorAxis::Dim { .. } => return None,
    };
    let mut out = Vec::new();
    for part in &spec.parts {
        let input = schema.input(&part.input)?;
        let w = part.width?;
        let cats = match &input.transform {
            Transform::Encode(
                Encoding::OneHot { categories, .. } | Encoding::MultiHot { categories, .. },
            ) => match categories {
                Categories::List(list) => Some(list),
                Categories::Fit { .. } => return None,
            },
            _ => None,
        };
        match cats {
            Some(list) => out.extend(
                list.iter()
                    .map(|c| format!("{}={}", input.name, category(c))),
            ),
            None if w == 1 => out.push(input.name.clone()),
            None => out.extend((0..w).map(|i| format!("{}[{i}]", input.name))),
        }
    }
    (out.len() as u64 == width).then_some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn penguin_features() {
        let text = include_str!("../../../schemas/penguins.seam");
        let file = crate::SourceFile::new("p.seam", text);
        let c = crate::compile(&file).checked.expect("valid");
        let features = c
            .specs
            .iter()
            .find(|s| s.name == "features")
            .expect("features");
        let names = super::names(c.schema(), features).expect("named");
        assert_eq!(names.len(), 10);
        assert_eq!(names[4], "island=Biscoe");
        assert_eq!(
            names[..4],
            [
                "bill_length_mm",
                "bill_depth_mm",
                "flipper_length_mm",
                "body_mass_g"
            ]
        );
        assert_eq!(names[9], "sex=unknown");
        let year = c.specs.iter().find(|s| s.name == "year").expect("year");
        assert_eq!(
            super::names(c.schema(), year),
            Some(vec!["year".to_string()])
        );
    }
}
