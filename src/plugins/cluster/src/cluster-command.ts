// The base of `tars cluster ...`: which cluster (its data directory) and the daemons it is made of. The daemons'
// specs come from their plugins' `start` commands through oclif: a plugin imports no other plugin.
import {existsSync} from 'node:fs';
import path from 'node:path';

import {Flags} from '@oclif/core';
import {type DaemonSpec, TarsCommand, UserError, cliEntry, renderTable} from '@tars-ts/kit';

import type {Cluster, ServiceStatus} from './cluster.js';
import {CLUSTER_FILE, MANAGED_SERVICES, ROOT_SERVICES} from './plan.js';

/** `--data`, shared by every cluster command. */
export const clusterDataFlag = Flags.string({summary: 'The cluster\'s data directory (default: the one tars cluster ' +
  'start saved, else ./.tars).', helpValue: 'DIR'});

export abstract class ClusterCommand extends TarsCommand {
  /**
   * The cluster's directory: `--data`, else the one `tars cluster start` saved (while it holds a cluster), else
   * `./.tars` (where `tars registry start` and friends keep their data by default too).
   */
  protected clusterDir(data: string | undefined): string {
    if (data) return path.resolve(data);
    const saved = this.settings.get('cluster');
    if (saved && existsSync(path.join(saved, CLUSTER_FILE))) return saved;
    return path.resolve('.tars');
  }

  /** The cluster of `--data`, with every daemon's spec. */
  protected async cluster(data: string | undefined): Promise<Cluster> {
    const specs = new Map<string, DaemonSpec>();
    for (const name of [...ROOT_SERVICES, ...MANAGED_SERVICES]) {
      const command = this.config.findCommand(`${name}:start`);
      const spec = command ? ((await command.load()) as {daemon?: DaemonSpec}).daemon : undefined;
      if (!spec) {
        throw new UserError(`no "${this.config.bin} ${name} start" command: the ${name} plugin is missing`,
          {code: 'FAILURE', hint: 'reinstall the toolkit (npm run setup)'});
      }
      specs.set(name, spec);
    }
    const [{Cluster: ClusterClass}, {adminToken}] = await Promise.all([import('./cluster.js'), import('@tars-ts/kit')]);
    return new ClusterClass({dir: this.clusterDir(data), specs, entry: this.entry(), bin: this.config.bin,
      adminToken: adminToken(this.settings)});
  }

  /**
   * How this CLI is started again (by the cluster for its daemons, by the node for the base services): this
   * process's node options and entry script, or the package's bin/run.js when the command runs inside another
   * program (a test runner).
   */
  private entry(): string[] {
    const script = process.argv[1] ?? '';
    const own = /(^|[/\\])(run|dev)\.js$/.test(script) || path.basename(script) === this.config.bin;
    return own ? cliEntry() : [path.join(this.config.root, 'bin', 'run.js')];
  }

  /** The status table: one row per servant, the service's state and pid on its first row. */
  protected async statusTable(services: readonly ServiceStatus[]): Promise<string> {
    const rows = services.flatMap((s) => s.endpoints.map((e, i) => [i === 0 ? s.name : '', e.obj, e.endpoint,
      i === 0 ? s.state : (s.state === 'stopped' || e.answered ? '' : 'no answer'),
      i === 0 && s.pid !== undefined ? String(s.pid) : '']));
    return renderTable(['service', 'object', 'endpoint', 'state', 'pid'], rows);
  }
}
