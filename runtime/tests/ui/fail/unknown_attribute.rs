use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(shema = "tests/ui/schemas/all.seam")]
struct Typo {
    x: f32,
}

fn main() {}
