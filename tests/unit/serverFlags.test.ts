import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('the Node flags the server runs with', () => {
  // Measured once (send bench), applied in three places: a laptop, the image and the benches
  // must run the server alike, or the benches measure something no one runs.
  it('npm start, the Docker image and the benches give the server the same young generation size', () => {
    const flag = '--max-semi-space-size=64';
    expect(read('scripts/start.mjs')).to.include(`'${flag}', serverMain`);
    expect(read('docker/Dockerfile')).to.include(`CMD ["node", "${flag}", "dist/server/main.js"]`);
    expect(read('tests/bench/servers/fork.ts')).to.include(`const SERVER_NODE_FLAGS = ['${flag}']`);
  });
});
