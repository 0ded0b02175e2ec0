//! Household estimation for buildings whose households are not given.
//!
//! For residential kinds only:
//!
//! `households = max(1, round(footprint_m2 × floors × usable_ratio / dwelling_m2))`
//!
//! where `floors` comes from the `floors`, `building:levels` or `Floor` property, else
//! `height / floor_height_m`, else a default by kind. `residents = round(households ×
//! persons_per_household)` unless given. Non-residential kinds get 0 households.

use crate::domain::BuildingKind;
use geo::{GeodesicArea, Orient, orient::Direction};
use geo_types::MultiPolygon;
use serde::Serialize;

/// The parameters of the household estimate (all configurable on the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HouseholdModel {
    /// Mean floor area of one dwelling, m² (China's urban mean is about 90–100 m²).
    pub dwelling_m2: f64,
    /// Share of gross floor area that is dwellings (the rest: walls, stairs, lobbies).
    pub usable_ratio: f64,
    /// Storey height used to turn `height` into floors, m.
    pub floor_height_m: f64,
    /// Floors assumed when nothing is known; `None` uses 6 for apartments, 3 for
    /// residential and 1 for houses.
    pub default_floors: Option<u16>,
    /// Residents per household (China's 2020 census: 2.62).
    pub persons_per_household: f64,
}

impl Default for HouseholdModel {
    fn default() -> Self {
        Self {
            dwelling_m2: 90.0,
            usable_ratio: 0.75,
            floor_height_m: 3.0,
            default_floors: None,
            persons_per_household: 2.62,
        }
    }
}

impl HouseholdModel {
    /// Floors from a height in metres.
    pub fn floors_from_height(&self, height_m: f64) -> Option<u16> {
        (height_m.is_finite() && height_m > 0.0)
            .then(|| (height_m / self.floor_height_m).round().clamp(1.0, 200.0) as u16)
    }

    /// The floors assumed for a kind when nothing is known.
    pub fn default_floors_for(&self, kind: BuildingKind) -> u16 {
        self.default_floors.unwrap_or(match kind {
            BuildingKind::Apartments => 6,
            BuildingKind::Residential => 3,
            _ => 1,
        })
    }

    /// Estimated households of a building.
    ///
    /// ```
    /// use gridmap::import::households::HouseholdModel;
    /// use gridmap::domain::BuildingKind;
    /// use geo_types::{polygon, MultiPolygon};
    /// // A 60 m × 12 m slab block at 39.8°N, 18 floors: 720 m² × 18 × 0.75 / 90 = 108.
    /// let dlon = 60.0 / (111_320.0 * 39.8_f64.to_radians().cos());
    /// let dlat = 12.0 / 110_950.0;
    /// let slab = MultiPolygon::new(vec![polygon![
    ///     (x: 110.0, y: 39.8), (x: 110.0 + dlon, y: 39.8),
    ///     (x: 110.0 + dlon, y: 39.8 + dlat), (x: 110.0, y: 39.8 + dlat)]]);
    /// let h = HouseholdModel::default().households(&slab, BuildingKind::Apartments, 18);
    /// assert!((105..=111).contains(&h), "{h}");
    /// assert_eq!(HouseholdModel::default().households(&slab, BuildingKind::School, 18), 0);
    /// ```
    pub fn households(
        &self,
        footprint: &MultiPolygon<f64>,
        kind: BuildingKind,
        floors: u16,
    ) -> u32 {
        if !kind.is_residential() {
            return 0;
        }
        // The geodesic area of a clockwise ring is the rest of the globe: orient first.
        let area_m2 = footprint
            .orient(Direction::Default)
            .geodesic_area_unsigned();
        let estimate = area_m2 * f64::from(floors) * self.usable_ratio / self.dwelling_m2;
        estimate.round().clamp(1.0, 100_000.0) as u32
    }

    /// Residents for a number of households.
    pub fn residents(&self, households: u32) -> u32 {
        (f64::from(households) * self.persons_per_household).round() as u32
    }
}
