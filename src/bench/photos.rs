//! `gridmap bench photos`: 2 MB phone photos uploaded over HTTP (checked, decoded, stripped of
//! their metadata, thumbnailed, stored) one after another, each answer timed; beside it, the
//! same bytes written straight into the store (the floor an upload cannot beat) and the
//! preparation alone.

use super::BenchServer;
use super::http_load::{BytesBody, send_sequentially};
use crate::api::AppState;
use crate::domain::{Photo, PhotoId};
use crate::store::Store;
use bytes::Bytes;
use hyper::StatusCode;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the photo benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoBenchReport {
    pub store: String,
    pub uploads: usize,
    pub mean_photo_bytes: usize,
    pub width_px: u32,
    pub height_px: u32,
    /// Upload answers (`POST /api/photos`, 201), milliseconds.
    pub upload_p50_ms: f64,
    pub upload_p99_ms: f64,
    pub upload_max_ms: f64,
    /// `photo::prepare` alone (decode, strip, thumbnail), median milliseconds.
    pub prepare_p50_ms: f64,
    /// The same bytes written straight into the store, median milliseconds.
    pub store_write_p50_ms: f64,
}

impl PhotoBenchReport {
    pub fn lines(&self) -> String {
        format!(
            "{} uploads of {:.1} MB photos ({} × {} px) on {}: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (target < 300 ms)\n\
             of which preparing (decode, strip, thumbnail) p50 {:.0} ms; the bytes straight into the store p50 {:.0} ms",
            self.uploads,
            self.mean_photo_bytes as f64 / 1e6,
            self.width_px,
            self.height_px,
            self.store,
            self.upload_p50_ms,
            self.upload_p99_ms,
            self.upload_max_ms,
            self.prepare_p50_ms,
            self.store_write_p50_ms,
        )
    }
}

/// A phone-like photo of about 2 MB: a 3,000 × 2,000 JPEG of textured noise (a plain
/// gradient compresses to a tenth of that), different for each `seed`.
pub fn phone_photo(seed: u64) -> Result<Vec<u8>, String> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let base: [u8; 3] = rng.random();
    let picture = image::RgbImage::from_fn(3_000, 2_000, |x, y| {
        let n: u8 = rng.random_range(0..36);
        image::Rgb([
            base[0].wrapping_add((x / 7) as u8).wrapping_add(n),
            base[1].wrapping_add((y / 5) as u8).wrapping_add(n / 2),
            base[2].wrapping_add(((x + y) / 11) as u8),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&picture)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn median_ms(mut values: Vec<Duration>) -> f64 {
    values.sort_unstable();
    values
        .get(values.len() / 2)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
}

/// Uploads `uploads` distinct photos into `store` through `app(state)` on loopback.
pub async fn run(
    store: Arc<dyn Store>,
    uploads: usize,
    say: &impl Fn(&str),
) -> Result<PhotoBenchReport, String> {
    say(&format!("making {uploads} phone photos of about 2 MB…"));
    let seed = u64::from(std::process::id()) << 16;
    let photos: Vec<Vec<u8>> = (0..uploads as u64)
        .map(|i| phone_photo(seed + i))
        .collect::<Result<_, _>>()?;
    let mean_photo_bytes = photos.iter().map(Vec::len).sum::<usize>() / photos.len().max(1);

    let mut prepare_times = Vec::new();
    let mut prepared = Vec::new();
    for bytes in photos.iter().take(5) {
        let t = Instant::now();
        prepared.push(crate::photo::prepare(bytes).map_err(|e| e.to_string())?);
        prepare_times.push(t.elapsed());
    }
    let (width_px, height_px) = prepared
        .first()
        .map_or((0, 0), |p| (p.width_px, p.height_px));

    // The floor: the same stripped bytes and thumbnail written straight into the store (a
    // fresh id each, so every write is new).
    let mut store_times = Vec::new();
    for (i, p) in prepared.iter().enumerate() {
        let mut bytes = p.bytes.clone();
        bytes.extend(format!("{seed}-{i}").as_bytes());
        let photo = Photo {
            id: PhotoId::of(&bytes),
            format: p.format,
            width_px: p.width_px,
            height_px: p.height_px,
            bytes,
            thumbnail: p.thumbnail.clone(),
            uploaded_at: chrono::Utc::now(),
            uploaded_by: "bench".into(),
        };
        let t = Instant::now();
        store.save_photo(&photo).await.map_err(|e| e.to_string())?;
        store_times.push(t.elapsed());
    }

    let state = AppState::load(store.clone())
        .await
        .map_err(|e| e.to_string())?;
    let server = BenchServer::start(&state).await?;
    let bodies: Vec<BytesBody> = photos
        .into_iter()
        .map(|bytes| BytesBody {
            media_type: "image/jpeg".into(),
            bytes: Bytes::from(bytes),
        })
        .collect();
    say("uploading them one after another over HTTP…");
    let mut latencies = send_sequentially(
        &format!("{}/api/photos", server.base),
        &bodies,
        &server.token,
        &[StatusCode::CREATED],
    )
    .await?;
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    };
    Ok(PhotoBenchReport {
        store: format!("{:?}", store.kind()),
        uploads,
        mean_photo_bytes,
        width_px,
        height_px,
        upload_p50_ms: at(0.5),
        upload_p99_ms: at(0.99),
        upload_max_ms: latencies.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1e3),
        prepare_p50_ms: median_ms(prepare_times),
        store_write_p50_ms: median_ms(store_times),
    })
}
