import cliProgress from 'cli-progress';

/** Rows, rate and ETA: a bar on a TTY, a plain log line every few seconds otherwise. */
export function progressReporter(label: string): { update(done: number, total?: number): void; stop(): void } {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let begun = false;
    return {
      update(done, total) {
        const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
        if (!begun) bar.start(total ?? done, done, { rate }), (begun = true);
        else {
          if (total !== undefined) bar.setTotal(total);
          bar.update(done, { rate });
        }
      },
      stop: () => begun && bar.stop(),
    };
  }
  let last = 0;
  return {
    update(done, total) {
      if (Date.now() - last < 2000 && done !== total) return;
      last = Date.now();
      const secs = (Date.now() - started) / 1000;
      const rate = done / Math.max(secs, 0.001);
      const eta = total && rate > 0 ? ` ETA ${Math.ceil((total - done) / rate)}s` : '';
      process.stderr.write(`${label}: ${done}${total ? `/${total}` : ''} rows, ${Math.round(rate)} rows/s${eta}\n`);
    },
    stop() {},
  };
}
