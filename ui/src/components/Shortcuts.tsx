// The keyboard shortcuts, listed in the app (press ? or the ? button).
export const SHORTCUTS: [string, string][] = [
  ["A, or double-click the canvas", "Add a step (quick-add search)"],
  ["Drag from a step's output to empty canvas", "Add a connected step"],
  ["Delete / Backspace", "Delete the selected steps and connections"],
  ["Ctrl+Z", "Undo"],
  ["Ctrl+Y, Ctrl+Shift+Z", "Redo"],
  ["Ctrl+C, Ctrl+V", "Copy and paste the selected steps"],
  ["Ctrl+F", "Find a step"],
  ["Ctrl+S", "Save now (edits are saved automatically too)"],
  ["Double-click a transition's label, or F2", "Edit its condition on the canvas"],
  ["Ctrl+Enter in a code field", "Apply the code"],
  ["Shift / Ctrl + click", "Select several steps"],
  ["?", "This list"],
];

export function Shortcuts({ onClose }: { onClose: () => void }) {
  return (
    <div className="modal" data-testid="shortcuts" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal-box narrow">
        <header>
          <h2>Keyboard shortcuts</h2>
          <button onClick={onClose} data-testid="shortcuts-close">Close</button>
        </header>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <td>
                  <kbd>{keys}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
