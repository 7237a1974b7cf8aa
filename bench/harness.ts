/** Small helpers shared by the benchmarks: timing loops and the ratio line every bench prints. */

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns operations/s. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, ms = 1000, batch = 100): Promise<number> {
  for (let i = 0; i < batch; i++) await fn();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let n = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) await fn();
    n += batch;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Prints `name: ours vs baseline (ratio ×)` — the one line format every bench uses. */
export function printRatio(name: string, ours: number, baseline: number, unit: string, baselineName: string): void {
  const ratio = ours / baseline;
  console.log(`${name}: ${fmt(ours)} ${unit} vs ${baselineName} ${fmt(baseline)} ${unit} (ratio ${ratio.toFixed(2)}x)`);
}
