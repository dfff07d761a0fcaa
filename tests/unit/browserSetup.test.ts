// Finding the browser the UI tests drive: CHROMIUM_PATH first, else a known install; without
// one, the browser tests fail with one line that says what to do.
import { expect } from 'chai';
import { CHROMIUM_MISSING, findChromium, installChromiumIfMissing, launchChromium } from '../support/ui';

describe('browser set-up for the UI tests', () => {
  const saved = process.env.CHROMIUM_PATH;
  afterEach(() => {
    if (saved === undefined) {
      delete process.env.CHROMIUM_PATH;
    } else {
      process.env.CHROMIUM_PATH = saved;
    }
  });

  it('uses CHROMIUM_PATH when it names an existing file', () => {
    process.env.CHROMIUM_PATH = process.execPath; // any existing executable will do for the lookup
    expect(findChromium()).to.equal(process.execPath);
    expect(installChromiumIfMissing()).to.equal(null);
  });

  it('says what to do, on one line, when CHROMIUM_PATH names nothing, and never installs over it', async () => {
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    expect(findChromium()).to.equal(undefined);
    const line = 'CHROMIUM_PATH is /nonexistent/chromium, which does not exist: point it at a Chromium or Chrome binary, or unset it';
    expect(installChromiumIfMissing()).to.equal(line);
    let caught: unknown;
    try {
      await launchChromium();
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).message).to.equal(line);
    expect((caught as Error).stack, 'no stack trace under the line').to.equal(line);
  });

  it('finds the browser installed on this machine without CHROMIUM_PATH (the global setup installed it)', () => {
    delete process.env.CHROMIUM_PATH;
    expect(findChromium(), CHROMIUM_MISSING).to.be.a('string');
  });
});
