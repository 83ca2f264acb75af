// A server's Logs tab: its remote log files on the log daemon (what `tars log tail` reads), the last lines of the
// one picked, a live tail of its log (server-sent events), a filter and a pause; and its output as its node keeps it
// (what `tars server logs` shows). Lines are text nodes, never HTML; the page keeps at most MAX_LINES of them.
import {announce, api, failureAlert, failureText, h, serverPath} from '../lib.js';

/** The most lines kept in the page (older ones are dropped as new ones come). */
export const MAX_LINES = 2000;
/** How many of the last lines a file shows first. */
const FIRST_LINES = 200;

/** @type {WeakMap<HTMLElement, () => void>} */
const leaving = new WeakMap();

/** @type {import('./server.js').ServerTab} */
export const logsTab = {
  id: 'logs',
  title: 'Logs',
  panel: (ctx) => logsPanel(ctx),
  leave: (panel) => leaving.get(panel)?.(),
};

/** A file's label in the picker. @param {string} name @param {any} f */
function fileLabel(name, f) {
  return `${name || 'default log'} · ${f.date || new Date(f.mtime).toLocaleDateString()} · ${f.path.split('/').pop()}`;
}

/** @param {import('./server.js').ServerContext} ctx */
function logsPanel({app, server, key, detail}) {
  const base = serverPath('logs', app, server);
  const picker = h('select', {id: 'log-file', name: 'file', disabled: true}, h('option', {value: ''}, 'Loading…'));
  const filter = h('input', {id: 'log-filter', name: 'filter', type: 'search', placeholder: 'text in the line',
    autocomplete: 'off'});
  const startButton = h('button', {type: 'button', class: 'primary', disabled: true}, `Start live tail of ${key}`);
  const pauseButton = h('button', {type: 'button', 'aria-pressed': 'false', disabled: true}, `Pause live tail of ${key}`);
  const status = h('p', {class: 'status', role: 'status', id: 'logs-status'});
  const list = h('ol', {class: 'log-lines mono', id: 'log-lines', 'aria-label': `Log lines of ${key}`, tabindex: '0'});
  const counter = h('p', {class: 'muted log-count', id: 'log-count'});

  /** @type {EventSource | null} */
  let stream = null;
  let paused = false;
  /** @type {any[]} lines that came while paused (at most MAX_LINES) */
  let held = [];
  let droppedWhilePaused = 0;

  const value = () => /** @type {HTMLSelectElement} */ (picker).value;
  const needle = () => /** @type {HTMLInputElement} */ (filter).value.trim().toLowerCase();
  const matches = (/** @type {string} */ text, /** @type {string} */ n) => n === '' || text.toLowerCase().includes(n);
  const count = () => {
    const shown = list.querySelectorAll('li:not([hidden])').length;
    counter.textContent = `${list.childElementCount} lines kept (at most ${MAX_LINES})` +
      (needle() ? `, ${shown} matching "${/** @type {HTMLInputElement} */ (filter).value.trim()}"` : '');
  };
  /** Appends lines as text, dropping the oldest beyond MAX_LINES. @param {any[]} lines */
  const append = (lines) => {
    const n = needle();
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    for (const l of lines) {
      const li = h('li', {'data-instance': l.instance}, l.line);
      if (!matches(l.line, n)) li.setAttribute('hidden', '');
      list.append(li);
    }
    while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
    if (atBottom) list.scrollTop = list.scrollHeight;
    count();
  };
  const setStatus = (/** @type {string} */ text, /** @type {boolean} */ error = false) => {
    status.className = `status${error ? ' error' : ''}`;
    status.textContent = text;
  };

  const stopTail = (/** @type {string} */ why) => {
    if (!stream) return;
    stream.close();
    stream = null;
    startButton.textContent = `Start live tail of ${key}`;
    pauseButton.setAttribute('disabled', '');
    setPaused(false);
    held = [];
    droppedWhilePaused = 0;
    setStatus(why);
  };
  const setPaused = (/** @type {boolean} */ on) => {
    paused = on;
    pauseButton.setAttribute('aria-pressed', String(on));
    pauseButton.textContent = on ? `Resume live tail of ${key}` : `Pause live tail of ${key}`;
    if (on) {
      setStatus(`Paused: the live tail of ${key} goes on; new lines are held until Resume.`);
    } else if (stream) {
      const lines = held;
      held = [];
      append(lines);
      setStatus(droppedWhilePaused > 0 ? `Resumed; ${droppedWhilePaused} lines that came while paused are not shown (over ${MAX_LINES}).`
        : `Resumed: following ${key} live.`);
      droppedWhilePaused = 0;
    }
  };

  const startTail = () => {
    const file = value();
    if (!file) return;
    const q = new URLSearchParams({file});
    const source = new EventSource(`${base}/tail?${q}`);
    stream = source;
    startButton.textContent = `Stop live tail of ${key}`;
    pauseButton.removeAttribute('disabled');
    setStatus(`Connecting the live tail of ${key}…`);
    source.addEventListener('ready', (e) => {
      const info = JSON.parse(/** @type {MessageEvent} */ (e).data);
      setStatus(`Following the ${info.name || 'default'} log of ${key} live (${info.instances.length} log daemon store${info.instances.length === 1 ? '' : 's'}).`);
      announce(`Live tail of ${key} started`);
    });
    source.addEventListener('line', (e) => {
      const line = JSON.parse(/** @type {MessageEvent} */ (e).data);
      if (paused) {
        held.push(line);
        if (held.length > MAX_LINES) {
          held.shift();
          droppedWhilePaused += 1;
        }
        setStatus(`Paused: ${held.length + droppedWhilePaused} new line${held.length + droppedWhilePaused === 1 ? '' : 's'} held.`);
      } else {
        append([line]);
      }
    });
    source.addEventListener('skipped', (e) => {
      setStatus(`${JSON.parse(/** @type {MessageEvent} */ (e).data).lines} lines were skipped: the page did not keep up.`);
    });
    source.addEventListener('note', (e) => setStatus(JSON.parse(/** @type {MessageEvent} */ (e).data).text));
    source.addEventListener('problem', (e) => {
      const failure = JSON.parse(/** @type {MessageEvent} */ (e).data).error;
      stopTail(`The live tail stopped: ${failureText(failure)}`);
      status.className = 'status error';
    });
    source.addEventListener('error', () => {
      if (stream !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        stopTail('The live tail could not start or was ended by the console; reload the files and try again.');
        status.className = 'status error';
      } else {
        setStatus(`The live tail of ${key} lost its connection; reconnecting…`);
      }
    });
  };

  const showFile = async () => {
    const file = value();
    if (stream) stopTail('Live tail stopped: another file was picked.');
    list.replaceChildren();
    count();
    if (!file) return;
    setStatus(`Reading the last lines of ${file}…`);
    try {
      const answer = await api(`${base}/lines?${new URLSearchParams({file, n: String(FIRST_LINES)})}`);
      if (value() !== file) return;
      append(answer.lines);
      setStatus(`The last ${answer.lines.length} lines of ${file}` +
        (answer.unanswered ? `; not answering: ${answer.unanswered.map((/** @type {any} */ u) => u.instance).join(', ')}` : '.'));
    } catch (e) {
      setStatus(`Cannot read ${file}: ${failureText(e)}`, true);
    }
  };

  const loadFiles = async () => {
    try {
      const answer = await api(base);
      const options = answer.logs.flatMap((/** @type {any} */ log) => log.files.map((/** @type {any} */ f) =>
        h('option', {value: f.path}, fileLabel(log.name, f))));
      if (options.length === 0) {
        picker.replaceChildren(h('option', {value: ''}, 'no remote log yet'));
        setStatus(`${key} has written no remote log yet (its remote logger sends lines to the log daemon).`);
        return;
      }
      picker.replaceChildren(...options);
      picker.removeAttribute('disabled');
      startButton.removeAttribute('disabled');
      await showFile();
    } catch (e) {
      picker.replaceChildren(h('option', {value: ''}, 'unavailable'));
      setStatus(`Cannot list the log files: ${failureText(e)}`, true);
    }
  };

  picker.addEventListener('change', () => void showFile());
  filter.addEventListener('input', () => {
    const n = needle();
    for (const li of list.children) {
      if (matches(li.textContent ?? '', n)) li.removeAttribute('hidden');
      else li.setAttribute('hidden', '');
    }
    count();
  });
  startButton.addEventListener('click', () => {
    if (stream) stopTail(`Live tail of ${key} stopped.`);
    else startTail();
  });
  pauseButton.addEventListener('click', () => {
    setPaused(!paused);
    announce(paused ? `Live tail of ${key} paused` : `Live tail of ${key} resumed`);
  });

  // The node's own log of the server's output.
  const nodes = detail.instances.map((/** @type {any} */ i) => i.node);
  const nodePicker = h('select', {id: 'node-log-node', name: 'node'}, ...nodes.map((/** @type {string} */ n) => h('option', {value: n}, n)));
  const nodeOut = h('div', {id: 'node-log'});
  const nodeButton = h('button', {type: 'button'}, `Show the output of ${key}`);
  nodeButton.addEventListener('click', async () => {
    const node = /** @type {HTMLSelectElement} */ (nodePicker).value;
    nodeOut.replaceChildren(h('p', {class: 'muted'}, 'Reading…'));
    try {
      const answer = await api(`${base}/node?${new URLSearchParams({node, n: String(FIRST_LINES)})}`);
      nodeOut.replaceChildren(h('p', {class: 'muted'}, `${answer.file} on ${answer.node}`),
        h('pre', {class: 'node-log mono', tabindex: '0', 'aria-label': `Output of ${key} on ${answer.node}`},
          answer.text || '(empty)'));
    } catch (e) {
      nodeOut.replaceChildren(failureAlert(e));
    }
  });

  const el = h('div', {class: 'logs'},
    h('section', {'aria-labelledby': 'logs-title'}, h('h3', {id: 'logs-title'}, 'Remote logs'),
      h('div', {class: 'actions'}, h('label', {for: 'log-file'}, 'Log file', picker),
        h('label', {for: 'log-filter'}, 'Filter', filter), startButton, pauseButton),
      status, list, counter),
    h('section', {'aria-labelledby': 'node-log-title'}, h('h3', {id: 'node-log-title'}, 'Output on the node'),
      h('div', {class: 'actions'}, h('label', {for: 'node-log-node'}, 'Node', nodePicker), nodeButton), nodeOut));
  leaving.set(el, () => {
    stream?.close();
    stream = null;
  });
  void loadFiles();
  return el;
}
