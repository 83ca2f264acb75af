import {Args, Flags} from '@oclif/core';

import {TarsCommand, adminToken, targetFlags} from '@tars-ts/kit';
import type {CallResultJson, RepeatResultJson, UntypedResultJson} from '../lib/call.js';
import type {CollectedTrace} from '../lib/call-trace.js';
import {tlsFlags, tlsOfFlags} from '../lib/tls-flags.js';

export default class Call extends TarsCommand {
  static override summary = 'Call any method of a TARS servant.';

  static override description = `Invokes <Func> of <Obj> and prints the return value and the out-parameters.

Where: "Obj@tcp -h HOST -p PORT", or -e/--endpoint, or a bare name resolved through the registry (--locator,
or the saved setting: tars settings set locator ...), or, inside a project made by \`tars new\`, the endpoint
its config.conf gives that servant.

The interface: --tars FILE.tars (with -I), else the .tars files of the current directory, else the server
itself: servers built with this toolkit answer tars_describe with their interface (reflection; turn it off with
"reflection = n" in the <server> domain of their config).

Arguments: one per in-parameter, in order: strings as they are, numbers and booleans as text, structs and
containers as JSON, vector<byte> as base64; or --data '{"param": value, ...}'. --template prints a skeleton.
Wrong arguments or an unknown function are caught before anything is sent.

With no interface at all (a TarsGo, TarsCpp or @tars/rpc server, no .tars file at hand), the call is made
anyway: the TARS encoding describes itself. Arguments take inferred wire types (integers, decimals as double,
true/false, JSON objects keyed by tag as structs, other objects as maps, arrays as vectors, anything else as a
string), sent at tags 1..n; --arg-types int,string,... forces them. The answer is printed by tag with its wire
type (ret is tag 0), and the output says the interface was guessed.

An ssl endpoint is called over TLS: --ca gives the CA the server's certificate must chain to (default: the
system's CAs; the certificate must name the endpoint's host), --cert and --key a client certificate for servers
that verify clients.

Exit codes: 0 ok, 2 usage, 3 the server answered with a TARS error, 4 nothing answered (connect, timeout).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj EchoHello tars',
    '<%= config.bin %> <%= command.id %> "TestApp.HelloGo.SayHelloObj@tcp -h 127.0.0.1 -p 10015" EchoHello tars --json',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj Greet --data \'{"req": {"name": "x"}}\' --tars SayHello.tars',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj EchoHello x --repeat 10000 --concurrency 64',
    '<%= config.bin %> <%= command.id %> "Go.Server.Obj@tcp -h 10.0.0.5 -p 8080" Add 1 2 --arg-types int,long',
    '<%= config.bin %> <%= command.id %> "TestApp.HelloGo.SayHelloObj@ssl -h 10.0.0.5 -p 10016" EchoHello x --ca ca.crt --cert client.crt --key client.key',
  ];

  static override args = {
    obj: Args.string({description: 'servant object, App.Server.Obj[@endpoints]', required: true}),
    func: Args.string({description: 'function name', required: true}),
    args: Args.string({description: 'arguments, one per in-parameter (see the description)', multiple: true}),
  };

  static override flags = {
    ...targetFlags,
    ...tlsFlags,
    tars: Flags.string({summary: '.tars file declaring the interface (repeatable).', multiple: true}),
    include: Flags.string({char: 'I', summary: 'Directory for #include files (repeatable).', multiple: true}),
    data: Flags.string({summary: 'Arguments as a JSON object keyed by parameter name.'}),
    template: Flags.boolean({summary: 'Print a skeleton of the arguments (for --data) and call nothing.'}),
    hash: Flags.string({summary: 'Hash code for hash load balancing.'}),
    context: Flags.string({summary: 'Request context entry key=value (repeatable).', multiple: true}),
    dye: Flags.string({summary: 'Dye the call with this key.'}),
    oneway: Flags.boolean({summary: 'Send one-way: no answer is awaited.'}),
    tup: Flags.boolean({summary: 'Use the TUP protocol (version 3).'}),
    repeat: Flags.integer({summary: 'Make N calls and print a load summary.', min: 1}),
    concurrency: Flags.integer({summary: 'Calls in flight with --repeat.', default: 1, min: 1}),
    'arg-types': Flags.string({summary: 'Call with these wire types, no interface needed: int,string,\'map<string,int>\',struct,...'}),
    trace: Flags.boolean({summary: 'Trace the call: print its trace id, then the tree of spans once they reached the ' +
      'log daemon.'}),
  };

  async run(): Promise<CallResultJson | UntypedResultJson | RepeatResultJson | Record<string, unknown>> {
    const {args, flags} = await this.parse(Call);
    const {runCall, formatRepeat, formatResult, formatUntyped} = await import('../lib/call.js');
    const settings = this.settings;
    const tls = await tlsOfFlags(flags);
    let outcome: Awaited<ReturnType<typeof runCall>>;
    try {
      outcome = await runCall({...flags, obj: args.obj, func: args.func, args: args.args ?? [],
        cwd: process.cwd(), tars: flags.tars ?? [], include: flags.include ?? [], context: flags.context ?? [],
        timeout: settings.timeout(flags.timeout), savedLocator: settings.get('locator'), argTypes: flags['arg-types'],
        cacheDir: this.config.cacheDir, tls,
        token: adminToken(this.settings)});
    } catch (error) {
      // A failed traced call still shows where it failed: the tree on stderr, or its trace in the error's JSON.
      const trace = (error as {trace?: CollectedTrace}).trace;
      if (!trace) throw error;
      if (!this.jsonEnabled()) {
        await this.showTrace(trace, (line) => this.logToStderr(line));
        throw error;
      }
      const {ReportedFailure, errorReport} = await import('@tars-ts/kit');
      const report = errorReport(error, this.id);
      throw new ReportedFailure(report.message, report.exit, await this.withTrace(report.json, trace), report.hint);
    }
    switch (outcome.kind) {
      case 'template':
        this.log(JSON.stringify(outcome.template, null, 2));
        return outcome.template;
      case 'untyped':
        for (const w of outcome.warnings) this.logToStderr(`warning: ${w}`);
        this.log(formatUntyped(outcome));
        return this.withTrace(outcome.result, outcome.trace);
      case 'repeat':
        this.log(formatRepeat(outcome.result));
        return outcome.result;
      default:
        this.log(formatResult(outcome));
        return this.withTrace(outcome.result, outcome.trace);
    }
  }

  /** The result with its trace (`--trace --json`: `traceId`, and `trace` as tars trace show --json has it). */
  private async withTrace<R extends object>(result: R, trace: CollectedTrace | undefined): Promise<R> {
    if (!trace) return result;
    if (!this.jsonEnabled()) {
      await this.showTrace(trace, (line) => this.log(line));
      return result;
    }
    const {traceSpansJson, traceSummaryJson} = await import('@tars-ts/kit');
    return {...result, traceId: trace.traceId, ...(trace.trace ? {trace: {trace: traceSummaryJson(trace.trace.summary),
      spans: traceSpansJson(trace.trace)}} : {}), ...(trace.note ? {traceNote: trace.note} : {})};
  }

  private async showTrace(trace: CollectedTrace, out: (line: string) => void): Promise<void> {
    const {coloursWanted, renderWaterfall} = await import('@tars-ts/kit');
    if (!trace.trace) out(`trace ${trace.traceId}`);
    if (trace.trace) {
      const width = process.stdout.isTTY ? process.stdout.columns || 120 : 160;
      for (const line of renderWaterfall(trace.trace, {width, colour: coloursWanted()})) out(line);
    }
    if (trace.note) this.logToStderr(`note: ${trace.note}`);
  }
}
