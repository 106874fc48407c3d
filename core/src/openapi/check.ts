import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import type {
  Body,
  Contract,
  Headers,
  HttpInteraction,
  JsonObject,
  JsonValue,
  MatchingRule,
  RuleList,
} from '../contract/model.js';
import { classifyContentType, mediaType } from '../contract/content-type.js';
import { headerValue } from '../contract/fragments.js';
import { formatLocation, parsePathExpression, type Location, type PathToken } from '../contract/path-expr.js';
import { parseMultipart } from '../matching/multipart.js';
import { RuleSelector } from '../matching/rule-selector.js';
import { FINDING_CODES, type FindingCode, type OpenApiFinding, pointer, pointerSegment } from './findings.js';
import {
  type LoadedOpenApi,
  type LoadOpenApiOptions,
  type OpenApiSource,
  atPointer,
  isObject,
  loadOpenApi,
} from './load.js';
import { isJsonMediaType, pickMedia } from './media.js';
import { type Operation, type Parameter, findOperation, indexOperations } from './operation.js';
import { regexSamples } from './regex-samples.js';
import {
  DISCRIMINATOR_KEY,
  type Direction,
  FORBIDDEN_KEY,
  POINTER_KEY,
  type Reading,
  SchemaCompiler,
} from './schema.js';

/** Options of a check. */
export interface OpenApiCheckOptions {
  /** Warning codes not to report (errors always are), e.g. `['response.status.default']`. */
  ignoreWarnings?: readonly string[];
}

/** How one interaction fared against the document. */
export interface OpenApiInteractionCheck {
  description: string;
  index: number;
  /** `passed` (no error; warnings may be there), `failed`, or `skipped` (not HTTP: nothing to say). */
  status: 'passed' | 'failed' | 'skipped';
  findings: OpenApiFinding[];
}

/** How one contract fared. */
export interface OpenApiContractCheck {
  consumer: string;
  provider: string;
  passed: boolean;
  interactions: OpenApiInteractionCheck[];
}

// Keywords that constrain a value beyond its type: a matcher that accepts any value of the type
// (or any string its regex accepts) is not held to them by its example.
const VALUE_KEYWORDS = new Set([
  'enum',
  'const',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
]);
const LENGTH_KEYWORDS = new Set(['minItems', 'maxItems']);
const COMPOSITION_KEYWORDS = new Set(['anyOf', 'oneOf', 'if', 'not']);

// Headers every HTTP client or server sends; an operation need not declare them.
const STANDARD_HEADERS = new Set([
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'authorization',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'cookie',
  'date',
  'etag',
  'expires',
  'host',
  'last-modified',
  'location',
  'origin',
  'pragma',
  'referer',
  'user-agent',
  'vary',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-expose-headers',
  'content-encoding',
  'content-language',
  'content-disposition',
  'transfer-encoding',
  'set-cookie',
  'retry-after',
  'x-request-id',
]);

const utf8 = new TextDecoder();

const IGNORED_HEADER_PARAMS = new Set(['accept', 'content-type', 'authorization']);

/**
 * Checks contracts against one OpenAPI document. Build it once per document: it compiles each
 * schema the first time a contract needs it and keeps it for every later contract.
 * @example
 * const checker = new OpenApiChecker(await loadOpenApi('./openapi.yaml'))
 * const result = checker.checkContract(contract)
 */
export class OpenApiChecker {
  private readonly doc: JsonObject;
  private readonly operations: Operation[];
  private readonly schemas: SchemaCompiler;

  constructor(readonly loaded: LoadedOpenApi) {
    this.doc = loaded.document;
    this.operations = indexOperations(this.doc);
    this.schemas = new SchemaCompiler(this.doc, loaded.version);
  }

  /** Checks every interaction of a contract. */
  checkContract(contract: Contract, options: OpenApiCheckOptions = {}): OpenApiContractCheck {
    const interactions = contract.interactions.map((interaction, index) =>
      interaction.type === 'Synchronous/HTTP'
        ? this.checkInteraction(interaction, index, options)
        : { description: interaction.description, index, status: 'skipped' as const, findings: [] },
    );
    return {
      consumer: contract.consumer.name,
      provider: contract.provider.name,
      passed: interactions.every((i) => i.status !== 'failed'),
      interactions,
    };
  }

  /** Checks one HTTP interaction; `index` is its place in the contract (for the findings' paths). */
  checkInteraction(
    interaction: HttpInteraction,
    index: number,
    options: OpenApiCheckOptions = {},
  ): OpenApiInteractionCheck {
    const findings: OpenApiFinding[] = [];
    const root = `$.interactions[${index}]`;
    const add = (code: FindingCode, path: string, ptr: string, message: string): void => {
      const level = FINDING_CODES[code];
      if (level === 'warning' && options.ignoreWarnings?.includes(code) === true) return;
      const finding: OpenApiFinding = {
        code,
        level,
        interaction: interaction.description,
        interactionIndex: index,
        path: `${root}.${path}`,
        pointer: ptr,
        message,
      };
      if (!findings.some((f) => f.code === code && f.path === finding.path && f.message === message))
        findings.push(finding);
    };
    try {
      this.check(interaction, add);
    } catch (error) {
      // A schema Ajv cannot compile (a pattern no regex engine reads) is the document's fault.
      add(
        'response.body.unvalidatable',
        'request',
        '',
        `the document cannot be used here: ${(error as Error).message}`,
      );
    }
    return {
      description: interaction.description,
      index,
      status: findings.some((f) => f.level === 'error') ? 'failed' : 'passed',
      findings,
    };
  }

  private check(interaction: HttpInteraction, add: Add): void {
    const { request, response } = interaction;
    const path = request.path === '' ? '/' : request.path;
    const lookup = findOperation(this.operations, request.method, path.split('?')[0] ?? path);
    if (!lookup.found) {
      add(
        'request.path-or-method.unknown',
        'request.path',
        lookup.pathExists === undefined ? '/paths' : pointer('paths', lookup.pathExists),
        lookup.pathExists === undefined
          ? `no operation in the document matches ${request.method.toUpperCase()} ${path}`
          : `the path ${lookup.pathExists} has no ${request.method.toUpperCase()} operation`,
      );
      return;
    }
    const op = lookup.operation;
    const name = `${op.method.toUpperCase()} ${op.template}`;
    for (const p of op.parameters.filter((x) => x.in === 'path')) {
      const value = lookup.pathParams[p.name];
      if (value === undefined || p.schemaPointer === undefined) continue;
      const errors = this.paramErrors(p, [value], undefined);
      if (errors.length > 0)
        add(
          'request.path-or-method.unknown',
          'request.path',
          p.pointer,
          `the path parameter ${p.name} of ${name} is ${JSON.stringify(value)}, which ${errors[0] ?? ''}`,
        );
    }
    // As the comparator does: a contract for an error response sends a bad request on purpose.
    if (response.status < 400) {
      this.checkSecurity(op, request.headers, request.query, add);
      this.checkQuery(op, interaction, add);
      this.checkRequestHeaders(op, interaction, add);
      this.checkCookies(op, interaction, add);
      this.checkRequestBody(op, interaction, add);
    }
    this.checkResponse(op, interaction, add);
  }

  /** Why the values of a parameter do not fit its schema (empty when they do). */
  private paramErrors(p: Parameter, values: string[], rules: RuleList | undefined): string[] {
    if (p.schemaPointer === undefined) return [];
    const explode = p.explode ?? (p.in === 'query' || p.in === 'cookie');
    const sep = p.style === 'spaceDelimited' ? ' ' : p.style === 'pipeDelimited' ? '|' : ',';
    const value = coerce(
      values,
      p.schemaPointer,
      explode && values.length > 1 ? undefined : sep,
      this.schemas,
    );
    const validate = this.schemas.validator(p.schemaPointer, 'request', 'strict');
    if (validate(value)) return [];
    const lenient = rules?.rules.some((r) => r.match !== 'equality') === true;
    return (validate.errors ?? [])
      .filter((e) => !(lenient && VALUE_KEYWORDS.has(e.keyword)))
      .filter((e) => !COMPOSITION_KEYWORDS.has(e.keyword) || (validate.errors ?? []).length === 1)
      .map((e) => `${e.instancePath === '' ? '' : `at ${e.instancePath} `}${e.message ?? 'does not fit'}`);
  }

  private checkSecurity(op: Operation, headers: Headers, query: Record<string, string[]>, add: Add): void {
    const security = op.operation.security ?? this.doc.security;
    if (!Array.isArray(security) || security.length === 0) return;
    const schemes =
      isObject(this.doc.components) && isObject(this.doc.components.securitySchemes)
        ? this.doc.components.securitySchemes
        : {};
    const satisfied = security.some((alt) => {
      if (!isObject(alt)) return true;
      return Object.keys(alt).every((name) => {
        let scheme = schemes[name];
        if (isObject(scheme) && typeof scheme.$ref === 'string') scheme = atPointer(this.doc, scheme.$ref);
        if (!isObject(scheme)) return true;
        if (scheme.type === 'apiKey' && typeof scheme.name === 'string') {
          if (scheme.in === 'header') return headerValue(headers, scheme.name) !== undefined;
          if (scheme.in === 'query') return query[scheme.name] !== undefined;
          return cookiesOf(headers).has(scheme.name);
        }
        if (scheme.type === 'mutualTLS') return true;
        return headerValue(headers, 'authorization') !== undefined;
      });
    });
    if (!satisfied)
      add(
        'request.authorization.missing',
        'request.headers',
        op.operation.security === undefined ? '/security' : `${op.pointer}/security`,
        `${op.method.toUpperCase()} ${op.template} needs credentials (${security
          .filter(isObject)
          .map((alt) => Object.keys(alt).join(' + '))
          .join(' or ')}), and the request sends none of them`,
      );
  }

  private checkQuery(op: Operation, interaction: HttpInteraction, add: Add): void {
    const { query, matchingRules } = interaction.request;
    const declared = op.parameters.filter((p) => p.in === 'query');
    for (const p of declared) {
      const values = query[p.name] ?? deepObjectValues(query, p);
      const at = `request.query${formatLocation('', [p.name])}`;
      if (values === undefined) {
        if (p.required)
          add(
            'request.query.incompatible',
            at,
            p.pointer,
            `the query parameter ${p.name} is required and the request leaves it out`,
          );
        continue;
      }
      const errors = this.paramErrors(p, values, matchingRules.query?.[p.name]);
      if (errors.length > 0)
        add(
          'request.query.incompatible',
          at,
          p.schemaPointer ?? p.pointer,
          `the query parameter ${p.name}=${JSON.stringify(values.join(','))} ${errors.join('; ')}`,
        );
    }
    for (const name of Object.keys(query)) {
      if (declared.some((p) => p.name === name || name.startsWith(`${p.name}[`))) continue;
      if (this.securityParam('query', name)) continue;
      add(
        'request.query.unknown',
        `request.query${formatLocation('', [name])}`,
        `${op.pointer}/parameters`,
        `the query parameter ${name} is not declared for ${op.method.toUpperCase()} ${op.template}`,
      );
    }
  }

  private securityParam(where: 'query' | 'header' | 'cookie', name: string): boolean {
    const schemes =
      isObject(this.doc.components) && isObject(this.doc.components.securitySchemes)
        ? Object.values(this.doc.components.securitySchemes)
        : [];
    return schemes.some(
      (s) =>
        isObject(s) &&
        s.type === 'apiKey' &&
        s.in === where &&
        typeof s.name === 'string' &&
        (where === 'header' ? s.name.toLowerCase() === name.toLowerCase() : s.name === name),
    );
  }

  private checkRequestHeaders(op: Operation, interaction: HttpInteraction, add: Add): void {
    const { headers, matchingRules } = interaction.request;
    const declared = op.parameters.filter(
      (p) => p.in === 'header' && !IGNORED_HEADER_PARAMS.has(p.name.toLowerCase()),
    );
    for (const p of declared) {
      const value = headerValue(headers, p.name);
      const at = `request.headers${formatLocation('', [p.name])}`;
      if (value === undefined) {
        if (p.required)
          add(
            'request.header.incompatible',
            at,
            p.pointer,
            `the header ${p.name} is required and the request leaves it out`,
          );
        continue;
      }
      const rules = Object.entries(matchingRules.header ?? {}).find(
        ([k]) => k.toLowerCase() === p.name.toLowerCase(),
      )?.[1];
      const errors = this.paramErrors(p, [value], rules);
      if (errors.length > 0)
        add(
          'request.header.incompatible',
          at,
          p.schemaPointer ?? p.pointer,
          `the header ${p.name}: ${JSON.stringify(value)} ${errors.join('; ')}`,
        );
    }
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      if (STANDARD_HEADERS.has(lower) || lower.startsWith('x-forwarded-') || lower.startsWith('if-'))
        continue;
      if (declared.some((p) => p.name.toLowerCase() === lower) || this.securityParam('header', name))
        continue;
      add(
        'request.header.unknown',
        `request.headers${formatLocation('', [name])}`,
        `${op.pointer}/parameters`,
        `the header ${name} is not declared for ${op.method.toUpperCase()} ${op.template}`,
      );
    }
  }

  private checkCookies(op: Operation, interaction: HttpInteraction, add: Add): void {
    const { headers, matchingRules } = interaction.request;
    const cookies = cookiesOf(headers);
    const declared = op.parameters.filter((p) => p.in === 'cookie');
    // A matcher on the Cookie header holds its example to the type only, as on any header.
    const rules = Object.entries(matchingRules.header ?? {}).find(([k]) => k.toLowerCase() === 'cookie')?.[1];
    for (const p of declared) {
      const values = cookies.get(p.name);
      const at = 'request.headers.Cookie';
      if (values === undefined) {
        if (p.required)
          add(
            'request.cookie.incompatible',
            at,
            p.pointer,
            `the cookie ${p.name} is required and the request sends no such cookie`,
          );
        continue;
      }
      const errors = this.paramErrors(p, values, rules);
      if (errors.length > 0)
        add(
          'request.cookie.incompatible',
          at,
          p.schemaPointer ?? p.pointer,
          `the cookie ${p.name}=${JSON.stringify(values.join(','))} ${errors.join('; ')}`,
        );
    }
    for (const name of cookies.keys()) {
      if (declared.some((p) => p.name === name) || this.securityParam('cookie', name)) continue;
      add(
        'request.cookie.unknown',
        'request.headers.Cookie',
        `${op.pointer}/parameters`,
        `the cookie ${name} is not declared for ${op.method.toUpperCase()} ${op.template}`,
      );
    }
  }

  private checkRequestBody(op: Operation, interaction: HttpInteraction, add: Add): void {
    const { request } = interaction;
    let bodyPtr = `${op.pointer}/requestBody`;
    let requestBody = op.operation.requestBody;
    for (let hops = 0; hops < 16 && isObject(requestBody) && typeof requestBody.$ref === 'string'; hops++) {
      bodyPtr = requestBody.$ref.slice(1);
      requestBody = atPointer(this.doc, requestBody.$ref);
    }
    const body = request.body;
    const empty =
      body === undefined ||
      (body.kind === 'text' && body.text === '') ||
      (body.kind === 'binary' && body.bytes.length === 0);
    if (empty) {
      if (isObject(requestBody) && requestBody.required === true)
        add(
          'request.body.incompatible',
          'request.body',
          bodyPtr,
          `${op.method.toUpperCase()} ${op.template} requires a request body and the request has none`,
        );
      return;
    }
    const content = isObject(requestBody) && isObject(requestBody.content) ? requestBody.content : undefined;
    const declaredType = headerValue(request.headers, 'content-type') ?? body.contentType;
    if (content === undefined || Object.keys(content).length === 0) {
      if (declaredType !== undefined)
        add(
          'request.content-type.unknown',
          'request.headers.Content-Type',
          bodyPtr,
          `the request sends ${declaredType}, and ${op.method.toUpperCase()} ${op.template} declares no request body`,
        );
      return;
    }
    let type = declaredType;
    if (type === undefined) {
      add(
        'request.content-type.missing',
        'request.headers',
        `${bodyPtr}/content`,
        'the request has a body but no Content-Type; it was read as JSON',
      );
      type = 'application/json';
    }
    const picked = pickMedia(content, type);
    if (picked === undefined) {
      add(
        'request.content-type.incompatible',
        'request.headers.Content-Type',
        `${bodyPtr}/content`,
        `${op.method.toUpperCase()} ${op.template} does not consume ${type} (it consumes ${Object.keys(content).join(', ')})`,
      );
      return;
    }
    const mediaPtr = `${bodyPtr}/content/${pointerSegment(picked.key)}`;
    if (picked.media.schema === undefined) {
      add(
        'request.body.unknown',
        'request.body',
        mediaPtr,
        `the request body of ${type} has no schema to check it against`,
      );
      return;
    }
    const value = this.bodyValue(body, type, picked.media, `${mediaPtr}/schema`);
    if ('why' in value) {
      add('request.body.unvalidatable', 'request.body', mediaPtr, `a request body of ${type} ${value.why}`);
      return;
    }
    const rules = request.matchingRules.body;
    this.checkValue('request', 'request.body', `${mediaPtr}/schema`, value.value, rules, add);
    this.checkMatchers('request', `${mediaPtr}/schema`, value.value, rules, add);
  }

  private checkResponse(op: Operation, interaction: HttpInteraction, add: Add): void {
    const { response, request } = interaction;
    const responses = isObject(op.operation.responses) ? op.operation.responses : {};
    const status = String(response.status);
    const range = `${status[0] ?? ''}XX`;
    const key =
      Object.keys(responses).find((k) => k === status) ??
      Object.keys(responses).find((k) => k.toUpperCase() === range) ??
      (responses.default === undefined ? undefined : 'default');
    if (key === undefined) {
      add(
        'response.status.unknown',
        'response.status',
        `${op.pointer}/responses`,
        `the status ${status} is not documented for ${op.method.toUpperCase()} ${op.template} (it documents ${Object.keys(responses).join(', ') || 'none'}), and it has no default response`,
      );
      return;
    }
    if (key === 'default')
      add(
        'response.status.default',
        'response.status',
        `${op.pointer}/responses/default`,
        `the status ${status} is documented only by the default response of ${op.method.toUpperCase()} ${op.template}`,
      );
    let resPtr = `${op.pointer}/responses/${key}`;
    let res = responses[key];
    for (let hops = 0; hops < 16 && isObject(res) && typeof res.$ref === 'string'; hops++) {
      resPtr = res.$ref.slice(1);
      res = atPointer(this.doc, res.$ref);
    }
    if (!isObject(res)) return;
    this.checkResponseHeaders(res, resPtr, interaction, add);
    const body = response.body;
    const empty =
      body === undefined ||
      (body.kind === 'text' && body.text === '') ||
      (body.kind === 'binary' && body.bytes.length === 0);
    const declaredType = headerValue(response.headers, 'content-type') ?? body?.contentType;
    const content = isObject(res.content) ? res.content : {};
    if (Object.keys(content).length === 0) {
      if (!empty)
        add(
          'response.body.unknown',
          'response.body',
          resPtr,
          `the response ${key} of ${op.method.toUpperCase()} ${op.template} has no content, and the contract expects a body`,
        );
      else if (declaredType !== undefined && op.method !== 'head')
        add(
          'response.content-type.unknown',
          'response.headers.Content-Type',
          resPtr,
          `the contract expects ${declaredType}, and the response ${key} declares no content`,
        );
      return;
    }
    const accept = headerValue(request.headers, 'accept');
    const type =
      declaredType ??
      (accept !== undefined && !accept.includes('*') ? accept.split(',')[0]?.trim() : undefined) ??
      'application/json';
    const picked = pickMedia(content, type);
    if (picked === undefined) {
      if (declaredType !== undefined || !empty)
        add(
          'response.content-type.incompatible',
          declaredType === undefined ? 'response.body' : 'response.headers.Content-Type',
          `${resPtr}/content`,
          `the response ${key} of ${op.method.toUpperCase()} ${op.template} is not ${type} (it is ${Object.keys(content).join(', ')})`,
        );
      return;
    }
    if (empty || body === undefined) return;
    const mediaPtr = `${resPtr}/content/${pointerSegment(picked.key)}`;
    if (picked.media.schema === undefined) {
      add(
        'response.body.unvalidatable',
        'response.body',
        mediaPtr,
        `the response body of ${picked.key} has no schema to check it against`,
      );
      return;
    }
    const value = this.bodyValue(body, type, picked.media, `${mediaPtr}/schema`);
    if ('why' in value) {
      add(
        'response.body.unvalidatable',
        'response.body',
        mediaPtr,
        `a response body of ${type} ${value.why}`,
      );
      return;
    }
    this.checkValue(
      'response',
      'response.body',
      `${mediaPtr}/schema`,
      value.value,
      response.matchingRules.body,
      add,
    );
    this.checkMatchers('response', `${mediaPtr}/schema`, value.value, response.matchingRules.body, add);
  }

  private checkResponseHeaders(
    res: JsonObject,
    resPtr: string,
    interaction: HttpInteraction,
    add: Add,
  ): void {
    const declared = isObject(res.headers) ? res.headers : {};
    const rulesByName = interaction.response.matchingRules.header ?? {};
    for (const [name, values] of Object.entries(interaction.response.headers)) {
      const lower = name.toLowerCase();
      if (lower === 'content-type') continue;
      const at = `response.headers${formatLocation('', [name])}`;
      const key = Object.keys(declared).find((k) => k.toLowerCase() === lower);
      if (key === undefined) {
        if (STANDARD_HEADERS.has(lower))
          add(
            'response.header.undefined',
            at,
            `${resPtr}/headers`,
            `the response header ${name} is not documented`,
          );
        else
          add(
            'response.header.unknown',
            at,
            `${resPtr}/headers`,
            `the response header ${name} is not documented, so the provider need not send it`,
          );
        continue;
      }
      let hPtr = `${resPtr}/headers/${pointerSegment(key)}`;
      let header = declared[key];
      for (let hops = 0; hops < 16 && isObject(header) && typeof header.$ref === 'string'; hops++) {
        hPtr = header.$ref.slice(1);
        header = atPointer(this.doc, header.$ref);
      }
      if (!isObject(header) || header.schema === undefined) continue;
      const p: Parameter = {
        name,
        in: 'header',
        required: false,
        schemaPointer: `${hPtr}/schema`,
        pointer: hPtr,
      };
      const rules = Object.entries(rulesByName).find(([k]) => k.toLowerCase() === lower)?.[1];
      const errors = this.paramErrors(p, [values.join(', ')], rules);
      if (errors.length > 0)
        add(
          'response.header.incompatible',
          at,
          `${hPtr}/schema`,
          `the response header ${name}: ${JSON.stringify(values.join(', '))} ${errors.join('; ')}`,
        );
    }
  }

  /**
   * The JSON value a body stands for under its media type: JSON parsed; the fields of a form and
   * the parts of a multipart/form-data body as an object, each coerced to its property's schema
   * (a repeated field is an array; a file is its content, which `format: binary` accepts); or why
   * it is not checked.
   */
  private bodyValue(
    body: Body,
    type: string,
    media: JsonObject,
    schemaPtr: string,
  ): { value: JsonValue } | { why: string } {
    if (body.kind === 'json') return { value: body.value };
    const text = body.kind === 'text' ? body.text : utf8.decode(body.bytes);
    if (isJsonMediaType(type))
      try {
        return { value: JSON.parse(text) as JsonValue };
      } catch {
        return { value: text };
      }
    const fields = new Map<string, string[]>();
    const kind = classifyContentType(type);
    if (kind === 'form') {
      for (const [k, v] of new URLSearchParams(text)) fields.set(k, [...(fields.get(k) ?? []), v]);
    } else if (mediaType(type) === 'multipart/form-data') {
      const parts = parseMultipart(
        body.kind === 'binary' ? body.bytes : new TextEncoder().encode(text),
        type,
      );
      if (typeof parts === 'string') return { why: `is not checked: it cannot be read (${parts})` };
      for (const part of parts)
        if (part.name !== '')
          fields.set(part.name, [...(fields.get(part.name) ?? []), utf8.decode(part.bytes)]);
    } else
      return {
        why: `is not checked: Treaty reads JSON, form and multipart/form-data bodies${kind === 'xml' ? ', not XML' : ''}`,
      };
    const encoding = isObject(media.encoding) ? media.encoding : {};
    const out: JsonObject = {};
    for (const [name, values] of fields) {
      const ptr = this.fieldPointer(schemaPtr, name);
      // A form field's array is its repeated values, or with explode: false one value split by
      // its style's delimiter (OpenAPI's defaults); a multipart array is its repeated parts.
      const enc = kind === 'form' && isObject(encoding[name]) ? encoding[name] : {};
      const style = typeof enc.style === 'string' ? enc.style : 'form';
      const explode = kind !== 'form' || (typeof enc.explode === 'boolean' ? enc.explode : style === 'form');
      const sep = style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ',';
      const value =
        ptr === undefined
          ? values.length === 1
            ? (values[0] as string)
            : values
          : coerce(values, ptr, explode ? undefined : sep, this.schemas);
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return { value: out };
  }

  /** The pointer of the schema of an object's field: a property (allOf included), or additionalProperties. */
  private fieldPointer(objectPtr: string, name: string): string | undefined {
    const at = this.schemas.resolved(objectPtr);
    if (!isObject(at.schema)) return undefined;
    return (
      this.propertyPointer(at.ptr, at.schema, name) ??
      (isObject(at.schema.additionalProperties) ? `${at.ptr}/additionalProperties` : undefined)
    );
  }

  /** Checks a body value against the schema at `ptr`, its matchers counted. */
  private checkValue(
    direction: Direction,
    at: string,
    ptr: string,
    value: JsonValue,
    rules: Record<string, RuleList> | undefined,
    add: Add,
  ): void {
    const code: FindingCode =
      direction === 'request' ? 'request.body.incompatible' : 'response.body.incompatible';
    const selector = RuleSelector.for(rules);
    this.schemas.takeNotices();
    const errors = this.validate(this.schemas.validator(ptr, direction, 'subset'), value, [], selector);
    for (const n of this.schemas.takeNotices()) {
      const path = formatLocation(at, locationOf(value, n.instancePath));
      add('request.body.read-only', path, n.pointer, `${path} ${n.why}`);
    }
    for (const e of errors) {
      const location = locationOf(value, e.instancePath);
      const path = formatLocation(at, location);
      const where = schemaPointerOf(e);
      if (e.keyword === FORBIDDEN_KEY) {
        add(code, path, where, `${path} ${e.message ?? ''}`);
        continue;
      }
      const extra = e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties';
      const field = extra
        ? String(
            (e.params as { additionalProperty?: string; unevaluatedProperty?: string }).additionalProperty ??
              (e.params as { unevaluatedProperty?: string }).unevaluatedProperty,
          )
        : undefined;
      add(
        code,
        field === undefined ? path : formatLocation(at, [...location, field]),
        where,
        field === undefined
          ? `${path} ${describe(e)}`
          : `${formatLocation(at, [...location, field])} is not a field the schema declares${direction === 'response' ? ', so the provider need not send it' : ''}`,
      );
    }
    if (direction === 'response') {
      // The fields the consumer leaves out: fine (it may ignore them), but shown.
      const strict = this.schemas.validator(ptr, 'response', 'strict' satisfies Reading);
      if (!strict(value))
        for (const e of strict.errors ?? []) {
          if (e.keyword !== 'required') continue;
          const path = formatLocation(at, locationOf(value, e.instancePath));
          add(
            'response.body.required-ignored',
            path,
            schemaPointerOf(e),
            `${path} leaves out the required field ${String((e.params as { missingProperty?: string }).missingProperty)}; the consumer does not read it`,
          );
        }
    }
  }

  /**
   * Runs a validator and keeps the errors its matchers do not excuse: a value under a type-like
   * matcher needs only the schema's type, an array under a type matcher any length (its min and
   * max are compared in checkMatchers). A composition whose failure came only from excused errors
   * is checked branch by branch, so a value fits when one branch accepts it.
   */
  private validate(
    validate: ValidateFunction,
    value: JsonValue,
    base: Location,
    selector: RuleSelector | undefined,
  ): ErrorObject[] {
    if (validate(value)) return [];
    // An if/then failure repeats what failed in `then` (a discriminator's pick): that is reported.
    let errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
    if (selector !== undefined)
      errors = errors.filter((e) => !excused(e, [...base, ...locationOf(value, e.instancePath)], selector));
    // A failed anyOf/oneOf makes Ajv report every branch's errors, and every field as undeclared
    // beside it. Each branch is checked on its own instead: the value fits when one branch takes it
    // (its excused errors aside), and otherwise the errors of the branch that came closest stand.
    const wrappers = errors
      .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
      .sort((a, b) => a.instancePath.length - b.instancePath.length);
    for (const w of wrappers) {
      if (!errors.includes(w)) continue;
      const parent = w.parentSchema as SchemaObject | undefined;
      const branches = parent?.[w.keyword] as Array<SchemaObject | boolean> | undefined;
      if (parent === undefined || branches === undefined) continue;
      const local = locationOf(value, w.instancePath);
      const sub = valueAt(value, local);
      if (sub === undefined) continue;
      const closed = parent.unevaluatedProperties === false;
      // The branch a discriminator names comes closest whatever the others' counts.
      const rank = (found: ErrorObject[]): number => found.length + (found.some(isDiscriminator) ? 1e6 : 0);
      let best: ErrorObject[] | undefined;
      for (const b of branches) {
        const found = this.validate(this.schemas.branch(b, closed), sub, [...base, ...local], selector);
        if (best === undefined || rank(found) < rank(best)) best = found;
        if (found.length === 0) break;
      }
      const inside = this.schemas.reachable(parent);
      errors = errors.filter(
        (e) =>
          e !== w &&
          !(
            e.instancePath.startsWith(w.instancePath) &&
            (inside.has(e.parentSchema as object) ||
              (e.parentSchema === parent && e.keyword === 'unevaluatedProperties'))
          ),
      );
      errors.push(...(best ?? []).map((e) => ({ ...e, instancePath: `${w.instancePath}${e.instancePath}` })));
    }
    return errors;
  }

  /**
   * Compares matchers with the schema where it says more than the example: a regex with a
   * `pattern` or `enum` (both ways), and in a response an eachLike's length with minItems/maxItems.
   */
  private checkMatchers(
    direction: Direction,
    ptr: string,
    value: JsonValue,
    rules: Record<string, RuleList> | undefined,
    add: Add,
  ): void {
    for (const [expr, list] of Object.entries(rules ?? {})) {
      let tokens: ReturnType<typeof parsePathExpression>;
      try {
        tokens = parsePathExpression(expr);
      } catch {
        continue;
      }
      const found = this.schemaAlong(ptr, tokens);
      if (found === undefined) continue;
      const { schema, ptr: sPtr } = found;
      const path = `${direction}.body${expr.slice(1)}`;
      for (const rule of list.rules)
        if (rule.match === 'regex') {
          if (direction === 'response') this.compareResponseRegex(rule.regex, schema, sPtr, path, add);
          else {
            const examples = valuesAlong(value, tokens).filter((v): v is string => typeof v === 'string');
            this.compareRequestRegex(rule.regex, schema, sPtr, path, examples, add);
          }
        } else if (direction === 'response') this.compareRule(rule, schema, sPtr, path, add);
    }
  }

  /**
   * A response is safe when every value the schema allows fits the consumer's regex: the schema's
   * `enum`, or strings generated from its `pattern` (and fitting the rest of it), are tried against
   * the regex; one refused is an error that names it. When none is, the verdict is a warning
   * unless the pattern is the regex or its strings were all tried.
   */
  private compareResponseRegex(regex: string, schema: JsonObject, ptr: string, path: string, add: Add): void {
    const re = fullMatch(regex);
    if (re === undefined) return;
    if (Array.isArray(schema.enum)) {
      const refused = schema.enum.filter((v) => typeof v === 'string' && !re.test(v));
      if (refused.length > 0)
        add(
          'response.body.incompatible',
          path,
          `${ptr}/enum`,
          `${path}: the schema allows ${refused.map((v) => JSON.stringify(v)).join(', ')}, which the contract's regex ${regex} refuses`,
        );
      return;
    }
    const pattern = schema.pattern;
    if (typeof pattern !== 'string' || normalizePattern(pattern) === normalizePattern(regex)) return;
    const differs = `${path}: the contract's regex ${regex} differs from the schema's pattern ${pattern}`;
    const generated = regexSamples(pattern);
    if ('unsupported' in generated) {
      add(
        'response.body.matcher-narrower',
        path,
        `${ptr}/pattern`,
        `${differs}, which has ${generated.unsupported}, so Treaty cannot generate values from it: whether every value the provider may send fits the regex cannot be decided`,
      );
      return;
    }
    const fits = this.schemas.validator(ptr, 'response', 'strict');
    const sendable = generated.samples.filter((s) => fits(s));
    const counter = sendable.find((s) => !re.test(s));
    if (counter !== undefined)
      add(
        'response.body.incompatible',
        path,
        `${ptr}/pattern`,
        `${path}: the schema's pattern ${pattern} allows ${JSON.stringify(counter)}, which the contract's regex ${regex} refuses`,
      );
    else if (!generated.exhaustive || !anchored(pattern))
      add(
        'response.body.matcher-narrower',
        path,
        `${ptr}/pattern`,
        `${differs}; the ${sendable.length} values Treaty generated from the pattern all fit the regex, which does not prove that every value the provider may send does${anchored(pattern) ? '' : ' (the pattern is not anchored with ^…$, so it also allows text around a match)'}`,
      );
  }

  /**
   * A request is safe when every value the consumer's regex allows fits the schema: the
   * contract's examples and strings generated from the regex are tried against the schema's
   * `pattern` and `enum`; one refused is an error that names it. When none is, the verdict is a
   * warning unless the regex is the pattern or its strings were all tried.
   */
  private compareRequestRegex(
    regex: string,
    schema: JsonObject,
    ptr: string,
    path: string,
    examples: string[],
    add: Add,
  ): void {
    const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
    const values = Array.isArray(schema.enum) ? schema.enum : undefined;
    if (pattern === undefined && values === undefined) return;
    if (values === undefined && normalizePattern(pattern ?? '') === normalizePattern(regex)) return;
    let re: RegExp | undefined;
    try {
      re = pattern === undefined ? undefined : new RegExp(pattern);
    } catch {
      return; // the schema's own validation reports a pattern nothing reads
    }
    const refuses = (s: string): string | undefined =>
      re !== undefined && !re.test(s)
        ? `the schema's pattern ${pattern ?? ''} refuses`
        : values !== undefined && !values.includes(s)
          ? `is not one of the schema's values ${JSON.stringify(values)}`
          : undefined;
    const generated = regexSamples(regex);
    const candidates = [...examples, ...('samples' in generated ? generated.samples : [])];
    for (const s of candidates) {
      const why = refuses(s);
      if (why === undefined) continue;
      add(
        'request.body.incompatible',
        path,
        `${ptr}/${re !== undefined && !re.test(s) ? 'pattern' : 'enum'}`,
        `${path}: the consumer may send ${JSON.stringify(s)} (${examples.includes(s) ? 'its example' : `its regex ${regex} allows it`}), which ${why}`,
      );
      return;
    }
    if ('unsupported' in generated)
      add(
        'request.body.matcher-wider',
        path,
        `${ptr}/${pattern === undefined ? 'enum' : 'pattern'}`,
        `${path}: the contract's regex ${regex} has ${generated.unsupported}, so Treaty cannot generate values from it: whether every value the consumer may send fits the schema cannot be decided`,
      );
    else if (!generated.exhaustive)
      add(
        'request.body.matcher-wider',
        path,
        `${ptr}/${pattern === undefined ? 'enum' : 'pattern'}`,
        `${path}: the contract's regex ${regex} differs from the schema's ${pattern === undefined ? 'values' : `pattern ${pattern}`}; the ${generated.samples.length} values Treaty generated from the regex all fit the schema, which does not prove that every value the consumer may send does`,
      );
  }

  private compareRule(rule: MatchingRule, schema: JsonObject, ptr: string, path: string, add: Add): void {
    if (
      rule.match === 'type' &&
      (rule.min !== undefined || rule.max !== undefined) &&
      (schema.type === 'array' || schema.items !== undefined)
    ) {
      const lo = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const hi = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
      const min = rule.min ?? 0;
      const max = rule.max ?? Number.POSITIVE_INFINITY;
      const span = (a: number, b: number): string =>
        b === Number.POSITIVE_INFINITY ? `at least ${a}` : `${a} to ${b}`;
      if (min > hi || max < lo)
        add(
          'response.body.incompatible',
          path,
          ptr,
          `${path}: the contract wants ${span(min, max)} items and the schema allows ${span(lo, hi)}`,
        );
      else if (min > lo || max < hi)
        add(
          'response.body.matcher-narrower',
          path,
          ptr,
          `${path}: the contract wants ${span(min, max)} items, and the schema allows ${span(lo, hi)}; the provider may send a length the consumer refuses`,
        );
    }
    if (rule.match === 'integer' && schema.type === 'number')
      add(
        'response.body.matcher-narrower',
        path,
        `${ptr}/type`,
        `${path}: the contract wants an integer and the schema allows any number`,
      );
  }

  /** The schema a body path leads to through properties, items and allOf (refs followed), if any. */
  private schemaAlong(
    ptr: string,
    tokens: ReturnType<typeof parsePathExpression>,
  ): { schema: JsonObject; ptr: string } | undefined {
    let at = this.schemas.resolved(ptr);
    for (const t of tokens) {
      const s = at.schema;
      if (!isObject(s)) return undefined;
      let next: string | undefined;
      if (t.kind === 'field') {
        next = this.propertyPointer(at.ptr, s, t.name);
      } else if (s.items !== undefined) next = `${at.ptr}/items`;
      else if (t.kind === 'star' && isObject(s.additionalProperties)) next = `${at.ptr}/additionalProperties`;
      if (next === undefined) return undefined;
      at = this.schemas.resolved(next);
    }
    return isObject(at.schema) ? { schema: at.schema, ptr: at.ptr } : undefined;
  }

  private propertyPointer(ptr: string, s: JsonObject, name: string, depth = 0): string | undefined {
    if (isObject(s.properties) && s.properties[name] !== undefined)
      return `${ptr}/properties/${pointerSegment(name)}`;
    if (depth > 8 || !Array.isArray(s.allOf)) return undefined;
    for (let i = 0; i < s.allOf.length; i++) {
      const m = this.schemas.resolved(`${ptr}/allOf/${i}`);
      if (!isObject(m.schema)) continue;
      const hit = this.propertyPointer(m.ptr, m.schema, name, depth + 1);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}

type Add = (code: FindingCode, path: string, ptr: string, message: string) => void;

function normalizePattern(p: string): string {
  return p.replace(/^\^/, '').replace(/\$$/, '');
}

/** True when a pattern matches whole strings only (`^…$`), as a contract's regex does. */
function anchored(p: string): boolean {
  return p.startsWith('^') && p.endsWith('$') && !p.endsWith('\\$');
}

/** A contract's regex as it matches: the whole string. Undefined when it does not compile. */
function fullMatch(regex: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch {
    return undefined;
  }
}

/** The values a body path expression selects in a value (`*` every element or field). */
function valuesAlong(value: JsonValue, tokens: readonly PathToken[]): JsonValue[] {
  let at: JsonValue[] = [value];
  for (const t of tokens)
    at = at.flatMap((v): JsonValue[] => {
      if (t.kind === 'star') return Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
      if (t.kind === 'index')
        return Array.isArray(v) && v[t.index] !== undefined ? [v[t.index] as JsonValue] : [];
      return isObject(v) && Object.hasOwn(v, t.name) ? [v[t.name] as JsonValue] : [];
    });
  return at;
}

/** True for an error of a discriminator's value: the value names another branch. */
function isDiscriminator(e: ErrorObject): boolean {
  return (e.parentSchema as SchemaObject | undefined)?.[DISCRIMINATOR_KEY] === true;
}

/** True when a matcher at the error's location excuses it. */
function excused(e: ErrorObject, location: Location, selector: RuleSelector): boolean {
  if (!VALUE_KEYWORDS.has(e.keyword) && !LENGTH_KEYWORDS.has(e.keyword)) return false;
  const selected = selector.select(location);
  if (selected === undefined) return false;
  return selected.list.rules.some((r) => r.match !== 'equality');
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'type') return `${e.message ?? ''}, got ${JSON.stringify(e.data)}`;
  if (e.keyword === 'enum')
    return `must be one of ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}, got ${JSON.stringify(e.data)}`;
  return `${e.message ?? 'does not fit the schema'}${typeof e.data === 'object' ? '' : `, got ${JSON.stringify(e.data)}`}`;
}

function schemaPointerOf(e: ErrorObject): string {
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  const ptr = typeof parent?.[POINTER_KEY] === 'string' ? (parent[POINTER_KEY] as string) : '';
  if (e.keyword === FORBIDDEN_KEY) return String((e.params as { pointer?: unknown }).pointer ?? '');
  if (e.keyword === 'unevaluatedProperties' || e.keyword === 'additionalProperties') return ptr;
  if (e.keyword === 'required') return `${ptr}/required`;
  return `${ptr}/${pointerSegment(e.keyword)}`;
}

/** The location of an Ajv instance path in a value: array indexes as numbers. */
function locationOf(value: JsonValue, instancePath: string): Location {
  if (instancePath === '') return [];
  const out: Array<string | number> = [];
  let at: JsonValue | undefined = value;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      out.push(Number(seg));
      at = at[Number(seg)];
    } else {
      out.push(seg);
      at = isObject(at) ? at[seg] : undefined;
    }
  }
  return out;
}

function valueAt(value: JsonValue, location: Location): JsonValue | undefined {
  let at: JsonValue | undefined = value;
  for (const seg of location) {
    if (Array.isArray(at) && typeof seg === 'number') at = at[seg];
    else if (isObject(at) && typeof seg === 'string') at = at[seg];
    else return undefined;
  }
  return at;
}

/** The cookies of a Cookie header, by name (a name sent twice keeps both values). */
function cookiesOf(headers: Headers): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, values] of Object.entries(headers)) {
    if (k.toLowerCase() !== 'cookie') continue;
    for (const pair of values.flatMap((v) => v.split(';'))) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      out.set(name, [...(out.get(name) ?? []), value]);
    }
  }
  return out;
}

function deepObjectValues(query: Record<string, string[]>, p: Parameter): string[] | undefined {
  if (p.style !== 'deepObject') return undefined;
  const keys = Object.keys(query).filter((k) => k.startsWith(`${p.name}[`));
  return keys.length === 0 ? undefined : keys.flatMap((k) => query[k] ?? []);
}

/**
 * String values (of a parameter, a form field, a multipart part) as the JSON value the schema at
 * `ptr` describes: numbers, booleans, null, JSON objects, and arrays whose items are the values,
 * or with `split` the values split by it.
 */
function coerce(
  values: string[],
  ptr: string,
  split: string | undefined,
  schemas: SchemaCompiler,
): JsonValue {
  const at = schemas.resolved(ptr);
  const schema = isObject(at.schema) ? at.schema : {};
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('array')) {
    const items = split === undefined ? values : values.flatMap((v) => v.split(split));
    const itemSchema = isObject(schema.items) ? schemas.resolved(`${at.ptr}/items`).schema : undefined;
    return items.map((v) => scalar(v, isObject(itemSchema) ? itemSchema : {}));
  }
  return scalar(values[0] ?? '', schema);
}

function scalar(value: string, schema: JsonObject): JsonValue {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value))
    return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  if (types.includes('null') && value === '') return null;
  if (types.includes('object') && /^\s*\{/.test(value))
    try {
      return JSON.parse(value) as JsonValue;
    } catch {
      return value;
    }
  return value;
}

/**
 * Checks consumer contracts against a provider's OpenAPI document (3.0 or 3.1, YAML or JSON, a
 * file, a URL or the parsed document), without starting the provider. Each interaction gets
 * findings with PactFlow's comparator's codes; errors fail it, warnings are shown.
 * @example
 * const [result] = await checkAgainstOpenApi('./openapi.yaml', [contract])
 * if (!result.passed) console.log(result.interactions.flatMap((i) => i.findings))
 */
export async function checkAgainstOpenApi(
  openapi: OpenApiSource | OpenApiChecker,
  contracts: readonly Contract[],
  options: OpenApiCheckOptions & LoadOpenApiOptions = {},
): Promise<OpenApiContractCheck[]> {
  const checker =
    openapi instanceof OpenApiChecker ? openapi : new OpenApiChecker(await loadOpenApi(openapi, options));
  return contracts.map((c) => checker.checkContract(c, options));
}
