//! Mapbox Vector Tile 2.1 encoding: layers with interned keys and values, features with
//! zigzag-delta geometry commands, written straight to protobuf bytes.

use foldhash::HashMap;
use foldhash::HashMapExt;

/// The extent of every layer (tile units per side).
pub const EXTENT: u32 = 4096;

/// A property value (borrowed: nothing is copied until the value is first seen).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    String(&'a str),
    Int(i64),
    Double(f64),
    Bool(bool),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::String(s)
    }
}
impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u32> for Value<'_> {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

/// A feature's geometry in tile units, already clipped: exterior rings positive area in
/// tile coordinates (y down) and holes negative, as MVT 2.1 requires.
#[derive(Debug, Clone, PartialEq)]
pub enum TileGeometry {
    Points(Vec<[i32; 2]>),
    Lines(Vec<Vec<[i32; 2]>>),
    /// Rings, each open (the closing point not repeated); an exterior is followed by its
    /// holes.
    Polygons(Vec<Vec<[i32; 2]>>),
}

/// One layer being built: keys and values are interned as they come and written out
/// encoded, so a value costs one lookup when seen again.
#[derive(Debug)]
pub struct LayerBuilder {
    name: String,
    keys: Vec<u8>,
    key_index: HashMap<String, u32>,
    values: Vec<u8>,
    value_count: u32,
    strings: HashMap<String, u32>,
    ints: HashMap<i64, u32>,
    doubles: HashMap<u64, u32>,
    bools: [Option<u32>; 2],
    features: Vec<u8>,
    feature_count: usize,
    scratch: Vec<u8>,
}

impl LayerBuilder {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            keys: Vec::new(),
            key_index: HashMap::new(),
            values: Vec::new(),
            value_count: 0,
            strings: HashMap::new(),
            ints: HashMap::new(),
            doubles: HashMap::new(),
            bools: [None; 2],
            features: Vec::new(),
            feature_count: 0,
            scratch: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.feature_count
    }

    pub fn is_empty(&self) -> bool {
        self.feature_count == 0
    }

    /// Adds a feature; an empty geometry is skipped (MVT forbids empty features).
    pub fn add(
        &mut self,
        id: Option<u64>,
        geometry: &TileGeometry,
        properties: &[(&str, Value<'_>)],
    ) {
        let (kind, commands) = match geometry {
            TileGeometry::Points(points) if !points.is_empty() => (1, point_commands(points)),
            TileGeometry::Lines(lines) if lines.iter().any(|l| l.len() >= 2) => {
                (2, line_commands(lines))
            }
            TileGeometry::Polygons(rings) if rings.iter().any(|r| r.len() >= 3) => {
                (3, ring_commands(rings))
            }
            _ => return,
        };
        let mut tags = Vec::with_capacity(properties.len() * 2);
        for (key, value) in properties {
            tags.push(self.key(key));
            tags.push(self.value(value));
        }
        let mut feature = std::mem::take(&mut self.scratch);
        feature.clear();
        if let Some(id) = id {
            put_key(&mut feature, 1, 0);
            put_varint(&mut feature, id);
        }
        if !tags.is_empty() {
            put_packed(&mut feature, 2, &tags);
        }
        put_key(&mut feature, 3, 0);
        put_varint(&mut feature, kind);
        put_packed(&mut feature, 4, &commands);
        put_key(&mut self.features, 2, 2);
        put_varint(&mut self.features, feature.len() as u64);
        self.features.extend_from_slice(&feature);
        self.scratch = feature;
        self.feature_count += 1;
    }

    fn key(&mut self, key: &str) -> u32 {
        if let Some(&i) = self.key_index.get(key) {
            return i;
        }
        let i = self.key_index.len() as u32;
        put_bytes(&mut self.keys, 3, key.as_bytes());
        self.key_index.insert(key.to_string(), i);
        i
    }

    fn value(&mut self, value: &Value<'_>) -> u32 {
        let found = match value {
            Value::String(s) => self.strings.get(*s).copied(),
            Value::Int(v) => self.ints.get(v).copied(),
            Value::Double(v) => self.doubles.get(&v.to_bits()).copied(),
            Value::Bool(b) => self.bools[usize::from(*b)],
        };
        if let Some(i) = found {
            return i;
        }
        let i = self.value_count;
        self.value_count += 1;
        let mut v = Vec::with_capacity(16);
        match value {
            Value::String(s) => {
                put_bytes(&mut v, 1, s.as_bytes());
                self.strings.insert(s.to_string(), i);
            }
            Value::Double(d) => {
                put_key(&mut v, 3, 1);
                v.extend_from_slice(&d.to_le_bytes());
                self.doubles.insert(d.to_bits(), i);
            }
            Value::Int(n) => {
                if *n >= 0 {
                    put_key(&mut v, 5, 0);
                    put_varint(&mut v, *n as u64);
                } else {
                    put_key(&mut v, 6, 0);
                    put_varint(&mut v, zigzag(*n));
                }
                self.ints.insert(*n, i);
            }
            Value::Bool(b) => {
                put_key(&mut v, 7, 0);
                put_varint(&mut v, u64::from(*b));
                self.bools[usize::from(*b)] = Some(i);
            }
        }
        put_bytes(&mut self.values, 4, &v);
        i
    }

    /// Appends the layer (field 3 of the tile) to `tile`; an empty layer is left out.
    pub fn write_to(&self, tile: &mut Vec<u8>) {
        if self.feature_count == 0 {
            return;
        }
        let mut layer =
            Vec::with_capacity(self.features.len() + self.keys.len() + self.values.len() + 32);
        put_key(&mut layer, 15, 0);
        put_varint(&mut layer, 2);
        put_bytes(&mut layer, 1, self.name.as_bytes());
        layer.extend_from_slice(&self.features);
        layer.extend_from_slice(&self.keys);
        layer.extend_from_slice(&self.values);
        put_key(&mut layer, 5, 0);
        put_varint(&mut layer, u64::from(EXTENT));
        put_bytes(tile, 3, &layer);
    }
}

const MOVE_TO: u32 = 1;
const LINE_TO: u32 = 2;
const CLOSE_PATH: u32 = 7;

fn command(id: u32, count: usize) -> u32 {
    (id & 0x7) | ((count as u32) << 3)
}

fn zz(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

struct Cursor {
    at: [i32; 2],
    out: Vec<u32>,
}

impl Cursor {
    fn to(&mut self, p: [i32; 2]) {
        self.out.push(zz(p[0] - self.at[0]));
        self.out.push(zz(p[1] - self.at[1]));
        self.at = p;
    }
}

fn point_commands(points: &[[i32; 2]]) -> Vec<u32> {
    let mut c = Cursor {
        at: [0, 0],
        out: Vec::with_capacity(1 + points.len() * 2),
    };
    c.out.push(command(MOVE_TO, points.len()));
    for &p in points {
        c.to(p);
    }
    c.out
}

fn line_commands(lines: &[Vec<[i32; 2]>]) -> Vec<u32> {
    let mut c = Cursor {
        at: [0, 0],
        out: Vec::new(),
    };
    for line in lines.iter().filter(|l| l.len() >= 2) {
        c.out.push(command(MOVE_TO, 1));
        c.to(line[0]);
        c.out.push(command(LINE_TO, line.len() - 1));
        for &p in &line[1..] {
            c.to(p);
        }
    }
    c.out
}

fn ring_commands(rings: &[Vec<[i32; 2]>]) -> Vec<u32> {
    let mut c = Cursor {
        at: [0, 0],
        out: Vec::new(),
    };
    for ring in rings.iter().filter(|r| r.len() >= 3) {
        c.out.push(command(MOVE_TO, 1));
        c.to(ring[0]);
        c.out.push(command(LINE_TO, ring.len() - 1));
        for &p in &ring[1..] {
            c.to(p);
        }
        c.out.push(command(CLOSE_PATH, 1));
    }
    c.out
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_key(out: &mut Vec<u8>, field: u32, wire: u32) {
    put_varint(out, u64::from((field << 3) | wire));
}

fn put_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_key(out, field, 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    let mut body = Vec::with_capacity(values.len() * 2);
    for &v in values {
        put_varint(&mut body, u64::from(v));
    }
    put_bytes(out, field, &body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_examples_encode_as_the_spec_says() {
        // MVT 2.1 §4.3.5: a point at (25, 17) is [9, 50, 34].
        assert_eq!(point_commands(&[[25, 17]]), vec![9, 50, 34]);
        // A line (2,2) (2,10) (10,10) is [9, 4, 4, 18, 0, 16, 16, 0].
        assert_eq!(
            line_commands(&[vec![[2, 2], [2, 10], [10, 10]]]),
            vec![9, 4, 4, 18, 0, 16, 16, 0]
        );
        // A polygon (3,6) (8,12) (20,34) is [9, 6, 12, 18, 10, 12, 24, 44, 15].
        assert_eq!(
            ring_commands(&[vec![[3, 6], [8, 12], [20, 34]]]),
            vec![9, 6, 12, 18, 10, 12, 24, 44, 15]
        );
    }

    #[test]
    fn an_empty_layer_writes_nothing() {
        let mut layer = LayerBuilder::new("x");
        layer.add(
            None,
            &TileGeometry::Polygons(vec![vec![[0, 0], [1, 1]]]),
            &[],
        );
        let mut tile = Vec::new();
        layer.write_to(&mut tile);
        assert!(tile.is_empty());
    }
}
