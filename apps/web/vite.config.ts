import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // Monaco's workers are ES modules since monaco-editor 0.56.
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    // `jointflow up` on its default port. The browser's Origin is dropped so the API sees the
    // proxied calls as its own origin (it serves the built app itself in production).
    proxy: {
      '/api': {
        target: 'http://127.0.0.1:4300',
        configure: (proxy) => {
          proxy.on('proxyReq', (request) => request.removeHeader('origin'));
        },
      },
    },
  },
  preview: { host: '127.0.0.1' },
  build: { chunkSizeWarningLimit: 8000 },
});
