import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // Monaco's workers are ES modules since monaco-editor 0.56.
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:4300' },
  },
  preview: { host: '127.0.0.1' },
  build: { chunkSizeWarningLimit: 8000 },
});
