import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, SchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonObject, JsonValue } from '../contract/model.js';
import { pointer } from './findings.js';
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
/** Marks the schema that holds a oneOf/anyOf branch's discriminator property to the values naming it. */
export const DISCRIMINATOR_KEY = 'x-treaty-discriminator';
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
  /**
   * What composes it: `allOf` (its fields join the composition's, which decides whether the object
   * is closed), `branch` (of anyOf/oneOf: a value fits it alone, so it closes itself), or nothing.
   */
  member: 'allOf' | 'branch' | undefined;
  /** Fields the composition around it declares: its additionalProperties and closing leave them alone. */
  declared: readonly string[];
  /** Reached as an allOf member: a discriminator here is its includer's base and picks nothing. */
  inherited: boolean;
}

const COMPOSITIONS = ['allOf', 'anyOf', 'oneOf'] as const;

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
  /** Each schema's pointer → the components that name it in their allOf (filled on first use). */
  private subschemas: Map<string, string[]> | undefined;

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
      validate: function forbidden(why: string, data: unknown, parent?: SchemaObject): boolean {
        const message = why.replace('{value}', JSON.stringify(data) ?? String(data));
        (forbidden as unknown as { errors: Array<Partial<ErrorObject>> }).errors = [
          { keyword: FORBIDDEN_KEY, message, params: { pointer: parent?.[POINTER_KEY] ?? '' } },
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
    const id = this.variant(ptr, { direction, reading, member: undefined, declared: [], inherited: false });
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
  private variant(ptr: string, given: Variant): string {
    // Only what the schema can use tells variants apart, so a schema composed in many places is
    // compiled once unless its own additionalProperties, closing or discriminator depend on where.
    const target = this.resolved(ptr).schema;
    const v: Variant = {
      ...given,
      declared: this.usesContext(target, given.member) ? given.declared : [],
      inherited: given.inherited && this.dispatches(target),
    };
    const key = `${v.direction}|${v.reading}|${v.member ?? 'o'}|${v.inherited ? 'i' : ''}|${v.declared.join('\u0000')}|${ptr}`;
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
    for (const k of COMPOSITIONS) {
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
    if (!v.inherited && this.dispatches(schema)) {
      const picked = this.dispatch(schema, ptr, v);
      if (picked !== undefined) return picked;
    }
    const out: SchemaObject = { [POINTER_KEY]: ptr };
    const child = (
      s: JsonValue | undefined,
      at: string,
      member: Variant['member'] = undefined,
      declared: readonly string[] = [],
    ): SchemaObject | boolean =>
      this.transform(s, at, { ...v, member, declared, inherited: member === 'allOf' });
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
          // An allOf member shares the fields of every part; a branch those beside it, not its siblings'.
          const context = [...new Set([...v.declared, ...this.declaredBy(schema, k === 'allOf')])].sort();
          let branches = members.map((s, i) =>
            child(s, `${ptr}/${k}/${i}`, k === 'allOf' ? 'allOf' : 'branch', context),
          );
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
    if (out.additionalProperties !== undefined || out.unevaluatedProperties !== undefined) {
      // "Other fields" are those no part of the composition declares: a field another member
      // declares is that member's to check, not this additionalProperties' to refuse.
      const props: SchemaObject = isObject(out.properties) ? (out.properties as SchemaObject) : {};
      let added = false;
      for (const name of new Set([...v.declared, ...this.declaredBy(schema, true)]))
        if (!Object.hasOwn(props, name)) {
          Object.defineProperty(props, name, {
            value: true,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          added = true;
        }
      if (added) out.properties = props;
    }
    return out;
  }

  /**
   * The fields a schema declares: its `properties`, those of its allOf members (refs followed), and
   * with `branches` those of its anyOf/oneOf branches too.
   */
  private declaredBy(
    schema: JsonValue | undefined,
    branches: boolean,
    seen = new Set<JsonValue>(),
  ): string[] {
    if (!isObject(schema) || seen.has(schema)) return [];
    seen.add(schema);
    if (typeof schema.$ref === 'string')
      return this.declaredBy(atPointer(this.document, schema.$ref.slice(1)), branches, seen);
    const out = isObject(schema.properties) ? Object.keys(schema.properties) : [];
    for (const k of COMPOSITIONS) {
      const members = schema[k];
      if (!Array.isArray(members) || (k !== 'allOf' && !branches)) continue;
      for (const m of members) out.push(...this.declaredBy(m, true, seen));
    }
    return out;
  }

  /** Whether the fields around a member change how it is read (see Variant.declared). */
  private usesContext(schema: JsonValue | undefined, member: Variant['member']): boolean {
    if (member === undefined || !isObject(schema)) return false;
    if (member === 'branch') return true;
    const extra = [schema.additionalProperties, schema.unevaluatedProperties];
    return (
      COMPOSITIONS.some((k) => Array.isArray(schema[k])) || extra.some((x) => x !== undefined && x !== false)
    );
  }

  /**
   * Decides whether undeclared fields are refused, counting the fields every branch of a
   * composition declares (`unevaluatedProperties`), not only those beside the keyword: an
   * `additionalProperties: false` beside or inside `allOf` means "nothing but what the composition declares".
   */
  private close(schema: JsonObject, out: SchemaObject, v: Variant): void {
    if (v.member === 'allOf') return;
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
            properties: {
              [property]: {
                [POINTER_KEY]: `${ptr}/discriminator/mapping`,
                [DISCRIMINATOR_KEY]: true,
                enum: names,
              },
            },
          },
        ],
      };
    });
  }

  /**
   * True for a discriminator in the allOf-inheritance form: on a base schema that has no
   * oneOf/anyOf, its value naming a schema that includes the base through allOf (or a `mapping`
   * target).
   */
  private dispatches(schema: JsonValue | undefined): schema is JsonObject {
    return (
      isObject(schema) &&
      typeof schema.$ref !== 'string' &&
      isObject(schema.discriminator) &&
      typeof schema.discriminator.propertyName === 'string' &&
      !Array.isArray(schema.oneOf) &&
      !Array.isArray(schema.anyOf)
    );
  }

  /** The components that include the schema at `ptr` through allOf, directly or through another. */
  private inheritors(ptr: string): string[] {
    if (this.subschemas === undefined) {
      const index = new Map<string, string[]>();
      const components = isObject(this.document.components) ? this.document.components.schemas : undefined;
      for (const [name, s] of Object.entries(isObject(components) ? components : {})) {
        if (!isObject(s) || !Array.isArray(s.allOf)) continue;
        for (const m of s.allOf) {
          if (!isObject(m) || typeof m.$ref !== 'string' || !m.$ref.startsWith('#/')) continue;
          const base = localPointer(m.$ref);
          index.set(base, [...(index.get(base) ?? []), pointer('components', 'schemas', name)]);
        }
      }
      this.subschemas = index;
    }
    const out: string[] = [];
    const base = localPointer(ptr);
    const stack = [base];
    while (stack.length > 0) {
      for (const sub of this.subschemas.get(stack.pop() ?? '') ?? [])
        if (sub !== base && !out.includes(sub)) {
          out.push(sub);
          stack.push(sub);
        }
    }
    return out;
  }

  /**
   * The allOf-inheritance form of a discriminator: a value whose property names a subschema (by
   * `mapping`, or by component name as OpenAPI says) is checked against that subschema, whose own
   * allOf reaches this base again as `inherited` (so it picks nothing twice); a value naming none
   * fails; a value without the property fits the base, or in a response any of them (a consumer's
   * subset may leave it out). Undefined when the discriminator names nothing but the base.
   */
  private dispatch(schema: JsonObject, ptr: string, v: Variant): SchemaObject | undefined {
    const d = schema.discriminator as JsonObject;
    const property = d.propertyName as string;
    const base = localPointer(ptr);
    const named = new Map<string, string>();
    for (const [name, target] of Object.entries(isObject(d.mapping) ? d.mapping : {}))
      if (typeof target === 'string') {
        const at = target.includes('#')
          ? localPointer(target.slice(target.indexOf('#')))
          : pointer('components', 'schemas', target);
        named.set(name, atPointer(this.document, at) === undefined ? base : at);
      }
    const implicit = [...this.inheritors(ptr)];
    if (/^\/components\/schemas\/[^/]+$/.test(base)) implicit.push(base);
    for (const at of implicit) {
      const name = (at.split('/').at(-1) ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
      if (!named.has(name)) named.set(name, at);
    }
    const targets = [...new Set(named.values())];
    if (targets.every((t) => t === base)) return undefined;
    const self: SchemaObject = { [POINTER_KEY]: ptr, $ref: this.variant(ptr, { ...v, inherited: true }) };
    const as = (target: string): SchemaObject =>
      target === base
        ? self
        : {
            [POINTER_KEY]: target,
            $ref: this.variant(target, { ...v, inherited: this.dispatches(this.resolved(target).schema) }),
          };
    const names = [...named.keys()];
    // Reached only when no name matched: the value names no schema.
    const quoted = names.map((n) => JSON.stringify(n)).join(', ');
    let chain: SchemaObject = {
      [POINTER_KEY]: ptr,
      properties: {
        [property]: {
          [POINTER_KEY]: `${ptr}/discriminator`,
          [FORBIDDEN_KEY]: `is {value}, which names no schema for the discriminator ${property} (it takes ${quoted})`,
        },
      },
    };
    for (const target of [...targets].reverse()) {
      const test = { properties: { [property]: { enum: names.filter((n) => named.get(n) === target) } } };
      chain = conditional(ptr, test, as(target), chain);
    }
    const others = targets.filter((t) => t !== base).map(as);
    const absent = v.direction === 'response' ? { [POINTER_KEY]: ptr, anyOf: [self, ...others] } : self;
    return conditional(ptr, { type: 'object', required: [property] }, chain, absent);
  }
}

/** JSON Schema's if/then/else. */
function conditional(ptr: string, test: SchemaObject, yes: SchemaObject, no: SchemaObject): SchemaObject {
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword; this object is never awaited
  return { [POINTER_KEY]: ptr, if: test, then: yes, else: no };
}

/** The JSON pointer of a local `$ref` (`#/components/schemas/A%20B` → `/components/schemas/A B`). */
function localPointer(ref: string): string {
  const body = ref.startsWith('#') ? ref.slice(1) : ref;
  try {
    return decodeURIComponent(body);
  } catch {
    return body;
  }
}
