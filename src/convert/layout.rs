//! Positions for blocks that have none: left-to-right layers (see `GraphView::layers`), blocks
//! of one layer stacked top to bottom in document order.

use crate::graph::GraphView;
use crate::parlant::JourneyDocument;
use foldhash::{HashMap, HashMapExt};

pub const LAYER_WIDTH: f64 = 400.0;
pub const ROW_HEIGHT: f64 = 200.0;

/// A position for every state of the journey (`end` excluded).
pub fn layered(doc: &JourneyDocument) -> HashMap<String, (f64, f64)> {
    let view = GraphView::of_journey(doc);
    let layers = view.layers(&[doc.journey.root_id.as_str()]);
    let mut rows: HashMap<usize, usize> = HashMap::new();
    let mut out = HashMap::with_capacity(doc.nodes.len());
    for node in &doc.nodes {
        let layer = layers.get(node.id.as_str()).copied().unwrap_or(0);
        let row = rows.entry(layer).or_insert(0);
        out.insert(
            node.id.clone(),
            (layer as f64 * LAYER_WIDTH, *row as f64 * ROW_HEIGHT),
        );
        *row += 1;
    }
    out
}
