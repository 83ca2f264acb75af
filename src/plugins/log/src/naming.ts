// Where the log server writes a batch of lines: the official file layout and naming of tarslog (framework.md 2.5),
// as pure functions of the call and the time. Nothing here touches the disk.
//
//   logger(app, server, file, format):  <app>/<server>/<app>.<server>[_<file>]_<date>.log
//   loggerbyInfo(info):                 <app>/<setpart>/<server>/<base><concat><date>[.log]
//     base = app.server[<concat><file>] with bHasAppNamePrefix (default), else <file>
//     setpart = name+area+group of a valid "name.area.group" (group left out when "*"), else nothing
//     date = strftime(sFormat) of the time, floored to the rotation slot of sLogType ("day", "2hour", "10minute")
//
// The dye log is the logger() file of app `tars_dyeing`, server `dyeing` (TarsCpp sends dyed lines there as
// logger("tars_dyeing", "dyeing", "day" | "roll", "%Y%m%d", ...)).

/** The application and server the dyed lines of every service go to. */
export const DYE_APP = 'tars_dyeing';
export const DYE_SERVER = 'dyeing';

/**
 * The call-chain log: a batch whose log name is `_t_trace_` (TarsCpp's TRACE_LOG_FILENAME, whatever server sends it)
 * goes, as TarsFramework's LogServer (LogImp::logTrace) writes it, to the logger() file of app `_tars_`, server
 * `_trace_`: `_tars_/_trace_/_tars_._trace___t_trace__<date>.log`, each line after `<node>|<app>|<server>|`.
 */
export const TRACE_FILE = '_t_trace_';
export const TRACE_APP = '_tars_';
export const TRACE_SERVER = '_trace_';

/** How often a new file starts: every `every` days, hours or minutes. */
export interface Rotation {
  readonly unit: 'day' | 'hour' | 'minute';
  readonly every: number;
}

/** The date format each rotation unit uses when the client sends none. */
export const DEFAULT_FORMATS: Readonly<Record<Rotation['unit'], string>> = {
  day: '%Y%m%d', hour: '%Y%m%d%H', minute: '%Y%m%d%H%M',
};

/**
 * The rotation of an sLogType: "day"/"1day"/"2day", "hour"/"2hour", "minute"/"10minute" (a bare "minute" is 10, as
 * tarslog has it); case-insensitive. `undefined` for "" or anything else: the file then changes when the
 * formatted date does.
 */
export function parseLogType(logType: string): Rotation | undefined {
  const m = /^(\d*)(day|hour|minute)$/.exec(logType.trim().toLowerCase());
  if (!m) return undefined;
  const unit = m[2] as Rotation['unit'];
  const fallback = unit === 'minute' ? 10 : 1;
  const every = m[1] ? Number.parseInt(m[1], 10) : fallback;
  return {unit, every: every > 0 ? every : fallback};
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * The strftime subset TARS clients send, in local time: %Y %m %d %H %M %S %y %j %%; any other character (and an
 * unknown %x) is kept as it is.
 */
export function strftime(format: string, date: Date): string {
  return format.replace(/%(.)/g, (whole, c: string) => {
    switch (c) {
      case 'Y': return String(date.getFullYear());
      case 'y': return pad(date.getFullYear() % 100);
      case 'm': return pad(date.getMonth() + 1);
      case 'd': return pad(date.getDate());
      case 'H': return pad(date.getHours());
      case 'M': return pad(date.getMinutes());
      case 'S': return pad(date.getSeconds());
      case 'j': {
        const start = new Date(date.getFullYear(), 0, 1);
        return pad(Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1, 3);
      }
      case '%': return '%';
      default: return whole;
    }
  });
}

/**
 * The start of the rotation slot holding `t` (local time): minutes floored to a multiple of `every` within the hour,
 * hours to a multiple within the day, days to a multiple of the day of the month minus one.
 */
export function slotStart(rotation: Rotation, t: Date): Date {
  const d = new Date(t.getFullYear(), t.getMonth(), t.getDate(), t.getHours(), t.getMinutes());
  if (rotation.unit === 'minute') d.setMinutes(d.getMinutes() - (d.getMinutes() % rotation.every));
  else if (rotation.unit === 'hour') d.setHours(d.getHours() - (d.getHours() % rotation.every), 0);
  else {
    d.setDate(d.getDate() - ((d.getDate() - 1) % rotation.every));
    d.setHours(0, 0);
  }
  return d;
}

/** The directory part of a set division "name.area.group": "nameareagroup", the group left out when "*". */
export function setPart(setdivision: string): string {
  const parts = setdivision.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return '';
  return parts[2] === '*' ? parts[0]! + parts[1]! : parts.join('');
}

/** A name the log server refuses to put in a path. */
export class LogNameError extends Error {
  constructor(readonly field: string, readonly value: string, reason: string) {
    super(`${field} ${JSON.stringify(value.slice(0, 100))} ${reason}`);
    this.name = 'LogNameError';
  }
}

/** The longest name part the server takes (file names stay under the usual 255-byte limit). */
export const MAX_NAME = 128;

/**
 * Checks one part of a path: no '/', '\', NUL, no '..' anywhere, no leading '.', at most {@link MAX_NAME}
 * characters; `required` parts must not be empty. Throws {@link LogNameError}.
 */
export function checkName(field: string, value: string, required: boolean): void {
  if (value === '') {
    if (required) throw new LogNameError(field, value, 'is empty');
    return;
  }
  if (value.length > MAX_NAME) throw new LogNameError(field, value, `is longer than ${MAX_NAME} characters`);
  if (/[/\\\0]/.test(value)) throw new LogNameError(field, value, 'contains "/", "\\" or NUL');
  if (value.includes('..')) throw new LogNameError(field, value, 'contains ".."');
  if (value.startsWith('.')) throw new LogNameError(field, value, 'starts with "."');
}

/** Where one batch goes: the directory and file name relative to the log directory, and what they are of. */
export interface LogTarget {
  /** `App/Server` or `App/setpart/Server`, '/'-separated. */
  readonly dir: string;
  /** The file name, e.g. `Test.HelloServer_access_20240121.log`. */
  readonly file: string;
  /** The separator the ipfix prefix uses. */
  readonly separ: string;
}

/** Options the server applies to every call. */
export interface NamingOptions {
  /** `App.Server` names whose files are hourly whatever the client asks (`<log/format> hour=...`). */
  readonly hourly?: ReadonlySet<string>;
}

/** The date part of a file name: the format of the rotation slot's start. */
function datePart(format: string, rotation: Rotation | undefined, now: Date): string {
  const date = strftime(format, rotation ? slotStart(rotation, now) : now);
  if (/[/\\\0]/.test(date) || date.includes('..')) throw new LogNameError('format', format, 'gives a path, not a name');
  return date;
}

/** The file of `logger(app, server, file, format, ...)`. Throws {@link LogNameError}. */
export function loggerTarget(app: string, server: string, file: string, format: string, now: Date,
  options: NamingOptions = {}): LogTarget {
  checkName('app', app, true);
  checkName('server', server, true);
  checkName('file', file, false);
  const fmt = options.hourly?.has(`${app}.${server}`) ? DEFAULT_FORMATS.hour : (format || DEFAULT_FORMATS.day);
  const base = file ? `${app}.${server}_${file}` : `${app}.${server}`;
  return {dir: `${app}/${server}`, file: `${base}_${datePart(fmt, undefined, now)}.log`, separ: '|'};
}

/**
 * The file of a `_t_trace_` batch of any server: the logger() file `_t_trace_` of `_tars_`/`_trace_` in the client's
 * date format. The sender's app and server must be names (they go into each line): neither '|' nor a line end.
 */
export function traceTarget(app: string, server: string, format: string, now: Date, options: NamingOptions = {}):
  LogTarget {
  for (const [field, value] of [['app', app], ['server', server]] as const) {
    checkName(field, value, true);
    if (/[|\r\n]/.test(value)) throw new LogNameError(field, value, 'contains "|" or a line end');
  }
  return loggerTarget(TRACE_APP, TRACE_SERVER, TRACE_FILE, format, now, options);
}

/** What loggerbyInfo takes of LogInfo (LogF.tars), optional fields at their IDL defaults when absent. */
export interface LogInfoLike {
  appname: string;
  servername: string;
  sFilename: string;
  sFormat: string;
  setdivision?: string;
  bHasSufix?: boolean;
  bHasAppNamePrefix?: boolean;
  sConcatStr?: string;
  sSepar?: string;
  sLogType?: string;
}

/** The file of `loggerbyInfo(info, ...)`. Throws {@link LogNameError}. */
export function infoTarget(info: LogInfoLike, now: Date, options: NamingOptions = {}): LogTarget {
  const {appname: app, servername: server, sFilename: file} = info;
  const concat = info.sConcatStr ?? '_';
  const prefix = info.bHasAppNamePrefix ?? true;
  checkName('appname', app, true);
  checkName('servername', server, true);
  checkName('sFilename', file, !prefix);
  if (concat.length > 8 || /[/\\\0]/.test(concat) || concat.includes('..')) {
    throw new LogNameError('sConcatStr', concat, 'is not a short separator');
  }
  const set = setPart(info.setdivision ?? '');
  const hourly = options.hourly?.has(`${app}.${server}`);
  const rotation = hourly ? {unit: 'hour' as const, every: 1} : parseLogType(info.sLogType ?? '');
  const fmt = hourly ? DEFAULT_FORMATS.hour : (info.sFormat || (rotation ? DEFAULT_FORMATS[rotation.unit]
    : DEFAULT_FORMATS.day));
  const base = prefix ? (file ? `${app}.${server}${concat}${file}` : `${app}.${server}`) : file;
  const name = `${base}${concat}${datePart(fmt, rotation, now)}${(info.bHasSufix ?? true) ? '.log' : ''}`;
  return {dir: set ? `${app}/${set}/${server}` : `${app}/${server}`, file: name, separ: info.sSepar ?? '|'};
}

/**
 * What a file of the log directory is, from its path: app, set part, server and log name ('' = the default log).
 * Only names with the app.server prefix are recognised; others give the name `undefined`.
 */
export function describePath(relative: string): {app: string; server: string; setPart: string;
  name: string | undefined} | undefined {
  const parts = relative.split('/');
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const app = parts[0]!;
  const server = parts[parts.length - 2]!;
  const file = parts[parts.length - 1]!;
  const setPartOf = parts.length === 4 ? parts[1]! : '';
  const prefix = `${app}.${server}`;
  if (!file.startsWith(prefix)) return {app, server, setPart: setPartOf, name: undefined};
  // `<prefix>_<date>.log[.N]` or `<prefix>_<name>_<date>.log[.N]`: the date is the last concat-separated part.
  const rest = file.slice(prefix.length).replace(/\.log(\.\d+)?$/, '');
  const m = /^[_.-]?(.*?)[_.-]?(\d{6,14})$/.exec(rest);
  const name = m ? m[1]! : undefined;
  return {app, server, setPart: setPartOf, name};
}
