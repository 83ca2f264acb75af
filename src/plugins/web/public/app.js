// The console's page: one ES module per view (views/), no framework. The view comes from the URL hash; live state
// comes from the server-sent events of /api/events; every state-changing request carries the session's CSRF token.
import {ApiFailure, api, failureText, h, hashParts, hooks, main, showProblem, state, uptime} from './lib.js';
import {VIEWS} from './views/index.js';

const live = /** @type {HTMLElement} */ (document.getElementById('live'));

/** @type {{view: import('./views/index.js').View, params: Record<string, any>} | null} */
let shown = null;

/** The view the hash names, and its parameters. */
function current() {
  const parts = hashParts();
  for (const view of VIEWS) {
    const params = view.match(parts);
    if (params) return {view, params};
  }
  throw new Error('the last view takes every hash');
}

function render() {
  if (!state.session || (state.session.loginRequired && !state.session.authenticated)) return;
  const next = current();
  if (shown && shown.view !== next.view) shown.view.leave?.();
  shown = next;
  next.view.show(next.params);
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
    if (shown) shown.view.treeChanged?.(shown.params);
  });
  events.addEventListener('problem', (e) => {
    showProblem(JSON.parse(/** @type {MessageEvent} */ (e).data).error);
  });
}

// ---- session, login, theme ----

function showLogin(/** @type {string} */ note) {
  shown?.view.leave?.();
  shown = null;
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
      msg.textContent = failureText(e);
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
  render();
  main.focus();
});
setInterval(() => {
  for (const td of document.querySelectorAll('td[data-started]')) td.textContent = uptime(Number(td.getAttribute('data-started')));
}, 5000);

hooks.sessionLost = showLogin;
setupTheme();
try {
  state.session = await api('/api/session');
  if (state.session.loginRequired && !state.session.authenticated) showLogin('');
  else started();
} catch (e) {
  const failure = /** @type {ApiFailure} */ (e);
  showProblem({message: `The console cannot start: ${failure.message}`, hint: failure.hint});
}
