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
  /** With --db: each service's schema in that database, and `dropped`, `none`, or why it could not be dropped. */
  databaseStores?: {name: string; schema: string; result: string}[];
}

export default class ClusterReset extends ClusterCommand {
  static override summary = 'Stop the cluster and delete its data directory: every registration, config, package, log.';
  static override description = `Asks first on a terminal; elsewhere (a script, CI) it needs --yes. Only a directory holding a
cluster.json is removed. The saved locator is forgotten when it points at this cluster. A cluster started with
--db keeps its stores in that PostgreSQL database: their schemas (tars_registry, tars_config, ...) are dropped too;
one that cannot be dropped (the server is away) is said, and the directory is removed all the same.`;

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
      const databaseStores = file.db ? await cluster.dropDatabaseStores(plan) : undefined;
      cluster.remove();
      if (this.settings.get('cluster') === cluster.dir) this.settings.unset('cluster');
      if (this.settings.get('locator') === cluster.locatorOf(plan)) this.settings.unset('locator');
      if (!this.jsonEnabled()) {
        for (const s of stopped.filter((x) => x.stopped)) this.log(`${s.name}: ${s.detail}`);
        for (const d of databaseStores ?? []) {
          if (d.result === 'dropped') this.log(`${d.name}: dropped the schema ${d.schema}`);
          else if (d.result !== 'none') {
            this.logToStderr(`${d.name}: the schema ${d.schema} was not dropped: ${d.result}`);
          }
        }
        this.log(`removed ${cluster.dir}`);
      }
      return {dataDir: cluster.dir, removed: true, stopped, ...(databaseStores ? {databaseStores} : {})};
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
      yes = await confirm({message: `Stop the cluster and delete ${dir} (registrations, configs, packages, logs, ` +
        'and its stores in a --db database)?',
        default: false});
    } catch (error) {
      if ((error as Error).name !== 'ExitPromptError') throw error;
    }
    if (!yes) throw new UserError('cancelled: nothing was stopped or removed', {code: 'CANCELLED'});
  }
}
