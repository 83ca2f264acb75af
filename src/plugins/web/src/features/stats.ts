// A server's call statistics and properties for the Stats tab's charts: the last hours and the same hours a day
// earlier, per 5-minute slot (GET only: nothing here changes the cluster).
import {ApiError} from '../api-error.js';
import type {Feature} from '../feature.js';
import {DEFAULT_HOURS, MAX_HOURS, type StatSide, StatsApi} from '../stats-api.js';

/** A function name as the stat reports carry it. */
const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/;

/** `hours` of the query: a whole number 1..48, 3 when absent (400 BAD_REQUEST naming the range otherwise). */
export function hoursOf(query: URLSearchParams): number {
  const text = query.get('hours');
  if (text === null) return DEFAULT_HOURS;
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_HOURS) {
    throw new ApiError(400, 'BAD_REQUEST', `hours "${text}" is not a whole number from 1 to ${MAX_HOURS}`,
      `e.g. hours=${DEFAULT_HOURS}; leave it out for the last ${DEFAULT_HOURS} hours`);
  }
  return Number(text);
}

/** `interface` of the query: a function name, or null for every interface. */
export function interfaceOf(query: URLSearchParams): string | null {
  const text = query.get('interface');
  if (text === null || text === '') return null;
  if (!INTERFACE_NAME.test(text)) {
    throw new ApiError(400, 'BAD_REQUEST', `interface "${text}" is not a function name`,
      'give a function of the server, e.g. interface=EchoHello, or leave it out for all');
  }
  return text;
}

/** `side` of the query: who reported the calls, the callers (default) or the server. */
export function sideOf(query: URLSearchParams): StatSide {
  const text = query.get('side') ?? 'client';
  if (text !== 'client' && text !== 'server') {
    throw new ApiError(400, 'BAD_REQUEST', `side "${text}" is not client or server`,
      'side=client: the callers\' reports (with their timeouts); side=server: the server\'s own');
  }
  return text;
}

export const stats: Feature = (router, context) => {
  const api = new StatsApi(context.communicator, context.timeoutMs, context.cluster);
  router.get(/^\/api\/stats\/([^/]+)\/([^/]+)$/, ({params, query}) => api.stats(params[0]!, params[1]!,
    {hours: hoursOf(query), interfaceName: interfaceOf(query), side: sideOf(query)}));
  router.get(/^\/api\/properties\/([^/]+)\/([^/]+)$/, ({params, query}) =>
    api.properties(params[0]!, params[1]!, hoursOf(query)));
};
