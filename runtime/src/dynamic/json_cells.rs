//! JSON Lines records straight into [`Cells`], without a `serde_json::Value` per record: each
//! line is read by serde_json's own parser into a visitor that keeps only the fields some input
//! reads (text borrowed from the line where it has no escapes) and skips the rest. A record
//! holds what its `Value` would — the same numbers, the same SPEC §9 tokens (sentinel strings,
//! read by [`crate::raw`] as the row engine reads them), the last of duplicate keys — so the
//! engine's tensors and errors are those of the `Value` path, which stays the path for anything
//! else (a line that is not an object, a syntax error, strict mode).

use super::cells::{Cell, Cells};
use crate::plan::Plan;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// A chunk read into cells: the cells, per input whether some record had its field, and the
/// first record's keys (in the order a `Value` object lists them).
pub struct Read<'a> {
    /// One row per line, one cell per input.
    pub cells: Cells<'a>,
    /// Per input: whether some record carried its field.
    pub carried: Vec<bool>,
    /// The first record's keys.
    pub keys: Vec<String>,
}

/// Reads `texts` (normalized JSON Lines, one record each) for `plan`; `None` when a line is not
/// a JSON object (the `Value` path reports it exactly).
pub fn read<'a>(plan: &Plan, texts: &'a [Cow<'a, str>]) -> Option<Read<'a>> {
    let mut columns: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, input) in plan.inputs.iter().enumerate() {
        columns.entry(input.column.as_str()).or_default().push(i);
    }
    let width = plan.inputs.len();
    let mut cells = Cells::new(plan, texts.len(), Vec::new());
    let mut carried = vec![false; width];
    let mut keys = serde_json::Map::new();
    let mut row = vec![Cell::Absent; width];
    for (r, text) in texts.iter().enumerate() {
        row.iter_mut().for_each(|c| *c = Cell::Absent);
        let mut de = serde_json::Deserializer::from_str(text);
        let visitor = RecordVisitor {
            columns: &columns,
            row: &mut row,
            keys: (r == 0).then_some(&mut keys),
        };
        de::Deserializer::deserialize_map(&mut de, visitor).ok()?;
        de.end().ok()?;
        for (i, cell) in row.drain(..).enumerate() {
            carried[i] |= !matches!(cell, Cell::Absent);
            cells.set(r, i, cell);
        }
        row.resize(width, Cell::Absent);
    }
    Some(Read {
        cells,
        carried,
        keys: keys.into_iter().map(|(k, _)| k).collect(),
    })
}

struct RecordVisitor<'p, 'r, 'de> {
    columns: &'p HashMap<&'p str, Vec<usize>>,
    row: &'r mut Vec<Cell<'de>>,
    keys: Option<&'r mut serde_json::Map<String, Value>>,
}

impl<'de> Visitor<'de> for RecordVisitor<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if let Some(keys) = self.keys.as_deref_mut() {
                keys.insert(key.to_string(), Value::Null);
            }
            match self.columns.get(key.as_ref()) {
                Some(inputs) => {
                    let cell = map.next_value_seed(CellSeed)?;
                    for &i in inputs {
                        self.row[i] = cell.clone();
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A key, borrowed from the line unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// One field's value as a cell: scalars as themselves (text borrowed where it can be), lists and
/// objects as the `Value` the engine walks, escaped text as a `Value` string (which is how the
/// SPEC §9 sentinels arrive).
struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = Cell<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cell<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Cell<'de>, E> {
        Ok(Cell::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Cell<'de>, E> {
        Ok(Cell::Int(i.into()))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Cell<'de>, E> {
        Ok(Cell::Int(u.into()))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Cell<'de>, E> {
        Ok(Cell::Float(f))
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(s))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Cell<'de>, E> {
        Ok(Cell::Json(Value::String(s.to_string())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Cell<'de>, E> {
        Ok(Cell::Json(Value::String(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Cell<'de>, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Cell::Json)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Cell<'de>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Cell::Json)
    }
}
