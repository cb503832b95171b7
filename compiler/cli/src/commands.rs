//! The subcommands.

use crate::args::{Cli, Color, Command, DiagFormat, Gen, SyntaxArg, TableFormat};
use crate::load::{io_error, with_schema};
use crate::output::{out, say, write_output, Reporter};
use std::path::Path;
use tensorseam::EncodeOptions;
use tensorseam_compiler::{compile_path, emit, explain, Checked, Syntax};

/// Runs a parsed command line.
pub fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Check { schemas, format } => check(&schemas, format, cli.color),
        Command::Fmt {
            schemas,
            check,
            to,
            output,
            drop_comments,
        } => fmt(
            &schemas,
            check,
            to,
            output.as_deref(),
            drop_comments,
            cli.color,
        ),
        Command::Explain { schema, format } => with_schema(&schema, cli.color, |c| match format {
            TableFormat::Text => out(&explain::text(c)),
            TableFormat::Json => out(&tensorseam_compiler::json::pretty(&explain::json(c))),
        }),
        Command::Encode {
            schema,
            data,
            output,
            rows_per_file,
            format,
            rejects,
            max_reject_fraction,
            workers,
            training,
            strict,
            error_limit,
            max_dim_len,
            allow_missing_column,
            errors,
        } => crate::encode::encode(
            &schema,
            crate::encode::Request {
                data,
                output,
                rows_per_file,
                part_format: format,
                rejects,
                max_reject_fraction,
                workers,
                errors,
            },
            EncodeOptions {
                training,
                strict,
                error_limit: error_limit.max(1),
                max_dim_len,
                allow_missing: allow_missing_column,
            },
            cli.color,
        ),
        Command::Build {
            schema,
            output,
            schema_path,
        } => with_schema(&schema, cli.color, |c| {
            warn_unfitted(
                c,
                &schema,
                "the Rust struct will not compile and the Python module raises",
            );
            crate::build::build(c, &schema, &output, schema_path)
        }),
        Command::Fit {
            schema,
            data,
            stats,
            stats_out,
            output,
            max_skip_fraction,
        } => crate::fit::fit(
            &schema,
            &crate::fit::Sources {
                data,
                stats,
                stats_out,
            },
            output.as_deref(),
            max_skip_fraction,
            cli.color,
        ),
        Command::Diff {
            paths,
            git,
            format,
            allow_breaking,
        } => crate::review::diff(&paths, git.as_deref(), format, allow_breaking, cli.color),
        Command::CheckModel {
            schema,
            model,
            map,
            format,
        } => crate::check_model::check_model(&schema, &model, &map, format, cli.color),
        Command::Verify { schema, batch } => crate::batches::verify(&schema, &batch, cli.color),
        Command::Sample {
            schema,
            n,
            seed,
            invalid,
            output,
        } => with_schema(&schema, cli.color, |c| {
            let size = tensorseam_compiler::sample::record_values(c.schema());
            if size > tensorseam_compiler::sample::MAX_RECORD_VALUES {
                say!(
                    "error: a record of `{}` holds up to {size} values; `sample` writes records of at most {} (the shapes are too large to write as JSON)",
                    c.name,
                    tensorseam_compiler::sample::MAX_RECORD_VALUES
                );
                return 2;
            }
            let lines: Vec<String> = if invalid {
                tensorseam_compiler::sample::invalid(c, n, seed)
                    .iter()
                    .map(|i| tensorseam_compiler::sample::jsonl_line(&i.to_value()))
                    .collect()
            } else {
                tensorseam_compiler::sample::records(c, n, seed)
                    .iter()
                    .map(tensorseam_compiler::sample::jsonl_line)
                    .collect()
            };
            if lines.len() < n {
                say!(
                    "warning: wrote {} of {n} records: the schema allows no more",
                    lines.len()
                );
            }
            let text: String = lines.into_iter().map(|l| l + "\n").collect();
            write_output(output.as_deref(), &text)
        }),
        Command::Gen {
            what:
                Gen::Rust {
                    schema,
                    schema_path,
                    training,
                    serde,
                    output,
                },
        } => with_schema(&schema, cli.color, |c| {
            let schema_path = match schema_path.clone().map_or_else(
                || crate::schema_path::for_output(&schema, output.as_deref()),
                Ok,
            ) {
                Ok(p) => p,
                Err(e) => {
                    say!("error: {e}");
                    return 2;
                }
            };
            warn_unfitted(c, &schema, "the derive refuses the struct");
            let opts = emit::rust::StructOptions {
                schema_path,
                training,
                serde,
            };
            match emit::rust::try_write_struct(c, &opts) {
                Ok(text) => write_output(output.as_deref(), &text),
                Err(e) => {
                    say!("error: {e}");
                    1
                }
            }
        }),
        Command::Gen {
            what:
                Gen::JsonSchema {
                    schema,
                    training,
                    output,
                },
        } => with_schema(&schema, cli.color, |c| {
            let v = emit::json_schema::json_schema(c, training);
            write_output(output.as_deref(), &tensorseam_compiler::json::pretty(&v))
        }),
        Command::Gen {
            what: Gen::Python { schema, output },
        } => with_schema(&schema, cli.color, |c| {
            // The header names the file, not the path it was reached by: the same schema gives
            // the same module wherever it is generated from.
            let name = schema
                .file_name()
                .map_or_else(|| schema.to_string_lossy(), |n| n.to_string_lossy());
            warn_unfitted(c, &schema, "the module raises when it encodes");
            write_output(output.as_deref(), &emit::python::module(c, &name))
        }),
        Command::Gen {
            what:
                Gen::Ir {
                    schema,
                    canonical,
                    output,
                },
        } => with_schema(&schema, cli.color, |c| {
            let text = if canonical {
                c.canonical().to_string()
            } else {
                emit::ir::pretty_text(c)
            };
            write_output(output.as_deref(), &text)
        }),
    }
}

fn check(paths: &[std::path::PathBuf], format: DiagFormat, color: Color) -> u8 {
    let mut reporter = Reporter::new(format, color);
    let mut io_failed = 0;
    for path in paths {
        match compile_path(&path.to_string_lossy()) {
            Ok((file, compiled)) => {
                io_failed = io_failed.max(reporter.report(&file, &compiled.diagnostics));
                // One line per valid schema, so a passing check says what it checked.
                if let (Some(c), DiagFormat::Human) = (&compiled.checked, format) {
                    io_failed = io_failed.max(out(&format!("{}\n", summary(&file, c))));
                }
            }
            Err(e) => io_failed = io_error(path, &e),
        }
    }
    let errors = reporter.errors;
    io_failed = io_failed.max(reporter.finish(paths.len()));
    if io_failed > 0 {
        2
    } else {
        u8::from(errors > 0)
    }
}

/// `schemas/penguins.yaml: ok — penguins v3, 8 inputs, 3 tensors, fingerprint 1c36b15503dfffb7`,
/// with what is still to do for a schema with `fit` placeholders.
fn summary(file: &tensorseam_compiler::SourceFile, c: &Checked) -> String {
    let s = c.schema();
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let pending = c.unfitted_inputs();
    let todo = if pending.is_empty() {
        String::new()
    } else {
        format!(
            "; `fit` placeholders in {} (run `tensorseam fit`)",
            pending.join(", ")
        )
    };
    format!(
        "{}: ok — {} v{}, {}, {}, fingerprint {}{todo}",
        tensorseam_compiler::names::printable(file.path()),
        s.name,
        s.version,
        plural(s.inputs.len(), "input"),
        plural(s.specs.len(), "tensor"),
        &c.fingerprint()[..16]
    )
}

/// Generated code for a schema with `fit` placeholders cannot encode yet: say so, and what to run.
fn warn_unfitted(c: &Checked, schema: &Path, consequence: &str) {
    let pending = c.unfitted_inputs();
    if !pending.is_empty() {
        say!(
            "warning: `{}` has `fit` placeholders in {}: {consequence} until you run `tensorseam fit {} --data DATA -o FITTED` and generate from the fitted schema",
            tensorseam_compiler::names::printable(&schema.to_string_lossy()),
            pending.join(", "),
            tensorseam_compiler::names::printable(&schema.to_string_lossy())
        );
    }
}

fn render(c: &Checked, syntax: Syntax) -> String {
    match syntax {
        Syntax::Yaml => emit::yaml::write(c.schema()),
        Syntax::Seam => emit::seam::write(c.schema()),
    }
}

fn fmt(
    paths: &[std::path::PathBuf],
    check: bool,
    to: Option<SyntaxArg>,
    output: Option<&Path>,
    drop_comments: bool,
    color: Color,
) -> u8 {
    if output.is_some() && paths.len() != 1 {
        say!("error: `-o` takes one schema");
        return 2;
    }
    let mut reporter = Reporter::new(DiagFormat::Human, color);
    let mut status = 0u8;
    for path in paths {
        let shown = path.to_string_lossy().into_owned();
        let (file, compiled) = match compile_path(&shown) {
            Ok(x) => x,
            Err(e) => return io_error(path, &e),
        };
        reporter.report(&file, &compiled.diagnostics);
        let Some(checked) = compiled.checked else {
            status = status.max(1);
            continue;
        };
        let own = Syntax::from_path(&shown).unwrap_or(Syntax::Yaml);
        let target = match to {
            Some(SyntaxArg::Yaml) => Syntax::Yaml,
            Some(SyntaxArg::Seam) => Syntax::Seam,
            None => own,
        };
        // Comments are attached to their elements and written back beside them (in either
        // syntax), unless the user asks to drop them.
        let comments = if drop_comments {
            Vec::new()
        } else {
            let mut diags = Vec::new();
            tensorseam_compiler::parse(&file, &mut diags)
                .map(|tree| tensorseam_compiler::comments::extract(&file, &tree))
                .unwrap_or_default()
        };
        let text =
            tensorseam_compiler::comments::restore(&render(&checked, target), target, &comments);
        if to.is_some() && !check {
            status = status.max(write_output(output, &text));
            continue;
        }
        if text == file.text() {
            continue;
        }
        if check {
            status = status.max(1).max(out(&format!("would reformat {shown}\n")));
        } else if let Err(e) = tensorseam::atomic::write(path, text.as_bytes()) {
            say!("error: {e}");
            return 2;
        } else {
            say!("formatted {shown}");
        }
    }
    if status != 0 && reporter.errors > 0 {
        reporter.finish(paths.len());
    }
    status
}
