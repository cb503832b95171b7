use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(schema = "/etc/schema.yaml")]
struct Abs {
    x: f32,
}

fn main() {}
