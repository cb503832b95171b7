//! Dtype-tagged n-dimensional tensors.

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use std::fmt;

/// A tensor element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl DType {
    /// The name as schemas write it.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::U16 => "u16",
            DType::U32 => "u32",
            DType::U64 => "u64",
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// The dtype named `name`.
    pub fn from_name(name: &str) -> Option<DType> {
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
        .find(|d| d.name() == name)
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! tensor {
    ($($variant:ident($t:ty)),* $(,)?) => {
        /// A tensor of one of the element types.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Tensor {
            $(#[allow(missing_docs)] $variant(ArrayD<$t>),)*
        }

        impl Tensor {
            /// Its element type.
            pub fn dtype(&self) -> DType {
                match self { $(Tensor::$variant(_) => DType::$variant,)* }
            }

            /// Its shape, the batch axis first.
            pub fn shape(&self) -> &[usize] {
                match self { $(Tensor::$variant(a) => a.shape(),)* }
            }

            /// A zero-filled tensor (padding value) of `dtype` and `shape`.
            ///
            /// # Panics
            /// When the memory cannot be allocated; [`Tensor::try_zeros`] reports that instead.
            pub fn zeros(dtype: DType, shape: &[usize]) -> Tensor {
                // `vec![zero; n]` of a concrete type is one zeroed allocation, which the system
                // provides lazily: memory is used where values are written, not before.
                let n: usize = shape.iter().product();
                match dtype { $(DType::$variant => Tensor::$variant(
                    ArrayD::from_shape_vec(IxDyn(shape), vec![<$t>::default(); n])
                        .unwrap_or_else(|_| ArrayD::default(IxDyn(shape))),
                ),)* }
            }

            /// A zero-filled tensor, or why it cannot be allocated: its size overflows, or the
            /// machine will not give that much memory. Checked before allocating, so a huge
            /// request is an error, never an abort.
            ///
            /// # Errors
            /// [`AllocError`] with the bytes asked for.
            pub fn try_zeros(dtype: DType, shape: &[usize]) -> Result<Tensor, AllocError> {
                let bytes = shape
                    .iter()
                    .try_fold(dtype.size(), |acc, n| acc.checked_mul(*n))
                    .filter(|b| isize::try_from(*b).is_ok());
                let Some(bytes) = bytes else {
                    return Err(AllocError { dtype, shape: shape.to_vec(), bytes: None });
                };
                // Ask first (freed at once, never touched); then the zeroed allocation, which
                // the system satisfies lazily.
                let mut probe: Vec<u8> = Vec::new();
                if probe.try_reserve_exact(bytes).is_err() {
                    return Err(AllocError { dtype, shape: shape.to_vec(), bytes: Some(bytes) });
                }
                drop(probe);
                Ok(Tensor::zeros(dtype, shape))
            }

            /// Sets every element to zero (`false`), keeping the buffer.
            pub fn fill_zero(&mut self) {
                match self { $(Tensor::$variant(a) => match a.as_slice_mut() { Some(s) => s.fill(<$t>::default()), None => a.fill(<$t>::default()) },)* }
            }

            /// The elements as little-endian bytes, row-major (for batch files).
            pub fn to_le_bytes(&self) -> Vec<u8> {
                let mut out = Vec::with_capacity(self.len() * self.dtype().size());
                // Writing into a Vec cannot fail.
                let _ = self.write_le(&mut out);
                out
            }

            /// Writes the elements as little-endian bytes, row-major, a block at a time (no copy
            /// of the whole tensor).
            ///
            /// # Errors
            /// The writer's.
            pub fn write_le(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
                match self { $(Tensor::$variant(a) => match a.as_slice() {
                    Some(values) => write_le_slice(values, w),
                    None => write_le_iter(a.iter().copied(), w),
                },)* }
            }

            /// The number of elements.
            pub fn len(&self) -> usize {
                match self { $(Tensor::$variant(a) => a.len(),)* }
            }

            /// Whether it has no elements.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// A tensor from little-endian row-major bytes; `None` if the length does not match.
            pub fn from_le_bytes(dtype: DType, shape: &[usize], bytes: &[u8]) -> Option<Tensor> {
                let count: usize = shape.iter().product();
                if bytes.len() != count.checked_mul(dtype.size())? {
                    return None;
                }
                match dtype {
                    $(DType::$variant => {
                        let values: Option<Vec<$t>> = bytes.chunks_exact(dtype.size()).map(<$t as Element>::from_le).collect();
                        ArrayD::from_shape_vec(IxDyn(shape), values?).ok().map(Tensor::$variant)
                    })*
                }
            }
        }

        $(
            impl Element for $t {
                const DTYPE: DType = DType::$variant;
                fn view(t: &Tensor) -> Option<ArrayViewD<'_, Self>> {
                    match t { Tensor::$variant(a) => Some(a.view()), _ => None }
                }
                fn view_mut(t: &mut Tensor) -> Option<ndarray::ArrayViewMutD<'_, Self>> {
                    match t { Tensor::$variant(a) => Some(a.view_mut()), _ => None }
                }
                fn into_tensor(a: ArrayD<Self>) -> Tensor {
                    Tensor::$variant(a)
                }
                fn from_le(bytes: &[u8]) -> Option<Self> {
                    <Self as ElementBytes>::from(bytes)
                }
            }
        )*
    };
}

/// A tensor that cannot be allocated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocError {
    /// Its dtype.
    pub dtype: DType,
    /// Its shape.
    pub shape: Vec<usize>,
    /// The bytes asked for; `None` when the count overflows.
    pub bytes: Option<usize>,
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shape: Vec<String> = self.shape.iter().map(ToString::to_string).collect();
        match self.bytes {
            Some(b) => write!(
                f,
                "a {} tensor of shape [{}] needs {b} bytes, more than this machine can allocate",
                self.dtype,
                shape.join(", ")
            ),
            None => write!(
                f,
                "a {} tensor of shape [{}] is larger than memory can address",
                self.dtype,
                shape.join(", ")
            ),
        }
    }
}

impl std::error::Error for AllocError {}

/// Little-endian bytes of a run of elements, through a 64 KiB buffer.
fn write_le_iter<T: ElementBytes>(
    values: impl Iterator<Item = T>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    for v in values {
        v.put(&mut buf);
        if buf.len() >= (1 << 16) - 8 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)
}

/// Little-endian bytes of contiguous elements: a fixed-size loop per block, which the compiler
/// turns into plain copies on little-endian machines.
fn write_le_slice<T: ElementBytes + Copy>(
    values: &[T],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    const BLOCK: usize = 8192;
    let size = std::mem::size_of::<T>();
    let mut buf = vec![0u8; BLOCK.min(values.len()) * size];
    for block in values.chunks(BLOCK) {
        let out = &mut buf[..std::mem::size_of_val(block)];
        for (dst, v) in out.chunks_exact_mut(size).zip(block) {
            v.put_into(dst);
        }
        w.write_all(out)?;
    }
    Ok(())
}

/// An element type a [`Tensor`] can hold.
pub trait Element: Copy + Default + 'static {
    /// The matching dtype.
    const DTYPE: DType;
    /// A view of the tensor, if it holds this type.
    fn view(t: &Tensor) -> Option<ArrayViewD<'_, Self>>;
    /// A mutable view of the tensor, if it holds this type.
    fn view_mut(t: &mut Tensor) -> Option<ndarray::ArrayViewMutD<'_, Self>>;
    /// Wraps an array.
    fn into_tensor(a: ArrayD<Self>) -> Tensor;
    /// From little-endian bytes (`None` for a `bool` byte other than 0 or 1).
    fn from_le(bytes: &[u8]) -> Option<Self>;
}

macro_rules! numeric_bytes {
    ($($t:ty),*) => {$(
        impl ElementBytes for $t {
            fn put(self, out: &mut Vec<u8>) { out.extend_from_slice(&self.to_le_bytes()) }
            fn put_into(self, out: &mut [u8]) { out.copy_from_slice(&self.to_le_bytes()) }
            fn from(bytes: &[u8]) -> Option<Self> { Some(<$t>::from_le_bytes(bytes.try_into().ok()?)) }
        }
    )*};
}

/// Byte conversion, one impl per primitive (kept apart from [`Element`] so the macro stays small).
trait ElementBytes: Sized {
    fn put(self, out: &mut Vec<u8>);
    /// Into exactly `size_of::<Self>()` bytes.
    fn put_into(self, out: &mut [u8]);
    fn from(bytes: &[u8]) -> Option<Self>;
}
numeric_bytes!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
impl ElementBytes for bool {
    fn put(self, out: &mut Vec<u8>) {
        out.push(<u8 as std::convert::From<bool>>::from(self));
    }
    fn put_into(self, out: &mut [u8]) {
        out[0] = <u8 as std::convert::From<bool>>::from(self);
    }
    fn from(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0] => Some(false),
            [1] => Some(true),
            _ => None,
        }
    }
}

tensor!(
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F32(f32),
    F64(f64)
);
