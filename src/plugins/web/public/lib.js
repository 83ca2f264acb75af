// What every view of the console shares: the page's state, building DOM safely, the JSON API with the session's
// CSRF token, announcements for screen readers, and the table/badge/time helpers. The DOM is built with
// createElement and text nodes only: nothing the cluster sends is parsed as HTML.

/** @type {{session: {loginRequired: boolean, authenticated: boolean, csrf?: string} | null, tree: any, events: EventSource | null, busy: boolean}} */
export const state = {session: null, tree: null, events: null, busy: false};
export const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const problem = /** @type {HTMLElement} */ (document.getElementById('problem'));
const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));

/** What the page does when an API call finds the session gone (set by app.js: show the login). */
export const hooks = {sessionLost: (/** @type {string} */ _note) => {}};

/**
 * An element with attributes (`on*` functions become listeners) and children (strings become text).
 * @param {string} tag @param {Record<string, any>} [attrs] @param {...(Node|string|null|undefined|false)} children
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** An API error as thrown by {@link api}. */
export class ApiFailure extends Error {
  /** @param {number} status @param {{code: string, message: string, hint?: string}} error */
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.code = error.code;
    this.hint = error.hint ?? '';
  }
}

/**
 * A JSON API call; a call with a body is a POST (or `method`) and carries the CSRF token.
 * @param {string} path @param {any} [body] @param {string} [method]
 */
export async function api(path, body, method) {
  /** @type {RequestInit} */
  const init = {credentials: 'same-origin', headers: {accept: 'application/json'}};
  if (body !== undefined) {
    init.method = method ?? 'POST';
    init.headers = {accept: 'application/json', 'content-type': 'application/json',
      'x-csrf-token': state.session?.csrf ?? ''};
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const json = await res.json().catch(() => ({error: {code: 'BAD_ANSWER', message: `${res.status} ${res.statusText}`}}));
  if (!res.ok) {
    if (res.status === 401) hooks.sessionLost('Your session ended: log in again.');
    throw new ApiFailure(res.status, json.error ?? {code: 'BAD_ANSWER', message: String(res.status)});
  }
  return json;
}

/** Shows (or, with nothing, hides) the problem banner. @param {{message: string, hint?: string} | null} failure */
export function showProblem(failure) {
  problem.replaceChildren();
  problem.hidden = !failure;
  if (failure) problem.append(failure.message, failure.hint ? h('span', {class: 'hint'}, failure.hint) : '');
}

/** Says `text` to screen readers. @param {string} text */
export function announce(text) {
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 30);
}

/** The state word of an instance: the node's own view when it answered, else what the registry last heard. */
export function stateOf(/** @type {any} */ inst) {
  return inst.state || inst.present || 'unknown';
}

export function badge(/** @type {string} */ word, /** @type {string} */ label) {
  return h('span', {class: 'badge', 'data-state': word, 'aria-label': label}, word);
}

/** How long ago, in words. @param {number} startedAt ms since the epoch */
export function uptime(startedAt) {
  if (!startedAt) return '–';
  const sec = Math.max(0, Math.round((Date.now() - startedAt) / 1000));
  if (sec < 120) return `${sec}s`;
  if (sec < 7200) return `${Math.floor(sec / 60)}m`;
  if (sec < 172800) return `${Math.floor(sec / 3600)}h${String(Math.floor(sec % 3600 / 60)).padStart(2, '0')}m`;
  return `${Math.floor(sec / 86400)}d`;
}

export function uptimeCell(/** @type {number} */ startedAt) {
  return h('td', {'data-label': 'Uptime', 'data-started': startedAt || 0}, uptime(startedAt));
}

export function cell(/** @type {string} */ label, /** @type {...any} */ children) {
  return h('td', {'data-label': label}, ...children);
}

export function table(/** @type {string} */ caption, /** @type {string[]} */ heads, /** @type {HTMLElement[]} */ rows) {
  return h('table', {class: 'reflow'}, h('caption', {class: 'visually-hidden'}, caption),
    h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', {scope: 'col'}, t)))), h('tbody', {}, ...rows));
}


export function when(/** @type {number} */ ms) {
  return ms ? new Date(ms).toLocaleString() : '–';
}

/** An API failure as one line: the message, and the hint in brackets. @param {any} e */
export function failureText(e) {
  return `${e.message}${e.hint ? ` (${e.hint})` : ''}`;
}

/** An alert paragraph with a failure. @param {any} e */
export function failureAlert(e) {
  return h('p', {class: 'status error', role: 'alert'}, failureText(e));
}

/** The URL path of a server's API routes: `/api/<area>/App/Server`. @param {string} area @param {string} app @param {string} server */
export function serverPath(area, app, server) {
  return `/api/${area}/${encodeURIComponent(app)}/${encodeURIComponent(server)}`;
}

/** The current view's parts from the URL hash, decoded (`#/server/App/Server/config` -> ['server', 'App', ...]). */
export function hashParts() {
  return location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

export function markNav(/** @type {string} */ name) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.getAttribute('data-nav') === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}
