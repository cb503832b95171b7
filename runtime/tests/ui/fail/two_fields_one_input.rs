use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(schema = "../schemas/penguins.yaml")]
struct Penguin {
    bill_length_mm: Option<f32>,
    bill_depth_mm: Option<f32>,
    flipper_length_mm: Option<f32>,
    body_mass_g: Option<f64>,
    island: String,
    #[tensorseam(rename = "island")]
    home: String,
    sex: Option<String>,
    year: i64,
}

fn main() {}
