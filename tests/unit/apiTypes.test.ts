import { expect } from 'chai';
import path from 'node:path';
import { committedText, generatedFiles } from '../../scripts/apiTypes';

// The panel's API types come from the server's OpenAPI document. A server change that alters a
// route's schemas without `npm run gen:api` leaves the panel typed against the old API: fail here.
describe('the panel API types', () => {
  it('are generated from the current route table (run `npm run gen:api` when this fails)', async function () {
    this.timeout(60_000);
    for (const { file, text } of await generatedFiles()) {
      const name = path.relative(process.cwd(), file);
      expect(committedText(file), `${name} is stale: run npm run gen:api`).to.equal(text);
    }
  });

  it('are built without a database and cover the routes the panel calls', async () => {
    const [document] = await generatedFiles();
    const paths = Object.keys((JSON.parse(document!.text) as { paths: Record<string, unknown> }).paths);
    expect(paths).to.include.members(['/api/v1/me', '/api/v1/users', '/api/v1/roles', '/api/v1/templates', '/api/v1/conversations/{id}/messages']);
  });
});
