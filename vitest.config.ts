import { createRequire } from "node:module";
import path from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import type { WorkerStackDb } from "./test/setup/worker-stack";

// .env holds DIRECT_URL for the Node scripts: wrangler's config reader must not hand it to the Worker.
process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "false";

/**
 * The Worker under test, in workerd, against the stack that test/setup/worker-stack.ts starts
 * (a real Postgres behind the local Neon proxy). `db` picks the stack; "hyperdrive" also binds
 * HYPERDRIVE (to the local Neon's TCP endpoint), so every route takes the Hyperdrive path.
 */
function workerProject(db: WorkerStackDb, project: WorkerProject): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const stack = inject("workerStacks")[db];
        const issuer = inject("issuer");
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
              // Defaults, stated so that a developer's .dev.vars cannot change what the tests see.
              DATABASE_SCHEMA: "",
              PUBLIC_DOCS: "",
              MAX_BODY_BYTES: "",
              DB_CONNECT_TIMEOUT_MS: "",
              LOCAL_ALLOWED_HOSTS: "",
              PRISMA_SPEED_LAYER: "",
              // JWT auth against the run's local identity provider; tests sign with its keys (test/worker/tokens.ts).
              JWKS_URL: issuer.jwksUrl,
              JWT_ISSUER: issuer.issuer,
              JWT_AUDIENCE: issuer.audience,
              ...project.bindings,
            },
            ...(db === "hyperdrive" ? { hyperdrives: { HYPERDRIVE: stack.hyperdriveUrl } } : {}),
          },
        };
      }),
    ],
    test: {
      name: project.name ?? `worker (${db})`,
      // Tells a test file which of the stacks its Worker is bound to (see test/worker/stack.ts).
      provide: { workerStackDb: db },
      include: project.include,
      exclude: project.exclude ?? [],
      // The app's tests share one module graph per project (a fresh isolate per file spent most of
      // the run importing the same modules again); the speed layer's read isolate-wide state.
      isolate: project.isolate ?? false,
      setupFiles: project.setupFiles ?? [],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}

interface WorkerProject {
  name?: string;
  include: string[];
  exclude?: string[];
  isolate?: boolean;
  setupFiles?: string[];
  bindings?: Record<string, string>;
}

/** The app's tests (npm test), and the speed layer's own, one isolate per file. */
const appTests = { include: ["test/worker/**/*.test.ts"], exclude: ["test/worker/speed/**"] };
/** Tests that touch no database (auth, rate limits, on frames of their own) run on one path only. */
const appTestsAgain = {
  ...appTests,
  exclude: [...appTests.exclude, "test/worker/auth-jwt.test.ts", "test/worker/rate-limit.test.ts"],
};
const speedLayerTests = {
  include: ["test/worker/speed/**/*.test.ts"],
  isolate: true,
  setupFiles: ["test/worker/speed/setup.ts"],
};

// pg's require("pg-cloudflare") must reach the real CloudflareSocket, not the empty stub its
// package exports to non-worker conditions ("CloudflareSocket is not a constructor"). Only a
// root-level alias takes effect (a project-level alias or conditions do not).
const pgCloudflare = path.join(
  path.dirname(createRequire(import.meta.url).resolve("pg-cloudflare/package.json")),
  "dist/index.js",
);

export default defineConfig({
  resolve: { alias: { "pg-cloudflare": pgCloudflare } },
  test: {
    // Console output (the Worker's JSON request logs among it) only for tests that fail;
    // `npx vitest run --silent=false` shows all of it.
    silent: "passed-only",
    // At the root, not in the worker projects: it is Node code and must not be resolved with the
    // Workers plugin's conditions (ws would resolve to its browser stub).
    globalSetup: ["./test/setup/worker-stack.ts"],
    projects: [
      {
        test: {
          name: "local-neon",
          environment: "node",
          include: ["tools/local-neon/test/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "local-issuer",
          environment: "node",
          include: ["tools/local-issuer/test/**/*.test.ts"],
          testTimeout: 30_000,
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
      {
        test: {
          name: "local-postgres",
          environment: "node",
          include: ["tools/local-postgres/test/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "prisma-offline",
          environment: "node",
          include: ["tools/prisma-offline/test/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "docs",
          environment: "node",
          include: ["test/docs/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The deploy bundle in plain workerd: its budgets (size, startup CPU, a fresh isolate's first
        // request), and requests sharing an isolate (isolation.test.ts).
        test: {
          name: "bench",
          environment: "node",
          include: ["tools/bench/test/**/*.test.ts"],
          testTimeout: 120_000,
        },
      },
      {
        // Faults, load and fuzz against the Worker on its own stack (tools/reliability).
        test: {
          name: "reliability",
          environment: "node",
          include: ["tools/reliability/test/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Type-level tests (*.test-d.ts): the hc client's types, checked by tsc, not run.
        test: {
          name: "types",
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ["test/**/*.test-d.ts"],
            tsconfig: "test/worker/tsconfig.json",
          },
        },
      },
      workerProject("postgres", appTests),
      // The whole suite again on the Hyperdrive path (PrismaPg over the binding).
      workerProject("hyperdrive", appTestsAgain),
      workerProject("postgres", { ...speedLayerTests, name: "speed layer (postgres)" }),
      workerProject("hyperdrive", { ...speedLayerTests, name: "speed layer (hyperdrive)" }),
      // The embedded fallback (PGlite) gets the smoke subset; the local-neon project covers it fully.
      workerProject("pglite", { include: ["test/worker/smoke.test.ts"] }),
      // The app's suite with the speed layer off (stock Prisma clients): test:starter, so CI.
      workerProject("postgres", {
        ...appTests,
        name: "stock prisma (postgres)",
        bindings: { PRISMA_SPEED_LAYER: "off" },
      }),
      workerProject("hyperdrive", {
        ...appTestsAgain,
        name: "stock prisma (hyperdrive)",
        bindings: { PRISMA_SPEED_LAYER: "off" },
      }),
    ],
  },
});
