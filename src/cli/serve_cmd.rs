//! `gridmap serve`: the API and web app.

use super::CliResult;

pub async fn run(_database: &str, _addr: &str, _demo: bool) -> CliResult {
    Err("serve is not built yet".into())
}
