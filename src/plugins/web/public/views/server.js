// #/server/App/Server[/tab]: the server's instances with Start/Stop/Restart on every node or one, then its sections
// as tabs (views/server-tabs.js): overview, config, and what other features add. A tab's panel is made once per
// visit and kept across the live re-renders, so what the user typed or streams survives a state change.
import {ApiFailure, announce, api, badge, cell, failureText, h, hashParts, main, markNav, serverPath, state, stateOf,
  table, uptimeCell} from '../lib.js';
import {SERVER_TABS} from './server-tabs.js';

/**
 * What a tab gets.
 * @typedef {object} ServerContext
 * @property {string} app
 * @property {string} server
 * @property {string} key App.Server
 * @property {any} detail the server as GET /api/servers/:app/:server gives it
 */

/**
 * One tab of a server's page.
 * @typedef {object} ServerTab
 * @property {string} id its hash part (`#/server/App/Server/<id>`)
 * @property {string} title
 * @property {(ctx: ServerContext) => HTMLElement} panel makes the panel (once per visit unless `fresh`)
 * @property {boolean} [fresh] the panel is made again on every render (it shows only `detail`)
 * @property {(panel: HTMLElement) => void} [leave] the page leaves the tab (close streams, stop timers)
 */

/** @type {{key: string, detail: any, status: {text: string, error: boolean}} | null} */
let current = null;
/** @type {{key: string, tab: ServerTab, el: HTMLElement} | null} */
let panel = null;

/** @param {string[]} parts */
function params(parts) {
  if (parts[0] !== 'server' || parts.length < 3 || parts.length > 4) return null;
  const tab = SERVER_TABS.find((t) => t.id === (parts[3] ?? SERVER_TABS[0].id));
  return tab ? {app: parts[1], server: parts[2], tab} : null;
}

/** The hash of a server's tab. @param {string} app @param {string} server @param {string} [tab] */
export function serverHash(app, server, tab) {
  return `#/server/${encodeURIComponent(app)}/${encodeURIComponent(server)}${tab ? `/${tab}` : ''}`;
}

/** @type {import('./index.js').View} */
export const serverView = {
  name: 'tree',
  match: params,
  show: ({app, server, tab}) => {
    if (current?.key !== `${app}.${server}`) void load(app, server);
    render(app, server, tab);
  },
  treeChanged: ({app, server}) => {
    if (!state.busy) void load(app, server);
  },
  leave: () => dropPanel(),
};

function dropPanel() {
  if (panel) panel.tab.leave?.(panel.el);
  panel = null;
}

/** Whether the page still shows `key`. @param {string} key */
function showing(key) {
  const p = params(hashParts());
  return p !== null && `${p.app}.${p.server}` === key;
}

function rerender() {
  const p = params(hashParts());
  if (p) render(p.app, p.server, p.tab);
}

/** Fetches the server again and re-renders, announcing state changes. @param {string} app @param {string} server */
export async function load(app, server) {
  const key = `${app}.${server}`;
  try {
    const detail = await api(serverPath('servers', app, server));
    if (!showing(key)) return;
    const before = current?.key === key ? current.detail : null;
    current = {key, detail, status: current?.key === key ? current.status : {text: '', error: false}};
    if (before) {
      for (const inst of detail.instances) {
        const old = before.instances.find((/** @type {any} */ o) => o.node === inst.node);
        if (old && stateOf(old) !== stateOf(inst)) announce(`${key} on ${inst.node} is now ${stateOf(inst)}`);
      }
    }
  } catch (e) {
    current = {key, detail: current?.key === key ? current.detail : null,
      status: {text: failureText(e), error: true}};
  }
  if (showing(key)) rerender();
}

/** Sets the status line under the actions and re-renders. @param {string} key @param {string} text @param {boolean} error @param {any} [detail] */
export function setStatus(key, text, error, detail) {
  if (current?.key !== key) return;
  current = {key, detail: detail ?? current.detail, status: {text, error}};
  if (showing(key)) rerender();
}

/** @param {string} app @param {string} server @param {ServerTab} tab */
function render(app, server, tab) {
  markNav('tree');
  const key = `${app}.${server}`;
  document.title = `${key} · TARS console`;
  const view = current?.key === key ? current : null;
  const body = [h('p', {}, h('a', {href: '#/'}, '← Services')), h('h2', {}, key)];
  if (!view) {
    main.replaceChildren(...body, h('p', {class: 'muted'}, 'Loading…'));
    return;
  }
  const status = h('p', {class: `status${view.status.error ? ' error' : ''}`, id: 'action-status', role: 'status'},
    view.status.text);
  if (!view.detail) {
    main.replaceChildren(...body, status);
    return;
  }
  const d = view.detail;
  body.push(actions(app, server, d), status, h('h3', {}, 'Instances'), instances(key, d));
  const tabs = h('nav', {class: 'tabs', 'aria-label': `Sections of ${key}`}, h('ul', {},
    ...SERVER_TABS.map((t) => h('li', {}, h('a', {href: serverHash(app, server, t.id), 'aria-current': t === tab ? 'page' : false},
      t.title)))));
  if (panel && (panel.key !== key || panel.tab !== tab)) dropPanel();
  if (!panel || tab.fresh) panel = {key, tab, el: tab.panel({app, server, key, detail: d})};
  main.replaceChildren(...body, tabs, h('section', {class: 'tab-panel', 'aria-label': `${tab.title} of ${key}`}, panel.el));
}

/** @param {string} app @param {string} server @param {any} d */
function actions(app, server, d) {
  const key = `${app}.${server}`;
  const nodeSelect = h('select', {id: 'node-select', name: 'node'}, h('option', {value: ''}, 'every node'),
    ...d.instances.map((/** @type {any} */ i) => h('option', {value: i.node}, i.node)));
  const act = (/** @type {'start'|'stop'|'restart'} */ action) => async () => {
    const node = /** @type {HTMLSelectElement} */ (nodeSelect).value;
    const where = node ? ` on ${node}` : '';
    const verb = {start: 'Starting', stop: 'Stopping', restart: 'Restarting'}[action];
    state.busy = true;
    setStatus(key, `${verb} ${key}${where}…`, false);
    /** @type {[string, boolean, any]} */
    let outcome;
    try {
      const done = await api(`${serverPath('servers', app, server)}/${action}`, node ? {node} : {});
      const text = `${key}: ${action} done${where}. ` + done.nodes.map((/** @type {any} */ n) => `${n.node}: ${n.result}`).join('; ');
      announce(text);
      outcome = [text, false, done.after];
    } catch (e) {
      outcome = [`${action} failed: ${failureText(/** @type {ApiFailure} */ (e))}`, true, undefined];
    }
    state.busy = false;
    setStatus(key, ...outcome);
  };
  const button = (/** @type {'start'|'stop'|'restart'} */ action, /** @type {string} */ text, /** @type {string} */ cls) =>
    h('button', {type: 'button', class: cls, disabled: state.busy, 'aria-label': `${text} ${key}`, onclick: act(action)}, text);
  return h('div', {class: 'actions', role: 'group', 'aria-label': `Actions on ${key}`},
    h('label', {for: 'node-select'}, 'On', nodeSelect),
    button('start', 'Start', 'primary'), button('stop', 'Stop', 'danger'), button('restart', 'Restart', ''));
}

/** @param {string} key @param {any} d */
function instances(key, d) {
  return table(`Instances of ${key}`, ['Node', 'State', 'Setting', 'Pid', 'Uptime', 'Restarts', 'Version', 'Last exit'],
    d.instances.map((/** @type {any} */ i) => {
      const word = stateOf(i);
      return h('tr', {'data-node': i.node},
        cell('Node', [i.node]),
        h('td', {'data-label': 'State', class: 'instance-state', 'data-state': word},
          badge(word, `${key} on ${i.node}: ${word}`)),
        cell('Setting', [i.setting]),
        cell('Pid', [i.pid > 0 ? String(i.pid) : '–']),
        uptimeCell(i.startedAt),
        cell('Restarts', [String(i.restarts)]),
        cell('Version', [i.release || i.version || '–']),
        cell('Last exit', [i.lastExit || '–']));
    }));
}
