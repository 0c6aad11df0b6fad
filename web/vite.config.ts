import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard: built into web/dist and served by the API server (src/server/static.ts).
// `npm run dev:web` serves it with hot reload, passing the API through to a running `ledgerlink serve`/`demo`.
const api = process.env.LEDGERLINK_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: {
      output: {
        // React changes less often than the screens: its own file stays cached across releases.
        codeSplitting: {
          groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(
      ['/api', '/hooks', '/docs', '/openapi.json', '/health', '/ready'].map((p) => [
        p,
        { target: api, changeOrigin: false },
      ]),
    ),
  },
});
