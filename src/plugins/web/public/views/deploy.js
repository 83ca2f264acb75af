// A server's Deploy tab: the patch store's versions (which node runs which), uploading a package with its progress,
// patching to a version in batches with each node's steps shown live (a rollout job's server-sent events), rollback,
// removing a version, notify commands with each node's answer, and undeploy after a confirmation naming the nodes.
import {announce, api, cell, failureAlert, failureText, h, serverPath, state, table, when} from '../lib.js';
import {Md5} from './deploy-md5.js';

/** Slices the page reads a package in to hash it. */
const SLICE = 1024 * 1024;

/** @type {import('./server.js').ServerTab} */
export const deployTab = {
  id: 'deploy',
  title: 'Deploy',
  panel: (ctx) => deployPanel(ctx),
  leave: (panel) => {
    for (const close of closers.get(panel) ?? []) close();
    closers.delete(panel);
  },
};

/** What each panel must close when the page leaves it (its rollout's event stream). */
const closers = new WeakMap();

/** 1.5 MiB, 12 KiB, 300 B. @param {number} n */
export function bytes(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/**
 * Uploads a package to `base` (a server's /api/deploy/:app/:server; `newServer`: one not deployed yet, ?new=1):
 * hashes the file in slices, then sends it with XHR, whose upload progress events drive `onProgress`; `onStatus`
 * hears what happens in words. Resolves with the stored version's JSON; rejects with the API's error.
 * @param {string} base @param {File} f
 * @param {{comment?: string, newServer?: boolean, onStatus?: (text: string) => void,
 *   onProgress?: (loaded: number, total: number) => void}} [options]
 * @returns {Promise<any>}
 */
export async function uploadPackage(base, f, options = {}) {
  const say = options.onStatus ?? (() => {});
  const md5 = new Md5();
  for (let at = 0; at < f.size; at += SLICE) {
    md5.update(new Uint8Array(await f.slice(at, at + SLICE).arrayBuffer()));
    say(`Checking ${f.name}… ${Math.round(Math.min(at + SLICE, f.size) / f.size * 100)}%`);
  }
  const q = new URLSearchParams({md5: md5.hex(), comment: options.comment ?? ''});
  if (options.newServer) q.set('new', '1');
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${base}/upload?${q}`);
    xhr.setRequestHeader('content-type', 'application/gzip');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('x-csrf-token', state.session?.csrf ?? '');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) {
        options.onProgress?.(e.loaded, e.total);
        say(`Uploading ${f.name}: ${bytes(e.loaded)} of ${bytes(e.total)} (${Math.round(e.loaded / e.total * 100)}%)`);
      }
    });
    xhr.addEventListener('load', () => {
      let json;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = {error: {message: `${xhr.status} ${xhr.statusText}`}};
      }
      if (xhr.status === 200) resolve(json);
      else reject(json.error ?? {message: String(xhr.status)});
    });
    xhr.addEventListener('error', () => reject({message: 'the upload was cut off', hint: 'is the console still running?'}));
    xhr.send(f);
  });
}

/** A step's words. */
const STEP_WORDS = {download: 'download', 'out-of-discovery': 'out of discovery', switch: 'switch and restart',
  'in-discovery': 'back in discovery', healthy: 'handed out again'};

/** @param {import('./server.js').ServerContext} ctx */
function deployPanel({app, server, key, detail}) {
  const base = serverPath('deploy', app, server);
  const nodes = detail.instances.map((/** @type {any} */ i) => i.node);
  /** @type {Set<() => void>} */
  const toClose = new Set();
  const listBox = h('div', {id: 'deploy-versions'}, h('p', {class: 'muted'}, 'Loading…'));
  /** @type {any[]} */
  let versions = [];

  // -- upload
  const file = h('input', {id: 'deploy-file', name: 'package', type: 'file', accept: '.tgz,.tar.gz,application/gzip', required: true});
  const comment = h('input', {id: 'deploy-comment', name: 'comment', maxlength: 500, placeholder: 'what changed'});
  const progress = h('progress', {id: 'deploy-upload-progress', max: 1, value: 0, 'aria-label': `Upload of the package for ${key}`, hidden: true});
  const uploadStatus = h('p', {class: 'status', role: 'status', id: 'deploy-upload-status'});
  const uploadButton = h('button', {type: 'submit', class: 'primary'}, `Upload to ${key}`);
  const uploadForm = h('form', {class: 'deploy-upload', 'aria-label': `Upload a package for ${key}`, onsubmit: (/** @type {Event} */ ev) => {
    ev.preventDefault();
    const f = /** @type {HTMLInputElement} */ (file).files?.[0];
    if (f) void upload(f);
  }},
  h('label', {for: 'deploy-file'}, 'Package (.tgz)', file),
  h('label', {for: 'deploy-comment'}, 'Comment', comment),
  uploadButton, progress, uploadStatus);

  const setUpload = (/** @type {string} */ text, /** @type {boolean} */ error = false) => {
    uploadStatus.className = `status${error ? ' error' : ''}`;
    uploadStatus.setAttribute('role', error ? 'alert' : 'status');
    uploadStatus.textContent = text;
  };

  /** Hashes the file in slices, then sends it with XHR (its upload progress events drive the bar). @param {File} f */
  const upload = async (f) => {
    uploadButton.setAttribute('disabled', '');
    const bar = /** @type {HTMLProgressElement} */ (progress);
    bar.hidden = false;
    bar.max = Math.max(f.size, 1);
    bar.value = 0;
    try {
      const done = await uploadPackage(base, f, {comment: /** @type {HTMLInputElement} */ (comment).value,
        onStatus: (text) => setUpload(text),
        onProgress: (loaded, total) => {
          bar.max = total;
          bar.value = loaded;
        }});
      bar.value = bar.max;
      setUpload(`Uploaded ${f.name} as version ${done.version} of ${key} (${bytes(done.size)}, ${done.files} files).`);
      announce(`${key}: version ${done.version} uploaded`);
      /** @type {HTMLInputElement} */ (comment).value = '';
      await loadList(done.version);
    } catch (e) {
      setUpload(`Upload failed: ${failureText(e)}`, true);
    } finally {
      uploadButton.removeAttribute('disabled');
    }
  };

  // -- patch and rollback
  const versionSelect = h('select', {id: 'deploy-version', name: 'version'});
  const batch = h('input', {id: 'deploy-batch', name: 'batch', type: 'number', min: 0, max: 1000, value: 1, inputmode: 'numeric'});
  const nodeBoxes = nodes.map((/** @type {string} */ n, /** @type {number} */ k) =>
    h('label', {for: `deploy-node-${k}`}, h('input', {id: `deploy-node-${k}`, type: 'checkbox', name: 'nodes', value: n}), n));
  const patchButton = h('button', {type: 'submit', class: 'primary'}, `Patch ${key}`);
  const rollbackButton = h('button', {type: 'button', onclick: () => void rollout('rollback')}, `Roll back ${key}`);
  const rolloutStatus = h('p', {class: 'status', role: 'status', id: 'deploy-rollout-status'});
  const rolloutBox = h('div', {id: 'deploy-rollout'});
  const patchForm = h('form', {class: 'deploy-patch', 'aria-label': `Patch ${key}`, onsubmit: (/** @type {Event} */ ev) => {
    ev.preventDefault();
    void rollout('patch');
  }},
  h('label', {for: 'deploy-version'}, 'Version', versionSelect),
  h('label', {for: 'deploy-batch'}, 'Nodes at a time (0: all)', batch),
  h('fieldset', {}, h('legend', {}, 'Only these nodes (none checked: every node)'), ...nodeBoxes),
  h('div', {class: 'actions'}, patchButton, rollbackButton));

  const setRollout = (/** @type {string} */ text, /** @type {'running'|'done'|'failed'|''} */ outcome) => {
    rolloutStatus.className = `status${outcome === 'failed' ? ' error' : ''}`;
    rolloutStatus.setAttribute('role', outcome === 'failed' ? 'alert' : 'status');
    rolloutStatus.setAttribute('data-outcome', outcome);
    rolloutStatus.textContent = text;
  };

  /** @param {'patch'|'rollback'} kind */
  const rollout = async (kind) => {
    const picked = nodeBoxes.map((/** @type {HTMLElement} */ l) => /** @type {HTMLInputElement} */ (l.querySelector('input')))
      .filter((/** @type {HTMLInputElement} */ i) => i.checked).map((/** @type {HTMLInputElement} */ i) => i.value);
    const body = {batch: Number(/** @type {HTMLInputElement} */ (batch).value || 0), ...(picked.length > 0 ? {nodes: picked} : {})};
    const version = /** @type {HTMLSelectElement} */ (versionSelect).value;
    if (kind === 'patch' && !version) {
      setRollout('Pick a version to patch to (upload one first).', 'failed');
      return;
    }
    patchButton.setAttribute('disabled', '');
    rollbackButton.setAttribute('disabled', '');
    setRollout(kind === 'patch' ? `Starting the rollout of version ${version} to ${key}…` : `Starting the rollback of ${key}…`, 'running');
    try {
      const {job} = await api(`${base}/${kind}`, kind === 'patch' ? {...body, version} : body);
      follow(job);
    } catch (e) {
      setRollout(`${kind === 'patch' ? 'Patch' : 'Rollback'} refused: ${failureText(e)}`, 'failed');
      patchButton.removeAttribute('disabled');
      rollbackButton.removeAttribute('disabled');
    }
  };

  /** Shows a rollout job's events as they come (the stream replays what happened before). @param {any} job */
  const follow = (job) => {
    const what = `${job.kind === 'rollback' ? 'Rollback' : 'Rollout'} of version ${job.version} to ${key}`;
    setRollout(`${what}: running (batches: ${job.batches.map((/** @type {string[]} */ b) => b.join(', ')).join(' | ')})`, 'running');
    /** @type {Map<string, HTMLElement>} */
    const rows = new Map();
    const log = h('ol', {class: 'deploy-log', 'aria-label': `Steps of the rollout to ${key}`});
    const nodeRows = job.batches.flat().map((/** @type {string} */ n) => {
      const row = h('tr', {'data-node': n}, cell('Node', [n]), cell('Batch', ['–']), cell('Step', ['waiting']), cell('Result', ['–']));
      rows.set(n, row);
      return row;
    });
    rolloutBox.replaceChildren(table(`Nodes of the rollout to ${key}`, ['Node', 'Batch', 'Step', 'Result'], nodeRows), log);
    const events = new EventSource(`/api/rollouts/${encodeURIComponent(job.id)}/events`);
    const close = () => {
      events.close();
      toClose.delete(close);
    };
    toClose.add(close);
    events.addEventListener('open', () => log.replaceChildren());
    events.addEventListener('step', (m) => {
      const e = JSON.parse(/** @type {MessageEvent} */ (m).data);
      const step = STEP_WORDS[/** @type {keyof typeof STEP_WORDS} */ (e.step)] ?? e.step;
      const row = rows.get(e.node);
      if (row) {
        row.setAttribute('data-result', e.result);
        row.children[1].textContent = `${e.batch}/${e.batches}`;
        row.children[2].textContent = step;
        row.children[3].textContent = e.result + (e.message ? `: ${e.message}` : '');
      }
      log.append(h('li', {'data-result': e.result}, `${e.node} · batch ${e.batch}/${e.batches} · ${step} · ${e.result}${e.message ? ` · ${e.message}` : ''}`));
      if (e.result !== 'running') announce(`${e.node}: ${step} ${e.result}`);
    });
    events.addEventListener('end', (m) => {
      close();
      const end = JSON.parse(/** @type {MessageEvent} */ (m).data);
      if (end.state === 'done') {
        const text = `${what}: done. Version ${end.version} runs on ${end.outcome.nodes.map((/** @type {any} */ n) => n.node).join(', ')}.`;
        setRollout(text, 'done');
        announce(text);
      } else {
        const text = `${what}: failed. ${end.error ? failureText(end.error) : ''}`;
        setRollout(text, 'failed');
        announce(text);
      }
      patchButton.removeAttribute('disabled');
      rollbackButton.removeAttribute('disabled');
      void loadList();
    });
  };

  // -- versions
  const loadList = async (/** @type {string} */ pick = '') => {
    try {
      const d = await api(base);
      versions = d.versions;
      const selected = pick || /** @type {HTMLSelectElement} */ (versionSelect).value;
      versionSelect.replaceChildren(...(versions.length === 0 ? [h('option', {value: ''}, 'no version yet')]
        : versions.map((/** @type {any} */ v) => h('option', {value: v.version, selected: v.version === selected},
          `${v.version}${v.comment ? ` · ${v.comment}` : ''}${v.nodes.length ? ` (runs on ${v.nodes.join(', ')})` : ''}`))));
      listBox.replaceChildren(
        h('p', {class: 'muted'}, 'Running now: ', d.instances.map((/** @type {any} */ i) =>
          `${i.node} ${i.release ? `version ${i.release}` : '(not from the store)'}`).join(' · ')),
        versions.length === 0 ? h('p', {class: 'muted'}, `No version of ${key} in the patch store yet: upload one.`)
          : table(`Versions of ${key} in the patch store`, ['Version', 'Uploaded', 'Size', 'MD5', '.tars', 'Comment', 'Runs on', ''],
            versions.map((/** @type {any} */ v) => h('tr', {'data-version': v.version},
              cell('Version', [v.version]),
              cell('Uploaded', [`${when(Date.parse(v.uploadedAt))} by ${v.uploader || '–'}`]),
              cell('Size', [bytes(v.size)]),
              h('td', {'data-label': 'MD5', class: 'mono'}, v.md5),
              cell('.tars', [v.tarsFiles.join(', ') || '–']),
              cell('Comment', [v.comment || '–']),
              cell('Runs on', [v.nodes.join(', ') || '–']),
              cell('', [h('button', {type: 'button', class: 'danger', disabled: v.nodes.length > 0,
                title: v.nodes.length > 0 ? 'a node runs it' : undefined,
                'aria-label': `Remove version ${v.version} of ${key}`, onclick: () => void removeVersion(v.version)}, 'Remove')])))));
      if (d.running && !rolloutBox.hasChildNodes()) follow(d.running);
    } catch (e) {
      listBox.replaceChildren(failureAlert(e));
    }
  };

  const removeVersion = async (/** @type {string} */ version) => {
    try {
      await api(`${base}/versions/${encodeURIComponent(version)}`, {}, 'DELETE');
      announce(`version ${version} of ${key} removed`);
      await loadList();
    } catch (e) {
      listBox.prepend(failureAlert(e));
    }
  };

  // -- notify
  const nodeChoice = (/** @type {string} */ id) => h('select', {id, name: 'node'}, h('option', {value: ''}, 'every node'),
    ...nodes.map((/** @type {string} */ n) => h('option', {value: n}, n)));
  const command = h('input', {id: 'deploy-command', name: 'command', required: true, maxlength: 1024,
    placeholder: 'tars.viewstatus', list: 'deploy-commands', autocomplete: 'off'});
  const commands = h('datalist', {id: 'deploy-commands'}, ...['tars.viewstatus', 'tars.viewversion', 'tars.help',
    'tars.setloglevel DEBUG', 'tars.setloglevel INFO', 'tars.connection'].map((c) => h('option', {value: c})));
  const notifyNode = nodeChoice('deploy-notify-node');
  const answers = h('div', {id: 'deploy-answers', 'aria-live': 'polite'});
  const notifyButton = h('button', {type: 'submit'}, `Send to ${key}`);
  const notifyForm = h('form', {class: 'deploy-notify', 'aria-label': `Send a command to ${key}`, onsubmit: async (/** @type {Event} */ ev) => {
    ev.preventDefault();
    const node = /** @type {HTMLSelectElement} */ (notifyNode).value;
    notifyButton.setAttribute('disabled', '');
    answers.replaceChildren(h('p', {class: 'status', role: 'status'}, 'Sending…'));
    try {
      const done = await api(`${base}/notify`, {command: /** @type {HTMLInputElement} */ (command).value, ...(node ? {node} : {})});
      answers.replaceChildren(...done.nodes.map((/** @type {any} */ n) => h('div', {class: 'deploy-answer', 'data-node': n.node},
        h('h4', {}, `${n.node}${n.ok ? '' : ' (failed)'}`), h('pre', {class: `mono${n.ok ? '' : ' error'}`}, n.answer || '(no answer text)'))));
      announce(`${done.command}: ${done.nodes.length} answer${done.nodes.length === 1 ? '' : 's'}`);
    } catch (e) {
      answers.replaceChildren(failureAlert(e));
    } finally {
      notifyButton.removeAttribute('disabled');
    }
  }},
  h('label', {for: 'deploy-command'}, 'Command', command), commands,
  h('label', {for: 'deploy-notify-node'}, 'On', notifyNode), notifyButton);

  // -- undeploy, after a confirmation naming the nodes
  const undeployNode = nodeChoice('deploy-undeploy-node');
  const confirmBox = h('div', {id: 'deploy-confirm'});
  const undeployStatus = h('p', {class: 'status', role: 'status', id: 'deploy-undeploy-status'});
  const undeployForm = h('form', {class: 'deploy-undeploy', 'aria-label': `Undeploy ${key}`, onsubmit: (/** @type {Event} */ ev) => {
    ev.preventDefault();
    const node = /** @type {HTMLSelectElement} */ (undeployNode).value;
    const from = node ? [node] : nodes;
    const yes = h('button', {type: 'button', class: 'danger', onclick: async () => {
      yes.setAttribute('disabled', '');
      undeployStatus.className = 'status';
      undeployStatus.textContent = `Undeploying ${key}…`;
      try {
        const done = await api(`${base}/undeploy`, node ? {node} : {});
        const text = `${key} undeployed from ${done.nodes.map((/** @type {any} */ n) => n.node).join(', ')}.`;
        confirmBox.replaceChildren();
        undeployStatus.textContent = text;
        announce(text);
      } catch (e) {
        undeployStatus.className = 'status error';
        undeployStatus.setAttribute('role', 'alert');
        undeployStatus.textContent = `Undeploy failed: ${failureText(e)}`;
        yes.removeAttribute('disabled');
      }
    }}, `Yes, undeploy ${key} from ${from.join(', ')}`);
    confirmBox.replaceChildren(h('div', {role: 'alertdialog', class: 'deploy-confirm', 'aria-labelledby': 'deploy-confirm-text'},
      h('p', {id: 'deploy-confirm-text'}, `Undeploy ${key} from ${from.join(', ')}? It stops there, its files are removed from `,
        `the node${from.length === 1 ? '' : 's'} and the registry forgets it. The patch store keeps its versions.`),
      h('div', {class: 'actions'}, yes, h('button', {type: 'button', onclick: () => confirmBox.replaceChildren()}, 'Cancel'))));
    /** @type {HTMLElement} */ (yes).focus();
  }},
  h('label', {for: 'deploy-undeploy-node'}, 'From', undeployNode),
  h('button', {type: 'submit', class: 'danger'}, `Undeploy ${key}…`));

  const el = h('div', {class: 'deploy'},
    h('section', {'aria-labelledby': 'deploy-versions-title'}, h('h3', {id: 'deploy-versions-title'}, 'Versions'), listBox),
    h('section', {'aria-labelledby': 'deploy-upload-title'}, h('h3', {id: 'deploy-upload-title'}, 'Upload a package'), uploadForm),
    h('section', {'aria-labelledby': 'deploy-patch-title'}, h('h3', {id: 'deploy-patch-title'}, 'Patch'), patchForm, rolloutStatus, rolloutBox),
    h('section', {'aria-labelledby': 'deploy-notify-title'}, h('h3', {id: 'deploy-notify-title'}, 'Commands'), notifyForm, answers),
    h('section', {'aria-labelledby': 'deploy-undeploy-title'}, h('h3', {id: 'deploy-undeploy-title'}, 'Undeploy'), undeployForm, confirmBox, undeployStatus));
  closers.set(el, toClose);
  void loadList();
  return el;
}
