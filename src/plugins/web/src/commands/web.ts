import {Flags} from '@oclif/core';
import {RegistryClientCommand} from '@tars-ts/kit';

export default class Web extends RegistryClientCommand {
  static override summary = 'Serve the cluster\'s console in a browser: service tree, start/stop/restart, config files, registry.';
  static override description = `Serves a single-page console and its JSON API (docs/web.md) until Ctrl-C or SIGTERM. It talks TARS to the
registry and the nodes (never to their databases); the registry is --locator, else the saved locator, else the
registry running here. It binds 127.0.0.1 by default. Beyond loopback it needs the cluster's admin token (tars
login, or TARS_ADMIN_TOKEN) and the page asks for it; with a token configured the page asks for it on loopback too.`;
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --port 8080 --open',
    'TARS_ADMIN_TOKEN=... <%= config.bin %> <%= command.id %> --host 0.0.0.0'];

  // A server, not a report: it prints its URL and READY, and runs until stopped.
  static override enableJsonFlag = false;

  static override flags = {
    port: Flags.integer({summary: 'The port to serve on (0: any free one).', default: 3000, min: 0, max: 65_535,
      helpValue: 'N'}),
    host: Flags.string({summary: 'The address to bind; beyond loopback the admin token is required.',
      default: '127.0.0.1', helpValue: 'ADDR'}),
    open: Flags.boolean({summary: 'Open the console in a browser, when this machine has one (xdg-open).'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Web);
    const [{startConsole}, {adminToken}, {openInBrowser}] = await Promise.all([import('../console-server.js'),
      import('@tars-ts/kit'), import('../open-browser.js')]);
    const web = await startConsole({host: flags.host, port: flags.port, locator: await this.registryLocator(flags),
      token: adminToken(this.settings), timeoutMs: this.settings.timeout(flags.timeout), cacheDir: this.config.cacheDir});
    this.log(`console at ${web.url}${web.loginRequired ? ' (log in with the cluster\'s admin token)' : ''}`);
    this.log('READY');
    if (flags.open) {
      const opened = await openInBrowser(web.url);
      if (!opened) this.warn(`no browser to open here: open ${web.url} yourself`);
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await web.close();
  }
}
