//! The schema fingerprint (SPEC §2.7): SHA-256 over the canonical IR, lowercase hex.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `canonical_ir`.
pub fn of(canonical_ir: &str) -> String {
    let digest = Sha256::digest(canonical_ir.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_test_vectors() {
        // FIPS 180-2 examples.
        assert_eq!(
            super::of("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            super::of(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
