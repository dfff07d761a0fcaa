// The password policy a user meets when choosing a password, and the argon2id hashing behind sign-in.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  hashPassword,
  passwordProblems,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from '../../server/modules/identity/passwords';

const EMAIL = 'alice.martin@example.com';
const GOOD = 'violet kettles hum at dawn';

/** A string of exactly n code points drawn from any plane (astral characters included). */
const codePoints = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', minLength: min, maxLength: max });

describe('passwordProblems', () => {
  it('accepts a long passphrase unrelated to the account', () => {
    expect(passwordProblems(GOOD, EMAIL)).to.deep.equal([]);
    expect(passwordProblems(GOOD, EMAIL, 'the previous passphrase')).to.deep.equal([]);
  });

  it('refuses fewer than 12 characters', () => {
    expect(PASSWORD_MIN_LENGTH).to.equal(12);
    expect(passwordProblems('k7#Qz!pW2m', EMAIL)).to.deep.equal(['too_short']);
    expect(passwordProblems('k7#Qz!pW2mX9', EMAIL)).to.deep.equal([]);
  });

  it('counts characters, not UTF-16 units: 11 emoji are too short, 12 are enough', () => {
    expect(passwordProblems('🔑🚪🌙🐙🎻🧭🪁🍋🦉🧩🛶', EMAIL)).to.include('too_short');
    expect(passwordProblems('🔑🚪🌙🐙🎻🧭🪁🍋🦉🧩🛶🌵', EMAIL)).to.deep.equal([]);
  });

  it('refuses more than 256 characters', () => {
    expect(PASSWORD_MAX_LENGTH).to.equal(256);
    const words = 'violet kettles hum at dawn, ';
    const long = words.repeat(10).slice(0, 257);
    expect(passwordProblems(long, EMAIL)).to.deep.equal(['too_long']);
    expect(passwordProblems(long.slice(0, 256), EMAIL)).to.deep.equal([]);
  });

  it('refuses breached passwords whatever their case or punctuation', () => {
    for (const candidate of ['correcthorsebatterystaple', 'CorrectHorseBatteryStaple', 'correct-horse-battery-staple', 'Password1234']) {
      expect(passwordProblems(candidate, EMAIL), candidate).to.deep.equal(['common']);
    }
  });

  it('refuses one character repeated', () => {
    expect(passwordProblems('aaaaaaaaaaaaaaaa', EMAIL)).to.deep.equal(['common']);
    expect(passwordProblems('################', EMAIL)).to.deep.equal(['common']);
  });

  it('refuses a password built from the email local part, in any case', () => {
    expect(passwordProblems('my Alice.Martin passphrase', EMAIL)).to.deep.equal(['contains_email']);
    expect(passwordProblems('ALICE.MARTIN-rocks-2024', 'Alice.Martin@Example.com')).to.deep.equal(['contains_email']);
  });

  it('does not flag a very short local part found by chance', () => {
    expect(passwordProblems('wojo kettles hum at dawn', 'jo@example.com')).to.deep.equal([]);
  });

  it('refuses reusing the current password, and only that one', () => {
    expect(passwordProblems(GOOD, EMAIL, GOOD)).to.deep.equal(['same_as_current']);
    expect(passwordProblems(GOOD, EMAIL, GOOD.toUpperCase())).to.deep.equal([]);
  });

  it('reports several reasons at once', () => {
    expect(passwordProblems('alicex', EMAIL.replace('alice.martin', 'alice'), 'alicex')).to.have.members([
      'too_short',
      'contains_email',
      'same_as_current',
    ]);
  });

  it('property: anything shorter than 12 code points is too_short', () => {
    fc.assert(
      fc.property(codePoints(0, PASSWORD_MIN_LENGTH - 1), fc.emailAddress(), (password, email) => {
        expect(passwordProblems(password, email)).to.include('too_short');
      }),
    );
  });

  it('property: 12 or more code points are never too_short', () => {
    fc.assert(
      fc.property(codePoints(PASSWORD_MIN_LENGTH, 64), fc.emailAddress(), (password, email) => {
        expect(passwordProblems(password, email)).not.to.include('too_short');
      }),
    );
  });
});

describe('hashPassword / verifyPassword', () => {
  it('hashes with argon2id and verifies the same password', async () => {
    const stored = await hashPassword(GOOD);
    expect(stored.startsWith('$argon2id$')).to.equal(true);
    expect(stored).not.to.include(GOOD);
    expect(await verifyPassword(stored, GOOD)).to.equal(true);
  });

  it('salts: the same password hashes differently twice, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword(GOOD), hashPassword(GOOD)]);
    expect(a).not.to.equal(b);
    expect(await verifyPassword(a, GOOD)).to.equal(true);
    expect(await verifyPassword(b, GOOD)).to.equal(true);
  });

  it('rejects a wrong password, including one differing only in case or a trailing space', async () => {
    const stored = await hashPassword(GOOD);
    for (const wrong of ['violet kettles hum at dusk', GOOD.toUpperCase(), `${GOOD} `, '']) {
      expect(await verifyPassword(stored, wrong), JSON.stringify(wrong)).to.equal(false);
    }
  });

  it('round-trips unicode passwords', async () => {
    const password = 'ünïcødé 🔑 пароль 密码';
    const stored = await hashPassword(password);
    expect(await verifyPassword(stored, password)).to.equal(true);
    expect(await verifyPassword(stored, password.normalize('NFD'))).to.equal(false);
  });

  it('answers false, without throwing, for a stored value that is not a hash', async () => {
    for (const garbage of ['', 'not-a-hash', '$argon2id$v=19$garbage', '$2b$10$abcdefghijklmnopqrstuv']) {
      expect(await verifyPassword(garbage, GOOD), garbage).to.equal(false);
    }
  });
});
