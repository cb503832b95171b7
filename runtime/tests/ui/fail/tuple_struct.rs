use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(schema = "tests/ui/schemas/all.seam")]
struct Tuple(f32);

fn main() {}
