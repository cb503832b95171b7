//! `#[derive(ModelInput)]` for tensorseam. A placeholder until the derive lands: the macro crate stays
//! a thin layer over `tensorseam-compiler`, where the code generation will live.
#![deny(missing_docs)]
