// tars.tarsconfig.ConfigObj: ConfigF as the official tarsconfig answers it, over the config service's snapshot.
// loadConfig, loadConfigByInfo and ListAllConfigByInfo count against the per-caller rate limit (429 beyond it);
// the other functions do not, as officially.
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

  ListConfig(app: string, server: string, ctx: CallContext): R['ListConfig'] {
    return {ret: 0, vf: this.service.snapshot().nodeFiles(app, server, callerHost(ctx), '') ?? []};
  }

  loadConfig(app: string, server: string, filename: string, ctx: CallContext): R['loadConfig'] {
    const host = callerHost(ctx);
    if (this.limited(app, server, host, filename)) return {ret: RATE_LIMITED, config: ''};
    const snap = this.service.snapshot();
    return {ret: 0, config: server === '' ? snap.appConfig(app, filename) : snap.byHost(app, server, filename, host)};
  }

  loadConfigByHost(appServerName: string, filename: string, host: string): R['loadConfigByHost'] {
    const [app, server] = splitAppServer(appServerName);
    return {ret: 0, config: this.service.snapshot().byHost(app, server, filename, host)};
  }

  checkConfig(appServerName: string, filename: string, host: string): R['checkConfig'] {
    const [app, server] = splitAppServer(appServerName);
    const config = this.service.snapshot().byHost(app, server, filename, host);
    const problem = parseProblem(config);
    return problem === undefined ? {ret: 0, result: config} : {ret: -1, result: problem};
  }

  ListConfigByInfo(info: ConfigF.ConfigInfo, ctx: CallContext): R['ListConfigByInfo'] {
    const vf = this.service.snapshot().nodeFiles(info.appname, info.servername, info.host || callerHost(ctx),
      info.setdivision);
    return vf ? {ret: 0, vf} : {ret: -1, vf: []};
  }

  loadConfigByInfo(info: ConfigF.ConfigInfo, ctx: CallContext): R['loadConfigByInfo'] {
    // The key is the caller's host even when the info names another: the official server does the same.
    if (this.limited(info.appname, info.servername, callerHost(ctx), info.filename)) {
      return {ret: RATE_LIMITED, config: ''};
    }
    const snap = this.service.snapshot();
    return info.bAppOnly || info.servername === '' ? snap.appByInfo(info.appname, info.filename, info.setdivision)
      : snap.hostByInfo(info.appname, info.servername, info.filename, info.host || callerHost(ctx), info.setdivision);
  }

  checkConfigByInfo(info: ConfigF.ConfigInfo, ctx: CallContext): R['checkConfigByInfo'] {
    // Officially always the server-level resolution, whatever bAppOnly says.
    const r = this.service.snapshot().hostByInfo(info.appname, info.servername, info.filename,
      info.host || callerHost(ctx), info.setdivision);
    if (r.ret !== 0) return {ret: -1, result: `setdivision "${info.setdivision}" is not name.area.group`};
    const problem = parseProblem(r.config);
    return problem === undefined ? {ret: 0, result: r.config} : {ret: -1, result: problem};
  }

  ListAllConfigByInfo(info: ConfigF.GetConfigListInfo, ctx: CallContext): R['ListAllConfigByInfo'] {
    if (this.limited(info.appname, info.servername, callerHost(ctx), '')) return {ret: RATE_LIMITED, vf: []};
    const vf = this.service.snapshot().allFiles(info);
    return vf ? {ret: 0, vf} : {ret: -1, vf: []};
  }
}

/** `App.Server` -> [App, Server]; a name without a dot is an app with no server. */
function splitAppServer(name: string): [string, string] {
  const dot = name.indexOf('.');
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
}
