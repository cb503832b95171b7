use tensorseam::ModelInput;

#[derive(ModelInput)]
#[tensorseam(schema = "../schemas/sessions.yaml")]
struct Session {
    event_type: Vec<String>,
    dwell_ms: Vec<u32>,
    position: Vec<[f32; 2]>,
    basket: Vec<i64>,
    user_id: u64,
    age_days: Option<i32>,
    returning: bool,
    country: String,
}

fn main() {}
