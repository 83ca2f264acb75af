// The console's page: one ES module, no framework. Views by URL hash (#/ services, #/server/App/Server, #/registry),
// live state from the server-sent events of /api/events, every state-changing request with the session's CSRF token.
// The DOM is built with createElement and text nodes only: nothing the cluster sends is parsed as HTML.

/** @type {{session: {loginRequired: boolean, authenticated: boolean, csrf?: string} | null, tree: any, events: EventSource | null, busy: boolean}} */
const state = {session: null, tree: null, events: null, busy: false};
const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const problem = /** @type {HTMLElement} */ (document.getElementById('problem'));
const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
const live = /** @type {HTMLElement} */ (document.getElementById('live'));

/**
 * An element with attributes (`on*` functions become listeners) and children (strings become text).
 * @param {string} tag @param {Record<string, any>} [attrs] @param {...(Node|string|null|undefined|false)} children
 */
function h(tag, attrs = {}, ...children) {
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
class ApiFailure extends Error {
  /** @param {number} status @param {{code: string, message: string, hint?: string}} error */
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.code = error.code;
    this.hint = error.hint ?? '';
  }
}

/** A JSON API call; POSTs carry the CSRF token. @param {string} path @param {any} [body] */
async function api(path, body) {
  /** @type {RequestInit} */
  const init = {credentials: 'same-origin', headers: {accept: 'application/json'}};
  if (body !== undefined) {
    init.method = 'POST';
    init.headers = {accept: 'application/json', 'content-type': 'application/json',
      'x-csrf-token': state.session?.csrf ?? ''};
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const json = await res.json().catch(() => ({error: {code: 'BAD_ANSWER', message: `${res.status} ${res.statusText}`}}));
  if (!res.ok) {
    if (res.status === 401) showLogin('Your session ended: log in again.');
    throw new ApiFailure(res.status, json.error ?? {code: 'BAD_ANSWER', message: String(res.status)});
  }
  return json;
}

/** Shows (or, with nothing, hides) the problem banner. @param {{message: string, hint?: string} | null} failure */
function showProblem(failure) {
  problem.replaceChildren();
  problem.hidden = !failure;
  if (failure) problem.append(failure.message, failure.hint ? h('span', {class: 'hint'}, failure.hint) : '');
}

/** Says `text` to screen readers. @param {string} text */
function announce(text) {
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 30);
}

/** The state word of an instance: the node's own view when it answered, else what the registry last heard. */
function stateOf(/** @type {any} */ inst) {
  return inst.state || inst.present || 'unknown';
}

function badge(/** @type {string} */ word, /** @type {string} */ label) {
  return h('span', {class: 'badge', 'data-state': word, 'aria-label': label}, word);
}

/** How long ago, in words. @param {number} startedAt ms since the epoch */
function uptime(startedAt) {
  if (!startedAt) return '–';
  const sec = Math.max(0, Math.round((Date.now() - startedAt) / 1000));
  if (sec < 120) return `${sec}s`;
  if (sec < 7200) return `${Math.floor(sec / 60)}m`;
  if (sec < 172800) return `${Math.floor(sec / 3600)}h${String(Math.floor(sec % 3600 / 60)).padStart(2, '0')}m`;
  return `${Math.floor(sec / 86400)}d`;
}

function uptimeCell(/** @type {number} */ startedAt) {
  return h('td', {'data-label': 'Uptime', 'data-started': startedAt || 0}, uptime(startedAt));
}

function cell(/** @type {string} */ label, /** @type {...any} */ children) {
  return h('td', {'data-label': label}, ...children);
}

function table(/** @type {string} */ caption, /** @type {string[]} */ heads, /** @type {HTMLElement[]} */ rows) {
  return h('table', {class: 'reflow'}, h('caption', {class: 'visually-hidden'}, caption),
    h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', {scope: 'col'}, t)))), h('tbody', {}, ...rows));
}

/** The current view from the URL hash. */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const parts = hash.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'server' && parts.length === 3) return {name: 'server', app: parts[1], server: parts[2]};
  if (parts[0] === 'registry') return {name: 'registry'};
  return {name: 'tree'};
}

function markNav(/** @type {string} */ name) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.getAttribute('data-nav') === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// ---- the service tree ----

function renderTree() {
  markNav('tree');
  document.title = 'Services · TARS console';
  const tree = state.tree;
  const body = [h('h2', {}, 'Services')];
  if (!tree) {
    body.push(h('p', {class: 'muted'}, 'Waiting for the registry…'));
  } else {
    body.push(h('h3', {id: 'nodes-title'}, 'Nodes'), h('ul', {class: 'nodes', 'aria-labelledby': 'nodes-title'},
      ...tree.nodes.map((/** @type {any} */ n) => h('li', {}, badge(n.alive ? 'alive' : 'silent',
        `node ${n.name} ${n.alive ? 'alive' : 'silent'}`), ' ', n.name, h('span', {class: 'muted'},
        ` · ${n.servers} servers${n.version ? ` · ${n.version}` : ''}`)))));
    if (tree.applications.length === 0) body.push(h('p', {}, 'No server is deployed yet (tars server deploy).'));
    const grid = h('div', {class: 'grid'});
    for (const app of tree.applications) {
      const rows = app.servers.flatMap((/** @type {any} */ s) => s.instances.map((/** @type {any} */ inst, /** @type {number} */ i) => {
        const word = stateOf(inst);
        return h('tr', {'data-server': `${app.name}.${s.name}`, 'data-node': inst.node},
          cell('Server', [i === 0 ? h('a', {href: `#/server/${encodeURIComponent(app.name)}/${encodeURIComponent(s.name)}`},
            s.name) : '']),
          cell('Node', [inst.node]),
          cell('State', [badge(word, `${app.name}.${s.name} on ${inst.node}: ${word}`)]),
          cell('Pid', [inst.pid > 0 ? String(inst.pid) : '–']),
          uptimeCell(inst.startedAt),
          cell('Version', [inst.release || inst.version || '–']));
      }));
      grid.append(h('section', {class: 'card', 'aria-labelledby': `app-${app.name}`},
        h('h3', {id: `app-${app.name}`}, app.name),
        table(`Servers of ${app.name}`, ['Server', 'Node', 'State', 'Pid', 'Uptime', 'Version'], rows)));
    }
    body.push(grid);
  }
  main.replaceChildren(...body);
}

// ---- one server ----

/** @type {{key: string, detail: any, status: {text: string, error: boolean}} | null} */
let serverView = null;

async function loadServer(/** @type {string} */ app, /** @type {string} */ server) {
  const key = `${app}.${server}`;
  try {
    const detail = await api(`/api/servers/${encodeURIComponent(app)}/${encodeURIComponent(server)}`);
    const now = route();
    if (now.name !== 'server' || `${now.app}.${now.server}` !== key) return;
    const before = serverView?.key === key ? serverView.detail : null;
    serverView = {key, detail, status: serverView?.key === key ? serverView.status : {text: '', error: false}};
    if (before) {
      for (const inst of detail.instances) {
        const old = before.instances.find((/** @type {any} */ o) => o.node === inst.node);
        if (old && stateOf(old) !== stateOf(inst)) announce(`${key} on ${inst.node} is now ${stateOf(inst)}`);
      }
    }
  } catch (e) {
    const failure = /** @type {ApiFailure} */ (e);
    serverView = {key, detail: null, status: {text: `${failure.message}${failure.hint ? ` (${failure.hint})` : ''}`, error: true}};
  }
  const r = route();
  if (r.name === 'server' && `${r.app}.${r.server}` === key) renderServer(app, server);
}

function renderServer(/** @type {string} */ app, /** @type {string} */ server) {
  markNav('tree');
  const key = `${app}.${server}`;
  document.title = `${key} · TARS console`;
  const view = serverView?.key === key ? serverView : null;
  const body = [h('p', {}, h('a', {href: '#/'}, '← Services')), h('h2', {}, key)];
  if (!view) {
    body.push(h('p', {class: 'muted'}, 'Loading…'));
    main.replaceChildren(...body);
    return;
  }
  const status = h('p', {class: `status${view.status.error ? ' error' : ''}`, id: 'action-status', role: 'status'},
    view.status.text);
  if (!view.detail) {
    main.replaceChildren(...body, status);
    return;
  }
  const d = view.detail;
  const nodeSelect = h('select', {id: 'node-select', name: 'node'}, h('option', {value: ''}, 'every node'),
    ...d.instances.map((/** @type {any} */ i) => h('option', {value: i.node}, i.node)));
  const act = (/** @type {'start'|'stop'|'restart'} */ action) => async () => {
    const node = /** @type {HTMLSelectElement} */ (nodeSelect).value;
    const where = node ? ` on ${node}` : '';
    const verb = {start: 'Starting', stop: 'Stopping', restart: 'Restarting'}[action];
    serverView = {key, detail: d, status: {text: `${verb} ${key}${where}…`, error: false}};
    state.busy = true;
    renderServer(app, server);
    try {
      const done = await api(`/api/servers/${encodeURIComponent(app)}/${encodeURIComponent(server)}/${action}`,
        node ? {node} : {});
      const text = `${key}: ${action} done${where}. ` + done.nodes.map((/** @type {any} */ n) => `${n.node}: ${n.result}`).join('; ');
      serverView = {key, detail: done.after, status: {text, error: false}};
      announce(text);
    } catch (e) {
      const failure = /** @type {ApiFailure} */ (e);
      serverView = {key, detail: d, status: {text: `${action} failed: ${failure.message}${failure.hint ? ` (${failure.hint})` : ''}`,
        error: true}};
    } finally {
      state.busy = false;
    }
    const r = route();
    if (r.name === 'server' && `${r.app}.${r.server}` === key) renderServer(app, server);
  };
  const button = (/** @type {'start'|'stop'|'restart'} */ action, /** @type {string} */ text, /** @type {string} */ cls) =>
    h('button', {type: 'button', class: cls, disabled: state.busy, 'aria-label': `${text} ${key}`, onclick: act(action)}, text);
  body.push(
    h('div', {class: 'actions', role: 'group', 'aria-label': `Actions on ${key}`},
      h('label', {for: 'node-select'}, 'On', nodeSelect),
      button('start', 'Start', 'primary'), button('stop', 'Stop', 'danger'), button('restart', 'Restart', '')),
    status,
    h('h3', {}, 'Instances'),
    table(`Instances of ${key}`, ['Node', 'State', 'Setting', 'Pid', 'Uptime', 'Restarts', 'Version', 'Last exit'],
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
      })),
    h('h3', {}, 'Adapters'),
    table(`Adapters of ${key}`, ['Node', 'Adapter', 'Object', 'Endpoint', 'Protocol'],
      d.instances.flatMap((/** @type {any} */ i) => i.adapters.map((/** @type {any} */ a) => h('tr', {},
        cell('Node', [i.node]), cell('Adapter', [a.name]), cell('Object', [a.servant]),
        h('td', {'data-label': 'Endpoint', class: 'mono'}, a.endpoint), cell('Protocol', [a.protocol]))))),
  );
  const cmd = d.instances.find((/** @type {any} */ i) => i.command)?.command;
  if (cmd) body.push(h('h3', {}, 'Command'), h('p', {class: 'mono'}, cmd));
  body.push(configSection(app, server));
  main.replaceChildren(...body);
}

// ---- a server's config files (one element per server page, kept across re-renders so edits survive) ----

/** @type {{key: string, el: HTMLElement} | null} */
let configView = null;

/** The query string naming a file's level, node and SET. @param {any} f */
function fileQuery(f) {
  const q = new URLSearchParams({level: f.level});
  if (f.node) q.set('node', f.node);
  if (f.setId) q.set('set', f.setId);
  return q;
}

function when(/** @type {number} */ ms) {
  return ms ? new Date(ms).toLocaleString() : '–';
}

function configSection(/** @type {string} */ app, /** @type {string} */ server) {
  const key = `${app}.${server}`;
  if (configView?.key === key) return configView.el;
  const base = `/api/config/${encodeURIComponent(app)}/${encodeURIComponent(server)}`;
  const listBox = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  const editor = h('div', {id: 'config-editor'});
  const el = h('section', {'aria-labelledby': 'config-title'}, h('h3', {id: 'config-title'}, 'Config files'), listBox, editor);
  configView = {key, el};

  const fail = (/** @type {HTMLElement} */ box, /** @type {any} */ e) => {
    box.replaceChildren(h('p', {class: 'status error', role: 'alert'}, `${e.message}${e.hint ? ` (${e.hint})` : ''}`));
  };

  const loadList = async () => {
    try {
      const list = await api(base);
      const newName = h('input', {id: 'config-new-name', name: 'name', placeholder: 'app.conf', pattern: '[A-Za-z0-9_][A-Za-z0-9_.\\-]*'});
      listBox.replaceChildren(
        list.files.length === 0 ? h('p', {class: 'muted'}, 'No config file yet.')
          : table(`Config files of ${key}`, ['File', 'Level', 'Version', 'Changed', 'Comment', ''],
            list.files.map((/** @type {any} */ f) => h('tr', {'data-file': f.name},
              h('td', {'data-label': 'File', class: 'mono'}, f.name),
              cell('Level', [f.level + (f.node ? ` ${f.node}` : '') + (f.setId ? ` (${f.setId})` : '')]),
              cell('Version', [String(f.current.version)]),
              cell('Changed', [`${when(f.current.time)} by ${f.current.author || '–'}`]),
              cell('Comment', [f.current.comment || '–']),
              cell('', [h('button', {type: 'button', 'aria-label': `Edit ${f.name}${f.level === 'server' ? '' : ` (${f.level})`}`,
                onclick: () => void openFile(f)}, 'Edit')])))),
        h('form', {class: 'actions', 'aria-label': 'New config file', onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          const name = /** @type {HTMLInputElement} */ (newName).value.trim();
          if (name) showEditor({name, level: 'server', node: '', setId: ''}, '', [], 0);
        }}, h('label', {for: 'config-new-name'}, 'New file', newName), h('button', {type: 'submit'}, 'Create')));
    } catch (e) {
      fail(listBox, e);
    }
  };

  const openFile = async (/** @type {any} */ f, /** @type {number|undefined} */ version) => {
    try {
      const q = fileQuery(f);
      if (version) q.set('version', String(version));
      const file = await api(`${base}/files/${encodeURIComponent(f.name)}?${q}`);
      showEditor(file.file, file.content, file.history, file.version);
    } catch (e) {
      fail(editor, e);
    }
  };

  const showEditor = (/** @type {any} */ f, /** @type {string} */ content, /** @type {any[]} */ history, /** @type {number} */ version) => {
    const text = h('textarea', {id: 'config-content', name: 'content', rows: 14, spellcheck: 'false', class: 'mono'});
    /** @type {HTMLTextAreaElement} */ (text).value = content;
    const comment = h('input', {id: 'config-comment', name: 'comment', placeholder: 'why'});
    const status = h('p', {class: 'status', role: 'status', id: 'config-status'},
      version ? `Version ${version}${history[0] && history[0].version !== version ? ` (the newest is ${history[0].version}: push to make this one current)` : ''}` : 'A new file: push to create it.');
    const push = h('button', {type: 'submit', class: 'primary'}, `Push ${f.name}`);
    const form = h('form', {'aria-label': `Edit ${f.name}`, onsubmit: async (/** @type {Event} */ ev) => {
      ev.preventDefault();
      push.setAttribute('disabled', '');
      status.className = 'status';
      status.textContent = `Pushing ${f.name}…`;
      try {
        const done = await api(`${base}/files/${encodeURIComponent(f.name)}`, {content: /** @type {HTMLTextAreaElement} */ (text).value,
          comment: /** @type {HTMLInputElement} */ (comment).value, level: f.level, ...(f.node ? {node: f.node} : {}),
          ...(f.setId ? {set: f.setId} : {})});
        announce(`${f.name} stored as version ${done.version}`);
        await loadList();
        await openFile(f);
        const after = document.getElementById('config-status');
        if (after) after.textContent = `Stored as version ${done.version}.`;
      } catch (e) {
        push.removeAttribute('disabled');
        status.className = 'status error';
        status.textContent = `Push failed: ${/** @type {any} */ (e).message}${/** @type {any} */ (e).hint ? ` (${/** @type {any} */ (e).hint})` : ''}`;
      }
    }},
    h('h4', {}, `${f.name} (${f.level}${f.node ? ` ${f.node}` : ''})`),
    h('label', {for: 'config-content'}, `Content of ${f.name}`), text,
    h('div', {class: 'actions'}, h('label', {for: 'config-comment'}, 'Comment', comment), push),
    status);
    editor.replaceChildren(form, history.length === 0 ? '' : h('div', {},
      h('h4', {id: 'config-history-title'}, 'History'),
      h('ol', {class: 'history', 'aria-labelledby': 'config-history-title'}, ...history.map((/** @type {any} */ v) =>
        h('li', {}, `v${v.version} · ${when(v.time)} · ${v.author || '–'}${v.comment ? ` · ${v.comment}` : ''} `,
          h('button', {type: 'button', 'aria-label': `Load version ${v.version} of ${f.name}`,
            onclick: () => void openFile(f, v.version)}, 'Load'))))));
  };

  void loadList();
  return el;
}

// ---- the registry ----

async function renderRegistry() {
  markNav('registry');
  document.title = 'Registry · TARS console';
  main.replaceChildren(h('h2', {}, 'Registry'), h('p', {class: 'muted'}, 'Loading…'));
  try {
    const reg = await api('/api/registry');
    if (route().name !== 'registry') return;
    const list = (/** @type {string[]} */ eps) => eps.length === 0 ? '–' : h('ul', {class: 'mono'}, ...eps.map((e) => h('li', {}, e)));
    main.replaceChildren(h('h2', {}, 'Registry'),
      h('p', {class: 'muted'}, `${reg.objects.length} objects. `, h('button', {type: 'button', onclick: () => void renderRegistry()},
        'Refresh')),
      table('Objects and endpoints', ['Object', 'Active', 'Inactive', 'Nodes'], reg.objects.map((/** @type {any} */ o) =>
        h('tr', {'data-object': o.name}, h('td', {'data-label': 'Object', class: 'mono'}, o.name),
          cell('Active', [list(o.active)]), cell('Inactive', [list(o.inactive)]),
          cell('Nodes', [o.nodes.join(', ') || (o.manual ? 'added by hand' : '–')])))));
  } catch (e) {
    const failure = /** @type {ApiFailure} */ (e);
    main.replaceChildren(h('h2', {}, 'Registry'), h('p', {class: 'status error', role: 'alert'},
      `${failure.message}${failure.hint ? ` (${failure.hint})` : ''}`));
  }
}

function render() {
  if (!state.session || (state.session.loginRequired && !state.session.authenticated)) return;
  const r = route();
  if (r.name === 'server') {
    if (serverView?.key !== `${r.app}.${r.server}`) void loadServer(r.app, r.server);
    renderServer(r.app, r.server);
  } else if (r.name === 'registry') {
    void renderRegistry();
  } else {
    renderTree();
  }
}

// ---- live updates ----

function connect() {
  state.events?.close();
  const events = new EventSource('/api/events');
  state.events = events;
  events.addEventListener('open', () => { live.dataset.live = 'on'; live.textContent = 'live'; });
  events.addEventListener('error', () => {
    live.dataset.live = 'off';
    live.textContent = 'reconnecting…';
    // An answer other than a stream (401 after the session expired or the console restarted) closes it for good.
    if (events.readyState === EventSource.CLOSED && state.events === events) {
      setTimeout(async () => {
        if (state.events !== events) return;
        try {
          state.session = await api('/api/session');
          if (state.session.loginRequired && !state.session.authenticated) showLogin('Your session ended: log in again.');
          else connect();
        } catch {
          connect();
        }
      }, 2000);
    }
  });
  events.addEventListener('tree', (e) => {
    state.tree = JSON.parse(/** @type {MessageEvent} */ (e).data);
    showProblem(null);
    const r = route();
    if (r.name === 'tree') renderTree();
    else if (r.name === 'server' && !state.busy) void loadServer(r.app, r.server);
  });
  events.addEventListener('problem', (e) => {
    showProblem(JSON.parse(/** @type {MessageEvent} */ (e).data).error);
  });
}

// ---- session, login, theme ----

function showLogin(/** @type {string} */ note) {
  state.events?.close();
  state.events = null;
  if (state.session) state.session.authenticated = false;
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  live.hidden = true;
  document.title = 'Log in · TARS console';
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true});
  const msg = h('p', {class: 'status error', role: 'alert', id: 'login-error'}, note);
  const form = h('form', {'aria-labelledby': 'login-title', onsubmit: async (/** @type {Event} */ ev) => {
    ev.preventDefault();
    msg.textContent = '';
    try {
      const res = await fetch('/api/login', {method: 'POST', credentials: 'same-origin',
        headers: {'content-type': 'application/json', accept: 'application/json'},
        body: JSON.stringify({token: /** @type {HTMLInputElement} */ (input).value})});
      const json = await res.json();
      if (!res.ok) throw new ApiFailure(res.status, json.error);
      state.session = json;
      started();
    } catch (e) {
      const failure = /** @type {ApiFailure} */ (e);
      msg.textContent = `${failure.message}${failure.hint ? ` (${failure.hint})` : ''}`;
    }
  }},
  h('label', {for: 'token'}, 'Admin token'), input, h('button', {type: 'submit', class: 'primary'}, 'Log in'), msg);
  main.replaceChildren(h('section', {class: 'login card'}, h('h2', {id: 'login-title'}, 'Log in'),
    h('p', {class: 'muted'}, 'This console drives the cluster: give its admin token (tars login / TARS_ADMIN_TOKEN).'), form));
  /** @type {HTMLElement} */ (input).focus();
}

function started() {
  document.getElementById('nav').hidden = false;
  live.hidden = false;
  document.getElementById('logout').hidden = !state.session?.loginRequired;
  connect();
  render();
}

function setupTheme() {
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('theme'));
  const system = () => matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  // A toggle keeps its name ("Dark theme"); aria-pressed says whether it is on.
  const apply = (/** @type {string} */ theme) => {
    document.documentElement.dataset.theme = theme;
    button.setAttribute('aria-pressed', String(theme === 'dark'));
  };
  let saved = null;
  try { saved = localStorage.getItem('tars-theme'); } catch { /* storage off: follow the system */ }
  if (saved === 'dark' || saved === 'light') apply(saved);
  else button.setAttribute('aria-pressed', String(system() === 'dark'));
  button.addEventListener('click', () => {
    const next = (document.documentElement.dataset.theme || system()) === 'dark' ? 'light' : 'dark';
    apply(next);
    try { localStorage.setItem('tars-theme', next); } catch { /* not kept: fine */ }
  });
}

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api('/api/logout', {});
  } finally {
    showLogin('Logged out.');
  }
});
window.addEventListener('hashchange', () => {
  configView = null;
  render();
  main.focus();
});
setInterval(() => {
  for (const td of document.querySelectorAll('td[data-started]')) td.textContent = uptime(Number(td.getAttribute('data-started')));
}, 5000);

setupTheme();
try {
  state.session = await api('/api/session');
  if (state.session.loginRequired && !state.session.authenticated) showLogin('');
  else started();
} catch (e) {
  const failure = /** @type {ApiFailure} */ (e);
  showProblem({message: `The console cannot start: ${failure.message}`, hint: failure.hint});
}
