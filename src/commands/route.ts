import {Args, Flags} from '@oclif/core';
import {RegistryClientCommand} from '@tars-ts/kit';

import type {RouteJson} from '../lib/route.js';

export default class Route extends RegistryClientCommand {
  static override summary = 'Explain which endpoint a call to an object would go to, and why.';

  static override description = `Step by step as a client gets there: the registry lookup it makes (findObjectByIdInSameGroup, or
findObjectByIdInSameSet with --set) and what the IDC group or SET rule kept; every endpoint with its verdict
(candidate, blocked: it does not answer a tars_ping now, inactive in the registry, another group or SET); the
load-balancing rule; and the pick, made by the runtime's own endpoint manager: by --hash KEY (modulo, or the
consistent ring with --consistent), else the rotation of round robin (or weighted). --from-ip applies the IDC rule
for a caller at that address instead of this host.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj --hash user-42',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj --set sz.a.1 --from-ip 10.0.1.7'];

  static override args = {obj: Args.string({description: 'servant object, App.Server.Obj', required: true})};

  static override flags = {
    hash: Flags.string({summary: 'The call\'s hash key (a number or a string, as a hashed call gives it).', helpValue: 'KEY'}),
    consistent: Flags.boolean({summary: 'With --hash: the consistent hash ring instead of modulo.', dependsOn: ['hash']}),
    set: Flags.string({summary: 'The caller\'s SET, name.area.group.', helpValue: 'SET'}),
    from: Flags.string({summary: 'A caller App.Server: ask each of its running instances (tars.viewproxy) which ' +
      'endpoints of OBJ it has blocked, and since when.', helpValue: 'App.Server'}),
    'from-ip': Flags.string({summary: 'The caller\'s IP for the IDC group rule (default: this host, as the registry sees it).',
      helpValue: 'IP'}),
  };

  async run(): Promise<RouteJson> {
    const {args, flags} = await this.parse(Route);
    const {UserError} = await import('@tars-ts/kit');
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(args.obj)) {
      throw new UserError(`"${args.obj}" is not an object name App.Server.Obj`, {code: 'BAD_NAME',
        hint: 'e.g. tars route TestApp.HelloGo.SayHelloObj (endpoints come from the registry)'});
    }
    const [{parseSetId, fromEndpointF, endpointKey, formatEndpoint, TarsCallError, returnCodeName, closestName},
      {QueryF, RegistryCtl}, {explainRoute, routeLines}] = await Promise.all([import('@tars-ts/core'),
      import('@tars-ts/core/framework'), import('../lib/route.js')]);
    if (flags.set !== undefined && !parseSetId(flags.set)) {
      throw new UserError(`--set "${flags.set}" is not name.area.group`, {code: 'BAD_ARGUMENT', hint: 'e.g. --set sz.a.1'});
    }
    if (flags['from-ip'] !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(flags['from-ip'])) {
      throw new UserError(`--from-ip "${flags['from-ip']}" is not an IPv4 address`, {code: 'BAD_ARGUMENT',
        hint: 'IDC groups are rules over IPv4 addresses, e.g. --from-ip 10.0.1.7'});
    }
    const query = await this.registry(QueryF.QueryFProxy, flags);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, 'tars.tarsregistry.RegistryCtlObj');
    const [all, groups, answer] = await Promise.all([query.findObjectById4Any(args.obj), ctl.listGroups(),
      flags.set ? query.findObjectByIdInSameSet(args.obj, flags.set) : query.findObjectByIdInSameGroup(args.obj)]);
    const listed = [...all.activeEp.map((e) => ({e, active: true})), ...all.inactiveEp.map((e) => ({e, active: false}))]
      .map(({e, active}) => ({endpoint: fromEndpointF(e), active, node: e.nodeName, group: e.groupworkid,
        setId: e.setId}));
    if (listed.length === 0) {
      const guess = closestName(args.obj, (await ctl.listObjects('')).objects.map((o) => o.name));
      throw new UserError(`the registry knows no endpoint of ${args.obj}`, {code: 'NO_ENDPOINT',
        hint: guess ? `did you mean ${guess}?` : 'tars registry list shows the objects it knows'});
    }
    const proxy = this.registryCommunicator!.objectProxy(`${args.obj}@${listed.map((l) => formatEndpoint(l.endpoint)).join(':')}`);
    const pings = await proxy.ping({timeout: Math.min(this.settings.timeout(flags.timeout), 3000)});
    const probes = new Map(pings.map((p) => {
      const code = p.error instanceof TarsCallError ? p.error.returnCode : p.error?.wireCode ?? 0;
      return [endpointKey(p.endpoint), p.error ? {error: `${code} ${returnCodeName(code)}`, code}
        : {ms: Math.round(p.ms! * 1000) / 1000}];
    }));
    const callers = flags.from === undefined ? undefined : await this.callerViews(flags, flags.from, args.obj);
    const json = await explainRoute({obj: args.obj, all: listed, set: flags.set, fromIp: flags['from-ip'], callers,
      registryAnswer: answer.activeEp.map((e) => endpointKey(fromEndpointF(e))), rules: groups, probes,
      hash: flags.hash === undefined ? undefined : {key: flags.hash, type: flags.consistent ? 'consistent' : 'modulo'}});
    if (!this.jsonEnabled()) for (const line of routeLines(json)) this.log(line);
    return json;
  }

  /**
   * Each running instance of `from` (App.Server) asked, through the registry and its node, for its client view of
   * `obj` (tars.viewproxy --json); an instance that does not answer is named in a warning and left out.
   */
  private async callerViews(flags: Parameters<Route['registry']>[1], from: string,
    obj: string): Promise<import('../lib/route.js').CallerView[]> {
    const {UserError} = await import('@tars-ts/kit');
    const [application, serverName, extra] = from.split('.');
    if (!application || !serverName || extra !== undefined) {
      throw new UserError(`--from "${from}" is not App.Server`, {code: 'BAD_ARGUMENT', hint: 'e.g. --from TestApp.Caller'});
    }
    const {RegistryCtl, AdminReg} = await import('@tars-ts/core/framework');
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, 'tars.tarsregistry.RegistryCtlObj');
    const admin = await this.registry(AdminReg.AdminRegProxy, flags, 'tars.tarsAdminRegistry.AdminRegObj');
    const instances = (await ctl.listServers('')).servers.filter((s) => s.application === application &&
      s.serverName === serverName && s.presentState === 'active');
    if (instances.length === 0) {
      throw new UserError(`${from} has no running instance to ask`, {code: 'BAD_ARGUMENT',
        hint: `tars server status ${from}`});
    }
    const views: import('../lib/route.js').CallerView[] = [];
    for (const s of instances) {
      const caller = `${from} on ${s.nodeName}`;
      try {
        const {ret, result} = await admin.notifyServer(application, serverName, s.nodeName, `tars.viewproxy --json ${obj}`);
        const start = result.indexOf('{');
        if (ret !== 0 || start < 0) throw new Error(result || `AdminReg answered ${ret}`);
        const view = JSON.parse(result.slice(start)) as {now: number; proxies: import('../lib/route.js').CallerView['proxies']};
        views.push({caller, now: view.now, proxies: view.proxies});
      } catch (error) {
        this.warn(`${caller} did not say how it sees ${obj}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return views;
  }
}
