// Edges with readable labels: a branch's or route's name on a Sim edge, a transition's condition
// on a journey edge. A transition's condition is edited where it is drawn: double-click its
// label (or the edge) and type; Enter saves it as one undoable step, Escape cancels.
import { createContext, memo, useContext, useState } from "react";
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from "@xyflow/react";

export interface EdgeEditing {
  editing: string | null;
  start: (id: string) => void;
  /** `text` null: cancelled. */
  finish: (id: string, text: string | null) => void;
}

export const EdgeEditContext = createContext<EdgeEditing>({ editing: null, start: () => undefined, finish: () => undefined });

function LabelInput({ id, initial }: { id: string; initial: string }) {
  const ctx = useContext(EdgeEditContext);
  const [text, setText] = useState(initial);
  return (
    <input
      autoFocus
      className="edge-label-input"
      value={text}
      placeholder="When the customer …"
      data-testid="edge-label-input"
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === "Enter") ctx.finish(id, text);
        if (e.key === "Escape") ctx.finish(id, null);
      }}
      onBlur={() => ctx.finish(id, text)}
    />
  );
}

export const LabeledEdge = memo(function LabeledEdge(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, label, markerEnd, style, selected, data } = props;
  const ctx = useContext(EdgeEditContext);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const editable = Boolean((data as { editable?: boolean } | undefined)?.editable);
  const editing = ctx.editing === id;
  const text = typeof label === "string" ? label : "";
  const show = text || editing || (editable && selected);
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={16} />
      {show && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label nodrag nopan${editable ? " editable" : ""}${selected ? " selected" : ""}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid="edge-label"
            data-edge={id}
            title={editable ? "Double-click to edit the condition" : undefined}
            onDoubleClick={(e) => {
              if (!editable) return;
              e.stopPropagation();
              ctx.start(id);
            }}
          >
            {editing ? <LabelInput id={id} initial={text} /> : text || <span className="muted">+ condition</span>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export const edgeTypes = { labeled: LabeledEdge };
