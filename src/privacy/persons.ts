import type { Keyring } from './keyring.ts';

/**
 * The keyed pseudonym of a person's distinct id (userId or anonymousId): what the audit log, the erased-id
 * tombstones and the erasure receipts keep instead of the id. Domain-separated from the PII match hashes
 * (`email_hash`, `phone_hash`) that use the same key.
 */
export function personPseudonym(keyring: Keyring): (distinctId: string) => string {
  return (id) => keyring.match(`person\u0000${id}`);
}
