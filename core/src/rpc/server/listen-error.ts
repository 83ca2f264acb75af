import {TarsError} from '../../errors/tars-error.js';
import {type Endpoint, endpointKey} from '../../protocol/endpoint.js';

/**
 * The error of an adapter that cannot bind its endpoint, as one line a user can act on: which adapter, which
 * endpoint, what the system said in words, and what to change. `origin` says where the endpoint comes from
 * (default "its endpoint"), e.g. "its endpoint in config.conf" or "--port"; the fix names it.
 *
 * EADDRINUSE, EACCES and EADDRNOTAVAIL get their own catalogue codes; anything else is LISTEN_FAILED with the
 * system's message. The system error stays reachable as `cause`.
 */
export function listenFailure(adapter: string, endpoint: Endpoint, cause: unknown, origin = 'its endpoint'): TarsError {
  const where = `adapter ${adapter} cannot listen on ${endpointKey(endpoint)}`;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const details = {adapter, endpoint: endpointKey(endpoint), errno: code};
  switch (code) {
    case 'EADDRINUSE':
      return new TarsError('LISTEN_ADDRESS_IN_USE', `${where}: the address is in use (another process listens ` +
        `there); change ${origin} or stop the other process`, details, {cause});
    case 'EACCES':
      return new TarsError('LISTEN_PERMISSION_DENIED', `${where}: permission denied (ports below 1024 need ` +
        `privileges); change ${origin} to a port above 1023`, details, {cause});
    case 'EADDRNOTAVAIL':
      return new TarsError('LISTEN_ADDRESS_NOT_AVAILABLE', `${where}: ${endpoint.host} is not an address of this ` +
        `machine; change ${origin} to 127.0.0.1, 0.0.0.0 or one of its addresses`, details, {cause});
    default:
      return new TarsError('LISTEN_FAILED', `${where}: ${(cause as Error | undefined)?.message ?? String(cause)}; ` +
        `check ${origin}`, details, {cause});
  }
}
