import { escapeHtml, href } from './html.js';

/** One contract between two services, with the state of its latest verification. */
export interface Edge {
  consumer: string;
  provider: string;
  status: 'ok' | 'bad' | 'unknown';
}

const BOX_H = 34;
const ROW_GAP = 22;
const COL_GAP = 110;
const CHAR_W = 7.6;

/**
 * Draws the services and their contracts as an SVG: consumers that nothing depends on on the left,
 * each provider one column right of its furthest consumer, arrows from consumer to provider,
 * coloured by the latest verification. Each service links to its matrix.
 */
export function networkSvg(nodes: string[], edges: Edge[]): string {
  if (nodes.length === 0) return '';
  const consumersOf = new Map<string, string[]>();
  for (const e of edges) consumersOf.set(e.provider, [...(consumersOf.get(e.provider) ?? []), e.consumer]);
  const layer = new Map<string, number>();
  const depth = (n: string, seen: Set<string>): number => {
    const known = layer.get(n);
    if (known !== undefined) return known;
    if (seen.has(n)) return 0; // a cycle: cut it here
    seen.add(n);
    const d =
      Math.max(-1, ...(consumersOf.get(n) ?? []).filter((c) => c !== n).map((c) => depth(c, seen))) + 1;
    seen.delete(n);
    layer.set(n, d);
    return d;
  };
  for (const n of nodes) depth(n, new Set());
  const columns: string[][] = [];
  for (const n of [...nodes].sort((a, b) => a.localeCompare(b))) {
    const at = layer.get(n) ?? 0;
    columns[at] = [...(columns[at] ?? []), n];
  }
  const widths = columns.map((col) => Math.max(90, ...(col ?? []).map((n) => n.length * CHAR_W + 24)));
  const xs: number[] = [];
  let x = 16;
  for (const w of widths) {
    xs.push(x);
    x += w + COL_GAP;
  }
  const height = Math.max(...columns.map((c) => (c ?? []).length)) * (BOX_H + ROW_GAP) + 16;
  const pos = new Map<string, { x: number; y: number; w: number }>();
  columns.forEach((col, i) => {
    const offset = (height - (col ?? []).length * (BOX_H + ROW_GAP)) / 2;
    (col ?? []).forEach((n, j) => {
      pos.set(n, {
        x: xs[i] as number,
        y: offset + j * (BOX_H + ROW_GAP) + ROW_GAP / 2,
        w: widths[i] as number,
      });
    });
  });
  const width = x - COL_GAP + 16;
  const paths = edges
    .map((e) => {
      const a = pos.get(e.consumer);
      const b = pos.get(e.provider);
      if (a === undefined || b === undefined) return '';
      const x1 = a.x + a.w;
      const y1 = a.y + BOX_H / 2;
      const x2 = b.x - 4;
      const y2 = b.y + BOX_H / 2;
      const mid = (x1 + x2) / 2;
      const d =
        x2 > x1
          ? `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`
          : `M${a.x + a.w / 2},${a.y + BOX_H} C${a.x + a.w / 2},${a.y + BOX_H + 40} ` +
            `${b.x + b.w / 2},${b.y + BOX_H + 40} ${b.x + b.w / 2},${b.y + BOX_H + 4}`;
      const label = `${e.consumer} → ${e.provider}: ${e.status === 'ok' ? 'verified' : e.status === 'bad' ? 'verification failed' : 'not verified'}`;
      return `<path class="edge ${e.status}" d="${d}" marker-end="url(#arrow-${e.status})"><title>${escapeHtml(label)}</title></path>`;
    })
    .join('');
  const boxes = [...pos.entries()]
    .map(
      ([n, p]) =>
        `<a class="node" href="${escapeHtml(href('/ui/matrix', { pacticipant: n }))}"><rect x="${p.x}" y="${p.y}" width="${p.w}" height="${BOX_H}" rx="6"/><text x="${p.x + p.w / 2}" y="${p.y + BOX_H / 2 + 4.5}" text-anchor="middle">${escapeHtml(n)}</text></a>`,
    )
    .join('');
  const marker = (s: string) =>
    `<marker id="arrow-${s}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow ${s}"/></marker>`;
  const title =
    `${nodes.length} service${nodes.length === 1 ? '' : 's'} and ` +
    `${edges.length} contract${edges.length === 1 ? '' : 's'}`;
  return (
    `<svg class="network" role="img" aria-labelledby="network-title" width="${Math.ceil(width * 1.3)}" ` +
    `viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="network-title">${title}</title>` +
    `<defs>${['ok', 'bad', 'unknown'].map(marker).join('')}</defs>${paths}${boxes}</svg>`
  );
}
