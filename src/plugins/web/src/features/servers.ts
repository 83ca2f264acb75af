// The service tree, one server's page and its start/stop/restart, the registry's objects, and the events stream that
// pushes tree changes.
import {ApiError} from '../api-error.js';
import {type ServerAction, checkServerId} from '../cluster-api.js';
import type {Feature} from '../feature.js';
import {TreeEvents} from '../tree-events.js';

export const servers: Feature = (router, context) => {
  const {cluster} = context;
  router.get(/^\/api\/tree$/, () => cluster.tree());
  router.get(/^\/api\/registry$/, () => cluster.registry());
  router.get(/^\/api\/servers\/([^/]+)\/([^/]+)$/, ({params}) => cluster.server(params[0]!, params[1]!));
  router.post(/^\/api\/servers\/([^/]+)\/([^/]+)\/(start|stop|restart)$/, async ({params, json}) => {
    const [application, serverName, action] = params as [string, string, ServerAction];
    checkServerId(application, serverName);
    const body = await json();
    if (body.node !== undefined && (typeof body.node !== 'string' || body.node === '')) {
      throw new ApiError(400, 'BAD_REQUEST', '"node" must be a node\'s name', 'leave it out to act on every node');
    }
    const done = await cluster.act(application, serverName, action, body.node as string | undefined);
    context.poke();
    return done;
  });
};

/** The tree's event stream (GET /api/events); separate so the console can poke it after actions. */
export function treeEvents(events: TreeEvents): Feature {
  return (router) => {
    router.get(/^\/api\/events$/, async ({req, res}) => {
      events.attach(req, res);
      return undefined;
    });
  };
}
