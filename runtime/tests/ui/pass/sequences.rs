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
    title: String,
    body: String,
    code: Box<str>,
    tags: Vec<[String; 3]>,
    picks: Vec<i64>,
}

fn main() {
    let rows = vec![
        Sequence { x: vec![[1.0, 2.0]; 7], kind: vec!["a".into(); 7], ids: vec![1, 2, 3], grid: [vec![1], vec![2]], tag: "p".into(), title: "hello world".into(), body: "héllo😀".into(), code: "ab".into(), tags: vec![["x".into(), "q".into(), "x".into()]; 7], picks: vec![3, 1, 3] },
        Sequence { x: vec![[0.0, 4.0]], kind: vec!["c".into()], ids: vec![], grid: [vec![1, 2, 3], vec![4, 5, 6]], tag: "zz".into(), title: String::new(), body: "x".into(), code: "abc".into(), tags: vec![["z".into(), "z".into(), "y".into()]], picks: vec![] },
    ];
    assert!(Sequence::fast(&rows, false, None).is_ok(), "the fast path covers named dims");
    let batch = Sequence::encode_batch(&rows).expect("valid");
    let mask = batch.view::<bool, tensorseam::ndarray::Ix2>("steps_mask").expect("mask");
    assert_eq!(mask.row(0).to_vec(), vec![true; 5], "7 steps kept as the last 5");
    assert_eq!(mask.row(1).to_vec(), vec![true, false, false, false, false]);
    let items = batch.view::<bool, tensorseam::ndarray::Ix2>("items_mask").expect("items");
    assert_eq!(items.shape(), &[2, 3], "padded to the batch's longest");
    let title = batch.view::<u8, tensorseam::ndarray::Ix2>("title").expect("title");
    assert_eq!(title.row(0).to_vec(), b"hello ".to_vec(), "truncate right keeps the first 6 bytes");
    let body = batch.view::<i32, tensorseam::ndarray::Ix2>("body").expect("body");
    assert_eq!(body.row(0).to_vec(), vec!['l' as i32, 'l' as i32, 'o' as i32, 0x1F600], "truncate left keeps the last 4 chars");
    let code_mask = batch.view::<bool, tensorseam::ndarray::Ix2>("code_mask").expect("code mask");
    assert_eq!(code_mask.row(0).to_vec(), vec![true, true, false]);
    let picks = batch.view::<f32, tensorseam::ndarray::Ix2>("picks").expect("picks");
    assert_eq!(picks.row(0).to_vec(), vec![1.0, 0.0, 1.0]);
}
