// Holds work items for a fixed delay while keeping their order (latency injection).
export class DelayQueue {
  private items: { due: number; run: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** Runs `run` after `delayMs`, never before anything queued earlier. */
  push(delayMs: number, run: () => void): void {
    if (delayMs <= 0 && this.items.length === 0) {
      run();
      return;
    }
    const last = this.items[this.items.length - 1];
    this.items.push({ due: Math.max(Date.now() + delayMs, last?.due ?? 0), run });
    this.arm();
  }

  clear(): void {
    this.items = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer || this.items.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = Date.now();
        while (this.items.length && this.items[0]!.due <= now) this.items.shift()!.run();
        this.arm();
      },
      Math.max(0, this.items[0]!.due - Date.now()),
    );
  }
}
