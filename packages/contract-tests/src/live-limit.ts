/** A limit as Pingback publishes it: a bucket of `burst` refilled at `requestsPerSecond`, and a cap on requests in flight. */
export interface Limit {
  requestsPerSecond: number;
  burst: number;
  maxInFlight: number;
}

/** One attempt as the run saw it: when it left, when its answer came, and the status. */
export interface Arrival {
  sentMs: number;
  answeredMs: number | null;
  status: number | null;
}

export interface LimitVerdict {
  /** One line per 429 the documented limit does not explain (empty: none). */
  stricter: string[];
  /** The measured limit in words: where the server started answering 429, and what it admitted. */
  measured: string;
}

/**
 * Judges every 429 of a run against the documented limit, from the times requests left and came
 * back. A 429 is explained when, as the server may have counted, its bucket was empty or its
 * in-flight cap reached. The server counts arrivals, which the network can bunch: each earlier
 * request is taken to have arrived as late as it could (`jitterMs` after it left, but not after the
 * refused one), which empties the bucket most, and a request counts as in flight until its answer
 * came back. What is left over is a limit stricter than documented.
 */
export function rateLimitVerdict(
  arrivals: Arrival[],
  limit: Limit,
  jitterMs: number,
): LimitVerdict {
  const sent = [...arrivals].sort((a, b) => a.sentMs - b.sentMs);
  const isAdmitted = (a: Arrival) => a.status !== null && a.status !== 429;
  const admitted = sent.filter(isAdmitted);
  const refused = sent.filter((a) => a.status === 429);
  const documented = `documented: ${limit.requestsPerSecond}/s, burst ${limit.burst}, ${limit.maxInFlight} in flight`;
  if (refused.length === 0)
    return { stricter: [], measured: `no 429 in ${sent.length} requests (${documented})` };
  const perMs = limit.requestsPerSecond / 1000;
  const stricter: string[] = [];
  const start = sent[0]?.sentMs ?? 0;
  const at = (ms: number) => `+${((ms - start) / 1000).toFixed(2)} s`;
  for (const no of refused) {
    // Sent before it, in the order they left (two may share a millisecond).
    const before = sent.slice(0, sent.indexOf(no)).filter(isAdmitted);
    const inFlight = before.filter((a) => (a.answeredMs ?? Number.POSITIVE_INFINITY) > no.sentMs);
    if (inFlight.length >= limit.maxInFlight) continue;
    let tokens = limit.burst;
    let clock = Number.NEGATIVE_INFINITY;
    const arrived = before
      .map((a) => Math.min(a.sentMs + jitterMs, no.sentMs))
      .sort((x, y) => x - y);
    for (const time of arrived) {
      tokens = Math.min(limit.burst, tokens + (time - clock) * perMs) - 1;
      clock = time;
    }
    const left = Math.min(limit.burst, tokens + (no.sentMs - clock) * perMs);
    if (left >= 1)
      stricter.push(
        `429 at ${at(no.sentMs)} with ${left.toFixed(1)} of ${limit.burst} tokens left in the documented bucket and ${inFlight.length} in flight (${documented})`,
      );
  }
  const first = refused[0] as Arrival;
  // The second before the first 429, or as much of it as the run had lived.
  const since = Math.max(start, first.sentMs - 1000);
  const window = admitted.filter((a) => a.sentMs >= since && a.sentMs < first.sentMs);
  const seconds = Math.max(first.sentMs - since, 1) / 1000;
  const last = sent[sent.length - 1]?.sentMs ?? first.sentMs;
  const whileLimited = admitted.filter((a) => a.sentMs >= first.sentMs).length;
  const span = (last - first.sentMs) / 1000;
  const measured = [
    `first 429 at ${at(first.sentMs)}, after ${window.length} admitted request(s) in the ${seconds.toFixed(2)} s before it (${(window.length / seconds).toFixed(1)}/s)`,
    span > 0
      ? `from then on the server admitted ${(whileLimited / span).toFixed(2)}/s and refused ${refused.length}`
      : `${refused.length} refused`,
    documented,
  ].join("; ");
  if (stricter.length === 0) return { stricter, measured };
  return {
    stricter: [
      `the server answered 429 below the documented limit ${stricter.length} time(s) of ${refused.length}: ${measured}`,
      ...stricter.slice(0, 3),
      ...(stricter.length > 3 ? [`and ${stricter.length - 3} more`] : []),
    ],
    measured,
  };
}
