// An Invoker that serves calls with a Servant in the same process, through the real encoding of arguments and
// results in a chosen protocol version: what a proxy and a server do, minus the socket.
import {
  CallContext, type CallOptions, type Invoker, type OperationDef, type Servant, TarsReturnCodeError,
  decodeResponseBody, encodeRequestArgs,
} from '@tars-ts/core';

export interface LoopbackCall {
  func: string;
  version: number;
  sBuffer: Uint8Array;
  iRet: number;
  sResultDesc: string;
}

export class LoopbackInvoker implements Invoker {
  readonly calls: LoopbackCall[] = [];

  constructor(private readonly servant: Servant, private readonly version = 1, private readonly servantName = 'Test.Server.Obj') {}

  async invoke(op: OperationDef, args: readonly unknown[], options: CallOptions = {}): Promise<Record<string, unknown>> {
    const version = options.version ?? this.version;
    const sBuffer = encodeRequestArgs(op, version, args, version === 2 ? {listSpelling: 'List'} : undefined);
    const ctx = new CallContext({
      servant: this.servantName, func: op.name, requestId: this.calls.length + 1, version, oneway: false,
      messageType: 0, context: new Map(), status: new Map(),
    });
    const result = await this.servant.$dispatch(ctx, sBuffer);
    this.calls.push({func: op.name, version, sBuffer, iRet: result.iRet, sResultDesc: result.sResultDesc});
    if (result.iRet !== 0) throw new TarsReturnCodeError(result.iRet, result.sResultDesc);
    return decodeResponseBody(op, version, result.sBuffer);
  }
}
