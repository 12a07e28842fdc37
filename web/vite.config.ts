import { defineConfig } from 'vite';
import { sizeBudget } from './build/size-budget';
import { thirdPartyNotices } from './build/third-party-notices';

export default defineConfig({
  // Relative asset URLs: the page works wherever the server mounts it (also behind a proxy path).
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
  },
  plugins: [thirdPartyNotices({ fileName: 'THIRD_PARTY_NOTICES.txt' }), sizeBudget()],
  server: {
    // `npm run dev` talks to a server started separately (the mock or qwen-edge serve).
    proxy: {
      '/v1': process.env.QE_DEV_API ?? 'http://127.0.0.1:8080',
      '/health': process.env.QE_DEV_API ?? 'http://127.0.0.1:8080',
    },
  },
});
