#![deny(warnings)]

use tensorseam::ModelInput;

/// Named dims on the fast path, built under `#![deny(warnings)]`.
#[derive(ModelInput)]
#[tensorseam(schema = "tests/ui/schemas/sequences.seam")]
struct Sequence {
    x: Vec<[f32; 2]>,
    kind: Vec<String>,
    ids: Vec<i64>,
    grid: [Vec<u8>; 2],
    tag: String,
}

fn main() {
    let rows = vec![
        Sequence { x: vec![[1.0, 2.0]; 7], kind: vec!["a".into(); 7], ids: vec![1, 2, 3], grid: [vec![1], vec![2]], tag: "p".into() },
        Sequence { x: vec![[0.0, 4.0]], kind: vec!["c".into()], ids: vec![], grid: [vec![1, 2, 3], vec![4, 5, 6]], tag: "zz".into() },
    ];
    assert!(Sequence::fast(&rows, false, None).is_ok(), "the fast path covers named dims");
    let batch = Sequence::encode_batch(&rows).expect("valid");
    let mask = batch.view::<bool, tensorseam::ndarray::Ix2>("steps_mask").expect("mask");
    assert_eq!(mask.row(0).to_vec(), vec![true; 5], "7 steps kept as the last 5");
    assert_eq!(mask.row(1).to_vec(), vec![true, false, false, false, false]);
    let items = batch.view::<bool, tensorseam::ndarray::Ix2>("items_mask").expect("items");
    assert_eq!(items.shape(), &[2, 3], "padded to the batch's longest");
}
