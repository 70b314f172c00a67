import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The desktop shell loads http://127.0.0.1:5173 in development (tauri.conf.json `build.devUrl`)
// and the built files in ui/dist otherwise (`build.frontendDist`).
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
  },
  preview: {
    host: "127.0.0.1",
    port: 4173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ (Debian 12) and current Chromium both handle ES2021.
    target: "es2021",
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
