import type { SimEvent } from "../api/types";

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
        out.push({ who: "customer", text: String(e.text ?? e.message ?? "") });
        break;
      case "agent_message":
        out.push({ who: "agent", text: String(e.text ?? "") });
        break;
      case "tool_call":
        out.push({ who: "tool", text: `${String(e.tool)} → ${JSON.stringify(e.error ?? e.output ?? null)}` });
        break;
      case "transition":
        out.push({ who: "system", text: `${String(e.from)} → ${String(e.to)}${e.forced ? " (forced)" : ""}${e.condition ? ` · ${String(e.condition)}` : ""}` });
        break;
      case "tie":
        out.push({ who: "system", text: `tie at ${String(e.state)}; took ${String(e.chosen)}` });
        break;
      case "no_match":
        out.push({ who: "system", text: `no transition matched at ${String(e.state)}` });
        break;
      case "end":
        out.push({ who: "system", text: "journey ended" });
        break;
      default:
        out.push({ who: "system", text: e.type });
    }
  }
  return out;
}
