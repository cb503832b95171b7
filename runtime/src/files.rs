//! Batch files: `.npz` (numpy's own: `np.load` opens it) and `.safetensors`, each carrying the
//! schema fingerprint (SPEC §6, §9 "Files").
//!
//! An `.npz` holds one `.npy` per tensor, in batch order, plus `__tensorseam__.npy`: a 0-d unicode
//! array with `{"schema": …, "version": …, "fingerprint": …}` as JSON, which loads with
//! `allow_pickle=False`. A `.safetensors` file carries the same JSON under the `__tensorseam__` key
//! of its `__metadata__`.

use crate::batch::Batch;
use crate::tensor::{DType, Tensor};
use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Seek, Write};
use std::path::Path;

/// The name of the metadata entry in both formats.
pub const META_KEY: &str = "__tensorseam__";

/// What a batch file says about the schema that wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Schema name.
    pub schema: String,
    /// Schema version.
    pub version: u64,
    /// Schema fingerprint.
    pub fingerprint: String,
}

/// One array of a batch file.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A tensor of a dtype tensorseam writes.
    Tensor(Tensor),
    /// An array of another dtype (`verify` reports it).
    Other {
        /// The dtype as the file names it (numpy `descr` or safetensors dtype).
        dtype: String,
        /// Its shape.
        shape: Vec<usize>,
    },
}

impl Entry {
    /// The dtype's name (`f32`, or the file's own name for others).
    pub fn dtype_name(&self) -> String {
        match self {
            Entry::Tensor(t) => t.dtype().name().to_string(),
            Entry::Other { dtype, .. } => dtype.clone(),
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        match self {
            Entry::Tensor(t) => t.shape(),
            Entry::Other { shape, .. } => shape,
        }
    }
}

/// A batch file as read: its metadata, if any, and its arrays in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchFile {
    /// The `__tensorseam__` entry, when present and readable.
    pub meta: Option<Meta>,
    /// Arrays, by name.
    pub entries: Vec<(String, Entry)>,
}

/// A batch file that could not be read or written.
#[derive(Debug)]
pub struct FileError(pub String);

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FileError {}

fn err(e: impl fmt::Display) -> FileError {
    FileError(e.to_string())
}

fn meta_json(batch: &Batch) -> String {
    serde_json::json!({"schema": batch.schema(), "version": batch.version(), "fingerprint": batch.fingerprint()}).to_string()
}

/// Reads the metadata JSON; anything else is "no metadata".
fn parse_meta(text: &str) -> Option<Meta> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(Meta {
        schema: v.get("schema")?.as_str()?.to_string(),
        version: v.get("version")?.as_u64()?,
        fingerprint: v.get("fingerprint")?.as_str()?.to_string(),
    })
}

// ---- npy -----------------------------------------------------------------------------------

fn descr(d: DType) -> &'static str {
    match d {
        DType::Bool => "|b1",
        DType::I8 => "|i1",
        DType::U8 => "|u1",
        DType::I16 => "<i2",
        DType::U16 => "<u2",
        DType::I32 => "<i4",
        DType::U32 => "<u4",
        DType::I64 => "<i8",
        DType::U64 => "<u8",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
    }
}

/// The dtype for a little-endian (or byte-sized) numpy descr.
fn from_descr(descr: &str) -> Option<DType> {
    let d = descr.trim_start_matches(['<', '|', '=']);
    Some(match d {
        "b1" => DType::Bool,
        "i1" => DType::I8,
        "u1" => DType::U8,
        "i2" => DType::I16,
        "u2" => DType::U16,
        "i4" => DType::I32,
        "u4" => DType::U32,
        "i8" => DType::I64,
        "u8" => DType::U64,
        "f4" => DType::F32,
        "f8" => DType::F64,
        _ => return None,
    })
}

/// An `.npy` (format 1.0) with the given header fields and data.
fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims = match shape {
        [] => String::new(),
        [one] => format!("{one},"),
        many => many
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}");
    // Pad with spaces so the data starts 64-byte aligned; the header ends with a newline.
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// Parsed `.npy` header.
struct NpyHeader {
    descr: String,
    fortran: bool,
    shape: Vec<usize>,
}

fn parse_header(h: &str) -> Option<NpyHeader> {
    let value = |key: &str| -> Option<&str> {
        let at = h.find(&format!("'{key}'"))? + key.len() + 2;
        Some(h[at..].trim_start().strip_prefix(':')?.trim_start())
    };
    let d = value("descr")?.strip_prefix('\'')?;
    let descr = d[..d.find('\'')?].to_string();
    let fortran = value("fortran_order")?.starts_with("True");
    let s = value("shape")?.strip_prefix('(')?;
    let s = &s[..s.find(')')?];
    let shape = s
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| x.trim_end_matches('L').parse().ok())
        .collect::<Option<Vec<usize>>>()?;
    Some(NpyHeader {
        descr,
        fortran,
        shape,
    })
}

/// Parses an `.npy`: its header and the bytes after it.
fn read_npy(bytes: &[u8]) -> Result<(NpyHeader, &[u8]), FileError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(FileError("not an .npy array (bad magic)".into()));
    }
    let (len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(FileError(format!("unsupported .npy format version {v}"))),
    };
    let header = bytes
        .get(start..start + len)
        .ok_or_else(|| FileError("truncated .npy header".into()))?;
    let header = std::str::from_utf8(header).map_err(err)?;
    let h = parse_header(header)
        .ok_or_else(|| FileError(format!("unreadable .npy header {header:?}")))?;
    Ok((h, &bytes[start + len..]))
}

fn npy_entry(bytes: &[u8]) -> Result<Entry, FileError> {
    let (h, data) = read_npy(bytes)?;
    let Some(dtype) = from_descr(&h.descr) else {
        return Ok(Entry::Other {
            dtype: h.descr,
            shape: h.shape,
        });
    };
    let count: usize = h.shape.iter().product();
    let data = data
        .get(..count * dtype.size())
        .ok_or_else(|| FileError("truncated .npy data".into()))?;
    if !h.fortran {
        return Tensor::from_le_bytes(dtype, &h.shape, data)
            .map(Entry::Tensor)
            .ok_or_else(|| FileError("invalid .npy data".into()));
    }
    // Fortran order: read with the axes reversed, then transpose into row-major.
    let reversed: Vec<usize> = h.shape.iter().rev().copied().collect();
    let t = Tensor::from_le_bytes(dtype, &reversed, data)
        .ok_or_else(|| FileError("invalid .npy data".into()))?;
    Ok(Entry::Tensor(transpose(t)))
}

macro_rules! transpose_impl {
    ($t:expr; $($v:ident),*) => {
        match $t { $(Tensor::$v(a) => Tensor::$v(a.reversed_axes().as_standard_layout().into_owned()),)* }
    };
}

fn transpose(t: Tensor) -> Tensor {
    transpose_impl!(t; Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64)
}

/// A 0-d unicode `.npy` holding `text` (UTF-32LE, dtype `<U{n}`).
fn npy_unicode(text: &str) -> Vec<u8> {
    let n = text.chars().count().max(1);
    let mut data: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    data.resize(n * 4, 0);
    npy(&format!("<U{n}"), &[], &data)
}

fn read_unicode(bytes: &[u8]) -> Option<String> {
    let (h, data) = read_npy(bytes).ok()?;
    let n: usize = h.descr.strip_prefix("<U")?.parse().ok()?;
    if !h.shape.is_empty() {
        return None;
    }
    let chars: Option<String> = data
        .get(..n * 4)?
        .chunks_exact(4)
        .map(|c| char::from_u32(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
        .collect();
    Some(chars?.trim_end_matches('\0').to_string())
}

/// Writes `batch` as `.npz` to `w`.
///
/// # Errors
/// I/O errors.
pub fn write_npz(batch: &Batch, w: impl Write + Seek) -> Result<(), FileError> {
    let mut zip = zip::ZipWriter::new(w);
    for (name, tensor) in batch.tensors() {
        let data = npy(descr(tensor.dtype()), tensor.shape(), &tensor.to_le_bytes());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(data.len() as u64 >= u64::from(u32::MAX));
        zip.start_file(format!("{name}.npy"), options)
            .map_err(err)?;
        zip.write_all(&data).map_err(err)?;
    }
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(format!("{META_KEY}.npy"), options)
        .map_err(err)?;
    zip.write_all(&npy_unicode(&meta_json(batch)))
        .map_err(err)?;
    zip.finish().map_err(err)?;
    Ok(())
}

/// Reads an `.npz` (stored or deflated, as `np.savez` / `np.savez_compressed` write).
///
/// # Errors
/// When the archive or an array in it cannot be read.
pub fn read_npz(r: impl Read + Seek) -> Result<BatchFile, FileError> {
    let mut zip =
        zip::ZipArchive::new(r).map_err(|e| FileError(format!("not an .npz archive: {e}")))?;
    let mut meta = None;
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).map_err(err)?;
        let name = file.name().map_err(err)?.to_string();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(err)?;
        let Some(stem) = name.strip_suffix(".npy") else {
            continue;
        };
        if stem == META_KEY {
            meta = read_unicode(&bytes).as_deref().and_then(parse_meta);
            continue;
        }
        let entry = npy_entry(&bytes).map_err(|e| FileError(format!("`{stem}`: {e}")))?;
        entries.push((stem.to_string(), entry));
    }
    Ok(BatchFile { meta, entries })
}

// ---- safetensors ----------------------------------------------------------------------------

fn st_dtype(d: DType) -> safetensors::Dtype {
    use safetensors::Dtype as S;
    match d {
        DType::Bool => S::BOOL,
        DType::I8 => S::I8,
        DType::I16 => S::I16,
        DType::I32 => S::I32,
        DType::I64 => S::I64,
        DType::U8 => S::U8,
        DType::U16 => S::U16,
        DType::U32 => S::U32,
        DType::U64 => S::U64,
        DType::F32 => S::F32,
        DType::F64 => S::F64,
    }
}

fn from_st(d: safetensors::Dtype) -> Option<DType> {
    use safetensors::Dtype as S;
    Some(match d {
        S::BOOL => DType::Bool,
        S::I8 => DType::I8,
        S::I16 => DType::I16,
        S::I32 => DType::I32,
        S::I64 => DType::I64,
        S::U8 => DType::U8,
        S::U16 => DType::U16,
        S::U32 => DType::U32,
        S::U64 => DType::U64,
        S::F32 => DType::F32,
        S::F64 => DType::F64,
        _ => return None,
    })
}

/// The batch as `.safetensors` bytes.
///
/// # Errors
/// When safetensors refuses a tensor.
pub fn safetensors_bytes(batch: &Batch) -> Result<Vec<u8>, FileError> {
    let data: Vec<(String, Vec<u8>)> = batch
        .tensors()
        .iter()
        .map(|(n, t)| (n.clone(), t.to_le_bytes()))
        .collect();
    let views = batch
        .tensors()
        .iter()
        .zip(&data)
        .map(|((name, t), (_, bytes))| {
            safetensors::tensor::TensorView::new(st_dtype(t.dtype()), t.shape().to_vec(), bytes)
                .map(|v| (name.clone(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let meta = HashMap::from([(META_KEY.to_string(), meta_json(batch))]);
    safetensors::tensor::serialize(views, Some(meta)).map_err(err)
}

/// Reads `.safetensors` bytes. Entries are sorted by name (the format keeps no order).
///
/// # Errors
/// When the bytes are not a safetensors file.
pub fn read_safetensors(bytes: &[u8]) -> Result<BatchFile, FileError> {
    let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes)
        .map_err(|e| FileError(format!("not a .safetensors file: {e}")))?;
    let meta = metadata
        .metadata()
        .as_ref()
        .and_then(|m| m.get(META_KEY))
        .and_then(|s| parse_meta(s));
    let st = safetensors::SafeTensors::deserialize(bytes).map_err(err)?;
    let mut entries = Vec::new();
    for (name, view) in st.tensors() {
        let entry = match from_st(view.dtype()) {
            Some(d) => Entry::Tensor(
                Tensor::from_le_bytes(d, view.shape(), view.data())
                    .ok_or_else(|| FileError(format!("`{name}`: invalid data")))?,
            ),
            None => Entry::Other {
                dtype: format!("{:?}", view.dtype()),
                shape: view.shape().to_vec(),
            },
        };
        entries.push((name, entry));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(BatchFile { meta, entries })
}

/// Writes a batch to `path`, choosing the format by extension (`.npz` or `.safetensors`).
///
/// # Errors
/// An unknown extension, or an I/O error.
pub fn write(batch: &Batch, path: &Path) -> Result<(), FileError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("npz") => {
            let mut buf = std::io::Cursor::new(Vec::new());
            write_npz(batch, &mut buf)?;
            std::fs::write(path, buf.into_inner()).map_err(err)
        }
        Some("safetensors") => std::fs::write(path, safetensors_bytes(batch)?).map_err(err),
        _ => Err(FileError(format!(
            "`{}`: batch files end in .npz or .safetensors",
            path.display()
        ))),
    }
}

/// Reads a batch file, choosing the format by extension.
///
/// # Errors
/// An unknown extension, an I/O error, or an unreadable file.
pub fn read(path: &Path) -> Result<BatchFile, FileError> {
    let bytes = std::fs::read(path)
        .map_err(|e| FileError(format!("cannot read `{}`: {e}", path.display())))?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("npz") => read_npz(std::io::Cursor::new(bytes)),
        Some("safetensors") => read_safetensors(&bytes),
        _ => Err(FileError(format!(
            "`{}`: batch files end in .npz or .safetensors",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    fn batch() -> Batch {
        let f = ArrayD::from_shape_vec(
            IxDyn(&[2, 3]),
            vec![1.5f32, -0.0, f32::MIN_POSITIVE, 4.0, 5.0, 6.0],
        )
        .expect("shape");
        let i = ArrayD::from_shape_vec(IxDyn(&[2]), vec![u64::MAX, 7]).expect("shape");
        let m = ArrayD::from_shape_vec(IxDyn(&[2, 1]), vec![true, false]).expect("shape");
        Batch::new(
            "pen\"guins",
            3,
            "abc123",
            vec![
                ("features".into(), Tensor::F32(f)),
                ("ids".into(), Tensor::U64(i)),
                ("seq_mask".into(), Tensor::Bool(m)),
            ],
        )
    }

    #[test]
    fn npz_round_trip() {
        let b = batch();
        let mut buf = std::io::Cursor::new(Vec::new());
        write_npz(&b, &mut buf).expect("write");
        let file = read_npz(std::io::Cursor::new(buf.into_inner())).expect("read");
        assert_eq!(
            file.meta,
            Some(Meta {
                schema: "pen\"guins".into(),
                version: 3,
                fingerprint: "abc123".into()
            })
        );
        let names: Vec<&str> = file.entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["features", "ids", "seq_mask"]);
        for ((_, e), (_, t)) in file.entries.iter().zip(b.tensors()) {
            assert_eq!(e, &Entry::Tensor(t.clone()));
        }
    }

    #[test]
    fn safetensors_round_trip() {
        let b = Batch::new("penguins", 3, "abc123", batch().tensors().to_vec());
        let file = read_safetensors(&safetensors_bytes(&b).expect("write")).expect("read");
        assert_eq!(
            file.meta,
            Some(Meta {
                schema: "penguins".into(),
                version: 3,
                fingerprint: "abc123".into()
            })
        );
        let mut expected: Vec<(String, Entry)> = b
            .tensors()
            .iter()
            .map(|(n, t)| (n.clone(), Entry::Tensor(t.clone())))
            .collect();
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(file.entries, expected);
    }

    #[test]
    fn fortran_order_is_transposed_to_row_major() {
        // Column-major [[0, 1, 2], [3, 4, 5]] is stored 0, 3, 1, 4, 2, 5.
        let data: Vec<u8> = [0i32, 3, 1, 4, 2, 5]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let header = "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }";
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(&data);
        let Entry::Tensor(Tensor::I32(a)) = npy_entry(&bytes).expect("read") else {
            panic!("i32 tensor")
        };
        assert_eq!(a.shape(), &[2, 3]);
        assert_eq!(
            a.iter().copied().collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn npy_headers() {
        let bytes = npy("<f8", &[3], &[0; 24]);
        assert_eq!((bytes.len() - 24) % 64, 0);
        let (h, data) = read_npy(&bytes).expect("parse");
        assert_eq!(
            (h.descr.as_str(), h.shape, h.fortran, data.len()),
            ("<f8", vec![3], false, 24)
        );
        let h = parse_header("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3), }")
            .expect("parse");
        assert_eq!((h.shape, h.fortran), (vec![2, 3], true));
        assert!(read_npy(b"not numpy at all").is_err());
        assert_eq!(
            read_unicode(&npy_unicode("héllo 😀")),
            Some("héllo 😀".into())
        );
    }
}
