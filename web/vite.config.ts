import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// `npm run dev:web` serves the portal with hot reload and sends the API's paths to a running server (`npm start`).
const api = process.env.DVMM_API_URL ?? 'http://localhost:4000';

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names under assets/: the server caches those for good and revalidates index.html only.
    assetsDir: 'assets',
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    port: Number(process.env.DVMM_WEB_PORT ?? 5173),
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/auth': { target: api },
      // Only the CSV: /reports itself is a page of the app, which Vite serves.
      '/reports/usage.csv': { target: api },
    },
  },
});
