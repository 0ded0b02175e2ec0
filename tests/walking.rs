//! The walking network on real OpenStreetMap data (Monaco, Helsinki): what it is built of,
//! and its shortest walks against an independent computation — petgraph's Dijkstra over the
//! same edges, with the edges' lengths measured again on the ellipsoid.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use geo::{Distance, Geodesic};
use geo_types::Point;
use gridmap::domain::Dataset;
use gridmap::import::{ImportKind, ImportOptions, Imported, read_file};
use gridmap::routing::{NetworkReport, WalkNetwork, build_network, nearest_sources, reach_within};
use gridmap::routing::{NodeId, Seed};
use gridmap::spatial::LocalFrame;
use petgraph::algo::dijkstra;
use petgraph::graph::{NodeIndex, UnGraph};

fn roads(file: &str) -> Dataset {
    match read_file(&common::data(file), &ImportOptions::new(ImportKind::Roads)).unwrap() {
        Imported::Features(data) => data,
        other => panic!("not features: {other:?}"),
    }
}

/// The network of a file, in a frame at the middle of its ways.
fn network(data: &Dataset) -> (WalkNetwork, NetworkReport) {
    let frame = LocalFrame::at_mean(data.roads.iter().flat_map(|r| r.geometry.0.iter().copied()));
    build_network(frame, &data.roads, &data.walls, &data.gates)
}

/// The same edges in petgraph, each weighted by its geodesic length.
fn independent_graph(network: &WalkNetwork) -> UnGraph<(), f64> {
    let mut graph = UnGraph::with_capacity(network.node_count(), network.edge_count());
    for _ in 0..network.node_count() {
        graph.add_node(());
    }
    for e in network.edges() {
        let line = network.shape_lonlat(e);
        let geodesic: f64 = line
            .0
            .windows(2)
            .map(|p| Geodesic.distance(Point::from(p[0]), Point::from(p[1])))
            .sum();
        graph.add_edge(
            NodeIndex::new(e.tail.0 as usize),
            NodeIndex::new(e.head.0 as usize),
            geodesic,
        );
    }
    graph
}

/// Every 1/`count`th node, spread over the network.
fn sample_nodes(network: &WalkNetwork, count: usize) -> Vec<NodeId> {
    let step = (network.node_count() / count).max(1);
    (0..network.node_count())
        .step_by(step)
        .map(|n| NodeId(n as u32))
        .collect()
}

/// Walking distances from sample nodes equal petgraph's on geodesic lengths, within the
/// local frame's error (0.5% and a few centimetres).
fn check_against_petgraph(file: &str) {
    let data = roads(file);
    let (network, _) = network(&data);
    let graph = independent_graph(&network);
    let limit_m = 2_000.0;
    let mut compared = 0;
    for source in sample_nodes(&network, 25) {
        let ours = reach_within(
            &network,
            &[Seed {
                node: source,
                start_m: 0.0,
            }],
            limit_m,
        );
        let theirs = dijkstra(&graph, NodeIndex::new(source.0 as usize), None, |e| {
            *e.weight()
        });
        for n in 0..network.node_count() {
            let node = NodeId(n as u32);
            let expected = theirs.get(&NodeIndex::new(n)).copied();
            match (ours.distance_m(node), expected) {
                (Some(d), Some(e)) => {
                    assert!(
                        (d - e).abs() <= 0.005 * e + 0.05,
                        "{file}: node {n}: {d} against {e}"
                    );
                    compared += 1;
                }
                (None, Some(e)) => assert!(e > limit_m * 0.995, "{file}: node {n} missed at {e} m"),
                (Some(d), None) => panic!("{file}: node {n} reached ({d} m) but unreachable"),
                (None, None) => {}
            }
        }
    }
    assert!(
        compared > 1_000,
        "{file}: only {compared} distances compared"
    );
}

#[test]
fn monaco_walks_equal_an_independent_dijkstra() {
    check_against_petgraph("monaco/monaco-2025-02-11.osm.pbf");
}

#[test]
fn helsinki_walks_equal_an_independent_dijkstra() {
    check_against_petgraph("helsinki/Helsinki.osm.pbf");
}

#[test]
fn monaco_network_holds_together_through_its_gates() {
    let data = roads("monaco/monaco-2025-02-11.osm.pbf");
    assert!(data.walls.len() > 10, "walls: {}", data.walls.len());
    assert!(data.gates.len() > 10, "gates: {}", data.gates.len());
    let walkable = data.roads.iter().filter(|r| r.foot.is_allowed()).count();
    assert!(walkable < data.roads.len(), "some ways are not walked");
    let (network, report) = network(&data);
    assert_eq!(report.nodes, network.node_count());
    assert!(
        report.largest_share > 0.8,
        "largest piece {:.3}",
        report.largest_share
    );
    assert!(report.largest_share < 1.0);
    let first = &report.pieces[0];
    assert!(!first.ways.is_empty() && first.nodes >= report.pieces.last().unwrap().nodes);
}

#[test]
fn the_nearest_of_many_sources_is_the_least_of_their_walks() {
    let data = roads("monaco/monaco-2025-02-11.osm.pbf");
    let (network, _) = network(&data);
    let graph = independent_graph(&network);
    let frame = network.frame();
    // Ten sources spread over the network's nodes, snapped from points 5 m off them.
    let sources: Vec<_> = sample_nodes(&network, 10)
        .into_iter()
        .filter_map(|n| {
            let c = network.nodes()[n.0 as usize];
            network
                .snap(Point::from(frame.to_lonlat(c.x + 3.0, c.y + 4.0)), 100.0)
                .ok()
        })
        .collect();
    assert!(sources.len() >= 8);
    let limit_m = 3_000.0;
    let nearest = nearest_sources(&network, &sources, limit_m);
    let per_source: Vec<_> = sources
        .iter()
        .map(|s| {
            let seeds = network.seeds(s);
            let from = |seed: &Seed| {
                dijkstra(&graph, NodeIndex::new(seed.node.0 as usize), None, |e| {
                    *e.weight()
                })
            };
            let (a, b) = (from(&seeds[0]), from(&seeds[1]));
            (seeds, a, b)
        })
        .collect();
    for n in sample_nodes(&network, 400) {
        let idx = NodeIndex::new(n.0 as usize);
        let expected = per_source
            .iter()
            .flat_map(|(seeds, a, b)| {
                [
                    a.get(&idx).map(|d| d + seeds[0].start_m),
                    b.get(&idx).map(|d| d + seeds[1].start_m),
                ]
            })
            .flatten()
            .fold(f64::INFINITY, f64::min);
        match nearest.of_node(n) {
            Some((_, d)) => assert!(
                (d - expected).abs() <= 0.005 * expected + 0.05,
                "{d} against {expected}"
            ),
            None => assert!(expected > limit_m * 0.995, "missed at {expected} m"),
        }
    }
}
