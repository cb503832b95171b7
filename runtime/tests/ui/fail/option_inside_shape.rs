use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(schema = "tests/ui/schemas/all.seam")]
struct All {
    flag: bool,
    tiny: i8,
    small: i16,
    mid: i32,
    big: i64,
    ubyte: u8,
    ushort: u16,
    uint: u32,
    ulong: u64,
    single: f32,
    double: f64,
    name: String,
    title: String,
    r#type: String,
    history: Vec<[Option<f32>; 4]>,
    grid: [[u8; 3]; 2],
    tokens: Vec<String>,
}

fn main() {}
