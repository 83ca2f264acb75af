import {ReportedFailure} from '@tars-ts/kit';

import type {ClusterStatusJson} from '../../cluster.js';
import {ClusterCommand, clusterDataFlag} from '../../cluster-command.js';

export default class ClusterStatus extends ClusterCommand {
  static override summary = 'Show each service of the cluster: where its servants listen, whether they answer, its pid.';
  static override description = `Asks each service through its lock (its pid and endpoints) and pings every servant, so it works with the
registry or the node down. Exit 0 when every servant answers, 1 when some service is down or silent, 4 when none
runs.`;

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  static override flags = {data: clusterDataFlag};

  async run(): Promise<ClusterStatusJson> {
    const {flags} = await this.parse(ClusterStatus);
    const cluster = await this.cluster(flags.data);
    try {
      const file = cluster.readFile();
      const hint = `${this.config.bin} cluster start --detach${flags.data ? ` --data ${flags.data}` : ''}`;
      if (!file) {
        throw new ReportedFailure(`no cluster in ${cluster.dir}`, 4, {dataDir: cluster.dir, services: [],
          error: {code: 'CLUSTER_NOT_RUNNING', message: `no cluster in ${cluster.dir}`}}, `start one: ${hint}`);
      }
      const plan = cluster.plan(file);
      const services = await cluster.status(plan);
      const json: ClusterStatusJson = {dataDir: cluster.dir, locator: cluster.locatorOf(plan), nodeName: file.nodeName,
        services};
      if (!this.jsonEnabled()) this.log(await this.statusTable(services));
      const down = services.filter((s) => s.state !== 'running');
      if (down.length === services.length) {
        throw new ReportedFailure(`the cluster in ${cluster.dir} does not run`, 4, {...json,
          error: {code: 'CLUSTER_NOT_RUNNING', message: `the cluster in ${cluster.dir} does not run`}}, hint);
      }
      if (down.length > 0) {
        const message = `${down.map((s) => `${s.name} (${s.state})`).join(', ')} of the cluster in ${cluster.dir}`;
        throw new ReportedFailure(message, 1, {...json, error: {code: 'CLUSTER_NOT_RUNNING', message}},
          `the node brings its servers back by itself; ${hint} starts what is missing`);
      }
      return json;
    } finally {
      cluster.close();
    }
  }
}
