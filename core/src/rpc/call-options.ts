/** Per-call options of a generated client proxy method. */
export interface CallOptions {
  /** Timeout of this call in ms (overrides the proxy's and the communicator's). */
  timeout?: number;
  /** Send as one-way (cPacketType 1): no response is awaited; the promise resolves once the request is sent. */
  oneway?: boolean;
  /** Hash code for hash / consistent-hash load balancing (sets TARSMESSAGETYPEHASH). */
  hashCode?: number | bigint | string;
  /** How the hash code picks: `modulo` (default, TarsCpp tars_hash) or `consistent` (tars_consistent_hash). */
  hashType?: 'modulo' | 'consistent';
  /** Request context (`RequestPacket.context`). */
  context?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Extra request status entries (`RequestPacket.status`). */
  status?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Dye the call with this key (TARSMESSAGETYPEDYED + STATUS_DYED_KEY). */
  dyeKey?: string;
  /** Protocol version of this call: 1 TARS (default), 2 or 3 TUP, 5 JSON. */
  version?: number;
  /**
   * An asynchronous (callback-style) call: its default timeout is the communicator's async-invoke-timeout and the
   * request carries TARSMESSAGETYPEASYNC. The generated `async_<op>` methods set it.
   */
  async?: boolean;
}
