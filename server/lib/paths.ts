import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project root: the nearest folder above this file holding package.json (same from server/ and dist/server/). */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`package.json not found above ${start}`);
    }
    dir = parent;
  }
  return dir;
}

export const projectRoot = findRoot(__dirname);
export const policiesDir = path.join(projectRoot, 'policies');
export const uiDistDir = path.join(projectRoot, 'dist', 'admin-ui');
/** Compiled code runs from dist/, where migrations are .js; tsx runs the .ts sources. */
export const runningCompiled = __filename.endsWith('.js');
export const migrationsDir = runningCompiled
  ? path.join(projectRoot, 'dist', 'migrations')
  : path.join(projectRoot, 'migrations');
