// What `tars doctor <code>` knows of each TARS return code: its name, which side raises it and when, and the usual
// causes in the order they are met in practice, each with the command that checks it. Facts from the protocol
// (BaseF.tars, AdminReg's tarsErrCode) and how TarsCpp, TarsGo and @tars/rpc use the codes (spec/protocol.md 2.8).

import {errorSpecByWireCode} from '@tars-ts/core/errors';

/** One likely cause and how to check it. */
export interface Cause {
  readonly cause: string;
  /** A command that checks it, with placeholders OBJ (App.Server.Obj), SERVER (App.Server), APP and NAME (Server). */
  readonly check: string;
}

/** One code's guide. */
export interface CodeGuide {
  readonly code: number;
  readonly name: string;
  /** Where it comes from: the server's answer, the client itself, or an admin call (registry, node). */
  readonly kind: 'call' | 'admin';
  readonly meaning: string;
  /** What raises it, on each side. */
  readonly raisedBy: string;
  /** Whether repeating the same call may succeed. */
  readonly retryable: boolean;
  readonly causes: readonly Cause[];
}

const g = (code: number, name: string, kind: CodeGuide['kind'], retryable: boolean, meaning: string, raisedBy: string,
  ...causes: [string, string][]): CodeGuide =>
  ({code, name, kind, retryable, meaning, raisedBy, causes: causes.map(([cause, check]) => ({cause, check}))});

/** A call return code the error catalogue knows: its name, meaning and retryability come from there. */
const wire = (code: number, raisedBy: string, ...causes: [string, string][]): CodeGuide => {
  const spec = errorSpecByWireCode(code);
  if (!spec) throw new Error(`the error catalogue has no return code ${code}`);
  return g(code, spec.code, 'call', spec.retryable, spec.summary, raisedBy, ...causes);
};

/** Every code doctor explains, call return codes first, then the admin codes of AdminReg and the node. */
export const CODE_GUIDES: readonly CodeGuide[] = [
  g(0, 'TARSSERVERSUCCESS', 'call', false, 'success: the call went through', 'the server, for every answered call'),
  wire(-1, 'the server, when reading the arguments fails (TarsCpp and @tars/rpc; a TarsGo server answers 1 instead)',
    ['caller and server were built from different versions of the .tars file (a parameter added, removed, '
      + 'reordered or retyped)', 'tars describe OBJ (compare with your .tars), tars idl diff OLD.tars NEW.tars'],
    ['a struct the caller sends lacks a field the server declares `require`', 'tars idl diff OLD.tars NEW.tars'],
    ['the caller sent TUP or JSON the server does not read', 'tars call OBJ FUNC ARGS (our client speaks plain TARS)']),
  wire(-2, 'the server, when the servant\'s return or out values do not fit their declared types',
    ['the servant returned a value out of the declared type\'s range, or nothing for a required field',
      'tars log query SERVER --since 15m (the server log names the value)']),
  wire(-3, 'the server, when the request\'s function name is not in the servant\'s interface (TarsGo answers 1, '
    + '"func mismatch")',
    ['the function name is misspelled (names are case-sensitive)', 'tars describe OBJ'],
    ['the server runs an older version without the function', 'tars server status SERVER, tars patch list SERVER'],
    ['the call reached another servant than meant (an endpoint reused by another server)', 'tars registry find OBJ']),
  wire(-4, 'the server, when the request\'s servant name matches none of its adapters',
    ['the object name is wrong (App.Server.Obj)', 'tars registry find OBJ'],
    ['the endpoint now belongs to another server (a port reused after a move)', 'tars ping OBJ, tars registry list'],
    ['the adapter\'s servant is misconfigured in the server\'s config', 'tars server status SERVER']),
  wire(-5, 'the server, when the caller\'s grid flag differs from its own (grey releases)',
    ['the caller\'s endpoint list is older than the grey release', 'tars route OBJ (the registry\'s answer now)']),
  wire(-6, 'the server, for a request whose queue time passed queuetimeout (or the call\'s own timeout: TarsGo)',
    ['the server is overloaded: its handlers are slower than the arrivals', 'tars stat query --app APP --server NAME '
      + '(latency, calls), tars property query --module SERVER (queue length)'],
    ['too few handler threads for slow calls', 'tars server status SERVER (threads per adapter)'],
    ['a downstream call of the server is slow', 'tars trace list --server NAME --slow 500ms']),
  wire(-7, 'the client (TARSASYNCCALLTIMEOUT / TARSINVOKETIMEOUT): the server may still have done the work',
    ['the server is slow or overloaded for this call', 'tars stat query --app APP --server NAME, tars ping OBJ'],
    ['the server process hangs or is stopped but its port still accepts', 'tars server status SERVER, tars ping OBJ'],
    ['the timeout is shorter than the call needs', 'tars call OBJ FUNC ARGS --timeout 10000'],
    ['the network drops packets between caller and server', 'tars ping OBJ (from the caller\'s host)']),
  wire(-8, 'the client, when no connection opens (refused, unreachable, TLS handshake failed), or during the back-off '
    + 'after such a failure',
    ['the server is not running', 'tars server status SERVER'],
    ['the endpoint is wrong or old (host, port)', 'tars registry find OBJ, tars route OBJ'],
    ['a firewall or network namespace blocks the port', 'tars ping OBJ (from the caller\'s host)'],
    ['the endpoint is ssl and the caller has no TLS settings', 'tars ping OBJ --ca CA.pem']),
  wire(-9, 'the server (TarsCpp, ours), when its queue holds queuecap requests; TarsGo has no such answer',
    ['more load than the server can take', 'tars stat query --app APP --server NAME, tars property query --module SERVER'],
    ['queuecap or threads too small', 'tars server status SERVER']),
  wire(-10, 'the client, before sending: the registry listed no active endpoint, or every one is blocked',
    ['no instance is active in the registry (stopped, or its node is silent)', 'tars registry find OBJ, '
      + 'tars server status SERVER, tars node list'],
    ['the caller\'s SET or IDC group leaves no endpoint', 'tars route OBJ --set NAME.AREA.GROUP'],
    ['every endpoint failed recently and is blocked for a while', 'tars route OBJ, tars ping OBJ']),
  wire(-11, 'the server, when a SET call reaches an instance of another SET',
    ['the caller\'s setdivision and the callee\'s SET disagree', 'tars server status SERVER (setId), '
      + 'tars route OBJ --set NAME.AREA.GROUP']),
  wire(-12, 'the client, when the response does not match the return or out types it expects',
    ['caller and server were built from different versions of the .tars file (a return or out type changed)',
      'tars describe OBJ, tars idl diff OLD.tars NEW.tars']),
  wire(-13, 'the client, when the connection was lost while the request was being written',
    ['the connection closed under the call (a server restart, a network cut)', 'tars ping OBJ, tars server status SERVER']),
  wire(-99, 'the server, when the servant threw something other than a TARS error (its message is in the answer)',
    ['the servant threw: a bug or a failed dependency', 'tars log query SERVER --since 15m, tars server logs SERVER']),
  wire(-106, 'the client, when the server closes the connection after the auth handshake',
    ['the access key or secret key is wrong or missing', 'tars login (the admin token), the <client> keys of the caller'],
    ['the caller\'s clock is more than an hour off the server\'s', 'date on both hosts']),
  g(1, 'TARSGO_ERROR', 'call', false, 'a TarsGo server\'s error: its answer carries the text',
    'a TarsGo server, for a decode failure, an unknown function ("func mismatch") or an error the servant returned',
    ['an unknown function ("func mismatch" in the message)', 'tars describe OBJ'],
    ['the arguments did not decode (interface versions differ)', 'tars idl diff OLD.tars NEW.tars'],
    ['the servant returned an error', 'the message; tars log query SERVER --since 15m']),
  g(1001, 'EM_TARS_NODE_NOT_REGISTRY_ERR', 'admin', true, 'the node is not registered with the registry, or is silent',
    'the registry (AdminReg), when it cannot reach the node a command is for',
    ['the node is not running', 'tars node list, tars node status'],
    ['the node runs but its heart-beats do not reach the registry (locator, network)', 'tars node list (last '
      + 'heart-beat), tars registry nodes']),
  g(1002, 'EM_TARS_CALL_NODE_TIMEOUT_ERR', 'admin', true, 'the node did not answer in time',
    'the registry (AdminReg), when the node does not answer a command before its timeout',
    ['the node is busy (a long stop, a download) or hangs', 'tars node status, tars server logs SERVER']),
  g(1003, 'EM_TARS_LOAD_SERVICE_DESC_ERR', 'admin', false, 'the server\'s deployment could not be loaded',
    'the registry or node, when the server is not deployed (on that node)',
    ['the server is not deployed there', 'tars server status SERVER, tars server list']),
  g(1004, 'EM_TARS_SERVICE_STATE_ERR', 'admin', true, 'the server is in a state that does not allow the command',
    'the node or registry (e.g. an undeploy of a running server, a start while it is still stopping)',
    ['the server is running (stop it first) or between states', 'tars server status SERVER']),
  g(1005, 'EM_TARS_REQ_ALREADY_ERR', 'admin', true, 'the same request is already running',
    'the node, when a patch or another long command for the server is under way',
    ['a rollout is running', 'tars server status SERVER']),
  g(1006, 'EM_TARS_INVALID_IP_ERR', 'admin', false, 'the node name or address is not valid',
    'the registry or node', ['a node name that does not exist', 'tars node list']),
  g(1007, 'EM_TARS_PARAMETER_ERR', 'admin', false, 'a parameter of the command is wrong',
    'the registry or node', ['the command\'s arguments', 'the command\'s --help']),
  g(1008, 'EM_TARS_OTHER_ERR', 'admin', false, 'another failure (the answer\'s text says which)',
    'the registry or node', ['see the answer\'s text and the node log', 'tars server logs SERVER']),
  g(1009, 'EM_TARS_GET_PATCH_FILE_ERR', 'admin', true, 'the node could not get the patch package',
    'the node, when the download from the patch server fails',
    ['the version is not in the patch store', 'tars patch list SERVER'],
    ['the patch server is down or unreachable from the node', 'tars patch status, tars cluster status']),
  g(1010, 'EM_TARS_PREPARE_ERR', 'admin', false, 'preparing the patch failed',
    'the node, when the package does not unpack or check out', ['a broken or unsafe package', 'tars patch list SERVER (md5), '
      + 'the node log']),
  g(1011, 'EM_TARS_CAN_NOT_EXECUTE', 'admin', false, 'the command cannot be executed',
    'the node', ['the server has no such script or is not deployed there', 'tars server status SERVER']),
  g(1012, 'EM_TARS_NODE_NO_CONNECTION', 'admin', true, 'the node has no connection to the registry',
    'the registry', ['the node lost the registry', 'tars node status, tars node list']),
];

/**
 * The guides a code names: `-7`, `7` (read as -7: every call code but 1 is negative), `1001`, or a name
 * (`TARSINVOKETIMEOUT`, `invoke_timeout`, `EM_TARS_...`, case-insensitive, TARSASYNCCALLTIMEOUT too). -1 is both
 * a call code and AdminReg's EM_TARS_UNKNOWN_ERR; both are given. Empty when nothing matches.
 */
export function findCodeGuides(text: string): CodeGuide[] {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) {
    let n = Number(t);
    if (n > 1 && n < 1000 && !t.startsWith('+')) n = -n;
    const found = CODE_GUIDES.filter((c) => c.code === n);
    if (n === -1) found.push(ADMIN_UNKNOWN);
    return found;
  }
  const name = t.toUpperCase().replace(/[^A-Z0-9_]/g, '');
  if (name === 'TARSASYNCCALLTIMEOUT') return CODE_GUIDES.filter((c) => c.code === -7);
  if (name === 'EM_TARS_UNKNOWN_ERR') return [ADMIN_UNKNOWN];
  const exact = CODE_GUIDES.filter((c) => c.name === name);
  if (exact.length > 0) return exact;
  const bare = name.replace(/_/g, '');
  return name.length >= 4 ? CODE_GUIDES.filter((c) => c.name.replace(/_/g, '').includes(bare)) : [];
}

/** -1 as an admin call's answer (AdminReg, the node): a failure its text names. */
const ADMIN_UNKNOWN: CodeGuide = g(-1, 'EM_TARS_UNKNOWN_ERR', 'admin', false,
  'an admin command failed (as an AdminReg or node answer, -1 is this, not a decode error)',
  'the registry or node, for a failure with no code of its own', ['see the answer\'s text', 'tars server logs SERVER']);
