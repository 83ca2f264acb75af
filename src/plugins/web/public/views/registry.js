// #/registry: every object the registry knows, with its active and inactive endpoints.
import {api, cell, failureAlert, h, hashParts, main, markNav, table} from '../lib.js';

/** @type {import('./index.js').View} */
export const registryView = {
  name: 'registry',
  match: (parts) => parts[0] === 'registry' ? {} : null,
  show: () => void renderRegistry(),
};

async function renderRegistry() {
  markNav('registry');
  document.title = 'Registry · TARS console';
  main.replaceChildren(h('h2', {}, 'Registry'), h('p', {class: 'muted'}, 'Loading…'));
  try {
    const reg = await api('/api/registry');
    if (hashParts()[0] !== 'registry') return;
    const list = (/** @type {string[]} */ eps) => eps.length === 0 ? '–' : h('ul', {class: 'mono'}, ...eps.map((e) => h('li', {}, e)));
    main.replaceChildren(h('h2', {}, 'Registry'),
      h('p', {class: 'muted'}, `${reg.objects.length} objects. `, h('button', {type: 'button', onclick: () => void renderRegistry()},
        'Refresh')),
      table('Objects and endpoints', ['Object', 'Active', 'Inactive', 'Nodes'], reg.objects.map((/** @type {any} */ o) =>
        h('tr', {'data-object': o.name}, h('td', {'data-label': 'Object', class: 'mono'}, o.name),
          cell('Active', [list(o.active)]), cell('Inactive', [list(o.inactive)]),
          cell('Nodes', [o.nodes.join(', ') || (o.manual ? 'added by hand' : '–')])))));
  } catch (e) {
    main.replaceChildren(h('h2', {}, 'Registry'), failureAlert(e));
  }
}
