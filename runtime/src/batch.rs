//! [`Batch`]: the ordered, named tensors a schema produces, with the schema's fingerprint.

use crate::tensor::{DType, Element, Tensor};
use ndarray::{ArrayView, Dimension};
use std::fmt;

/// Ordered, named, dtype-tagged tensors plus the fingerprint of the schema that made them.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    schema: String,
    version: u64,
    fingerprint: String,
    tensors: Vec<(String, Tensor)>,
}

/// Why a tensor could not be viewed as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchError {
    /// No tensor has this name.
    NoSuchTensor {
        /// The name asked for.
        name: String,
        /// The names there are.
        available: Vec<String>,
    },
    /// The tensor holds another element type.
    WrongDtype {
        /// The tensor.
        name: String,
        /// What was asked for.
        expected: DType,
        /// What it holds.
        found: DType,
    },
    /// The tensor has another number of axes.
    WrongRank {
        /// The tensor.
        name: String,
        /// Axes asked for.
        expected: usize,
        /// Its shape.
        shape: Vec<usize>,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::NoSuchTensor { name, available } => {
                write!(
                    f,
                    "no tensor `{name}` in the batch; it has {}",
                    available.join(", ")
                )
            }
            BatchError::WrongDtype {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "tensor `{name}` holds {found}, not {expected}; view it as `{found}`"
                )
            }
            BatchError::WrongRank {
                name,
                expected,
                shape,
            } => write!(
                f,
                "tensor `{name}` has {} axes {shape:?}, not {expected}; view it with Ix{}",
                shape.len(),
                shape.len()
            ),
        }
    }
}

impl std::error::Error for BatchError {}

impl Batch {
    /// A batch of `tensors` made by schema `schema` (`version`, `fingerprint`).
    pub fn new(
        schema: impl Into<String>,
        version: u64,
        fingerprint: impl Into<String>,
        tensors: Vec<(String, Tensor)>,
    ) -> Batch {
        Batch {
            schema: schema.into(),
            version,
            fingerprint: fingerprint.into(),
            tensors,
        }
    }

    /// The schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The schema's version.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The schema's fingerprint.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The tensors, in schema order.
    pub fn tensors(&self) -> &[(String, Tensor)] {
        &self.tensors
    }

    /// Mutable access for encoders that fill a reused batch.
    pub fn tensors_mut(&mut self) -> &mut [(String, Tensor)] {
        &mut self.tensors
    }

    /// The tensors, consumed (for encoders that reuse buffers).
    pub fn into_tensors(self) -> Vec<(String, Tensor)> {
        self.tensors
    }

    /// The tensor named `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.tensors.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// Rows in the batch (the length of the first axis; 0 for an empty batch).
    pub fn rows(&self) -> usize {
        self.tensors.first().map_or(0, |(_, t)| t.shape()[0])
    }

    /// A typed view: `batch.view::<f32, Ix2>("features")`.
    ///
    /// # Errors
    /// A [`BatchError`] naming the tensor when it is absent, of another dtype or another rank.
    pub fn view<T: Element, D: Dimension>(
        &self,
        name: &str,
    ) -> Result<ArrayView<'_, T, D>, BatchError> {
        let tensor = self.get(name).ok_or_else(|| BatchError::NoSuchTensor {
            name: name.to_string(),
            available: self.tensors.iter().map(|(n, _)| n.clone()).collect(),
        })?;
        let view = T::view(tensor).ok_or(BatchError::WrongDtype {
            name: name.to_string(),
            expected: T::DTYPE,
            found: tensor.dtype(),
        })?;
        let shape = view.shape().to_vec();
        view.into_dimensionality::<D>()
            .map_err(|_| BatchError::WrongRank {
                name: name.to_string(),
                expected: D::NDIM.unwrap_or(shape.len()),
                shape,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, Ix1, Ix2, IxDyn};

    fn batch() -> Batch {
        let x = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0])
            .expect("shape");
        Batch::new(
            "m",
            1,
            "ab",
            vec![
                ("x".into(), Tensor::F32(x)),
                ("m".into(), Tensor::zeros(DType::Bool, &[2, 4])),
            ],
        )
    }

    #[test]
    fn typed_views() {
        let b = batch();
        let x = b.view::<f32, Ix2>("x").expect("view");
        assert_eq!(x[[1, 2]], 6.0);
        assert_eq!(b.rows(), 2);
        let e = b.view::<f64, Ix2>("x").expect_err("dtype");
        assert_eq!(
            e.to_string(),
            "tensor `x` holds f32, not f64; view it as `f32`"
        );
        let e = b.view::<f32, Ix1>("x").expect_err("rank");
        assert_eq!(
            e.to_string(),
            "tensor `x` has 2 axes [2, 3], not 1; view it with Ix2"
        );
        let e = b.view::<f32, Ix1>("y").expect_err("name");
        assert_eq!(e.to_string(), "no tensor `y` in the batch; it has x, m");
    }

    #[test]
    fn bytes_round_trip() {
        for (_, t) in batch().tensors() {
            let bytes = t.to_le_bytes();
            assert_eq!(
                Tensor::from_le_bytes(t.dtype(), t.shape(), &bytes).as_ref(),
                Some(t)
            );
        }
        assert!(Tensor::from_le_bytes(DType::Bool, &[1], &[2]).is_none());
        assert!(Tensor::from_le_bytes(DType::F32, &[2], &[0; 7]).is_none());
    }
}
