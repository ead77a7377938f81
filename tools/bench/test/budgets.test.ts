// What Cloudflare limits now (docs/PERFORMANCE.md, "Budgets"): a Worker may be 64 MiB uncompressed
// (the compressed limit went on 2026-09-04) and its startup must finish within 1 s of CPU. Both are
// checked on exactly what `wrangler deploy` would upload (--dry-run), so npm run build comes first,
// as npm test does. The budgets are generous on purpose: they catch a dependency that balloons or a
// module-scope step that grows by an order of magnitude, not the noise of a shared machine.
import { describe, expect, it } from "vitest";
import { checkStartup, measureBundle, SIZE_BUDGET_KIB, STARTUP_CPU_BUDGET_MS } from "../src/bundle";

describe("deploy budgets", () => {
  it(`the upload is at most ${SIZE_BUDGET_KIB / 1024} MiB uncompressed (Cloudflare's cap: 64 MiB)`, async () => {
    const size = await measureBundle();
    const detail = size.files.map((f) => `${f.name} ${f.kib} KiB`).join(", ");
    expect(size.totalKiB, `bundle is ${size.totalKiB} KiB: ${detail}`).toBeLessThanOrEqual(SIZE_BUDGET_KIB);
    console.log(`bundle: ${size.totalKiB} KiB (gzip ${size.gzipKiB}); budget ${SIZE_BUDGET_KIB} KiB`);
  });

  it(`startup takes at most ${STARTUP_CPU_BUDGET_MS} ms of active CPU (wrangler check startup; Cloudflare's limit: 1 s)`, async () => {
    const startup = await checkStartup();
    expect(startup.activeMs, `no Active line in: ${startup.lines.join("; ")}`).toBeTypeOf("number");
    expect(startup.activeMs!, startup.lines.join("; ")).toBeLessThanOrEqual(STARTUP_CPU_BUDGET_MS);
    console.log(`wrangler check startup: ${startup.lines.join("; ")}`);
  });
});
