import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isTreatyError } from '@treaty/core';
import { errorBody, fail } from '../http/errors.js';
import { base, pactUrl, send, type RouteOptions } from '../http/hal.js';
import type { TriggeredWebhook, Webhook, WebhookPacticipant, WebhookAttempt } from '../store/types.js';
import { attemptDelivery } from '../webhooks/deliver.js';
import {
  WEBHOOK_UUID,
  type DefinitionErrors,
  type WebhookDefinition,
  readWebhookDefinition,
} from '../webhooks/definition.js';
import { testParameters } from '../webhooks/expand.js';
import type { Webhooks } from '../webhooks/runtime.js';
import {
  displayDescription,
  keepMaskedSecrets,
  maskedRequest,
  renderRequest,
  requestDescription,
} from '../webhooks/template.js';

const enc = encodeURIComponent;

const partyName = (p: WebhookPacticipant): string => ('name' in p ? p.name : `labelled '${p.label}'`);

/** "A webhook for all pacts with provider orders", as the Pact Broker titles them. */
function scopeDescription(w: Webhook): string {
  if (w.consumer !== undefined && w.provider !== undefined)
    return `A webhook for the pact between ${partyName(w.consumer)} and ${partyName(w.provider)}`;
  if (w.provider !== undefined) return `A webhook for all pacts with provider ${partyName(w.provider)}`;
  if (w.consumer !== undefined) return `A webhook for all pacts with consumer ${partyName(w.consumer)}`;
  return 'A webhook for all pacts';
}

/** The webhook resource: the definition with its secrets masked, and its links. */
function webhookBody(b: string, w: Webhook): Record<string, unknown> {
  const self = `${b}/webhooks/${enc(w.uuid)}`;
  const party = (role: 'consumer' | 'provider', p: WebhookPacticipant | undefined) => {
    if (p === undefined) return {};
    const title = role === 'consumer' ? 'Consumer' : 'Provider';
    return 'name' in p
      ? {
          [`pb:${role}`]: { title, name: p.name, href: `${b}/pacticipants/${enc(p.name)}` },
          [`pb:${role}-webhooks`]: {
            title: `Webhooks for all pacts with ${role} ${p.name}`,
            href: `${b}/webhooks/${role}/${enc(p.name)}`,
          },
        }
      : {
          [`pb:${role}s`]: {
            title: `${title}s by label`,
            name: p.label,
            href: `${b}/pacticipants/label/${enc(p.label)}`,
          },
        };
  };
  const request = maskedRequest(w.request);
  return {
    uuid: w.uuid,
    description: displayDescription(w),
    ...(w.consumer === undefined ? {} : { consumer: w.consumer }),
    ...(w.provider === undefined ? {} : { provider: w.provider }),
    enabled: w.enabled,
    request: {
      method: request.method,
      url: request.url,
      ...(Object.keys(request.headers).length === 0 ? {} : { headers: request.headers }),
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.username === undefined ? {} : { username: request.username }),
      ...(request.password === undefined ? {} : { password: request.password }),
    },
    events: w.events.map((name) => ({ name })),
    createdAt: w.createdAt,
    ...(w.updatedAt === undefined ? {} : { updatedAt: w.updatedAt }),
    _links: {
      self: { title: displayDescription(w), href: self },
      'pb:execute': {
        title:
          'Test the execution of the webhook with the latest matching pact or verification by sending a POST request to this URL',
        href: `${self}/execute`,
      },
      ...party('consumer', w.consumer),
      ...party('provider', w.provider),
      ...(w.consumer !== undefined && 'name' in w.consumer && w.provider !== undefined && 'name' in w.provider
        ? {
            'pb:pact-webhooks': {
              title: `All webhooks for consumer ${w.consumer.name} and provider ${w.provider.name}`,
              href: `${b}/webhooks/provider/${enc(w.provider.name)}/consumer/${enc(w.consumer.name)}`,
            },
          }
        : {}),
      'pb:webhooks': { title: 'All webhooks', href: `${b}/webhooks` },
      'treaty:page': {
        title: 'This webhook and its deliveries, for people',
        href: `${b}/ui/webhooks/${enc(w.uuid)}`,
      },
    },
  };
}

/** A list of webhooks, as the Pact Broker answers it (links), with the webhooks embedded. */
function webhooksBody(req: FastifyRequest, list: Webhook[], title = 'Webhooks'): Record<string, unknown> {
  const b = base(req);
  const self = `${b}${req.url.split('?')[0] ?? ''}`;
  return {
    _embedded: { webhooks: list.map((w) => webhookBody(b, w)) },
    _links: {
      self: { title, href: self },
      'pb:create': { title: 'POST to create a webhook', href: self },
      'pb:webhooks': list.map((w) => ({
        title: scopeDescription(w),
        name: displayDescription(w),
        href: `${b}/webhooks/${enc(w.uuid)}`,
      })),
    },
  };
}

/** A new webhook uuid: 22 URL-safe characters, as the Pact Broker makes them. */
const newUuid = (): string => randomBytes(16).toString('base64url');

/** The answer to an invalid webhook: Pact's `errors` beside Treaty's fields. */
function invalid(reply: FastifyReply, problems: DefinitionErrors): Promise<FastifyReply> {
  const code = problems.notAllowed ? 'TREATY_BROKER_WEBHOOK_NOT_ALLOWED' : 'TREATY_BROKER_WEBHOOK_INVALID';
  const message = `The webhook is not valid: ${Object.entries(problems.errors)
    .map(([field, messages]) => `${field} ${messages.join('; ')}`)
    .join('; ')}`;
  return send(reply, 400, { ...errorBody(400, code, message), errors: problems.errors });
}

const isErrors = (d: WebhookDefinition | DefinitionErrors): d is DefinitionErrors => 'errors' in d;

/** A triggered webhook in a list: how its deliveries stand, with links to its logs and its webhook. */
function triggeredBody(
  b: string,
  t: TriggeredWebhook,
  name: string,
  schedule: number[],
): Record<string, unknown> {
  const logs = `${b}/triggered-webhooks/${enc(t.uuid)}/logs`;
  const final = t.status === 'success' || t.status === 'failure';
  return {
    uuid: t.uuid,
    name,
    status: t.status,
    attemptsMade: t.attempts,
    attemptsRemaining: final ? 0 : Math.max(0, schedule.length + 1 - t.attempts),
    triggerType: 'resource_creation',
    eventName: t.eventName,
    triggeredAt: t.createdAt,
    ...(t.nextAttemptAt === undefined ? {} : { nextAttemptAt: t.nextAttemptAt }),
    ...(t.consumerVersion === undefined ? {} : { consumerVersionNumber: t.consumerVersion }),
    ...(t.parameters['pactbroker.providerVersionNumber']
      ? { providerVersionNumber: t.parameters['pactbroker.providerVersionNumber'] }
      : {}),
    _links: {
      'pb:logs': { href: logs, title: 'Webhook execution logs', name },
      logs: { href: logs, title: 'DEPRECATED - Use pb:logs', name },
      'pb:webhook': { href: `${b}/webhooks/${enc(t.webhookUuid)}`, title: 'Webhook', name },
    },
  };
}

/** What a test run answers: the request sent (secrets masked), the answer, the logs. */
function executionBody(b: string, self: string, uuid: string | undefined, a: Omit<WebhookAttempt, 'number'>) {
  let body: unknown = a.request.body;
  try {
    body = a.request.body === undefined ? undefined : JSON.parse(a.request.body);
  } catch {
    body = a.request.body;
  }
  return {
    request: { headers: a.request.headers, ...(body === undefined ? {} : { body }), url: a.request.url },
    ...(a.response === undefined ? {} : { response: a.response }),
    ...(a.response?.headers === undefined && a.response !== undefined
      ? {
          message:
            "The answer's headers and body are not shown: a webhook host allow-list (--webhook-host-whitelist) shows them.",
        }
      : {}),
    ...(a.error === undefined ? {} : { error: a.error }),
    logs: a.logs,
    success: a.success,
    _links: {
      ...(uuid === undefined ? {} : { webhook: { href: `${b}/webhooks/${enc(uuid)}` } }),
      'try-again': { title: 'Execute the webhook again', href: self },
    },
  };
}

/**
 * Webhooks, as the Pact Broker serves them: the definitions (create, read, replace, delete, lists by
 * pacticipant), test runs, and what each event triggered with the logs of every attempt. Writing and
 * running need the read-write role.
 */
export const webhookRoutes: FastifyPluginAsync<RouteOptions & { webhooks: Webhooks }> = async (
  app,
  { store, webhooks },
) => {
  const { settings } = webhooks;

  const known = async (role: 'consumer' | 'provider', name: string): Promise<void> => {
    if ((await store.getPacticipant(name)) === undefined)
      fail('TREATY_BROKER_NOT_FOUND', `No ${role} named '${name}'.`);
  };

  /** Creates a webhook from a body; `scope` (a pacticipant-scoped list) sets its consumer and provider. */
  const create = async (
    req: FastifyRequest<{ Body: unknown }>,
    reply: FastifyReply,
    scope: { consumer?: string; provider?: string } = {},
  ): Promise<FastifyReply> => {
    const body = req.body;
    // A scoped list's consumer and provider are the webhook's, whatever the body says.
    const scoped =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? {
            ...body,
            ...(scope.consumer === undefined ? {} : { consumer: { name: scope.consumer } }),
            ...(scope.provider === undefined ? {} : { provider: { name: scope.provider } }),
          }
        : body;
    const definition = await readWebhookDefinition(scoped, settings, store);
    if (isErrors(definition)) return invalid(reply, definition);
    const { webhook } = await store.putWebhook({ uuid: newUuid(), ...definition });
    const b = base(req);
    reply.header('Location', `${b}/webhooks/${enc(webhook.uuid)}`);
    return send(reply, 201, webhookBody(b, webhook));
  };

  const list = async (
    req: FastifyRequest,
    reply: FastifyReply,
    scope: { consumer?: string; provider?: string },
  ) => {
    if (scope.consumer !== undefined) await known('consumer', scope.consumer);
    if (scope.provider !== undefined) await known('provider', scope.provider);
    const named = (p: WebhookPacticipant | undefined): string | undefined =>
      p !== undefined && 'name' in p ? p.name : undefined;
    const all = await store.listWebhooks();
    const scoped =
      scope.consumer === undefined && scope.provider === undefined
        ? all
        : all.filter(
            (w) =>
              named(w.consumer) === scope.consumer &&
              named(w.provider) === scope.provider &&
              (scope.consumer === undefined ? w.consumer === undefined : true) &&
              (scope.provider === undefined ? w.provider === undefined : true),
          );
    return send(
      reply,
      200,
      webhooksBody(
        req,
        scoped,
        scope.consumer === undefined && scope.provider === undefined ? 'Webhooks' : 'Pacticipant webhooks',
      ),
    );
  };

  app.get('/webhooks', async (req, reply) => list(req, reply, {}));
  app.post<{ Body: unknown }>('/webhooks', async (req, reply) => create(req, reply));

  type Pair = { Params: { provider: string; consumer: string }; Body: unknown };
  for (const path of [
    '/webhooks/provider/:provider/consumer/:consumer',
    '/pacts/provider/:provider/consumer/:consumer/webhooks',
  ]) {
    app.get<Pair>(path, async (req, reply) => list(req, reply, req.params));
    app.post<Pair>(path, async (req, reply) => {
      await known('consumer', req.params.consumer);
      await known('provider', req.params.provider);
      return create(req, reply, req.params);
    });
  }
  app.get<{ Params: { provider: string } }>('/webhooks/provider/:provider', async (req, reply) =>
    list(req, reply, { provider: req.params.provider }),
  );
  app.post<{ Params: { provider: string }; Body: unknown }>(
    '/webhooks/provider/:provider',
    async (req, reply) => {
      await known('provider', req.params.provider);
      return create(req, reply, { provider: req.params.provider });
    },
  );
  app.get<{ Params: { consumer: string } }>('/webhooks/consumer/:consumer', async (req, reply) =>
    list(req, reply, { consumer: req.params.consumer }),
  );
  app.post<{ Params: { consumer: string }; Body: unknown }>(
    '/webhooks/consumer/:consumer',
    async (req, reply) => {
      await known('consumer', req.params.consumer);
      return create(req, reply, { consumer: req.params.consumer });
    },
  );

  const found = async (uuid: string): Promise<Webhook> =>
    (await store.getWebhook(uuid)) ?? fail('TREATY_BROKER_NOT_FOUND', `No webhook ${uuid}.`);

  app.get<{ Params: { uuid: string } }>('/webhooks/:uuid', async (req, reply) =>
    send(reply, 200, webhookBody(base(req), await found(req.params.uuid))),
  );

  app.put<{ Params: { uuid: string }; Body: unknown }>('/webhooks/:uuid', async (req, reply) => {
    const { uuid } = req.params;
    const definition = await readWebhookDefinition(req.body, settings, store);
    const uuidErrors: Record<string, string[]> = WEBHOOK_UUID.test(uuid)
      ? {}
      : {
          uuid: [
            'must be 16 to 255 letters, digits, _ or - (such as a UUID, or 22 random base64url characters).',
          ],
        };
    if (isErrors(definition) || Object.keys(uuidErrors).length > 0)
      return invalid(reply, {
        errors: { ...uuidErrors, ...(isErrors(definition) ? definition.errors : {}) },
        notAllowed: isErrors(definition) && definition.notAllowed && Object.keys(uuidErrors).length === 0,
      });
    const existing = await store.getWebhook(uuid);
    const request =
      existing === undefined
        ? definition.request
        : keepMaskedSecrets(
            definition.request,
            existing.request,
            typeof req.body === 'object' &&
              req.body !== null &&
              'request' in req.body &&
              typeof req.body.request === 'object' &&
              req.body.request !== null &&
              'password' in req.body.request,
          );
    const { webhook, created } = await store.putWebhook({ uuid, ...definition, request });
    return send(reply, created ? 201 : 200, webhookBody(base(req), webhook));
  });

  app.delete<{ Params: { uuid: string } }>('/webhooks/:uuid', async (req, reply) => {
    if (!(await store.deleteWebhook(req.params.uuid)))
      fail('TREATY_BROKER_NOT_FOUND', `No webhook ${req.params.uuid}.`);
    return reply.code(204).send();
  });

  /** Runs a webhook now with the newest pact it could fire for; answers what happened, stores nothing. */
  const testRun = async (req: FastifyRequest, reply: FastifyReply, w: WebhookDefinition, uuid?: string) => {
    const b = base(req);
    const parameters = await testParameters(store, w, b);
    let attempt: Omit<WebhookAttempt, 'number'>;
    try {
      attempt = await attemptDelivery(renderRequest(w.request, parameters, settings.secrets), settings);
    } catch (error) {
      if (!isTreatyError(error)) throw error;
      attempt = {
        startedAt: new Date().toISOString(),
        durationMs: 0,
        success: false,
        request: { method: w.request.method, url: w.request.url, headers: maskedRequest(w.request).headers },
        error: { code: error.code, message: error.message },
        logs: `${error.message} (${error.code})`,
      };
    }
    return send(reply, 200, executionBody(b, `${b}${req.url.split('?')[0] ?? ''}`, uuid, attempt));
  };

  app.post<{ Params: { uuid: string } }>('/webhooks/:uuid/execute', async (req, reply) => {
    const w = await found(req.params.uuid);
    return testRun(req, reply, w, w.uuid);
  });
  app.post<{ Body: unknown }>('/webhooks/execute', async (req, reply) => {
    const definition = await readWebhookDefinition(req.body, settings, store);
    if (isErrors(definition)) return invalid(reply, definition);
    return testRun(req, reply, definition);
  });

  /** Names triggered webhooks by their webhooks' requests ("POST ci.example.com"), each webhook read once. */
  const namer = () => {
    const names = new Map<string, Promise<string>>();
    return (uuid: string): Promise<string> => {
      let name = names.get(uuid);
      if (name === undefined) {
        name = store
          .getWebhook(uuid)
          .then((w) => (w === undefined ? 'deleted webhook' : requestDescription(w)));
        names.set(uuid, name);
      }
      return name;
    };
  };
  const triggeredList = async (b: string, list: TriggeredWebhook[]) => {
    const nameOf = namer();
    return Promise.all(
      list.map(async (t) => triggeredBody(b, t, await nameOf(t.webhookUuid), settings.retrySchedule)),
    );
  };

  app.get<{ Params: { provider: string; consumer: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/webhooks/status',
    async (req, reply) => {
      const { provider, consumer } = req.params;
      await known('consumer', consumer);
      await known('provider', provider);
      // The newest triggered webhook per webhook and event, as the Pact Broker sums them up.
      const latest = new Map<string, TriggeredWebhook>();
      for (const t of await store.triggeredWebhooks({ consumer, provider, limit: 1000 }))
        if (!latest.has(`${t.webhookUuid} ${t.eventName}`)) latest.set(`${t.webhookUuid} ${t.eventName}`, t);
      const entries = [...latest.values()];
      const count = (s: TriggeredWebhook['status']) => entries.filter((t) => t.status === s).length;
      const b = base(req);
      const nameOf = namer();
      const pact = await store.latestPact(consumer, provider);
      return send(reply, 200, {
        summary: {
          successful: count('success'),
          failed: count('failure'),
          retrying: count('retrying'),
          notRun: count('not_run'),
        },
        _embedded: { triggeredWebhooks: await triggeredList(b, entries) },
        _links: {
          self: { href: `${b}${req.url.split('?')[0] ?? ''}`, title: 'Webhooks status' },
          'pb:error-logs': await Promise.all(
            entries
              .filter((t) => t.status === 'failure' || t.status === 'retrying')
              .map(async (t) => ({
                href: `${b}/triggered-webhooks/${enc(t.uuid)}/logs`,
                title: 'Error logs',
                name: await nameOf(t.webhookUuid),
              })),
          ),
          'pb:pact-webhooks': {
            title: `Webhooks for the pact between ${consumer} and ${provider}`,
            href: `${b}/pacts/provider/${enc(provider)}/consumer/${enc(consumer)}/webhooks`,
          },
          ...(pact === undefined
            ? {}
            : {
                'pb:pact-version': {
                  href: pactUrl(b, pact),
                  title: 'Pact',
                  name: `Pact between ${consumer} (${pact.consumerVersion}) and ${provider}`,
                },
              }),
          'pb:consumer': { href: `${b}/pacticipants/${enc(consumer)}`, title: 'Consumer', name: consumer },
          'pb:provider': { href: `${b}/pacticipants/${enc(provider)}`, title: 'Provider', name: provider },
        },
      });
    },
  );

  app.get<{ Params: { provider: string; consumer: string; version: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version/triggered-webhooks',
    async (req, reply) => {
      const { provider, consumer, version } = req.params;
      if ((await store.getPact(consumer, version, provider)) === undefined)
        fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} version ${version} and ${provider}.`);
      const b = base(req);
      const list = await store.triggeredWebhooks({ consumer, provider, consumerVersion: version });
      return send(reply, 200, {
        _embedded: {
          triggeredWebhooks: await triggeredList(
            b,
            list.filter((t) => t.verificationId === undefined),
          ),
        },
        _links: {
          self: {
            title: `Webhooks triggered by the publication of the pact between ${consumer} (${version}) and ${provider}`,
            href: `${b}${req.url.split('?')[0] ?? ''}`,
          },
        },
      });
    },
  );

  app.get<{ Params: { provider: string; consumer: string; sha: string; id: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/verification-results/:id/triggered-webhooks',
    async (req, reply) => {
      const { provider, consumer, sha, id } = req.params;
      const v = /^\d{1,15}$/.test(id) ? (await store.getVerification(Number(id)))?.verification : undefined;
      if (v?.consumer !== consumer || v.provider !== provider || v.sha !== sha)
        fail(
          'TREATY_BROKER_NOT_FOUND',
          `No verification result ${id} of the pact between ${consumer} and ${provider} with content ${sha}.`,
        );
      const b = base(req);
      return send(reply, 200, {
        _embedded: {
          triggeredWebhooks: await triggeredList(b, await store.triggeredWebhooks({ verificationId: v.id })),
        },
        _links: {
          self: {
            title: `Webhooks triggered by verification result ${id}`,
            href: `${b}${req.url.split('?')[0] ?? ''}`,
          },
        },
      });
    },
  );

  app.get<{ Params: { uuid: string } }>('/triggered-webhooks/:uuid/logs', async (req, reply) => {
    const found = await store.getTriggeredWebhook(req.params.uuid);
    if (found === undefined) fail('TREATY_BROKER_NOT_FOUND', `No triggered webhook ${req.params.uuid}.`);
    const { triggered: t, attempts } = found;
    const accept = req.headers.accept ?? '';
    if (!accept.includes('json'))
      return reply
        .code(200)
        .type('text/plain; charset=utf-8')
        .send(
          attempts.length === 0
            ? 'Webhook has not executed yet. Please retry in a few seconds.'
            : attempts.map((a) => a.logs).join('\n'),
        );
    const b = base(req);
    const nameOf = namer();
    return send(reply, 200, {
      uuid: t.uuid,
      eventName: t.eventName,
      consumerName: t.consumer,
      providerName: t.provider,
      status: t.status,
      executions: attempts.map((a) => ({
        number: a.number,
        success: a.success,
        createdAt: a.startedAt,
        durationMs: a.durationMs,
        request: a.request,
        ...(a.response === undefined ? {} : { response: a.response }),
        ...(a.error === undefined ? {} : { error: a.error }),
        logs: a.logs,
      })),
      _embedded: {
        triggeredWebhook: triggeredBody(b, t, await nameOf(t.webhookUuid), settings.retrySchedule),
      },
      _links: {
        self: { title: 'Triggered webhook logs', href: `${b}/triggered-webhooks/${enc(t.uuid)}/logs` },
        'pb:webhook': { href: `${b}/webhooks/${enc(t.webhookUuid)}`, title: 'Webhook' },
      },
    });
  });
};
