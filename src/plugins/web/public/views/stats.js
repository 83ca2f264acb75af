// A server's Stats tab: charts (uPlot, served from /vendor/) of its calls, errors and timeouts, and latency over
// the last hours per 5-minute slot, the same hours a day earlier dashed; a table of totals under each chart (the
// canvas's accessible alternative, and its aria-label a summary); each interface's totals; then its properties.
// Refreshes every minute while the tab is open; charts follow their container's width and the theme's colours.
import {announce, api, cell, failureAlert, failureText, h, serverPath, table} from '../lib.js';

/** The ranges offered, hours. */
const RANGES = [1, 3, 6, 12, 24];
const REFRESH_MS = 60_000;
const CHART_HEIGHT = 220;
/** Property charts drawn at most (the table lists every property). */
const MAX_PROPERTY_CHARTS = 12;

/** Each open panel's running parts, stopped when the page leaves the tab. @type {WeakMap<HTMLElement, () => void>} */
const running = new WeakMap();

/** @type {import('./server.js').ServerTab} */
export const statsTab = {
  id: 'stats',
  title: 'Stats',
  panel: (ctx) => statsPanel(ctx),
  leave: (el) => {
    running.get(el)?.();
    running.delete(el);
  },
};

/** uPlot's module, loaded with its stylesheet on first use. @type {Promise<any> | null} */
let uplot = null;
function loadUplot() {
  if (!uplot) {
    document.head.append(h('link', {rel: 'stylesheet', href: '/vendor/uPlot.min.css'}));
    uplot = import('/vendor/uPlot.esm.js').then((m) => m.default);
  }
  return uplot;
}

/** The theme's colours, read from app.css's variables (they change with the theme). */
function colours() {
  const css = getComputedStyle(document.documentElement);
  const v = (/** @type {string} */ name) => css.getPropertyValue(name).trim();
  return {fg: v('--fg'), muted: v('--muted'), line: v('--line'), accent: v('--accent'), bad: v('--bad'),
    warn: v('--warn'), ok: v('--ok')};
}

/** A number for people: 1234 -> "1,234"; null -> "–". @param {number|null|undefined} n @param {string} [unit] */
function num(n, unit = '') {
  return n === null || n === undefined ? '–' : `${n.toLocaleString()}${unit}`;
}

/** The hh:mm of a slot start. @param {number} ms */
function clock(ms) {
  return new Date(ms).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
}

/**
 * A chart's description of its lines: label, values, dashed (the day before), colour variable.
 * @typedef {{label: string, values: (number|null)[], dashed: boolean, colour: string}} Line
 */

/** The peak of a line in words. @param {Line} line @param {number[]} times */
function peak(line, times) {
  let best = -1;
  line.values.forEach((v, i) => {
    if (v !== null && (best < 0 || v > /** @type {number} */ (line.values[best]))) best = i;
  });
  return best < 0 || !line.values[best] ? 'none' : `${num(line.values[best])} at ${clock(times[best])}`;
}

/**
 * One chart: its figure (title, a role=img box with a summary for screen readers, uPlot inside, the totals table
 * under it) and a draw function that (re)makes the uPlot in the box at the box's width with the theme's colours.
 * @param {string} id @param {string} title @param {string} yLabel @param {number[]} times @param {Line[]} lines
 * @param {HTMLElement} totals @param {string} summary
 */
function chart(id, title, yLabel, times, lines, totals, summary) {
  const box = h('div', {class: 'stats-chart', role: 'img', 'aria-label': summary, id: `${id}-chart`});
  const figure = h('figure', {class: 'card stats-figure', 'aria-labelledby': `${id}-title`},
    h('figcaption', {id: `${id}-title`}, h('h4', {}, title)), box, totals);
  /** @type {any} */
  let plot = null;
  const draw = async () => {
    const UPlot = await loadUplot();
    const c = colours();
    const axis = {stroke: c.muted, grid: {stroke: c.line, width: 1}, ticks: {stroke: c.line, width: 1}};
    plot?.destroy();
    plot = new UPlot({
      width: Math.max(240, box.clientWidth), height: CHART_HEIGHT,
      scales: {x: {time: true}, y: {range: (/** @type {any} */ _u, /** @type {number} */ min, /** @type {number} */ max) =>
        [Math.min(0, min ?? 0), Math.max(1, max ?? 1) * 1.1]}},
      series: [{label: 'Time'}, ...lines.map((l) => ({label: l.label, stroke: c[l.colour] || c.accent,
        width: l.dashed ? 1.5 : 2, dash: l.dashed ? [6, 4] : undefined, spanGaps: false,
        value: (/** @type {any} */ _u, /** @type {number|null} */ v) => num(v)}))],
      axes: [{...axis}, {...axis, label: yLabel, labelSize: 20, size: 56}],
      legend: {show: true},
      cursor: {drag: {x: false, y: false}},
    }, [times.map((t) => t / 1000), ...lines.map((l) => l.values)], box);
  };
  return {figure, box, draw, destroy: () => plot?.destroy(), resize: () => plot?.setSize({
    width: Math.max(240, box.clientWidth), height: CHART_HEIGHT})};
}

/** A totals table: a row for now and one for a day earlier. @param {string} caption @param {string[]} heads @param {string[][]} rows */
function totalsTable(caption, heads, rows) {
  return table(caption, ['Window', ...heads], rows.map(([window, ...values]) => h('tr', {},
    cell('Window', [window]), ...values.map((v, i) => h('td', {'data-label': heads[i], 'data-total': heads[i]}, v)))));
}

/** @param {import('./server.js').ServerContext} ctx */
function statsPanel({app, server, key}) {
  const iface = h('select', {id: 'stats-interface', name: 'interface'}, h('option', {value: ''}, 'All interfaces'));
  const range = h('select', {id: 'stats-hours', name: 'hours'},
    ...RANGES.map((n) => h('option', {value: String(n), selected: n === 3}, `Last ${n} h`)));
  const side = h('select', {id: 'stats-side', name: 'side'}, h('option', {value: 'client'}, 'Callers'),
    h('option', {value: 'server'}, `${key} itself`));
  const refresh = h('button', {type: 'button', onclick: () => void load()}, `Refresh stats of ${key}`);
  const status = h('p', {class: 'status', role: 'status', id: 'stats-status'}, 'Loading…');
  const charts = h('div', {class: 'stats-charts'});
  const perInterface = h('div', {});
  const props = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  const el = h('section', {'aria-labelledby': 'stats-title', class: 'stats'},
    h('h3', {id: 'stats-title'}, `Call statistics of ${key}`),
    h('form', {class: 'actions', 'aria-label': `Stats of ${key}`, onsubmit: (/** @type {Event} */ ev) => ev.preventDefault()},
      h('label', {for: 'stats-interface'}, 'Interface', iface), h('label', {for: 'stats-hours'}, 'Range', range),
      h('label', {for: 'stats-side'}, 'Reported by', side), refresh),
    status, charts, h('h3', {id: 'stats-interfaces-title'}, 'Interfaces'), perInterface,
    h('h3', {id: 'stats-properties-title'}, `Properties of ${key}`), props);

  /** @type {ReturnType<typeof chart>[]} */
  let drawn = [];
  let loading = false;
  /** A load was asked for while one ran (a picker changed): it runs again with the new choice when done. */
  let again = false;
  let stopped = false;

  const drawAll = () => {
    for (const c of drawn) void c.draw();
  };
  const resizer = new ResizeObserver(() => {
    for (const c of drawn) c.resize();
  });
  // The theme: the header's toggle sets data-theme on <html>; the system's choice is a media query.
  const themeWatch = new MutationObserver(drawAll);
  themeWatch.observe(document.documentElement, {attributes: true, attributeFilter: ['data-theme']});
  const dark = matchMedia('(prefers-color-scheme: dark)');
  dark.addEventListener('change', drawAll);
  const timer = setInterval(() => {
    if (!el.isConnected) stop();
    else void load();
  }, REFRESH_MS);
  const stop = () => {
    stopped = true;
    clearInterval(timer);
    resizer.disconnect();
    themeWatch.disconnect();
    dark.removeEventListener('change', drawAll);
    for (const c of drawn) c.destroy();
    drawn = [];
  };
  running.set(el, stop);

  /** Replaces the charts with new ones (they draw once uPlot is loaded). @param {ReturnType<typeof chart>[]} next */
  const show = (next) => {
    for (const c of drawn) c.destroy();
    resizer.disconnect();
    drawn = next;
    for (const c of next) resizer.observe(c.box);
    drawAll();
  };

  const load = async () => {
    if (stopped) return;
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const hours = /** @type {HTMLSelectElement} */ (range).value;
    const chosen = /** @type {HTMLSelectElement} */ (iface).value;
    const q = new URLSearchParams({hours, side: /** @type {HTMLSelectElement} */ (side).value});
    if (chosen) q.set('interface', chosen);
    status.className = 'status';
    status.textContent = `Loading the last ${hours} h…`;
    try {
      const [stats, properties] = await Promise.all([api(`${serverPath('stats', app, server)}?${q}`),
        api(`${serverPath('properties', app, server)}?hours=${hours}`).catch((e) => ({failed: e}))]);
      if (stopped) return;
      const next = [...callCharts(stats, key), ...propertyCharts(properties, props)];
      charts.replaceChildren(...next.filter((c) => !c.property).map((c) => c.figure));
      fillInterfaces(stats, chosen);
      perInterface.replaceChildren(interfaceTable(stats, key));
      show(next);
      const note = stats.instances.unanswered.length ? `; ${stats.instances.unanswered.length} of ${
        stats.instances.asked} stat instances did not answer (their unwritten minutes are missing)` : '';
      status.textContent = `${stats.totals.current.calls.toLocaleString()} calls in the last ${stats.hours} h ` +
        `(${stats.side === 'client' ? 'as callers reported them' : `as ${key} reported them`}), 5-minute slots, ` +
        `updated ${new Date().toLocaleTimeString()}; refreshes every minute${note}.`;
      announce(`Stats of ${key} updated: ${stats.totals.current.calls} calls in the last ${stats.hours} hours`);
    } catch (e) {
      status.className = 'status error';
      status.textContent = `Stats failed: ${failureText(e)}`;
    } finally {
      loading = false;
      if (again && !stopped) {
        again = false;
        void load();
      }
    }
  };

  /** The interface picker: every interface with calls, keeping the choice. @param {any} stats @param {string} chosen */
  const fillInterfaces = (stats, chosen) => {
    const names = stats.interfaces.map((/** @type {any} */ i) => i.name);
    if (chosen && !names.includes(chosen)) names.push(chosen);
    iface.replaceChildren(h('option', {value: ''}, 'All interfaces'),
      ...names.map((/** @type {string} */ n) => h('option', {value: n, selected: n === chosen}, n)));
  };

  for (const control of [iface, range, side]) control.addEventListener('change', () => void load());
  void load();
  return el;
}

/** The three call charts of a stats answer. @param {any} s @param {string} key */
function callCharts(s, key) {
  const what = `${key}${s.interface ? ` ${s.interface}` : ''}`;
  const now = `last ${s.hours} h`;
  const before = 'a day earlier';
  const {current: a, previous: b} = s.totals;
  const rows = (/** @type {(t: any) => string[]} */ f) => [[`Last ${s.hours} h`, ...f(a)], ['Same hours a day earlier', ...f(b)]];
  const rate = (/** @type {any} */ t) => (t.calls ? `${((t.errors + t.timeouts) / t.calls * 100).toFixed(1)}%` : '–');
  /** @type {Line[]} */
  const calls = [{label: `Calls, ${now}`, values: s.current.calls, dashed: false, colour: 'accent'},
    {label: `Calls, ${before}`, values: s.previous.calls, dashed: true, colour: 'muted'}];
  /** @type {Line[]} */
  const failures = [{label: `Errors, ${now}`, values: s.current.errors, dashed: false, colour: 'bad'},
    {label: `Timeouts, ${now}`, values: s.current.timeouts, dashed: false, colour: 'warn'},
    {label: `Errors, ${before}`, values: s.previous.errors, dashed: true, colour: 'bad'},
    {label: `Timeouts, ${before}`, values: s.previous.timeouts, dashed: true, colour: 'warn'}];
  /** @type {Line[]} */
  const latency = [{label: `Average, ${now}`, values: s.current.avgMs, dashed: false, colour: 'accent'},
    {label: `P99, ${now}`, values: s.current.p99Ms, dashed: false, colour: 'warn'},
    {label: `Average, ${before}`, values: s.previous.avgMs, dashed: true, colour: 'accent'},
    {label: `P99, ${before}`, values: s.previous.p99Ms, dashed: true, colour: 'warn'}];
  return [
    chart('stats-calls', 'Calls per 5 minutes', 'calls', s.times, calls,
      totalsTable(`Calls of ${what}`, ['Calls', 'Success'], rows((t) => [num(t.calls), num(t.success)])),
      `Calls of ${what} per 5 minutes, ${now}: ${num(a.calls)} in all, peak ${peak(calls[0], s.times)}; ` +
      `${before}: ${num(b.calls)}.`),
    chart('stats-failures', 'Errors and timeouts per 5 minutes', 'calls', s.times, failures,
      totalsTable(`Errors and timeouts of ${what}`, ['Errors', 'Timeouts', 'Failed'],
        rows((t) => [num(t.errors), num(t.timeouts), rate(t)])),
      `Errors and timeouts of ${what}, ${now}: ${num(a.errors)} errors and ${num(a.timeouts)} timeouts; ` +
      `${before}: ${num(b.errors)} and ${num(b.timeouts)}.`),
    chart('stats-latency', 'Latency of successful calls', 'ms', s.times, latency,
      totalsTable(`Latency of ${what}`, ['Average', 'P99', 'Max'],
        rows((t) => [num(t.avgMs, ' ms'), num(t.p99Ms, ' ms'), num(t.maxMs, ' ms')])),
      `Latency of ${what}, ${now}: average ${num(a.avgMs, ' ms')}, p99 ${num(a.p99Ms, ' ms')}; ` +
      `${before}: average ${num(b.avgMs, ' ms')}.`),
  ].map((c) => ({...c, property: false}));
}

/** Each interface's totals. @param {any} s @param {string} key */
function interfaceTable(s, key) {
  if (s.interfaces.length === 0) return h('p', {class: 'muted'}, `No calls of ${key} reported in these hours or a day earlier.`);
  return table(`Interfaces of ${key}, last ${s.hours} h`, ['Interface', 'Calls', 'Errors', 'Timeouts', 'Average',
    'P99', 'Calls a day earlier'], s.interfaces.map((/** @type {any} */ i) => h('tr', {'data-interface': i.name},
    h('td', {'data-label': 'Interface', class: 'mono'}, i.name), cell('Calls', [num(i.current.calls)]),
    cell('Errors', [num(i.current.errors)]), cell('Timeouts', [num(i.current.timeouts)]),
    cell('Average', [num(i.current.avgMs, ' ms')]), cell('P99', [num(i.current.p99Ms, ' ms')]),
    cell('Calls a day earlier', [num(i.previous.calls)]))));
}

/**
 * The property charts (one per property name, a line per policy and reporter) and the table of every property,
 * put into `box`. @param {any} p the answer, or {failed} @param {HTMLElement} box
 */
function propertyCharts(p, box) {
  if (p.failed) {
    box.replaceChildren(failureAlert(p.failed));
    return [];
  }
  if (p.properties.length === 0) {
    box.replaceChildren(h('p', {class: 'muted'}, `No property reported in the last ${p.hours} h.`));
    return [];
  }
  /** @type {Map<string, any[]>} */
  const byName = new Map();
  for (const s of p.properties) if (s.numeric) byName.set(s.name, [...byName.get(s.name) ?? [], s]);
  const palette = ['accent', 'warn', 'bad', 'ok', 'muted'];
  const charts = [...byName].slice(0, MAX_PROPERTY_CHARTS).map(([name, series], n) => {
    /** @type {Line[]} */
    const lines = series.map((s, i) => ({label: `${s.policy}${series.some((o) => o.ip !== s.ip) ? ` (${s.ip})` : ''}`,
      values: s.values, dashed: false, colour: palette[i % palette.length]}));
    return {...chart(`stats-property-${n}`, name, 'value', p.times, lines,
      table(`Property ${name}`, ['Policy', 'Reporter', `Last ${p.hours} h`], series.map((s) => h('tr', {},
        cell('Policy', [s.policy]), cell('Reporter', [s.ip || '–']), cell(`Last ${p.hours} h`, [s.total])))),
      `Property ${name} per 5 minutes, last ${p.hours} h: ${series.map((s) => `${s.policy} ${s.total}`).join(', ')}.`),
    property: true};
  });
  box.replaceChildren(h('div', {class: 'stats-charts'}, ...charts.map((c) => c.figure)),
    table(`Properties, last ${p.hours} h`, ['Property', 'Policy', 'Reporter', 'Value'],
      p.properties.map((/** @type {any} */ s) => h('tr', {'data-property': s.name},
        h('td', {'data-label': 'Property', class: 'mono'}, s.name), cell('Policy', [s.policy]),
        cell('Reporter', [s.ip || '–']), h('td', {'data-label': 'Value', class: 'mono'}, s.total)))));
  return charts;
}
