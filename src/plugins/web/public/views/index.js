// The console's views, tried in order against the URL hash; the last one (the service tree) takes any hash.

/**
 * A view of the page.
 * @typedef {object} View
 * @property {string} name the nav entry it marks (data-nav)
 * @property {(parts: string[]) => Record<string, any> | null} match its parameters from the hash's parts, or null
 * @property {(params: Record<string, any>) => void} show renders it into <main>
 * @property {(params: Record<string, any>) => void} [treeChanged] the service tree changed (an events-stream update)
 * @property {() => void} [leave] the page goes to another view (stop streams and timers)
 */

import {notificationsView} from './notifications.js';
import {registryView} from './registry.js';
import {serverView} from './server.js';
import {treeView} from './tree.js';

/** @type {View[]} */
export const VIEWS = [serverView, registryView, notificationsView, treeView];
