use tensorseam::ModelInput;

#[derive(ModelInput)]

struct NoSchema {
    x: f32,
}

fn main() {}
