import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import { policiesDir } from '../../lib/paths';

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MAX_LENGTH = 256;
export const PASSWORD_MIN_LENGTH = 12;

/** Frequently breached passwords, shipped as policy data. */
const COMMON = new Set(
  readFileSync(path.join(policiesDir, 'common-passwords.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l.length > 0 && !l.startsWith('#')),
);

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// Verified against when the email is unknown, so both paths cost the same time.
let dummyHash: Promise<string> | null = null;
export async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_email' | 'same_as_current';

/**
 * The password policy (NIST SP 800-63B style): length over composition, no breached or
 * obvious passwords, nothing built from the account's email.
 */
export function passwordProblems(password: string, email: string, current?: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    problems.push('too_short');
  }
  if ([...password].length > PASSWORD_MAX_LENGTH) {
    problems.push('too_long');
  }
  const lowered = password.toLowerCase();
  const stripped = lowered.replace(/[^a-z0-9]/g, '');
  if (COMMON.has(lowered) || COMMON.has(stripped) || /^(.)\1+$/u.test(password)) {
    problems.push('common');
  }
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (local.length >= 3 && lowered.includes(local)) {
    problems.push('contains_email');
  }
  if (current !== undefined && password === current) {
    problems.push('same_as_current');
  }
  return problems;
}

/** A random password that satisfies the policy, for bootstrap and resets. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
