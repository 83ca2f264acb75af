/**
 * The one error catalogue of the project (design.md, style rule 4).
 *
 * Every error the library raises carries a stable string `code` from this table. Entries that correspond to a TARS
 * return code (BaseF.tars) carry its exact `wireCode`; `retryable` says whether repeating the same call can succeed.
 * `docs/errors.md` holds the same table for users; a test keeps the two in step.
 */
export interface ErrorSpec {
  /** Stable string code; never renamed once released. */
  readonly code: string;
  /** The TARS return code (BaseF.tars) this error is sent or received as, when there is one. */
  readonly wireCode?: number;
  /** Whether repeating the same request may succeed. */
  readonly retryable: boolean;
  /** One line: what happened. */
  readonly summary: string;
  /** One line: the likely cause or what to do about it. */
  readonly hint: string;
  /**
   * The exit code of a `tars` command that ends with this error (cli.md: 1 failure, 2 usage, 3 the remote side
   * answered with a TARS error, 4 nothing answered). Absent: 1. Return codes are 3 when the server sent them and 4
   * when the client met them (timeout, connect failure), which only the error itself can tell.
   */
  readonly exit?: number;
}

// Generic in the code, so that ErrorCode is the union of the codes written here and an unknown code does not compile.
function spec<C extends string>(code: C, retryable: boolean, summary: string, hint: string, wireCode?: number):
  ErrorSpec & {code: C} {
  return wireCode === undefined ? {code, retryable, summary, hint} : {code, wireCode, retryable, summary, hint};
}

/** An error of the command line: how the user called a command, or what it found on this machine. */
function cli<C extends string>(code: C, exit: 1 | 2, summary: string, hint: string): ErrorSpec & {code: C} {
  return {code, retryable: false, summary, hint, exit};
}

/** TARS return codes (BaseF.tars, module `tars`); the names are the official ones. */
export const RETURN_CODE_ERRORS = [
  spec('TARSSERVERDECODEERR', false, 'the server could not decode the request or its arguments',
    'client and server disagree on the interface: regenerate both from the same .tars file', -1),
  spec('TARSSERVERENCODEERR', false, 'the server could not encode its result',
    'the servant returned a value that does not fit the declared return or out types', -2),
  spec('TARSSERVERNOFUNCERR', false, 'the servant has no such function',
    'check the function name (it is case-sensitive) against the server\'s .tars file', -3),
  spec('TARSSERVERNOSERVANTERR', false, 'the server hosts no such servant (object)',
    'check the object name App.Server.Obj and the adapter\'s servant in the server config', -4),
  spec('TARSSERVERRESETGRID', false, 'the grey/grid state of the call does not match the server',
    'the caller\'s grid flag differs from the server\'s; refresh the endpoint list', -5),
  spec('TARSSERVERQUEUETIMEOUT', true, 'the request waited in the server queue longer than its timeout',
    'the server is overloaded: add capacity, raise queuetimeout, or lower the request rate', -6),
  spec('TARSINVOKETIMEOUT', true, 'no answer before the call timed out',
    'is the server up and reachable? try `tars ping`; raise the timeout for slow calls', -7),
  spec('TARSPROXYCONNECTERR', true, 'the client could not connect to the endpoint',
    'is the server listening on that host and port? check the endpoint and any firewall', -8),
  spec('TARSSERVEROVERLOAD', true, 'the server request queue is full',
    'the server is overloaded: add capacity, raise queuecap, or lower the request rate', -9),
  spec('TARSADAPTERNULL', true, 'the client found no usable endpoint',
    'the registry lists no active endpoint for the object, or all are blocked; check `tars registry find`', -10),
  spec('TARSINVOKEBYINVALIDESET', false, 'the call was routed to a SET the callee does not belong to',
    'check enableset/setdivision of the caller and the callee', -11),
  spec('TARSCLIENTDECODEERR', false, 'the client could not decode the response',
    'client and server disagree on the interface: regenerate both from the same .tars file', -12),
  spec('TARSSENDREQUESTERR', true, 'the client could not send the request',
    'the connection was lost while sending; the call may be retried', -13),
  spec('TARSSERVERUNKNOWNERR', false, 'the server failed with an unexpected error',
    'see the server\'s log; the message carries the error the servant threw', -99),
  // AuthF.tars AUTH_STATE: endpoint auth (-e 1). Servers never send it (they close the connection); clients report
  // a refused handshake with it.
  spec('AUTH_ERROR', false, 'the server refused the endpoint-auth handshake (-e 1)',
    'check the accesskey/secretkey configured for the object (<client><App.Server.Obj>) and the server clock', -106),
] as const;

/** Errors of the codec (core/codec): encoding values and decoding bytes. */
export const CODEC_ERRORS = [
  spec('DECODE_TRUNCATED', false, 'the input ended in the middle of a field',
    'the bytes are cut short: check the frame length or the buffer boundaries'),
  spec('DECODE_TYPE_MISMATCH', false, 'a field has a wire type that cannot be read as the declared type',
    'writer and reader disagree on the field\'s type: regenerate both from the same .tars file'),
  spec('DECODE_REQUIRE_MISSING', false, 'a required field is absent',
    'the writer uses an older interface without this field; make the field optional or update the writer'),
  spec('DECODE_BAD_WIRE_TYPE', false,
    'a head carries a wire type that does not exist (14 or 15), or a STRUCT_END where no struct is open',
    'the input is not TARS-encoded or is corrupt'),
  spec('DECODE_BAD_LENGTH', false, 'a length is negative or larger than the input that remains',
    'the input is corrupt or truncated'),
  spec('DECODE_TOO_DEEP', false, 'structs or containers are nested deeper than the reader allows',
    'the input is corrupt, or raise the reader\'s maxDepth for deeply recursive data'),
  spec('DECODE_BAD_SIMPLE_LIST', false, 'a SIMPLE_LIST does not hold bytes (its inner head is not BYTE at tag 0)',
    'the input is corrupt or not TARS-encoded'),
  spec('DECODE_BAD_VALUE', false, 'a decoded value is not valid for its type (e.g. an unknown enum value in strict mode)',
    'writer and reader disagree on the interface'),
  spec('ENCODE_BAD_TAG', false, 'a tag outside 0..255 was given to the writer',
    'tags in .tars files are 0..255; this is a bug in the caller'),
  spec('ENCODE_OUT_OF_RANGE', false, 'a value does not fit the declared type',
    'check the value against the field type (e.g. int is 32-bit signed; use long for larger values)'),
  spec('ENCODE_BAD_VALUE', false, 'a value of the wrong JavaScript type was given to the writer',
    'pass the JavaScript type the field maps to (number, bigint, string, boolean, Uint8Array, array, Map, object)'),
] as const;

/** Errors of packets, framing and TUP (core/protocol). */
export const PROTOCOL_ERRORS = [
  spec('PACKET_TOO_SHORT', false, 'a frame length is below the minimum of 5 bytes',
    'the peer does not speak TARS on this port, or the stream is corrupt; the connection is closed'),
  spec('PACKET_TOO_LARGE', false, 'a frame length is above the configured maximum packet size',
    'raise the max packet size on both sides, or send smaller requests; the connection is closed'),
  spec('PACKET_BAD_VERSION', false, 'the packet carries a protocol version this implementation does not speak',
    'use iVersion 1 (TARS), 2 or 3 (TUP)'),
  spec('PACKET_MALFORMED', false, 'a packet could not be decoded',
    'the peer does not speak TARS on this port, or the stream is corrupt'),
  spec('TUP_KEY_MISSING', false, 'a TUP attribute has no value under the requested name',
    'the peer uses other parameter names: regenerate both sides from the same .tars file'),
  spec('TUP_TYPE_MISMATCH', false, 'a TUP v2 attribute holds a value of another type than requested',
    'the peer declares this parameter with another type'),
] as const;

/** Errors of the IDL front end (core/idl) and the code generator. */
export const IDL_ERRORS = [
  spec('IDL_INVALID', false, 'a .tars file has errors (syntax, unknown types, duplicate tags or names, ...)',
    'each diagnostic names file:line:col and a fix; correct the .tars file and run again'),
  {...spec('IDL_FILE_NOT_FOUND', false, 'a .tars file or an #include could not be found',
    'check the path; add the directory that holds included files with -I/--include'), exit: 2},
] as const;

/** Errors of configuration: the TARS config file, endpoints and proxy strings, communicator properties. */
export const CONFIG_ERRORS = [
  spec('CONFIG_INVALID', false, 'a TARS config file is malformed or lacks a required key',
    'the message names the file, the line and the key; fix the file (see the config format in the README)'),
  spec('ENDPOINT_INVALID', false, 'an endpoint or proxy string cannot be parsed',
    'write endpoints as "tcp -h HOST -p PORT [-t TIMEOUT]", several joined by ":", after "Obj@"'),
  spec('NO_LOCATOR', false, 'an object name without endpoints needs a locator (the registry) to resolve it',
    'give endpoints ("Obj@tcp -h HOST -p PORT") or set the locator ("tars.tarsregistry.QueryObj@tcp -h ... -p 17890")'),
] as const;

/** Errors of the RPC runtime that are not TARS return codes. */
export const RPC_ERRORS = [
  spec('CLOSED', false, 'the communicator, proxy or server was closed',
    'the object was shut down; create a new one'),
  spec('LISTEN_ADDRESS_IN_USE', true, 'an adapter cannot listen: another process listens on its endpoint',
    'stop the other process, or give the adapter another port in the server config'),
  spec('LISTEN_PERMISSION_DENIED', false, 'an adapter cannot listen: the system does not allow this port',
    'ports below 1024 need privileges: give the adapter a port above 1023'),
  spec('LISTEN_ADDRESS_NOT_AVAILABLE', false, 'an adapter cannot listen: its host is not an address of this machine',
    'use 127.0.0.1, 0.0.0.0 or an address this machine has (see `ip addr`) as the endpoint\'s -h'),
  spec('LISTEN_FAILED', false, 'an adapter cannot listen on its endpoint for another reason',
    'the message carries the system\'s error; check the endpoint\'s host and port'),
] as const;

/**
 * Errors of a daemon's store (the kit's `@tars-ts/kit/store`): opening its database and bringing its schema up to
 * date. Each message names the file (or database) and says what to do; in every case nothing was changed.
 */
export const STORE_ERRORS = [
  cli('STORE_READ_ONLY', 1, 'a store cannot be written: its file or its directory is read-only for this user',
    'give this user write access to the file and its directory, or choose another data directory (--data)'),
  cli('STORE_CORRUPT', 1, 'a store file is not a database, or is damaged',
    'the file was left as it is: restore it from a backup, or move it away to start with an empty store'),
  cli('STORE_NEWER_SCHEMA', 1, 'a store was migrated by a newer build, which this build does not know',
    'nothing was touched: run the newer build of tars, or use another data directory'),
  cli('STORE_MIGRATION_FAILED', 1, 'a schema migration of a store failed and was rolled back',
    'the store is as it was before: the message names the migration and its error (a bug: report it)'),
  cli('STORE_OPEN_FAILED', 1, 'a store cannot be opened for another reason (a directory in its place, locked, ...)',
    'the message names the file and the cause; fix that and run again'),
] as const;

/** Errors of the `tars` command line itself (the kit and the commands), with the exit code each ends with. */
export const CLI_ERRORS = [
  cli('USAGE', 2, 'a command was called with a wrong, missing or extra flag or argument',
    'the message names it; `tars <command> --help` shows the usage'),
  cli('BAD_NAME', 2, 'a name given on the command line is malformed (object, App or Server name)',
    'objects are App.Server.Obj[@tcp -h HOST -p PORT]; App and Server names are letters, digits and _'),
  cli('BAD_ENDPOINT', 2, 'an endpoint given on the command line cannot be parsed',
    'write it as "tcp -h HOST -p PORT [-t TIMEOUT] [-w WEIGHT]", quoted as one argument'),
  cli('NO_ENDPOINT', 2, 'nothing says where the object listens',
    'give "Obj@tcp -h HOST -p PORT", -e, --locator, or `tars settings set locator ...`'),
  cli('NO_FUNCTION', 2, 'the interface has no function of that name',
    'the message lists the functions (and the nearest name); names are case-sensitive'),
  cli('NO_INTERFACE', 2, 'the interface of the object could not be found (no .tars file, no reflection)',
    'give it with --tars FILE.tars [-I DIR], or call with inferred argument types (--arg-types)'),
  cli('BAD_ARGUMENT', 2, 'an argument does not fit its parameter type',
    'the message names the parameter and the expected signature; --template prints a skeleton for --data'),
  cli('MISSING_ARGUMENT', 2, 'a required argument is missing and there is no terminal to ask for it',
    'give it on the command line; prompts are only shown on a terminal without --json, --yes or CI'),
  cli('TARGET_EXISTS', 2, 'the target directory exists and is not empty',
    'choose another --dir, empty it, or pass --force to write over it'),
  cli('SETTINGS_CORRUPT', 1, 'the CLI settings file is not valid JSON',
    'fix or remove the file the message names (`tars settings list` shows where it is)'),
  cli('CANCELLED', 1, 'the user cancelled at a prompt', 'nothing was written; run the command again'),
  cli('TEMPLATES_MISSING', 1, 'the project templates are missing from the installation',
    'reinstall the toolkit (npm run setup)'),
  cli('NPM_FAILED', 1, 'npm failed while installing or building a generated project',
    'the message has npm\'s output; run the step by hand in the project directory'),
  cli('CORE_NOT_BUILT', 1, 'the toolkit\'s core library is not built, so a generated project cannot compile against it',
    'run `npm run build` in the toolkit (npm run setup does it)'),
  cli('BAD_PORT', 2, 'a port given on the command line is not a port number',
    'give a number from 1 to 65535, or leave the flag out to get a free port'),
  cli('NO_FREE_PORT', 1, 'no free port could be found on this host',
    'give one with --port, or stop processes that hold ports'),
  cli('DAEMON_RUNNING', 1, 'a daemon already runs on this data directory (it holds the directory\'s lock)',
    'stop it (`tars <daemon> stop --data DIR`), or give this one another --data'),
  {...cli('DAEMON_NOT_RUNNING', 1, 'no daemon runs on this data directory (nothing holds its lock)',
    'start it: `tars <daemon> start [--data DIR] [--detach]`; check --data if it was started elsewhere'), exit: 4},
  cli('DAEMON_START_FAILED', 1, 'a daemon did not start, or did not answer tars_ping in time',
    'the message says why; a detached daemon\'s output is in DIR/daemon.log'),
  cli('DAEMON_STOP_FAILED', 1, 'a daemon could not be stopped (no answer on its lock, not allowed to signal it, ...)',
    'the message names the pid; stop that process by hand if it is the daemon'),
  cli('NO_NODE', 1, 'no live node can take the server (none registered, or the one named is silent)',
    'start one: `tars node start --locator ...`; `tars node list` shows the nodes; give --node NAME when several'),
  cli('NO_SERVER', 2, 'the server is not deployed (on that node)',
    '`tars server list` shows what is deployed where; deploy it with `tars server deploy App.Server --package DIR`'),
  cli('DEPLOY_FAILED', 1, 'a deploy or start did not bring the server up; what ran before was put back',
    'the message gives the reason and the server\'s last log lines; fix the package and deploy again'),
  cli('BAD_DURATION', 2, 'a duration given on the command line is not a number and a unit',
    'write it as 30s, 10m, 1h or 1d'),
  cli('CLUSTER_PORT_IN_USE', 1, 'a port the cluster needs is held by another process',
    'stop that process, or give the cluster other ports: `tars cluster start --base-port N`'),
  cli('CLUSTER_RUNNING', 1, 'the cluster runs on other ports or another host than the start asks for',
    'stop it first (`tars cluster stop`), then start it with the new --base-port or --host'),
  cli('CLUSTER_DATA_TOO_NEW', 1, 'the cluster\'s data directory was written by a newer tars',
    'use that newer tars, or start a new cluster in another directory (`tars cluster start --data DIR`)'),
  cli('CLUSTER_DATA_INVALID', 1, 'the cluster\'s data directory holds a cluster.json that is not one',
    'give another --data, or remove the directory (`tars cluster reset`) if it is yours'),
  {...cli('CLUSTER_NOT_RUNNING', 1, 'no service of the cluster runs (or some do not answer)',
    'start it: `tars cluster start --detach`; `tars cluster status` shows each service'), exit: 4},
  cli('ADMIN_TOKEN_REQUIRED', 2, 'base services bound beyond loopback need the admin token, and none is set',
    'set one on every machine of the cluster: `tars login` (or TARS_ADMIN_TOKEN=...), then start again'),
  cli('FAILURE', 1, 'a command failed for a reason without a code of its own',
    'the message says what failed; DEBUG=tars* shows the stack'),
] as const;

/** The whole catalogue, in documentation order. */
export const ERROR_CATALOGUE: readonly ErrorSpec[] = [
  ...RETURN_CODE_ERRORS, ...CODEC_ERRORS, ...PROTOCOL_ERRORS, ...IDL_ERRORS, ...CONFIG_ERRORS, ...RPC_ERRORS,
  ...STORE_ERRORS, ...CLI_ERRORS,
];

type CodesOf<T extends readonly ErrorSpec[]> = T[number]['code'];
/** Every stable error code. */
export type ErrorCode =
  | CodesOf<typeof RETURN_CODE_ERRORS>
  | CodesOf<typeof CODEC_ERRORS>
  | CodesOf<typeof PROTOCOL_ERRORS>
  | CodesOf<typeof IDL_ERRORS>
  | CodesOf<typeof CONFIG_ERRORS>
  | CodesOf<typeof RPC_ERRORS>
  | CodesOf<typeof STORE_ERRORS>
  | CodesOf<typeof CLI_ERRORS>;

const BY_CODE = new Map<string, ErrorSpec>(ERROR_CATALOGUE.map((e) => [e.code, e]));
const BY_WIRE = new Map<number, ErrorSpec>();
for (const e of ERROR_CATALOGUE) if (e.wireCode !== undefined) BY_WIRE.set(e.wireCode, e);

/** The catalogue entry of a code. */
export function errorSpec(code: ErrorCode): ErrorSpec {
  return BY_CODE.get(code)!;
}

/** The catalogue entry of a TARS return code, or undefined for codes BaseF does not define (e.g. TarsGo's 1). */
export function errorSpecByWireCode(wireCode: number): ErrorSpec | undefined {
  return BY_WIRE.get(wireCode);
}
