#![no_main]
// Arbitrary bytes as an `.npz` and as a `.safetensors` batch file, read in full and headers only,
// as `verify` reads them. Any outcome is fine except a panic, a hang, or memory beyond what the
// bytes themselves declare and hold (the fuzzer runs with an RSS limit).

use tensorseam::files;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = files::read_npz(std::io::Cursor::new(data));
    let _ = files::read_safetensors(data);
});
