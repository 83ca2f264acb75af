// A small, strict parser of the Prometheus text exposition format (0.0.4), for tests that scrape /metrics: every
// line must be a comment, a HELP, a TYPE or a sample of a declared family; label values must be escaped correctly;
// a histogram's buckets must be cumulative and end with +Inf equal to _count. Throws on the first violation with
// the line number.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value "${text}"`);
  return Number(text);
}

/** Parses `{a="x",b="y\"z"}` starting at `s[i] === '{'`; returns the labels and the index after `}`. */
function parseLabels(s: string, i: number, line: number): {labels: Record<string, string>; end: number} {
  const labels: Record<string, string> = {};
  i++;
  while (s[i] !== '}') {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without =`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`line ${line}: bad label name "${name}"`);
    if (name in labels) throw new Error(`line ${line}: label ${name} twice`);
    if (s[eq + 1] !== '"') throw new Error(`line ${line}: label ${name} value not quoted`);
    let v = '';
    let j = eq + 2;
    for (;;) {
      const c = s[j];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = s[j + 1];
        if (n === '\\') v += '\\';
        else if (n === '"') v += '"';
        else if (n === 'n') v += '\n';
        else throw new Error(`line ${line}: bad escape \\${n}`);
        j += 2;
        continue;
      }
      v += c;
      j++;
    }
    labels[name] = v;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`line ${line}: expected , or } after label ${name}`);
  }
  return {labels, end: i + 1};
}

/** The family a sample name belongs to, given the declared families (histogram suffixes included). */
function familyOf(name: string, families: Map<string, PromFamily>): PromFamily | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, PromFamily>();
  const seen = new Set<string>();
  text.slice(0, -1).split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return;
      const [, kind, name, rest] = m;
      if (!NAME.test(name!)) throw new Error(`line ${line}: bad metric name "${name}"`);
      const f = families.get(name!) ?? {name: name!, type: 'untyped' as const, help: '', samples: []};
      if (kind === 'TYPE') {
        if (!TYPES.has(rest!)) throw new Error(`line ${line}: bad type "${rest}"`);
        if (f.samples.length > 0) throw new Error(`line ${line}: TYPE of ${name} after its samples`);
        f.type = rest as PromFamily['type'];
      } else {
        f.help = rest!;
      }
      families.set(name!, f);
      return;
    }
    const nameEnd = raw.search(/[{ ]/);
    if (nameEnd <= 0) throw new Error(`line ${line}: not a sample: ${raw}`);
    const name = raw.slice(0, nameEnd);
    if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name "${name}"`);
    let labels: Record<string, string> = {};
    let i = nameEnd;
    if (raw[i] === '{') ({labels, end: i} = parseLabels(raw, i, line));
    if (raw[i] !== ' ') throw new Error(`line ${line}: expected a space before the value`);
    const parts = raw.slice(i + 1).split(' ');
    if (parts.length > 2) throw new Error(`line ${line}: trailing text`);
    const value = parseValue(parts[0]!, line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${line}: bad timestamp`);
    const family = familyOf(name, families);
    if (!family) throw new Error(`line ${line}: sample ${name} of no declared family`);
    const id = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(id)) throw new Error(`line ${line}: series ${id} twice`);
    seen.add(id);
    if (family.type === 'counter' && !(value >= 0)) throw new Error(`line ${line}: counter ${name} is ${value}`);
    family.samples.push({name, labels, value});
  });
  for (const f of families.values()) {
    if (f.type !== 'histogram') continue;
    const groups = new Map<string, PromSample[]>();
    for (const s of f.samples) {
      const {le, ...rest} = s.labels;
      const id = JSON.stringify(Object.entries(rest).sort());
      groups.set(id, [...(groups.get(id) ?? []), s]);
      if (s.name.endsWith('_bucket') && le === undefined) throw new Error(`${s.name} without le`);
    }
    for (const [id, samples] of groups) {
      const buckets = samples.filter((s) => s.name.endsWith('_bucket'))
        .map((s) => [parseValue(s.labels.le!, 0), s.value] as const).sort((a, b) => a[0] - b[0]);
      const count = samples.find((s) => s.name.endsWith('_count'));
      if (!count || !samples.some((s) => s.name.endsWith('_sum'))) throw new Error(`${f.name}${id}: no _sum or _count`);
      if (buckets.at(-1)?.[0] !== Infinity) throw new Error(`${f.name}${id}: no +Inf bucket`);
      for (let k = 1; k < buckets.length; k++) {
        if (buckets[k]![1] < buckets[k - 1]![1]) throw new Error(`${f.name}${id}: buckets not cumulative`);
      }
      if (buckets.at(-1)![1] !== count.value) throw new Error(`${f.name}${id}: +Inf bucket is not _count`);
    }
  }
  return families;
}
