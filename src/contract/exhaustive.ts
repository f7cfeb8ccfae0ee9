/**
 * The `default` of every switch over a message union. Passing the switched value as `never` makes a missing
 * case a compile error; at run time a message of a type nobody handles (from a stale or foreign sender) is
 * an error that names it instead of being dropped in silence.
 */
export function unhandledMessage(message: never, channel: string): never {
  const tagged = message as { type?: unknown; kind?: unknown } | string | null;
  const type = typeof tagged === 'object' && tagged !== null ? (tagged.type ?? tagged.kind) : tagged;
  throw new Error(`${channel}: no handler for a message of type ${JSON.stringify(type)}`);
}
