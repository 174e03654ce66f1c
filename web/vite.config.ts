// The console's production build: served by the API at /app (src/api/web-console.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in the served build: smaller, and nothing of the source ships to browsers.
    sourcemap: false,
    // The charts (recharts) load only with the dashboard: pages are split by route (React.lazy).
    chunkSizeWarningLimit: 1200,
  },
});
