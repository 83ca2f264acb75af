import {Flags} from '@oclif/core';
import {UserError} from '@tars-ts/kit';

import type {StopOutcome} from '../../cluster.js';
import {ClusterCommand, clusterDataFlag} from '../../cluster-command.js';
import {CLUSTER_FILE} from '../../plan.js';

/** `tars cluster reset --json`. */
export interface ClusterResetJson {
  dataDir: string;
  removed: boolean;
  stopped: StopOutcome[];
}

export default class ClusterReset extends ClusterCommand {
  static override summary = 'Stop the cluster and delete its data directory: every registration, config, package, log.';
  static override description = `Asks first on a terminal; elsewhere (a script, CI) it needs --yes. Only a directory holding a
cluster.json is removed. The saved locator is forgotten when it points at this cluster.`;

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --yes --data ./cluster'];

  static override flags = {
    data: clusterDataFlag,
    yes: Flags.boolean({char: 'y', summary: 'Do not ask.'}),
  };

  async run(): Promise<ClusterResetJson> {
    const {flags} = await this.parse(ClusterReset);
    const {existsSync} = await import('node:fs');
    const path = await import('node:path');
    const cluster = await this.cluster(flags.data);
    try {
      if (!existsSync(path.join(cluster.dir, CLUSTER_FILE))) {
        if (!this.jsonEnabled()) this.log(`no cluster in ${cluster.dir}: nothing to reset`);
        return {dataDir: cluster.dir, removed: false, stopped: []};
      }
      if (!flags.yes) await this.confirm(cluster.dir);
      const file = cluster.readFile()!;
      const plan = cluster.plan(file);
      const stopped = await cluster.stop(plan, file, 10_000, (line) => this.logToStderr(line));
      cluster.remove();
      if (this.settings.get('cluster') === cluster.dir) this.settings.unset('cluster');
      if (this.settings.get('locator') === cluster.locatorOf(plan)) this.settings.unset('locator');
      if (!this.jsonEnabled()) {
        for (const s of stopped.filter((x) => x.stopped)) this.log(`${s.name}: ${s.detail}`);
        this.log(`removed ${cluster.dir}`);
      }
      return {dataDir: cluster.dir, removed: true, stopped};
    } finally {
      cluster.close();
    }
  }

  /** Asks on a terminal; anywhere else the answer must be given as --yes. */
  private async confirm(dir: string): Promise<void> {
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI && !this.jsonEnabled();
    if (!interactive) {
      throw new UserError(`reset deletes ${dir} and everything in it: give --yes to confirm`, {code: 'USAGE',
        hint: `${this.config.bin} cluster reset --yes`});
    }
    const {confirm} = await import('@inquirer/prompts');
    let yes = false;
    try {
      yes = await confirm({message: `Stop the cluster and delete ${dir} (registrations, configs, packages, logs)?`,
        default: false});
    } catch (error) {
      if ((error as Error).name !== 'ExitPromptError') throw error;
    }
    if (!yes) throw new UserError('cancelled: nothing was stopped or removed', {code: 'CANCELLED'});
  }
}
