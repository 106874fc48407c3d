import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fail } from '../http/errors.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import { checkName } from '../limits.js';

const enc = encodeURIComponent;

/** Pacticipant labels (webhooks can be for every consumer or provider with a label). */
export const labelRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  type One = { Params: { name: string; label: string } };
  const labelBody = (req: FastifyRequest, name: string, label: string) => ({
    name: label,
    _links: {
      self: { href: `${base(req)}/pacticipants/${enc(name)}/labels/${enc(label)}` },
      'pb:pacticipant': { name, href: `${base(req)}/pacticipants/${enc(name)}` },
    },
  });
  const known = async (req: FastifyRequest<One>): Promise<{ name: string; label: string }> => {
    const { name, label } = req.params;
    checkName('label', label);
    if ((await store.getPacticipant(name)) === undefined)
      fail('TREATY_BROKER_NOT_FOUND', `No pacticipant named '${name}'.`);
    return { name, label };
  };

  app.get<One>('/pacticipants/:name/labels/:label', async (req, reply) => {
    const { name, label } = await known(req);
    if (!(await store.labelsOf(name)).includes(label))
      fail('TREATY_BROKER_NOT_FOUND', `'${name}' has no label '${label}'.`);
    return send(reply, 200, labelBody(req, name, label));
  });
  app.put<One>('/pacticipants/:name/labels/:label', async (req, reply) => {
    const { name, label } = await known(req);
    const added = await store.setLabel(name, label, true);
    return send(reply, added ? 201 : 200, labelBody(req, name, label));
  });
  app.delete<One>('/pacticipants/:name/labels/:label', async (req, reply) => {
    const { name, label } = await known(req);
    if (!(await store.setLabel(name, label, false)))
      fail('TREATY_BROKER_NOT_FOUND', `'${name}' has no label '${label}'.`);
    return reply.code(204).send();
  });
  app.get<{ Params: { label: string } }>('/pacticipants/label/:label', async (req, reply) => {
    const label = checkName('label', req.params.label);
    const b = base(req);
    return send(reply, 200, {
      _embedded: {
        pacticipants: (await store.pacticipantsWithLabel(label)).map((name) => ({
          name,
          _links: {
            self: { href: `${b}/pacticipants/${enc(name)}` },
            'pb:label': { href: `${b}/pacticipants/${enc(name)}/labels/${enc(label)}` },
          },
        })),
      },
      _links: { self: { href: `${b}/pacticipants/label/${enc(label)}` } },
    });
  });
};
