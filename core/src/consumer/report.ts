import type { HttpInteraction } from '../contract/model.js';
import type { ReceivedRequest } from './mock-server.js';

function describeRequest(i: HttpInteraction): string {
  return `${i.request.method} ${i.request.path}`;
}

/** A readable report of what went wrong in a consumer test, or undefined when all is well. */
export function renderReport(
  missing: readonly HttpInteraction[],
  unmatched: readonly ReceivedRequest[],
): string | undefined {
  if (missing.length === 0 && unmatched.length === 0) return undefined;
  const lines: string[] = ['The consumer test did not meet its contract, so no contract file was written.'];
  for (const r of unmatched) {
    lines.push(
      '',
      `Unexpected request: ${r.request.method} ${r.request.path}` +
        `${Object.keys(r.request.query).length > 0 ? ` ${JSON.stringify(r.request.query)}` : ''}`,
    );
    if (r.refused !== undefined) lines.push(`  ${r.refused}`);
    for (const c of r.closest) {
      lines.push(`  closest interaction '${c.description}' differs:`);
      for (const m of c.mismatches) lines.push(`    - ${m.message}`);
    }
  }
  for (const i of missing)
    lines.push('', `Expected but not received: '${i.description}' (${describeRequest(i)})`);
  return lines.join('\n');
}
