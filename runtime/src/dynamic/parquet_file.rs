//! Batches as Parquet (SPEC §11): one row per example, each tensor a column — a primitive column
//! for a scalar per example, nested `fixed_size_list`s for a per-example shape — and the
//! `{"schema", "version", "fingerprint"}` JSON under the key `tensorseam` in the file's key-value
//! metadata. pyarrow, pandas and polars read it as it is; `verify` reads its headers.

use crate::atomic::AtomicFile;
use crate::batch::Batch;
use crate::files::{BatchFile, Entry, FileError, Meta};
use crate::tensor::{DType, Tensor};
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, BooleanArray, FixedSizeListArray, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema as ArrowSchema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

/// The key of the metadata entry.
pub const META_KEY: &str = "tensorseam";

/// Rows per row group: a group is built in memory before it is written.
const GROUP_ROWS: usize = 65_536;

fn err(path: &Path, e: impl std::fmt::Display) -> FileError {
    FileError(format!("cannot write `{}`: {e}", path.display()))
}

fn arrow_type(d: DType) -> DataType {
    match d {
        DType::Bool => DataType::Boolean,
        DType::I8 => DataType::Int8,
        DType::I16 => DataType::Int16,
        DType::I32 => DataType::Int32,
        DType::I64 => DataType::Int64,
        DType::U8 => DataType::UInt8,
        DType::U16 => DataType::UInt16,
        DType::U32 => DataType::UInt32,
        DType::U64 => DataType::UInt64,
        DType::F32 => DataType::Float32,
        DType::F64 => DataType::Float64,
    }
}

fn from_arrow(d: &DataType) -> Option<DType> {
    [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
    ]
    .into_iter()
    .find(|x| arrow_type(*x) == *d)
}

/// The column type of a tensor whose per-example shape is `inner`.
fn column_type(dtype: DType, inner: &[usize]) -> DataType {
    inner.iter().rev().fold(arrow_type(dtype), |t, n| {
        DataType::FixedSizeList(
            Arc::new(Field::new("item", t, false)),
            i32::try_from(*n).unwrap_or(i32::MAX),
        )
    })
}

/// A tensor's elements, each example padded (zeros, `false`) to the per-example shape `inner`.
fn values<T: Copy + Default>(data: &[T], shape: &[usize], inner: &[usize]) -> Vec<T> {
    if shape[1..] == *inner {
        return data.to_vec();
    }
    let mut out = Vec::with_capacity(shape[0] * inner.iter().product::<usize>());
    fn pad<T: Copy + Default>(data: &[T], shape: &[usize], target: &[usize], out: &mut Vec<T>) {
        if shape.is_empty() {
            out.extend_from_slice(&data[..1]);
            return;
        }
        let step: usize = shape[1..].iter().product();
        for i in 0..shape[0] {
            pad(
                &data[i * step..(i + 1) * step],
                &shape[1..],
                &target[1..],
                out,
            );
        }
        let wide: usize = target[1..].iter().product();
        out.extend(std::iter::repeat_n(
            T::default(),
            (target[0] - shape[0]) * wide,
        ));
    }
    let step: usize = shape[1..].iter().product();
    for row in 0..shape[0] {
        pad(
            &data[row * step..(row + 1) * step],
            &shape[1..],
            inner,
            &mut out,
        );
    }
    out
}

/// A tensor as one column of `inner`-shaped examples.
fn column(t: &Tensor, inner: &[usize]) -> ArrayRef {
    macro_rules! prim {
        ($a:expr, $ty:ty) => {{
            let data = $a.as_standard_layout();
            let v = values(data.as_slice().unwrap_or(&[]), t.shape(), inner);
            Arc::new(PrimitiveArray::<$ty>::from(v)) as ArrayRef
        }};
    }
    let mut array: ArrayRef = match t {
        Tensor::Bool(a) => {
            let data = a.as_standard_layout();
            let v = values(data.as_slice().unwrap_or(&[]), t.shape(), inner);
            Arc::new(BooleanArray::from(v))
        }
        Tensor::I8(a) => prim!(a, Int8Type),
        Tensor::I16(a) => prim!(a, Int16Type),
        Tensor::I32(a) => prim!(a, Int32Type),
        Tensor::I64(a) => prim!(a, Int64Type),
        Tensor::U8(a) => prim!(a, UInt8Type),
        Tensor::U16(a) => prim!(a, UInt16Type),
        Tensor::U32(a) => prim!(a, UInt32Type),
        Tensor::U64(a) => prim!(a, UInt64Type),
        Tensor::F32(a) => prim!(a, Float32Type),
        Tensor::F64(a) => prim!(a, Float64Type),
    };
    for n in inner.iter().rev() {
        let field = Arc::new(Field::new("item", array.data_type().clone(), false));
        let size = i32::try_from(*n).unwrap_or(i32::MAX);
        array = Arc::new(FixedSizeListArray::new(field, size, array, None));
    }
    array
}

/// Writes batches of one plan to Parquet as they come, or — when a tensor's per-example shape
/// varies between batches (a dim without `max`) — once all are in, padded to the widest.
pub struct ParquetOut {
    path: std::path::PathBuf,
    writer: Option<ArrowWriter<AtomicFile>>,
    schema: Option<Arc<ArrowSchema>>,
    shapes: Vec<Vec<usize>>,
    pending: Vec<Batch>,
    streaming: bool,
}

impl ParquetOut {
    /// A writer to `path`; `streaming` when every tensor's per-example shape is fixed.
    pub fn new(path: &Path, streaming: bool) -> ParquetOut {
        ParquetOut {
            path: path.to_path_buf(),
            writer: None,
            schema: None,
            shapes: Vec::new(),
            pending: Vec::new(),
            streaming,
        }
    }

    /// Adds a batch (written now when streaming).
    ///
    /// # Errors
    /// An I/O error naming the file.
    pub fn push(&mut self, batch: Batch) -> Result<(), FileError> {
        if self.streaming {
            if self.writer.is_none() {
                self.shapes = batch
                    .tensors()
                    .iter()
                    .map(|(_, t)| t.shape()[1..].to_vec())
                    .collect();
                self.open(&batch)?;
            }
            self.write(&batch)
        } else {
            self.pending.push(batch);
            Ok(())
        }
    }

    fn open(&mut self, first: &Batch) -> Result<(), FileError> {
        let fields: Vec<Field> = first
            .tensors()
            .iter()
            .zip(&self.shapes)
            .map(|((name, t), inner)| Field::new(name, column_type(t.dtype(), inner), false))
            .collect();
        let meta = serde_json::json!({"schema": first.schema(), "version": first.version(), "fingerprint": first.fingerprint()}).to_string();
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(GROUP_ROWS))
            .set_key_value_metadata(Some(vec![parquet::file::metadata::KeyValue::new(
                META_KEY.to_string(),
                meta.clone(),
            )]))
            .build();
        let file = AtomicFile::create(&self.path).map_err(|e| err(&self.path, e))?;
        // In the file's key-value metadata (SPEC §11) and in the Arrow schema's, which pyarrow
        // and polars show as the table's metadata.
        let schema = Arc::new(ArrowSchema::new_with_metadata(
            fields,
            std::collections::HashMap::from([(META_KEY.to_string(), meta)]),
        ));
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| err(&self.path, e))?;
        self.writer = Some(writer);
        self.schema = Some(schema);
        Ok(())
    }

    fn write(&mut self, batch: &Batch) -> Result<(), FileError> {
        let (Some(writer), Some(schema)) = (self.writer.as_mut(), self.schema.as_ref()) else {
            return Err(err(&self.path, "not open"));
        };
        let columns: Vec<ArrayRef> = batch
            .tensors()
            .iter()
            .zip(&self.shapes)
            .map(|((_, t), inner)| column(t, inner))
            .collect();
        let record =
            RecordBatch::try_new(schema.clone(), columns).map_err(|e| err(&self.path, e))?;
        writer.write(&record).map_err(|e| err(&self.path, e))
    }

    /// Writes what is buffered, closes the file and puts it in place.
    ///
    /// # Errors
    /// No rows at all, or an I/O error naming the file; the old file is then as it was.
    pub fn finish(self) -> Result<(), FileError> {
        let path = self.path.clone();
        self.close()?.commit().map_err(|e| err(&path, e))
    }

    /// Writes what is buffered and closes the file, leaving it to the caller to put in place
    /// (several parts are put in place together, once all are written).
    ///
    /// # Errors
    /// No rows at all, or an I/O error naming the file.
    pub fn close(mut self) -> Result<AtomicFile, FileError> {
        if !self.streaming {
            let pending = std::mem::take(&mut self.pending);
            let Some(first) = pending.first() else {
                return Err(FileError(format!(
                    "`{}`: no rows to write",
                    self.path.display()
                )));
            };
            // Each tensor as wide as its widest part.
            self.shapes = first
                .tensors()
                .iter()
                .enumerate()
                .map(|(i, (_, t))| {
                    let mut s = t.shape()[1..].to_vec();
                    for b in &pending {
                        for (a, x) in s.iter_mut().zip(&b.tensors()[i].1.shape()[1..]) {
                            *a = (*a).max(*x);
                        }
                    }
                    s
                })
                .collect();
            self.open(first)?;
            for b in &pending {
                self.write(b)?;
            }
        }
        let Some(writer) = self.writer.take() else {
            return Err(FileError(format!(
                "`{}`: no rows to write",
                self.path.display()
            )));
        };
        writer.into_inner().map_err(|e| err(&self.path, e))
    }
}

/// A Parquet batch file's metadata and each column's dtype and per-row shape, without its data.
///
/// # Errors
/// A file that is not Parquet.
pub fn headers(path: &Path) -> Result<BatchFile, FileError> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let fail = |e: &dyn std::fmt::Display| FileError(format!("`{}`: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| fail(&e))?;
    let rows = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let meta = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|k| k.key == META_KEY))
        .and_then(|k| k.value.as_deref())
        .and_then(|text| {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            Some(Meta {
                schema: v.get("schema")?.as_str()?.to_string(),
                version: v.get("version")?.as_u64()?,
                fingerprint: v.get("fingerprint")?.as_str()?.to_string(),
            })
        });
    let entries = builder
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let mut shape = vec![rows];
            let mut t = f.data_type();
            while let DataType::FixedSizeList(item, n) = t {
                shape.push(usize::try_from(*n).unwrap_or(0));
                t = item.data_type();
            }
            let dtype = from_arrow(t).map_or_else(|| format!("{t}"), |d| d.name().to_string());
            (
                f.name().clone(),
                Entry {
                    dtype,
                    shape,
                    tensor: None,
                },
            )
        })
        .collect();
    Ok(BatchFile { meta, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_pad_to_the_widest() {
        // Two examples of [2] padded to [3]; scalars untouched.
        assert_eq!(values(&[1, 2, 3, 4], &[2, 2], &[3]), vec![1, 2, 0, 3, 4, 0]);
        assert_eq!(values(&[1, 2], &[2], &[]), vec![1, 2]);
        // [1, 2, 1] to [3, 2]: rows then the missing row of zeros.
        assert_eq!(values(&[7, 8], &[1, 2, 1], &[3, 2]), vec![7, 0, 8, 0, 0, 0]);
    }
}
