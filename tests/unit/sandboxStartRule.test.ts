// When the built-in sandbox starts, and when it says that it is not for production.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../server/config';
import { warnIfSandboxInProduction } from '../../server/sandboxRuntime';

const DATABASE_URL = 'postgres://app:secret@db:5432/switchboard';
const MASTER_KEY = randomBytes(32).toString('base64');

/** The warnings logged when a sandbox starts under this environment. */
function warningsFor(env: Record<string, string>): Array<{ level: number; msg: string }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  warnIfSandboxInProduction(loadConfig(env), pino({ level: 'info' }, sink));
  return lines.map((line) => JSON.parse(line) as { level: number; msg: string });
}

describe('the sandbox start rule', () => {
  it('runs by itself only in zero-config mode', () => {
    expect(loadConfig({}).sandbox).to.equal(true);
    expect(loadConfig({ DATABASE_URL, SWITCHBOARD_MASTER_KEY: MASTER_KEY }).sandbox).to.equal(false);
    expect(loadConfig({ NODE_ENV: 'production' }).sandbox).to.equal(false);
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL, SWITCHBOARD_MASTER_KEY: MASTER_KEY, SWITCHBOARD_SANDBOX: 'true' }).sandbox).to.equal(true);
  });

  it('warns that it is not for production when asked for with a real database or in production', () => {
    const asked: Array<Record<string, string>> = [{ DATABASE_URL, SWITCHBOARD_MASTER_KEY: MASTER_KEY, SWITCHBOARD_SANDBOX: 'true' }, { NODE_ENV: 'production', SWITCHBOARD_SANDBOX: 'true' }];
    for (const env of asked) {
      const warnings = warningsFor(env);
      expect(warnings, JSON.stringify(env)).to.have.length(1);
      expect(warnings[0]!.level).to.equal(40);
      expect(warnings[0]!.msg).to.contain('NOT for production');
    }
  });

  it('says nothing in zero-config mode, where it is the way to try the product', () => {
    expect(warningsFor({})).to.deep.equal([]);
  });
});
