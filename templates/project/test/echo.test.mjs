// npm test: builds, then runs this with node --test against the compiled code in dist/. The servant is started
// in-process on a free port (port 0) and called through a Communicator, as any TARS client would call it.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';

import {Application, Communicator, Logger} from '@tars-ts/core';

import {GreetRequest, {{Servant}}Proxy} from '../dist/gen/{{Servant}}Tars.js';
{{#http}}
import {startHttpGateway} from '../dist/http-gateway.js';
{{/http}}
import {{{Servant}}Imp} from '../dist/{{Servant}}Imp.js';

const CONFIG = `<tars>
  <application>
    <server>
      app = {{App}}
      server = {{Server}}
      <{{Adapter}}>
        endpoint = tcp -h 127.0.0.1 -p 0 -t 60000
        servant = {{Obj}}
      </{{Adapter}}>
    </server>
  </application>
</tars>`;

describe('{{Obj}}', () => {
  let app;
  let comm;
  let proxy;
{{#http}}
  let gateway;
{{/http}}

  before(async () => {
    app = Application.fromText(CONFIG, {logger: new Logger('ERROR')});
    const imp = new {{Servant}}Imp();
    app.addServant(imp, '{{Obj}}');
    await app.start();
    const {port} = app.adapter('{{Adapter}}').endpoint;
    comm = new Communicator();
    proxy = comm.stringToProxy({{Servant}}Proxy, `{{Obj}}@tcp -h 127.0.0.1 -p ${port} -t 60000`);
{{#http}}
    gateway = await startHttpGateway(imp, {host: '127.0.0.1', port: 0, servantName: '{{HttpObj}}'});
{{/http}}
  });

  after(async () => {
    comm?.close();
{{#http}}
    await gateway?.close();
{{/http}}
    await app?.close();
  });

  it('EchoHello answers with what it was given', async () => {
    assert.deepEqual(await proxy.EchoHello('hello tars'), {ret: 0, resp: 'hello tars'});
  });

  it('Greet greets in each language and returns the tags', async () => {
    const req = GreetRequest.create({name: 'tars', languages: ['en', 'fr'], tags: new Map([['k', 'v']])});
    const {ret, reply} = await proxy.Greet(req);
    assert.equal(ret, 0);
    assert.equal(reply.greeting, 'Hello, tars! Bonjour, tars!');
    assert.equal(reply.count, 2);
    assert.equal(reply.tags.get('k'), 'v');
    assert.equal(reply.tags.get('server'), '{{App}}.{{Server}}');
  });
{{#http}}

  it('answers POST /EchoHello over HTTP with the same code', async () => {
    const res = await fetch(`${gateway.url}/EchoHello`, {method: 'POST', headers: {'content-type': 'application/json'},
      body: JSON.stringify({req: 'hello http'})});
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {tars_ret: 0, resp: 'hello http'});
  });

  it('answers POST /Greet with a struct, a vector and a map in JSON', async () => {
    const res = await fetch(`${gateway.url}/Greet`, {method: 'POST',
      body: JSON.stringify({req: {name: 'tars', languages: ['de'], tags: {k: 'v'}}})});
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.tars_ret, 0);
    assert.equal(body.reply.greeting, 'Hallo, tars!');
    assert.equal(body.reply.tags.k, 'v');
  });

  it('answers an unknown function with 404', async () => {
    const res = await fetch(`${gateway.url}/Nope`, {method: 'POST', body: '{}'});
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, -3);
  });
{{/http}}
});
