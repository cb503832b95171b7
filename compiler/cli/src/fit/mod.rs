//! `tensorseam fit`: the command over the runtime's fitting library (`tensorseam::dynamic::fit`):
//! reading the data (a CSV split into parts read on every core, or JSON Lines), the progress line,
//! and writing the fitted schema.

pub mod read;
mod run;

pub use run::{fit, Sources};
