import {Flags} from '@oclif/core';
import {DaemonStartCommand} from '@tars-ts/kit';

import {statDaemon} from '../../daemon.js';

export default class StatStart extends DaemonStartCommand {
  static override daemon = statDaemon;
  static override summary = 'Start the stat daemon: StatObj, PropertyObj, StatQueryObj and /metrics.';
  static override description = `${DaemonStartCommand.description}

One daemon is both tarsstat and tarsproperty: it takes call statistics (tars.tarsstat.StatObj, StatF) and business
properties (tars.tarsproperty.PropertyObj, PropertyF) from TARS clients and servers, and answers tars stat query and
tars property query (tars.tarsstat.StatQueryObj). There is no separate tars property start. Ports: 18293, 18493,
18294, or P..P+2 with --port P; Prometheus /metrics over HTTP on --metrics-port. Reports are kept per minute in
memory (the last hour, for the live view) and written to DIR/stat.db in the official 5-minute slots as each minute
closes: a crash loses at most the open minute. Rows older than --retention days are deleted.`;

  static override flags = {
    'metrics-port': Flags.integer({summary: 'HTTP port of /metrics (0: a free port, shown by tars stat query --json).',
      default: 18089, min: 0, max: 65_535, helpValue: 'PORT'}),
    'metrics-max-series': Flags.integer({summary: 'Call series /metrics exports at most (callee x function x side ' +
      'x return value); new ones beyond are counted, not exported.', default: 10_000, min: 1, helpValue: 'N'}),
    retention: Flags.integer({summary: 'Days the store keeps rows.', default: 31, min: 1, helpValue: 'DAYS'}),
    'max-keys': Flags.integer({summary: 'Distinct keys per minute (stats, and properties, each); new keys beyond ' +
      'are dropped and counted.', default: 100_000, min: 1, helpValue: 'N'}),
    'max-live-keys': Flags.integer({summary: 'Entries over all minutes held in memory; the oldest minutes are let ' +
      'go beyond it (they are in the store). About 0.55 KB each.', default: 500_000, min: 1, helpValue: 'N'}),
    'minute-ms': Flags.integer({summary: 'Length of a live slot in ms (tests only).', default: 60_000, min: 100,
      hidden: true}),
  };
}
