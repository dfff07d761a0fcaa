import { expect } from 'chai';
import { validate, version } from 'uuid';
import { newId } from '../../server/lib/ids';

describe('ids', () => {
  it('are valid UUIDv7, unique, and ascend in the order they were made, within a millisecond too', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(ids.every((id) => validate(id) && version(id) === 7)).to.equal(true);
    expect(new Set(ids).size).to.equal(ids.length);
    const outOfOrder = ids.findIndex((id, i) => i > 0 && ids[i - 1]! >= id);
    expect(outOfOrder).to.equal(-1);
  });

  it('carry the current time in their first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(msecs).to.be.within(before, after);
  });
});
