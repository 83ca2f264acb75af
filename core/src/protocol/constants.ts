/**
 * Constants of the TARS protocol: return codes (BaseF.tars, exact values), versions, packet types, message-type
 * flags and the well-known status and context keys (protocol.md sections 2.6 to 2.8).
 */

/** Framework return codes, as carried in ResponsePacket.iRet (BaseF.tars). */
export const ReturnCode = {
  TARSSERVERSUCCESS: 0,
  TARSSERVERDECODEERR: -1,
  TARSSERVERENCODEERR: -2,
  TARSSERVERNOFUNCERR: -3,
  TARSSERVERNOSERVANTERR: -4,
  TARSSERVERRESETGRID: -5,
  TARSSERVERQUEUETIMEOUT: -6,
  TARSASYNCCALLTIMEOUT: -7,
  TARSINVOKETIMEOUT: -7,
  TARSPROXYCONNECTERR: -8,
  TARSSERVEROVERLOAD: -9,
  TARSADAPTERNULL: -10,
  TARSINVOKEBYINVALIDESET: -11,
  TARSCLIENTDECODEERR: -12,
  TARSSENDREQUESTERR: -13,
  TARSSERVERUNKNOWNERR: -99,
} as const;

/** RequestPacket.iVersion values. TUP_COMPLEX (2) is not in BaseF; @tars/stream and TarsJava speak it. */
export const Version = {
  TARSVERSION: 1,
  TUP_COMPLEX: 2,
  TUPVERSION: 3,
  XMLVERSION: 4,
  JSONVERSION: 5,
} as const;

/** RequestPacket.cPacketType. */
export const PacketType = {
  TARSNORMAL: 0,
  TARSONEWAY: 1,
} as const;

/** iMessageType bit flags; they combine. */
export const MessageType = {
  TARSMESSAGETYPENULL: 0x00,
  TARSMESSAGETYPEHASH: 0x01,
  TARSMESSAGETYPEGRID: 0x02,
  TARSMESSAGETYPEDYED: 0x04,
  TARSMESSAGETYPESAMPLE: 0x08,
  TARSMESSAGETYPEASYNC: 0x10,
  TARSMESSAGETYPESETNAME: 0x80,
  TARSMESSAGETYPETRACE: 0x100,
} as const;

/** Well-known keys of the status map (and the one context key the framework reads). */
export const StatusKey = {
  /** Dye key of a dyed call (with TARSMESSAGETYPEDYED). */
  DYED: 'STATUS_DYED_KEY',
  /** Value of the `routekey` parameter (with TARSMESSAGETYPEGRID). */
  GRID: 'STATUS_GRID_KEY',
  /** Caller's set name "name.area.group" (with TARSMESSAGETYPESETNAME). */
  SETNAME: 'STATUS_SETNAME_VALUE',
  /** Trace key "<traceId>|<spanId>[|<parentSpanId>]" (with TARSMESSAGETYPETRACE). */
  TRACE: 'STATUS_TRACE_KEY',
  /** Framework return code of a TUP response, as a decimal string. */
  RESULT_CODE: 'STATUS_RESULT_CODE',
  /** Framework error text of a TUP response. */
  RESULT_DESC: 'STATUS_RESULT_DESC',
  /** Function name of a TarsCpp server push. */
  FUNC: 'TARS_FUNC',
} as const;

/** Context key carrying the caller's node name (preferred over the peer IP by the daemons). */
export const CONTEXT_NODE_NAME = 'node_name';

/** Reserved function every TARS server answers with success. */
export const TARS_PING = 'tars_ping';

/**
 * Reserved function servers built with this toolkit answer with the interface of the servant addressed, as JSON
 * (`string tars_describe()`): reflection for `tars call` and `tars describe`. `<server> reflection = n` turns it off.
 */
export const TARS_DESCRIBE = 'tars_describe';

/** sResultDesc of a TarsGo server's reconnect notice (sent with iRequestId 0). */
export const RECONNECT_NOTICE = '_reconnect_';

/** Default maximum frame size (TarsGo's): 10 MiB. */
export const DEFAULT_MAX_PACKET = 10 * 1024 * 1024;

/** Smallest frame TarsCpp accepts: the 4-byte length plus one byte. */
export const MIN_PACKET = 5;

/**
 * Log level names, least to most verbose, as TARS spells them: the `loglevel` of a server config and the argument
 * of the `tars.setloglevel` admin command.
 */
export const LOG_LEVELS = ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A server's log level when its config names none (TarsCpp's default). */
export const DEFAULT_LOG_LEVEL: LogLevel = 'DEBUG';
