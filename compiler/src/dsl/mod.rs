//! The DSL front-end (`*.seam`): a pest grammar, and a builder that lowers its parse tree to the
//! syntax-neutral [`crate::tree`] document — the same shape the YAML form of a schema has, so the
//! checker sees no difference between the two.

use crate::codes::Code;
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::tree::{Key, Node, Value};
use pest::iterators::Pair;
use pest::Parser as _;
use std::collections::HashMap;

#[allow(missing_docs)]
mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "dsl/seam.pest"]
    pub struct SeamParser;
}
use grammar::{Rule, SeamParser};

/// Parses DSL text into a document tree; `None` (with a diagnostic) on a syntax error.
pub fn parse(text: &str, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    if text.trim().is_empty() {
        diags.push(Diagnostic::new(
            Code::EmptyFile,
            Span::point(0),
            "the file holds no schema",
        ));
        return None;
    }
    let mut pairs = match SeamParser::parse(Rule::file, text) {
        Ok(p) => p,
        Err(e) => {
            diags.push(syntax_error(text, &e));
            return None;
        }
    };
    let file = pairs.next()?;
    let schema = file.into_inner().next()?;
    let mut b = Builder { diags };
    Some(b.schema(schema))
}

fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn describe(rule: &Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::ident | Rule::dtype => "a name",
        Rule::version => "a version like `v1`",
        Rule::number | Rule::range_lo | Rule::range_hi => "a number",
        Rule::string | Rule::doc_block => "a string",
        Rule::boolean => "`true` or `false`",
        Rule::kw_schema => "`schema`",
        Rule::doc | Rule::kw_doc => "`doc`",
        Rule::dim | Rule::kw_dim => "`dim`",
        Rule::input | Rule::role => "`input`, `label` or `weight`",
        Rule::tensor | Rule::kw_tensor => "`tensor`",
        Rule::deprecated | Rule::kw_deprecated => "`deprecated`",
        Rule::range | Rule::kw_range => "`range`",
        Rule::missing | Rule::kw_missing => "`missing`",
        Rule::charset | Rule::kw_charset => "`charset`",
        Rule::encode | Rule::kw_encode => "`encode`",
        Rule::scale | Rule::kw_scale => "`scale`",
        Rule::out | Rule::kw_out => "`out`",
        Rule::dim_max | Rule::kw_max => "`max`",
        Rule::dim_min | Rule::kw_min => "`min`",
        Rule::dim_truncate | Rule::kw_truncate => "`truncate`",
        Rule::shape => "a shape `[...]`",
        Rule::column | Rule::kw_from => "`from \"column\"`",
        Rule::block => "`{`",
        Rule::call | Rule::inner_call => "a call like `name(...)`",
        Rule::named | Rule::named_list | Rule::inner_named | Rule::inner_named_list => {
            "`key: value`"
        }
        Rule::positional | Rule::inner_positional => "a value",
        Rule::list => "a list like `[1, 2]`",
        _ => "a value",
    }
}

fn syntax_error(text: &str, e: &pest::error::Error<Rule>) -> Diagnostic {
    let at = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let rest = &text[at.min(text.len())..];
    let found: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(24)
        .collect();
    let found = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    let mut expected: Vec<&str> = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().map(describe).collect()
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.dedup();
    let mut seen = Vec::new();
    expected.retain(|x| {
        let new = !seen.contains(x);
        seen.push(*x);
        new
    });
    let width = if found == "end of file" {
        0
    } else {
        rest.chars()
            .take_while(|c| !c.is_whitespace())
            .take(24)
            .map(char::len_utf8)
            .sum()
    };
    let mut d = Diagnostic::new(
        Code::SeamSyntax,
        Span::new(at, at + width),
        format!("unexpected {found}"),
    );
    d = match expected.as_slice() {
        [] => d.label("not expected here"),
        [one] => d.label(format!("expected {one}")),
        many => d.label(format!(
            "expected {} or {}",
            many[..many.len() - 1].join(", "),
            many[many.len() - 1]
        )),
    };
    d
}

struct Builder<'d> {
    diags: &'d mut Vec<Diagnostic>,
}

/// Collects the entries of a mapping, diagnosing duplicates the way the YAML reader does.
#[derive(Default)]
struct MapBuilder(Vec<(Key, Node)>, HashMap<String, usize>);

impl MapBuilder {
    fn insert(&mut self, diags: &mut Vec<Diagnostic>, key: &str, key_span: Span, value: Node) {
        if let Some((first, _)) = self.1.get(key).map(|&i| &self.0[i]) {
            diags.push(
                Diagnostic::new(Code::DuplicateKey, key_span, format!("duplicate `{key}`"))
                    .label("given again here")
                    .with(first.span, "first given here")
                    .help("remove one of the two"),
            );
            return;
        }
        self.1.insert(key.to_string(), self.0.len());
        self.0.push((
            Key {
                name: key.to_string(),
                span: key_span,
            },
            value,
        ));
    }

    fn finish(self, span: Span) -> Node {
        Node::new(span, Value::Map(self.0))
    }
}

impl Builder<'_> {
    fn schema(&mut self, p: Pair<'_, Rule>) -> Node {
        let whole = span(&p);
        let mut inner = p.into_inner();
        let mut top = MapBuilder::default();
        let (mut dims, mut inputs, mut tensors) = (None, None, None);
        let kw = inner.next().expect("grammar: kw_schema");
        top.insert(
            self.diags,
            "tensorseam",
            span(&kw),
            Node::new(span(&kw), Value::Int(1)),
        );
        let name = inner.next().expect("grammar: schema name");
        top.insert(self.diags, "name", span(&name), self.ident(&name));
        let version = inner.next().expect("grammar: version");
        let vnode = self.number(&version.as_str()[1..], span(&version));
        top.insert(self.diags, "version", span(&version), vnode);
        for item in inner {
            let s = span(&item);
            match item.as_rule() {
                Rule::doc => {
                    let (k, v) = self.keyed_string(item);
                    top.insert(self.diags, "doc", k, v);
                }
                Rule::dim => {
                    let (key, node) = self.dim(item);
                    let m = dims.get_or_insert_with(|| (s, MapBuilder::default()));
                    m.1.insert(self.diags, &key.name, key.span, node);
                }
                Rule::input => {
                    let (key, node) = self.input(item);
                    let m = inputs.get_or_insert_with(|| (s, MapBuilder::default()));
                    m.1.insert(self.diags, &key.name, key.span, node);
                }
                Rule::tensor => {
                    let (key, node) = self.tensor(item);
                    let m = tensors.get_or_insert_with(|| (s, MapBuilder::default()));
                    m.1.insert(self.diags, &key.name, key.span, node);
                }
                _ => {}
            }
        }
        for (name, section) in [("dims", dims), ("inputs", inputs), ("tensors", tensors)] {
            if let Some((s, m)) = section {
                top.insert(self.diags, name, s, m.finish(s));
            }
        }
        top.finish(whole)
    }

    fn ident(&self, p: &Pair<'_, Rule>) -> Node {
        Node::new(span(p), Value::Str(p.as_str().to_string()))
    }

    fn key(p: &Pair<'_, Rule>) -> Key {
        Key {
            name: p.as_str().to_string(),
            span: span(p),
        }
    }

    /// `doc "..."`, `deprecated "..."`: the keyword's span and the string node.
    fn keyed_string(&mut self, p: Pair<'_, Rule>) -> (Span, Node) {
        let mut inner = p.into_inner();
        let kw = inner.next().expect("grammar: keyword");
        let s = inner.next().expect("grammar: string");
        (span(&kw), self.string(&s))
    }

    fn doc_block(&mut self, p: Pair<'_, Rule>, map: &mut MapBuilder) {
        if let Some(doc) = p.into_inner().next() {
            let (k, v) = self.keyed_string(doc);
            map.insert(self.diags, "doc", k, v);
        }
    }

    fn dim(&mut self, p: Pair<'_, Rule>) -> (Key, Node) {
        let whole = span(&p);
        let mut inner = p.into_inner();
        inner.next(); // kw_dim
        let name = Self::key(&inner.next().expect("grammar: dim name"));
        let mut m = MapBuilder::default();
        for prop in inner {
            if prop.as_rule() == Rule::doc_block {
                self.doc_block(prop, &mut m);
                continue;
            }
            let rule = prop.as_rule();
            let mut kv = prop.into_inner();
            let kw = kv.next().expect("grammar: keyword");
            let val = kv.next().expect("grammar: value");
            let node = match rule {
                Rule::dim_truncate => self.ident(&val),
                _ => self.number(val.as_str(), span(&val)),
            };
            m.insert(self.diags, kw.as_str(), span(&kw), node);
        }
        (name, m.finish(whole))
    }

    fn input(&mut self, p: Pair<'_, Rule>) -> (Key, Node) {
        let whole = span(&p);
        let mut inner = p.into_inner();
        let role = inner.next().expect("grammar: role");
        let name = Self::key(&inner.next().expect("grammar: input name"));
        let mut m = MapBuilder::default();
        let dtype = inner.next().expect("grammar: dtype");
        m.insert(self.diags, "dtype", span(&dtype), self.ident(&dtype));
        if role.as_str() != "input" {
            m.insert(self.diags, "role", span(&role), self.ident(&role));
        }
        for part in inner {
            match part.as_rule() {
                Rule::shape => {
                    let s = span(&part);
                    let axes = part
                        .into_inner()
                        .map(|a| match a.as_rule() {
                            Rule::number => self.number(a.as_str(), span(&a)),
                            _ => self.ident(&a),
                        })
                        .collect();
                    m.insert(self.diags, "shape", s, Node::new(s, Value::Seq(axes)));
                }
                Rule::column => {
                    let (k, v) = self.keyed_string(part);
                    m.insert(self.diags, "column", k, v);
                }
                Rule::block => {
                    for prop in part.into_inner() {
                        self.prop(prop, &mut m);
                    }
                }
                _ => {}
            }
        }
        (name, m.finish(whole))
    }

    fn prop(&mut self, p: Pair<'_, Rule>, m: &mut MapBuilder) {
        let whole = span(&p);
        let rule = p.as_rule();
        if matches!(rule, Rule::doc | Rule::deprecated) {
            let key = if rule == Rule::doc {
                "doc"
            } else {
                "deprecated"
            };
            let (k, v) = self.keyed_string(p);
            m.insert(self.diags, key, k, v);
            return;
        }
        let mut inner = p.into_inner();
        let kw = inner.next().expect("grammar: keyword");
        let key_span = span(&kw);
        let value = match rule {
            Rule::range => {
                let (mut lo, mut hi) = (None, None);
                for b in inner {
                    let n = self.number(b.as_str(), span(&b));
                    if b.as_rule() == Rule::range_lo {
                        lo = Some(n);
                    } else {
                        hi = Some(n);
                    }
                }
                let null = Node::new(whole, Value::Null);
                Node::new(
                    whole,
                    Value::Seq(vec![lo.unwrap_or_else(|| null.clone()), hi.unwrap_or(null)]),
                )
            }
            Rule::missing | Rule::charset | Rule::out => {
                self.arg(inner.next().expect("grammar: value"))
            }
            Rule::encode => self.call(inner.next().expect("grammar: call"), true),
            Rule::scale => {
                let steps: Vec<Node> = inner.map(|s| self.step(s)).collect();
                Node::new(whole, Value::Seq(steps))
            }
            _ => return,
        };
        m.insert(self.diags, kw.as_str(), key_span, value);
    }

    fn step(&mut self, p: Pair<'_, Rule>) -> Node {
        match p.as_rule() {
            Rule::call => self.call(p, false),
            _ => self.ident(&p),
        }
    }

    fn tensor(&mut self, p: Pair<'_, Rule>) -> (Key, Node) {
        let whole = span(&p);
        let mut inner = p.into_inner();
        inner.next(); // kw_tensor
        let name = Self::key(&inner.next().expect("grammar: tensor name"));
        let call = inner.next().expect("grammar: call");
        let mut m = MapBuilder::default();
        let mut ci = call.clone().into_inner();
        let fname = ci.next().expect("grammar: call name");
        let parts: Vec<Node> = ci
            .filter(|a| a.as_rule() == Rule::positional)
            .flat_map(|a| a.into_inner())
            .map(|a| self.arg(a))
            .collect();
        m.insert(
            self.diags,
            fname.as_str(),
            span(&fname),
            Node::new(span(&call), Value::Seq(parts)),
        );
        if let Some(block) = inner.next() {
            self.doc_block(block, &mut m);
        }
        (name, m.finish(whole))
    }

    /// An encoding (`encoding = true`) or scaling-step call, lowered to `{name: payload}` as the
    /// YAML form writes it. Positional arguments are the categories (`one_hot`, `index`,
    /// `multi_hot`) or boundaries (`bucketize`); a lone `fit` is the placeholder.
    fn call(&mut self, p: Pair<'_, Rule>, encoding: bool) -> Node {
        let whole = span(&p);
        let mut inner = p.into_inner();
        let name = inner.next().expect("grammar: call name");
        let fname = name.as_str();
        let mut positional = Vec::new();
        let mut named = MapBuilder::default();
        for part in inner {
            match part.as_rule() {
                Rule::positional => {
                    for a in part.into_inner() {
                        if encoding && a.as_rule() == Rule::ident && a.as_str() != "fit" {
                            let bare = a.as_str();
                            self.diags.push(
                                Diagnostic::new(Code::SeamSyntax, span(&a), format!("`{bare}` must be quoted"))
                                    .label("a bare name")
                                    .help(format!("write \"{bare}\" for a category, or `fit` to fill them from data")),
                            );
                        }
                        positional.push(self.arg(a));
                    }
                }
                Rule::named_list => {
                    for kv in part.into_inner() {
                        let mut kv = kv.into_inner();
                        let k = kv.next().expect("grammar: key");
                        let v = self.arg(kv.next().expect("grammar: value"));
                        named.insert(self.diags, k.as_str(), span(&k), v);
                    }
                }
                _ => {}
            }
        }
        let is_fit = |n: &Node| {
            n.as_str() == Some("fit")
                || matches!(&n.value, Value::Map(e) if e.len() == 1 && e[0].0.name == "fit")
        };
        let payload = if !encoding && positional.len() == 1 && named.0.is_empty() {
            positional.pop().expect("one positional")
        } else if positional.is_empty() {
            named.finish(whole)
        } else {
            let slot = match fname {
                "one_hot" | "index" | "multi_hot" => Some("categories"),
                "bucketize" => Some("boundaries"),
                _ => None,
            };
            let pos_span = positional[0].span.to(positional[positional.len() - 1].span);
            match slot {
                Some(slot) => {
                    let value = if slot == "categories"
                        && positional.len() == 1
                        && is_fit(&positional[0])
                    {
                        positional.pop().expect("one positional")
                    } else {
                        for bare in positional
                            .iter()
                            .filter(|n| is_fit(n) || matches!(&n.value, Value::Map(_)))
                        {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::SeamSyntax,
                                    bare.span,
                                    "`fit` must be the only category argument",
                                )
                                .help("write either `fit` or a list of categories"),
                            );
                        }
                        let out = positional;
                        Node::new(pos_span, Value::Seq(out))
                    };
                    let mut m = MapBuilder::default();
                    m.insert(self.diags, slot, pos_span, value);
                    for (k, v) in named.0 {
                        m.insert(self.diags, &k.name, k.span, v);
                    }
                    m.finish(whole)
                }
                None => {
                    self.diags.push(
                        Diagnostic::new(
                            Code::SeamSyntax,
                            pos_span,
                            format!("`{fname}` takes only named arguments"),
                        )
                        .help(format!("write `{fname}(key: value, ...)`")),
                    );
                    named.finish(whole)
                }
            }
        };
        let mut m = MapBuilder::default();
        m.insert(self.diags, fname, span(&name), payload);
        m.finish(whole)
    }

    /// An argument: a literal, a bare name (a string), or `name(...)` lowered to `{name: payload}`.
    fn arg(&mut self, p: Pair<'_, Rule>) -> Node {
        let s = span(&p);
        match p.as_rule() {
            Rule::string => self.string(&p),
            Rule::number => self.number(p.as_str(), s),
            Rule::boolean => Node::new(s, Value::Bool(p.as_str() == "true")),
            Rule::list => {
                let items: Vec<Node> = p.into_inner().map(|a| self.arg(a)).collect();
                Node::new(s, Value::Seq(items))
            }
            Rule::inner_call => {
                let mut inner = p.into_inner();
                let name = inner.next().expect("grammar: call name");
                let payload = match inner.next() {
                    None => Node::new(s, Value::Map(Vec::new())),
                    Some(args) if args.as_rule() == Rule::inner_positional => {
                        let mut items: Vec<Node> = args.into_inner().map(|a| self.arg(a)).collect();
                        if items.len() == 1 {
                            items.pop().expect("one item")
                        } else {
                            Node::new(s, Value::Seq(items))
                        }
                    }
                    Some(args) => {
                        let mut m = MapBuilder::default();
                        for kv in args.into_inner() {
                            let mut kv = kv.into_inner();
                            let k = kv.next().expect("grammar: key");
                            let v = self.arg(kv.next().expect("grammar: value"));
                            m.insert(self.diags, k.as_str(), span(&k), v);
                        }
                        m.finish(s)
                    }
                };
                let mut m = MapBuilder::default();
                m.insert(self.diags, name.as_str(), span(&name), payload);
                m.finish(s)
            }
            _ => self.ident(&p),
        }
    }

    fn number(&mut self, text: &str, s: Span) -> Node {
        let value = if text.contains(['.', 'e', 'E']) {
            match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Value::Float(f),
                _ => {
                    self.diags.push(Diagnostic::new(
                        Code::NumberOutOfRange,
                        s,
                        format!("number `{text}` is too large to represent"),
                    ));
                    Value::Invalid
                }
            }
        } else {
            match text.parse::<i128>() {
                Ok(v) if v >= i128::from(i64::MIN) && v <= i128::from(u64::MAX) => Value::Int(v),
                _ => {
                    self.diags.push(Diagnostic::new(
                        Code::NumberOutOfRange,
                        s,
                        format!("integer `{text}` is too large (the limit is 64 bits)"),
                    ));
                    Value::Invalid
                }
            }
        };
        Node::new(s, value)
    }

    fn string(&mut self, p: &Pair<'_, Rule>) -> Node {
        let s = span(p);
        let raw = &p.as_str()[1..p.as_str().len() - 1];
        let base = s.start + 1;
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let bad = |d: &mut Vec<Diagnostic>, len: usize, what: &str| {
                d.push(
                    Diagnostic::new(
                        Code::SeamSyntax,
                        Span::new(base + i, base + i + len),
                        what.to_string(),
                    )
                    .label("here")
                    .help("the escapes are \\\" \\\\ \\n \\t \\r and \\u{...}"),
                );
            };
            match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, 'u')) => {
                    let rest = &raw[i + 2..];
                    let code = rest
                        .strip_prefix('{')
                        .and_then(|r| r.split_once('}'))
                        .filter(|(hex, _)| !hex.is_empty() && hex.len() <= 6)
                        .and_then(|(hex, _)| {
                            u32::from_str_radix(hex, 16).ok().map(|v| (v, hex.len()))
                        })
                        .and_then(|(v, n)| char::from_u32(v).map(|c| (c, n)));
                    match code {
                        Some((c, n)) => {
                            out.push(c);
                            for _ in 0..n + 2 {
                                chars.next();
                            }
                        }
                        None => bad(self.diags, 2, "invalid unicode escape"),
                    }
                }
                Some((_, other)) => bad(self.diags, 1 + other.len_utf8(), "unknown escape"),
                None => bad(self.diags, 1, "unknown escape"),
            }
        }
        Node::new(s, Value::Str(out))
    }
}
