import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { objectBody } from '../http/body.js';
import { fail } from '../http/errors.js';
import { LIMITS, checkName, checkText, wholeNumber } from '../limits.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import type { Pacticipant, Version } from '../store/types.js';

const enc = encodeURIComponent;

/**
 * The fields a client may set on a pacticipant, checked: strings on one line, a main branch without spaces.
 */
function pacticipantFields(body: unknown): {
  name?: string;
  displayName?: string;
  mainBranch?: string;
  repositoryUrl?: string;
} {
  const b = objectBody(body, '{ name, displayName?, mainBranch?, repositoryUrl? }');
  const out: Record<string, string> = {};
  for (const key of ['name', 'displayName', 'mainBranch', 'repositoryUrl'] as const) {
    const v = b[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') fail('TREATY_BROKER_BAD_REQUEST', `${key} must be a string.`);
    if (key === 'name' || key === 'mainBranch') checkName(key, v);
    else checkText(key, v, key === 'repositoryUrl' ? LIMITS.url : LIMITS.name);
    if (key === 'mainBranch' && /\s/.test(v))
      fail('TREATY_BROKER_BAD_REQUEST', `mainBranch must not contain spaces ('${v}').`);
    out[key] = v;
  }
  return out;
}

/** Pacticipants, their versions, branches and tags. */
export const pacticipantRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  const pacticipantBody = async (req: FastifyRequest, p: Pacticipant) => {
    const self = `${base(req)}/pacticipants/${enc(p.name)}`;
    const latest = await store.latestVersion(p.name);
    return {
      name: p.name,
      displayName: p.displayName,
      ...(p.mainBranch === undefined ? {} : { mainBranch: p.mainBranch }),
      ...(p.repositoryUrl === undefined ? {} : { repositoryUrl: p.repositoryUrl }),
      createdAt: p.createdAt,
      ...(latest === undefined
        ? {}
        : {
            _embedded: {
              latestVersion: {
                number: latest.number,
                _links: { self: { href: `${self}/versions/${enc(latest.number)}` } },
              },
            },
          }),
      _links: {
        self: { href: self },
        'pb:versions': { href: `${self}/versions` },
        'pb:branches': { href: `${self}/branches` },
        'pb:latest-version': { href: `${self}/latest-version` },
        'pb:version': { href: `${self}/versions/{version}`, title: 'Version', templated: true },
        'pb:version-tag': {
          href: `${self}/versions/{version}/tags/{tag}`,
          title: 'Version tag',
          templated: true,
        },
        'pb:branch-version': {
          href: `${self}/branches/{branch}/versions/{version}`,
          title: 'Branch version',
          templated: true,
        },
      },
    };
  };

  const versionBody = async (req: FastifyRequest, v: Version) => {
    const p = `${base(req)}/pacticipants/${enc(v.pacticipant)}`;
    const self = `${p}/versions/${enc(v.number)}`;
    // Clients find where to record a deployment or release by environment name here: always arrays.
    const environments = await store.listEnvironments();
    const branchVersions = v.branches.map((name) => ({
      name,
      _links: { self: { href: `${p}/branches/${enc(name)}/versions/${enc(v.number)}` } },
    }));
    return {
      number: v.number,
      createdAt: v.createdAt,
      _embedded: {
        branchVersions,
        branches: branchVersions,
        tags: v.tags.map((name) => ({ name, _links: { self: { href: `${self}/tags/${enc(name)}` } } })),
      },
      _links: {
        self: { title: 'Version', name: v.number, href: self },
        'pb:pacticipant': { title: 'Pacticipant', name: v.pacticipant, href: p },
        'pb:record-deployment': environments.map((e) => ({
          title: `Record deployment to ${e.displayName}`,
          name: e.name,
          href: `${self}/deployed-versions/environment/${e.uuid}`,
        })),
        'pb:record-release': environments.map((e) => ({
          title: `Record release to ${e.displayName}`,
          name: e.name,
          href: `${self}/released-versions/environment/${e.uuid}`,
        })),
      },
    };
  };

  const known = async (name: string): Promise<Pacticipant> =>
    (await store.getPacticipant(name)) ?? fail('TREATY_BROKER_NOT_FOUND', `No pacticipant named '${name}'.`);

  app.get('/pacticipants', async (req, reply) => {
    const b = base(req);
    const list = await store.listPacticipants();
    const items = list.map((p) => ({
      name: p.name,
      displayName: p.displayName,
      ...(p.mainBranch === undefined ? {} : { mainBranch: p.mainBranch }),
      ...(p.repositoryUrl === undefined ? {} : { repositoryUrl: p.repositoryUrl }),
      createdAt: p.createdAt,
      _links: { self: { href: `${b}/pacticipants/${enc(p.name)}` } },
    }));
    // The top-level copy is deprecated in the Pact Broker but is what `pact-broker list-pacticipants` reads.
    return send(reply, 200, {
      _embedded: { pacticipants: items },
      pacticipants: items,
      _links: { self: { href: `${b}/pacticipants` } },
    });
  });

  app.post<{ Body: unknown }>('/pacticipants', async (req, reply) => {
    const fields = pacticipantFields(req.body);
    if (fields.name === undefined) fail('TREATY_BROKER_BAD_REQUEST', 'name is required.');
    const { name, ...rest } = fields;
    if ((await store.getPacticipant(name)) !== undefined)
      fail(
        'TREATY_BROKER_CONFLICT',
        `A pacticipant named '${name}' already exists; PATCH /pacticipants/${name} to change it.`,
      );
    const { pacticipant } = await store.updatePacticipant(name, rest);
    reply.header('Location', `${base(req)}/pacticipants/${enc(name)}`);
    return send(reply, 201, await pacticipantBody(req, pacticipant));
  });

  app.get<{ Params: { name: string } }>('/pacticipants/:name', async (req, reply) =>
    send(reply, 200, await pacticipantBody(req, await known(req.params.name))),
  );

  // Merge-update; creates the pacticipant when it is missing (as `pact-broker create-or-update-pacticipant`
  // expects).
  app.patch<{ Params: { name: string }; Body: unknown }>('/pacticipants/:name', async (req, reply) => {
    const { name: bodyName, ...fields } = pacticipantFields(req.body);
    if (bodyName !== undefined && bodyName !== req.params.name)
      fail(
        'TREATY_BROKER_BAD_REQUEST',
        `The body names '${bodyName}' but the URL names '${req.params.name}'; renaming is not supported.`,
      );
    const { pacticipant, created } = await store.updatePacticipant(req.params.name, fields);
    if (created) reply.header('Location', `${base(req)}/pacticipants/${enc(pacticipant.name)}`);
    return send(reply, created ? 201 : 200, await pacticipantBody(req, pacticipant));
  });

  app.get<{
    Params: { name: string };
    Querystring: { pageNumber?: string; pageSize?: string; page?: string; size?: string };
  }>('/pacticipants/:name/versions', async (req, reply) => {
    const p = await known(req.params.name);
    const page = wholeNumber(req.query.pageNumber ?? req.query.page, 1, 1, LIMITS.pageNumber, 'pageNumber');
    const size = wholeNumber(req.query.pageSize ?? req.query.size, 100, 1, LIMITS.pageSize, 'pageSize');
    const versions = await store.listVersions(p.name, { limit: size, offset: (page - 1) * size });
    const total = await store.countVersions(p.name);
    const self = `${base(req)}/pacticipants/${enc(p.name)}/versions`;
    const items = await Promise.all(versions.map((v) => versionBody(req, v)));
    return send(reply, 200, {
      _embedded: { versions: items },
      page: { number: page, size, totalElements: total, totalPages: Math.max(1, Math.ceil(total / size)) },
      _links: {
        self: { href: `${self}?pageNumber=${page}&pageSize=${size}` },
        ...(page * size < total ? { next: { href: `${self}?pageNumber=${page + 1}&pageSize=${size}` } } : {}),
        ...(page > 1 ? { previous: { href: `${self}?pageNumber=${page - 1}&pageSize=${size}` } } : {}),
      },
    });
  });

  app.get<{ Params: { name: string; version: string } }>(
    '/pacticipants/:name/versions/:version',
    async (req, reply) => {
      const v =
        (await store.getVersion(req.params.name, req.params.version)) ??
        fail('TREATY_BROKER_NOT_FOUND', `No version ${req.params.version} of '${req.params.name}'.`);
      return send(reply, 200, await versionBody(req, v));
    },
  );

  app.get<{ Params: { name: string } }>('/pacticipants/:name/latest-version', async (req, reply) => {
    const p = await known(req.params.name);
    const v =
      (await store.latestVersion(p.name)) ??
      fail('TREATY_BROKER_NOT_FOUND', `'${p.name}' has no versions yet.`);
    return send(reply, 200, await versionBody(req, v));
  });

  app.get<{ Params: { name: string; tag: string } }>(
    '/pacticipants/:name/latest-version/:tag',
    async (req, reply) => {
      const p = await known(req.params.name);
      const v =
        (await store.latestVersion(p.name, { tag: req.params.tag })) ??
        fail('TREATY_BROKER_NOT_FOUND', `No version of '${p.name}' has the tag '${req.params.tag}'.`);
      return send(reply, 200, await versionBody(req, v));
    },
  );

  const branchBody = async (req: FastifyRequest, pacticipant: string, branch: string) => {
    const self = `${base(req)}/pacticipants/${enc(pacticipant)}/branches/${enc(branch)}`;
    const createdAt =
      (await store.branchCreatedAt(pacticipant, branch)) ??
      fail('TREATY_BROKER_NOT_FOUND', `'${pacticipant}' has no branch '${branch}'.`);
    const head = await store.latestVersion(pacticipant, { branch });
    return {
      name: branch,
      createdAt,
      ...(head === undefined ? {} : { latestVersion: head.number }),
      _links: {
        self: { href: self },
        'pb:latest-version': { href: `${self}/latest-version` },
        'pb:versions': { href: `${self}/versions` },
        'pb:pacticipant': { href: `${base(req)}/pacticipants/${enc(pacticipant)}` },
      },
    };
  };

  app.get<{ Params: { name: string } }>('/pacticipants/:name/branches', async (req, reply) => {
    const p = await known(req.params.name);
    const branches = await Promise.all(
      (await store.branchesOf(p.name)).map((b) => branchBody(req, p.name, b)),
    );
    return send(reply, 200, {
      _embedded: { branches },
      _links: { self: { href: `${base(req)}/pacticipants/${enc(p.name)}/branches` } },
    });
  });

  app.get<{ Params: { name: string; branch: string } }>(
    '/pacticipants/:name/branches/:branch',
    async (req, reply) => {
      const p = await known(req.params.name);
      return send(reply, 200, await branchBody(req, p.name, req.params.branch));
    },
  );

  app.get<{ Params: { name: string; branch: string } }>(
    '/pacticipants/:name/branches/:branch/latest-version',
    async (req, reply) => {
      const p = await known(req.params.name);
      const v =
        (await store.latestVersion(p.name, { branch: req.params.branch })) ??
        fail('TREATY_BROKER_NOT_FOUND', `'${p.name}' has no branch '${req.params.branch}'.`);
      return send(reply, 200, await versionBody(req, v));
    },
  );

  app.get<{ Params: { name: string; branch: string } }>(
    '/pacticipants/:name/branches/:branch/versions',
    async (req, reply) => {
      const p = await known(req.params.name);
      const versions = await store.listVersions(p.name, { branch: req.params.branch });
      return send(reply, 200, {
        _embedded: { versions: await Promise.all(versions.map((v) => versionBody(req, v))) },
        _links: {
          self: {
            href: `${base(req)}/pacticipants/${enc(p.name)}/branches/${enc(req.params.branch)}/versions`,
          },
        },
      });
    },
  );

  app.put<{ Params: { name: string; branch: string; version: string } }>(
    '/pacticipants/:name/branches/:branch/versions/:version',
    async (req, reply) => {
      const { name, branch, version } = req.params;
      const existed = (await store.getVersion(name, version))?.branches.includes(branch) === true;
      const v = await store.ensureVersion(name, version, { branch });
      const self = `${base(req)}/pacticipants/${enc(name)}/branches/${enc(branch)}/versions/${enc(version)}`;
      return send(reply, existed ? 200 : 201, {
        createdAt: v.createdAt,
        _links: {
          self: { href: self },
          'pb:version': { href: `${base(req)}/pacticipants/${enc(name)}/versions/${enc(version)}` },
        },
      });
    },
  );

  app.get<{ Params: { name: string; tag: string } }>(
    '/pacticipants/:name/tags/:tag/versions',
    async (req, reply) => {
      const p = await known(req.params.name);
      const versions = await store.listVersions(p.name, { tag: req.params.tag });
      return send(reply, 200, {
        _embedded: { versions: await Promise.all(versions.map((v) => versionBody(req, v))) },
        _links: {
          self: { href: `${base(req)}/pacticipants/${enc(p.name)}/tags/${enc(req.params.tag)}/versions` },
        },
      });
    },
  );

  const tagBody = (req: FastifyRequest, name: string, version: string, tag: string) => ({
    name: tag,
    _links: {
      self: { href: `${base(req)}/pacticipants/${enc(name)}/versions/${enc(version)}/tags/${enc(tag)}` },
      'pb:version': { href: `${base(req)}/pacticipants/${enc(name)}/versions/${enc(version)}` },
    },
  });

  app.get<{ Params: { name: string; version: string; tag: string } }>(
    '/pacticipants/:name/versions/:version/tags/:tag',
    async (req, reply) => {
      const { name, version, tag } = req.params;
      const v =
        (await store.getVersion(name, version)) ??
        fail('TREATY_BROKER_NOT_FOUND', `No version ${version} of '${name}'.`);
      if (!v.tags.includes(tag))
        fail('TREATY_BROKER_NOT_FOUND', `Version ${version} of '${name}' has no tag '${tag}'.`);
      return send(reply, 200, tagBody(req, name, version, tag));
    },
  );

  app.put<{ Params: { name: string; version: string; tag: string } }>(
    '/pacticipants/:name/versions/:version/tags/:tag',
    async (req, reply) => {
      const { name, version, tag } = req.params;
      const existed = (await store.getVersion(name, version))?.tags.includes(tag) === true;
      await store.addTag(name, version, tag);
      return send(reply, existed ? 200 : 201, tagBody(req, name, version, tag));
    },
  );
};
