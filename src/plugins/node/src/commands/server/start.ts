import {ServerActionCommand} from '../../server-command.js';

export default class ServerStart extends ServerActionCommand {
  static override action = 'start' as const;
  static override summary = 'Start a server on its node(s) and turn its auto-start on (setting state active).';
}
