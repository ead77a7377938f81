// `npm run bench:auth [-- --rtt 25 --samples 200 --cold-samples 5 --out bench/results/auth]`
// What a user's JWT costs: GET /users/{id} over Neon HTTP, on the app and on its raw twin, each with
// the service token and with a user's JWT (EdDSA, from a local issuer), warm p50s interleaved on one
// isolate; and a fresh isolate's first request with each, the JWT's including the JWKS fetch (from
// the local issuer on loopback: a real provider adds its own round trip to that first request).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateIssuerKeys, mintToken, startLocalIssuer } from "@starter/local-issuer";
import { onShutdown } from "@starter/local-neon";
import { benchCases, type RequestSpec } from "./cases";
import { buildColdBundles, type ColdResult, interleavedCold, startPathWorker } from "./cold";
import { createFixtures } from "./fixtures";
import { percentile, sendOk } from "./measure";
import { startBenchStack } from "./stack";

const { values: flags } = parseArgs({
  options: {
    rtt: { type: "string", default: "25" },
    samples: { type: "string", default: "200" },
    "cold-samples": { type: "string", default: "5" },
    out: { type: "string", default: "bench/results/auth" },
  },
});
const [rttMs, samples, coldSamples] = [flags.rtt, flags.samples, flags["cold-samples"]].map(Number) as [
  number,
  number,
  number,
];
const log = (line: string) => console.log(`[bench:auth] ${line}`);
const round = (ms: number) => Math.round(ms * 100) / 100;
const AUDIENCE = "https://bench.example.test";

async function main(): Promise<void> {
  const stack = await startBenchStack(rttMs);
  onShutdown(() => stack.stop());
  const keys = await generateIssuerKeys();
  const issuer = await startLocalIssuer({ keys });
  const settings = { JWKS_URL: issuer.jwksUrl, JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: AUDIENCE };
  const key = keys.find((k) => k.alg === "EdDSA")!;
  const jwt = await mintToken(
    key,
    { sub: "bench-user" },
    { issuer: issuer.issuer, audience: AUDIENCE, ttlSeconds: 3600 },
  );
  try {
    const fixtures = await createFixtures(stack.directUrl);
    const read = benchCases(fixtures).find((c) => c.name === "GET /users/{id}" && c.transport === "http")!;
    const withJwt = (spec: RequestSpec): RequestSpec => ({
      ...spec,
      headers: { ...spec.headers, Authorization: `Bearer ${jwt}` },
    });
    const sides: Record<string, RequestSpec> = {
      "raw, service token": read.raw,
      "raw, JWT": withJwt(read.raw),
      "app, service token": read.prisma,
      "app, JWT": withJwt(read.prisma),
    };
    const bundles = await buildColdBundles();
    try {
      const worker = await startPathWorker(stack, bundles.warmedUp, "http", settings);
      const times = new Map(Object.keys(sides).map((name) => [name, [] as number[]]));
      try {
        for (let i = 0; i < 5; i++) for (const spec of Object.values(sides)) await sendOk(worker.origin, spec);
        for (let i = 0; i < samples; i++) {
          for (const [name, spec] of Object.entries(sides)) times.get(name)!.push(await sendOk(worker.origin, spec));
        }
      } finally {
        await worker.stop();
      }
      const warm = Object.fromEntries([...times].map(([name, t]) => [name, round(percentile(t, 50))]));
      log(`warm p50: ${JSON.stringify(warm)}`);
      const hitsBefore = Object.values(issuer.jwksHits()).reduce((a, b) => a + b, 0);
      const cold = (await interleavedCold(
        stack,
        Object.fromEntries(
          Object.entries(sides).map(([name, spec]) => [name, { bundle: bundles.warmedUp, spec, settings }]),
        ),
        coldSamples,
        "http",
      )) as Record<string, ColdResult>;
      const jwksFetches = Object.values(issuer.jwksHits()).reduce((a, b) => a + b, 0) - hitsBefore;
      const first = Object.fromEntries(Object.entries(cold).map(([name, r]) => [name, percentile(r.cold, 50)]));
      log(
        `first request (median ms): ${JSON.stringify(first)}; JWKS fetches ${jwksFetches} for ${coldSamples * 2} isolates with a JWT`,
      );
      write({ warm, first, jwksFetches });
    } finally {
      bundles.dispose();
    }
  } finally {
    await issuer.stop();
    await stack.stop();
  }
}

function write(r: { warm: Record<string, number>; first: Record<string, number>; jwksFetches: number }): void {
  const out = path.resolve(flags.out);
  mkdirSync(out, { recursive: true });
  const date = new Date().toISOString();
  writeFileSync(
    path.join(out, "results.json"),
    `${JSON.stringify({ date, rttMs, samples, coldSamples, ...r }, null, 2)}\n`,
  );
  const delta = (jwt: string, service: string, of: Record<string, number>) => round(of[jwt]! - of[service]!);
  const lines = [
    `# A user's JWT against the service token (${date})`,
    "",
    `\`npm run bench:auth\`: GET /users/{id} over Neon HTTP, RTT ${rttMs} ms, the deploy bundle in plain workerd.`,
    "The JWT is EdDSA from a local issuer on loopback; the service token is API_TOKEN.",
    "",
    `| | raw twin | app |`,
    "|---|---|---|",
    `| warm p50, service token (ms, ${samples} interleaved samples) | ${r.warm["raw, service token"]} | ${r.warm["app, service token"]} |`,
    `| warm p50, JWT | ${r.warm["raw, JWT"]} | ${r.warm["app, JWT"]} |`,
    `| JWT − service token, warm | ${delta("raw, JWT", "raw, service token", r.warm)} | ${delta("app, JWT", "app, service token", r.warm)} |`,
    `| a fresh isolate's first request, service token (median of ${coldSamples}) | ${r.first["raw, service token"]} | ${r.first["app, service token"]} |`,
    `| a fresh isolate's first request, JWT (JWKS fetch included) | ${r.first["raw, JWT"]} | ${r.first["app, JWT"]} |`,
    `| JWT − service token, first request | ${delta("raw, JWT", "raw, service token", r.first)} | ${delta("app, JWT", "app, service token", r.first)} |`,
    "",
    `JWKS fetches: ${r.jwksFetches} for ${coldSamples * 2} fresh isolates with a JWT (one each).`,
    "",
  ];
  writeFileSync(path.join(out, "results.md"), `${lines.join("\n")}`);
  log(`wrote ${path.join(out, "results.md")}`);
}

main().catch((error: unknown) => {
  console.error(`[bench:auth] error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
