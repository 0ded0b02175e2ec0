//! `Revisions`: how many times each of the engine's sources has changed; a tile made at one
//! set of revisions is stale as soon as a source under it moves on.

/// One kind of data in the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Communities,
    Grids,
    Buildings,
    /// Roads and land areas.
    Basemap,
    Stations,
    /// Workers' grids, roles and duty.
    Workers,
    /// Workers' reported positions (frequent).
    WorkerPositions,
    Incidents,
}

/// A counter per [`Source`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Revisions([u64; 8]);

impl Revisions {
    fn slot(source: Source) -> usize {
        match source {
            Source::Communities => 0,
            Source::Grids => 1,
            Source::Buildings => 2,
            Source::Basemap => 3,
            Source::Stations => 4,
            Source::Workers => 5,
            Source::WorkerPositions => 6,
            Source::Incidents => 7,
        }
    }

    pub fn bump(&mut self, source: Source) {
        self.0[Self::slot(source)] += 1;
    }

    pub fn of(&self, source: Source) -> u64 {
        self.0[Self::slot(source)]
    }

    /// One number that grows whenever any of `sources` changes (every counter only grows).
    ///
    /// ```
    /// use gridmap::engine::{Revisions, Source};
    /// let mut r = Revisions::default();
    /// let before = r.sum(&[Source::Grids, Source::Workers]);
    /// r.bump(Source::Incidents);
    /// assert_eq!(r.sum(&[Source::Grids, Source::Workers]), before);
    /// r.bump(Source::Workers);
    /// assert!(r.sum(&[Source::Grids, Source::Workers]) > before);
    /// ```
    pub fn sum(&self, sources: &[Source]) -> u64 {
        sources.iter().map(|&s| self.of(s)).sum()
    }
}
