import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../server/lib/paths';
import { catalogue, isCatalogued } from '../../server/modules/authz/catalogue';
import { startTestApp, type TestApp } from '../support/app';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

describe('every route declares its permission', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  it('walks the routers: no route lacks a declaration', () => {
    const built = app.runtime.built!;
    const declared = new Set(built.routes.map((r) => `${r.method} ${r.path}`));
    let walked = 0;
    for (const router of built.routers) {
      for (const layer of router.stack) {
        for (const method of layer.methods.filter((m: string) => m !== 'HEAD')) {
          walked += 1;
          expect(declared.has(`${method} ${layer.path}`), `${method} ${layer.path} has no access declaration`).to.equal(true);
        }
      }
    }
    expect(walked).to.equal(built.routes.length);
  });

  it('every permission a route requires is in the catalogue', () => {
    for (const r of app.runtime.built!.routes) {
      if (r.access.kind === 'permission') {
        expect(isCatalogued(r.access.subject, r.access.action), `${r.method} ${r.path}: ${r.access.subject}:${r.access.action}`).to.equal(true);
      }
    }
  });

  it('only system endpoints, sign-in, the session check and the signed webhook are public', () => {
    const publicRoutes = app.runtime.built!.routes.filter((r) => r.access.kind === 'public').map((r) => `${r.method} ${r.path}`);
    // GET /auth/session answers the caller's own session, or null without a valid cookie.
    expect(publicRoutes.sort()).to.deep.equal(
      ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/v1/openapi.json', 'POST /api/v1/auth/login', 'GET /api/v1/auth/session', 'GET /webhooks/whatsapp', 'POST /webhooks/whatsapp'].sort(),
    );
  });

  it('every button in the catalogue exists in the admin UI, wrapped by its permission', () => {
    const ui = sourceFiles(path.join(projectRoot, 'admin-ui', 'src'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const action of catalogue) {
      for (const button of action.buttons) {
        expect(ui.includes(`"${button}"`) || ui.includes(`'${button}'`), `button ${button} (${action.key}) is not in admin-ui/src`).to.equal(true);
      }
    }
  });
});
