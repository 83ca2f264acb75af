// tars.tarsconfig.ConfigObj: ConfigF as the official tarsconfig answers it, over the config service's snapshot.
// loadConfig, loadConfigByInfo and ListAllConfigByInfo count against the per-caller rate limit (429 beyond it);
// the other functions do not, as officially. Every answer reads the service's snapshot current as of the call
// (ConfigService.fresh: with a store shared by several config centers, after a read of its change stamp).
import {type CallContext, parseTarsConfig} from '@tars-ts/core';
import {ConfigF} from '@tars-ts/core/framework';

import type {ConfigService} from './config-service.js';
import {RATE_LIMITED, RateLimiter} from './rate-limit.js';

type R = ConfigF.Config$Results;

/** The official object name of the config center. */
export const CONFIG_OBJ = 'tars.tarsconfig.ConfigObj';

/**
 * Who calls, as the official server names the caller (Current::getHostName): the request context's node_name when
 * the key is present (a node fetching for its servers), else the caller's IP.
 */
export function callerHost(ctx: Pick<CallContext, 'context' | 'remote'>): string {
  const nodeName = ctx.context.get('node_name');
  if (nodeName !== undefined) return nodeName;
  const host = ctx.remote?.host ?? '';
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice('::ffff:'.length) : host;
}

/** The parser's complaint about a merged file, or undefined when TARS config parses it. */
function parseProblem(text: string): string | undefined {
  try {
    parseTarsConfig(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export class ConfigObjServant extends ConfigF.ConfigServant {
  constructor(private readonly service: ConfigService, private readonly limiter = new RateLimiter()) {
    super();
  }

  private limited(app: string, server: string, host: string, file: string): boolean {
    return !this.limiter.allow(JSON.stringify([app, server, host, file]));
  }

  async ListConfig(app: string, server: string, ctx: CallContext): Promise<R['ListConfig']> {
    return {ret: 0, vf: (await this.service.fresh()).nodeFiles(app, server, callerHost(ctx), '') ?? []};
  }

  async loadConfig(app: string, server: string, filename: string, ctx: CallContext): Promise<R['loadConfig']> {
    const host = callerHost(ctx);
    if (this.limited(app, server, host, filename)) return {ret: RATE_LIMITED, config: ''};
    const snap = await this.service.fresh();
    return {ret: 0, config: server === '' ? snap.appConfig(app, filename) : snap.byHost(app, server, filename, host)};
  }

  async loadConfigByHost(appServerName: string, filename: string, host: string): Promise<R['loadConfigByHost']> {
    const [app, server] = splitAppServer(appServerName);
    return {ret: 0, config: (await this.service.fresh()).byHost(app, server, filename, host)};
  }

  async checkConfig(appServerName: string, filename: string, host: string): Promise<R['checkConfig']> {
    const [app, server] = splitAppServer(appServerName);
    const config = (await this.service.fresh()).byHost(app, server, filename, host);
    const problem = parseProblem(config);
    return problem === undefined ? {ret: 0, result: config} : {ret: -1, result: problem};
  }

  async ListConfigByInfo(info: ConfigF.ConfigInfo, ctx: CallContext): Promise<R['ListConfigByInfo']> {
    const vf = (await this.service.fresh()).nodeFiles(info.appname, info.servername, info.host || callerHost(ctx),
      info.setdivision);
    return vf ? {ret: 0, vf} : {ret: -1, vf: []};
  }

  async loadConfigByInfo(info: ConfigF.ConfigInfo, ctx: CallContext): Promise<R['loadConfigByInfo']> {
    // The key is the caller's host even when the info names another: the official server does the same.
    if (this.limited(info.appname, info.servername, callerHost(ctx), info.filename)) {
      return {ret: RATE_LIMITED, config: ''};
    }
    const snap = await this.service.fresh();
    return info.bAppOnly || info.servername === '' ? snap.appByInfo(info.appname, info.filename, info.setdivision)
      : snap.hostByInfo(info.appname, info.servername, info.filename, info.host || callerHost(ctx), info.setdivision);
  }

  async checkConfigByInfo(info: ConfigF.ConfigInfo, ctx: CallContext): Promise<R['checkConfigByInfo']> {
    // Officially always the server-level resolution, whatever bAppOnly says.
    const r = (await this.service.fresh()).hostByInfo(info.appname, info.servername, info.filename,
      info.host || callerHost(ctx), info.setdivision);
    if (r.ret !== 0) return {ret: -1, result: `setdivision "${info.setdivision}" is not name.area.group`};
    const problem = parseProblem(r.config);
    return problem === undefined ? {ret: 0, result: r.config} : {ret: -1, result: problem};
  }

  async ListAllConfigByInfo(info: ConfigF.GetConfigListInfo, ctx: CallContext): Promise<R['ListAllConfigByInfo']> {
    if (this.limited(info.appname, info.servername, callerHost(ctx), '')) return {ret: RATE_LIMITED, vf: []};
    const vf = (await this.service.fresh()).allFiles(info);
    return vf ? {ret: 0, vf} : {ret: -1, vf: []};
  }
}

/** `App.Server` -> [App, Server]; a name without a dot is an app with no server. */
function splitAppServer(name: string): [string, string] {
  const dot = name.indexOf('.');
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
}
