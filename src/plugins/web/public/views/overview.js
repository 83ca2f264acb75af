// A server's overview tab: its adapters and endpoints per node, and its command line.
import {cell, h, table} from '../lib.js';

/** @type {import('./server.js').ServerTab} */
export const overviewTab = {
  id: 'overview',
  title: 'Overview',
  fresh: true,
  panel: ({key, detail: d}) => {
    const cmd = d.instances.find((/** @type {any} */ i) => i.command)?.command;
    return h('div', {},
      h('h3', {}, 'Adapters'),
      table(`Adapters of ${key}`, ['Node', 'Adapter', 'Object', 'Endpoint', 'Protocol'],
        d.instances.flatMap((/** @type {any} */ i) => i.adapters.map((/** @type {any} */ a) => h('tr', {},
          cell('Node', [i.node]), cell('Adapter', [a.name]), cell('Object', [a.servant]),
          h('td', {'data-label': 'Endpoint', class: 'mono'}, a.endpoint), cell('Protocol', [a.protocol]))))),
      cmd ? h('h3', {}, 'Command') : '', cmd ? h('p', {class: 'mono'}, cmd) : '');
  },
};
