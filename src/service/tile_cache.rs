//! `TileCache`: vector tiles kept in memory by layer and address, each with the engine
//! revision it was made at; a tile whose layer has moved on is made again, so an edit shows
//! in the next request. Bounded in bytes.

use crate::engine::{self, Engine, TileLayer};
use crate::mvt::TileId;
use bytes::Bytes;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::{Arc, OnceLock, RwLock};

/// A made tile.
#[derive(Debug)]
pub struct CachedTile {
    /// The layer revision it was made at.
    pub revision: u64,
    pub bytes: Bytes,
    /// A strong validator of the bytes (quoted, for `ETag`).
    pub etag: String,
    /// The same, ready for the response header.
    pub etag_header: axum::http::HeaderValue,
    gzip: OnceLock<Bytes>,
}

impl CachedTile {
    fn new(revision: u64, bytes: Vec<u8>) -> Self {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        let etag = format!("\"{:016x}-{}\"", hasher.finish(), bytes.len());
        Self {
            revision,
            etag_header: axum::http::HeaderValue::from_str(&etag)
                .unwrap_or_else(|_| axum::http::HeaderValue::from_static("\"\"")),
            etag,
            bytes: Bytes::from(bytes),
            gzip: OnceLock::new(),
        }
    }

    /// The bytes gzipped (made once, on first demand).
    pub fn gzip(&self) -> Bytes {
        self.gzip
            .get_or_init(|| {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                // Writing to a Vec cannot fail.
                let _ = encoder.write_all(&self.bytes);
                Bytes::from(encoder.finish().unwrap_or_default())
            })
            .clone()
    }
}

/// Whether a tile came from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    Hit,
    Miss,
}

type Key = (TileLayer, TileId);

/// The cache; cheap to share.
#[derive(Debug)]
pub struct TileCache {
    tiles: RwLock<HashMap<Key, Arc<CachedTile>>>,
    bytes: std::sync::atomic::AtomicUsize,
    capacity_bytes: usize,
}

/// The default bound: 512 MiB of tiles.
pub const DEFAULT_CAPACITY_BYTES: usize = 512 * 1024 * 1024;

impl Default for TileCache {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY_BYTES)
    }
}

impl TileCache {
    pub fn with_capacity(capacity_bytes: usize) -> Self {
        Self {
            tiles: RwLock::default(),
            bytes: 0.into(),
            capacity_bytes,
        }
    }

    /// The tile, from the cache when it was made at the layer's current revision, else made
    /// now (under the same engine read lock that gave the revision).
    pub fn get(
        &self,
        engine: &RwLock<Engine>,
        layer: TileLayer,
        tile: TileId,
    ) -> (Arc<CachedTile>, CacheOutcome) {
        let key = (layer, tile);
        let fresh = {
            let engine = engine::read(engine);
            let revision = engine.layer_revision(layer);
            if let Some(hit) = self.read().get(&key).filter(|t| t.revision == revision) {
                return (hit.clone(), CacheOutcome::Hit);
            }
            Arc::new(CachedTile::new(revision, engine.render_tile(layer, tile)))
        };
        self.insert(key, fresh.clone());
        (fresh, CacheOutcome::Miss)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Key, Arc<CachedTile>>> {
        self.tiles.read().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, key: Key, tile: Arc<CachedTile>) {
        use std::sync::atomic::Ordering;
        let mut tiles = self.tiles.write().unwrap_or_else(|e| e.into_inner());
        let added = tile.bytes.len();
        let replaced = match tiles.get(&key) {
            // A newer tile made meanwhile by another request wins.
            Some(old) if old.revision > tile.revision => return,
            Some(old) => old.bytes.len(),
            None => 0,
        };
        tiles.insert(key, tile);
        let total = self.bytes.load(Ordering::Relaxed) + added - replaced;
        if total > self.capacity_bytes {
            // Over the bound: drop every other tile (addresses hash evenly, so this keeps a
            // fair half of each layer) until under three quarters of it.
            let mut kept = total;
            let mut drop_next = false;
            tiles.retain(|_, t| {
                drop_next = !drop_next;
                if drop_next && kept > self.capacity_bytes / 4 * 3 {
                    kept -= t.bytes.len();
                    false
                } else {
                    true
                }
            });
            self.bytes.store(kept, Ordering::Relaxed);
        } else {
            self.bytes.store(total, Ordering::Relaxed);
        }
    }

    /// Tiles held, and their bytes.
    pub fn size(&self) -> (usize, usize) {
        (
            self.read().len(),
            self.bytes.load(std::sync::atomic::Ordering::Relaxed),
        )
    }
}
