//! The checked intermediate representation: what a schema means, with every default made explicit
//! and every tensor resolved — down to which input fills which columns of each tensor. Only
//! [`crate::check`] builds one (see [`crate::check::Checked`]); [`json`] writes it out.

pub mod features;
pub mod json;

use std::fmt;

/// A raw or tensor element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    Str,
}

impl DType {
    /// Every dtype, in the order the spec lists them.
    pub const ALL: [DType; 12] = [
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
        DType::Str,
    ];

    /// The dtype's name as written in schemas.
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
            DType::Str => "str",
        }
    }

    /// The dtype with this name.
    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Signed or unsigned integer.
    pub fn is_int(self) -> bool {
        self.int_bounds().is_some()
    }

    /// `f32` or `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// Integer or float.
    pub fn is_numeric(self) -> bool {
        self.is_int() || self.is_float()
    }

    /// Inclusive bounds of an integer dtype.
    pub fn int_bounds(self) -> Option<(i128, i128)> {
        Some(match self {
            DType::I8 => (i8::MIN.into(), i8::MAX.into()),
            DType::I16 => (i16::MIN.into(), i16::MAX.into()),
            DType::I32 => (i32::MIN.into(), i32::MAX.into()),
            DType::I64 => (i64::MIN.into(), i64::MAX.into()),
            DType::U8 => (0, u8::MAX.into()),
            DType::U16 => (0, u16::MAX.into()),
            DType::U32 => (0, u32::MAX.into()),
            DType::U64 => (0, u64::MAX.into()),
            _ => return None,
        })
    }

    /// Whether every integer `0..=max` is exactly representable in this dtype.
    pub fn holds(self, max: u128) -> bool {
        match self {
            DType::Bool => max <= 1,
            DType::F32 => max <= 1 << 24,
            DType::F64 => max <= 1 << 53,
            DType::Str => false,
            int => int.int_bounds().is_some_and(|(_, hi)| max <= hi as u128),
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A typed literal: a fill value, a category, a range bound.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// For `bool` inputs.
    Bool(bool),
    /// For integer inputs (i128 holds every i64 and u64).
    Int(i128),
    /// For float inputs.
    Float(f64),
    /// For `str` inputs.
    Str(String),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => f.write_str(&crate::json::number(*x)),
            Scalar::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// What happens to values longer than a dim's (or a text encoding's) maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truncate {
    /// Longer is an error (`too_long`).
    Error,
    /// Keep the first `max` elements.
    Right,
    /// Keep the last `max` elements.
    Left,
}

impl Truncate {
    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            Truncate::Error => "error",
            Truncate::Right => "right",
            Truncate::Left => "left",
        }
    }
}

/// A named dim.
#[derive(Clone, Debug, PartialEq)]
pub struct Dim {
    /// Its name.
    pub name: String,
    /// Padded to this length; `None`: padded to the batch's longest.
    pub max: Option<u64>,
    /// Shorter is an error (`wrong_length`).
    pub min: Option<u64>,
    /// Longer than `max`.
    pub truncate: Truncate,
    /// Free text.
    pub doc: Option<String>,
}

/// One entry of an input's per-example shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Axis {
    /// A fixed size.
    Fixed(u64),
    /// A declared dim.
    Dim(String),
}

/// A per-example shape as schemas write it: `[seq, 4]`.
pub fn shape_text(shape: &[Axis]) -> String {
    let parts: Vec<String> = shape
        .iter()
        .map(|a| match a {
            Axis::Fixed(n) => n.to_string(),
            Axis::Dim(d) => d.clone(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The three roles an input plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Fed to the model.
    Feature,
    /// Training target.
    Label,
    /// Training sample weight.
    Weight,
}

impl Role {
    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            Role::Feature => "feature",
            Role::Label => "label",
            Role::Weight => "weight",
        }
    }
}

/// How missing values are handled.
#[derive(Clone, Debug, PartialEq)]
pub enum Missing {
    /// Missing is an error (`missing`).
    Error,
    /// Missing becomes this value (which itself validates).
    Fill(Scalar),
}

/// Text validation for `str` inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// Any Unicode text.
    Utf8,
    /// ASCII only (`not_ascii` otherwise).
    Ascii,
}

/// Unknown categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// `unknown_category`.
    Error,
    /// All zeros (`one_hot`, `multi_hot`).
    Ignore,
    /// `k + fnv1a64 mod n` (`index`).
    Oov(u64),
}

/// Category order when fitting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitOrder {
    /// Sorted by UTF-8 bytes (numbers numerically, `false` < `true`).
    Lexical,
    /// Most frequent first.
    Frequency,
}

/// A category list, or a placeholder that `tensorseam fit` fills.
#[derive(Clone, Debug, PartialEq)]
pub enum Categories {
    /// Not fitted yet.
    Fit {
        /// Order of the fitted list.
        order: FitOrder,
        /// Keep at most this many.
        max_categories: Option<u64>,
        /// Drop rarer ones.
        min_frequency: Option<u64>,
        /// Categories kept whatever the data holds (a class the training data may lack): never
        /// dropped by `min_frequency` or `max_categories`.
        include: Vec<Scalar>,
    },
    /// The categories, in tensor order.
    List(Vec<Scalar>),
}

impl Categories {
    /// The number of categories, when known.
    pub fn count(&self) -> Option<u64> {
        match self {
            Categories::List(l) => Some(l.len() as u64),
            Categories::Fit { .. } => None,
        }
    }
}

/// A categorical or text encoding.
#[derive(Clone, Debug, PartialEq)]
pub enum Encoding {
    /// `[..., k]` with 1.0 at the category.
    OneHot {
        /// The categories.
        categories: Categories,
        /// Unknown policy (`error` or `ignore`).
        unknown: Unknown,
        /// Output dtype (default f32).
        dtype: DType,
    },
    /// The category's position.
    Index {
        /// The categories.
        categories: Categories,
        /// Unknown policy (`error` or `oov`).
        unknown: Unknown,
        /// Output dtype (default i64).
        dtype: DType,
    },
    /// `fnv1a64 mod buckets`.
    Hash {
        /// Bucket count.
        buckets: u64,
        /// Output dtype (default i64).
        dtype: DType,
    },
    /// `[k]` with 1.0 at each present category; reduces the last raw axis.
    MultiHot {
        /// The categories.
        categories: Categories,
        /// Unknown policy (`error` or `ignore`).
        unknown: Unknown,
        /// Output dtype (default f32).
        dtype: DType,
    },
    /// The number of boundaries `<=` the value.
    Bucketize {
        /// Strictly increasing.
        boundaries: Vec<f64>,
        /// Output dtype (default i64).
        dtype: DType,
    },
    /// UTF-8 bytes, zero padded, with a mask.
    Bytes {
        /// Length of the output.
        max_len: u64,
        /// Longer text.
        truncate: Truncate,
        /// Output dtype (default u8).
        dtype: DType,
    },
    /// Unicode scalar values, zero padded, with a mask.
    Chars {
        /// Length of the output.
        max_len: u64,
        /// Longer text.
        truncate: Truncate,
        /// Output dtype (default i32).
        dtype: DType,
    },
}

impl Encoding {
    /// The encoding's name as written.
    pub fn name(&self) -> &'static str {
        match self {
            Encoding::OneHot { .. } => "one_hot",
            Encoding::Index { .. } => "index",
            Encoding::Hash { .. } => "hash",
            Encoding::MultiHot { .. } => "multi_hot",
            Encoding::Bucketize { .. } => "bucketize",
            Encoding::Bytes { .. } => "bytes",
            Encoding::Chars { .. } => "chars",
        }
    }

    /// The categories and the unknown policy of `one_hot`, `index` and `multi_hot`.
    pub fn categories(&self) -> Option<(&Categories, Unknown)> {
        match self {
            Encoding::OneHot {
                categories,
                unknown,
                ..
            }
            | Encoding::Index {
                categories,
                unknown,
                ..
            }
            | Encoding::MultiHot {
                categories,
                unknown,
                ..
            } => Some((categories, *unknown)),
            _ => None,
        }
    }

    /// The output dtype.
    pub fn dtype(&self) -> DType {
        match self {
            Encoding::OneHot { dtype, .. }
            | Encoding::Index { dtype, .. }
            | Encoding::Hash { dtype, .. }
            | Encoding::MultiHot { dtype, .. }
            | Encoding::Bucketize { dtype, .. }
            | Encoding::Bytes { dtype, .. }
            | Encoding::Chars { dtype, .. } => *dtype,
        }
    }
}

/// One scaling step; `None` parameters are `fit` placeholders.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `(x - mean) / std`.
    Standardize(Option<Standardize>),
    /// `(x - min) / (max - min)`.
    MinMax(Option<MinMax>),
    /// `x * scale + offset`.
    Affine {
        /// Multiplier.
        scale: f64,
        /// Added after.
        offset: f64,
    },
    /// `x / by`.
    Divide(f64),
    /// `ln(1 + x)`.
    Log1p,
    /// Clamp into `[min, max]`.
    Clip {
        /// Lower bound.
        min: Option<f64>,
        /// Upper bound.
        max: Option<f64>,
    },
}

/// Fitted `standardize` parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standardize {
    /// Mean.
    pub mean: f64,
    /// Population standard deviation, > 0.
    pub std: f64,
}

/// Fitted `minmax` parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinMax {
    /// Maps to 0.
    pub min: f64,
    /// Maps to 1; > min.
    pub max: f64,
}

impl Step {
    /// The step's name as written.
    pub fn name(&self) -> &'static str {
        match self {
            Step::Standardize(_) => "standardize",
            Step::MinMax(_) => "minmax",
            Step::Affine { .. } => "affine",
            Step::Divide(_) => "divide",
            Step::Log1p => "log1p",
            Step::Clip { .. } => "clip",
        }
    }
}

/// What turns an input's raw values into tensor values.
#[derive(Clone, Debug, PartialEq)]
pub enum Transform {
    /// Passed through in the raw dtype.
    None,
    /// A categorical or text encoding.
    Encode(Encoding),
    /// Scaling steps, output `out`.
    Scale {
        /// Applied in order.
        steps: Vec<Step>,
        /// `f32` or `f64`.
        out: DType,
    },
}

/// Inclusive bounds on raw values.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// Lower bound.
    pub lo: Option<Scalar>,
    /// Upper bound.
    pub hi: Option<Scalar>,
}

/// One input of the schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// Its name.
    pub name: String,
    /// The record field or data column it reads, when not its name (any string; SPEC §9).
    pub column: Option<String>,
    /// The raw dtype.
    pub dtype: DType,
    /// Per-example shape, batch axis implicit.
    pub shape: Vec<Axis>,
    /// Feature, label or weight.
    pub role: Role,
    /// Free text.
    pub doc: Option<String>,
    /// Why it is deprecated.
    pub deprecated: Option<String>,
    /// Inclusive bounds on raw values.
    pub range: Option<Range>,
    /// Missing values.
    pub missing: Missing,
    /// Text validation (`str` inputs).
    pub charset: Charset,
    /// Encoding or scaling.
    pub transform: Transform,
}

/// A declared tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorDecl {
    /// Its name.
    pub name: String,
    /// Inputs concatenated along the last axis.
    pub concat: Vec<String>,
    /// Free text.
    pub doc: Option<String>,
}

/// An axis of a resolved tensor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TensorAxis {
    /// The batch axis.
    Batch,
    /// A fixed size; `None` when it depends on categories not yet fitted.
    Fixed(Option<u64>),
    /// A named dim: padded to `max`, or to the batch's longest when `max` is `None`.
    Dim {
        /// The dim.
        name: String,
        /// Its maximum.
        max: Option<u64>,
    },
}

/// What a resolved tensor carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorKind {
    /// Model input.
    Feature,
    /// A padding mask (`true` at kept positions).
    Mask,
    /// Training target.
    Label,
    /// Training sample weight.
    Weight,
}

impl TensorKind {
    /// The name as shown.
    pub fn name(self) -> &'static str {
        match self {
            TensorKind::Feature => "feature",
            TensorKind::Mask => "mask",
            TensorKind::Label => "label",
            TensorKind::Weight => "weight",
        }
    }
}

/// Where one input's values go in a tensor: a run of columns along its last axis (the layout
/// every back-end reads, decided once by the checker).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The input.
    pub input: String,
    /// Its first column; `None` while a part before it has categories still to `fit`.
    pub offset: Option<u64>,
    /// Its columns: a one-hot's `k`, a text encoding's `max_len`, the last axis of a shaped input
    /// without an encoding axis, else 1; `None` while its categories are still to `fit`.
    pub width: Option<u64>,
}

/// A tensor exactly as the model (or the training loop) receives it.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorSpec {
    /// Its name.
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Axes, the batch axis first.
    pub axes: Vec<TensorAxis>,
    /// What it carries.
    pub kind: TensorKind,
    /// The inputs it is built from (for a dim mask, the inputs using the dim).
    pub sources: Vec<String>,
    /// The layout of a feature, label or weight tensor: each input's columns, in order (empty
    /// for a mask).
    pub parts: Vec<Part>,
}

/// A checked schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// Its name.
    pub name: String,
    /// The data contract's version.
    pub version: u64,
    /// Free text.
    pub doc: Option<String>,
    /// Declared dims, in order.
    pub dims: Vec<Dim>,
    /// Inputs, in order.
    pub inputs: Vec<Input>,
    /// Declared tensors, in order.
    pub tensors: Vec<TensorDecl>,
    /// Every tensor, in the order of SPEC §9.
    pub specs: Vec<TensorSpec>,
}

impl Schema {
    /// The input named `name`.
    pub fn input(&self, name: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.name == name)
    }

    /// The dim named `name`.
    pub fn dim(&self, name: &str) -> Option<&Dim> {
        self.dims.iter().find(|d| d.name == name)
    }

    /// Inputs with `fit` placeholders (categories or scaling parameters): the schema cannot encode
    /// until `tensorseam fit` fills them.
    pub fn unfitted_inputs(&self) -> Vec<String> {
        self.inputs
            .iter()
            .filter(|i| match &i.transform {
                Transform::Encode(e) => {
                    matches!(e.categories(), Some((Categories::Fit { .. }, _)))
                }
                Transform::Scale { steps, .. } => steps
                    .iter()
                    .any(|s| matches!(s, Step::Standardize(None) | Step::MinMax(None))),
                _ => false,
            })
            .map(|i| i.name.clone())
            .collect()
    }
}

// The IR's meaning in the shared rules of `tensorseam-core`: one conversion each, so the checker's
// fill rule, `sample` and `fit` take values exactly as the runtime's engine does.

impl DType {
    /// The raw dtype the value rule knows it as.
    pub fn raw(self) -> tensorseam_core::value::RawType {
        use tensorseam_core::value::{IntType, RawType};
        match self {
            DType::Bool => RawType::Bool,
            DType::I8 => RawType::Int(IntType::I8),
            DType::I16 => RawType::Int(IntType::I16),
            DType::I32 => RawType::Int(IntType::I32),
            DType::I64 => RawType::Int(IntType::I64),
            DType::U8 => RawType::Int(IntType::U8),
            DType::U16 => RawType::Int(IntType::U16),
            DType::U32 => RawType::Int(IntType::U32),
            DType::U64 => RawType::Int(IntType::U64),
            DType::F32 => RawType::F32,
            DType::F64 => RawType::F64,
            DType::Str => RawType::Str,
        }
    }
}

impl Scalar {
    /// The literal as the value rule holds it.
    pub fn literal(&self) -> tensorseam_core::value::Literal {
        use tensorseam_core::value::Literal;
        match self {
            Scalar::Bool(b) => Literal::Bool(*b),
            Scalar::Int(i) => Literal::Int(*i),
            Scalar::Float(f) => Literal::Float(*f),
            Scalar::Str(s) => Literal::Str(s.clone()),
        }
    }

    /// The literal as a raw value a record could hold.
    pub fn leaf(&self) -> tensorseam_core::value::Leaf<'_> {
        use tensorseam_core::value::Leaf;
        match self {
            Scalar::Bool(b) => Leaf::Bool(*b),
            Scalar::Int(i) => Leaf::Int(*i),
            Scalar::Float(f) => Leaf::Float(*f),
            Scalar::Str(s) => Leaf::Str(s),
        }
    }
}

impl Input {
    /// The record field or data column this input reads.
    pub fn column(&self) -> &str {
        self.column.as_deref().unwrap_or(&self.name)
    }

    /// How each raw value of this input is taken (SPEC §9).
    pub fn value_rule(&self) -> tensorseam_core::value::ValueRule {
        tensorseam_core::value::ValueRule {
            dtype: self.dtype.raw(),
            fill: match &self.missing {
                Missing::Fill(v) if self.shape.is_empty() => Some(v.literal()),
                _ => None,
            },
            ascii: self.charset == Charset::Ascii,
            range: self.range.as_ref().map(|r| {
                (
                    r.lo.as_ref().map(Scalar::literal),
                    r.hi.as_ref().map(Scalar::literal),
                )
            }),
        }
    }
}

impl Step {
    /// The step as the shared arithmetic runs it; `None` while it is a `fit` placeholder.
    pub fn fitted(&self) -> Option<tensorseam_core::scale::Step> {
        use tensorseam_core::scale::Step as S;
        Some(match self {
            Step::Standardize(Some(p)) => S::Standardize {
                mean: p.mean,
                std: p.std,
            },
            Step::MinMax(Some(p)) => S::MinMax {
                min: p.min,
                max: p.max,
            },
            Step::Standardize(None) | Step::MinMax(None) => return None,
            Step::Affine { scale, offset } => S::Affine {
                scale: *scale,
                offset: *offset,
            },
            Step::Divide(by) => S::Divide(*by),
            Step::Log1p => S::Log1p,
            Step::Clip { min, max } => S::Clip {
                min: *min,
                max: *max,
            },
        })
    }
}

/// The format version this compiler reads and writes.
pub const FORMAT_VERSION: u64 = 1;
