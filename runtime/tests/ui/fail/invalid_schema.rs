use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(schema = "tests/ui/schemas/broken.yaml")]
struct Broken {
    x: f32,
}

fn main() {}
