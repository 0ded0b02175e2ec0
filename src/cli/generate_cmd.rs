//! `gridmap generate`: a synthetic district into the store.

use super::{CliResult, Profile, import_cmd, progress};
use crate::generate::{DONGSHENG_HOUSEHOLDS, GenerateOptions};
use crate::store;

pub async fn run(
    database: &str,
    profile: Profile,
    households: Option<u32>,
    seed: u64,
) -> CliResult {
    let store = store::open(database).await?;
    let Profile::Dongsheng = profile;
    let options = GenerateOptions {
        households: households.unwrap_or(DONGSHENG_HOUSEHOLDS),
        seed,
    };
    if options.households == 0 {
        return Err("--households must be at least 1".into());
    }
    let spinner = progress::spinner("generating");
    let data = crate::generate::generate_dongsheng(&options);
    spinner.finish_and_clear();
    let data = data?;
    import_cmd::write_with_progress(store.as_ref(), &data).await?;
    store.close().await;
    let households: u64 = data.buildings.iter().map(|b| u64::from(b.households)).sum();
    println!(
        "generated 东胜区 (seed {seed}) into {database}: {} streets, {} communities, {} buildings ({households} households), {} roads, {} stations, {} workers, {} incidents",
        data.streets.len(),
        data.communities.len(),
        data.buildings.len(),
        data.roads.len(),
        data.stations.len(),
        data.workers.len(),
        data.incidents.len()
    );
    Ok(())
}
