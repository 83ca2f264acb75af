// /metrics: the daemon's numbers in the Prometheus text exposition format (version 0.0.4), written by hand (a few
// counters and one histogram need no library), served over plain HTTP.
import http from 'node:http';

import {STAT_BUCKETS, type StatCounters, emptyCounters, mergeCounters} from './aggregate.js';
import {displayValue, numericValue} from './property.js';
import type {StatService} from './stat-service.js';

/** The default HTTP port of /metrics (`--metrics-port`). */
export const DEFAULT_METRICS_PORT = 18089;

/** A label value escaped as the format wants: backslash, double quote and newline. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/**
 * The exposition of the service's state:
 * - `tars_calls_total{callee,interface,side,return_value,result}`: calls since the daemon started, result
 *   success | timeout | exception (counter);
 * - `tars_call_duration_seconds{callee,interface,side}`: the reported latency histograms since start, buckets at
 *   the official bounds (5 ms ... 3 s), `_sum` the total time of successful calls, `_count` the calls the
 *   histograms hold (histogram);
 * - `tars_property{module,property,policy,ip}`: each property's value over the last closed minute, as the policy
 *   computes it (Distr: the number of samples; its buckets in `tars_property_distr{...,bucket}`) (gauge), at most
 *   as many as call series;
 * - the daemon's own: reports and entries taken, refused and dropped; keys in the open minute.
 */
export function exposition(service: StatService): string {
  const out: string[] = [];
  const calls = new Map<string, {labels: Record<string, string>; n: number}>();
  const hist = new Map<string, {labels: Record<string, string>; c: StatCounters}>();
  for (const {key, value} of service.cumulative.entries.values()) {
    const base = {callee: key.callee, interface: key.interfaceName, side: key.side};
    for (const [result, n] of [['success', value.count], ['timeout', value.timeoutCount],
      ['exception', value.execCount]] as const) {
      const l = {...base, return_value: String(key.returnValue), result};
      const id = JSON.stringify(l);
      const had = calls.get(id);
      if (had) had.n += n;
      else calls.set(id, {labels: l, n});
    }
    const id = JSON.stringify(base);
    const h = hist.get(id) ?? {labels: base, c: emptyCounters()};
    mergeCounters(h.c, value);
    hist.set(id, h);
  }
  out.push('# HELP tars_calls_total Calls reported to the stat daemon since it started, by outcome.',
    '# TYPE tars_calls_total counter');
  for (const {labels: l, n} of calls.values()) out.push(`tars_calls_total${labels(l)} ${n}`);

  out.push('# HELP tars_call_duration_seconds Reported call latency (the official histogram buckets).',
    '# TYPE tars_call_duration_seconds histogram');
  for (const {labels: l, c} of hist.values()) {
    // A client's own bound goes into the first official bucket at or above it, else only into +Inf.
    const per = STAT_BUCKETS.map(() => 0);
    let total = 0;
    for (const [bound, n] of c.intervals) {
      total += n;
      const i = STAT_BUCKETS.findIndex((b) => bound <= b);
      if (i >= 0) per[i]! += n;
    }
    let cumulative = 0;
    STAT_BUCKETS.forEach((b, i) => {
      cumulative += per[i]!;
      out.push(`tars_call_duration_seconds_bucket${labels({...l, le: String(b / 1000)})} ${cumulative}`);
    });
    out.push(`tars_call_duration_seconds_bucket${labels({...l, le: '+Inf'})} ${total}`,
      `tars_call_duration_seconds_sum${labels(l)} ${c.totalRspTime / 1000}`,
      `tars_call_duration_seconds_count${labels(l)} ${total}`);
  }

  out.push('# HELP tars_property Business properties over the last closed minute, as each policy computes them.',
    '# TYPE tars_property gauge');
  const distr: string[] = [];
  // As many property series as call series at most (--metrics-max-series): a scrape stays small.
  let propSeries = 0;
  for (const {key, value} of service.lastProps?.props.entries.values() ?? []) {
    if (propSeries >= service.cumulative.cap) break;
    for (const [policy, v] of value) {
      propSeries++;
      const l = {module: key.moduleName, property: key.propertyName, policy, ip: key.ip};
      out.push(`tars_property${labels(l)} ${numericValue(policy, v)}`);
      if (policy === 'Distr') {
        for (const field of displayValue(policy, v).split(',')) {
          const [bucket, n] = field.split('|');
          distr.push(`tars_property_distr${labels({...l, bucket: bucket ?? ''})} ${Number(n) || 0}`);
        }
      }
    }
  }
  out.push('# HELP tars_property_distr Distr properties over the last closed minute: samples per bucket.',
    '# TYPE tars_property_distr gauge', ...distr);

  const c = service.counters;
  const open = service.openSlot;
  out.push('# HELP tars_stat_reports_total reportMicMsg and reportPropMsg calls taken.',
    '# TYPE tars_stat_reports_total counter',
    `tars_stat_reports_total${labels({kind: 'stat'})} ${c.reports}`,
    `tars_stat_reports_total${labels({kind: 'property'})} ${c.propReports}`,
    '# HELP tars_stat_entries_total Report entries by what became of them.',
    '# TYPE tars_stat_entries_total counter',
    `tars_stat_entries_total${labels({outcome: 'taken'})} ${c.entries + c.propEntries - c.zero - c.rejected - c.droppedKeys - c.propDropped}`,
    `tars_stat_entries_total${labels({outcome: 'zero'})} ${c.zero}`,
    `tars_stat_entries_total${labels({outcome: 'rejected'})} ${c.rejected}`,
    `tars_stat_entries_total${labels({outcome: 'dropped'})} ${c.droppedKeys + c.propDropped}`,
    '# HELP tars_stat_keys Distinct keys in the open minute.',
    '# TYPE tars_stat_keys gauge',
    `tars_stat_keys${labels({kind: 'stat'})} ${open.stats.size}`,
    `tars_stat_keys${labels({kind: 'property'})} ${open.props.size}`,
    '# HELP tars_stat_series_dropped_total Call series not exported here: more than --max-keys since start.',
    '# TYPE tars_stat_series_dropped_total counter',
    `tars_stat_series_dropped_total ${c.metricSeriesDropped}`,
    '# HELP tars_stat_flush_errors_total Failed writes of a minute to the store.',
    '# TYPE tars_stat_flush_errors_total counter',
    `tars_stat_flush_errors_total ${c.flushErrors}`);
  return out.join('\n') + '\n';
}

/** The /metrics HTTP server of a daemon. */
export interface MetricsServer {
  /** `http://HOST:PORT/metrics`, with the bound port. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics on `host:port` (0: a free port). Anything else is 404. A port in use rejects with the
 * listen error (the daemon turns it into a start failure).
 */
export function serveMetrics(service: StatService, host: string, port: number): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, {allow: 'GET, HEAD'}).end();
      return;
    }
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, {'content-type': 'text/plain'}).end('not found: try /metrics\n');
      return;
    }
    const body = exposition(service);
    res.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8'}).end(req.method === 'HEAD' ? undefined : body);
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({url: `http://${shown}:${bound}/metrics`, close: () => new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      })});
    });
  });
}
