// Shared helpers for the benchmarks: timing with medians, and readable output.
import { performance } from 'node:perf_hooks';

/**
 * Runs `fn` repeatedly for about `ms` milliseconds, `rounds` times, and returns the median rate
 * (calls per second) with the spread, so one noisy round on a shared machine does not decide.
 */
export function measure(fn, { ms = 1000, rounds = 5, warmup = 300 } = {}) {
  const until = performance.now() + warmup;
  while (performance.now() < until) fn();
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      fn();
      n++;
      now = performance.now();
    }
    rates.push((n * 1000) / (now - start));
  }
  rates.sort((a, b) => a - b);
  return { median: rates[Math.floor(rates.length / 2)], min: rates[0], max: rates[rates.length - 1], rounds };
}

export function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) =>
      r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '),
    )
    .join('\n');
}
