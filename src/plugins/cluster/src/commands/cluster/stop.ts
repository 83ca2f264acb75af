import {Flags} from '@oclif/core';

import type {StopOutcome} from '../../cluster.js';
import {ClusterCommand, clusterDataFlag} from '../../cluster-command.js';

/** `tars cluster stop --json`. */
export interface ClusterStopJson {
  dataDir: string;
  /** false: nothing was running (exit 0 all the same). */
  stopped: boolean;
  services: StopOutcome[];
}

export default class ClusterStop extends ClusterCommand {
  static override summary = 'Stop the cluster gracefully, in dependency order.';
  static override description = `First the servers deployed on the node (they use the base services), then the base services in the
reverse of their start order (through the node, which keeps them deployed), then the node, then the registry.
Nothing is removed: tars cluster start brings the same cluster back, with the servers that were running.
Stopping a cluster that does not run says so and exits 0.`;

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --data ./cluster'];

  static override flags = {
    data: clusterDataFlag,
    timeout: Flags.integer({summary: 'How long each daemon has to stop after SIGTERM before SIGKILL, ms.',
      default: 10_000, min: 0, helpValue: 'MS'}),
  };

  async run(): Promise<ClusterStopJson> {
    const {flags} = await this.parse(ClusterStop);
    const cluster = await this.cluster(flags.data);
    try {
      const file = cluster.readFile();
      const services = file ? await cluster.stop(cluster.plan(file), file, flags.timeout,
        (line) => this.logToStderr(line)) : [];
      const stopped = services.some((s) => s.stopped);
      if (!this.jsonEnabled()) {
        if (!stopped) this.log(`the cluster in ${cluster.dir} is not running`);
        for (const s of services) this.log(`${s.name}: ${s.detail}`);
      }
      return {dataDir: cluster.dir, stopped, services};
    } finally {
      cluster.close();
    }
  }
}
