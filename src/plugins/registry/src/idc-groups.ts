// IDC groups: which group an IP belongs to (t_server_group_rule) and the fallback order between groups
// (t_group_priority), as the official registry caches them.
import type {GroupPriorityRow, GroupRuleRow} from './rows.js';

/** A row of the fallback order with its group ids parsed. */
export interface PriorityEntry {
  readonly id: string;
  readonly station: string;
  readonly groups: ReadonlySet<number>;
}

/** Immutable lookup tables built from the group rows. */
export class IdcGroups {
  private constructor(
    private readonly byIp: ReadonlyMap<string, number>,
    private readonly byName: ReadonlyMap<string, number>,
    /** Ascending `order`, as the official `ORDER BY list_order`. */
    readonly priorities: readonly PriorityEntry[],
  ) {}

  /** The tables of `rules` and `priorities`; later rules win an IP listed twice, as in the official map fill. */
  static of(rules: readonly GroupRuleRow[], priorities: readonly GroupPriorityRow[]): IdcGroups {
    const byIp = new Map<string, number>();
    const byName = new Map<string, number>();
    for (const rule of [...rules].sort((a, b) => a.groupId - b.groupId)) {
      for (const ip of rule.allowIpRule.split('|')) if (ip !== '') byIp.set(ip.trim(), rule.groupId);
      byName.set(rule.groupName, rule.groupId);
    }
    const entries = [...priorities].sort((a, b) => a.order - b.order).map((p): PriorityEntry => Object.freeze({
      id: p.id,
      station: p.station,
      // Official: separators `|`, `,` and `;`, empty items dropped, non-numbers read as 0 (strto<int>).
      groups: new Set(p.groupList.split(/[|,;]/).filter((s) => s.trim() !== '').map((s) => Number.parseInt(s, 10) || 0)),
    }));
    return new IdcGroups(byIp, byName, Object.freeze(entries));
  }

  /**
   * The group of `ip`: an exact entry first, then the `a.b.c.*` entry of its /24; -1 when none (or when `ip` is not
   * an IPv4 address and has no exact entry, e.g. a node name without a rule).
   */
  groupOfIp(ip: string): number {
    const exact = this.byIp.get(ip);
    if (exact !== undefined) return exact;
    const m = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/.exec(ip);
    if (!m) return -1;
    return this.byIp.get(`${m[1]}.*`) ?? -1;
  }

  /** The group named `name`; -1 when `name` is empty or unknown. */
  groupOfName(name: string): number {
    if (name === '') return -1;
    return this.byName.get(name) ?? -1;
  }

  /** The first fallback row whose station is `station`, if any. */
  station(station: string): PriorityEntry | undefined {
    return this.priorities.find((p) => p.station === station);
  }
}
