import type { Pace, SimCandidate as Candidate, SimEvent } from "../api/types";

export interface ChatLine {
  who: "customer" | "agent" | "tool" | "system";
  text: string;
}

/** Chat bubbles from simulator events; transitions and ties become short system lines. */
export function chatLines(events: SimEvent[]): ChatLine[] {
  const out: ChatLine[] = [];
  for (const e of events) {
    switch (e.type) {
      case "customer_message":
        out.push({ who: "customer", text: e.text });
        break;
      case "agent_message":
        out.push({ who: "agent", text: e.text });
        break;
      case "tool_call":
        out.push({ who: "tool", text: `${e.tool} → ${JSON.stringify(e.error ?? e.output ?? null)}` });
        break;
      case "transition":
        out.push({ who: "system", text: `${e.from} → ${e.to}${e.forced ? " (forced)" : ""}${e.condition ? ` · ${e.condition}` : ""}` });
        break;
      case "tie":
        out.push({ who: "system", text: `tie at ${e.state}; took ${e.chosen}` });
        break;
      case "no_match":
        out.push({ who: "system", text: `no transition matched at ${e.state}` });
        break;
      case "end":
        out.push({ who: "system", text: "journey ended" });
        break;
    }
  }
  return out;
}

/** What a pacing decision is called in the chat panel. */
export const PACE_LABELS: Record<Pace, string> = {
  activated: "Journey started",
  not_activated: "Waiting for activation",
  stayed: "Stayed",
  skipped: "Skipped",
  went_back: "Went back",
  exited: "Exited",
  resumed: "Resumed",
  last_step: "Last step",
  paused: "Paused",
};

/** One transition out of a step as the matcher scored it, in the order shown (best first). */
export interface CandidateRow {
  edge: string;
  target: string;
  condition: string;
  score: number;
  /** "paraphrase 0.83 · keywords 0.00" */
  parts: string;
  reason: string;
  winner: boolean;
  /** At or above the session's threshold. */
  passes: boolean;
}

/** The candidates of a transition or no-match, best first, the winner marked. */
export function candidateRows(candidates: Candidate[], winner: string | null, threshold: number): CandidateRow[] {
  return [...candidates]
    .sort((a, b) => b.score - a.score || Number(b.edge === winner) - Number(a.edge === winner))
    .map((c) => ({
      edge: c.edge,
      target: c.target,
      condition: c.condition ?? "(unconditional)",
      score: c.score,
      parts:
        c.condition === undefined || c.reason.startsWith("not scored")
          ? c.reason
          : [c.semantic !== undefined ? `paraphrase ${c.semantic.toFixed(2)}` : null, `keywords ${c.keyword.toFixed(2)}`].filter(Boolean).join(" · "),
      reason: c.reason,
      winner: c.edge === winner,
      passes: c.score >= threshold,
    }));
}

/** The events of one call (start, a message, a forced branch), kept together in the log. */
export type Turn = SimEvent[];

/** A turn's headline for the decision it made: where the journey went, or that it stayed. */
export function turnSummary(turn: Turn): string {
  const moves = turn.filter((e) => e.type === "transition").map((e) => (e.type === "transition" ? e.to : ""));
  const paces = turn.filter((e) => e.type === "pacing").map((e) => (e.type === "pacing" ? PACE_LABELS[e.decision] : ""));
  const parts: string[] = [];
  if (paces.length) parts.push(paces.join(", "));
  if (moves.length) parts.push(`→ ${moves.join(" → ")}`);
  if (!parts.length && turn.some((e) => e.type === "no_match")) parts.push("no transition matched");
  return parts.join(" · ");
}

/** Where a pacing rule is in Parlant's source, short: its file names ("journey_backtrack_check.py and ..."). */
export function ruleSource(rule: string): string {
  const text = rule.replace(/^parlant \d+\.\d+\.\d+ /, "");
  const [files, ...what] = text.split(": ");
  const short = files.replace(/\S*\//g, "");
  return what.length ? `${short}: ${what.join(": ")}` : short;
}
