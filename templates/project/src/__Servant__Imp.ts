import type {CallContext} from '@tars-ts/core';

import {GreetReply, type GreetRequest, type {{Servant}}$Results, {{Servant}}Servant} from './gen/{{Servant}}Tars.js';

const HELLO = new Map([['en', 'Hello'], ['fr', 'Bonjour'], ['de', 'Hallo'], ['es', 'Hola'], ['zh', '你好']]);

/**
 * The business code of {{Obj}}: one method per operation of {{Servant}}.tars. Each takes the
 * in-parameters and the call's context, and returns `{ret, <out-parameters>}` (or a promise of it). A thrown error
 * is answered with -99 and its message; throw `new TarsReturnCodeError(code, message)` to answer another code.
 */
export class {{Servant}}Imp extends {{Servant}}Servant {
  EchoHello(req: string, _ctx: CallContext): {{Servant}}$Results['EchoHello'] {
    return {ret: 0, resp: req};
  }

  Greet(req: GreetRequest, ctx: CallContext): {{Servant}}$Results['Greet'] {
    const languages = req.languages.length > 0 ? req.languages : ['en'];
    const greeting = languages.map((lang) => `${HELLO.get(lang) ?? HELLO.get('en')}, ${req.name}!`).join(' ');
    const tags = new Map(req.tags);
    tags.set('server', '{{App}}.{{Server}}');
    tags.set('caller', ctx.remote ? `${ctx.remote.host}:${ctx.remote.port}` : 'unknown');
    return {ret: 0, reply: GreetReply.create({greeting, count: languages.length, tags})};
  }
}
