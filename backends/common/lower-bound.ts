/**
 * Binary search over a list ordered so that `pred` is false, then true: the index of the first
 * element for which it holds (the length if none). The emulator keeps memory ranges sorted and
 * looks them up this way, so its cost grows with log(regions), not with their count.
 */
export function firstIndexWhere<T>(list: readonly T[], pred: (x: T) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(list[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
