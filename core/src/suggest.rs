//! "Did you mean": the closest of some names to a word, for a misspelt key in a schema, a field
//! the derive cannot find, or a data column an input does not find under its name.

/// Names longer than this are never suggested (nor compared): the edit distance costs the product
/// of two lengths, and a name of a kilobyte is no typo.
const LONGEST: usize = 256;

/// Edit distance (Levenshtein) between `a` and `b`, in characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = Vec::with_capacity(b.len() + 1);
    for (i, ca) in a.chars().enumerate() {
        cur.clear();
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest of `options` to `word`, when it is close enough to be a typo: at most two edits,
/// or a third of the option's length for long names.
pub fn closest<'o>(word: &str, options: &[&'o str]) -> Option<&'o str> {
    if word.len() > LONGEST {
        return None;
    }
    options
        .iter()
        .filter(|o| o.len() <= LONGEST)
        .map(|o| (distance(word, o), *o))
        .filter(|(d, o)| *d <= 2.max(o.len() / 3) && *d < o.len().max(word.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// The data column an input probably means when its own is absent: one equal but for case
/// (`Horsepower` for `horsepower`), else one equal but for case, spaces, `-` and `_`
/// (`Miles per Gallon` for `miles_per_gallon`), else the closest by edit distance ignoring case.
pub fn closest_column<'o>(word: &str, columns: &[&'o str]) -> Option<&'o str> {
    if let Some(c) = columns.iter().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(c);
    }
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = squash(word);
    if let Some(c) = columns
        .iter()
        .filter(|c| c.len() <= LONGEST)
        .find(|c| squash(c) == wanted)
    {
        return Some(c);
    }
    let lowered: Vec<String> = columns
        .iter()
        .map(|c| {
            if c.len() <= LONGEST {
                c.to_lowercase()
            } else {
                String::new()
            }
        })
        .collect();
    let refs: Vec<&str> = lowered.iter().map(String::as_str).collect();
    let best = closest(&word.to_lowercase(), &refs)?;
    let at = refs.iter().position(|r| std::ptr::eq(*r, best))?;
    Some(columns[at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn typos_only() {
        assert_eq!(closest("lable", &["label", "input"]), Some("label"));
        assert_eq!(closest("xyz", &["label", "input"]), None);
        assert_eq!(closest(&"a".repeat(10_000), &["a"]), None);
    }

    #[test]
    fn columns() {
        let cols = ["Name", "Horsepower", "Miles_per_Gallon", "Weight in lbs"];
        assert_eq!(closest_column("horsepower", &cols), Some("Horsepower"));
        assert_eq!(
            closest_column("miles_per_gallon", &cols),
            Some("Miles_per_Gallon")
        );
        assert_eq!(
            closest_column("weight_in_lbs", &cols),
            Some("Weight in lbs")
        );
        assert_eq!(closest_column("horsepowr", &cols), Some("Horsepower"));
        assert_eq!(closest_column("origin", &cols), None);
        assert_eq!(closest_column("x", &[]), None);
    }
}
