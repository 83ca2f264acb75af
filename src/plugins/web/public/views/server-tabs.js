// The tabs of a server's page, in order; the first is shown at #/server/App/Server. A new tab is a module and a line.
import {configTab} from './config.js';
import {debugTab} from './debug.js';
import {deployTab} from './deploy.js';
import {logsTab} from './logs.js';
import {notificationsTab} from './notifications.js';
import {overviewTab} from './overview.js';
import {statsTab} from './stats.js';

/** @type {import('./server.js').ServerTab[]} */
export const SERVER_TABS = [overviewTab, configTab, deployTab, statsTab, logsTab, notificationsTab, debugTab];
