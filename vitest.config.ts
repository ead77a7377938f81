import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import type { WorkerStack } from "./test/setup/worker-stack";

/**
 * The Worker under test, in workerd, against the stack that test/setup/worker-stack.ts starts
 * (a real Postgres behind the local Neon proxy). `db` picks the database under the proxy.
 */
function workerProject(db: "postgres" | "pglite", include: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const stack = inject<WorkerStack>("workerStack");
        return {
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: {
            // Only what wrangler dev gets from .dev.vars: the pooled-style URL and the local proxy.
            bindings: {
              DATABASE_URL: stack.databaseUrl,
              NEON_LOCAL_PROXY: stack.neonProxy,
              // The write-route secret and the CORS allow-list the API tests expect.
              API_TOKEN: "test-api-token-0123456789",
              CORS_ORIGINS: "https://app.example.test",
            },
          },
        };
      }),
    ],
    test: {
      name: `worker (${db})`,
      include,
      globalSetup: ["./test/setup/worker-stack.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "local-neon",
          environment: "node",
          include: ["test/local-neon/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "scripts",
          environment: "node",
          include: ["test/scripts/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      workerProject("postgres", ["test/worker/**/*.test.ts"]),
      // The embedded fallback (PGlite) gets the smoke subset; the local-neon project covers it fully.
      workerProject("pglite", ["test/worker/smoke.test.ts"]),
    ],
  },
});
