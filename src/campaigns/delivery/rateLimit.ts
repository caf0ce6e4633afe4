/**
 * A token bucket per channel: `rate` tokens a second, holding at most `burst` (a tenth of a second's worth,
 * at least one), so sends stay evenly spread rather than bunching at each second's start.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly burst: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = Math.max(1, Math.ceil(rate / 10));
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Resolves when a token is taken; callers are served in the order they asked. */
  take(): Promise<void> {
    const next = this.chain.then(() => this.wait());
    this.chain = next;
    return next;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000))));
    }
  }
}
