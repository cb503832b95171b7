//! Records as the engine reads them, from CSV text and Arrow columns, without an object per
//! record: one chunk's values are [`Cell`]s in one flat vector (a row of cells per record, a cell
//! per input), each borrowing its text from the source. Only a shaped input's list becomes a
//! `serde_json::Value` (the engine walks it as it walks JSON). Every cell is taken by the one
//! value rule in the engine, so a file gives the tensors and errors its records would as JSON.

use crate::plan::{InputPlan, Plan};
use crate::raw::{Kind, Raw, Record};
use serde_json::Value;
use tensorseam_core::value::{Leaf, RawType};

/// One input's value in one record.
#[derive(Clone, Debug)]
pub enum Cell<'a> {
    /// The record has no such field (a column the caller allowed to be missing).
    Absent,
    /// Null, or an empty CSV cell.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A float (NaN and ±inf included).
    Float(f64),
    /// Text borrowed from the source.
    Str(&'a str),
    /// A list (a shaped input's value).
    Json(Value),
    /// A value of a type no input takes (an Arrow date, struct or binary value).
    Other,
}

impl Raw for Cell<'_> {
    fn kind(&self) -> Kind<'_> {
        match self {
            Cell::Absent | Cell::Null => Kind::Null,
            Cell::Bool(b) => Kind::Bool(*b),
            Cell::Int(i) => Kind::Int(*i),
            Cell::Float(f) => Kind::Float(*f),
            Cell::Str(s) => Kind::Str(s),
            Cell::Json(v) => v.kind(),
            Cell::Other => Kind::Object,
        }
    }
}

impl<'a> Cell<'a> {
    fn of(leaf: Leaf<'a>) -> Cell<'a> {
        match leaf {
            Leaf::Null => Cell::Null,
            Leaf::Bool(b) => Cell::Bool(b),
            Leaf::Int(i) => Cell::Int(i),
            Leaf::Float(f) => Cell::Float(f),
            Leaf::Str(s) => Cell::Str(s),
            Leaf::List(_) | Leaf::Object => Cell::Other,
        }
    }
}

/// One record of a chunk: its cells, by input position.
pub struct Row<'c, 'a> {
    cells: &'c [Cell<'a>],
    /// The source's columns no input reads (strict mode reports them on every row).
    unknown: &'c [String],
}

impl Record for Row<'_, '_> {
    fn field(&self, index: usize, _name: &str) -> Result<Option<&dyn Raw>, ()> {
        Ok(match self.cells.get(index) {
            None | Some(Cell::Absent) => None,
            Some(c) => Some(c as &dyn Raw),
        })
    }

    fn unknown_fields(&self, _known: &dyn Fn(&str) -> bool) -> Vec<String> {
        self.unknown.to_vec()
    }
}

/// A chunk's cells: `rows` rows of one cell per input.
pub struct Cells<'a> {
    cells: Vec<Cell<'a>>,
    width: usize,
    rows: usize,
    unknown: Vec<String>,
}

impl<'a> Cells<'a> {
    /// `rows` rows of absent cells for `plan`'s inputs; `unknown` are the source's columns no input
    /// reads.
    pub fn new(plan: &Plan, rows: usize, unknown: Vec<String>) -> Cells<'a> {
        let width = plan.inputs.len();
        Cells {
            cells: vec![Cell::Absent; width * rows],
            width,
            rows,
            unknown,
        }
    }

    /// Sets input `input`'s cell of row `row`.
    pub fn set(&mut self, row: usize, input: usize, cell: Cell<'a>) {
        if let Some(c) = self.cells.get_mut(row * self.width + input) {
            *c = cell;
        }
    }

    /// The records, for the engine.
    pub fn rows(&self) -> Vec<Row<'_, 'a>> {
        (0..self.rows)
            .map(|r| Row {
                cells: &self.cells[r * self.width..(r + 1) * self.width],
                unknown: &self.unknown,
            })
            .collect()
    }

    /// Input `input`'s cell of row `row`.
    pub fn get(&self, row: usize, input: usize) -> Option<&Cell<'a>> {
        self.cells.get(row * self.width + input)
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

/// A CSV cell as input `input` reads it: a scalar by the one CSV cell rule for its dtype; a shaped
/// input's cell holds its JSON text (text that is not JSON stays text: `wrong_type`).
pub fn csv_cell<'a>(text: &'a str, input: &InputPlan) -> Cell<'a> {
    if input.shape.is_empty() {
        return Cell::of(super::reader::csv_leaf(text, input.rule.dtype));
    }
    if text.is_empty() {
        return Cell::Null;
    }
    super::reader::parse_json(text).map_or(Cell::Str(text), Cell::Json)
}

/// Whether `dtype` is the raw type of a text input (whose CSV cells are all text).
pub fn is_text(dtype: RawType) -> bool {
    dtype == RawType::Str
}

#[cfg(feature = "columnar")]
pub use arrow::{arrow_cell, arrow_cells, arrow_record};

#[cfg(feature = "columnar")]
mod arrow {
    use super::{Cell, Cells};
    use crate::raw::{BIG_INT, INF, NAN, NEG_INF};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
        UInt16Type, UInt32Type, UInt64Type, UInt8Type,
    };
    use arrow_array::{Array, ArrowPrimitiveType};
    use arrow_schema::DataType;
    use serde_json::Value;

    /// Fills input `input`'s cells of rows `0..array.len()` from an Arrow column, by the Arrow type
    /// mapping of SPEC §11: integers, floats, bool, utf8/large_utf8/utf8_view and dictionaries of
    /// them; list/large_list/fixed_size_list for shaped inputs; null is missing. Values of other
    /// types are cells no input takes (`wrong_type`).
    pub fn arrow_cells<'a>(cells: &mut Cells<'a>, input: usize, array: &'a dyn Array) {
        for row in 0..array.len().min(cells.len()) {
            cells.set(row, input, cell(array, row));
        }
    }

    fn prim<T: ArrowPrimitiveType>(array: &dyn Array, row: usize) -> T::Native {
        array.as_primitive::<T>().value(row)
    }

    /// A dictionary array's key at `row`, as an index into its values.
    fn dict_key(array: &dyn Array, key: &DataType, row: usize) -> Option<usize> {
        macro_rules! key {
            ($t:ty) => {
                usize::try_from(array.as_dictionary::<$t>().keys().value(row)).ok()
            };
        }
        match key {
            DataType::Int8 => key!(Int8Type),
            DataType::Int16 => key!(Int16Type),
            DataType::Int32 => key!(Int32Type),
            DataType::Int64 => key!(Int64Type),
            DataType::UInt8 => key!(UInt8Type),
            DataType::UInt16 => key!(UInt16Type),
            DataType::UInt32 => key!(UInt32Type),
            DataType::UInt64 => key!(UInt64Type),
            _ => None,
        }
    }

    /// Row `row` of a record batch as a JSON object of every column (a rejected record as read).
    pub fn arrow_record(batch: &arrow_array::RecordBatch, row: usize) -> Value {
        Value::Object(
            batch
                .schema()
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| (f.name().clone(), json(c.as_ref(), row)))
                .collect(),
        )
    }

    /// One value of an Arrow array as a cell (SPEC §11's type mapping).
    pub fn arrow_cell(array: &dyn Array, row: usize) -> Cell<'_> {
        cell(array, row)
    }

    /// One value of an Arrow array as a cell.
    fn cell(array: &dyn Array, row: usize) -> Cell<'_> {
        if array.is_null(row) {
            return Cell::Null;
        }
        match array.data_type() {
            DataType::Null => Cell::Null,
            DataType::Boolean => Cell::Bool(array.as_boolean().value(row)),
            DataType::Int8 => Cell::Int(prim::<Int8Type>(array, row).into()),
            DataType::Int16 => Cell::Int(prim::<Int16Type>(array, row).into()),
            DataType::Int32 => Cell::Int(prim::<Int32Type>(array, row).into()),
            DataType::Int64 => Cell::Int(prim::<Int64Type>(array, row).into()),
            DataType::UInt8 => Cell::Int(prim::<UInt8Type>(array, row).into()),
            DataType::UInt16 => Cell::Int(prim::<UInt16Type>(array, row).into()),
            DataType::UInt32 => Cell::Int(prim::<UInt32Type>(array, row).into()),
            DataType::UInt64 => Cell::Int(prim::<UInt64Type>(array, row).into()),
            DataType::Float16 => Cell::Float(prim::<Float16Type>(array, row).to_f64()),
            DataType::Float32 => Cell::Float(prim::<Float32Type>(array, row).into()),
            DataType::Float64 => Cell::Float(prim::<Float64Type>(array, row)),
            DataType::Utf8 => Cell::Str(array.as_string::<i32>().value(row)),
            DataType::LargeUtf8 => Cell::Str(array.as_string::<i64>().value(row)),
            DataType::Utf8View => Cell::Str(array.as_string_view().value(row)),
            DataType::Dictionary(key, _) => match dict_key(array, key, row) {
                Some(k) => cell(array.as_any_dictionary().values().as_ref(), k),
                None => Cell::Other,
            },
            DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::ListView(_)
            | DataType::LargeListView(_) => Cell::Json(json(array, row)),
            _ => Cell::Other,
        }
    }

    /// An Arrow value as the JSON the engine walks (NaN, ±inf and integers beyond 64 bits as the
    /// sentinels the JSON reader uses).
    fn json(array: &dyn Array, row: usize) -> Value {
        if array.is_null(row) {
            return Value::Null;
        }
        let items = |values: &dyn Array, range: std::ops::Range<usize>| {
            Value::Array(range.map(|i| json(values, i)).collect())
        };
        match array.data_type() {
            DataType::List(_) => {
                let l = array.as_list::<i32>();
                let o = l.value_offsets();
                items(l.values().as_ref(), o[row] as usize..o[row + 1] as usize)
            }
            DataType::LargeList(_) => {
                let l = array.as_list::<i64>();
                let o = l.value_offsets();
                items(l.values().as_ref(), o[row] as usize..o[row + 1] as usize)
            }
            DataType::FixedSizeList(_, n) => {
                let l = array.as_fixed_size_list();
                let n = usize::try_from(*n).unwrap_or(0);
                items(l.values().as_ref(), row * n..(row + 1) * n)
            }
            DataType::ListView(_) => {
                let l = array.as_list_view::<i32>();
                let start = l.value_offsets()[row] as usize;
                items(
                    l.values().as_ref(),
                    start..start + l.value_sizes()[row] as usize,
                )
            }
            DataType::LargeListView(_) => {
                let l = array.as_list_view::<i64>();
                let start = l.value_offsets()[row] as usize;
                items(
                    l.values().as_ref(),
                    start..start + l.value_sizes()[row] as usize,
                )
            }
            _ => match cell(array, row) {
                Cell::Absent | Cell::Null => Value::Null,
                Cell::Bool(b) => Value::Bool(b),
                Cell::Int(i) => i64::try_from(i)
                    .map(Value::from)
                    .or_else(|_| u64::try_from(i).map(Value::from))
                    .unwrap_or_else(|_| Value::String(format!("{BIG_INT}{i}"))),
                Cell::Float(f) if f.is_nan() => Value::String(NAN.to_string()),
                Cell::Float(f) if f.is_infinite() => {
                    Value::String(if f > 0.0 { INF } else { NEG_INF }.to_string())
                }
                Cell::Float(f) => {
                    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
                }
                Cell::Str(s) => Value::String(s.to_string()),
                Cell::Json(v) => v,
                // A value no input takes, inside a list: an object is what the engine names.
                Cell::Other => Value::Object(serde_json::Map::new()),
            },
        }
    }
}
