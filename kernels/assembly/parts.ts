// Every threaded kernel takes (part, parts) last and computes only its part's share of the outputs. Each
// output value is written by exactly one part, with the sum in the same order as an unsplit call, so a
// result has the same bits however many threads computed it (the reproduction depends on that).

/** Where `part`'s run of `total` items starts when they are split into `parts` near-equal runs. */
// @ts-ignore: decorator
@inline export function shareStart(total: i32, part: i32, parts: i32): i32 {
  return <i32>((<i64>total * <i64>part) / <i64>parts);
}

/**
 * Bytes between two parts' scratch slots for a kernel needing `bytes` each: a whole number of 64-byte cache
 * lines, so that no two threads write one line. The JS side sizes scratch with this export too.
 */
export function partScratchBytes(bytes: i32): i32 {
  return (bytes + 63) & ~63;
}
