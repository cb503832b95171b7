//! The encoding plan: the checked IR turned into what the encoder needs at hand — per input, its
//! target tensor, its offset in a concat, its lookup table — computed once per schema.

use crate::ops::Truncate;
use crate::tensor::DType;
use std::collections::HashMap;
use tensorseam_compiler::ir::{
    self, Axis, Categories, Encoding, Role, Scalar, TensorAxis, TensorKind, Transform,
};

/// A raw axis of an input.
#[derive(Clone, Copy, Debug)]
pub enum AxisPlan {
    /// Exactly this many elements.
    Fixed(usize),
    /// A named dim (index into [`Plan::dims`]).
    Dim(usize),
}

/// A named dim.
#[derive(Clone, Debug)]
pub struct DimPlan {
    pub name: String,
    pub max: Option<usize>,
    pub min: Option<usize>,
    pub truncate: Truncate,
    /// The mask tensor, when a feature uses the dim.
    pub mask: Option<usize>,
}

/// Category positions, by raw kind.
#[derive(Clone, Debug, Default)]
pub struct Lookup {
    pub strs: HashMap<String, usize>,
    pub ints: HashMap<i128, usize>,
    pub bools: [Option<usize>; 2],
    /// Number of categories.
    pub k: usize,
}

impl Lookup {
    fn new(categories: &Categories) -> Lookup {
        let mut l = Lookup::default();
        if let Categories::List(list) = categories {
            l.k = list.len();
            for (i, c) in list.iter().enumerate() {
                match c {
                    Scalar::Str(s) => {
                        l.strs.insert(s.clone(), i);
                    }
                    Scalar::Int(v) => {
                        l.ints.insert(*v, i);
                    }
                    Scalar::Bool(b) => l.bools[usize::from(*b)] = Some(i),
                    Scalar::Float(_) => {}
                }
            }
        }
        l
    }
}

/// One input.
#[derive(Clone, Debug)]
pub struct InputPlan {
    pub ir: ir::Input,
    pub shape: Vec<AxisPlan>,
    pub lookup: Lookup,
    /// Output tensor.
    pub tensor: usize,
    /// Offset along the tensor's last axis (concat).
    pub offset: usize,
    /// Values per cell: `k` for one_hot/multi_hot, `max_len` for bytes/chars, else 1.
    pub width: usize,
    /// Whether the encoding adds an axis (one_hot, multi_hot, bytes, chars).
    pub enc_axis: bool,
    /// Whether the last raw axis is reduced (multi_hot).
    pub reduces: bool,
    /// The `<input>_mask` tensor of bytes/chars.
    pub text_mask: Option<usize>,
}

/// A tensor to produce.
#[derive(Clone, Debug)]
pub struct TensorPlan {
    pub name: String,
    pub dtype: DType,
    pub axes: Vec<TensorAxis>,
    pub kind: TensorKind,
}

/// The whole plan.
#[derive(Clone, Debug)]
pub struct Plan {
    pub tensors: Vec<TensorPlan>,
    pub inputs: Vec<InputPlan>,
    pub dims: Vec<DimPlan>,
}

/// Why a schema cannot be encoded yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfitted {
    /// Inputs with `fit` placeholders.
    pub inputs: Vec<String>,
}

fn dtype(d: ir::DType) -> DType {
    DType::from_name(d.name()).unwrap_or(DType::F64)
}

fn truncate(t: ir::Truncate) -> Truncate {
    match t {
        ir::Truncate::Error => Truncate::Error,
        ir::Truncate::Right => Truncate::Right,
        ir::Truncate::Left => Truncate::Left,
    }
}

fn unfitted(input: &ir::Input) -> bool {
    match &input.transform {
        Transform::Encode(
            Encoding::OneHot { categories, .. }
            | Encoding::Index { categories, .. }
            | Encoding::MultiHot { categories, .. },
        ) => {
            matches!(categories, Categories::Fit { .. })
        }
        Transform::Scale { steps, .. } => steps
            .iter()
            .any(|s| matches!(s, ir::Step::Standardize(None) | ir::Step::MinMax(None))),
        _ => false,
    }
}

impl Plan {
    /// The plan for a checked schema.
    ///
    /// # Errors
    /// [`Unfitted`] when some input still has `fit` placeholders.
    pub fn new(schema: &ir::Schema) -> Result<Plan, Unfitted> {
        let pending: Vec<String> = schema
            .inputs
            .iter()
            .filter(|i| unfitted(i))
            .map(|i| i.name.clone())
            .collect();
        if !pending.is_empty() {
            return Err(Unfitted { inputs: pending });
        }
        let tensor_index = |name: &str| schema.specs.iter().position(|t| t.name == name);
        let tensors: Vec<TensorPlan> = schema
            .specs
            .iter()
            .map(|t| TensorPlan {
                name: t.name.clone(),
                dtype: dtype(t.dtype),
                axes: t.axes.clone(),
                kind: t.kind,
            })
            .collect();
        let dims: Vec<DimPlan> = schema
            .dims
            .iter()
            .map(|d| DimPlan {
                name: d.name.clone(),
                max: d.max.map(|m| m as usize),
                min: d.min.map(|m| m as usize),
                truncate: truncate(d.truncate),
                mask: tensor_index(&format!("{}_mask", d.name)),
            })
            .collect();
        let mut inputs = Vec::with_capacity(schema.inputs.len());
        for input in &schema.inputs {
            let shape: Vec<AxisPlan> = input
                .shape
                .iter()
                .map(|a| match a {
                    Axis::Fixed(n) => AxisPlan::Fixed(*n as usize),
                    Axis::Dim(d) => {
                        AxisPlan::Dim(schema.dims.iter().position(|x| x.name == *d).unwrap_or(0))
                    }
                })
                .collect();
            let (lookup, width, enc_axis, reduces) = match &input.transform {
                Transform::Encode(Encoding::OneHot { categories, .. }) => {
                    let l = Lookup::new(categories);
                    let k = l.k;
                    (l, k, true, false)
                }
                Transform::Encode(Encoding::MultiHot { categories, .. }) => {
                    let l = Lookup::new(categories);
                    let k = l.k;
                    (l, k, true, true)
                }
                Transform::Encode(Encoding::Index { categories, .. }) => {
                    (Lookup::new(categories), 1, false, false)
                }
                Transform::Encode(
                    Encoding::Bytes { max_len, .. } | Encoding::Chars { max_len, .. },
                ) => (Lookup::default(), *max_len as usize, true, false),
                _ => (Lookup::default(), 1, false, false),
            };
            // Find the tensor this input feeds, and its offset along a concat's last axis.
            let (tensor, offset) = match schema
                .tensors
                .iter()
                .find(|t| t.concat.contains(&input.name))
            {
                Some(decl) => {
                    let mut offset = 0;
                    for part in decl.concat.iter().take_while(|p| **p != input.name) {
                        offset += last_axis_width(schema, part);
                    }
                    (tensor_index(&decl.name).unwrap_or(0), offset)
                }
                None => (tensor_index(&input.name).unwrap_or(0), 0),
            };
            let text_mask = match (&input.transform, input.role) {
                (
                    Transform::Encode(Encoding::Bytes { .. } | Encoding::Chars { .. }),
                    Role::Feature,
                ) => tensor_index(&format!("{}_mask", input.name)),
                _ => None,
            };
            inputs.push(InputPlan {
                ir: input.clone(),
                shape,
                lookup,
                tensor,
                offset,
                width,
                enc_axis,
                reduces,
                text_mask,
            });
        }
        Ok(Plan {
            tensors,
            inputs,
            dims,
        })
    }
}

/// The size an input contributes along a concat's last axis (scalars count as 1).
fn last_axis_width(schema: &ir::Schema, name: &str) -> usize {
    let Some(input) = schema.input(name) else {
        return 0;
    };
    match &input.transform {
        Transform::Encode(
            Encoding::OneHot { categories, .. } | Encoding::MultiHot { categories, .. },
        ) => categories.count().unwrap_or(0) as usize,
        Transform::Encode(Encoding::Bytes { max_len, .. } | Encoding::Chars { max_len, .. }) => {
            *max_len as usize
        }
        _ => match input.shape.last() {
            Some(Axis::Fixed(n)) => *n as usize,
            _ => 1,
        },
    }
}
