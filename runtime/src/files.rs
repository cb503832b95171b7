//! Batch files: `.npz` (numpy's own) and `.safetensors`, each carrying the schema fingerprint.
