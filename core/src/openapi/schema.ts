import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, SchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonObject, JsonValue } from '../contract/model.js';
import { atPointer, isObject } from './load.js';

/**
 * Which way a value travels. Requests are checked against the schema as written (extra fields
 * pass unless forbidden; `required` holds; `readOnly` fields are flagged). Responses are read by a
 * consumer that may ignore fields: `required` is dropped (its misses become warnings elsewhere),
 * fields the schema does not declare fail unless it allows them, `writeOnly` fields fail, and a
 * `oneOf` accepts a value that fits any branch (a subset may fit several).
 */
export type Direction = 'request' | 'response';

/** How a schema is read: as it is written (`strict`), or with the consumer's subset in mind. */
export type Reading = 'strict' | 'subset';

/** The annotation every generated schema carries: the JSON pointer of its source in the document. */
export const POINTER_KEY = 'x-treaty-pointer';
/** The keyword that fails a field a response never carries (`writeOnly`). */
export const FORBIDDEN_KEY = 'x-treaty-forbidden';
/** The keyword that notes, without failing, a field a request should not send (`readOnly`). */
const NOTICE_KEY = 'x-treaty-notice';

/** A field a request sends that it should not, as noted while validating. */
export interface Notice {
  instancePath: string;
  pointer: string;
  why: string;
}

const DROPPED = new Set([
  'nullable',
  'discriminator',
  'xml',
  'externalDocs',
  'example',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

// OpenAPI's own formats, on top of ajv-formats' JSON Schema ones.
const NUMBER_FORMATS: Record<string, (value: number) => boolean> = {
  int32: (v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31,
  int64: (v) => Number.isInteger(v),
  float: () => true,
  double: () => true,
};
const STRING_FORMATS: Record<string, (value: string) => boolean> = {
  byte: (v) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v),
  binary: () => true,
  password: () => true,
};

const TRUE = {};
const FALSE = {};

interface Variant {
  direction: Direction;
  reading: Reading;
  /** A branch of allOf/anyOf/oneOf: it leaves closing the object to the schema that composes it. */
  member: boolean;
}

// Ajv (CommonJS, the largest thing core uses) is required with the first compiler, not loaded
// with @treaty/core: most programs that import core never check an OpenAPI document, and the
// compiler's constructor cannot wait for an import().
const require = createRequire(import.meta.url);
let loaded: { Ajv2020: typeof Ajv2020; formats: (ajv: Ajv2020) => unknown } | undefined;
function ajv(): NonNullable<typeof loaded> {
  loaded ??= {
    Ajv2020: (require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 }).Ajv2020,
    formats: (require('ajv-formats') as { default: (ajv: Ajv2020) => unknown }).default,
  };
  return loaded;
}

/**
 * Compiles a document's schemas for checking values, once: each schema is turned into JSON Schema
 * 2020-12 (3.0's `nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`) and into the reading
 * a direction needs, and every compiled validator is kept for the next contract.
 */
export class SchemaCompiler {
  private readonly ajv: Ajv2020;
  private readonly ids = new Map<string, string>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly branchValidators = new WeakMap<object, ValidateFunction>();
  private readonly closedBranches = new WeakMap<object, ValidateFunction>();
  private readonly reach = new WeakMap<object, Set<object>>();
  private readonly byId = new Map<string, SchemaObject | boolean>();
  private readonly notices: Notice[] = [];

  constructor(
    private readonly document: JsonObject,
    private readonly version: '3.0' | '3.1',
  ) {
    this.ajv = new (ajv().Ajv2020)({
      strict: false,
      allErrors: true,
      verbose: true,
      logger: false,
      unicodeRegExp: false,
      validateSchema: false,
      // Validators are compiled once per document and run a few times each: compiling fast
      // matters more than the last bit of speed in the generated code.
      code: { optimize: false },
    });
    ajv().formats(this.ajv);
    for (const [name, validate] of Object.entries(NUMBER_FORMATS))
      this.ajv.addFormat(name, { type: 'number', validate });
    for (const [name, validate] of Object.entries(STRING_FORMATS))
      this.ajv.addFormat(name, { type: 'string', validate });
    this.ajv.addKeyword({
      keyword: FORBIDDEN_KEY,
      errors: true,
      validate: function forbidden(why: string, _data: unknown, parent?: SchemaObject): boolean {
        (forbidden as unknown as { errors: Array<Partial<ErrorObject>> }).errors = [
          { keyword: FORBIDDEN_KEY, message: why, params: { pointer: parent?.[POINTER_KEY] ?? '' } },
        ];
        return false;
      },
    });
    this.ajv.addKeyword({
      keyword: NOTICE_KEY,
      validate: (
        why: string,
        _data: unknown,
        parent?: SchemaObject,
        cxt?: { instancePath: string },
      ): boolean => {
        this.notices.push({
          instancePath: cxt?.instancePath ?? '',
          pointer: String(parent?.[POINTER_KEY] ?? ''),
          why,
        });
        return true;
      },
    });
  }

  /** What the last validations noted (readOnly fields in requests); reading them clears them. */
  takeNotices(): Notice[] {
    return this.notices.splice(0);
  }

  /**
   * The validator of the schema at `ptr` (a JSON pointer into the document) for a direction and
   * reading. Throws a plain Error when Ajv cannot compile it (a bad `pattern`, say).
   */
  validator(ptr: string, direction: Direction, reading: Reading): ValidateFunction {
    const id = this.variant(ptr, { direction, reading, member: false });
    let v = this.validators.get(id);
    if (v === undefined) {
      v = this.ajv.getSchema(id);
      if (v === undefined) throw new Error(`no schema at ${ptr}`);
      this.validators.set(id, v);
    }
    return v;
  }

  /**
   * The validator of one branch of a composition (a schema this compiler generated), closed to
   * undeclared fields when the composition is.
   */
  branch(schema: SchemaObject | boolean, closed: boolean): ValidateFunction {
    const cache = closed ? this.closedBranches : this.branchValidators;
    const key = typeof schema === 'boolean' ? (schema ? TRUE : FALSE) : schema;
    let v = cache.get(key);
    if (v === undefined) {
      const s = typeof schema === 'boolean' ? (schema ? {} : { not: {} }) : schema;
      v = this.ajv.compile(
        closed ? { [POINTER_KEY]: s[POINTER_KEY], allOf: [s], unevaluatedProperties: false } : s,
      );
      cache.set(key, v);
    }
    return v;
  }

  /** Every generated schema object reachable from `schema` (refs followed), for telling whose an error is. */
  reachable(schema: SchemaObject): Set<object> {
    const hit = this.reach.get(schema);
    if (hit !== undefined) return hit;
    const seen = new Set<object>();
    const stack: unknown[] = [schema];
    while (stack.length > 0) {
      const s = stack.pop();
      if (typeof s !== 'object' || s === null || seen.has(s)) continue;
      seen.add(s);
      if (Array.isArray(s)) stack.push(...s);
      else {
        const ref = (s as { $ref?: unknown }).$ref;
        if (typeof ref === 'string') stack.push(this.byId.get(ref));
        stack.push(...Object.values(s));
      }
    }
    this.reach.set(schema, seen);
    return seen;
  }

  /** The schema at a pointer, following `$ref`s, for reading its keywords. */
  resolved(ptr: string): { schema: JsonValue | undefined; ptr: string } {
    let at = ptr;
    let schema = atPointer(this.document, at);
    for (let hops = 0; hops < 32 && isObject(schema) && typeof schema.$ref === 'string'; hops++) {
      at = schema.$ref.slice(1);
      schema = atPointer(this.document, at);
    }
    return { schema, ptr: at };
  }

  /** Registers (once) the generated schema for a pointer and variant; returns its id. */
  private variant(ptr: string, v: Variant): string {
    const key = `${v.direction}|${v.reading}|${v.member ? 'm' : 'o'}|${ptr}`;
    let id = this.ids.get(key);
    if (id !== undefined) return id;
    id = `https://treaty.invalid/schema/${this.ids.size}`;
    this.ids.set(key, id);
    const schema = this.transform(atPointer(this.document, ptr), ptr, v);
    this.byId.set(id, schema);
    this.ajv.addSchema(typeof schema === 'boolean' ? (schema ? {} : { not: {} }) : schema, id);
    return id;
  }

  /** Whether a schema allows, forbids or leaves open undeclared fields, over its composition. */
  private openness(
    schema: JsonValue | undefined,
    seen = new Set<JsonValue>(),
  ): 'open' | 'closed' | 'undeclared' {
    if (!isObject(schema) || seen.has(schema)) return 'undeclared';
    seen.add(schema);
    if (typeof schema.$ref === 'string')
      return this.openness(atPointer(this.document, schema.$ref.slice(1)), seen);
    const ap = schema.additionalProperties ?? schema.unevaluatedProperties;
    if (ap === true || isObject(ap) || isObject(schema.patternProperties)) return 'open';
    let result: 'closed' | 'undeclared' = ap === false ? 'closed' : 'undeclared';
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
      const members = schema[k];
      if (!Array.isArray(members)) continue;
      for (const m of members) {
        const o = this.openness(m, seen);
        if (o === 'open') return 'open';
        if (o === 'closed') result = 'closed';
      }
    }
    return result;
  }

  /** True when the property schema (following refs) is marked with `flag`. */
  private flagged(schema: JsonValue | undefined, flag: 'readOnly' | 'writeOnly'): boolean {
    for (let hops = 0; hops < 32 && isObject(schema); hops++) {
      if (schema[flag] === true) return true;
      if (typeof schema.$ref !== 'string') {
        const all = schema.allOf;
        return Array.isArray(all) && all.length === 1 && this.flagged(all[0], flag);
      }
      schema = atPointer(this.document, schema.$ref.slice(1));
    }
    return false;
  }

  private transform(schema: JsonValue | undefined, ptr: string, v: Variant): SchemaObject | boolean {
    if (typeof schema === 'boolean') return schema;
    if (!isObject(schema)) return true;
    const out: SchemaObject = { [POINTER_KEY]: ptr };
    const child = (s: JsonValue | undefined, at: string, member = false): SchemaObject | boolean =>
      this.transform(s, at, { ...v, member });
    if (typeof schema.$ref === 'string') {
      const ref = { $ref: this.variant(schema.$ref.slice(1), v) };
      // In 3.0 a $ref's siblings are ignored; in 3.1 they apply beside it.
      if (this.version === '3.0') return { [POINTER_KEY]: ptr, ...ref };
      Object.assign(out, ref);
    }
    const forbidden = v.direction === 'request' ? 'readOnly' : 'writeOnly';
    const hidden = new Set<string>();
    for (const [k, value] of Object.entries(schema)) {
      if (k === '$ref' || DROPPED.has(k) || k.startsWith('x-')) continue;
      switch (k) {
        case 'properties': {
          const props: SchemaObject = {};
          for (const [name, s] of Object.entries(isObject(value) ? value : {})) {
            const at = `${ptr}/properties/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
            if (this.flagged(s, forbidden)) {
              hidden.add(name);
              props[name] =
                forbidden === 'readOnly'
                  ? {
                      ...(child(s, at) as SchemaObject),
                      [NOTICE_KEY]: 'is readOnly: the provider sets it, a request should not send it',
                    }
                  : {
                      [POINTER_KEY]: at,
                      [FORBIDDEN_KEY]: 'is writeOnly: the provider never sends it in a response',
                    };
            } else props[name] = child(s, at);
          }
          out.properties = props;
          break;
        }
        case 'patternProperties':
        case 'dependentSchemas':
        case '$defs': {
          const m: SchemaObject = {};
          for (const [name, s] of Object.entries(isObject(value) ? value : {}))
            m[name] = child(s, `${ptr}/${k}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
          out[k] = m;
          break;
        }
        case 'items':
          out.items = Array.isArray(value)
            ? value.map((s, i) => child(s, `${ptr}/items/${i}`))
            : child(value, `${ptr}/items`);
          break;
        case 'prefixItems':
          out.prefixItems = Array.isArray(value)
            ? value.map((s, i) => child(s, `${ptr}/prefixItems/${i}`))
            : [];
          break;
        case 'additionalProperties':
        case 'unevaluatedProperties':
          if (isObject(value)) out[k] = child(value, `${ptr}/${k}`);
          else if (value === true) out[k] = true;
          // false is decided below, over the composition
          break;
        case 'not':
        case 'contains':
        case 'propertyNames':
        case 'if':
        case 'then':
        case 'else':
        case 'additionalItems':
        case 'unevaluatedItems':
          out[k] = child(value, `${ptr}/${k}`);
          break;
        case 'allOf':
        case 'anyOf':
        case 'oneOf': {
          const members = Array.isArray(value) ? value : [];
          let branches = members.map((s, i) => child(s, `${ptr}/${k}/${i}`, true));
          if (k !== 'allOf') branches = this.discriminate(schema, members, branches, ptr);
          // A consumer's subset may fit several branches; it fits when one accepts it.
          const keyword = k === 'oneOf' && v.direction === 'response' ? 'anyOf' : k;
          out[keyword] = branches;
          break;
        }
        case 'required':
          if (v.direction === 'response' && v.reading === 'subset') break;
          out.required = Array.isArray(value) ? value : [];
          break;
        case 'exclusiveMinimum':
        case 'exclusiveMaximum': {
          const bound = k === 'exclusiveMinimum' ? 'minimum' : 'maximum';
          if (typeof value === 'number') out[k] = value;
          else if (value === true && typeof schema[bound] === 'number') out[k] = schema[bound];
          break;
        }
        case 'minimum':
        case 'maximum': {
          const exclusive = k === 'minimum' ? schema.exclusiveMinimum : schema.exclusiveMaximum;
          if (exclusive !== true) out[k] = value;
          break;
        }
        case 'format':
          if (typeof value === 'string' && this.ajv.formats[value] !== undefined) out.format = value;
          break;
        default:
          out[k] = value;
      }
    }
    if (Array.isArray(out.required) && hidden.size > 0)
      out.required = (out.required as string[]).filter((n) => !hidden.has(n));
    if (this.version === '3.0' && schema.nullable === true) {
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    }
    this.close(schema, out, v);
    return out;
  }

  /**
   * Decides whether undeclared fields are refused, counting the fields every branch of a
   * composition declares (`unevaluatedProperties`), not only those beside the keyword: an
   * `additionalProperties: false` beside or inside `allOf` means "nothing but what the composition declares".
   */
  private close(schema: JsonObject, out: SchemaObject, v: Variant): void {
    if (v.member) return;
    const objectish =
      schema.type === 'object' ||
      (Array.isArray(schema.type) && schema.type.includes('object')) ||
      isObject(schema.properties) ||
      Array.isArray(schema.allOf) ||
      Array.isArray(schema.anyOf) ||
      Array.isArray(schema.oneOf);
    if (!objectish || out.additionalProperties !== undefined || out.unevaluatedProperties !== undefined)
      return;
    const openness = this.openness(schema);
    const closed =
      openness === 'closed' ||
      (openness === 'undeclared' && v.direction === 'response' && v.reading === 'subset');
    if (!closed) return;
    const composed =
      out.allOf !== undefined || out.anyOf !== undefined || out.oneOf !== undefined || out.$ref;
    if (composed) out.unevaluatedProperties = false;
    else out.additionalProperties = false;
  }

  /**
   * A discriminator picks the branch by the value of its property, with `mapping` or by schema
   * name; each branch then accepts only its own values of that property, so a value is checked
   * against the branch it names (and a subset without the property against any branch).
   */
  private discriminate(
    schema: JsonObject,
    members: JsonValue[],
    branches: Array<SchemaObject | boolean>,
    ptr: string,
  ): Array<SchemaObject | boolean> {
    const d = schema.discriminator;
    if (!isObject(d) || typeof d.propertyName !== 'string') return branches;
    const property = d.propertyName;
    const mapping = isObject(d.mapping) ? d.mapping : {};
    return branches.map((branch, i) => {
      const member = members[i];
      const ref = isObject(member) && typeof member.$ref === 'string' ? member.$ref : undefined;
      if (ref === undefined) return branch;
      const names = Object.entries(mapping)
        .filter(([, target]) => target === ref || (typeof target === 'string' && ref.endsWith(`/${target}`)))
        .map(([name]) => name);
      if (names.length === 0) names.push(ref.split('/').at(-1) ?? '');
      return {
        [POINTER_KEY]: `${ptr}/discriminator`,
        allOf: [
          branch,
          {
            [POINTER_KEY]: `${ptr}/discriminator`,
            properties: { [property]: { [POINTER_KEY]: `${ptr}/discriminator/mapping`, enum: names } },
          },
        ],
      };
    });
  }
}
