// The server {{App}}.{{Server}}, started as TARS starts servers: node dist/{{Server}}.js --config=config.conf
import {Application, TarsError{{#http}}, listenFailure{{/http}}} from '@tars-ts/core';

{{#http}}
import {startHttpGateway} from './http-gateway.js';
{{/http}}
import {{{Servant}}Imp} from './{{Servant}}Imp.js';

try {
  // Reads --config. SIGINT, SIGTERM and AdminObj's shutdown close it gracefully; the process then ends by itself.
  const app = await Application.fromArgs(process.argv);
{{^http}}
  app.addServant(new {{Servant}}Imp(), '{{Obj}}');
  await app.start();
{{/http}}
{{#http}}
  const imp = new {{Servant}}Imp();
  app.addServant(imp, '{{Obj}}');
  await app.start();

  // The same servant answers HTTP on the adapter that serves {{HttpObj}} (protocol = not_tars in
  // config.conf): the runtime leaves not_tars adapters to the application, which serves them itself.
  const adapter = app.config.adapters.find((a) => a.servant === '{{HttpObj}}');
  if (adapter) {
    const gateway = await startHttpGateway(imp, {host: adapter.endpoint.host, port: adapter.endpoint.port,
      servantName: adapter.servant, adapterName: adapter.name, maxConnections: adapter.maxconns, logger: app.logger})
      .catch((error: unknown) => {
        throw listenFailure(adapter.name, adapter.endpoint, error, `its endpoint in ${app.config.file}`);
      });
    app.logger.info(`listening: ${adapter.name} ${gateway.url} -> ${adapter.servant} (HTTP)`);
    // Stops taking HTTP requests when the application closes (on a signal or AdminObj's shutdown), after its TARS
    // adapters have stopped; nothing is left holding the process then.
    app.onClose(() => gateway.close());
  }
{{/http}}
} catch (error) {
  // A TarsError is something to fix around the server (a port in use, a bad key in config.conf): its message is one
  // line saying what and how, so no stack trace. Anything else is a bug and keeps its stack.
  if (!(error instanceof TarsError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
