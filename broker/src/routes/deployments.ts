import type { FastifyPluginAsync } from 'fastify';
import { TreatyError } from '@treaty/core';
import { objectBody } from '../http/body.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import { LIMITS, checkName, checkText } from '../limits.js';
import type { DeployedVersion, Environment, ReleasedVersion } from '../store/types.js';

const enc = encodeURIComponent;

/** Environments, deployed versions and released versions (record-deployment, record-release, …). */
export const deploymentRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  const envBody = (b: string, e: Environment) => ({
    uuid: e.uuid,
    name: e.name,
    displayName: e.displayName,
    production: e.production,
    contacts: e.contacts,
    createdAt: e.createdAt,
    _links: {
      self: { title: 'Environment', name: e.name, href: `${b}/environments/${e.uuid}` },
      'pb:currently-deployed-deployed-versions': {
        title: 'Versions currently deployed',
        href: `${b}/environments/${e.uuid}/deployed-versions/currently-deployed`,
      },
      'pb:currently-supported-released-versions': {
        title: 'Versions released and supported',
        href: `${b}/environments/${e.uuid}/released-versions/currently-supported`,
      },
      'pb:environments': { title: 'Environments', href: `${b}/environments` },
    },
  });
  const embedded = (b: string, pacticipant: string, version: string) => ({
    pacticipant: { name: pacticipant, _links: { self: { href: `${b}/pacticipants/${enc(pacticipant)}` } } },
    version: {
      number: version,
      _links: { self: { href: `${b}/pacticipants/${enc(pacticipant)}/versions/${enc(version)}` } },
    },
  });
  const deployedBody = (b: string, d: DeployedVersion) => ({
    uuid: d.uuid,
    currentlyDeployed: d.currentlyDeployed,
    ...(d.applicationInstance === undefined
      ? {}
      : { applicationInstance: d.applicationInstance, target: d.applicationInstance }),
    ...(d.undeployedAt === undefined ? {} : { undeployedAt: d.undeployedAt }),
    createdAt: d.createdAt,
    _embedded: { ...embedded(b, d.pacticipant, d.version), environment: envBody(b, d.environment) },
    _links: { self: { href: `${b}/deployed-versions/${d.uuid}` } },
  });
  const releasedBody = (b: string, r: ReleasedVersion) => ({
    uuid: r.uuid,
    currentlySupported: r.currentlySupported,
    ...(r.supportEndedAt === undefined ? {} : { supportEndedAt: r.supportEndedAt }),
    createdAt: r.createdAt,
    _embedded: { ...embedded(b, r.pacticipant, r.version), environment: envBody(b, r.environment) },
    _links: { self: { href: `${b}/released-versions/${r.uuid}` } },
  });
  const env = async (uuid: string): Promise<Environment> =>
    (await store.getEnvironment(uuid)) ??
    Promise.reject(new TreatyError('TREATY_BROKER_NOT_FOUND', `No environment ${uuid}.`));

  app.get<{ Querystring: { name?: string } }>('/environments', async (req, reply) => {
    const b = base(req);
    const all = await store.listEnvironments();
    const list = req.query.name === undefined ? all : all.filter((e) => e.name === req.query.name);
    return send(reply, 200, {
      _embedded: { environments: list.map((e) => envBody(b, e)) },
      _links: {
        self: { href: `${b}/environments` },
        'pb:environments': list.map((e) => ({
          title: 'Environment',
          name: e.name,
          href: `${b}/environments/${e.uuid}`,
        })),
      },
    });
  });

  app.post<{ Body: unknown }>('/environments', async (req, reply) => {
    const body = objectBody(req.body, '{ "name": "production", "production": true }');
    if (typeof body.name !== 'string' || body.name.trim() === '')
      throw new TreatyError(
        'TREATY_BROKER_BAD_REQUEST',
        'name is required (a single word such as production).',
      );
    const name = checkName('environment name', body.name);
    if (typeof body.production !== 'boolean')
      throw new TreatyError('TREATY_BROKER_BAD_REQUEST', 'production is required: true or false.');
    const contacts = Array.isArray(body.contacts) ? body.contacts : [];
    for (const c of contacts) {
      if (typeof c !== 'object' || c === null || typeof (c as { name?: unknown }).name !== 'string')
        throw new TreatyError('TREATY_BROKER_BAD_REQUEST', 'each contact needs a name.');
      checkText('contact name', (c as { name: string }).name, LIMITS.name);
    }
    const displayName =
      typeof body.displayName === 'string'
        ? checkText('displayName', body.displayName, LIMITS.name)
        : undefined;
    const e = await store.createEnvironment({
      name,
      production: body.production,
      ...(displayName === undefined ? {} : { displayName }),
      contacts: contacts as Environment['contacts'],
    });
    reply.header('Location', `${base(req)}/environments/${e.uuid}`);
    return send(reply, 201, envBody(base(req), e));
  });

  app.get<{ Params: { uuid: string } }>('/environments/:uuid', async (req, reply) =>
    send(reply, 200, envBody(base(req), await env(req.params.uuid))),
  );

  app.post<{
    Params: { name: string; version: string; uuid: string };
    Body: unknown;
  }>('/pacticipants/:name/versions/:version/deployed-versions/environment/:uuid', async (req, reply) => {
    const body = objectBody(req.body, '{ "applicationInstance": "blue" } or {}');
    const given =
      typeof body.applicationInstance === 'string' && body.applicationInstance !== ''
        ? body.applicationInstance
        : typeof body.target === 'string' && body.target !== ''
          ? body.target
          : undefined;
    const instance = given === undefined ? undefined : checkName('applicationInstance', given);
    const d = await store.recordDeployment({
      pacticipant: req.params.name,
      version: req.params.version,
      environmentUuid: req.params.uuid,
      ...(instance === undefined ? {} : { applicationInstance: instance }),
    });
    reply.header('Location', `${base(req)}/deployed-versions/${d.uuid}`);
    return send(reply, 201, deployedBody(base(req), d));
  });

  app.post<{ Params: { name: string; version: string; uuid: string } }>(
    '/pacticipants/:name/versions/:version/released-versions/environment/:uuid',
    async (req, reply) => {
      const { release, created } = await store.recordRelease({
        pacticipant: req.params.name,
        version: req.params.version,
        environmentUuid: req.params.uuid,
      });
      reply.header('Location', `${base(req)}/released-versions/${release.uuid}`);
      return send(reply, created ? 201 : 200, releasedBody(base(req), release));
    },
  );

  app.get<{ Params: { uuid: string } }>('/deployed-versions/:uuid', async (req, reply) => {
    const d =
      (await store.getDeployment(req.params.uuid)) ??
      Promise.reject(new TreatyError('TREATY_BROKER_NOT_FOUND', `No deployed version ${req.params.uuid}.`));
    return send(reply, 200, deployedBody(base(req), await d));
  });

  app.patch<{ Params: { uuid: string }; Body: unknown }>('/deployed-versions/:uuid', async (req, reply) => {
    const body = objectBody(req.body, '{ "currentlyDeployed": false }');
    if (body.currentlyDeployed === true)
      throw new TreatyError(
        'TREATY_BROKER_UNPROCESSABLE',
        'A deployment cannot be marked deployed again; record a new deployment.',
      );
    const d =
      body.currentlyDeployed === false
        ? await store.recordUndeployment(req.params.uuid)
        : await store.getDeployment(req.params.uuid);
    if (d === undefined)
      throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No deployed version ${req.params.uuid}.`);
    return send(reply, 200, deployedBody(base(req), d));
  });

  app.get<{ Params: { uuid: string } }>('/released-versions/:uuid', async (req, reply) => {
    const r =
      (await store.getRelease(req.params.uuid)) ??
      Promise.reject(new TreatyError('TREATY_BROKER_NOT_FOUND', `No released version ${req.params.uuid}.`));
    return send(reply, 200, releasedBody(base(req), await r));
  });

  app.patch<{ Params: { uuid: string }; Body: unknown }>('/released-versions/:uuid', async (req, reply) => {
    const body = objectBody(req.body, '{ "currentlySupported": false }');
    if (body.currentlySupported === true)
      throw new TreatyError(
        'TREATY_BROKER_UNPROCESSABLE',
        'Record a new release to support a version again.',
      );
    const r =
      body.currentlySupported === false
        ? await store.recordSupportEnded(req.params.uuid)
        : await store.getRelease(req.params.uuid);
    if (r === undefined)
      throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No released version ${req.params.uuid}.`);
    return send(reply, 200, releasedBody(base(req), r));
  });

  app.get<{
    Params: { uuid: string };
    Querystring: { pacticipant?: string; applicationInstance?: string; target?: string };
  }>('/environments/:uuid/deployed-versions/currently-deployed', async (req, reply) => {
    await env(req.params.uuid);
    const instance = req.query.applicationInstance ?? req.query.target;
    const list = await store.currentlyDeployed(req.params.uuid, {
      ...(req.query.pacticipant === undefined ? {} : { pacticipant: req.query.pacticipant }),
      ...(instance === undefined ? {} : { applicationInstance: instance }),
    });
    const b = base(req);
    return send(reply, 200, {
      _embedded: { deployedVersions: list.map((d) => deployedBody(b, d)) },
      _links: { self: { href: `${b}/environments/${req.params.uuid}/deployed-versions/currently-deployed` } },
    });
  });

  app.get<{ Params: { uuid: string }; Querystring: { pacticipant?: string; version?: string } }>(
    '/environments/:uuid/released-versions/currently-supported',
    async (req, reply) => {
      await env(req.params.uuid);
      const list = await store.currentlySupported(req.params.uuid, {
        ...(req.query.pacticipant === undefined ? {} : { pacticipant: req.query.pacticipant }),
        ...(req.query.version === undefined ? {} : { version: req.query.version }),
      });
      const b = base(req);
      return send(reply, 200, {
        _embedded: { releasedVersions: list.map((r) => releasedBody(b, r)) },
        _links: {
          self: { href: `${b}/environments/${req.params.uuid}/released-versions/currently-supported` },
        },
      });
    },
  );
};
