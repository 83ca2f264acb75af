/**
 * Edit distance with adjacent transpositions (optimal string alignment), so "stirng" is one edit from "string".
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The candidate closest to `name`, for a "did you mean" hint; undefined when none is close enough (a case-only
 * difference always is; otherwise at most one edit per three characters, at least one, and never a complete rewrite).
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    if (c === name) continue;
    const distance = c.toLowerCase() === lower ? 0 : editDistance(name, c);
    // A suggestion must keep something of the name: 'Q' is one edit from 'X', but that is no hint.
    if (distance <= limit && distance < Math.max(name.length, c.length) && distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}
