/**
 * @tars-ts/plugin-stat: tarsstat and tarsproperty as one daemon. Pure parts: the aggregation of call statistics
 * (./aggregate.ts) and of properties (./property.ts) as the official servers do it, the grouping of rows into
 * series (./query.ts), the JSON rows the commands print (./views.ts). The service, its store and the servants are
 * loaded by the daemon itself (./daemon.ts).
 */
export * from './aggregate.js';
export * from './property.js';
export * from './query.js';
export * from './views.js';
export {parseDuration} from './duration.js';
export {statDaemon, STAT_DB_FILE} from './daemon.js';
