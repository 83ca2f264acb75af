// Starts our own TARS servers in-process on ephemeral loopback ports, for integration tests.
import {Application, type Servant, formatEndpoint} from '@tars-ts/core';

export interface TestServer {
  app: Application;
  /** `Obj@tcp -h 127.0.0.1 -p <port> -t 60000` of each servant, by servant name. */
  proxyString(servant: string): string;
  close(): Promise<void>;
}

/** A config with one adapter per servant (all on port 0) and an admin endpoint. */
export function testConfig(app: string, server: string, servants: string[], extra: {adapter?: string; server?: string;
  protocol?: 'tcp' | 'udp'; idleMs?: number; port?: number} = {}): string {
  const adapters = servants.map((s) => `      <${s}Adapter>
        endpoint = ${extra.protocol ?? 'tcp'} -h 127.0.0.1 -p ${extra.port ?? 0} -t ${extra.idleMs ?? 60000}
        servant = ${s}
        ${extra.adapter ?? ''}
      </${s}Adapter>`).join('\n');
  return `<tars>
  <application>
    <client>
      sync-invoke-timeout = 3000
    </client>
    <server>
      app = ${app}
      server = ${server}
      local = tcp -h 127.0.0.1 -p 0 -t 10000
      loglevel = NONE
      ${extra.server ?? ''}
${adapters}
    </server>
  </application>
</tars>
`;
}

/** Starts an application hosting `servants` (name -> servant). */
export async function startServer(servants: Record<string, Servant>, extra: Parameters<typeof testConfig>[3] = {}):
  Promise<TestServer> {
  const names = Object.keys(servants);
  const [app, server] = names[0]!.split('.');
  const application = Application.fromText(testConfig(app!, server!, names, extra), {graceMs: 2000});
  for (const [name, servant] of Object.entries(servants)) application.addServant(servant, name);
  await application.start();
  return {
    app: application,
    proxyString(servant: string): string {
      const adapter = application.servantAdapters.find((a) => a.config.servant === servant);
      if (!adapter) throw new Error(`no adapter for ${servant}`);
      return `${servant}@${formatEndpoint(adapter.endpoint)}`;
    },
    close: () => application.close(),
  };
}
