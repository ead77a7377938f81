// The deploy bundle's gzip size stays within the budget (docs/PERFORMANCE.md). Builds exactly what
// `wrangler deploy` would upload (--dry-run), so it needs `npm run build` first, as npm test does.
import { describe, expect, it } from "vitest";
import { GZIP_BUDGET_KIB, measureBundle } from "../src/bundle";

describe("bundle budget", () => {
  it(`gzip total is at most ${GZIP_BUDGET_KIB} KiB`, async () => {
    const size = await measureBundle();
    const detail = size.files.map((f) => `${f.name} ${f.kib} KiB (gzip ${f.gzipKiB})`).join(", ");
    const message = `bundle is ${size.gzipKiB} KiB gzip (${size.totalKiB} KiB raw), over the ${GZIP_BUDGET_KIB} KiB budget: ${detail}`;
    expect(size.gzipKiB <= GZIP_BUDGET_KIB, message).toBe(true);
    console.log(
      `bundle: ${size.totalKiB} KiB, gzip ${size.gzipKiB} KiB (budget ${GZIP_BUDGET_KIB}); wasm ${Math.round(size.wasmShare * 100)}% of gzip`,
    );
  });
});
