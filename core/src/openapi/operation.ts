import type { JsonObject, JsonValue } from '../contract/model.js';
import { pointer } from './findings.js';
import { HTTP_METHODS, atPointer, isObject } from './load.js';

/** A parameter an operation declares, its `$ref` resolved, with where it is in the document. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  /** The pointer of the parameter's schema, when it has one. */
  schemaPointer?: string;
  style?: string;
  explode?: boolean;
  pointer: string;
}

/** One operation: a method on a path template. */
export interface Operation {
  method: string;
  template: string;
  pointer: string;
  operation: JsonObject;
  parameters: Parameter[];
  /** The base paths of the servers that apply to it (`''` when none), longest first. */
  basePaths: string[];
  /** One matcher per template segment: a literal, or a regex capturing the parameters in it. */
  segments: Array<string | { regex: RegExp; names: string[] }>;
  literals: number;
}

/** The paths of the `servers` URLs with their variables set to their defaults (and each `enum` value). */
function basePaths(servers: JsonValue | undefined): string[] | undefined {
  if (!Array.isArray(servers) || servers.length === 0) return undefined;
  const out = new Set<string>();
  for (const server of servers) {
    if (!isObject(server) || typeof server.url !== 'string') continue;
    let urls = [server.url];
    const vars = isObject(server.variables) ? server.variables : {};
    for (const [name, def] of Object.entries(vars)) {
      if (!isObject(def)) continue;
      const values = [def.default, ...(Array.isArray(def.enum) ? def.enum : [])]
        .filter((x): x is string => typeof x === 'string')
        .slice(0, 8);
      urls = urls
        .flatMap((u) => [...new Set(values)].map((val) => u.split(`{${name}}`).join(val)))
        .slice(0, 64);
    }
    for (const u of urls) {
      let path: string;
      try {
        path = new URL(u, 'http://base.invalid/').pathname;
      } catch {
        continue;
      }
      out.add(decodeURIComponent(path).replace(/\/+$/, ''));
    }
  }
  out.add('');
  return [...out].sort((a, b) => b.length - a.length);
}

function parameter(doc: JsonObject, raw: JsonValue, at: string): Parameter | undefined {
  let p: JsonValue | undefined = raw;
  let ptr = at;
  for (let hops = 0; hops < 16 && isObject(p) && typeof p.$ref === 'string'; hops++) {
    ptr = p.$ref.slice(1);
    p = atPointer(doc, p.$ref);
  }
  if (!isObject(p) || typeof p.name !== 'string') return undefined;
  const where = p.in as Parameter['in'];
  let schemaPointer: string | undefined;
  if (p.schema !== undefined) schemaPointer = `${ptr}/schema`;
  else if (isObject(p.content)) {
    const [type] = Object.keys(p.content);
    if (
      type !== undefined &&
      isObject(p.content[type]) &&
      (p.content[type] as JsonObject).schema !== undefined
    )
      schemaPointer = `${ptr}/content/${type.replace(/~/g, '~0').replace(/\//g, '~1')}/schema`;
  }
  return {
    name: p.name,
    in: where,
    required: p.required === true || where === 'path',
    ...(schemaPointer === undefined ? {} : { schemaPointer }),
    ...(typeof p.style === 'string' ? { style: p.style } : {}),
    ...(typeof p.explode === 'boolean' ? { explode: p.explode } : {}),
    pointer: ptr,
  };
}

function segmentMatcher(segment: string): string | { regex: RegExp; names: string[] } {
  if (!segment.includes('{')) return segment;
  const names: string[] = [];
  const source = segment
    .split(/(\{[^}]*\})/)
    .map((part) => {
      const m = /^\{([^}]*)\}$/.exec(part);
      if (m === null) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1] as string);
      return '([^/]+)';
    })
    .join('');
  return { regex: new RegExp(`^${source}$`), names };
}

/** Every operation of a document, concrete paths before templated ones (as OpenAPI says they match). */
export function indexOperations(doc: JsonObject): Operation[] {
  const rootBases = basePaths(doc.servers) ?? [''];
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    const itemBases = basePaths(item.servers) ?? rootBases;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    const segments = template.split('/').slice(1).map(segmentMatcher);
    const literals = segments.filter((s) => typeof s === 'string').length;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const at = pointer('paths', template, method);
      const params = new Map<string, Parameter>();
      shared.forEach((raw, i) => {
        const p = parameter(doc, raw, `${pointer('paths', template, 'parameters')}/${i}`);
        if (p !== undefined) params.set(`${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`, p);
      });
      (Array.isArray(op.parameters) ? op.parameters : []).forEach((raw, i) => {
        const p = parameter(doc, raw, `${at}/parameters/${i}`);
        if (p !== undefined) params.set(`${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`, p);
      });
      ops.push({
        method,
        template,
        pointer: at,
        operation: op,
        parameters: [...params.values()],
        basePaths: basePaths(op.servers) ?? itemBases,
        segments,
        literals,
      });
    }
  }
  return ops.sort((a, b) => b.literals - a.literals);
}

/** The operation for a method and a path, with its path parameters' raw values; or why none. */
export type Lookup =
  | { found: true; operation: Operation; pathParams: Record<string, string> }
  | { found: false; pathExists: string | undefined };

function matchSegments(op: Operation, parts: string[]): Record<string, string> | undefined {
  if (op.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = op.segments[i];
    const part = parts[i] as string;
    if (typeof seg === 'string') {
      if (seg !== part && seg !== safeDecode(part)) return undefined;
      continue;
    }
    const m = seg?.regex.exec(part);
    if (m === null || m === undefined) return undefined;
    seg?.names.forEach((name, j) => {
      params[name] = safeDecode(m[j + 1] as string);
    });
  }
  return params;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Finds the operation for `method path`, trying each server base path, longest first. */
export function findOperation(ops: readonly Operation[], method: string, path: string): Lookup {
  const m = method.toLowerCase();
  let pathExists: string | undefined;
  for (const op of ops) {
    for (const base of op.basePaths) {
      if (base !== '' && path !== base && !path.startsWith(`${base}/`)) continue;
      const rest = path.slice(base.length);
      const params = matchSegments(op, (rest === '' ? '/' : rest).split('/').slice(1));
      if (params === undefined) continue;
      if (op.method === m) return { found: true, operation: op, pathParams: params };
      pathExists ??= op.template;
    }
  }
  return { found: false, pathExists };
}
