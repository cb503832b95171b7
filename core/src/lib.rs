//! The rules every part of tensorseam shares, written once (SPEC §1, §9): the stable validation
//! codes, the value rule (how a raw value is taken for an input), the scaling steps, and the
//! encoding primitives. The compiler (its fill-value rule, `sample`), the runtime (its engine,
//! readers and `fit`) and the code `#[derive(ModelInput)]` generates all call these functions;
//! users reach them through the `tensorseam` crate, which re-exports them.
#![deny(missing_docs)]

pub mod code;
pub mod ops;
pub mod scale;
pub mod suggest;
pub mod text;
pub mod value;

pub use code::ErrorCode;
