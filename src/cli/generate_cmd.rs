//! `gridmap generate`: a synthetic district into the store.

use super::{CliResult, Profile};

pub async fn run(_database: &str, _profile: Profile, _households: Option<u32>, _seed: u64) -> CliResult {
    Err("generate is not built yet".into())
}
