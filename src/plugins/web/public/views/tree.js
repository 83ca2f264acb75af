// #/ : the nodes, then each application with its servers and every instance per node.
import {badge, cell, h, main, markNav, state, stateOf, table, uptimeCell} from '../lib.js';
import {newServerControls} from './new-server.js';

/** @type {import('./index.js').View} */
export const treeView = {
  name: 'tree',
  match: () => ({}),
  show: () => renderTree(),
  treeChanged: () => renderTree(),
};

function renderTree() {
  markNav('tree');
  document.title = 'Services · TARS console';
  const tree = state.tree;
  const body = [];
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
  // The heading and the deploy form stay in place while the tree changes, so typing in the form keeps its focus.
  const head = /** @type {HTMLElement | null} */ (main.querySelector(':scope > #tree-head'));
  const treeBody = /** @type {HTMLElement | null} */ (main.querySelector(':scope > #tree-body'));
  if (head && treeBody) {
    treeBody.replaceChildren(...body);
    return;
  }
  const rerender = () => {
    const at = /** @type {HTMLElement | null} */ (main.querySelector(':scope > #tree-head'));
    at?.replaceChildren(h('h2', {}, 'Services'), ...newServerControls(rerender));
  };
  main.replaceChildren(h('div', {id: 'tree-head'}, h('h2', {}, 'Services'), ...newServerControls(rerender)),
    h('div', {id: 'tree-body'}, ...body));
}
