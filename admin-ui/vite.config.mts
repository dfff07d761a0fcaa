import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Paths are resolved from this file, not the working directory: the build runs as
// `vite build --config admin-ui/vite.config.ts` from the repository root.
const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/admin-ui', import.meta.url));

// The Koa web role listens on 8080 in development (`npm run dev`).
const backend = 'http://localhost:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    // Never inline assets as data: URLs into scripts; the CSP allows data: for images only,
    // and separate hashed files cache better.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': backend,
      '/events': backend,
      '/healthz': backend,
    },
  },
});
