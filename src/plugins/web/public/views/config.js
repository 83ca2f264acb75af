// A server's config tab: its files and its application's with their current versions; an editor with the history
// (Load puts an old version in the editor, so pushing it is a rollback).
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

/** @param {import('./server.js').ServerContext} ctx */
function configPanel({app, server, key}) {
  const base = serverPath('config', app, server);
  const listBox = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  const editor = h('div', {id: 'config-editor'});
  const el = h('section', {'aria-labelledby': 'config-title'}, h('h3', {id: 'config-title'}, 'Config files'), listBox, editor);

  const fail = (/** @type {HTMLElement} */ box, /** @type {any} */ e) => box.replaceChildren(failureAlert(e));

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
        status.textContent = `Push failed: ${failureText(e)}`;
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
