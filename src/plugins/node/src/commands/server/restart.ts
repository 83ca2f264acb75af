import {ServerActionCommand} from '../../server-command.js';

export default class ServerRestart extends ServerActionCommand {
  static override action = 'restart' as const;
  static override summary = 'Stop a server, then start it again (auto-start on).';
}
