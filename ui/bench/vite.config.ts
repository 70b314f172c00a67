import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The canvas bench's baseline page (bare @xyflow/react), built apart from the app into
// bench/dist so that nothing of it ships: `npm run bench:canvas` builds it.
export default defineConfig({
  root: import.meta.dirname + "/baseline",
  base: "./",
  plugins: [react()],
  logLevel: "warn",
  build: { outDir: import.meta.dirname + "/dist", emptyOutDir: true, target: "es2022" },
});
