import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('./renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));

// Tests use vitest.config.ts, so this file is only for building and serving the UI.
const app: UserConfig = {
  root: rendererRoot,
  // Relative asset URLs: the page is loaded from orrery:// in Electron and from the headless HTTP server.
  base: './',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    // Loaded from disk or loopback, never over a network: one bundle is fine.
    chunkSizeWarningLimit: 2000,
    // The polyfill is only for old browsers; Electron's Chromium has modulepreload.
    modulePreload: { polyfill: false },
  },
};

export default defineConfig(app);
