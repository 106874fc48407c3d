/** HTML that is already safe to embed (escaped, or built by {@link html}). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(String(part));
}

/** A template that escapes every interpolated value unless it is {@link Html} (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as Part) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Marks trusted markup (an SVG drawn here) as HTML. */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** A link into the broker's pages, with its query. */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const q = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return q.length === 0
    ? path
    : `${path}?${q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

const NAV: Array<[string, string]> = [
  ['/', 'Integrations'],
  ['/ui/network', 'Network'],
  ['/ui/matrix', 'Matrix'],
  ['/ui/can-i-deploy', 'Can I deploy?'],
  ['/ui/environments', 'Environments'],
  ['/ui/webhooks', 'Webhooks'],
];

/** The pages' one style sheet, inline; the Content-Security-Policy allows it by its hash. */
export const CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #5b6470; --bg: #fff; --panel: #f4f6f8; --line: #d6dbe1; --ok: #1a7f37; --bad: #c62828; --unknown: #8a6d00; --link: #0b5cad; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ed; --muted: #a3acb7; --bg: #14171a; --panel: #1d2126; --line: #343a42; --ok: #4ac26b; --bad: #ff7b72; --unknown: #e3b341; --link: #6cb6ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; z-index: 1; }
header { border-bottom: 1px solid var(--line); background: var(--panel); }
header .bar { max-width: 72rem; margin: 0 auto; padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; }
header .brand { font-weight: 700; font-size: 1.15rem; color: var(--fg); text-decoration: none; }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--fg); }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; } h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; } h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
.muted { color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; min-width: 32rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.status { font-weight: 600; white-space: nowrap; }
.status.ok { color: var(--ok); } .status.bad { color: var(--bad); } .status.unknown { color: var(--unknown); }
.verdict { border: 2px solid; border-radius: .5rem; padding: .75rem 1rem; margin: 1rem 0; }
.verdict.ok { border-color: var(--ok); } .verdict.bad { border-color: var(--bad); } .verdict.unknown { border-color: var(--unknown); }
.verdict p { margin: .25rem 0; } .verdict h2 { margin: .25rem 0 .5rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; background: var(--panel); padding: .75rem; border-radius: .5rem; }
form.filters label { display: flex; flex-direction: column; font-size: .9rem; gap: .2rem; }
input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: .35rem; background: var(--bg); color: var(--fg); min-height: 2.5rem; }
button { background: var(--link); color: #fff; border-color: var(--link); cursor: pointer; }
article.interaction { border: 1px solid var(--line); border-radius: .5rem; padding: .25rem 1rem .75rem; margin: 1rem 0; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
pre { background: var(--panel); padding: .6rem; border-radius: .35rem; overflow-x: auto; font-size: .85rem; margin: .25rem 0; }
ul.rules { margin: .25rem 0; padding-left: 1.2rem; font-size: .95rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.network { max-width: 100%; height: auto; max-height: 80vh; border: 1px solid var(--line); border-radius: .5rem; background: var(--panel); }
.network text { fill: var(--fg); font: 13px system-ui, sans-serif; }
.network .node rect { fill: var(--bg); stroke: var(--muted); }
.network a:focus rect, .network a:hover rect { stroke: var(--link); stroke-width: 3; }
.network .edge { fill: none; stroke-width: 2; }
.network .edge.ok { stroke: var(--ok); } .network .edge.bad { stroke: var(--bad); } .network .edge.unknown { stroke: var(--unknown); stroke-dasharray: 6 4; }
.network .arrow.ok { fill: var(--ok); } .network .arrow.bad { fill: var(--bad); } .network .arrow.unknown { fill: var(--unknown); }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1rem; font-size: .9rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.left { text-align: left; }
.changes { overflow-wrap: anywhere; }
@media (max-width: 40rem) { body { font-size: 15px; } main { padding: .75rem; } h1 { font-size: 1.35rem; } }
`;

/** A whole page: the header and navigation, one `main`, and the styles. */
export function page(title: string, current: string, body: Html): string {
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Treaty broker</title>
<style>${raw(CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><div class="bar"><a class="brand" href="/">Treaty broker</a>
<nav aria-label="Main"><ul>${NAV.map(([path, label]) => html`<li><a href="${path}"${raw(path === current ? ' aria-current="page"' : '')}>${label}</a></li>`)}</ul></nav></div></header>
<main id="main">
${body}
</main>
</body>
</html>`}`;
}

/** How long ago, in words, for a timestamp (absolute time in the title attribute). */
export function ago(iso: string, now: number): Html {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const text =
    seconds < 60
      ? 'just now'
      : seconds < 3600
        ? `${Math.round(seconds / 60)} min ago`
        : seconds < 86400
          ? `${Math.round(seconds / 3600)} h ago`
          : `${Math.round(seconds / 86400)} days ago`;
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`;
}
