// Notifications as the log daemon's NotifyObj kept them (what `tars notify list` shows): #/notifications for the whole
// cluster with filters by application, server and level, and a server page's Notifications tab. Both refresh every
// few seconds while open and announce what is new.
import {announce, api, cell, failureAlert, h, hashParts, main, markNav, serverPath, table, when} from '../lib.js';

/** How often an open list asks again, ms. */
const REFRESH_MS = 4000;
/** How many entries a list shows. */
const LIMIT = 200;
const LEVELS = ['alarm', 'error', 'warn', 'normal'];

/** An entry's identity across refreshes (ids are a store's own: the instance goes with it). @param {any} e */
function entryKey(e) {
  return `${e.instance ?? ''}#${e.id}`;
}

/** The level word of a notification's command (`[warn]` -> warn). @param {string} command */
function levelOf(command) {
  return command.replace(/^\[|\]$/g, '') || 'normal';
}

/**
 * A live list of notifications: `path()` gives the API path (with its query) to ask; it refreshes every few seconds
 * until `stop()`, announcing entries that were not there before (not on the first load).
 * @param {{title: string, id: string, path: () => string, controls?: HTMLElement, describe: (n: number) => string}} options
 */
function notificationList(options) {
  const status = h('p', {class: 'status', role: 'status', id: `${options.id}-status`}, 'Loading…');
  const box = h('div', {class: 'notify-list'});
  const el = h('section', {'aria-labelledby': `${options.id}-title`, class: 'notifications'},
    h('h3', {id: `${options.id}-title`}, options.title), options.controls ?? '', status, box);
  /** @type {Set<string> | null} */
  let seen = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;
  let asking = 0;

  const load = async () => {
    clearTimeout(timer);
    const ask = ++asking;
    try {
      const answer = await api(options.path());
      if (stopped || ask !== asking) return;
      const fresh = seen === null ? [] : answer.entries.filter((/** @type {any} */ e) => !seen?.has(entryKey(e)));
      seen = new Set(answer.entries.map(entryKey));
      const freshKeys = new Set(fresh.map(entryKey));
      box.replaceChildren(answer.entries.length === 0 ? h('p', {class: 'muted'}, 'No notifications.')
        : table(options.title, ['Time', 'Server', 'Node', 'Level', 'Message'], answer.entries.map((/** @type {any} */ e) => {
          const level = levelOf(e.command);
          return h('tr', {'data-notify': entryKey(e), class: freshKeys.has(entryKey(e)) ? 'notify-new' : false},
            cell('Time', [when(Date.parse(e.time))]), cell('Server', [`${e.app}.${e.server}`]), cell('Node', [e.nodeName || '–']),
            h('td', {'data-label': 'Level'}, h('span', {class: 'badge', 'data-level': level}, level)),
            h('td', {'data-label': 'Message', class: 'notify-message'}, e.message));
        })));
      status.className = 'status';
      status.textContent = `${options.describe(answer.entries.length)}; updated ${new Date().toLocaleTimeString()}` +
        (answer.unanswered ? `; not answering: ${answer.unanswered.map((/** @type {any} */ u) => u.instance).join(', ')}` : '');
      if (fresh.length === 1) announce(`New notification: ${fresh[0].app}.${fresh[0].server}: ${fresh[0].message}`);
      else if (fresh.length > 1) announce(`${fresh.length} new notifications, the newest: ${fresh[0].app}.${fresh[0].server}: ${fresh[0].message}`);
    } catch (e) {
      if (stopped || ask !== asking) return;
      box.replaceChildren(failureAlert(e));
      status.textContent = '';
    }
    if (!stopped) timer = setTimeout(() => void load(), REFRESH_MS);
  };

  return {
    el,
    /** Asks again now (after a filter changed: what the new filter shows is not "new"). */
    reload: () => {
      seen = null;
      void load();
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** @type {WeakMap<HTMLElement, () => void>} */
const stops = new WeakMap();

/** @type {import('./server.js').ServerTab} */
export const notificationsTab = {
  id: 'notifications',
  title: 'Notifications',
  panel: ({app, server, key}) => {
    const level = h('select', {id: 'server-notify-level', name: 'level'}, h('option', {value: ''}, 'every level'),
      ...LEVELS.map((l) => h('option', {value: l}, l)));
    const list = notificationList({title: `Notifications of ${key}`, id: 'server-notify',
      path: () => `${serverPath('notifications', app, server)}?${new URLSearchParams({limit: String(LIMIT),
        ...(/** @type {HTMLSelectElement} */ (level).value ? {level: /** @type {HTMLSelectElement} */ (level).value} : {})})}`,
      controls: h('div', {class: 'actions'}, h('label', {for: 'server-notify-level'}, 'Level', level)),
      describe: (n) => `${n} notifications of ${key}, newest first`});
    level.addEventListener('change', () => list.reload());
    list.reload();
    stops.set(list.el, list.stop);
    return list.el;
  },
  leave: (panel) => stops.get(panel)?.(),
};

/** @type {ReturnType<typeof notificationList> | null} */
let shownList = null;

/** @type {import('./index.js').View} */
export const notificationsView = {
  name: 'notifications',
  match: (parts) => parts[0] === 'notifications' ? {} : null,
  show: () => {
    shownList?.stop();
    markNav('notifications');
    document.title = 'Notifications · TARS console';
    const input = (/** @type {string} */ id, /** @type {string} */ label, /** @type {string} */ placeholder) => {
      const field = h('input', {id, name: id, placeholder, pattern: '[A-Za-z0-9_][A-Za-z0-9_\\-]*', size: 12});
      return {field, label: h('label', {for: id}, label, field)};
    };
    const app = input('notify-app', 'Application', 'any');
    const server = input('notify-server', 'Server', 'any');
    const level = h('select', {id: 'notify-level', name: 'level'}, h('option', {value: ''}, 'every level'),
      ...LEVELS.map((l) => h('option', {value: l}, l)));
    const value = (/** @type {HTMLElement} */ el) => /** @type {HTMLInputElement} */ (el).value.trim();
    const list = notificationList({title: 'Latest notifications of the cluster', id: 'notify',
      path: () => {
        const q = new URLSearchParams({limit: String(LIMIT)});
        if (value(app.field)) q.set('app', value(app.field));
        if (value(server.field)) q.set('server', value(server.field));
        if (value(level)) q.set('level', value(level));
        return `/api/notifications?${q}`;
      },
      controls: h('form', {class: 'actions', 'aria-label': 'Filter notifications', onsubmit: (/** @type {Event} */ ev) => {
        ev.preventDefault();
        list.reload();
      }}, app.label, server.label, h('label', {for: 'notify-level'}, 'Level', level),
      h('button', {type: 'submit'}, 'Filter notifications')),
      describe: (n) => `${n} notifications, newest first`});
    level.addEventListener('change', () => list.reload());
    shownList = list;
    main.replaceChildren(h('h2', {}, 'Notifications'),
      h('p', {class: 'muted'}, 'What servers and nodes reported (starts, stops, crashes, alarms), as tars notify list shows it; ' +
        'it refreshes every few seconds.'), list.el);
    list.reload();
    if (hashParts()[0] !== 'notifications') list.stop();
  },
  leave: () => {
    shownList?.stop();
    shownList = null;
  },
};
