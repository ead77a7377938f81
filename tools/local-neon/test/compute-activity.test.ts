// The compute's idle → wake-up rule on a clock the test controls (no sleeping, no timing).
import { describe, expect, it } from "vitest";
import { ComputeActivity, NO_FAULTS } from "../src/proxy/faults.js";

function compute(idleAfterMs: number) {
  let now = 1_000_000;
  let wakeups = 0;
  const activity = new ComputeActivity(
    () => ({ ...NO_FAULTS, wakeupDelayMs: 1, idleAfterMs }),
    () => wakeups++,
    () => now,
  );
  const connection = async () => {
    await activity.begin();
    activity.end();
  };
  return { activity, connection, wakeups: () => wakeups, advance: (ms: number) => (now += ms) };
}

describe("ComputeActivity", () => {
  it("starts suspended, then wakes only after idleAfterMs with no connection", async () => {
    const c = compute(150);
    await c.connection();
    expect(c.wakeups()).toBe(1);
    c.advance(149);
    await c.connection();
    expect(c.wakeups()).toBe(1);
    c.advance(150);
    await c.connection();
    expect(c.wakeups()).toBe(2);
  });

  it("never suspends while a connection is open", async () => {
    const c = compute(150);
    await c.connection();
    await c.activity.begin(); // a long-lived connection
    c.advance(10_000);
    await c.connection();
    c.activity.suspend();
    await c.connection();
    expect(c.wakeups()).toBe(1);
    c.activity.end();
  });

  it("suspend() makes the next connection wake the compute at once", async () => {
    const c = compute(300_000);
    await c.connection();
    c.activity.suspend();
    await c.connection();
    expect(c.wakeups()).toBe(2);
  });
});
