import { expect } from 'chai';
import { SerialDrain } from '../../server/lib/serialDrain';

describe('SerialDrain', () => {
  it('handles one batch at a time, in order; what arrives meanwhile forms the next batch, up to the maximum', async () => {
    const batches: number[][] = [];
    let running = 0;
    let overlapped = false;
    let idle = 0;
    const drain = new SerialDrain<number>(
      async (batch) => {
        running += 1;
        overlapped ||= running > 1;
        batches.push(batch);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
      },
      3,
      () => {
        idle += 1;
      },
    );
    drain.push([1]);
    drain.push([2, 3, 4, 5]);
    drain.push([6]);
    await drain.flush();
    expect(batches).to.deep.equal([[1], [2, 3, 4], [5, 6]]);
    expect(overlapped).to.equal(false);
    expect(idle).to.equal(1);
    expect(drain.pending).to.equal(0);
  });
});
