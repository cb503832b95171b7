//! Schema review (SPEC §8): the changes between two checked schemas, each classified by what it
//! does to a deployed model. Schemas are compared at the IR level — inputs, dims and tensors by
//! name — so reformatting and YAML ↔ DSL conversion are no change at all.
//!
//! - `breaking`: some record valid before now gives other tensors, or is rejected;
//! - `retrain`: every record valid before gives the same tensors, but records rejected before are
//!   accepted now and reach the model as values it never trained on;
//! - `safe`: nothing changes for any record.

pub mod render;

use crate::check::Checked;
use crate::emit::seam;
use crate::ir::{
    shape_text, Categories, Charset, Encoding, Input, Missing, Role, Scalar, Schema, Step,
    TensorSpec, Transform, Truncate, Unknown,
};
use std::fmt::Write as _;

/// How a change affects a deployed model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Nothing changes for any record.
    Safe,
    /// Records rejected before now reach the model.
    Retrain,
    /// Tensors change, or records valid before are rejected.
    Breaking,
}

impl Class {
    /// The name as reported.
    pub fn name(self) -> &'static str {
        match self {
            Class::Safe => "safe",
            Class::Retrain => "retrain",
            Class::Breaking => "breaking",
        }
    }
}

/// One change.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Its class.
    pub class: Class,
    /// Where: `inputs.island`, `inputs.island.encode`, `dims.events`, `tensors.features`, `schema`.
    pub path: String,
    /// What it says.
    pub message: String,
    /// The old value, as schema text.
    pub old: Option<String>,
    /// The new value, as schema text.
    pub new: Option<String>,
}

impl Change {
    fn new(class: Class, path: impl Into<String>, message: impl Into<String>) -> Change {
        Change {
            class,
            path: path.into(),
            message: message.into(),
            old: None,
            new: None,
        }
    }

    fn values(mut self, old: impl Into<String>, new: impl Into<String>) -> Change {
        self.old = Some(old.into());
        self.new = Some(new.into());
        self
    }

    fn old(mut self, old: impl Into<String>) -> Change {
        self.old = Some(old.into());
        self
    }

    fn new_value(mut self, new: impl Into<String>) -> Change {
        self.new = Some(new.into());
        self
    }

    /// The input, dim or tensor the change touches (`island`), or `schema`.
    pub fn subject(&self) -> &str {
        self.path.split('.').nth(1).unwrap_or(&self.path)
    }
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Side {
    /// Schema name.
    pub name: String,
    /// Schema version.
    pub version: u64,
    /// Fingerprint.
    pub fingerprint: String,
}

impl Side {
    fn of(c: &Checked) -> Side {
        Side {
            name: c.schema().name.clone(),
            version: c.schema().version,
            fingerprint: c.fingerprint().to_string(),
        }
    }
}

/// The outcome of a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Identical IRs.
    NoChanges,
    /// Only safe changes.
    Safe,
    /// Retrain at most.
    Retrain,
    /// Breaking, with a version bump in the same change.
    BreakingApproved,
    /// Breaking without a version bump.
    Breaking,
    /// The version went down.
    VersionLowered,
}

impl Verdict {
    /// The name as reported (`json` layout).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::NoChanges => "no_changes",
            Verdict::Safe => "safe",
            Verdict::Retrain => "retrain",
            Verdict::BreakingApproved => "breaking_approved",
            Verdict::Breaking => "breaking",
            Verdict::VersionLowered => "version_lowered",
        }
    }
}

/// Every change between two schemas.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// The old schema.
    pub old: Side,
    /// The new schema.
    pub new: Side,
    /// The changes, in schema order.
    pub changes: Vec<Change>,
    /// Tensors whose named columns move (a consequence of the changes, not one of them):
    /// `("features", "island=Torgersen 6 → 7, sex=female (new at 8)")`.
    pub moves: Vec<(String, String)>,
}

impl Review {
    /// The worst class among the changes.
    pub fn worst(&self) -> Option<Class> {
        self.changes.iter().map(|c| c.class).max()
    }

    /// The verdict: breaking changes are approved by a version increase.
    pub fn verdict(&self) -> Verdict {
        if self.new.version < self.old.version {
            return Verdict::VersionLowered;
        }
        match self.worst() {
            None => Verdict::NoChanges,
            Some(Class::Safe) => Verdict::Safe,
            Some(Class::Retrain) => Verdict::Retrain,
            Some(Class::Breaking) if self.new.version > self.old.version => {
                Verdict::BreakingApproved
            }
            Some(Class::Breaking) => Verdict::Breaking,
        }
    }

    /// Whether `diff` exits 1.
    pub fn fails(&self, allow_breaking: bool) -> bool {
        match self.verdict() {
            Verdict::VersionLowered => true,
            Verdict::Breaking => !allow_breaking,
            _ => false,
        }
    }

    /// How many changes of a class.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }
}

/// Compares two checked schemas.
pub fn compare(old: &Checked, new: &Checked) -> Review {
    let mut changes = Vec::new();
    schema_changes(old.schema(), new.schema(), &mut changes);
    let (a, b) = (old.schema(), new.schema());
    let moves = a
        .specs
        .iter()
        .filter_map(|t| {
            let u = b.specs.iter().find(|u| u.name == t.name)?;
            Some((t.name.clone(), moved_columns(a, t, b, u)?))
        })
        .collect();
    Review {
        old: Side::of(old),
        new: Side::of(new),
        changes,
        moves,
    }
}

fn schema_changes(a: &Schema, b: &Schema, out: &mut Vec<Change>) {
    if a.name != b.name {
        out.push(
            Change::new(
                Class::Breaking,
                "schema.name",
                "schema renamed: batch files and generated code carry the name",
            )
            .values(&a.name, &b.name),
        );
    }
    if a.version != b.version {
        out.push(
            Change::new(Class::Safe, "schema.version", "version changed")
                .values(a.version.to_string(), b.version.to_string()),
        );
    }
    if a.doc != b.doc {
        out.push(Change::new(Class::Safe, "schema.doc", "doc changed"));
    }
    dims(a, b, out);
    inputs(a, b, out);
    tensors(a, b, out);
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "none".to_string(), |v| v.to_string())
}

fn dims(a: &Schema, b: &Schema, out: &mut Vec<Change>) {
    for d in &a.dims {
        let path = format!("dims.{}", d.name);
        let Some(e) = b.dim(&d.name) else {
            out.push(Change::new(
                Class::Safe,
                path,
                "dim removed (its inputs' and tensors' changes are listed with them)",
            ));
            continue;
        };
        if d.max != e.max {
            out.push(
                Change::new(
                    Class::Breaking,
                    &path,
                    "dim `max` changed: tensors along it change length",
                )
                .values(opt(d.max), opt(e.max)),
            );
        }
        if d.min != e.min {
            let stricter = e.min.unwrap_or(0) > d.min.unwrap_or(0);
            let (class, what) = if stricter {
                (
                    Class::Breaking,
                    "dim `min` raised: shorter lists are rejected",
                )
            } else {
                (
                    Class::Retrain,
                    "dim `min` lowered: shorter lists are accepted",
                )
            };
            out.push(Change::new(class, &path, what).values(opt(d.min), opt(e.min)));
        }
        if d.truncate != e.truncate {
            out.push(truncate_change(&path, d.truncate, e.truncate));
        }
        if d.doc != e.doc {
            out.push(Change::new(Class::Safe, &path, "doc changed"));
        }
    }
    for e in &b.dims {
        if a.dim(&e.name).is_none() {
            out.push(Change::new(
                Class::Safe,
                format!("dims.{}", e.name),
                "dim added (its inputs' and tensors' changes are listed with them)",
            ));
        }
    }
}

fn truncate_change(path: &str, old: Truncate, new: Truncate) -> Change {
    let (class, what) = match (old, new) {
        (Truncate::Error, _) => (
            Class::Retrain,
            "`truncate` added: longer values, rejected before, are cut",
        ),
        (_, Truncate::Error) => (
            Class::Breaking,
            "`truncate` removed: longer values are rejected",
        ),
        _ => (
            Class::Breaking,
            "`truncate` side changed: longer values keep other elements",
        ),
    };
    Change::new(class, path, what).values(old.name(), new.name())
}

/// An input's definition without its name and docs (to recognize a rename).
fn same_definition(a: &Input, b: &Input) -> bool {
    a.dtype == b.dtype
        && a.shape == b.shape
        && a.role == b.role
        && a.range == b.range
        && a.missing == b.missing
        && a.charset == b.charset
        && a.transform == b.transform
}

fn inputs(a: &Schema, b: &Schema, out: &mut Vec<Change>) {
    let mut added: Vec<&Input> = b
        .inputs
        .iter()
        .filter(|i| a.input(&i.name).is_none())
        .collect();
    for i in &a.inputs {
        let path = format!("inputs.{}", i.name);
        if let Some(j) = b.input(&i.name) {
            input(i, j, &path, out);
            continue;
        }
        if let Some(k) = added.iter().position(|j| same_definition(i, j)) {
            let j = added.remove(k);
            out.push(
                Change::new(
                    Class::Breaking,
                    path,
                    format!(
                        "input renamed `{}` → `{}`: producers send the old name",
                        i.name, j.name
                    ),
                )
                .values(&i.name, &j.name),
            );
            continue;
        }
        out.push(
            Change::new(
                Class::Breaking,
                path,
                format!("{} removed", role_noun(i.role)),
            )
            .old(describe_input(i)),
        );
    }
    for j in added {
        out.push(
            Change::new(
                Class::Breaking,
                format!("inputs.{}", j.name),
                format!("{} added: producers lack it", role_noun(j.role)),
            )
            .new_value(describe_input(j)),
        );
    }
    // Declaration order matters only through tensors, which are named: reordering is safe.
    let order = |s: &Schema, other: &Schema| -> Vec<String> {
        s.inputs
            .iter()
            .filter(|i| other.input(&i.name).is_some())
            .map(|i| i.name.clone())
            .collect()
    };
    let (oa, ob) = (order(a, b), order(b, a));
    if oa != ob {
        out.push(
            Change::new(
                Class::Safe,
                "inputs",
                "input order changed (tensors are named; concat order is the concat's own)",
            )
            .values(oa.join(", "), ob.join(", ")),
        );
    }
}

fn role_noun(r: Role) -> &'static str {
    match r {
        Role::Feature => "input",
        Role::Label => "label",
        Role::Weight => "weight",
    }
}

fn transform_text(t: &Transform) -> String {
    match t {
        Transform::None => "none".to_string(),
        Transform::Encode(e) => format!("encode {}", seam::encoding(e)),
        Transform::Scale { steps, out } => {
            let s: Vec<String> = steps.iter().map(seam::step).collect();
            format!("scale {} out {out}", s.join(" |> "))
        }
    }
}

fn describe_input(i: &Input) -> String {
    let mut s = format!("{}{}", i.dtype, shape_text(&i.shape));
    if i.shape.is_empty() {
        s.truncate(s.len() - 2);
    }
    if i.role != Role::Feature {
        let _ = write!(s, " ({})", i.role.name());
    }
    if !matches!(i.transform, Transform::None) {
        let _ = write!(s, " {}", transform_text(&i.transform));
    }
    s
}

fn bound(s: &Option<Scalar>) -> Option<f64> {
    s.as_ref().and_then(|x| match x {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        _ => None,
    })
}

fn range_text(r: &Option<crate::ir::Range>) -> String {
    match r {
        None => "none".to_string(),
        Some(r) => format!(
            "{} ..= {}",
            r.lo.as_ref().map_or(String::new(), seam::scalar),
            r.hi.as_ref().map_or(String::new(), seam::scalar)
        ),
    }
}

fn input(i: &Input, j: &Input, path: &str, out: &mut Vec<Change>) {
    if i.column() != j.column() {
        out.push(
            Change::new(
                Class::Breaking,
                path,
                "column changed: producers send the old field or column",
            )
            .values(format!("{:?}", i.column()), format!("{:?}", j.column())),
        );
    }
    if i.role != j.role {
        out.push(
            Change::new(Class::Breaking, path, "role changed").values(i.role.name(), j.role.name()),
        );
    }
    if i.dtype != j.dtype {
        out.push(
            Change::new(
                Class::Breaking,
                path,
                "dtype changed: producers send the old type",
            )
            .values(i.dtype.name(), j.dtype.name()),
        );
    }
    if i.shape != j.shape {
        out.push(
            Change::new(Class::Breaking, path, "shape changed")
                .values(shape_text(&i.shape), shape_text(&j.shape)),
        );
    }
    if i.range != j.range {
        let lo = (
            i.range.as_ref().and_then(|r| bound(&r.lo)),
            j.range.as_ref().and_then(|r| bound(&r.lo)),
        );
        let hi = (
            i.range.as_ref().and_then(|r| bound(&r.hi)),
            j.range.as_ref().and_then(|r| bound(&r.hi)),
        );
        let lo_narrowed = match lo {
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b > a,
            _ => false,
        };
        let hi_narrowed = match hi {
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b < a,
            _ => false,
        };
        let (class, what) = if lo_narrowed || hi_narrowed {
            (
                Class::Breaking,
                "range narrowed: values valid before are rejected",
            )
        } else {
            (
                Class::Retrain,
                "range widened: values rejected before reach the model",
            )
        };
        out.push(Change::new(class, path, what).values(range_text(&i.range), range_text(&j.range)));
    }
    if i.missing != j.missing {
        let text = |m: &Missing| match m {
            Missing::Error => "error".to_string(),
            Missing::Fill(v) => format!("fill({})", seam::scalar(v)),
        };
        let (class, what) = match (&i.missing, &j.missing) {
            (Missing::Error, _) => (
                Class::Retrain,
                "missing values, rejected before, are filled",
            ),
            (_, Missing::Error) => (Class::Breaking, "missing values are rejected"),
            _ => (
                Class::Breaking,
                "fill value changed: missing values reach the model differently",
            ),
        };
        out.push(Change::new(class, path, what).values(text(&i.missing), text(&j.missing)));
    }
    if i.charset != j.charset {
        let (class, what) = if j.charset == Charset::Utf8 {
            (
                Class::Retrain,
                "`charset: ascii` dropped: non-ASCII text is accepted",
            )
        } else {
            (
                Class::Breaking,
                "`charset: ascii` added: non-ASCII text is rejected",
            )
        };
        let name = |c: Charset| if c == Charset::Ascii { "ascii" } else { "utf8" };
        out.push(Change::new(class, path, what).values(name(i.charset), name(j.charset)));
    }
    transform(i, j, path, out);
    if i.doc != j.doc {
        out.push(Change::new(Class::Safe, path, "doc changed"));
    }
    if i.deprecated != j.deprecated {
        out.push(
            Change::new(Class::Safe, path, "deprecation changed")
                .values(opt(i.deprecated.as_ref()), opt(j.deprecated.as_ref())),
        );
    }
}

fn transform(i: &Input, j: &Input, path: &str, out: &mut Vec<Change>) {
    if i.transform == j.transform {
        return;
    }
    let (old, new) = (transform_text(&i.transform), transform_text(&j.transform));
    match (&i.transform, &j.transform) {
        (Transform::Scale { steps: a, out: oa }, Transform::Scale { steps: b, out: ob }) => {
            if a != b {
                let same_steps =
                    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name() == y.name());
                let what = if same_steps {
                    "scaling parameters changed"
                } else {
                    "scaling steps changed"
                };
                let text = |s: &[Step]| s.iter().map(seam::step).collect::<Vec<_>>().join(" |> ");
                out.push(Change::new(Class::Breaking, path, what).values(text(a), text(b)));
            }
            if oa != ob {
                out.push(
                    Change::new(Class::Breaking, path, "output dtype changed")
                        .values(oa.name(), ob.name()),
                );
            }
        }
        (Transform::Encode(a), Transform::Encode(b)) if a.name() == b.name() => {
            encoding(i.role, a, b, path, out);
        }
        _ => out.push(Change::new(Class::Breaking, path, "encoding changed").values(old, new)),
    }
}

fn unknown_text(u: Unknown) -> String {
    match u {
        Unknown::Error => "error".to_string(),
        Unknown::Ignore => "ignore".to_string(),
        Unknown::Oov(n) => format!("oov({n})"),
    }
}

fn encoding(role: Role, a: &Encoding, b: &Encoding, path: &str, out: &mut Vec<Change>) {
    let path = format!("{path}.encode");
    if a.dtype() != b.dtype() {
        out.push(
            Change::new(Class::Breaking, &path, "output dtype changed")
                .values(a.dtype().name(), b.dtype().name()),
        );
    }
    if let (Some((ca, ua)), Some((cb, ub))) = (a.categories(), b.categories()) {
        if ca != cb {
            out.push(categories(role, a, ca, ua, cb, &path));
        }
        if ua != ub {
            let (class, what) = match (ua, ub) {
                (Unknown::Error, _) => (
                    Class::Retrain,
                    "unknown categories, rejected before, reach the model",
                ),
                (_, Unknown::Error) => (Class::Breaking, "unknown categories are rejected"),
                _ => (
                    Class::Breaking,
                    "unknown categories land in other positions",
                ),
            };
            out.push(Change::new(class, &path, what).values(unknown_text(ua), unknown_text(ub)));
        }
        return;
    }
    let (old, new) = (seam::encoding(a), seam::encoding(b));
    match (a, b) {
        (Encoding::Hash { buckets: x, .. }, Encoding::Hash { buckets: y, .. }) if x != y => {
            out.push(Change::new(Class::Breaking, &path, "hash buckets changed").values(old, new));
        }
        (Encoding::Bucketize { boundaries: x, .. }, Encoding::Bucketize { boundaries: y, .. })
            if x != y =>
        {
            out.push(
                Change::new(Class::Breaking, &path, "bucket boundaries changed").values(old, new),
            );
        }
        (
            Encoding::Bytes {
                max_len: x,
                truncate: tx,
                ..
            }
            | Encoding::Chars {
                max_len: x,
                truncate: tx,
                ..
            },
            Encoding::Bytes {
                max_len: y,
                truncate: ty,
                ..
            }
            | Encoding::Chars {
                max_len: y,
                truncate: ty,
                ..
            },
        ) => {
            if x != y {
                out.push(
                    Change::new(
                        Class::Breaking,
                        &path,
                        "`max_len` changed: the tensor's length changes",
                    )
                    .values(x.to_string(), y.to_string()),
                );
            }
            if tx != ty {
                out.push(truncate_change(&path, *tx, *ty));
            }
        }
        _ => {}
    }
}

/// A change of categories, with the positions that move.
fn categories(
    role: Role,
    enc: &Encoding,
    a: &Categories,
    old_unknown: Unknown,
    b: &Categories,
    path: &str,
) -> Change {
    let (Categories::List(x), Categories::List(y)) = (a, b) else {
        return Change::new(
            Class::Breaking,
            path,
            "categories changed (a `fit` placeholder): positions are not known to stay",
        )
        .values(seam::categories(a), seam::categories(b));
    };
    let values = |c: &Categories| format!("[{}]", seam::categories(c));
    let appended = y.len() > x.len() && y[..x.len()] == x[..];
    if appended {
        let added: Vec<String> = y[x.len()..].iter().map(seam::scalar).collect();
        let what = format!("categories appended: {}", added.join(", "));
        let class = match enc {
            _ if role != Role::Feature => Class::Breaking,
            Encoding::Index { .. } if old_unknown == Unknown::Error => Class::Retrain,
            _ => Class::Breaking,
        };
        let why = match (class, enc) {
            (Class::Retrain, _) => " (values rejected before reach the model)",
            (_, Encoding::Index { .. }) if role != Role::Feature => " (a label's categories)",
            (_, Encoding::Index { .. }) => " (out-of-vocabulary positions move)",
            _ => " (the tensor widens)",
        };
        return Change::new(class, path, format!("{what}{why}")).values(values(a), values(b));
    }
    // Every position that moves, and every category that goes or comes.
    let mut moves = Vec::new();
    for (p, c) in x.iter().enumerate() {
        match y.iter().position(|d| d == c) {
            Some(q) if q != p => moves.push(format!("{}: {p} → {q}", seam::scalar(c))),
            None => moves.push(format!("{}: {p} → removed", seam::scalar(c))),
            _ => {}
        }
    }
    for (q, d) in y.iter().enumerate() {
        if !x.contains(d) {
            moves.push(format!("{}: new at {q}", seam::scalar(d)));
        }
    }
    Change::new(
        Class::Breaking,
        path,
        format!("categories changed: {}", moves.join(", ")),
    )
    .values(values(a), values(b))
}

/// Which named columns of a tensor moved, left or came: "island=Torgersen 6 → 7, sex=female
/// (new at 8)"; `None` when every column kept its place (or they have no names).
fn moved_columns(a: &Schema, t: &TensorSpec, b: &Schema, u: &TensorSpec) -> Option<String> {
    let (old, new) = (
        crate::ir::features::names(a, t)?,
        crate::ir::features::names(b, u)?,
    );
    if old == new {
        return None;
    }
    let at = |list: &[String], n: &str| list.iter().position(|x| x == n);
    let mut moves = Vec::new();
    for (j, n) in new.iter().enumerate() {
        match at(&old, n) {
            Some(i) if i != j => moves.push(format!("{n} {i} → {j}")),
            None => moves.push(format!("{n} (new at {j})")),
            _ => {}
        }
    }
    moves.extend(
        old.iter()
            .enumerate()
            .filter(|(_, n)| at(&new, n).is_none())
            .map(|(i, n)| format!("{n} (was {i}, gone)")),
    );
    const SHOWN: usize = 10;
    let more = moves.len().saturating_sub(SHOWN);
    moves.truncate(SHOWN);
    Some(format!(
        "{}{}",
        moves.join(", "),
        if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        }
    ))
}

fn tensors(a: &Schema, b: &Schema, out: &mut Vec<Change>) {
    for t in &a.tensors {
        let path = format!("tensors.{}", t.name);
        match b.tensors.iter().find(|u| u.name == t.name) {
            None => out.push(
                Change::new(Class::Breaking, path, "concat removed")
                    .old(format!("concat({})", t.concat.join(", "))),
            ),
            Some(u) => {
                if t.concat != u.concat {
                    let same_parts = {
                        let (mut p, mut q) = (t.concat.clone(), u.concat.clone());
                        p.sort();
                        q.sort();
                        p == q
                    };
                    let what = if same_parts {
                        "concat order changed: features move along the last axis"
                    } else {
                        "concat parts changed"
                    };
                    out.push(Change::new(Class::Breaking, &path, what).values(
                        format!("concat({})", t.concat.join(", ")),
                        format!("concat({})", u.concat.join(", ")),
                    ));
                }
                if t.doc != u.doc {
                    out.push(Change::new(Class::Safe, &path, "doc changed"));
                }
            }
        }
    }
    for u in &b.tensors {
        if !a.tensors.iter().any(|t| t.name == u.name) {
            out.push(
                Change::new(
                    Class::Breaking,
                    format!("tensors.{}", u.name),
                    "concat added",
                )
                .new_value(format!("concat({})", u.concat.join(", "))),
            );
        }
    }
    // What the model receives: every resolved tensor, by name.
    let spec = |t: &TensorSpec| {
        format!(
            "{} {} {}",
            t.dtype,
            crate::explain::shape(&t.axes),
            t.kind.name()
        )
    };
    for t in &a.specs {
        let path = format!("tensors.{}", t.name);
        match b.specs.iter().find(|u| u.name == t.name) {
            None => out.push(Change::new(Class::Breaking, path, "tensor removed").old(spec(t))),
            Some(u) => {
                if spec(t) != spec(u) {
                    out.push(
                        Change::new(Class::Breaking, &path, "tensor changed")
                            .values(spec(t), spec(u)),
                    );
                }
            }
        }
    }
    for u in &b.specs {
        if !a.specs.iter().any(|t| t.name == u.name) {
            out.push(
                Change::new(
                    Class::Breaking,
                    format!("tensors.{}", u.name),
                    "tensor added",
                )
                .new_value(spec(u)),
            );
        }
    }
    let names = |s: &Schema, other: &Schema| -> Vec<String> {
        s.specs
            .iter()
            .filter(|t| other.specs.iter().any(|u| u.name == t.name))
            .map(|t| t.name.clone())
            .collect()
    };
    let (na, nb) = (names(a, b), names(b, a));
    if na != nb {
        out.push(
            Change::new(
                Class::Safe,
                "tensors",
                "tensor order changed (tensors are named)",
            )
            .values(na.join(", "), nb.join(", ")),
        );
    }
}
