//! Each building's catchment: its nearest station of a kind on foot (which and how far)
//! and in a straight line, for every building at once: one multi-source search over the
//! network per kind, then a lookup per building.

use super::Engine;
use crate::domain::{StationId, StationKind};
use crate::routing::nearest_sources;
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// One building's nearest station of a kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuildingReach {
    /// The nearest station on foot (an index into [`Catchments::stations`]) and the walk
    /// in metres; `None` beyond the limit or off the network.
    pub walk: Option<(u32, f32)>,
    /// The straight line to the nearest station, in metres; infinite when there is none.
    pub straight_m: f32,
}

/// Every building's nearest station of one kind, in the building table's order.
#[derive(Debug, Clone)]
pub struct Catchments {
    pub kind: StationKind,
    /// The stations of the kind that join the network, as `walk` numbers them.
    pub stations: Vec<StationId>,
    /// Parallel to the building table.
    pub buildings: Vec<BuildingReach>,
    /// Walks longer than this were not followed, in metres.
    pub limit_m: f64,
}

impl Engine {
    /// Every building's nearest station of `kind` on foot within `limit_m`, and in a
    /// straight line.
    pub fn catchments(&self, kind: StationKind, limit_m: f64) -> Catchments {
        let walking = self.walking();
        let network = walking.network();
        let frame = network.frame();
        let mut of_kind: Vec<_> = self
            .station_info()
            .values()
            .filter(|s| s.kind == kind)
            .collect();
        of_kind.sort_by(|a, b| a.id.cmp(&b.id));
        let (stations, snaps): (Vec<StationId>, Vec<_>) = of_kind
            .iter()
            .filter_map(|s| Some((s.id.clone(), *walking.station(&s.id)?)))
            .unzip();
        let nearest = nearest_sources(network, &snaps, limit_m);
        let points: RTree<GeomWithData<[f64; 2], ()>> = RTree::bulk_load(
            of_kind
                .iter()
                .map(|s| GeomWithData::new(frame.point_metres(s.location), ()))
                .collect(),
        );
        let infos: Vec<_> = self.building_info().values().collect();
        let homes = walking.homes();
        let buildings = infos
            .par_iter()
            .enumerate()
            .map(|(i, info)| {
                let walk = homes
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|place| nearest.of_place(network, &place))
                    .map(|(s, d)| (s, d as f32));
                let here = frame.point_metres(info.anchor);
                let straight_m = points
                    .nearest_neighbor_iter_with_distance_2(&here)
                    .next()
                    .map_or(f32::INFINITY, |(_, d2)| d2.sqrt() as f32);
                BuildingReach { walk, straight_m }
            })
            .collect();
        Catchments {
            kind,
            stations,
            buildings,
            limit_m,
        }
    }
}
