// Vite build and dev server of the dashboard: reads @keel/api from its TS sources, proxies the API in dev.
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

// The server `pnpm dev` starts beside this one listens on PORT (3000 unless set).
const API_SERVER = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

/**
 * Only types and zod schemas may cross from @keel/api into the bundle (docs/architecture.md#layers). A stray runtime
 * import (a service, the router, the database) would drag argon2, pg or kysely into the browser
 * build, so the build fails instead of shipping it.
 */
function serverCodeGuard(): Plugin {
  const forbiddenPackage =
    /[\\/]node_modules[\\/](argon2|pg|pg-[a-z-]+|kysely|ioredis|pino|jose|fastify|@fastify)[\\/]/;
  const apiSource = /[\\/]packages[\\/](api|db)[\\/]src[\\/](.+)$/;
  const allowedApiFile = /^(schemas\.ts|modules[\\/]([a-z-]+[\\/])?[a-z-]+(\.[a-z-]+)*\.schema\.ts)$/;
  // @keel/db/schema: the table types and the list of roles the API's RoleSchema is built from.
  const allowedDbFile = /^schema\.ts$/;
  return {
    name: 'keel-server-code-guard',
    apply: 'build',
    generateBundle() {
      for (const id of this.getModuleIds()) {
        const path = id.split('?')[0] ?? id;
        const api = apiSource.exec(path);
        const allowed = api?.[1] === 'db' ? allowedDbFile : allowedApiFile;
        if (forbiddenPackage.test(path) || (api && !allowed.test(api[2] ?? ''))) {
          this.error(`server code in the dashboard bundle: ${path} (import only types and @keel/api/schemas)`);
        }
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), serverCodeGuard()],
  resolve: { conditions: ['@keel/source', ...defaultClientConditions] },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    // /auth/oidc: single sign-on's start and callback are server routes the browser navigates to.
    proxy: { '/trpc': API_SERVER, '/api': API_SERVER, '/health': API_SERVER, '/auth/oidc': API_SERVER },
  },
  preview: { host: '127.0.0.1', port: 4173 },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      output: {
        // The libraries in chunks of their own, loaded beside the app (not on demand: a chunk asked
        // for during an outage would fail the page) and cached across releases of the app's code.
        codeSplitting: {
          groups: [
            {
              name: 'charts',
              test: /[\\/]node_modules[\\/](recharts|d3-[a-z-]+|victory-vendor|@reduxjs|immer|reselect|react-redux|decimal\.js-light|es-toolkit)[\\/]/,
            },
            {
              name: 'react-aria',
              test: /[\\/]node_modules[\\/](react-aria[a-z-]*|@react-aria|@react-stately|@react-types|@internationalized|@swc)[\\/]/,
            },
            { name: 'vendor', test: /[\\/]node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
