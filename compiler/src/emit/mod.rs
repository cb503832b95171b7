//! Emitters. Each takes a [`crate::check::Checked`] schema (or its IR) and nothing unchecked.

pub mod ir;
pub mod seam;
pub mod yaml;
