//! `gridmap export`: one layer to a GeoJSON or GeoPackage file; as XLSX, the grid ledger
//! (`grids`) or the incident statistics of a period (`incidents`) as offices file them.

use super::{CliResult, ExportFormat};
use crate::domain::Audience;
use crate::domain::Dataset;
use crate::features::{Layer, collection};
use crate::store::{self, DatasetStore, LayerQuery, Store, geopackage::GeoPackageStore};
use std::path::Path;

/// Reads a whole layer into a dataset holding only that layer.
pub async fn read_layer(store: &dyn Store, layer: Layer) -> Result<Dataset, store::StoreError> {
    let all = LayerQuery::default();
    let mut data = Dataset::default();
    match layer {
        Layer::Districts => data.districts = store.districts(&all).await?,
        Layer::Streets => data.streets = store.streets(&all).await?,
        Layer::Communities => data.communities = store.communities(&all).await?,
        Layer::Grids => data.grids = store.grids(&all).await?,
        Layer::Buildings => data.buildings = store.buildings(&all).await?,
        Layer::Roads => {
            data.roads = store.roads(&all).await?;
            data.walls = store.walls(&all).await?;
            data.gates = store.gates(&all).await?;
        }
        Layer::Stations => data.stations = store.stations(&all).await?,
        Layer::Workers => data.workers = store.workers(&all).await?,
        Layer::Incidents => data.incidents = store.incidents(&all).await?,
        Layer::Network => {
            data.communities = store.communities(&all).await?;
            data.roads = store.roads(&all).await?;
            data.walls = store.walls(&all).await?;
            data.gates = store.gates(&all).await?;
        }
    }
    Ok(data)
}

fn to_geojson(data: &Dataset) -> geojson::FeatureCollection {
    let a = Audience::Internal;
    let mut fc = collection(&data.districts, a);
    fc.features.extend(collection(&data.streets, a).features);
    fc.features
        .extend(collection(&data.communities, a).features);
    fc.features.extend(collection(&data.grids, a).features);
    fc.features.extend(collection(&data.buildings, a).features);
    fc.features.extend(collection(&data.roads, a).features);
    fc.features.extend(collection(&data.walls, a).features);
    fc.features.extend(collection(&data.gates, a).features);
    fc.features.extend(collection(&data.stations, a).features);
    fc.features.extend(collection(&data.workers, a).features);
    fc.features.extend(collection(&data.incidents, a).features);
    fc
}

/// Adds each grid's member building ids (as imported) as a `buildings` property.
async fn add_member_buildings(
    store: &dyn Store,
    fc: &mut geojson::FeatureCollection,
) -> Result<(), store::StoreError> {
    let mut members: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for b in store.buildings(&LayerQuery::default()).await? {
        if let Some(grid) = b.grid {
            members.entry(grid.to_string()).or_default().push(b.id.0);
        }
    }
    for feature in &mut fc.features {
        let code = feature
            .property("code")
            .and_then(|c| c.as_str())
            .unwrap_or_default()
            .to_string();
        let ids = members.remove(&code).unwrap_or_default();
        feature.set_property("buildings", ids);
    }
    Ok(())
}

/// Which features of the layer to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    All,
    /// Buildings outside every community.
    OutsideCommunities,
}

/// The period of an incident statistics export.
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

/// Writes the walking network built from the roads, walls and gates read (as the server
/// builds it) as GeoJSON, and says what it is made of.
fn export_network(data: &Dataset, format: ExportFormat, output: &Path) -> CliResult {
    if format != ExportFormat::Geojson {
        return Err("the walking network is exported as GeoJSON only (--format geojson)".into());
    }
    let frame = crate::engine::metric_frame(&data.communities);
    let (network, report) =
        crate::routing::build_network(frame, &data.roads, &data.walls, &data.gates);
    let edges = (0..network.edge_count() as u32).map(crate::routing::EdgeId);
    let fc = crate::features::network_collection(&network, edges);
    std::fs::write(output, serde_json::to_vec(&fc)?)?;
    println!(
        "exported the walking network to {}: {} nodes, {} edges, {:.1} km; largest piece {:.1}% of nodes, {} pieces apart, {} sealed compounds",
        output.display(),
        report.nodes,
        report.edges,
        report.length_m / 1000.0,
        report.largest_share * 100.0,
        report.pieces.len(),
        report.sealed.len()
    );
    Ok(())
}

/// Writes the grid ledger or the incident statistics workbook.
async fn export_workbook(database: &str, layer: Layer, period: Period, output: &Path) -> CliResult {
    use crate::service::office_workbooks::{grid_ledger, incident_statistics};
    if !matches!(layer, Layer::Grids | Layer::Incidents) {
        return Err("XLSX exports are the grid ledger (export grids) and the incident statistics (export incidents)".into());
    }
    let store = store::open(database).await?;
    let engine = crate::engine::Engine::load(store.as_ref()).await;
    store.close().await;
    let engine = engine?;
    let bytes = if layer == Layer::Grids {
        grid_ledger(&engine)?
    } else {
        incident_statistics(&engine, period.from, period.to, chrono::Utc::now())?
    };
    std::fs::write(output, bytes)?;
    println!(
        "exported the {} to {}",
        if layer == Layer::Grids {
            "grid ledger (网格台账)"
        } else {
            "incident statistics (事件统计)"
        },
        output.display()
    );
    Ok(())
}

pub async fn run(
    database: &str,
    layer: Layer,
    only: Only,
    format: ExportFormat,
    output: &Path,
    period: Period,
) -> CliResult {
    if only == Only::OutsideCommunities && layer != Layer::Buildings {
        return Err("--outside-communities applies to the buildings layer only".into());
    }
    if format == ExportFormat::Xlsx {
        return export_workbook(database, layer, period, output).await;
    }
    let store = store::open(database).await?;
    let mut data = read_layer(store.as_ref(), layer).await?;
    if layer == Layer::Network {
        store.close().await;
        return export_network(&data, format, output);
    }
    if only == Only::OutsideCommunities {
        data.buildings.retain(|b| b.community.is_none());
    }
    match format {
        ExportFormat::Geojson => {
            let mut fc = to_geojson(&data);
            if layer == Layer::Grids {
                add_member_buildings(store.as_ref(), &mut fc).await?;
            }
            let text = serde_json::to_string(&fc)?;
            std::fs::write(output, text)?;
        }
        ExportFormat::Gpkg => {
            for suffix in ["", "-wal", "-shm"] {
                let path = format!("{}{suffix}", output.display());
                if Path::new(&path).exists() {
                    std::fs::remove_file(&path)?;
                }
            }
            let target = GeoPackageStore::open(output).await?;
            target.write(&data, None).await?;
            target.close().await;
        }
        // Workbooks were written above, from the engine.
        ExportFormat::Xlsx => {}
    }
    store.close().await;
    println!(
        "exported {} {} to {}",
        data.len(),
        layer.as_str(),
        output.display()
    );
    Ok(())
}
