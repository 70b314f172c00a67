//! One graph view over both models, on petgraph. Conversion, validation and simulation walk
//! graphs through this view only: reachability, topological order, cycles and dominators are
//! computed here once, not re-implemented per module.
//!
//! Every pass is iterative: no recursion depth grows with the input, so a straight chain of
//! 100,000 states or blocks is walked on a thread with a small stack (petgraph's `tarjan_scc` and
//! `depth_first_search` recurse once per node on a path and are not used).

use crate::parlant::{JourneyDocument, END_NODE_ID};
use crate::sim::WorkflowState;
use petgraph::algo::{dominators, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, EdgeRef, Reversed};
use petgraph::Direction;
use std::collections::{HashMap, HashSet};

/// A directed graph of string ids; each graph edge carries the index of the document edge it
/// came from (Sim's `edges[i]`, a journey's `edges[i]`).
#[derive(Debug, Clone, Default)]
pub struct GraphView {
    graph: DiGraph<String, usize>,
    index: HashMap<String, NodeIndex>,
    /// Document edges left out because an endpoint is not a node of the view.
    pub dangling: Vec<usize>,
    /// Rank of each node's strongly connected component in topological order (computed once,
    /// on the first reachability query): an edge never goes from a higher rank to a lower one.
    ranks: std::sync::OnceLock<Vec<usize>>,
}

impl GraphView {
    /// Builds a view from node ids and `(edge index, source, target)` triples.
    pub fn build<'a>(
        nodes: impl IntoIterator<Item = &'a str>,
        edges: impl IntoIterator<Item = (usize, &'a str, &'a str)>,
    ) -> GraphView {
        let mut view = GraphView::default();
        for id in nodes {
            if !view.index.contains_key(id) {
                let ix = view.graph.add_node(id.to_string());
                view.index.insert(id.to_string(), ix);
            }
        }
        for (i, source, target) in edges {
            match (view.index.get(source), view.index.get(target)) {
                (Some(&s), Some(&t)) => {
                    view.graph.add_edge(s, t, i);
                }
                _ => view.dangling.push(i),
            }
        }
        view
    }

    /// Every block and every edge of a workflow.
    pub fn of_workflow(state: &WorkflowState) -> GraphView {
        Self::of_workflow_where(state, |_| true)
    }

    /// The blocks accepted by `keep`, and the edges between them.
    pub fn of_workflow_where(
        state: &WorkflowState,
        keep: impl Fn(&crate::sim::Block) -> bool,
    ) -> GraphView {
        GraphView::build(
            state
                .blocks
                .values()
                .filter(|b| keep(b))
                .map(|b| b.id.as_str()),
            state
                .edges
                .iter()
                .enumerate()
                .map(|(i, e)| (i, e.source.as_str(), e.target.as_str())),
        )
    }

    /// Every state of a journey plus Parlant's virtual `end`.
    pub fn of_journey(doc: &JourneyDocument) -> GraphView {
        GraphView::build(
            doc.nodes.iter().map(|n| n.id.as_str()).chain([END_NODE_ID]),
            doc.edges
                .iter()
                .enumerate()
                .map(|(i, e)| (i, e.source.as_str(), e.target.as_str())),
        )
    }

    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.graph.node_weights().map(String::as_str)
    }

    fn ix(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    /// Indices of the document edges leaving `id`, in document order.
    pub fn out_edges(&self, id: &str) -> Vec<usize> {
        self.edges_at(id, Direction::Outgoing)
    }

    /// Indices of the document edges entering `id`, in document order.
    pub fn in_edges(&self, id: &str) -> Vec<usize> {
        self.edges_at(id, Direction::Incoming)
    }

    fn edges_at(&self, id: &str, direction: Direction) -> Vec<usize> {
        let Some(ix) = self.ix(id) else {
            return Vec::new();
        };
        let mut out: Vec<usize> = self
            .graph
            .edges_directed(ix, direction)
            .map(|e| *e.weight())
            .collect();
        out.sort_unstable();
        out
    }

    pub fn successors(&self, id: &str) -> Vec<&str> {
        self.neighbours(id, Direction::Outgoing)
    }

    pub fn predecessors(&self, id: &str) -> Vec<&str> {
        self.neighbours(id, Direction::Incoming)
    }

    fn neighbours(&self, id: &str, direction: Direction) -> Vec<&str> {
        let Some(ix) = self.ix(id) else {
            return Vec::new();
        };
        let mut seen = HashSet::new();
        let mut out: Vec<(usize, &str)> = self
            .graph
            .edges_directed(ix, direction)
            .filter_map(|e| {
                let other = if direction == Direction::Outgoing {
                    e.target()
                } else {
                    e.source()
                };
                seen.insert(other)
                    .then(|| (*e.weight(), self.graph[other].as_str()))
            })
            .collect();
        out.sort_unstable();
        out.into_iter().map(|(_, id)| id).collect()
    }

    /// Nodes reachable from `start` in breadth-first order (the start first).
    pub fn bfs_order(&self, start: &str) -> Vec<&str> {
        let Some(ix) = self.ix(start) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut bfs = Bfs::new(&self.graph, ix);
        while let Some(n) = bfs.next(&self.graph) {
            out.push(self.graph[n].as_str());
        }
        out
    }

    /// Every node reachable from any of `starts` (the starts included).
    pub fn reachable_from<'s>(&self, starts: impl IntoIterator<Item = &'s str>) -> HashSet<&str> {
        let mut out = HashSet::new();
        for start in starts {
            let Some(ix) = self.ix(start) else { continue };
            if out.contains(self.graph[ix].as_str()) {
                continue;
            }
            let mut bfs = Bfs::new(&self.graph, ix);
            while let Some(n) = bfs.next(&self.graph) {
                out.insert(self.graph[n].as_str());
            }
        }
        out
    }

    /// Every node from which `target` can be reached (the target included): its upstream.
    pub fn reaching(&self, target: &str) -> HashSet<&str> {
        let mut out = HashSet::new();
        let Some(ix) = self.ix(target) else {
            return out;
        };
        let reversed = Reversed(&self.graph);
        let mut bfs = Bfs::new(reversed, ix);
        while let Some(n) = bfs.next(reversed) {
            out.insert(self.graph[n].as_str());
        }
        out
    }

    fn ranks(&self) -> &[usize] {
        self.ranks.get_or_init(|| {
            // strongly_connected lists components in reverse topological order.
            let sccs = self.strongly_connected();
            let mut ranks = vec![0; self.graph.node_count()];
            let count = sccs.len();
            for (position, scc) in sccs.into_iter().enumerate() {
                for n in scc {
                    ranks[n.index()] = count - 1 - position;
                }
            }
            ranks
        })
    }

    /// Whether a path of one or more edges leads from `from` to `to`, for many pairs at once.
    /// One forward walk per distinct source, pruned at the highest topological rank among its
    /// targets, so questions about nearby nodes stay cheap on large graphs.
    pub fn reaches_many(&self, queries: &[(&str, &str)]) -> Vec<bool> {
        let ranks = self.ranks();
        let mut answers = vec![false; queries.len()];
        let mut by_source: HashMap<NodeIndex, Vec<(usize, NodeIndex)>> = HashMap::new();
        for (q, (from, to)) in queries.iter().enumerate() {
            if let (Some(f), Some(t)) = (self.ix(from), self.ix(to)) {
                by_source.entry(f).or_default().push((q, t));
            }
        }
        let mut seen = vec![false; self.graph.node_count()];
        let mut touched = Vec::new();
        for (source, targets) in by_source {
            let limit = targets
                .iter()
                .map(|(_, t)| ranks[t.index()])
                .max()
                .unwrap_or(0);
            // Walk from the source's successors: `from` reaches itself only through a cycle.
            let mut stack: Vec<NodeIndex> = self.graph.neighbors(source).collect();
            while let Some(n) = stack.pop() {
                if seen[n.index()] || ranks[n.index()] > limit {
                    continue;
                }
                seen[n.index()] = true;
                touched.push(n);
                stack.extend(self.graph.neighbors(n));
            }
            for (q, t) in targets {
                answers[q] = seen[t.index()];
            }
            for n in touched.drain(..) {
                seen[n.index()] = false;
            }
        }
        answers
    }

    /// Ids in an order where every edge goes forward, or the id of a node on a cycle.
    pub fn topological_order(&self) -> Result<Vec<&str>, &str> {
        toposort(&self.graph, None)
            .map(|order| order.into_iter().map(|n| self.graph[n].as_str()).collect())
            .map_err(|cycle| self.graph[cycle.node_id()].as_str())
    }

    /// The cycles of the graph as strongly connected components (self-loops included).
    pub fn cycles(&self) -> Vec<Vec<&str>> {
        self.strongly_connected()
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]))
            .map(|scc| scc.into_iter().map(|n| self.graph[n].as_str()).collect())
            .collect()
    }

    /// Left-to-right layers: every edge goes to a later layer, except the edges that close a
    /// cycle, found by a depth-first walk from `starts` (then from every other node, in order),
    /// so the result is deterministic. A node's layer is its longest path from a start.
    pub fn layers(&self, starts: &[&str]) -> HashMap<&str, usize> {
        let order: Vec<NodeIndex> = starts
            .iter()
            .filter_map(|s| self.ix(s))
            .chain(self.graph.node_indices())
            .collect();
        let back = self.back_edges(order);
        let dag = self.graph.filter_map(
            |_, w| Some(w.clone()),
            |e, w| {
                let (u, v) = self.graph.edge_endpoints(e)?;
                (!back.contains(&(u, v))).then_some(*w)
            },
        );
        let mut layer = vec![0usize; self.graph.node_count()];
        // Without back edges (self-loops included) the graph is acyclic.
        for n in toposort(&dag, None).unwrap_or_default() {
            for next in dag.neighbors(n) {
                layer[next.index()] = layer[next.index()].max(layer[n.index()] + 1);
            }
        }
        self.graph
            .node_indices()
            .map(|n| (self.graph[n].as_str(), layer[n.index()]))
            .collect()
    }

    /// The strongly connected components, in reverse topological order (a component comes
    /// before every component that reaches it). Pierce's space-efficient variant of Tarjan's
    /// algorithm ("A Space-Efficient Algorithm for Finding Strongly Connected Components", 2005,
    /// Algorithm 3) with an explicit stack of frames instead of recursion; it visits nodes and
    /// neighbours in the same order as petgraph 0.8's recursive `tarjan_scc`, so its output is
    /// the same (a property test checks it).
    fn strongly_connected(&self) -> Vec<Vec<NodeIndex>> {
        struct Frame<'g> {
            v: NodeIndex,
            neighbours: petgraph::graph::Neighbors<'g, usize>,
            local_root: bool,
        }
        let g = &self.graph;
        // 0 = not visited yet; visit indices count up from 1, component numbers down from MAX.
        let mut root = vec![0usize; g.node_count()];
        let mut index = 1usize;
        let mut component = usize::MAX;
        let mut stack: Vec<NodeIndex> = Vec::new();
        let mut frames: Vec<Frame> = Vec::new();
        let mut out = Vec::new();
        for start in g.node_indices() {
            if root[start.index()] != 0 {
                continue;
            }
            root[start.index()] = index;
            index += 1;
            frames.push(Frame {
                v: start,
                neighbours: g.neighbors(start),
                local_root: true,
            });
            while let Some(frame) = frames.last_mut() {
                let v = frame.v;
                if let Some(w) = frame.neighbours.next() {
                    if root[w.index()] == 0 {
                        root[w.index()] = index;
                        index += 1;
                        frames.push(Frame {
                            v: w,
                            neighbours: g.neighbors(w),
                            local_root: true,
                        });
                    } else if root[w.index()] < root[v.index()] {
                        root[v.index()] = root[w.index()];
                        frame.local_root = false;
                    }
                    continue;
                }
                let local_root = frame.local_root;
                frames.pop();
                if local_root {
                    let mut adjustment = 1;
                    let start = stack
                        .iter()
                        .rposition(|w| {
                            if root[v.index()] > root[w.index()] {
                                true
                            } else {
                                root[w.index()] = component;
                                adjustment += 1;
                                false
                            }
                        })
                        .map_or(0, |x| x + 1);
                    root[v.index()] = component;
                    stack.push(v);
                    out.push(stack.split_off(start));
                    index -= adjustment;
                    component -= 1;
                } else {
                    stack.push(v);
                }
                // Back in the parent: the child `v` is done, fold its root index in.
                if let Some(parent) = frames.last_mut() {
                    if root[v.index()] < root[parent.v.index()] {
                        root[parent.v.index()] = root[v.index()];
                        parent.local_root = false;
                    }
                }
            }
        }
        out
    }

    /// The edges that close a cycle in a depth-first walk from each of `order` in turn (nodes
    /// already seen are skipped): an edge to a node whose walk has begun and not finished.
    /// Iterative, with the same visiting order as petgraph 0.8's recursive `depth_first_search`.
    fn back_edges(&self, order: Vec<NodeIndex>) -> HashSet<(NodeIndex, NodeIndex)> {
        let g = &self.graph;
        let mut discovered = vec![false; g.node_count()];
        let mut finished = vec![false; g.node_count()];
        let mut back = HashSet::new();
        let mut frames: Vec<(NodeIndex, petgraph::graph::Neighbors<usize>)> = Vec::new();
        for start in order {
            if discovered[start.index()] {
                continue;
            }
            discovered[start.index()] = true;
            frames.push((start, g.neighbors(start)));
            while let Some((u, neighbours)) = frames.last_mut() {
                let u = *u;
                match neighbours.next() {
                    Some(v) if !discovered[v.index()] => {
                        discovered[v.index()] = true;
                        frames.push((v, g.neighbors(v)));
                    }
                    Some(v) => {
                        if !finished[v.index()] {
                            back.insert((u, v));
                        }
                    }
                    None => {
                        finished[u.index()] = true;
                        frames.pop();
                    }
                }
            }
        }
        back
    }

    /// For each node reachable from `root`, its immediate dominator (None for the root).
    pub fn immediate_dominators(&self, root: &str) -> HashMap<&str, Option<&str>> {
        let Some(ix) = self.ix(root) else {
            return HashMap::new();
        };
        let doms = dominators::simple_fast(&self.graph, ix);
        self.graph
            .node_indices()
            .filter_map(|n| {
                if n == ix {
                    return Some((self.graph[n].as_str(), None));
                }
                doms.immediate_dominator(n)
                    .map(|d| (self.graph[n].as_str(), Some(self.graph[d].as_str())))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diamond() -> GraphView {
        GraphView::build(
            ["a", "b", "c", "d", "x"],
            [
                (0, "a", "b"),
                (1, "a", "c"),
                (2, "b", "d"),
                (3, "c", "d"),
                (4, "d", "missing"),
            ],
        )
    }

    #[test]
    fn reachability_both_ways() {
        let g = diamond();
        let from_a = g.reachable_from(["a"]);
        assert_eq!(from_a.len(), 4);
        assert!(!from_a.contains("x"));
        assert_eq!(g.reaching("d"), HashSet::from(["a", "b", "c", "d"]));
        assert_eq!(g.dangling, vec![4]);
        let asked = [
            ("a", "d"),
            ("d", "a"),
            ("b", "c"),
            ("a", "a"),
            ("x", "a"),
            ("a", "nope"),
        ];
        assert_eq!(
            g.reaches_many(&asked),
            vec![true, false, false, false, false, false]
        );
    }

    #[test]
    fn order_cycles_and_dominators() {
        let g = diamond();
        let order = g.topological_order().unwrap();
        let pos = |id| order.iter().position(|x| *x == id).unwrap();
        assert!(pos("a") < pos("b") && pos("b") < pos("d") && pos("c") < pos("d"));
        assert!(g.cycles().is_empty());
        let doms = g.immediate_dominators("a");
        assert_eq!(doms["d"], Some("a"));
        assert_eq!(doms["b"], Some("a"));

        let looped = GraphView::build(["a", "b"], [(0, "a", "b"), (1, "b", "a"), (2, "b", "b")]);
        assert_eq!(
            looped.reaches_many(&[("a", "a"), ("b", "a")]),
            vec![true, true]
        );
        assert!(looped.topological_order().is_err());
        assert_eq!(looped.cycles().len(), 1);
    }

    #[test]
    fn layers_break_cycles_deterministically() {
        let g = GraphView::build(
            ["a", "b", "c", "d"],
            [
                (0, "a", "b"),
                (1, "b", "c"),
                (2, "c", "b"),
                (3, "b", "d"),
                (4, "d", "d"),
            ],
        );
        let layers = g.layers(&["a"]);
        assert_eq!(
            (layers["a"], layers["b"], layers["c"], layers["d"]),
            (0, 1, 2, 2)
        );
        assert_eq!(g.layers(&["a"]), layers);
    }

    #[test]
    fn edges_keep_document_order() {
        let g = GraphView::build(
            ["s", "t", "u"],
            [(5, "s", "u"), (2, "s", "t"), (9, "t", "u")],
        );
        assert_eq!(g.out_edges("s"), vec![2, 5]);
        assert_eq!(g.successors("s"), vec!["t", "u"]);
        assert_eq!(g.in_edges("u"), vec![5, 9]);
    }

    /// A straight chain `n0 -> n1 -> ... -> n{len-1}`, closed into a ring when `ring`.
    fn chain(len: usize, ring: bool) -> GraphView {
        let ids: Vec<String> = (0..len).map(|i| format!("n{i}")).collect();
        let mut edges: Vec<(usize, &str, &str)> = (1..len)
            .map(|i| (i - 1, ids[i - 1].as_str(), ids[i].as_str()))
            .collect();
        if ring {
            edges.push((len - 1, ids[len - 1].as_str(), ids[0].as_str()));
        }
        GraphView::build(ids.iter().map(String::as_str), edges)
    }

    /// Runs `f` on a thread with `serve`'s worker-sized stack (2 MiB), so a recursion per node
    /// would overflow it long before 100,000 nodes.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn a_chain_of_100_000_nodes_on_a_small_stack() {
        let (cycles, ring_cycles, order_len, last_layer, reaches, doms) = on_small_stack(|| {
            let g = chain(100_000, false);
            let ring = chain(100_000, true);
            let order_len = g.topological_order().unwrap().len();
            let layers = g.layers(&["n0"]);
            let reaches = g.reaches_many(&[("n0", "n99999"), ("n99999", "n0")]);
            let doms = g.immediate_dominators("n0");
            let ring_cycles: Vec<usize> = ring.cycles().iter().map(Vec::len).collect();
            (
                g.cycles().len(),
                ring_cycles,
                order_len,
                layers["n99999"],
                reaches,
                doms["n99999"].map(str::to_string),
            )
        });
        assert_eq!(cycles, 0);
        assert_eq!(ring_cycles, vec![100_000]);
        assert_eq!(order_len, 100_000);
        assert_eq!(last_layer, 99_999);
        assert_eq!(reaches, vec![true, false]);
        assert_eq!(doms.as_deref(), Some("n99998"));
    }

    use proptest::prelude::*;

    /// A random graph: `n` nodes and edges between them (self-loops and parallel edges included).
    fn random_graph() -> impl Strategy<Value = GraphView> {
        (1usize..14).prop_flat_map(|n| {
            proptest::collection::vec((0..n, 0..n), 0..40).prop_map(move |pairs| {
                let ids: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
                let edges: Vec<(usize, &str, &str)> = pairs
                    .iter()
                    .enumerate()
                    .map(|(i, &(a, b))| (i, ids[a].as_str(), ids[b].as_str()))
                    .collect();
                GraphView::build(ids.iter().map(String::as_str), edges)
            })
        })
    }

    proptest! {
        /// The iterative passes give exactly what petgraph's recursive ones give.
        #[test]
        fn iterative_passes_match_petgraphs_recursive_ones(g in random_graph(), start in 0usize..14) {
            prop_assert_eq!(g.strongly_connected(), petgraph::algo::tarjan_scc(&g.graph));

            let start = NodeIndex::new(start % g.node_count());
            let order: Vec<NodeIndex> = std::iter::once(start).chain(g.graph.node_indices()).collect();
            let mut expected = HashSet::new();
            petgraph::visit::depth_first_search(&g.graph, order.clone(), |event| {
                if let petgraph::visit::DfsEvent::BackEdge(u, v) = event {
                    expected.insert((u, v));
                }
            });
            prop_assert_eq!(g.back_edges(order), expected);
        }
    }
}
