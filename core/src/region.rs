//! Kemendagri region codes and the optional region table. (INTERFACE STUB, being written.)

/// A loaded region table (code -> name), e.g. from `wilayah_2025.csv`.
#[derive(Debug, Clone, Default)]
pub struct RegionTable {}
