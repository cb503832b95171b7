//! The server: the model checked and loaded once, one handler.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tensorseam::{ModelInput, Tensor as Encoded, ValidationErrors};
use tensorseam_example_serving::Penguin;
use tract_onnx::prelude::*;

/// The model, ready to run, and how its inputs are fed.
pub struct App {
    plan: Arc<TypedRunnableModel>,
    /// The schema tensor each model input takes, in the model's order.
    inputs: Vec<String>,
    /// The model's outputs' names.
    outputs: Vec<String>,
}

impl App {
    /// Reads the model, refuses it unless it fits the schema, and prepares it for any batch size.
    ///
    /// # Errors
    /// A model that cannot be read, does not fit (every finding listed), or that tract cannot run.
    pub fn load(path: &Path) -> Result<App, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let model = tensorseam::onnx::Model::read(&bytes)
            .map_err(|e| format!("`{}`: {e}", path.display()))?;
        let findings = tensorseam::onnx::check_model_input::<Penguin>(&model, &[]);
        for f in findings.iter().filter(|f| !f.is_error()) {
            eprintln!("warning: {f}");
        }
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.is_error())
            .map(|f| format!("  {f}"))
            .collect();
        if !errors.is_empty() {
            return Err(format!(
                "refusing to serve `{}`: it does not fit schema `{}` v{} (tensorseam check-model says why):\n{}",
                path.display(),
                Penguin::SCHEMA_NAME,
                Penguin::SCHEMA_VERSION,
                errors.join("\n")
            ));
        }
        let mut graph = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .map_err(|e| format!("tract cannot read `{}`: {e}", path.display()))?;
        // Every axis the model leaves open is the batch: the check above allowed nothing else
        // (the penguins schema has no dim without `max`).
        let batch = graph.sym("N");
        for (i, input) in model.inputs.iter().enumerate() {
            let dims: TVec<TDim> = input
                .shape
                .iter()
                .flatten()
                .map(|a| match a {
                    tensorseam::onnx::Axis::Fixed(n) => TDim::from(*n),
                    _ => TDim::from(batch.clone()),
                })
                .collect();
            let dt = match input.elem_type {
                1 => f32::datum_type(),
                11 => f64::datum_type(),
                7 => i64::datum_type(),
                6 => i32::datum_type(),
                9 => bool::datum_type(),
                t => {
                    return Err(format!(
                        "model input `{}`: element type {t} is not served here",
                        input.name
                    ))
                }
            };
            graph = graph
                .with_input_fact(i, InferenceFact::dt_shape(dt, dims))
                .map_err(|e| e.to_string())?;
        }
        let typed = graph
            .into_optimized()
            .map_err(|e| format!("tract cannot optimize the model: {e}"))?;
        let outputs = typed
            .output_outlets()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|o| {
                typed
                    .outlet_label(*o)
                    .unwrap_or(&typed.node(o.node).name)
                    .to_string()
            })
            .collect();
        let plan = typed.into_runnable().map_err(|e| e.to_string())?;
        Ok(App {
            plan,
            inputs: model.inputs.iter().map(|i| i.name.clone()).collect(),
            outputs,
        })
    }

    /// The model's outputs for an encoded batch, by name.
    fn run(&self, batch: &tensorseam::Batch) -> Result<Vec<(String, Value)>, String> {
        let mut feed: TVec<TValue> = tvec!();
        for name in &self.inputs {
            let t = batch
                .get(name)
                .ok_or_else(|| format!("the batch has no tensor `{name}`"))?;
            feed.push(to_tract(t)?.into_tvalue());
        }
        let out = self
            .plan
            .run(feed)
            .map_err(|e| format!("the model failed: {e}"))?;
        self.outputs
            .iter()
            .zip(out.iter())
            .map(|(name, v)| Ok((name.clone(), to_json(v)?)))
            .collect()
    }
}

/// A tensor of the runtime as tract's (the bytes copied once; the ndarray versions differ).
fn to_tract(t: &Encoded) -> Result<Tensor, String> {
    macro_rules! copy {
        ($a:expr) => {{
            let a = $a.as_standard_layout();
            Tensor::from_shape(t.shape(), a.as_slice().unwrap_or(&[])).map_err(|e| e.to_string())
        }};
    }
    match t {
        Encoded::F32(a) => copy!(a),
        Encoded::F64(a) => copy!(a),
        Encoded::I64(a) => copy!(a),
        Encoded::I32(a) => copy!(a),
        Encoded::Bool(a) => copy!(a),
        other => Err(format!(
            "tensor of {} is not served here",
            other.dtype().name()
        )),
    }
}

/// A model output as JSON: rows of numbers.
fn to_json(v: &TValue) -> Result<Value, String> {
    let rows = |flat: Vec<Value>, shape: &[usize]| -> Value {
        match shape {
            [_, width, ..] if *width > 0 => Value::Array(
                flat.chunks(*width)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            ),
            _ => Value::Array(flat),
        }
    };
    let shape = v.shape().to_vec();
    if let Ok(a) = v.to_plain_array_view::<f32>() {
        return Ok(rows(a.iter().map(|x| json!(x)).collect(), &shape));
    }
    if let Ok(a) = v.to_plain_array_view::<i64>() {
        return Ok(rows(a.iter().map(|x| json!(x)).collect(), &shape));
    }
    Err(format!("an output of type {:?}", v.datum_type()))
}

/// The routes.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/predict", post(predict))
        .with_state(Arc::new(app))
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

fn invalid(errors: &ValidationErrors) -> Response {
    let list: Vec<Value> = errors
        .errors()
        .iter()
        .map(|e| json!({"row": e.row, "field": e.path, "code": e.code.as_str(), "message": e.message}))
        .collect();
    reply(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"errors": list, "omitted": errors.omitted()}),
    )
}

/// `POST /predict`: a JSON array of records (or one record).
async fn predict(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let start = Instant::now();
    let records = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) if items.iter().all(Value::is_object) => items,
        Ok(one @ Value::Object(_)) => vec![one],
        Ok(_) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "the body must be a JSON record or an array of records"}),
            )
        }
        Err(e) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": format!("the body is not JSON: {e}")}),
            )
        }
    };
    // Records serde can read become the struct; one it cannot (a string for a number, a missing
    // field) is reported with the schema's codes by the same engine, from the JSON itself.
    let rows: Result<Vec<Penguin>, _> = records
        .iter()
        .map(|r| serde_json::from_value::<Penguin>(r.clone()))
        .collect();
    let parsed_at = Instant::now();
    let encoded = match rows {
        Ok(rows) => Penguin::encode_batch(&rows),
        Err(serde) => match Penguin::encode_json(&records) {
            Err(errors) => return invalid(&errors),
            Ok(_) => {
                return reply(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"errors": [{"row": null, "field": "", "code": "wrong_type", "message": serde.to_string()}]}),
                )
            }
        },
    };
    let batch = match encoded {
        Ok(b) => b,
        Err(errors) => return invalid(&errors),
    };
    let encoded_at = Instant::now();
    let outputs = match app.run(&batch) {
        Ok(o) => o,
        Err(e) => return reply(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": e})),
    };
    let done = Instant::now();
    let body: serde_json::Map<String, Value> = outputs.into_iter().collect();
    let mut response = reply(StatusCode::OK, Value::Object(body));
    // Milliseconds: reading the JSON into structs, validating and encoding, running the model.
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
    let timing = format!(
        "parse;dur={:.4}, encode;dur={:.4}, model;dur={:.4}",
        ms(start, parsed_at),
        ms(parsed_at, encoded_at),
        ms(encoded_at, done)
    );
    if let Ok(v) = HeaderValue::from_str(&timing) {
        response.headers_mut().insert("server-timing", v);
    }
    response
}
