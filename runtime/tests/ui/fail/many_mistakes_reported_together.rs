use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(schema = "../schemas/penguins.yaml")]
struct Penguin {
    bill_length_mm: f64,
    bill_depth_mm: f32,
    flipper_length_mm: u16,
    island: String,
    sex: Option<String>,
    year: i64,
    colour: String,
}

fn main() {}
