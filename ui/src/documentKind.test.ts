import { describe, expect, it } from "vitest";
import { documentKindLabel, isDocumentKind, windowTitle } from "./documentKind";

describe("documentKindLabel", () => {
  it("labels the known kinds", () => {
    expect(documentKindLabel("sim-workflow")).toBe("Sim workflow");
    expect(documentKindLabel("parlant-journey")).toBe("Parlant journey");
  });

  it("reads the core's spellings", () => {
    expect(documentKindLabel("sim")).toBe("Sim workflow");
    expect(documentKindLabel("parlant_journey")).toBe("Parlant journey");
    expect(documentKindLabel("hasOwnProperty")).toBe("Unknown (hasOwnProperty)");
  });

  it("marks unknown and empty kinds instead of guessing", () => {
    expect(documentKindLabel("bpmn")).toBe("Unknown (bpmn)");
    expect(documentKindLabel("")).toBe("Unknown (empty)");
  });

  it("does not treat Object.prototype members as kinds", () => {
    expect(isDocumentKind("toString")).toBe(false);
    expect(documentKindLabel("constructor")).toBe("Unknown (constructor)");
  });
});

describe("windowTitle", () => {
  it("is the app name without a document", () => {
    expect(windowTitle(null)).toBe("Journey Studio");
  });

  it("names the document, its kind and unsaved changes", () => {
    expect(windowTitle({ name: "support", kind: "parlant-journey" })).toBe(
      "support — Parlant journey — Journey Studio",
    );
    expect(windowTitle({ name: "  ", kind: "sim-workflow", dirty: true })).toBe(
      "• Untitled — Sim workflow — Journey Studio",
    );
  });
});
