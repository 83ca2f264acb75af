// The base of `tars patch upload|list|rm`: where the patch server is and proxies of its two servants. The server is
// `-e` (its PatchObj endpoint; PatchCtlObj is on the next port, as `--port P` lays them out, or --ctl-endpoint), else the registry of
// `--locator` (which resolves both by name: a patch server started with --locator lists them), else the patch
// server running on this machine with `--data` when given, else the saved locator (`tars settings set locator
// ...`), else the patch server running here with the default data directory, found through its lock.
import {Flags} from '@oclif/core';
import type {Communicator} from '@tars-ts/core';
import type {Patch, PatchCtl} from '@tars-ts/core/framework';
import {TarsCommand, UserError} from '@tars-ts/kit';

import {patchDaemon} from './daemon.js';
import {PATCH_CTL_OBJ, PATCH_OBJ} from './servants.js';

/** What every patch client command accepts. */
export interface PatchClientFlags {
  endpoint?: string | undefined;
  'ctl-endpoint'?: string | undefined;
  locator?: string | undefined;
  timeout?: number | undefined;
  data?: string | undefined;
}

/** `App.Server` split, or a usage error. */
export function appServer(text: string): {app: string; server: string} {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(text);
  if (!m) {
    throw new UserError(`"${text}" is not App.Server`, {code: 'BAD_ARGUMENT',
      hint: 'name the server as App.Server, e.g. TestApp.HelloServer'});
  }
  return {app: m[1]!, server: m[2]!};
}

/** The endpoint text with its port moved by `delta`. */
function nextPort(endpoint: string, delta: number): string {
  const m = /-p\s+(\d+)/.exec(endpoint);
  if (!m) {
    throw new UserError(`-e "${endpoint}" has no port`, {code: 'BAD_ARGUMENT',
      hint: 'give PatchObj\'s endpoint, e.g. -e "tcp -h 127.0.0.1 -p 18793"'});
  }
  return endpoint.replace(/-p\s+\d+/, `-p ${Number(m[1]) + delta}`);
}

export abstract class PatchClientCommand extends TarsCommand {
  private communicator?: Communicator;

  static override baseFlags = {
    endpoint: Flags.string({char: 'e', summary: 'The patch server\'s PatchObj endpoint ("tcp -h H -p 18793"); ' +
      'PatchCtlObj is taken on the next port unless --ctl-endpoint says.', helpValue: 'ENDPOINT'}),
    'ctl-endpoint': Flags.string({summary: 'With -e: PatchCtlObj\'s endpoint, when it is not on the port after ' +
      'PatchObj\'s (a patch server started with --port 0).', helpValue: 'ENDPOINT', dependsOn: ['endpoint']}),
    locator: Flags.string({summary: 'A registry that resolves tars.tarspatch.PatchObj and PatchCtlObj ' +
      '("tars.tarsregistry.QueryObj@tcp -h H -p 17890", or just "tcp -h H -p P").', helpValue: 'OBJ'}),
    timeout: Flags.integer({summary: 'Timeout of each call, ms (default 3000, or: tars settings set timeout N).',
      min: 1, helpValue: 'MS'}),
    data: Flags.string({summary: 'Data directory of the local patch server to use.', helpValue: 'DIR'}),
  };

  /** Proxy strings of PatchObj and PatchCtlObj, and the locator when they resolve by name. */
  private async targets(flags: PatchClientFlags): Promise<{patch: string; ctl: string; locator?: string}> {
    if (flags.endpoint) {
      return {patch: `${PATCH_OBJ}@${flags.endpoint}`,
        ctl: `${PATCH_CTL_OBJ}@${flags['ctl-endpoint'] ?? nextPort(flags.endpoint, 1)}`};
    }
    const viaLocator = (locator: string) => ({patch: PATCH_OBJ, ctl: PATCH_CTL_OBJ,
      locator: locator.includes('@') ? locator : `tars.tarsregistry.QueryObj@${locator}`});
    if (flags.locator) return viaLocator(flags.locator);
    const {daemonStatus} = await import('@tars-ts/kit');
    const local = async () => {
      const status = await daemonStatus(patchDaemon, {data: flags.data});
      if (!status.running) return undefined;
      const at = (obj: string) => status.info.endpoints.find((e) => e.obj === obj)?.endpoint;
      const patch = at(PATCH_OBJ);
      const ctl = at(PATCH_CTL_OBJ);
      return patch && ctl ? {patch: `${PATCH_OBJ}@${patch}`, ctl: `${PATCH_CTL_OBJ}@${ctl}`} : undefined;
    };
    if (flags.data) {
      const found = await local();
      if (found) return found;
      throw this.noDaemon(flags.data);
    }
    const saved = this.settings.get('locator');
    if (saved) return viaLocator(saved);
    const found = await local();
    if (found) return found;
    throw this.noDaemon(undefined);
  }

  private noDaemon(data: string | undefined): UserError {
    return new UserError(`no patch server to ask: no -e, no --locator, no saved locator, and no patch server runs in ` +
      `${data ?? './.tars/patch'}`, {code: 'NO_ENDPOINT',
      hint: 'start one (tars patch start --detach), or give -e "tcp -h HOST -p 18793", or --data DIR of a running one'});
  }

  /** Proxies of PatchObj and PatchCtlObj; their communicator closes when the command ends. */
  protected async patchServer(flags: PatchClientFlags): Promise<{patch: Patch.PatchProxy; ctl: PatchCtl.PatchCtlProxy}> {
    const [{Patch: P, PatchCtl: C}, {communicatorFor}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit')]);
    const t = await this.targets(flags);
    this.communicator ??= await communicatorFor(t.locator
      ? {proxy: t.ctl, obj: PATCH_CTL_OBJ, via: 'locator', locator: t.locator}
      : {proxy: t.ctl, obj: PATCH_CTL_OBJ, via: 'endpoint'}, {cacheDir: this.config.cacheDir});
    const timeout = this.settings.timeout(flags.timeout);
    return {patch: this.communicator.stringToProxy(P.PatchProxy, t.patch, {timeout}),
      ctl: this.communicator.stringToProxy(C.PatchCtlProxy, t.ctl, {timeout})};
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.communicator?.close();
    return super.finally(err);
  }
}
