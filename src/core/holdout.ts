/**
 * The hold-out: a seeded, class-balanced 10% of the training subset that no model trains on, so the
 * calibration panel can fit its temperature on images other than the ones it scores on (the test images).
 *
 * A pure function of (seed, labels): a run resumed from a checkpoint, a teacher reused from the cache and
 * the page all get the same split without storing it.
 */
import { keyedRng, permutation } from './random';

export const HOLDOUT_FRACTION = 0.1;

/** How many of `trainImages` a run holds out (none when the setting is off). */
export function holdoutCount(trainImages: number, enabled: boolean): number {
  return enabled ? Math.round(trainImages * HOLDOUT_FRACTION) : 0;
}

/**
 * The indices (ascending) of `count` images to hold out: as many of each class as the classes allow
 * (quotas as equal as `count` permits, the remainder going to the largest classes), each class's share
 * drawn at random with the generator keyed by (seed, 'holdout').
 */
export function holdoutIndices(labels: ArrayLike<number>, numClasses: number, count: number, seed: number): Int32Array {
  if (!Number.isInteger(count) || count < 0 || count > labels.length) throw new RangeError(`cannot hold out ${count} of ${labels.length} images`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const quota = balancedQuotas(byClass.map((members) => members.length), count);
  const chosen: number[] = [];
  byClass.forEach((members, c) => {
    const order = permutation(members.length, keyedRng(seed, 'holdout', c));
    for (let k = 0; k < quota[c]!; k++) chosen.push(members[order[k]!]!);
  });
  return Int32Array.from(chosen).sort();
}

/** Splits `count` over classes of the given sizes as evenly as they allow (water-filling). */
function balancedQuotas(sizes: readonly number[], count: number): number[] {
  const quota = sizes.map(() => 0);
  let left = count;
  while (left > 0) {
    // Classes with images left, largest remaining first, so the remainder goes where there is most.
    const open = sizes.map((size, c) => ({ c, room: size - quota[c]! })).filter((o) => o.room > 0);
    if (open.length === 0) break;
    const share = Math.max(1, Math.floor(left / open.length));
    open.sort((x, y) => y.room - x.room || x.c - y.c);
    for (const { c, room } of open) {
      const take = Math.min(share, room, left);
      quota[c]! += take;
      left -= take;
      if (left === 0) break;
    }
  }
  return quota;
}
