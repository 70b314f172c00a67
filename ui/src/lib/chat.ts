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
