import {ServerActionCommand} from '../../server-command.js';

export default class ServerStop extends ServerActionCommand {
  static override action = 'stop' as const;
  static override summary = 'Stop a server gracefully (AdminF.shutdown, then SIGKILL) and turn its auto-start off.';
}
