// The cluster's admin token: what the base services' administrative objects require of their callers once the
// services bind beyond loopback (issue 19). It is TARS endpoint authentication (`-e 1`, docs/auth.md) with one
// access key, `tars-admin`, whose secret is the token: the admin objects' endpoints carry `-e 1`, so every client
// that resolves them through the registry knows to run the handshake, and one without the token is refused (-106,
// logged by the server) before any request of it runs. Lookups, reports and the services' own calls (QueryObj,
// RegistryObj, ServerObj, LogObj, StatObj, ConfigObj, PatchObj) stay open, as in TARS.
//
// Where the token comes from, on both sides: the environment (`TARS_ADMIN_TOKEN`), else the CLI's saved setting
// `token` (`tars login`).
import type {Settings} from './settings.js';

/** The access key of the admin token (`<Adapter> accesskey`, `<client><Obj> accesskey`). */
export const ADMIN_ACCESS_KEY = 'tars-admin';

/** The environment variable that carries the token (daemons started by a cluster or a node get it there). */
export const ADMIN_TOKEN_ENV = 'TARS_ADMIN_TOKEN';

/** The shortest token taken: a guessable one would protect nothing. */
export const MIN_TOKEN_LENGTH = 12;

/**
 * The administrative objects of the base services: deploy, start/stop, config push, patch upload, registry writes
 * all go through them (DaemonServantSpec.admin marks them in each daemon's spec; a test checks the two agree).
 */
export const ADMIN_OBJECTS: readonly string[] = Object.freeze([
  'tars.tarsAdminRegistry.AdminRegObj',
  'tars.tarsregistry.RegistryCtlObj',
  'tars.tarsnode.NodeObj',
  'tars.tarsconfig.ConfigCtlObj',
  'tars.tarspatch.PatchCtlObj',
]);

/** The admin token of this process: `TARS_ADMIN_TOKEN`, else the saved setting `token`; undefined when neither. */
export function adminToken(settings?: Pick<Settings, 'get'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env[ADMIN_TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const saved = settings?.get('token');
  return saved === undefined || saved === '' ? undefined : saved;
}

/** What is wrong with a token, or undefined. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `the token is ${token.length} characters long; give at least ${MIN_TOKEN_LENGTH}`;
  if (/\s/.test(token)) return 'the token contains white space';
  return undefined;
}

/** The client-side keys of every admin object for `token` (a Communicator's `auth`); undefined without a token. */
export function adminAuth(token: string | undefined):
  Record<string, {accesskey: string; secretkey: string}> | undefined {
  if (token === undefined) return undefined;
  return Object.fromEntries(ADMIN_OBJECTS.map((obj) => [obj, {accesskey: ADMIN_ACCESS_KEY, secretkey: token}]));
}

