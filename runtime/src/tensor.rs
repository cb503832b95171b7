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
            pub fn zeros(dtype: DType, shape: &[usize]) -> Tensor {
                match dtype { $(DType::$variant => Tensor::$variant(ArrayD::default(IxDyn(shape))),)* }
            }

            /// Sets every element to zero (`false`), keeping the buffer.
            pub fn fill_zero(&mut self) {
                match self { $(Tensor::$variant(a) => match a.as_slice_mut() { Some(s) => s.fill(<$t>::default()), None => a.fill(<$t>::default()) },)* }
            }

            /// The elements as little-endian bytes, row-major (for batch files).
            pub fn to_le_bytes(&self) -> Vec<u8> {
                match self { $(Tensor::$variant(a) => a.iter().flat_map(|x| Element::le_bytes(*x)).collect(),)* }
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
                fn le_bytes(self) -> Vec<u8> {
                    ElementBytes::le(self)
                }
                fn from_le(bytes: &[u8]) -> Option<Self> {
                    <Self as ElementBytes>::from(bytes)
                }
            }
        )*
    };
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
    /// Little-endian bytes.
    fn le_bytes(self) -> Vec<u8>;
    /// From little-endian bytes (`None` for a `bool` byte other than 0 or 1).
    fn from_le(bytes: &[u8]) -> Option<Self>;
}

macro_rules! numeric_bytes {
    ($($t:ty),*) => {$(
        impl ElementBytes for $t {
            fn le(self) -> Vec<u8> { self.to_le_bytes().to_vec() }
            fn from(bytes: &[u8]) -> Option<Self> { Some(<$t>::from_le_bytes(bytes.try_into().ok()?)) }
        }
    )*};
}

/// Byte conversion, one impl per primitive (kept apart from [`Element`] so the macro stays small).
trait ElementBytes: Sized {
    fn le(self) -> Vec<u8>;
    fn from(bytes: &[u8]) -> Option<Self>;
}
numeric_bytes!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
impl ElementBytes for bool {
    fn le(self) -> Vec<u8> {
        vec![<u8 as std::convert::From<bool>>::from(self)]
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
