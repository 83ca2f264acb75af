import {RegistryClientCommand} from '@tars-ts/kit';

/** `tars registry group list --json`. */
export interface GroupListJson {
  groups: {groupId: number; name: string; ips: string[]}[];
  fallback: {id: string; order: number; groups: number[]; station: string}[];
}

export default class RegistryGroupList extends RegistryClientCommand {
  static override summary = 'List the IDC groups and their fallback order.';
  static override description = `A caller whose IP is in an IDC group gets, for servers deployed with --group, the
endpoints of its own group; when its group has none, those of the groups of the first fallback row listing its group;
then those with grouping off; then all.`;
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<GroupListJson> {
    const {flags} = await this.parse(RegistryGroupList);
    const [{RegistryCtl}, {REGISTRY_CTL_OBJ}, {renderTable}] = await Promise.all([import('@tars-ts/core/framework'),
      import('../../../ctl-servant.js'), import('@tars-ts/kit')]);
    const ctl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
    const {groups, priorities} = await ctl.listGroups();
    const json: GroupListJson = {
      groups: groups.map((g) => ({groupId: g.groupId, name: g.name, ips: g.ipRule.split('|').filter(Boolean)})),
      fallback: priorities.map((p) => ({id: p.id, order: p.order, station: p.station,
        groups: p.groupList.split('|').filter(Boolean).map(Number)})),
    };
    if (!this.jsonEnabled()) {
      this.log(json.groups.length === 0 ? 'no IDC group (tars registry group set ID NAME IPS adds one)'
        : await renderTable(['ID', 'NAME', 'IPS'], json.groups.map((g) => [String(g.groupId), g.name, g.ips.join(' ')])));
      if (json.fallback.length > 0) {
        this.log('');
        this.log(await renderTable(['FALLBACK', 'ORDER', 'GROUPS', 'STATION'], json.fallback.map((p) => [p.id,
          String(p.order), p.groups.join(' '), p.station || '-'])));
      }
    }
    return json;
  }
}
