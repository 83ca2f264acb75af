// A server's config tab: its files and its application's with their current versions and references. The editor
// shows the history (Load puts an old version in the editor, so pushing it is a rollback); Review shows the diff
// from the current version and the merged file each running instance would load, before Push stores it (and, when
// asked, makes the instances reload it). Reload tells the running instances to load a file again.
import {announce, api, cell, failureAlert, failureText, h, serverPath, table, when} from '../lib.js';

/** @type {import('./server.js').ServerTab} */
export const configTab = {id: 'config', title: 'Config', panel: (ctx) => configPanel(ctx)};

/** The query string naming a file's level, node and SET. @param {any} f */
function fileQuery(f) {
  const q = new URLSearchParams({level: f.level});
  if (f.node) q.set('node', f.node);
  if (f.setId) q.set('set', f.setId);
  return q;
}

/** The body fields naming a file's level, node and SET. @param {any} f */
function fileFields(f) {
  return {level: f.level, ...(f.node ? {node: f.node} : {}), ...(f.setId ? {set: f.setId} : {})};
}

/** A file as a short label: `name (level[ node][ set])`. @param {any} f */
function fileLabel(f) {
  return `${f.name} (${f.level}${f.node ? ` ${f.node}` : ''}${f.setId ? ` ${f.setId}` : ''})`;
}

/** A unified diff with its lines marked added, removed or hunk header. @param {string} diff */
export function diffView(diff) {
  return h('pre', {class: 'diff mono', 'aria-label': 'Changes'}, ...diff.split('\n').filter((l, i, all) =>
    l !== '' || i < all.length - 1).map((line) => h('span', {class: line.startsWith('@@') ? 'hunk'
    : line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del'
      : ''}, `${line}\n`)));
}

/** Each instance's answer to a reload (or its merged file in a review). @param {any[]} instances @param {boolean} review */
function instancesView(instances, review) {
  if (instances.length === 0) return h('p', {class: 'muted'}, 'No running instance uses this file.');
  return h('ul', {class: 'reloads'}, ...instances.map((/** @type {any} */ r) => {
    const who = `${r.app}.${r.server} on ${r.node}${r.set ? ` [${r.set}]` : ''}`;
    if (review && r.ok) {
      return h('li', {}, h('details', {}, h('summary', {}, `${who} would load`), h('pre', {class: 'mono'}, r.config ?? '')));
    }
    return h('li', {class: r.ok ? '' : 'error'}, `${r.ok ? (review ? '' : 'reloaded') : 'FAILED'} ${who}: ${(r.answer ?? '').trim()}`);
  }));
}

/** @param {import('./server.js').ServerContext} ctx */
function configPanel({app, server, key}) {
  const base = serverPath('config', app, server);
  const fileUrl = (/** @type {any} */ f, /** @type {string} */ tail = '') => `${base}/files/${encodeURIComponent(f.name)}${tail}`;
  const listBox = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  const editor = h('div', {id: 'config-editor'});
  const el = h('section', {'aria-labelledby': 'config-title'}, h('h3', {id: 'config-title'}, 'Config files'), listBox, editor);
  /** @type {any[]} */
  let files = [];

  const fail = (/** @type {HTMLElement} */ box, /** @type {any} */ e) => box.replaceChildren(failureAlert(e));

  /** Reloads `f` on its running instances, writing the answers into `out`. @param {any} f @param {HTMLElement} out */
  const reload = async (f, out) => {
    out.replaceChildren(h('p', {class: 'status', role: 'status'}, `Reloading ${f.name}…`));
    try {
      const done = await api(fileUrl(f, '/reload'), fileFields(f));
      const failed = done.instances.filter((/** @type {any} */ r) => !r.ok).length;
      const text = done.instances.length === 0 ? `No running instance uses ${f.name}.`
        : `${f.name}: ${done.instances.length - failed} of ${done.instances.length} instance(s) reloaded.`;
      out.replaceChildren(h('p', {class: `status${failed ? ' error' : ''}`, role: 'status'}, text),
        instancesView(done.instances, false));
      announce(text);
    } catch (e) {
      fail(out, e);
    }
  };

  const loadList = async () => {
    try {
      const list = await api(base);
      files = list.files;
      const newName = h('input', {id: 'config-new-name', name: 'name', placeholder: 'app.conf', pattern: '[A-Za-z0-9_][A-Za-z0-9_.\\-]*'});
      const reloadOut = h('div', {id: 'config-reload-out'});
      listBox.replaceChildren(
        list.files.length === 0 ? h('p', {class: 'muted'}, 'No config file yet.')
          : table(`Config files of ${key}`, ['File', 'Level', 'Version', 'Changed', 'Comment', 'References', ''],
            list.files.map((/** @type {any} */ f) => {
              const named = `${f.name}${f.level === 'server' ? '' : ` (${f.level})`}`;
              return h('tr', {'data-file': f.name, 'data-level': f.level},
                h('td', {'data-label': 'File', class: 'mono'}, f.name),
                cell('Level', [f.level + (f.node ? ` ${f.node}` : '') + (f.setId ? ` (${f.setId})` : '')]),
                cell('Version', [String(f.current.version)]),
                cell('Changed', [`${when(f.current.time)} by ${f.current.author || '–'}`]),
                cell('Comment', [f.current.comment || '–']),
                cell('References', [f.references.length ? f.references.map(fileLabel).join(', ') : '–']),
                cell('', [h('span', {class: 'row-actions'},
                  h('button', {type: 'button', 'aria-label': `Edit ${named}`, onclick: () => void openFile(f)}, 'Edit'),
                  h('button', {type: 'button', 'aria-label': `Reload ${named}`, onclick: () => void reload(f, reloadOut)},
                    'Reload'))]));
            })),
        reloadOut,
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
      const file = await api(`${fileUrl(f)}?${q}`);
      showEditor(file.file, file.content, file.history, file.version);
    } catch (e) {
      fail(editor, e);
    }
  };

  /** The references of `f` with Remove buttons, and an Add picker of the other files. @param {any} f */
  const referencesBox = (f) => {
    const mine = files.find((x) => x.name === f.name && x.level === f.level && x.node === f.node && x.setId === f.setId);
    if (!mine) return '';
    const out = h('p', {class: 'status', role: 'status', id: 'config-ref-status'});
    const change = async (/** @type {any} */ target, /** @type {boolean} */ remove) => {
      try {
        const done = await api(fileUrl(f, '/references'), {...fileFields(f), target: {name: target.name,
          ...fileFields(target)}, ...(remove ? {remove: true} : {})});
        announce(`${f.name} ${remove ? 'no longer references' : 'references'} ${fileLabel(target)}`);
        await loadList();
        mine.references = done.references;
        box.replaceWith(referencesBox(f));
      } catch (e) {
        out.className = 'status error';
        out.textContent = failureText(e);
      }
    };
    const others = files.filter((x) => x !== mine && !mine.references.some((/** @type {any} */ r) =>
      r.name === x.name && r.level === x.level && r.node === x.node && r.setId === x.setId));
    const pick = h('select', {id: 'config-ref-target', name: 'target'}, ...others.map((x, i) => h('option', {value: String(i)},
      fileLabel(x))));
    const box = h('div', {class: 'references'}, h('h4', {id: 'config-refs-title'}, 'References'),
      h('p', {class: 'muted'}, 'Referenced files come first in the merged file a server loads; the file\'s own values win.'),
      mine.references.length === 0 ? h('p', {class: 'muted'}, 'None.') : h('ul', {'aria-labelledby': 'config-refs-title'},
        ...mine.references.map((/** @type {any} */ r) => h('li', {}, fileLabel(r), ' ',
          h('button', {type: 'button', 'aria-label': `Remove reference to ${fileLabel(r)}`, onclick: () => void change(r, true)},
            'Remove')))),
      others.length === 0 ? '' : h('form', {class: 'actions', 'aria-label': `Add a reference to ${f.name}`,
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          const target = others[Number(/** @type {HTMLSelectElement} */ (pick).value)];
          if (target) void change(target, false);
        }}, h('label', {for: 'config-ref-target'}, 'Reference', pick), h('button', {type: 'submit'}, 'Add reference')),
      out);
    return box;
  };

  const showEditor = (/** @type {any} */ f, /** @type {string} */ content, /** @type {any[]} */ history, /** @type {number} */ version) => {
    const text = h('textarea', {id: 'config-content', name: 'content', rows: 14, spellcheck: 'false', class: 'mono'});
    /** @type {HTMLTextAreaElement} */ (text).value = content;
    const comment = h('input', {id: 'config-comment', name: 'comment', placeholder: 'why'});
    const reloadToo = h('input', {id: 'config-reload', name: 'reload', type: 'checkbox'});
    const status = h('p', {class: 'status', role: 'status', id: 'config-status'},
      version ? `Version ${version}${history[0] && history[0].version !== version ? ` (the newest is ${history[0].version}: push to make this one current)` : ''}` : 'A new file: push to create it.');
    const review = h('div', {id: 'config-review'});
    const reviewButton = h('button', {type: 'submit', class: 'primary'}, `Review ${f.name}`);
    /** The text the review was made of: Push stores exactly that. */
    let reviewed = '';

    const push = async () => {
      status.className = 'status';
      status.textContent = `Pushing ${f.name}…`;
      try {
        const done = await api(fileUrl(f), {content: reviewed, comment: /** @type {HTMLInputElement} */ (comment).value,
          ...fileFields(f)});
        announce(`${f.name} stored as version ${done.version}`);
        const reloadWanted = /** @type {HTMLInputElement} */ (reloadToo).checked;
        await loadList();
        await openFile(f);
        const after = document.getElementById('config-status');
        if (after) after.textContent = `Stored as version ${done.version}.`;
        if (reloadWanted) {
          const out = h('div', {id: 'config-push-reload'});
          document.getElementById('config-review')?.replaceChildren(out);
          await reload(f, out);
        }
      } catch (e) {
        status.className = 'status error';
        status.textContent = `Push failed: ${failureText(e)}`;
      }
    };

    const form = h('form', {'aria-label': `Edit ${f.name}`, onsubmit: async (/** @type {Event} */ ev) => {
      ev.preventDefault();
      reviewed = /** @type {HTMLTextAreaElement} */ (text).value;
      review.replaceChildren(h('p', {class: 'status', role: 'status'}, `Comparing ${f.name}…`));
      try {
        const r = await api(fileUrl(f, '/review'), {content: reviewed, ...fileFields(f)});
        review.replaceChildren(
          h('h4', {}, r.from ? `Changes from version ${r.from}` : 'A new file'),
          r.changed ? diffView(r.diff) : h('p', {class: 'muted'}, 'No change from the current version.'),
          h('h4', {}, 'What the running instances would load'), instancesView(r.instances, true),
          h('div', {class: 'actions'},
            h('button', {type: 'button', class: 'primary', disabled: !r.changed, onclick: () => void push()}, `Push ${f.name}`),
            h('button', {type: 'button', onclick: () => review.replaceChildren()}, 'Back to editing')));
      } catch (e) {
        fail(review, e);
      }
    }},
    h('h4', {}, fileLabel(f)),
    h('label', {for: 'config-content'}, `Content of ${f.name}`), text,
    h('div', {class: 'actions'}, h('label', {for: 'config-comment'}, 'Comment', comment),
      h('label', {for: 'config-reload', class: 'check'}, reloadToo, 'Reload the running instances after the push'),
      reviewButton),
    status);
    editor.replaceChildren(form, review, referencesBox(f), history.length === 0 ? '' : h('div', {},
      h('h4', {id: 'config-history-title'}, 'History'),
      h('ol', {class: 'history', 'aria-labelledby': 'config-history-title'}, ...history.map((/** @type {any} */ v) =>
        h('li', {}, `v${v.version} · ${when(v.time)} · ${v.author || '–'}${v.comment ? ` · ${v.comment}` : ''} `,
          h('button', {type: 'button', 'aria-label': `Load version ${v.version} of ${f.name}`,
            onclick: () => void openFile(f, v.version)}, 'Load'))))));
  };

  void loadList();
  return el;
}
