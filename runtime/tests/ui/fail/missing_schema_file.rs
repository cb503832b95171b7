use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(schema = "tests/ui/schemas/nope.yaml")]
struct Nope {
    x: f32,
}

fn main() {}
