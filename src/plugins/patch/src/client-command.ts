// The base of `tars patch upload|list|rm`: where the patch server is and proxies of its two servants.
import {Flags} from '@oclif/core';
import type {Patch, PatchCtl} from '@tars-ts/core/framework';
import {DaemonClientCommand, type DaemonClientFlags, UserError} from '@tars-ts/kit';

import {patchDaemon} from './daemon.js';
import {PATCH_CTL_OBJ, PATCH_OBJ} from './servants.js';

/** What every patch client command accepts. */
export interface PatchClientFlags extends DaemonClientFlags {
  'ctl-endpoint'?: string | undefined;
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

/**
 * The base of the patch commands: PatchObj and PatchCtlObj, found as every daemon client finds its daemon (the kit's
 * DaemonClientCommand); with -e (PatchObj's endpoint), PatchCtlObj is on the next port, as `--port P` lays them out,
 * or at --ctl-endpoint.
 */
export abstract class PatchClientCommand extends DaemonClientCommand {
  static override daemon = patchDaemon;
  static override endpointObj = PATCH_OBJ;

  static override baseFlags = {
    ...DaemonClientCommand.baseFlags,
    'ctl-endpoint': Flags.string({summary: 'With -e: PatchCtlObj\'s endpoint, when it is not on the port after ' +
      'PatchObj\'s (a patch server started with --port 0).', helpValue: 'ENDPOINT', dependsOn: ['endpoint']}),
  };

  /** Proxies of PatchObj and PatchCtlObj; their communicator closes when the command ends. */
  protected async patchServer(flags: PatchClientFlags): Promise<{patch: Patch.PatchProxy; ctl: PatchCtl.PatchCtlProxy}> {
    const {Patch: P, PatchCtl: C} = await import('@tars-ts/core/framework');
    const ctlAt = flags.endpoint ? flags['ctl-endpoint'] ?? nextPort(flags.endpoint, 1) : undefined;
    return {patch: await this.connect(P.PatchProxy, flags, PATCH_OBJ),
      ctl: await this.connect(C.PatchCtlProxy, flags, PATCH_CTL_OBJ, ctlAt)};
  }
}
