import {Flags} from '@oclif/core';
import {type DaemonInfo, type Step, UserError, parsePostgresUrl} from '@tars-ts/kit';

import type {ClusterStatusJson, ServiceStatus, StartAction} from '../../cluster.js';
import {ClusterCommand, clusterDataFlag} from '../../cluster-command.js';

interface Ctx {
  running: Map<string, DaemonInfo>;
  actions: Map<string, StartAction>;
  services: ServiceStatus[];
}

export default class ClusterStart extends ClusterCommand {
  static override summary = 'Run a whole TARS cluster on this machine: the registry, a node, and every base service.';
  static override description = `Starts the registry and a node (daemons of their own, in DIR/registry and DIR/node), then runs every
other base service (log and notify, config, stat and property, patch) as a server of that node, as TARS runs its
framework: the node restarts them when they die. Each keeps its data in DIR (SQLite; nothing to install, no
config files to copy). Returns once every servant answers tars_ping, with one table of what runs where, and saves
the registry as the CLI's default locator: later commands (tars server deploy, tars call, tars stat watch) need
no flags.

Starting a running cluster is harmless: what runs is left alone, what is missing is started again (a registry or
node killed, a base service the node has not brought back yet). Without --detach the command stays in the
foreground, starts the registry or the node again should one of them die, and stops the whole cluster on Ctrl-C.

Without --base-port every servant takes its official TARS port (registry 17890, node 19386, config 18193, ...);
--base-port N puts them on N, N+1, ... instead (17 ports).

With --db postgres://USER@HOST:5432/DB the registry, config, log, stat and patch keep their stores in that
PostgreSQL database instead (each in its schema, tars_registry, tars_config, ...); the database must exist. The URL
is saved in DIR/cluster.json (readable by its owner only), so later starts reuse it. A password is better kept in
~/.pgpass or PGPASSWORD than in the URL: the URL is on the services' command lines.

With --db, --registries N runs N registries on that database, as TARS runs several tarsregistry on one db_tars:
each lists its own servants there, so tars.tarsregistry.QueryObj resolves to every live one, and the node, the
base services and the saved locator know them all. Any one may die: the others keep answering, and the node
keeps its servers active through them. The second registry takes ports 17900-17903 (the third 17910-17913, ...),
or the ports after the rest with --base-port.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --detach',
    '<%= config.bin %> <%= command.id %> --detach --base-port 30000 --data ./cluster',
    '<%= config.bin %> <%= command.id %> --detach --db postgres://tars@db.example:5432/tars',
    '<%= config.bin %> <%= command.id %> --detach --db postgres://tars@db.example:5432/tars --registries 2',
    '<%= config.bin %> <%= command.id %>            # in the foreground; Ctrl-C stops it',
  ];

  static override flags = {
    data: clusterDataFlag,
    detach: Flags.boolean({summary: 'Return once everything answers, leaving the cluster running in the background.'}),
    'base-port': Flags.integer({summary: 'First of the consecutive ports every servant takes (default: the official ' +
      'ports).', min: 1, max: 65_535, helpValue: 'N'}),
    host: Flags.string({summary: 'Address every servant binds (default 127.0.0.1, or what the cluster was started ' +
      'with).', helpValue: 'HOST'}),
    db: Flags.string({summary: 'Keep the stores of the registry, config, log, stat and patch in this PostgreSQL ' +
      'database (a schema each) instead of SQLite files; saved, so later starts reuse it.',
    helpValue: 'postgres://USER@HOST:5432/DB'}),
    registries: Flags.integer({summary: 'Run this many registries on the --db database (default 1, or what the ' +
      'cluster was started with); saved.', helpValue: 'N'}),
  };

  async run(): Promise<ClusterStatusJson> {
    const {flags} = await this.parse(ClusterStart);
    const [{runSteps}, {DEFAULT_WAIT_MS}] = await Promise.all([import('@tars-ts/kit'), import('../../cluster.js')]);
    const cluster = await this.cluster(flags.data);
    // In the foreground, Ctrl-C (or SIGTERM) stops what this command started, also while it is still starting.
    const interrupt = flags.detach ? undefined : new Interrupt();
    try {
      if (flags.db !== undefined) parsePostgresUrl(flags.db);
      const file = await cluster.prepare({host: flags.host, basePort: flags['base-port'], db: flags.db,
        registries: flags.registries});
      cluster.checkAdminToken(file);
      const plan = cluster.plan(file);
      const registries = plan.filter((p) => p.daemon === 'registry');
      const node = plan.find((p) => p.name === 'node')!;
      const running = await cluster.running(plan);
      await cluster.checkPorts(plan, running, file);
      cluster.save(file);
      const warning = cluster.ephemeralWarning(plan);
      if (warning) this.warn(warning);
      const said = (a: StartAction, info: DaemonInfo | undefined): string => `${a}${info ? `, pid ${info.pid}` : ''}`;
      const steps: Step<Ctx>[] = [
        ...registries.map((registry, i): Step<Ctx> => {
          const title = registries.length === 1 ? 'Registry' : `Registry ${i + 1}`;
          return {title, run: async (c, step) => {
            step.title = `${title}: ${said(await cluster.startRoot(registry, file, plan, c.running),
              c.running.get(registry.name))}`;
          }};
        }),
        {title: `Node ${file.nodeName}`, run: async (c, step) => {
          step.title = `Node ${file.nodeName}: ${said(await cluster.startRoot(node, file, plan, c.running),
            c.running.get('node'))}`;
        }},
        {title: 'Base services (log, config, stat, patch) as servers of the node', run: async (c, step) => {
          c.actions = await cluster.startManaged(plan, file, c.running, DEFAULT_WAIT_MS);
          step.title = `Base services: ${[...c.actions].map(([n, a]) => `${n} ${a}`).join(', ')}`;
        }},
        {title: 'Every servant answers tars_ping', run: async (c) => {
          c.services = await cluster.waitAnswering(plan);
        }},
      ];
      let ctx: Ctx;
      try {
        ctx = await runSteps<Ctx>(steps.map((step) => ({...step, run: async (c, t) => {
          interrupt?.check();
          await step.run(c, t);
          interrupt?.check();
        }})), {running, actions: new Map(), services: []}, this.jsonEnabled(), {signals: flags.detach === true});
      } catch (error) {
        if (!interrupt?.interrupted) throw error;
        this.logToStderr('interrupted: stopping what was started ...');
        for (const o of await cluster.stop(plan, file)) this.logToStderr(`  ${o.name}: ${o.detail}`);
        throw new UserError('interrupted: what had started was stopped again', {code: 'CANCELLED',
          hint: `start it again: ${this.config.bin} cluster start${flags.data ? ` --data ${flags.data}` : ''}`});
      }
      const locator = cluster.locatorOf(plan);
      const before = this.settings.get('locator');
      if (before !== undefined && before !== locator) {
        this.logToStderr(`the saved locator was ${before}; it is now this cluster's registry`);
      }
      await this.settings.set('locator', locator);
      await this.settings.set('cluster', cluster.dir);
      const json: ClusterStatusJson = {dataDir: cluster.dir, locator, nodeName: file.nodeName, services: ctx.services};
      if (!this.jsonEnabled()) {
        this.log(await this.statusTable(ctx.services));
        this.log(`The cluster runs in ${cluster.dir}; ${this.config.bin} commands now use its registry ` +
          `(saved locator ${locator}).`);
        this.log(`Next: ${this.config.bin} new TestApp HelloGo SayHello && ${this.config.bin} server deploy ` +
          'TestApp.HelloGo --package HelloGo');
      }
      if (flags.detach) return json;
      if (this.jsonEnabled()) this.logJson(json);
      await this.foreground(cluster, file, plan, interrupt!);
      return json;
    } finally {
      interrupt?.release();
      cluster.close();
    }
  }

  /**
   * Stays with the cluster: starts the registry or the node again when one of them dies (the node does so for the
   * other services), and stops everything on SIGINT or SIGTERM.
   */
  private async foreground(cluster: import('../../cluster.js').Cluster, file: import('../../plan.js').ClusterFile,
    plan: import('../../plan.js').ServicePlan[], interrupt: Interrupt): Promise<void> {
    this.log('Ctrl-C stops the cluster (start it with --detach to leave it running).');
    const stopped = interrupt.signalled;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 1000))]);
        if (!watching || interrupt.interrupted) break;
        const running = await cluster.running(plan);
        for (const p of plan.filter((x) => x.role === 'root')) {
          if (running.has(p.name) || interrupt.interrupted) continue;
          try {
            await cluster.startRoot(p, file, plan, running);
            this.log(`${p.name} had stopped: started it again (pid ${running.get(p.name)?.pid})`);
          } catch (error) {
            this.logToStderr(`${p.name} had stopped and did not start again: ${(error as Error).message}`);
          }
        }
      }
    })();
    await stopped;
    watching = false;
    await watch;
    this.log('stopping the cluster ...');
    for (const o of await cluster.stop(plan, file)) this.log(`  ${o.name}: ${o.detail}`);
  }
}

/** SIGINT and SIGTERM, caught from the start of the command: what a foreground start ends on. */
class Interrupt {
  interrupted = false;
  readonly signalled: Promise<void>;
  private readonly onSignal: () => void;

  constructor() {
    let resolve!: () => void;
    this.signalled = new Promise((r) => {
      resolve = r;
    });
    this.onSignal = () => {
      this.interrupted = true;
      resolve();
    };
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Throws once a signal came: the start stops between its steps. */
  check(): void {
    if (this.interrupted) throw new UserError('interrupted', {code: 'CANCELLED'});
  }

  release(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
