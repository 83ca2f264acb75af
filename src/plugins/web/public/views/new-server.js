// "Deploy a server" on the Services view: a form (application, server, node, package file, adapters, SET, group,
// command, env) that uploads the package for a server not deployed yet (the Deploy tab's uploadPackage, ?new=1), then
// POSTs /api/deploy asking for server-sent events and shows each step as it happens, ending with a link to the new
// server's page. The panel is kept while the tree re-renders, so a live update never loses what was typed.
import {announce, api, failureText, h, serverPath, state} from '../lib.js';
import {bytes, uploadPackage} from './deploy.js';

/** The open form (kept across the tree's re-renders), or null. @type {HTMLElement | null} */
let panel = null;

/** What a deploy step is called on the page. */
const STEP_WORDS = {node: 'Find the node', stage: 'Download the package to the node', record: 'Record the server in the registry',
  start: 'Start it and wait for its heart-beat'};

/**
 * The Services view's "Deploy a server" button and, when open, its form.
 * @param {() => void} rerender shows the view again (the button opens or closes the form)
 * @returns {HTMLElement[]}
 */
export function newServerControls(rerender) {
  const open = panel !== null;
  const toggle = h('button', {type: 'button', id: 'new-server-toggle', 'aria-expanded': String(open),
    'aria-controls': 'new-server', onclick: () => {
      panel = panel ? null : newServerForm();
      rerender();
      if (panel) /** @type {HTMLInputElement | null} */ (panel.querySelector('#new-server-app'))?.focus();
    }}, open ? 'Close the deploy form' : 'Deploy a server');
  return panel ? [h('p', {class: 'new-server-bar'}, toggle), panel] : [h('p', {class: 'new-server-bar'}, toggle)];
}

/** @param {string} id @param {string} label @param {Record<string, any>} [attrs] */
function field(id, label, attrs = {}) {
  const input = h('input', {id, name: id, type: 'text', autocomplete: 'off', ...attrs});
  return {input: /** @type {HTMLInputElement} */ (input), label: h('label', {for: id}, label, input)};
}

function newServerForm() {
  const app = field('new-server-app', 'Application', {required: '', pattern: '[A-Za-z0-9_][A-Za-z0-9_\\-]*'});
  const server = field('new-server-name', 'Server', {required: '', pattern: '[A-Za-z0-9_][A-Za-z0-9_\\-]*'});
  const nodeSelect = /** @type {HTMLSelectElement} */ (h('select', {id: 'new-server-node', name: 'node'},
    h('option', {value: ''}, 'The only live node')));
  void api('/api/nodes').then((/** @type {any} */ answer) => {
    for (const n of answer.nodes) {
      nodeSelect.append(h('option', {value: n.name, ...(n.alive ? {} : {disabled: ''})}, `${n.name}${n.alive ? '' : ' (silent)'}`));
    }
  }).catch(() => undefined);
  const file = /** @type {HTMLInputElement} */ (h('input', {id: 'new-server-file', name: 'package', type: 'file',
    accept: '.tgz,.tar.gz,application/gzip'}));
  const progress = /** @type {HTMLProgressElement} */ (h('progress', {id: 'new-server-progress', max: 1, value: 0,
    'aria-label': 'Upload of the package', hidden: true}));
  const adapterRows = h('ol', {class: 'new-server-adapters', id: 'new-server-adapters'});
  /** Renumbers the rows' labels (Object 1, Endpoint 1, Remove adapter 1, ...). */
  const renumber = () => {
    [...adapterRows.children].forEach((row, i) => {
      const [obj, endpoint] = /** @type {HTMLInputElement[]} */ ([...row.querySelectorAll('input')]);
      const [objLabel, endpointLabel] = /** @type {HTMLElement[]} */ ([...row.querySelectorAll('.label-text')]);
      obj.id = `new-server-obj-${i + 1}`;
      endpoint.id = `new-server-endpoint-${i + 1}`;
      objLabel.textContent = `Object ${i + 1}`;
      endpointLabel.textContent = `Endpoint ${i + 1}`;
      /** @type {HTMLElement} */ (row.querySelector('button')).textContent = `Remove adapter ${i + 1}`;
    });
  };
  const addRow = () => {
    const row = h('li', {class: 'new-server-adapter'},
      h('label', {}, h('span', {class: 'label-text'}), h('input', {type: 'text', name: 'obj', autocomplete: 'off',
        placeholder: 'EchoObj'})),
      h('label', {}, h('span', {class: 'label-text'}), h('input', {type: 'text', name: 'endpoint', autocomplete: 'off',
        placeholder: 'tcp -h 127.0.0.1 -p 10015 -t 60000'})),
      h('button', {type: 'button', onclick: () => {
        row.remove();
        renumber();
      }}));
    adapterRows.append(row);
    renumber();
  };
  addRow();
  const set = field('new-server-set', 'SET (optional)', {placeholder: 'name.area.group'});
  const group = field('new-server-group', 'Group (optional)', {placeholder: 'NAME, auto or off'});
  const cmd = field('new-server-cmd', 'Command (optional)', {placeholder: './GoHello (not for a tars new service)'});
  const env = /** @type {HTMLTextAreaElement} */ (h('textarea', {id: 'new-server-env', name: 'env', rows: 2,
    placeholder: 'GOMAXPROCS=2'}));
  const status = h('p', {class: 'status', role: 'status', id: 'new-server-status'});
  const steps = h('ol', {class: 'new-server-steps', id: 'new-server-steps', 'aria-label': 'Deploy steps'});
  const done = h('p', {id: 'new-server-done'});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Deploy the server');

  const say = (/** @type {string} */ text, error = false) => {
    status.className = `status${error ? ' error' : ''}`;
    status.setAttribute('role', error ? 'alert' : 'status');
    status.textContent = text;
  };
  /** Adds (or, for the same step, updates) a step line. @param {string} key @param {string} text @param {string} result */
  const stepLine = (key, text, result) => {
    let li = /** @type {HTMLElement | null} */ (steps.querySelector(`li[data-step="${key}"]`));
    if (!li) {
      li = h('li', {'data-step': key});
      steps.append(li);
    }
    li.dataset.result = result;
    li.textContent = text;
  };

  const deploy = async () => {
    const application = app.input.value.trim();
    const serverName = server.input.value.trim();
    const f = file.files?.[0];
    steps.replaceChildren();
    done.replaceChildren();
    if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(application) || !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(serverName)) {
      say('Give the application and the server as names: letters, digits, _ and - (e.g. TestApp and Hello). ' +
        (f ? '' : 'Then choose the package (.tgz) to deploy.'), true);
      return;
    }
    if (!f) {
      say('Choose the package (.tgz) to deploy: a file made with tar czf NAME.tgz -C DIR .', true);
      return;
    }
    const key = `${application}.${serverName}`;
    const adapters = [...adapterRows.children].map((row) => {
      const [obj, endpoint] = /** @type {HTMLInputElement[]} */ ([...row.querySelectorAll('input')]);
      return {obj: obj.value.trim(), endpoint: endpoint.value.trim()};
    }).filter((a) => a.obj !== '' || a.endpoint !== '');
    submit.setAttribute('disabled', '');
    progress.hidden = false;
    progress.max = Math.max(f.size, 1);
    progress.value = 0;
    try {
      const version = await uploadPackage(serverPath('deploy', application, serverName), f, {newServer: true,
        comment: 'deployed from the console', onStatus: (text) => say(text), onProgress: (loaded, total) => {
          progress.max = total;
          progress.value = loaded;
        }});
      progress.value = progress.max;
      stepLine('upload', `Uploaded version ${version.version} of ${key} (${bytes(version.size)})`, 'ok');
      say(`Deploying ${key}…`);
      const body = {application, server: serverName, version: version.version, adapters,
        ...(nodeSelect.value ? {node: nodeSelect.value} : {}), ...(set.input.value.trim() ? {set: set.input.value.trim()} : {}),
        ...(group.input.value.trim() ? {group: group.input.value.trim()} : {}),
        ...(cmd.input.value.trim() ? {cmd: cmd.input.value.trim()} : {}),
        env: env.value.split('\n').map((l) => l.trim()).filter(Boolean)};
      const outcome = await deployEvents(body, (event) => stepLine(event.step,
        `${STEP_WORDS[/** @type {keyof STEP_WORDS} */ (event.step)] ?? event.step}: ${event.result === 'running' ? '…'
          : event.message}`, event.result));
      say(`${key} runs on node ${outcome.node} (pid ${outcome.pid}).`);
      announce(`${key} deployed on ${outcome.node}`);
      done.replaceChildren(h('a', {href: `#/server/${encodeURIComponent(application)}/${encodeURIComponent(serverName)}`},
        `Open ${key}`));
    } catch (e) {
      say(`Deploy failed: ${failureText(e)}`, true);
    } finally {
      submit.removeAttribute('disabled');
    }
  };

  return h('section', {id: 'new-server', class: 'card new-server', 'aria-labelledby': 'new-server-title'},
    h('h3', {id: 'new-server-title'}, 'Deploy a server'),
    h('form', {'aria-labelledby': 'new-server-title', novalidate: '', onsubmit: (/** @type {Event} */ ev) => {
      ev.preventDefault();
      void deploy();
    }},
    h('div', {class: 'new-server-fields'}, app.label, server.label,
      h('label', {for: 'new-server-node'}, 'Node', nodeSelect),
      h('label', {for: 'new-server-file'}, 'Package (.tgz)', file)),
    h('fieldset', {}, h('legend', {}, 'Adapters (each object and its endpoint)'), adapterRows,
      h('button', {type: 'button', onclick: () => addRow()}, 'Add an adapter')),
    h('div', {class: 'new-server-fields'}, set.label, group.label, cmd.label,
      h('label', {for: 'new-server-env'}, 'Environment (K=V, one a line)', env)),
    submit, progress, status, steps, done));
}

/**
 * POSTs /api/deploy asking for server-sent events: each `step` goes to `onStep`; resolves with the `done` outcome,
 * rejects with the error of a refusal (JSON) or of a `failure` event.
 * @param {any} body @param {(event: any) => void} onStep @returns {Promise<any>}
 */
async function deployEvents(body, onStep) {
  const res = await fetch('/api/deploy', {method: 'POST', credentials: 'same-origin', headers: {
    accept: 'text/event-stream', 'content-type': 'application/json', 'x-csrf-token': state.session?.csrf ?? ''},
  body: JSON.stringify(body)});
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const json = await res.json().catch(() => ({}));
    throw json.error ?? {message: `${res.status} ${res.statusText}`};
  }
  if (!res.body) throw {message: 'the answer has no body'};
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  /** @type {any} */
  let outcome;
  for (;;) {
    const {value, done} = await reader.read();
    if (value) text += decoder.decode(value, {stream: true});
    let at;
    while ((at = text.indexOf('\n\n')) >= 0) {
      const frame = text.slice(0, at);
      text = text.slice(at + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (!event || data === undefined) continue;
      const json = JSON.parse(data);
      if (event === 'step') onStep(json);
      else if (event === 'done') outcome = json;
      else if (event === 'failure') throw json.error;
    }
    if (done) break;
  }
  if (!outcome) throw {message: 'the deploy stream ended without an outcome', hint: 'the Services view shows what runs'};
  return outcome;
}
