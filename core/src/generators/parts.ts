import type {
  Body,
  Generator,
  Generators,
  Headers,
  HttpRequest,
  HttpResponse,
  JsonObject,
  JsonValue,
  Message,
} from '../contract/model.js';
import { generateBody, generateValue, type GeneratorContext } from './generate.js';

function generateBodyOf(body: Body | undefined, generators: Generators['body'], ctx: GeneratorContext) {
  if (body === undefined || generators === undefined || Object.keys(generators).length === 0) return body;
  if (body.kind === 'json') return { ...body, value: generateBody(body.value, generators, ctx) };
  // A text body has a value only at its root.
  const root = generators.$;
  if (body.kind === 'text' && root !== undefined) {
    const value = generateValue(root, body.text, ctx);
    return { ...body, text: typeof value === 'string' ? value : JSON.stringify(value ?? body.text) };
  }
  return body;
}

function text(value: JsonValue | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Applies generators to a name → values map (headers, query); a generated name that is not there
 * is added, as Pact's core adds it. Header names are compared without case.
 */
function generateMulti(
  values: Record<string, string[]>,
  generators: Record<string, Generator> | undefined,
  ctx: GeneratorContext,
  ignoreCase: boolean,
): Record<string, string[]> {
  const out: Record<string, string[]> = { ...values };
  for (const [name, g] of Object.entries(generators ?? {})) {
    const key =
      Object.keys(out).find((k) => (ignoreCase ? k.toLowerCase() === name.toLowerCase() : k === name)) ??
      name;
    const current = out[key] ?? [];
    out[key] =
      current.length === 0
        ? [text(generateValue(g, undefined, ctx), '')]
        : current.map((v) => text(generateValue(g, v, ctx), v));
  }
  return out;
}

/**
 * A copy of an HTTP request with its generators applied (path, headers, query, body), as a verifier
 * sends it or a test inspects it.
 * @example generateRequest(request, { mode: 'provider', providerState: { id: 1000 } }).path // '/orders/1000'
 */
export function generateRequest(request: HttpRequest, ctx: GeneratorContext): HttpRequest {
  const g = request.generators;
  const body = generateBodyOf(request.body, g.body, ctx);
  return {
    ...request,
    path: g.path === undefined ? request.path : text(generateValue(g.path, request.path, ctx), request.path),
    headers: generateMulti(request.headers, g.header, ctx, true) as Headers,
    query: generateMulti(request.query, g.query, ctx, false),
    ...(body === undefined ? {} : { body }),
  };
}

/**
 * A copy of an HTTP response with its generators applied (status, headers, body), as a mock server answers.
 * @example generateResponse(response, { mode: 'consumer' }).status
 */
export function generateResponse(response: HttpResponse, ctx: GeneratorContext): HttpResponse {
  const g = response.generators;
  const body = generateBodyOf(response.body, g.body, ctx);
  const status = g.status === undefined ? response.status : generateValue(g.status, response.status, ctx);
  return {
    ...response,
    status: typeof status === 'number' && Number.isInteger(status) ? status : response.status,
    headers: generateMulti(response.headers, g.header, ctx, true) as Headers,
    ...(body === undefined ? {} : { body }),
  };
}

/**
 * A copy of a message with its generators applied (contents and metadata), as a consumer test
 * receives it or a provider would send it.
 * @example generateMessage(message, { mode: 'consumer' }).metadata
 */
export function generateMessage(message: Message, ctx: GeneratorContext): Message {
  const g = message.generators;
  const contents = generateBodyOf(message.contents, g.body, ctx);
  const metadata: JsonObject = { ...message.metadata };
  for (const [key, gen] of Object.entries(g.metadata ?? {})) {
    const value = generateValue(gen, metadata[key], ctx);
    if (value !== undefined) metadata[key] = value;
  }
  return { ...message, metadata, ...(contents === undefined ? {} : { contents }) };
}
