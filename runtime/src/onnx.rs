//! The model side of the contract (SPEC §13): an ONNX model's graph inputs held against the
//! schema's serving tensors — names (or a mapping), element types, ranks, fixed axes, symbolic
//! axes only where the schema's axis varies — and the schema fingerprint a trainer stamped into
//! the model's `metadata_props`. A server runs it at start-up; `tensorseam check-model` runs the
//! same check and shows each finding at its schema line.
//!
//! ```no_run
//! # #[cfg(feature = "derive")] {
//! # use tensorseam::ModelInput;
//! # fn f<T: ModelInput>() -> Result<(), Box<dyn std::error::Error>> {
//! let model = tensorseam::onnx::Model::read(&std::fs::read("model.onnx")?)?;
//! let findings = tensorseam::onnx::check_model_input::<T>(&model, &[]);
//! if let Some(e) = findings.iter().find(|f| f.is_error()) {
//!     return Err(format!("the model does not fit schema `{}`: {e}", T::SCHEMA_NAME).into());
//! }
//! # Ok(()) }
//! # }
//! ```
//!
//! The model is read with `prost` from the few messages of `onnx.proto` the check needs (model,
//! graph, value info, types, shapes, metadata); every other field — nodes, weights — is skipped
//! without being kept, so a large model costs its bytes once.

use crate::plan::{Plan, TensorAxis, TensorKind};
use crate::tensor::DType;

/// The messages of `onnx.proto` the check reads (field numbers from the ONNX specification).
mod proto {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ModelProto {
        #[prost(int64, tag = "1")]
        pub ir_version: i64,
        #[prost(string, tag = "2")]
        pub producer_name: String,
        #[prost(message, optional, tag = "7")]
        pub graph: Option<GraphProto>,
        #[prost(message, repeated, tag = "14")]
        pub metadata_props: Vec<StringStringEntryProto>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct GraphProto {
        #[prost(string, tag = "2")]
        pub name: String,
        #[prost(message, repeated, tag = "5")]
        pub initializer: Vec<TensorProto>,
        #[prost(message, repeated, tag = "11")]
        pub input: Vec<ValueInfoProto>,
        #[prost(message, repeated, tag = "12")]
        pub output: Vec<ValueInfoProto>,
    }

    /// Only an initializer's name: its data (field 9 and the typed fields) is skipped.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TensorProto {
        #[prost(string, tag = "8")]
        pub name: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ValueInfoProto {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(message, optional, tag = "2")]
        pub r#type: Option<TypeProto>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TypeProto {
        #[prost(message, optional, tag = "1")]
        pub tensor_type: Option<TensorType>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TensorType {
        #[prost(int32, tag = "1")]
        pub elem_type: i32,
        #[prost(message, optional, tag = "2")]
        pub shape: Option<TensorShapeProto>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TensorShapeProto {
        #[prost(message, repeated, tag = "1")]
        pub dim: Vec<Dimension>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Dimension {
        #[prost(int64, optional, tag = "1")]
        pub dim_value: Option<i64>,
        #[prost(string, optional, tag = "2")]
        pub dim_param: Option<String>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct StringStringEntryProto {
        #[prost(string, tag = "1")]
        pub key: String,
        #[prost(string, tag = "2")]
        pub value: String,
    }
}

/// One axis of a model input's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Axis {
    /// A fixed size.
    Fixed(i64),
    /// A named, symbolic size (`batch`, `N`).
    Symbolic(String),
    /// No size given.
    Unknown,
}

impl std::fmt::Display for Axis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Axis::Fixed(n) => write!(f, "{n}"),
            Axis::Symbolic(s) => f.write_str(&tensorseam_core::text::printable(s)),
            Axis::Unknown => f.write_str("?"),
        }
    }
}

/// A graph input of the model (initializers excluded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Its name.
    pub name: String,
    /// ONNX's element type number (`TensorProto.DataType`), 0 when not a tensor.
    pub elem_type: i32,
    /// Its shape, `None` when the model leaves the rank open.
    pub shape: Option<Vec<Axis>>,
}

impl Input {
    /// `FLOAT [batch, 10]`.
    pub fn describe(&self) -> String {
        let shape = match &self.shape {
            None => "[?…]".to_string(),
            Some(s) => format!(
                "[{}]",
                s.iter().map(Axis::to_string).collect::<Vec<_>>().join(", ")
            ),
        };
        format!("{} {shape}", elem_name(self.elem_type))
    }
}

/// What the check needs of an ONNX model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Model {
    /// The graph inputs that are not initializers, in order.
    pub inputs: Vec<Input>,
    /// `metadata_props`, in order.
    pub metadata: Vec<(String, String)>,
    /// The tool that wrote it.
    pub producer: String,
}

/// Why a model file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

/// The metadata keys `stamp_onnx` writes.
pub const FINGERPRINT_KEY: &str = "tensorseam.fingerprint";
/// The schema's name, as stamped.
pub const SCHEMA_KEY: &str = "tensorseam.schema";
/// The schema's version, as stamped.
pub const VERSION_KEY: &str = "tensorseam.version";

impl Model {
    /// Reads a model from the bytes of an `.onnx` file.
    ///
    /// # Errors
    /// Bytes that are not a protobuf `ModelProto` (a truncated file, another format) or a model
    /// without a graph.
    pub fn read(bytes: &[u8]) -> Result<Model, ReadError> {
        use prost::Message;
        let model = proto::ModelProto::decode(bytes).map_err(|e| {
            ReadError(format!(
                "not an ONNX model (the protobuf does not decode: {e}); is the file whole?"
            ))
        })?;
        let graph =
            match model.graph {
                Some(g) if model.ir_version > 0 => g,
                _ => return Err(ReadError(
                    "not an ONNX model: no IR version and graph (an ONNX file is a `ModelProto`)"
                        .to_string(),
                )),
            };
        let weights: std::collections::HashSet<&str> =
            graph.initializer.iter().map(|t| t.name.as_str()).collect();
        let inputs = graph
            .input
            .iter()
            .filter(|i| !weights.contains(i.name.as_str()))
            .map(|i| {
                let tensor = i.r#type.as_ref().and_then(|t| t.tensor_type.as_ref());
                Input {
                    name: i.name.clone(),
                    elem_type: tensor.map_or(0, |t| t.elem_type),
                    shape: tensor.and_then(|t| t.shape.as_ref()).map(|s| {
                        s.dim
                            .iter()
                            .map(|d| match (d.dim_value, &d.dim_param) {
                                (Some(n), _) => Axis::Fixed(n),
                                (None, Some(p)) if !p.is_empty() => Axis::Symbolic(p.clone()),
                                _ => Axis::Unknown,
                            })
                            .collect()
                    }),
                }
            })
            .collect();
        Ok(Model {
            inputs,
            metadata: model
                .metadata_props
                .into_iter()
                .map(|e| (e.key, e.value))
                .collect(),
            producer: model.producer_name,
        })
    }

    /// A metadata value.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// ONNX's element type for a dtype (SPEC §13's table).
pub fn elem_type(d: DType) -> i32 {
    match d {
        DType::F32 => 1,
        DType::U8 => 2,
        DType::I8 => 3,
        DType::U16 => 4,
        DType::I16 => 5,
        DType::I32 => 6,
        DType::I64 => 7,
        DType::Bool => 9,
        DType::F64 => 11,
        DType::U32 => 12,
        DType::U64 => 13,
    }
}

/// ONNX's name of an element type.
pub fn elem_name(t: i32) -> String {
    const NAMES: [&str; 17] = [
        "UNDEFINED",
        "FLOAT",
        "UINT8",
        "INT8",
        "UINT16",
        "INT16",
        "INT32",
        "INT64",
        "STRING",
        "BOOL",
        "FLOAT16",
        "DOUBLE",
        "UINT32",
        "UINT64",
        "COMPLEX64",
        "COMPLEX128",
        "BFLOAT16",
    ];
    usize::try_from(t)
        .ok()
        .and_then(|i| NAMES.get(i))
        .map_or_else(|| format!("type {t}"), |s| (*s).to_string())
}

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The model cannot be served with this schema.
    Error,
    /// Worth knowing (a schema tensor the model does not take).
    Warning,
}

/// One thing the check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// A stable name: `unknown_input`, `wrong_type`, `wrong_rank`, `wrong_axis`,
    /// `symbolic_axis`, `unused_tensor`, `other_schema`.
    pub code: &'static str,
    /// The model input it is about.
    pub model_input: Option<String>,
    /// The schema tensor it is about.
    pub tensor: Option<String>,
    /// What is wrong, names escaped.
    pub message: String,
    /// What to do, where known.
    pub help: Option<String>,
}

impl Finding {
    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]", self.message, self.code)
    }
}

/// The schema's axis `a` of a tensor, as words.
fn axis_words(plan: &Plan, a: TensorAxis) -> String {
    match a {
        TensorAxis::Batch => "the batch".to_string(),
        TensorAxis::Fixed(n) => n.to_string(),
        TensorAxis::Dim(d) => {
            let dim = &plan.dims[d];
            match dim.max {
                Some(m) => format!("{m} (dim `{}`, padded to its max)", dim.name),
                None => format!("dim `{}` (each batch's longest)", dim.name),
            }
        }
    }
}

/// The schema's tensor as the model should declare it: `FLOAT [batch, 10]`.
pub fn expected(plan: &Plan, t: &crate::plan::TensorPlan) -> String {
    let axes: Vec<String> = t
        .axes
        .iter()
        .map(|a| match a {
            TensorAxis::Batch => "batch".to_string(),
            TensorAxis::Fixed(n) => n.to_string(),
            TensorAxis::Dim(d) => match plan.dims[*d].max {
                Some(m) => m.to_string(),
                None => plan.dims[*d].name.clone(),
            },
        })
        .collect();
    format!(
        "{} [{}]",
        elem_name(elem_type(t.dtype)),
        tensorseam_core::text::printable(&axes.join(", "))
    )
}

/// Holds `model` against the serving tensors of `plan`. `map` pairs a schema tensor with the
/// model input that takes it, where the names differ. Findings come in model-input order, then
/// the schema tensors the model does not take, then the fingerprint.
pub fn check(model: &Model, plan: &Plan, map: &[(String, String)]) -> Vec<Finding> {
    let p = tensorseam_core::text::printable;
    let serving: Vec<&crate::plan::TensorPlan> = plan
        .tensors
        .iter()
        .filter(|t| !matches!(t.kind, TensorKind::Label | TensorKind::Weight))
        .collect();
    let tensor_for = |input: &str| -> Option<&crate::plan::TensorPlan> {
        let name = map
            .iter()
            .find(|(_, i)| i == input)
            .map_or(input, |(t, _)| t.as_str());
        serving.iter().copied().find(|t| t.name == name)
    };
    let mut out = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for input in &model.inputs {
        let finding =
            |severity, code, tensor: Option<&str>, message: String, help: Option<String>| Finding {
                severity,
                code,
                model_input: Some(input.name.clone()),
                tensor: tensor.map(str::to_string),
                message,
                help,
            };
        let Some(t) = tensor_for(&input.name) else {
            let names: Vec<&str> = serving.iter().map(|t| t.name.as_str()).collect();
            let near = crate::suggest::closest_column(&input.name, &names);
            let help = match near {
                Some(n) => format!(
                    "if it is tensor `{}`, say so: --map {}={}",
                    p(n),
                    p(n),
                    p(&input.name)
                ),
                None => format!(
                    "the schema's serving tensors are {}; map one with --map TENSOR={}",
                    names
                        .iter()
                        .map(|n| format!("`{}`", p(n)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    p(&input.name)
                ),
            };
            out.push(finding(
                Severity::Error,
                "unknown_input",
                None,
                format!(
                    "model input `{}` ({}) is not a tensor of schema `{}`",
                    p(&input.name),
                    input.describe(),
                    p(&plan.schema)
                ),
                Some(help),
            ));
            continue;
        };
        taken.insert(t.name.as_str());
        let want = expected(plan, t);
        let about = |what: String| {
            format!(
                "model input `{}` is {}; tensor `{}` is {want}: {what}",
                p(&input.name),
                input.describe(),
                p(&t.name)
            )
        };
        if input.elem_type != elem_type(t.dtype) {
            out.push(finding(
                Severity::Error,
                "wrong_type",
                Some(&t.name),
                about(format!(
                    "the element types differ ({} against {})",
                    elem_name(input.elem_type),
                    elem_name(elem_type(t.dtype))
                )),
                Some("export the model with the schema's element type, or change the tensor's dtype (and retrain)".to_string()),
            ));
        }
        let Some(shape) = &input.shape else {
            continue;
        };
        if shape.len() != t.axes.len() {
            out.push(finding(
                Severity::Error,
                "wrong_rank",
                Some(&t.name),
                about(format!("rank {} against {}", shape.len(), t.axes.len())),
                None,
            ));
            continue;
        }
        for (i, (got, want_axis)) in shape.iter().zip(&t.axes).enumerate() {
            let fixed = match want_axis {
                TensorAxis::Fixed(n) => Some(*n),
                TensorAxis::Dim(d) => plan.dims[*d].max,
                TensorAxis::Batch => None,
            };
            let problem = match (got, fixed) {
                (Axis::Fixed(n), Some(m)) if usize::try_from(*n).ok() != Some(m) => Some((
                    "wrong_axis",
                    format!("axis {i} is {n} in the model and {} in the schema", axis_words(plan, *want_axis)),
                )),
                (Axis::Fixed(n), None) => Some((
                    "wrong_axis",
                    format!(
                        "axis {i} is fixed to {n} in the model but is {} in the schema, which varies",
                        axis_words(plan, *want_axis)
                    ),
                )),
                (Axis::Symbolic(_) | Axis::Unknown, Some(_)) => Some((
                    "symbolic_axis",
                    format!(
                        "axis {i} is `{got}` in the model where the schema fixes it to {}",
                        axis_words(plan, *want_axis)
                    ),
                )),
                _ => None,
            };
            if let Some((code, what)) = problem {
                out.push(finding(
                    Severity::Error,
                    code,
                    Some(&t.name),
                    about(what),
                    None,
                ));
            }
        }
    }
    for t in &serving {
        if !taken.contains(t.name.as_str()) {
            out.push(Finding {
                severity: Severity::Warning,
                code: "unused_tensor",
                model_input: None,
                tensor: Some(t.name.clone()),
                message: format!(
                    "tensor `{}` ({}) is not an input of the model: encoding it is wasted work",
                    p(&t.name),
                    expected(plan, t)
                ),
                help: None,
            });
        }
    }
    if let Some(fp) = model.meta(FINGERPRINT_KEY) {
        if fp != plan.fingerprint {
            let schema = model.meta(SCHEMA_KEY).unwrap_or("?");
            let version = model.meta(VERSION_KEY).unwrap_or("?");
            out.push(Finding {
                severity: Severity::Error,
                code: "other_schema",
                model_input: None,
                tensor: None,
                message: format!(
                    "the model was trained on schema `{}` v{} (fingerprint {}), not `{}` v{} ({})",
                    p(schema),
                    p(version),
                    p(&fp[..fp.len().min(16)]),
                    p(&plan.schema),
                    plan.version,
                    &plan.fingerprint[..plan.fingerprint.len().min(16)]
                ),
                help: Some(
                    "serve it with the schema it was trained on, or retrain it on this one"
                        .to_string(),
                ),
            });
        }
    }
    out
}

/// [`check`] for the schema a `#[derive(ModelInput)]` struct was checked against.
pub fn check_model_input<T: crate::ModelInput>(
    model: &Model,
    map: &[(String, String)],
) -> Vec<Finding> {
    check(model, T::plan(), map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncated_files_are_errors() {
        assert!(Model::read(b"").is_err());
        assert!(Model::read(b"hello, this is not a model").is_err());
        assert!(Model::read(&[0x08, 0x07, 0x3a, 0x40, 0x0a]).is_err());
    }

    #[test]
    fn element_types_round_trip_their_names() {
        assert_eq!(elem_name(elem_type(DType::F32)), "FLOAT");
        assert_eq!(elem_name(elem_type(DType::F64)), "DOUBLE");
        assert_eq!(elem_name(elem_type(DType::Bool)), "BOOL");
        assert_eq!(elem_name(99), "type 99");
    }
}
