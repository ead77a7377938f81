import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

// Guards a developer's own .env (CI has none); test/scripts/dot-env.test.ts makes the leak happen.
describe("the Worker's bindings", () => {
  it("never include DIRECT_URL (migrations are Node-side only)", () => {
    expect(Object.keys(env)).toContain("DATABASE_URL");
    expect(Object.keys(env)).not.toContain("DIRECT_URL");
  });
});
