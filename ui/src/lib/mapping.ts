import type { Mapping } from "../api/types";

export type Side = "workflow" | "journey";

/** The ids on the other side mapped to `id` (a Sim block <-> journey states, or edges). */
export function counterparts(mapping: Mapping, side: Side, id: string): string[] {
  const out: string[] = [];
  for (const n of mapping.nodes) {
    if (side === "workflow" && n.block_id === id) out.push(n.state_id);
    if (side === "journey" && n.state_id === id) out.push(n.block_id);
  }
  for (const e of mapping.edges) {
    if (side === "workflow" && e.sim_edge_id === id && e.transition_id) out.push(e.transition_id);
    if (side === "journey" && e.transition_id === id && e.sim_edge_id) out.push(e.sim_edge_id);
  }
  return [...new Set(out)];
}

/** Which side a document kind is on. */
export function sideOf(kind: string): Side {
  return kind.includes("journey") ? "journey" : "workflow";
}
