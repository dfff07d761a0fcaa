import * as openpgp from 'openpgp';
import type { Db } from '../../db/knex';
import { decryptSecret, encryptSecret } from '../../lib/secrets';
import { findApplianceKey, insertApplianceKeyOnce } from './repo';

/** The purpose of the appliance key that signs audit anchors. */
const SIGNING_PURPOSE = 'signing';
// Binds the sealed private key to its purpose, so a sealed value cannot be moved to another column.
const SEAL_AAD = 'appliance-key:signing';

export type ApplianceKey = { fingerprint: string; publicKey: string; privateKey: openpgp.PrivateKey };

/**
 * The appliance's OpenPGP signing key, generated on first start. It is a v4 Ed25519 key so
 * that stock tools (GnuPG 2.2, sqop) verify what it signs; its private part is stored sealed
 * under the master key. Concurrent first starts race on the primary key: one key wins.
 */
export async function loadOrCreateApplianceKey(db: Db, masterKey: Buffer): Promise<ApplianceKey> {
  let row = await findApplianceKey(db, SIGNING_PURPOSE);
  if (!row) {
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'Switchboard appliance', email: 'appliance@switchboard.invalid' }],
      format: 'armored',
    });
    const parsed = await openpgp.readKey({ armoredKey: publicKey });
    await insertApplianceKeyOnce(db, {
      purpose: SIGNING_PURPOSE,
      fingerprint: parsed.getFingerprint().toUpperCase(),
      public_key: publicKey,
      private_key_sealed: encryptSecret(masterKey, privateKey, SEAL_AAD),
    });
    row = await findApplianceKey(db, SIGNING_PURPOSE);
  }
  if (!row) {
    throw new Error('the appliance key could not be stored');
  }
  let armored: string;
  try {
    armored = decryptSecret(masterKey, row.private_key_sealed, SEAL_AAD);
  } catch {
    throw new Error('SWITCHBOARD_MASTER_KEY does not open the appliance key: it is not the master key this database was set up with');
  }
  const privateKey = await openpgp.readPrivateKey({ armoredKey: armored });
  if (privateKey.getFingerprint().toUpperCase() !== row.fingerprint) {
    throw new Error('the sealed appliance key does not match its public key');
  }
  return { fingerprint: row.fingerprint, publicKey: row.public_key, privateKey };
}

/** The appliance's public key alone (verification needs no master key). */
export async function appliancePublicKey(db: Db): Promise<{ fingerprint: string; publicKey: string } | null> {
  const row = await findApplianceKey(db, SIGNING_PURPOSE);
  return row ? { fingerprint: row.fingerprint, publicKey: row.public_key } : null;
}
