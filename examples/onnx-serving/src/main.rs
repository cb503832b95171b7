//! Penguins over HTTP: the serving half of the ONNX example. At start-up the model is held against
//! the schema (`tensorseam::onnx`, the check `tensorseam check-model` runs) and refused if it does
//! not fit; then `POST /predict` takes JSON records, reads them into the struct
//! `#[derive(ModelInput)]` checked against `schemas/penguins.yaml` at compile time, encodes them,
//! runs the model with tract (pure Rust) and answers with the class probabilities.
//!
//! ```text
//! cargo run -p tensorseam-example-onnx-serving -- target/onnx/model.onnx 127.0.0.1:8080
//! curl -s localhost:8080/predict -d '[{"island": "Biscoe", "bill_length_mm": 45.1, …}]'
//! {"probabilities":[[0.01,0.02,0.97]],"label":[2]}
//! ```
//!
//! An invalid record is a `422` listing every coded error (`row`, `field`, `code`, `message`); a
//! body that is not JSON records is a `400`. Each answer carries a `server-timing` header: the
//! time spent validating and encoding, and running the model.

mod serve;

use std::io::Write as _;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(model), addr) = (args.next(), args.next()) else {
        eprintln!(
            "usage: onnx-serving MODEL.onnx [ADDR (default 127.0.0.1:8080; port 0 picks one)]"
        );
        return std::process::ExitCode::from(2);
    };
    let app = match serve::App::load(std::path::Path::new(&model)) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let addr = addr.unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        // The first line says where: a test (or a supervisor) that asked for port 0 reads it.
        println!("listening on http://{bound}");
        let _ = std::io::stdout().flush();
        axum::serve(listener, serve::router(app))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    });
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
