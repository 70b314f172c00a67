import type { ViewNode } from "../api/types";

/** Nodes whose label, id, type or detail contain every word of the query (case-insensitive); label matches first. */
export function searchNodes(nodes: ViewNode[], query: string): ViewNode[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const scored: { n: ViewNode; s: number }[] = [];
  for (const n of nodes) {
    const label = n.label.toLowerCase();
    const hay = `${label} ${n.id.toLowerCase()} ${n.type.toLowerCase()} ${(n.detail ?? "").toLowerCase()}`;
    if (!words.every((w) => hay.includes(w))) continue;
    const s = words.every((w) => label.includes(w)) ? (label.startsWith(words[0]) ? 0 : 1) : 2;
    scored.push({ n, s });
  }
  return scored.sort((a, b) => a.s - b.s).map((x) => x.n);
}
