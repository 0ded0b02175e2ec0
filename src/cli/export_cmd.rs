//! `gridmap export`: one layer to a GeoJSON or GeoPackage file.

use super::{CliResult, ExportFormat};
use crate::domain::Dataset;
use crate::features::{Audience, Layer, collection};
use crate::store::{self, LayerQuery, Store, geopackage::GeoPackageStore};
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
        Layer::Roads => data.roads = store.roads(&all).await?,
        Layer::Stations => data.stations = store.stations(&all).await?,
        Layer::Workers => data.workers = store.workers(&all).await?,
        Layer::Incidents => data.incidents = store.incidents(&all).await?,
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
    fc.features.extend(collection(&data.stations, a).features);
    fc.features.extend(collection(&data.workers, a).features);
    fc.features.extend(collection(&data.incidents, a).features);
    fc
}

pub async fn run(database: &str, layer: Layer, format: ExportFormat, output: &Path) -> CliResult {
    let store = store::open(database).await?;
    let data = read_layer(store.as_ref(), layer).await?;
    match format {
        ExportFormat::Geojson => {
            let text = serde_json::to_string(&to_geojson(&data))?;
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
