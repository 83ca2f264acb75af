// `tars stat start`: tarsstat and tarsproperty as ONE daemon of the kit's host. Both take reports the same way, keep
// the same time slots and write one store; one process means one minute timer, one store file (SQLite allows one
// writer at a time anyway) and one place to query and to scrape. Each servant keeps its official object name and
// port, so official clients configured with `stat = tars.tarsstat.StatObj@...` and `property =
// tars.tarsproperty.PropertyObj@...` reach it unchanged: StatObj 18293, PropertyObj 18493, and this toolkit's
// StatQueryObj 18294 (or P, P+1, P+2 with --port P). /metrics on --metrics-port (18089).
import path from 'node:path';

import type {DaemonSpec} from '@tars-ts/kit';

/** The stat daemon's store file inside its data directory. */
export const STAT_DB_FILE = 'stat.db';

/** The stat daemon: what `tars stat start|stop|status` run. */
export const statDaemon: DaemonSpec = {
  name: 'stat',
  store: {file: STAT_DB_FILE},
  servants: [
    {obj: 'tars.tarsstat.StatObj', port: 18293},
    {obj: 'tars.tarsproperty.PropertyObj', port: 18493},
    {obj: 'tars.tarsstat.StatQueryObj', port: 18294},
  ],
  async create(ctx) {
    const [{StatStore}, {StatService}, servants, {serveMetrics, DEFAULT_METRICS_PORT}, core] = await Promise.all([
      import('./store.js'), import('./stat-service.js'), import('./servants.js'), import('./metrics.js'),
      import('@tars-ts/core')]);
    const setting = (name: string): number | undefined => ctx.settings[name] as number | undefined;
    const store = await StatStore.open(ctx.store ?? path.join(ctx.dataDir, STAT_DB_FILE));
    const minuteMs = setting('minute-ms');
    const retentionDays = setting('retention');
    const maxKeys = setting('max-keys');
    const maxLiveKeys = setting('max-live-keys');
    const maxMetricSeries = setting('metrics-max-series');
    const service = new StatService({store, logger: ctx.logger,
      ...(minuteMs !== undefined ? {minuteMs} : {}), ...(retentionDays !== undefined ? {retentionDays} : {}),
      ...(maxKeys !== undefined ? {maxKeys} : {}), ...(maxLiveKeys !== undefined ? {maxLiveKeys} : {}),
      ...(maxMetricSeries !== undefined ? {maxMetricSeries} : {})});
    const metricsPort = setting('metrics-port') ?? DEFAULT_METRICS_PORT;
    let metrics: Awaited<ReturnType<typeof serveMetrics>> | undefined;
    try {
      metrics = await serveMetrics(service, ctx.host, metricsPort);
    } catch (error) {
      await service.close();
      await store.close();
      throw core.listenFailure('/metrics', core.parseEndpoint(`tcp -h ${ctx.host} -p ${metricsPort}`), error,
        '--metrics-port');
    }
    const served = metrics;
    ctx.logger.info(`stat: metrics on ${served.url}`);
    return {
      servants: {
        [servants.STAT_OBJ]: new servants.StatServant(service),
        [servants.PROPERTY_OBJ]: new servants.PropertyServant(service),
        [servants.STAT_QUERY_OBJ]: new servants.StatQueryServant(service, {metrics: () => served.url}),
      },
      store: store.where,
      async onClose() {
        await served.close();
        try {
          await service.close();
        } finally {
          await store.close();
        }
      },
    };
  },
};
