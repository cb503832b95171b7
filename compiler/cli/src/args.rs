//! Command-line arguments (clap).

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// One schema for the seam between a Python trainer and a Rust model.
#[derive(Debug, Parser)]
#[command(name = "tensorseam", version, about = "One schema for the seam between a Python trainer and a Rust model: check it, explain its tensors, encode and verify batches", long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// When to colour diagnostics (`NO_COLOR` is respected with `auto`)
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "Examples:
  tensorseam check schemas/penguins.yaml
  tensorseam explain schemas/penguins.seam
  tensorseam fmt --to seam schemas/penguins.yaml
  tensorseam gen ir --canonical schemas/penguins.yaml | sha256sum";

/// Colour choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal, unless `NO_COLOR` is set
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

/// Diagnostic output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiagFormat {
    /// Compiler-style text on stderr
    Human,
    /// One JSON document on stdout
    Json,
    /// GitHub Actions workflow annotations on stdout
    Github,
}

/// `diff` output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A report for the terminal
    Text,
    /// A pull-request comment
    Markdown,
    /// JSON (layout in docs/review.md)
    Json,
    /// GitHub Actions workflow annotations on the new file's lines
    Github,
}

/// Table output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// An aligned table
    Text,
    /// JSON
    Json,
}

/// Schema syntaxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SyntaxArg {
    /// YAML (`*.yaml`)
    Yaml,
    /// The DSL (`*.seam`)
    Seam,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check schemas; report every problem
    #[command(after_help = "Examples:
  tensorseam check schemas/*.yaml schemas/*.seam
  tensorseam check --format github schemas/penguins.yaml   # annotations in a GitHub workflow")]
    Check {
        /// Schema files (`*.yaml`, `*.yml`, `*.seam`)
        #[arg(required = true)]
        schemas: Vec<PathBuf>,
        /// How to print diagnostics
        #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
        format: DiagFormat,
    },
    /// Rewrite schemas in canonical layout, or convert between YAML and the DSL
    #[command(after_help = "Examples:
  tensorseam fmt schemas/penguins.yaml            # rewrite in place
  tensorseam fmt --check schemas/*.seam           # exit 1 if any would change
  tensorseam fmt --to seam schemas/penguins.yaml  # print the DSL form
  tensorseam fmt --to yaml -o p.yaml p.seam       # convert to a file

Comments are kept, each beside the element it precedes (or ends the line of), in either syntax;
--drop-comments deletes them.")]
    Fmt {
        /// Schema files
        #[arg(required = true)]
        schemas: Vec<PathBuf>,
        /// Change nothing; exit 1 if a file is not canonical
        #[arg(long)]
        check: bool,
        /// Print (or write with -o) the schema in this syntax
        #[arg(long, value_enum)]
        to: Option<SyntaxArg>,
        /// Output file for --to (one schema only)
        #[arg(short, long, requires = "to")]
        output: Option<PathBuf>,
        /// Delete comments instead of keeping them
        #[arg(long)]
        drop_comments: bool,
    },
    /// Print the tensor table the model receives
    #[command(after_help = "Examples:
  tensorseam explain schemas/penguins.yaml
  tensorseam explain --format json schemas/sequence.seam")]
    Explain {
        /// Schema file
        schema: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
    },
    /// Validate records and write them as batch files: JSON Lines, CSV, Parquet or Arrow in;
    /// .npz, .safetensors or .parquet out; streamed on every core
    #[command(after_help = "Examples:
  tensorseam encode schemas/penguins.yaml --data penguins.csv -o batch.npz
  tensorseam encode schemas/penguins.yaml --data rows.jsonl -o batch.safetensors --training
  tensorseam encode schemas/cars.yaml --data part-*.parquet -o cars.parquet --training
  tensorseam encode schemas/cars.yaml --data data/ -o out/ --rows-per-file 1000000 --format parquet
  tensorseam encode schemas/cars.yaml --data big.csv -o cars.npz --rejects bad.jsonl

Data is read in chunks on every core; the output is the same bytes on any number of cores. Exit 1
with the validation report when a record is invalid (nothing is written) — or, with --rejects,
invalid records are set aside and the run fails only past --max-reject-fraction; 2 when the data
cannot be read.")]
    Encode {
        /// Schema file
        schema: PathBuf,
        /// Data: `*.jsonl`, `*.csv`, `*.parquet`, `*.arrow`/`*.feather` files, or directories of
        /// them (read in sorted order)
        #[arg(long, required = true, num_args = 1..)]
        data: Vec<PathBuf>,
        /// Batch file to write (`*.npz`, `*.safetensors`, `*.parquet`), or a directory with
        /// --rows-per-file
        #[arg(short, long)]
        output: PathBuf,
        /// Write OUTPUT/part-00000.EXT, … of this many rows each (dims without `max` padded per part)
        #[arg(long, value_name = "N")]
        rows_per_file: Option<usize>,
        /// The parts' format with --rows-per-file: npz, safetensors or parquet
        #[arg(long, default_value = "parquet", value_name = "EXT")]
        format: String,
        /// Set invalid records aside in this JSON Lines file (with their rows and errors) and
        /// encode the others
        #[arg(long, value_name = "FILE")]
        rejects: Option<PathBuf>,
        /// With --rejects, fail when more than this share of the records is invalid
        #[arg(long, default_value_t = 0.01, value_name = "FRACTION")]
        max_reject_fraction: f64,
        /// Threads encoding chunks (default: one per core)
        #[arg(long, default_value_t = 0)]
        workers: usize,
        /// Include (and require) labels and weights
        #[arg(long)]
        training: bool,
        /// Report fields the schema does not know
        #[arg(long)]
        strict: bool,
        /// Report at most this many invalid values
        #[arg(long, default_value_t = 100)]
        error_limit: usize,
        /// The longest list a dim without `max` may hold; longer is `too_long`
        #[arg(long, default_value_t = tensorseam::DEFAULT_MAX_DIM_LEN)]
        max_dim_len: usize,
        /// An input (or column) the data may lack: its rows get the fill. Any other input
        /// without a column is a `missing_column` error. Repeat for several
        #[arg(long, value_name = "NAME")]
        allow_missing_column: Vec<String>,
        /// How invalid values are reported: grouped text on stderr, or every error as JSON on
        /// stdout (`{"count", "omitted", "errors": [{"row", "path", "code", "message"}]}`)
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        errors: TableFormat,
    },
    /// Check an ONNX model's inputs against the schema's serving tensors
    #[command(
        name = "check-model",
        after_help = "Examples:
  tensorseam check-model schemas/penguins.yaml model.onnx
  tensorseam check-model schemas/penguins.yaml model.onnx --map features=input --format github

Each model input must be a schema tensor (same name, or --map TENSOR=MODEL_INPUT) with the same
element type, rank and fixed axes; a symbolic axis is accepted where the schema's axis is the batch
or a dim without `max`. A fingerprint stamped in the model (`stamp_onnx` in the generated Python
module) must be the schema's. Exit 0 when the model fits, 1 when it does not, 2 when a file cannot
be read or is not an ONNX model."
    )]
    CheckModel {
        /// Schema file
        schema: PathBuf,
        /// ONNX model (`*.onnx`)
        model: PathBuf,
        /// A schema tensor and the model input that takes it, where the names differ (repeat)
        #[arg(long, value_name = "TENSOR=MODEL_INPUT")]
        map: Vec<String>,
        /// How to print findings
        #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
        format: DiagFormat,
    },
    /// Check a batch file's tensors, dtypes, shapes and fingerprint against a schema
    #[command(after_help = "Examples:
  tensorseam verify schemas/penguins.yaml batch.npz
  tensorseam verify schemas/penguins.seam batch.safetensors

Every difference is printed; exit 1 on any.")]
    Verify {
        /// Schema file
        schema: PathBuf,
        /// Batch file (`*.npz` or `*.safetensors`)
        batch: PathBuf,
    },
    /// Write random records for a schema as JSON Lines (valid, or each breaking one rule)
    #[command(after_help = "Examples:
  tensorseam sample schemas/penguins.yaml -n 100 --seed 7 > rows.jsonl
  tensorseam sample schemas/penguins.yaml -n 20 --invalid   # {\"expect\": {\"code\", \"path\"}, \"record\": {...}}

Records include labels and weights (they are training records). Floats that are NaN or infinite are
written as the bare tokens NaN and Infinity, as Python's json module writes them.")]
    Sample {
        /// Schema file
        schema: PathBuf,
        /// Number of records
        #[arg(short, default_value_t = 10)]
        n: usize,
        /// Random seed (the same seed gives the same records)
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Write records that each break exactly one rule, tagged with the error they must produce
        #[arg(long)]
        invalid: bool,
        /// Output file (default: stdout)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write every artifact at once: Rust, Python, JSON Schema, IR, and a data sheet
    #[command(after_help = "Examples:
  tensorseam build schemas/penguins.yaml -o target/penguins

Writes DIR/<name>.rs (the struct with #[derive(ModelInput)]), DIR/<name>_schema.py (the Python
module), DIR/<name>.schema.json and DIR/<name>.training.schema.json (JSON Schema), DIR/<name>.ir.json
(the IR with its fingerprint) and DIR/DATASHEET.md (the schema for humans).")]
    Build {
        /// Schema file
        schema: PathBuf,
        /// Output directory (created if missing)
        #[arg(short, long)]
        output: PathBuf,
        /// The path written in `#[tensorseam(schema = ...)]`, relative to the Cargo.toml of the
        /// crate that compiles the struct (default: computed from the output's crate)
        #[arg(long)]
        schema_path: Option<String>,
    },
    /// Fill every `fit` placeholder from data (CSV or JSON Lines), in one streaming pass
    #[command(after_help = "Examples:
  tensorseam fit schemas/sessions.yaml --data train.csv -o schemas/sessions.fitted.yaml
  tensorseam fit schemas/reviews.seam --data reviews.jsonl > reviews.fitted.seam
  tensorseam fit schemas/sessions.yaml --data part-0.parquet --stats-out part-0.json   # on each part
  tensorseam fit schemas/sessions.yaml --stats part-*.json -o sessions.fitted.yaml     # then merge

Missing values are skipped and counted; so are values encoding would reject, and each input's
skipped values are reported with the first invalid one and its row (more than --max-skip-fraction
invalid fails the fit). standardize fits the
mean and population std (as scikit-learn's StandardScaler), minmax the min and max, of the value
entering the step; categories are the values seen, lexically ordered unless `order: frequency`.
The fitted schema is written in the same syntax (or OUTPUT's), with a comment naming the data.
Set SOURCE_DATE_EPOCH for a reproducible timestamp.")]
    Fit {
        /// Schema file with `fit` placeholders
        schema: PathBuf,
        /// Data: `*.csv`, `*.jsonl`, `*.parquet`, `*.arrow` files or directories of them
        #[arg(long, num_args = 1.., required_unless_present = "stats")]
        data: Vec<PathBuf>,
        /// Statistics files of parts fitted apart (`--stats-out`, or the Python module's
        /// `fit_stats`), merged into this fit
        #[arg(long, num_args = 1.., value_name = "FILE")]
        stats: Vec<PathBuf>,
        /// Write the statistics of this data (JSON) instead of the fitted schema, to merge later
        #[arg(long, value_name = "FILE", conflicts_with = "output")]
        stats_out: Option<PathBuf>,
        /// Output file (default: stdout)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Fail when more than this share of an input's values are invalid (skipped values
        /// bias what is fitted: an `i64` input over a float column skips every fraction)
        #[arg(long, default_value_t = 0.01, value_name = "FRACTION")]
        max_skip_fraction: f64,
    },
    /// Classify the changes between two schemas (breaking / retrain / safe) for review
    #[command(after_help = "Examples:
  tensorseam diff old/penguins.seam schemas/penguins.yaml
  tensorseam diff --git origin/main                      # every schema file changed since main
  tensorseam diff --git origin/main schemas --format markdown > comment.md

A breaking change is approved by bumping `version` in the same change. Exit 1 on a breaking change
without a bump (unless --allow-breaking) or a lowered version; 0 otherwise; 2 on usage or I/O errors.")]
    Diff {
        /// OLD NEW schema files; with --git, the paths to search for schema files (default: the
        /// whole repository)
        paths: Vec<PathBuf>,
        /// Compare every schema file at this git revision with the working tree
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit 0 even on breaking changes without a version bump
        #[arg(long)]
        allow_breaking: bool,
    },
    /// Generate an artifact from a schema
    Gen {
        /// Which artifact
        #[command(subcommand)]
        what: Gen,
    },
}

/// Artifacts.
#[derive(Debug, Subcommand)]
pub enum Gen {
    /// A Rust struct with `#[derive(ModelInput)]`, for schema-first users
    #[command(after_help = "Examples:
  tensorseam gen rust schemas/penguins.yaml -o src/penguins.rs
  tensorseam gen rust schemas/cars.yaml --serde -o src/cars.rs   # records deserialize into it
  tensorseam gen rust schemas/penguins.yaml --schema-path ../schemas/penguins.yaml --training

The schema path in #[tensorseam(schema = ...)] is written relative to the Cargo.toml nearest above
the output file (the working directory's for stdout), which is where the derive resolves it.")]
    Rust {
        /// Schema file
        schema: PathBuf,
        /// The path written in `#[tensorseam(schema = ...)]`, relative to the Cargo.toml of the
        /// crate that compiles the struct (default: computed from the output's crate)
        #[arg(long)]
        schema_path: Option<String>,
        /// Include labels and weights (a training record)
        #[arg(long)]
        training: bool,
        /// Derive `serde::Deserialize` too, renaming fields to the columns they read (the crate
        /// needs `serde` with its `derive` feature)
        #[arg(long)]
        serde: bool,
        /// Output file (default: stdout)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// A self-contained Python (numpy) module: validate and encode records for training
    #[command(after_help = "Examples:
  tensorseam gen python schemas/penguins.yaml -o penguins_schema.py")]
    Python {
        /// Schema file
        schema: PathBuf,
        /// Output file (default: stdout)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// JSON Schema 2020-12 for one raw record
    #[command(after_help = "Examples:
  tensorseam gen json-schema schemas/penguins.yaml -o penguins.schema.json
  tensorseam gen json-schema schemas/penguins.yaml --training   # labels and weights required")]
    JsonSchema {
        /// Schema file
        schema: PathBuf,
        /// Require labels and weights (a training record)
        #[arg(long)]
        training: bool,
        /// Output file (default: stdout)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// The IR as JSON (docs included, with the fingerprint)
    #[command(after_help = "Examples:
  tensorseam gen ir schemas/penguins.yaml -o penguins.ir.json
  tensorseam gen ir --canonical schemas/penguins.yaml   # the exact bytes the fingerprint hashes")]
    Ir {
        /// Schema file
        schema: PathBuf,
        /// Print the canonical form (RFC 8785, no docs) instead
        #[arg(long)]
        canonical: bool,
        /// Output file (default: stdout)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}
