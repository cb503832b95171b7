//! Category lookup in generated code: the position of a raw value among an input's categories,
//! as constants the macro lays out — a `match` for a few, an open-addressing table for many. The
//! keys are computed here with the very functions the generated code probes with
//! (`tensorseam_core::ops::{short_word, short_slot, fnv1a64, mix_int}`), so the two cannot drift.

use crate::ir::Scalar;
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use tensorseam_core::ops;

/// Lookup among string categories of at most 8 bytes each (most category sets): the string becomes
/// one integer and a length, compared against constants — a `match` for a few, a table of 16-byte
/// slots holding the keys inline for many. A longer string cannot be a category.
fn short_lookup(categories: &[&str]) -> TokenStream {
    if categories.len() <= 16 {
        let arms = categories.iter().enumerate().map(|(i, c)| {
            let w = ops::short_word(c).unwrap_or_default();
            let n = c.len();
            quote! { (#n, #w) => ::core::option::Option::Some(#i), }
        });
        return quote! {
            match __ts::short_word(x) {
                ::core::option::Option::Some(w) => match (x.len(), w) {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                },
                ::core::option::Option::None => ::core::option::Option::None,
            }
        };
    }
    let size = (categories.len() * 2).next_power_of_two();
    let bits = size.trailing_zeros();
    let mut slots: Vec<Option<(u64, u32, u32)>> = vec![None; size];
    for (i, c) in categories.iter().enumerate() {
        let w = ops::short_word(c).unwrap_or_default();
        let mut at = ops::short_slot(w, c.len(), bits);
        while slots[at].is_some() {
            at = (at + 1) & (size - 1);
        }
        slots[at] = Some((w, c.len() as u32, i as u32));
    }
    let entries = slots.iter().map(|s| {
        let (w, n, i) = s.unwrap_or((0, u32::MAX, 0));
        quote! { (#w, #n, #i) }
    });
    let mask = size - 1;
    quote! {
        match __ts::short_word(x) {
            ::core::option::Option::Some(w) => {
                // (key word, key length — u32::MAX for an empty slot, position)
                static SLOTS: [(u64, u32, u32); #size] = [#(#entries),*];
                let n = x.len() as u32;
                let mut at = __ts::short_slot(w, x.len(), #bits);
                loop {
                    let (sw, sn, si) = SLOTS[at];
                    if sn == n && sw == w {
                        break ::core::option::Option::Some(si as usize);
                    }
                    if sn == u32::MAX {
                        break ::core::option::Option::None;
                    }
                    at = (at + 1) & #mask;
                }
            }
            ::core::option::Option::None => ::core::option::Option::None,
        }
    }
}

/// The position of `x` among the categories. A few: a `match`. Many: an open-addressing table
/// built here at macro time and probed with one hash and (almost always) one comparison — a long
/// `match` on strings compiles to a chain of comparisons, which measured slow at 1,000 categories.
pub fn lookup(categories: &[Scalar]) -> TokenStream {
    let pattern = |c: &Scalar| match c {
        Scalar::Str(s) => {
            let lit = Literal::string(s);
            quote! { #lit }
        }
        Scalar::Int(v) => {
            let lit = Literal::i128_suffixed(*v);
            quote! { #lit }
        }
        Scalar::Bool(b) => quote! { #b },
        Scalar::Float(_) => quote! { _ },
    };
    let short: Option<Vec<&str>> = categories
        .iter()
        .map(|c| match c {
            Scalar::Str(s) if s.len() <= 8 => Some(s.as_str()),
            _ => None,
        })
        .collect();
    if let Some(short) = short.filter(|s| !s.is_empty()) {
        return short_lookup(&short);
    }
    let strings = matches!(categories.first(), Some(Scalar::Str(_)));
    let ints = matches!(categories.first(), Some(Scalar::Int(_)));
    if categories.len() <= 16 || !(strings || ints) {
        let arms = categories.iter().enumerate().map(|(i, c)| {
            let pat = pattern(c);
            quote! { #pat => ::core::option::Option::Some(#i), }
        });
        return quote! { match x { #(#arms)* _ => ::core::option::Option::None } };
    }
    let size = (categories.len() * 2).next_power_of_two();
    let hash_of = |c: &Scalar| match c {
        Scalar::Str(s) => ops::fnv1a64(s.as_bytes()),
        Scalar::Int(v) => ops::mix_int(*v),
        _ => 0,
    };
    let mut slots: Vec<Option<(u64, usize)>> = vec![None; size];
    for (i, c) in categories.iter().enumerate() {
        let mut at = (hash_of(c) as usize) & (size - 1);
        while slots[at].is_some() {
            at = (at + 1) & (size - 1);
        }
        slots[at] = Some((hash_of(c), i));
    }
    let empty = quote! { (0u64, ::core::option::Option::None) };
    let entries = slots.iter().map(|s| match s {
        Some((h, i)) => {
            let key = pattern(&categories[*i]);
            quote! { (#h, ::core::option::Option::Some((#key, #i))) }
        }
        None => empty.clone(),
    });
    let (key_ty, hash, eq) = if strings {
        (
            quote! { &'static str },
            quote! { __ts::fnv1a64(x.as_bytes()) },
            quote! { __ts::str_eq(k, x) },
        )
    } else {
        (
            quote! { i128 },
            quote! { __ts::mix_int(x) },
            quote! { *k == x },
        )
    };
    let mask = size - 1;
    quote! {{
        static SLOTS: [(u64, ::core::option::Option<(#key_ty, usize)>); #size] = [#(#entries),*];
        let h: u64 = #hash;
        let mut at = (h as usize) & #mask;
        loop {
            match &SLOTS[at] {
                (_, ::core::option::Option::None) => break ::core::option::Option::None,
                (sh, ::core::option::Option::Some((k, i))) if *sh == h && #eq => break ::core::option::Option::Some(*i),
                _ => at = (at + 1) & #mask,
            }
        }
    }}
}
