// Every feature of the console, in the order their routes are tried. A new feature is a module here and one line.
import type {Feature} from '../feature.js';
import {config} from './config.js';
import {debug} from './debug.js';
import {deploy} from './deploy.js';
import {logs} from './logs.js';
import {newServer} from './new-server.js';
import {servers} from './servers.js';
import {stats} from './stats.js';

export const FEATURES: readonly Feature[] = [servers, config, newServer, deploy, stats, logs, debug];
