import {ServerActionCommand} from '../../server-command.js';

export default class ServerUndeploy extends ServerActionCommand {
  static override action = 'undeploy' as const;
  static override summary = 'Stop a server, remove its files from the node and its rows from the registry.';
}
