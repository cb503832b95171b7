//! Front-ends: each turns one syntax into the [`crate::tree`] document.

pub mod yaml;
