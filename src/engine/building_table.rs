//! The engine's buildings: footprints in a polygon index and each building's figures beside
//! them in the index's order, found by the index's search over its sorted ids — one copy of
//! each id and no hash table (a city of 300,000 buildings holds ~35 MB less).

use super::BuildingInfo;
use crate::domain::{AreaNumber, Building, BuildingId};
use crate::spatial::PolygonIndex;
use geo::InteriorPoint;
use geo_types::{MultiPolygon, Point};
use std::collections::BTreeMap;

/// Footprints and figures of every building.
#[derive(Debug, Clone)]
pub struct BuildingTable {
    footprints: PolygonIndex<BuildingId>,
    /// Parallel to `footprints.entries()`.
    info: Vec<BuildingInfo>,
}

impl BuildingTable {
    pub fn new(mut buildings: Vec<Building>) -> Self {
        // The index sorts by id (stably): sorting first keeps the figures in its order.
        buildings.sort_by(|a, b| a.id.cmp(&b.id));
        let (footprints, info): (Vec<_>, Vec<_>) = buildings.into_iter().map(split).unzip();
        Self {
            footprints: PolygonIndex::new(footprints),
            info,
        }
    }

    /// The footprint index: which building a point is in, footprints in a box.
    pub fn footprints(&self) -> &PolygonIndex<BuildingId> {
        &self.footprints
    }

    /// A building's figures.
    pub fn get(&self, id: &BuildingId) -> Option<&BuildingInfo> {
        self.footprints.position(id).and_then(|i| self.info.get(i))
    }

    /// Every building's id and figures, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&BuildingId, &BuildingInfo)> {
        self.keys().zip(&self.info)
    }

    /// Figures of every building.
    pub fn values(&self) -> impl Iterator<Item = &BuildingInfo> {
        self.info.iter()
    }

    /// Every building's id, in order.
    pub fn keys(&self) -> impl Iterator<Item = &BuildingId> {
        self.footprints.entries().iter().map(|(id, _)| id)
    }

    pub fn contains_key(&self, id: &BuildingId) -> bool {
        self.footprints.position(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.info.len()
    }

    pub fn is_empty(&self) -> bool {
        self.info.is_empty()
    }

    /// Updates some buildings: figures in place; the table is rebuilt only when a footprint
    /// changed or a building is new. Whether it was rebuilt.
    pub fn update(&mut self, buildings: Vec<Building>) -> bool {
        let mut changed = Vec::new();
        for b in buildings {
            match self.footprints.position(&b.id) {
                Some(i) if self.footprints.entries()[i].1 == b.footprint => {
                    self.info[i] = split(b).1;
                }
                _ => changed.push(b),
            }
        }
        if changed.is_empty() {
            return false;
        }
        let mut all: BTreeMap<BuildingId, (MultiPolygon<f64>, BuildingInfo)> = self
            .footprints
            .entries()
            .iter()
            .zip(&self.info)
            .map(|((id, footprint), info)| (id.clone(), (footprint.clone(), info.clone())))
            .collect();
        for ((id, footprint), info) in changed.into_iter().map(split) {
            all.insert(id, (footprint, info));
        }
        let (items, info): (Vec<_>, Vec<_>) = all
            .into_iter()
            .map(|(id, (footprint, info))| ((id, footprint), info))
            .unzip();
        self.footprints = PolygonIndex::new(items);
        self.info = info;
        true
    }
}

impl std::ops::Index<&BuildingId> for BuildingTable {
    type Output = BuildingInfo;

    /// A building's figures; panics when there is no such building (as a map does).
    fn index(&self, id: &BuildingId) -> &BuildingInfo {
        self.get(id)
            .unwrap_or_else(|| panic!("no building {}", id.0))
    }
}

/// A building as the table keeps it: id and footprint for the index, figures beside.
fn split(b: Building) -> ((BuildingId, MultiPolygon<f64>), BuildingInfo) {
    let info = BuildingInfo {
        households: b.households,
        residents: b.residents,
        kind: b.kind,
        area: b
            .grid
            .as_ref()
            .map(AreaNumber::of_grid)
            .or_else(|| b.community.as_ref().map(AreaNumber::of_community)),
        name: b.name,
        anchor: anchor_of(&b.footprint),
    };
    ((b.id, b.footprint), info)
}

/// A point inside the footprint (which grid holds the building); its first vertex when the
/// footprint has no interior.
fn anchor_of(footprint: &MultiPolygon<f64>) -> Point<f64> {
    footprint.interior_point().unwrap_or_else(|| {
        footprint
            .0
            .first()
            .and_then(|p| p.exterior().0.first())
            .map_or(Point::new(0.0, 0.0), |c| Point::from(*c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BuildingKind;
    use geo_types::{LineString, Polygon};

    fn building(id: &str, x: f64, households: u32) -> Building {
        let ring = LineString::from(vec![
            (x, 0.0),
            (x + 1.0, 0.0),
            (x + 1.0, 1.0),
            (x, 1.0),
            (x, 0.0),
        ]);
        Building {
            id: BuildingId(id.into()),
            footprint: MultiPolygon::new(vec![Polygon::new(ring, vec![])]),
            households,
            residents: households * 2,
            floors: None,
            kind: BuildingKind::Residential,
            name: None,
            address: None,
            building_head: None,
            community: None,
            grid: None,
        }
    }

    #[test]
    fn figures_are_found_by_id_whatever_order_buildings_came_in() {
        let table = BuildingTable::new(vec![
            building("c", 4.0, 3),
            building("a", 0.0, 1),
            building("b", 2.0, 2),
        ]);
        let ids: Vec<&str> = table.keys().map(|id| id.0.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        for (id, households) in [("a", 1), ("b", 2), ("c", 3)] {
            assert_eq!(table[&BuildingId(id.into())].households, households);
        }
        assert!(table.get(&BuildingId("d".into())).is_none());
        assert_eq!(
            table
                .footprints()
                .locate(Point::new(4.5, 0.5))
                .map(|id| id.0.as_str()),
            Some("c")
        );
    }

    #[test]
    fn updates_change_figures_in_place_and_rebuild_for_new_footprints() {
        let mut table = BuildingTable::new(vec![building("a", 0.0, 1), building("b", 2.0, 2)]);
        assert!(
            !table.update(vec![building("b", 2.0, 20)]),
            "same footprint: in place"
        );
        assert_eq!(table[&BuildingId("b".into())].households, 20);
        assert!(table.update(vec![building("a", 10.0, 5), building("aa", 6.0, 7)]));
        assert_eq!(table.len(), 3);
        assert_eq!(
            table[&BuildingId("b".into())].households,
            20,
            "kept across the rebuild"
        );
        assert_eq!(table[&BuildingId("aa".into())].households, 7);
        assert_eq!(
            table
                .footprints()
                .locate(Point::new(10.5, 0.5))
                .map(|id| id.0.as_str()),
            Some("a")
        );
        assert!(
            table.footprints().locate(Point::new(0.5, 0.5)).is_none(),
            "a moved away"
        );
        assert_eq!(table[&BuildingId("a".into())].anchor.x(), 10.5);
    }
}
