// The server {{App}}.{{Server}}, started as TARS starts servers: node dist/{{Server}}.js --config=config.conf
import {Application} from '@tars-ts/core';

{{#http}}
import {startHttpGateway} from './http-gateway.js';
{{/http}}
import {{{Servant}}Imp} from './{{Servant}}Imp.js';

const app = await Application.fromArgs(process.argv);  // reads --config; SIGINT/SIGTERM stop it gracefully
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
    servantName: adapter.servant, adapterName: adapter.name, maxConnections: adapter.maxconns, logger: app.logger});
  app.logger.info(`listening: ${adapter.name} ${gateway.url} -> ${adapter.servant} (HTTP)`);
  // Stop taking HTTP requests when the application stops (its own handlers close the TARS side and exit).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void gateway.close());
}
{{/http}}
