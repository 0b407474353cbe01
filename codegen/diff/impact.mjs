// Who a change breaks. "Breaking for clients" means: client code written against the old spec may stop
// compiling or start failing against a peer that follows the new one; the same for servers. A value
// has a producer and a consumer: a schema that accepts less breaks its producers (what they send may
// now be refused), one that accepts more breaks its consumers (they may be sent what they never
// handled), and a change that is neither breaks both.

/** Who sends a message in this direction, and who receives it. */
export function rolesOf(direction) {
  if (direction === 'client-to-server') return { senders: ['client'], receivers: ['server'] };
  if (direction === 'server-to-client') return { senders: ['server'], receivers: ['client'] };
  return { senders: ['client', 'server'], receivers: ['client', 'server'] };
}

/**
 * @param {'narrowed'|'widened'|'changed'|'compatible'} relation
 * @param {string[]} producers
 * @param {string[]} consumers
 * @returns {{ client: boolean, server: boolean }}
 */
export function impactOf(relation, producers, consumers) {
  const broken = new Set(relation === 'narrowed' ? producers : relation === 'widened' ? consumers : relation === 'changed' ? [...producers, ...consumers] : []);
  return { client: broken.has('client'), server: broken.has('server') };
}

export const breaks = (sides) => ({ client: sides.includes('client'), server: sides.includes('server') });

export const NOT_BREAKING = Object.freeze({ client: false, server: false });
