//! Batch files: `.npz` (numpy's own: `np.load` opens it) and `.safetensors`, each carrying the
//! schema fingerprint (SPEC §6, §9 "Files").
//!
//! An `.npz` holds one `.npy` per tensor, in batch order, plus `__tensorseam__.npy`: a 0-d unicode
//! array with `{"schema": …, "version": …, "fingerprint": …}` as JSON, which loads with
//! `allow_pickle=False`. A `.safetensors` file carries the same JSON under the `__tensorseam__` key
//! of its `__metadata__`.
//!
//! Both are written a block at a time through [`crate::atomic`] (no second copy of a tensor in
//! memory; a failed write leaves the old file). Reading is bounded: only regular files are opened,
//! and an array is read only as far as its own header and the archive's size declare, so a small
//! file that claims to hold gigabytes (a zip bomb) costs nothing to [`read_headers`].

use crate::atomic::AtomicFile;
use crate::batch::Batch;
use crate::tensor::{DType, Tensor};
use std::fmt;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The name of the metadata entry in both formats.
pub const META_KEY: &str = "__tensorseam__";

/// The longest `.npy` header read (numpy writes a few hundred bytes; version 2 could declare 4 GB).
const MAX_NPY_HEADER: usize = 1 << 16;
/// The longest metadata entry read.
const MAX_META: u64 = 1 << 16;
/// The longest `.safetensors` header read (the reference implementation's own limit).
const MAX_SAFETENSORS_HEADER: u64 = 100_000_000;

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

/// One array of a batch file: its dtype and shape as the file declares them, and its data when it
/// was read (and is of a dtype tensorseam writes).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The dtype: `f32` and the like for the dtypes tensorseam writes, else the file's own name
    /// (numpy `descr` or safetensors dtype).
    pub dtype: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// The data ([`read`]; `None` from [`read_headers`], or for another dtype).
    pub tensor: Option<Tensor>,
}

impl Entry {
    /// The dtype's name.
    pub fn dtype_name(&self) -> &str {
        &self.dtype
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
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

/// A batch file that could not be read or written; the message names the file.
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

/// Bytes of `count` elements of `dtype`, unless that overflows.
fn data_len(dtype_size: usize, shape: &[usize]) -> Option<u64> {
    shape
        .iter()
        .try_fold(dtype_size as u64, |acc, n| acc.checked_mul(*n as u64))
}

/// Reads exactly `len` bytes (`len` already checked against what the file declares). Memory is
/// taken as the bytes arrive (a declared size is a promise, not a fact), up front only to 64 MiB.
fn read_exact_vec(r: &mut impl Read, len: u64) -> Result<Vec<u8>, FileError> {
    let n = usize::try_from(len).map_err(|_| FileError("an array larger than memory".into()))?;
    let mut out = Vec::new();
    out.try_reserve_exact(n.min(64 << 20))
        .map_err(|_| FileError(format!("an array of {n} bytes does not fit in memory")))?;
    r.take(len).read_to_end(&mut out).map_err(err)?;
    if out.len() as u64 != len {
        return Err(FileError("truncated array data".into()));
    }
    Ok(out)
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

/// An `.npy` (format 1.0) header for an array of `descr` and `shape`; the data follows it.
fn npy_header(descr: &str, shape: &[usize]) -> Vec<u8> {
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
    let mut out = Vec::with_capacity(10 + header.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
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

/// Reads an `.npy` header from the start of `r`; returns it and its length in bytes.
fn read_npy_header(r: &mut impl Read) -> Result<(NpyHeader, u64), FileError> {
    let mut start = [0u8; 10];
    r.read_exact(&mut start)
        .map_err(|_| FileError("not an .npy array (too short)".into()))?;
    if &start[..6] != b"\x93NUMPY" {
        return Err(FileError("not an .npy array (bad magic)".into()));
    }
    let (len, prefix) = match start[6] {
        1 => (usize::from(u16::from_le_bytes([start[8], start[9]])), 10),
        2 | 3 => {
            let mut more = [0u8; 2];
            r.read_exact(&mut more).map_err(err)?;
            (
                u32::from_le_bytes([start[8], start[9], more[0], more[1]]) as usize,
                12,
            )
        }
        v => return Err(FileError(format!("unsupported .npy format version {v}"))),
    };
    if len > MAX_NPY_HEADER {
        return Err(FileError(format!(
            "an .npy header of {len} bytes (at most {MAX_NPY_HEADER} are read)"
        )));
    }
    let mut header = vec![0u8; len];
    r.read_exact(&mut header)
        .map_err(|_| FileError("truncated .npy header".into()))?;
    let header = String::from_utf8_lossy(&header);
    let h = parse_header(&header).ok_or_else(|| {
        let shown: String = header.chars().take(80).collect();
        FileError(format!("unreadable .npy header {shown:?}"))
    })?;
    Ok((h, (prefix + len) as u64))
}

/// One `.npy` array: its header, and its data when `data` is set and the dtype is known. `size`
/// is what the archive declares for the member: the data must be exactly what the header says.
fn npy_entry(r: &mut impl Read, size: u64, data: bool) -> Result<Entry, FileError> {
    let (h, header_len) = read_npy_header(r)?;
    let dtype = from_descr(&h.descr);
    let entry = |tensor| Entry {
        dtype: dtype.map_or_else(|| h.descr.clone(), |d| d.name().to_string()),
        shape: h.shape.clone(),
        tensor,
    };
    let Some(dtype) = dtype else {
        return Ok(entry(None));
    };
    let len = data_len(dtype.size(), &h.shape)
        .ok_or_else(|| FileError("the shape's size overflows".into()))?;
    if header_len.checked_add(len) != Some(size) {
        return Err(FileError(format!(
            "the header declares {len} bytes of data, the archive {}",
            size.saturating_sub(header_len)
        )));
    }
    if !data {
        return Ok(entry(None));
    }
    let bytes = read_exact_vec(r, len)?;
    let shape: Vec<usize> = if h.fortran {
        h.shape.iter().rev().copied().collect()
    } else {
        h.shape.clone()
    };
    let t = Tensor::from_le_bytes(dtype, &shape, &bytes)
        .ok_or_else(|| FileError("invalid .npy data".into()))?;
    // Fortran order: read with the axes reversed, then transpose into row-major.
    Ok(entry(Some(if h.fortran { transpose(t) } else { t })))
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
    let mut out = npy_header(&format!("<U{n}"), &[]);
    let start = out.len();
    out.extend(text.chars().flat_map(|c| (c as u32).to_le_bytes()));
    out.resize(start + n * 4, 0);
    out
}

fn read_unicode(r: &mut impl Read) -> Option<String> {
    let (h, _) = read_npy_header(r).ok()?;
    let n: usize = h.descr.strip_prefix("<U")?.parse().ok()?;
    if !h.shape.is_empty() {
        return None;
    }
    let data = read_exact_vec(r, (n as u64).checked_mul(4)?).ok()?;
    let chars: Option<String> = data
        .chunks_exact(4)
        .map(|c| char::from_u32(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
        .collect();
    Some(chars?.trim_end_matches('\0').to_string())
}

/// What a batch file holds — metadata and named tensors — written a block at a time: one batch,
/// or the parts a stream encoded, stacked along the batch axis ([`write_parts`]).
trait Contents {
    fn meta(&self) -> String;
    fn len(&self) -> usize;
    fn name(&self, i: usize) -> &str;
    fn dtype(&self, i: usize) -> DType;
    fn shape(&self, i: usize) -> Vec<usize>;
    fn write_le(&self, i: usize, w: &mut dyn Write) -> std::io::Result<()>;
}

impl Contents for Batch {
    fn meta(&self) -> String {
        meta_json(self)
    }
    fn len(&self) -> usize {
        self.tensors().len()
    }
    fn name(&self, i: usize) -> &str {
        &self.tensors()[i].0
    }
    fn dtype(&self, i: usize) -> DType {
        self.tensors()[i].1.dtype()
    }
    fn shape(&self, i: usize) -> Vec<usize> {
        self.tensors()[i].1.shape().to_vec()
    }
    fn write_le(&self, i: usize, w: &mut dyn Write) -> std::io::Result<()> {
        self.tensors()[i].1.write_le(w)
    }
}

/// Batches of one plan stacked along the batch axis, each tensor's other axes as wide as the
/// widest part's (a dim without `max` pads to each part's longest; zeros and `false` pad further,
/// as they would have in one batch).
struct Stack<'a>(&'a [Batch]);

impl Contents for Stack<'_> {
    fn meta(&self) -> String {
        self.0.first().map(meta_json).unwrap_or_default()
    }
    fn len(&self) -> usize {
        self.0.first().map_or(0, |b| b.tensors().len())
    }
    fn name(&self, i: usize) -> &str {
        &self.0[0].tensors()[i].0
    }
    fn dtype(&self, i: usize) -> DType {
        self.0[0].tensors()[i].1.dtype()
    }
    fn shape(&self, i: usize) -> Vec<usize> {
        let mut shape = self.0[0].tensors()[i].1.shape().to_vec();
        shape[0] = 0;
        for part in self.0 {
            let s = part.tensors()[i].1.shape();
            shape[0] += s[0];
            for (a, b) in shape.iter_mut().zip(s).skip(1) {
                *a = (*a).max(*b);
            }
        }
        shape
    }
    fn write_le(&self, i: usize, w: &mut dyn Write) -> std::io::Result<()> {
        let target = self.shape(i);
        for part in self.0 {
            let t = &part.tensors()[i].1;
            if t.shape()[1..] == target[1..] {
                t.write_le(w)?;
            } else {
                padded(&t.to_le_bytes(), t.shape(), &target, t.dtype().size(), w)?;
            }
        }
        Ok(())
    }
}

/// Writes `bytes` (a row-major array of `shape`) as an array whose axes after the first are
/// `target`'s, zero-padded at the end of each axis.
fn padded(
    bytes: &[u8],
    shape: &[usize],
    target: &[usize],
    size: usize,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    const ZEROS: [u8; 4096] = [0; 4096];
    let zeros = |n: usize, w: &mut dyn Write| -> std::io::Result<()> {
        let mut left = n;
        while left > 0 {
            let k = left.min(ZEROS.len());
            w.write_all(&ZEROS[..k])?;
            left -= k;
        }
        Ok(())
    };
    let inner: usize = shape[1..].iter().product::<usize>() * size;
    let wide: usize = target[1..].iter().product::<usize>() * size;
    for row in 0..shape[0] {
        let chunk = &bytes[row * inner..(row + 1) * inner];
        if shape.len() == 1 {
            w.write_all(chunk)?;
        } else {
            // Each row: its sub-arrays along axis 1, then zeros for the missing ones.
            let sub_shape = &shape[1..];
            let sub_target = &target[1..];
            padded(chunk, sub_shape, sub_target, size, w)?;
            let written = sub_shape[0] * sub_target[1..].iter().product::<usize>() * size;
            zeros(wide - written, w)?;
        }
    }
    Ok(())
}

/// Writes `batch` as `.npz` to `w`, a tensor at a time.
///
/// # Errors
/// I/O errors.
pub fn write_npz(batch: &Batch, w: impl Write + Seek) -> Result<(), FileError> {
    npz_contents(batch, w)
}

fn npz_contents(c: &dyn Contents, w: impl Write + Seek) -> Result<(), FileError> {
    let mut zip = zip::ZipWriter::new(w);
    for i in 0..c.len() {
        let (dtype, shape) = (c.dtype(i), c.shape(i));
        let header = npy_header(descr(dtype), &shape);
        let size = header.len() as u64 + (shape.iter().product::<usize>() * dtype.size()) as u64;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(size >= u64::from(u32::MAX));
        zip.start_file(format!("{}.npy", c.name(i)), options)
            .map_err(err)?;
        zip.write_all(&header).map_err(err)?;
        c.write_le(i, &mut zip).map_err(err)?;
    }
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(format!("{META_KEY}.npy"), options)
        .map_err(err)?;
    zip.write_all(&npy_unicode(&c.meta())).map_err(err)?;
    zip.finish().map_err(err)?;
    Ok(())
}

/// Reads an `.npz` (stored or deflated, as `np.savez` / `np.savez_compressed` write).
///
/// # Errors
/// When the archive or an array in it cannot be read.
pub fn read_npz(r: impl Read + Seek) -> Result<BatchFile, FileError> {
    npz(r, true)
}

fn npz(r: impl Read + Seek, data: bool) -> Result<BatchFile, FileError> {
    let mut zip =
        zip::ZipArchive::new(r).map_err(|e| FileError(format!("not an .npz archive: {e}")))?;
    let mut meta = None;
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).map_err(err)?;
        let name = file.name().map_err(err)?.to_string();
        let Some(stem) = name.strip_suffix(".npy") else {
            continue;
        };
        if stem == META_KEY {
            meta = read_unicode(&mut (&mut file).take(MAX_META))
                .as_deref()
                .and_then(parse_meta);
            continue;
        }
        let size = file.size();
        let entry =
            npy_entry(&mut file, size, data).map_err(|e| FileError(format!("`{stem}`: {e}")))?;
        entries.push((stem.to_string(), entry));
    }
    Ok(BatchFile { meta, entries })
}

// ---- safetensors ----------------------------------------------------------------------------

/// The format's names for the dtypes tensorseam writes.
fn st_dtype(d: DType) -> &'static str {
    match d {
        DType::Bool => "BOOL",
        DType::I8 => "I8",
        DType::I16 => "I16",
        DType::I32 => "I32",
        DType::I64 => "I64",
        DType::U8 => "U8",
        DType::U16 => "U16",
        DType::U32 => "U32",
        DType::U64 => "U64",
        DType::F32 => "F32",
        DType::F64 => "F64",
    }
}

fn from_st(name: &str) -> Option<DType> {
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
    .find(|d| st_dtype(*d) == name)
}

/// Writes `batch` as `.safetensors` to `w`: the 8-byte header length, the JSON header (tensors in
/// batch order, their data contiguous in that order, the metadata under `__metadata__`, padded
/// with spaces to 8 bytes), then each tensor's data, a block at a time.
///
/// # Errors
/// I/O errors.
pub fn write_safetensors(batch: &Batch, w: impl Write) -> Result<(), FileError> {
    safetensors_contents(batch, w)
}

fn safetensors_contents(c: &dyn Contents, mut w: impl Write) -> Result<(), FileError> {
    let mut header = serde_json::Map::new();
    header.insert(
        "__metadata__".to_string(),
        serde_json::json!({ META_KEY: c.meta() }),
    );
    let mut offset = 0usize;
    for i in 0..c.len() {
        let (dtype, shape) = (c.dtype(i), c.shape(i));
        let n = shape.iter().product::<usize>() * dtype.size();
        header.insert(
            c.name(i).to_string(),
            serde_json::json!({"dtype": st_dtype(dtype), "shape": shape, "data_offsets": [offset, offset + n]}),
        );
        offset += n;
    }
    let mut text = serde_json::Value::Object(header).to_string().into_bytes();
    text.resize(text.len().next_multiple_of(8), b' ');
    w.write_all(&(text.len() as u64).to_le_bytes())
        .map_err(err)?;
    w.write_all(&text).map_err(err)?;
    for i in 0..c.len() {
        c.write_le(i, &mut w).map_err(err)?;
    }
    w.flush().map_err(err)
}

/// The batch as `.safetensors` bytes.
///
/// # Errors
/// Never in practice (writing into memory).
pub fn safetensors_bytes(batch: &Batch) -> Result<Vec<u8>, FileError> {
    let mut out = Vec::new();
    write_safetensors(batch, &mut out)?;
    Ok(out)
}

/// Reads `.safetensors` bytes. Entries are sorted by name (the format keeps no order).
///
/// # Errors
/// When the bytes are not a safetensors file.
pub fn read_safetensors(bytes: &[u8]) -> Result<BatchFile, FileError> {
    safetensors(std::io::Cursor::new(bytes), bytes.len() as u64, true)
}

fn safetensors(mut r: impl Read + Seek, total: u64, data: bool) -> Result<BatchFile, FileError> {
    let bad = |why: &str| FileError(format!("not a .safetensors file: {why}"));
    let mut len = [0u8; 8];
    r.read_exact(&mut len).map_err(|_| bad("too short"))?;
    let n = u64::from_le_bytes(len);
    if n > MAX_SAFETENSORS_HEADER || n.saturating_add(8) > total {
        return Err(bad(&format!("a header of {n} bytes in a file of {total}")));
    }
    let header = read_exact_vec(&mut r, n)?;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|e| bad(&format!("header: {e}")))?;
    let data_start = 8 + n;
    let meta = header
        .get("__metadata__")
        .and_then(|m| m.get(META_KEY))
        .and_then(serde_json::Value::as_str)
        .and_then(parse_meta);
    let mut spans = Vec::new();
    let mut entries = Vec::new();
    for (name, info) in header.iter().filter(|(k, _)| *k != "__metadata__") {
        let dtype_name = info
            .get("dtype")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| bad(&format!("`{name}` has no dtype")))?;
        let shape: Vec<usize> = info
            .get("shape")
            .and_then(serde_json::Value::as_array)
            .and_then(|a| {
                a.iter()
                    .map(|x| x.as_u64().and_then(|v| usize::try_from(v).ok()))
                    .collect()
            })
            .ok_or_else(|| bad(&format!("`{name}` has no shape")))?;
        let offsets: Vec<u64> = info
            .get("data_offsets")
            .and_then(serde_json::Value::as_array)
            .and_then(|a| a.iter().map(serde_json::Value::as_u64).collect())
            .filter(|o: &Vec<u64>| o.len() == 2 && o[0] <= o[1])
            .ok_or_else(|| bad(&format!("`{name}` has no data offsets")))?;
        let dtype = from_st(dtype_name);
        if let Some(d) = dtype {
            if data_len(d.size(), &shape) != Some(offsets[1] - offsets[0]) {
                return Err(bad(&format!("`{name}`: its offsets do not hold its shape")));
            }
        }
        spans.push((offsets[0], offsets[1]));
        entries.push((
            name.clone(),
            Entry {
                dtype: dtype.map_or_else(|| dtype_name.to_string(), |d| d.name().to_string()),
                shape,
                tensor: None,
            },
            dtype,
            offsets[0],
        ));
    }
    // The data is exactly the arrays, back to back (as the reference implementation checks).
    spans.sort_unstable();
    let mut end = 0;
    for (a, b) in spans {
        if a != end {
            return Err(bad("the arrays' data overlap or leave gaps"));
        }
        end = b;
    }
    if data_start.checked_add(end) != Some(total) {
        return Err(bad("the data does not end where the file does"));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::with_capacity(entries.len());
    for (name, mut entry, dtype, begin) in entries {
        if let (true, Some(d)) = (data, dtype) {
            r.seek(SeekFrom::Start(data_start + begin)).map_err(err)?;
            let len = data_len(d.size(), &entry.shape).unwrap_or(0);
            let bytes = read_exact_vec(&mut r, len)?;
            entry.tensor = Some(
                Tensor::from_le_bytes(d, &entry.shape, &bytes)
                    .ok_or_else(|| FileError(format!("`{name}`: invalid data")))?,
            );
        }
        out.push((name, entry));
    }
    Ok(BatchFile { meta, entries: out })
}

// ---- files -----------------------------------------------------------------------------------

/// The batch file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Npz,
    Safetensors,
}

fn format_of(path: &Path) -> Result<Format, FileError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("npz") => Ok(Format::Npz),
        Some("safetensors") => Ok(Format::Safetensors),
        _ => Err(FileError(format!(
            "`{}`: batch files end in .npz or .safetensors",
            path.display()
        ))),
    }
}

/// Writes a batch to `path`, choosing the format by extension (`.npz` or `.safetensors`). The
/// file is replaced only once it is complete.
///
/// # Errors
/// An unknown extension, or an I/O error naming the file; the old file is then as it was.
pub fn write(batch: &Batch, path: &Path) -> Result<(), FileError> {
    let format = format_of(path)?;
    let mut file = AtomicFile::create(path).map_err(err)?;
    let written = match format {
        Format::Npz => write_npz(batch, &mut file),
        Format::Safetensors => write_safetensors(batch, &mut file),
    };
    written.map_err(|e| FileError(format!("cannot write `{}`: {e}", path.display())))?;
    file.commit().map_err(err)
}

/// Writes batches of one plan as one file, stacked along the batch axis in order (the parts of a
/// stream): the same bytes one batch of all their rows would give, without copying them into one.
///
/// # Errors
/// No parts, an unknown extension, or an I/O error naming the file; the old file is then as it was.
pub fn write_parts(parts: &[Batch], path: &Path) -> Result<(), FileError> {
    stage_parts(parts, path)?.commit().map_err(err)
}

/// As [`write_parts`], leaving the written file for the caller to put in place
/// ([`AtomicFile::commit`]) — several files are put in place together once all are written.
///
/// # Errors
/// As [`write_parts`].
pub fn stage_parts(parts: &[Batch], path: &Path) -> Result<AtomicFile, FileError> {
    if parts.is_empty() {
        return Err(FileError(format!("`{}`: no rows to write", path.display())));
    }
    let format = format_of(path)?;
    let mut file = AtomicFile::create(path).map_err(err)?;
    let stack = Stack(parts);
    let written = match format {
        Format::Npz => npz_contents(&stack, &mut file),
        Format::Safetensors => safetensors_contents(&stack, &mut file),
    };
    written.map_err(|e| FileError(format!("cannot write `{}`: {e}", path.display())))?;
    Ok(file)
}

/// Opens a batch file for reading: a regular file (a device or a pipe has no end to read to).
fn open(path: &Path) -> Result<(std::fs::File, u64), FileError> {
    let cannot = |e: &dyn fmt::Display| FileError(format!("cannot read `{}`: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    let meta = file.metadata().map_err(|e| cannot(&e))?;
    if !meta.is_file() {
        return Err(cannot(&"not a regular file"));
    }
    Ok((file, meta.len()))
}

fn read_file(path: &Path, data: bool) -> Result<BatchFile, FileError> {
    #[cfg(feature = "columnar")]
    if !data && path.extension().is_some_and(|e| e == "parquet") {
        open(path)?;
        return crate::dynamic::parquet_file::headers(path);
    }
    let format = format_of(path)?;
    let (file, len) = open(path)?;
    let file = std::io::BufReader::new(file);
    let read = match format {
        Format::Npz => npz(file, data),
        Format::Safetensors => safetensors(file, len, data),
    };
    read.map_err(|e| FileError(format!("`{}`: {e}", path.display())))
}

/// Reads a batch file, choosing the format by extension: every array's header and data.
///
/// # Errors
/// An unknown extension, an I/O error, or an unreadable file.
pub fn read(path: &Path) -> Result<BatchFile, FileError> {
    read_file(path, true)
}

/// Reads a batch file's metadata and each array's dtype and shape, not its data: what `verify`
/// needs, at a cost independent of the data's size.
///
/// # Errors
/// As [`read`].
pub fn read_headers(path: &Path) -> Result<BatchFile, FileError> {
    read_file(path, false)
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

    /// Parts stacked give the bytes of one batch of all their rows, a dim padded further where a
    /// part's longest was shorter.
    #[test]
    fn parts_stack_into_one_batch() {
        use crate::tensor::Tensor;
        let t = |rows: usize, width: usize, v: &[f32]| {
            Tensor::F32(
                ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[rows, width]), v.to_vec())
                    .unwrap(),
            )
        };
        let part = |x: Tensor| Batch::new("s", 1, "f", vec![("x".to_string(), x)]);
        let parts = [part(t(2, 1, &[1.0, 2.0])), part(t(1, 3, &[3.0, 4.0, 5.0]))];
        let whole = part(t(3, 3, &[1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 3.0, 4.0, 5.0]));
        let mut a = Vec::new();
        safetensors_contents(&Stack(&parts), &mut a).unwrap();
        assert_eq!(a, safetensors_bytes(&whole).unwrap());
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
            assert_eq!(e.tensor.as_ref(), Some(t));
            assert_eq!((e.dtype_name(), e.shape()), (t.dtype().name(), t.shape()));
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
        let mut expected: Vec<(String, Option<Tensor>)> = b
            .tensors()
            .iter()
            .map(|(n, t)| (n.clone(), Some(t.clone())))
            .collect();
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        let found: Vec<(String, Option<Tensor>)> = file
            .entries
            .into_iter()
            .map(|(n, e)| (n, e.tensor))
            .collect();
        assert_eq!(found, expected);
        // The reference implementation reads what we write.
        let bytes = safetensors_bytes(&b).expect("write");
        let st = safetensors::SafeTensors::deserialize(&bytes).expect("reference reader");
        assert_eq!(st.len(), 3);
        let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).expect("metadata");
        assert!(meta
            .metadata()
            .as_ref()
            .is_some_and(|m| m.contains_key(META_KEY)));
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
        let size = bytes.len() as u64;
        let Some(Tensor::I32(a)) = npy_entry(&mut bytes.as_slice(), size, true)
            .expect("read")
            .tensor
        else {
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
        let bytes = npy_header("<f8", &[3]);
        assert_eq!(bytes.len() % 64, 0);
        let (h, len) = read_npy_header(&mut bytes.as_slice()).expect("parse");
        assert_eq!(
            (h.descr.as_str(), h.shape, h.fortran, len),
            ("<f8", vec![3], false, bytes.len() as u64)
        );
        let h = parse_header("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3), }")
            .expect("parse");
        assert_eq!((h.shape, h.fortran), (vec![2, 3], true));
        assert!(read_npy_header(&mut &b"not numpy at all"[..]).is_err());
        assert_eq!(
            read_unicode(&mut npy_unicode("héllo 😀").as_slice()),
            Some("héllo 😀".into())
        );
    }

    /// A member whose header declares more data than the archive holds, or a huge header, is an
    /// error before anything is allocated for it.
    #[test]
    fn declared_sizes_bound_what_is_read() {
        let mut bytes = npy_header("<f8", &[1_000_000_000_000]);
        bytes.extend_from_slice(&[0; 16]);
        let size = bytes.len() as u64;
        let e = npy_entry(&mut bytes.as_slice(), size, true).expect_err("mismatch");
        assert!(e.0.contains("declares 8000000000000 bytes"), "{e}");
        let mut huge = b"\x93NUMPY\x02\x00".to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(read_npy_header(&mut huge.as_slice()).is_err());
        let mut st = 1_000_000u64.to_le_bytes().to_vec();
        st.extend_from_slice(b"{}");
        assert!(read_safetensors(&st).is_err());
    }
}
