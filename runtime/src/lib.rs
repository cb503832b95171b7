//! The tensorseam runtime: what users depend on. Batches, validation errors and the encoding
//! primitives arrive with the runtime issue; today the crate re-exports the derive placeholder and,
//! with feature `dynamic`, the schema compiler used to load schema files.
#![deny(missing_docs)]

#[cfg(feature = "dynamic")]
#[doc(hidden)]
pub use tensorseam_compiler as __compiler;

#[cfg(feature = "derive")]
#[doc(hidden)]
pub use tensorseam_macros as __macros;
