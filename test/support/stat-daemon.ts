// The stat and property daemons as a reporter sees them, for the tests of the runtime's reporting: StatF and
// PropertyF servants that record every entry and answer 0, hosted by one core Application on ephemeral ports.
import {type CallContext, Application, Logger} from '@tars-ts/core';
import {PropertyF, StatF} from '@tars-ts/core/framework';

export interface Report {
  head: StatF.StatMicMsgHead;
  body: StatF.StatMicMsgBody;
  bFromClient: boolean;
}

/** tarsstat's StatObj as a reporter sees it: records every entry, answers 0. */
export class FakeStat extends StatF.StatFServant {
  readonly reports: Report[] = [];
  calls = 0;

  reportMicMsg(msg: Map<StatF.StatMicMsgHead, StatF.StatMicMsgBody>, bFromClient: boolean):
    StatF.StatF$Results['reportMicMsg'] {
    this.calls++;
    for (const [head, body] of msg) this.reports.push({head, body, bFromClient});
    return {ret: 0};
  }

  reportSampleMsg(): StatF.StatF$Results['reportSampleMsg'] {
    return {ret: 0};
  }

  /** Entries of one side, as `interface ret masterName: succ/timeout/exec`, sorted. */
  lines(bFromClient: boolean): string[] {
    return this.reports.filter((r) => r.bFromClient === bFromClient).map(({head: h, body: b}) =>
      `${h.interfaceName} ${h.returnValue} ${h.masterName}: ${b.count}/${b.timeoutCount}/${b.execCount}`).sort();
  }
}

/** tarsproperty's PropertyObj: records every head and body. */
export class FakeProperty extends PropertyF.PropertyFServant {
  readonly reports: {head: PropertyF.StatPropMsgHead; body: PropertyF.StatPropMsgBody}[] = [];

  reportPropMsg(msg: Map<PropertyF.StatPropMsgHead, PropertyF.StatPropMsgBody>, _ctx: CallContext):
    PropertyF.PropertyF$Results['reportPropMsg'] {
    for (const [head, body] of msg) this.reports.push({head, body});
    return {ret: 0};
  }
}

export interface Daemon {
  app: Application;
  stat: FakeStat;
  property: FakeProperty;
  statObj: string;
  propertyObj: string;
}

/** The stat and property daemons as one application of fakes, on ephemeral ports. */
export async function startStatDaemon(port = 0): Promise<Daemon> {
  const stat = new FakeStat();
  const property = new FakeProperty();
  const app = Application.fromOptions({app: 'tars', server: 'tarsstat', logger: new Logger('NONE'), adapters: [
    {servant: 'tars.tarsstat.StatObj', endpoint: `tcp -h 127.0.0.1 -p ${port} -t 60000`},
    {servant: 'tars.tarsproperty.PropertyObj', endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'},
  ]});
  app.addServant(stat, 'tars.tarsstat.StatObj');
  app.addServant(property, 'tars.tarsproperty.PropertyObj');
  await app.start();
  const portOf = (s: string): number => app.servantAdapters.find((a) => a.config.servant === s)!.endpoint.port;
  return {app, stat, property, statObj: `tars.tarsstat.StatObj@tcp -h 127.0.0.1 -p ${portOf('tars.tarsstat.StatObj')}`,
    propertyObj: `tars.tarsproperty.PropertyObj@tcp -h 127.0.0.1 -p ${portOf('tars.tarsproperty.PropertyObj')}`};
}
