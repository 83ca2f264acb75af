// "Deploy a server" (the Services view's form): POST /api/deploy deploys a server that does not exist yet from a
// version of the patch store, answering its steps as server-sent events when asked (Accept: text/event-stream), or
// the outcome when done; GET /api/nodes for the node picker. See docs/web.md.
import type {DeployEvent} from '@tars-ts/kit';

import {ApiError} from '../api-error.js';
import type {Feature} from '../feature.js';
import {eventFrame, openEventStream} from '../http.js';
import {NewServerApi, newServerRequest} from '../new-server-api.js';

/** The new-server routes. */
export const newServer: Feature = (router, context) => {
  const api = new NewServerApi(context);
  /** Streams open, ended when the console closes (the deploy itself is bounded by its wait). */
  const streams = new Set<() => void>();
  context.onClose(() => {
    for (const end of streams) end();
  });

  router.get(/^\/api\/nodes$/, () => api.nodes());

  router.post(/^\/api\/deploy$/, async ({req, res, json}) => {
    const request = newServerRequest(await json());
    const release = await api.check(request); // 404 / 409 before a stream opens
    if (!(req.headers.accept ?? '').includes('text/event-stream')) return api.deploy(request, release);
    openEventStream(res);
    const end = (): void => {
      streams.delete(end);
      if (!res.writableEnded) res.end();
    };
    streams.add(end);
    try {
      const done = await api.deploy(request, release, (event: DeployEvent) => {
        if (!res.writableEnded) res.write(eventFrame('step', event));
      });
      if (!res.writableEnded) res.write(eventFrame('done', done));
    } catch (error) {
      const failure = error instanceof ApiError ? error : new ApiError(500, 'INTERNAL', (error as Error).message, '');
      if (!res.writableEnded) res.write(eventFrame('failure', {status: failure.status, ...failure.toJSON()}));
    }
    end();
    return undefined;
  });
};
