// A clone with nothing beside it has everything: the docs link only inside the repository,
// and no code or test names a path that climbs out of it.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../server/lib/paths';

/** Files under `dir` (relative to the project root) whose names end with one of `extensions`. */
function filesUnder(dir: string, extensions: string[]): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(projectRoot, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        walk(child);
      } else if (extensions.some((e) => entry.name.endsWith(e))) {
        found.push(child);
      }
    }
  };
  walk(dir);
  return found;
}

/** The targets of a Markdown document's links and images, without anchors. */
function linkTargets(markdown: string): string[] {
  return [...markdown.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe('the repository is self-contained', () => {
  const docs = ['README.md', ...filesUnder('docs', ['.md'])];

  it('has docs/architecture.md, and the README links to it', () => {
    expect(existsSync(path.join(projectRoot, 'docs', 'architecture.md'))).to.equal(true);
    expect(linkTargets(readFileSync(path.join(projectRoot, 'README.md'), 'utf8'))).to.include('docs/architecture.md');
  });

  it('links from the README and docs/ only to files inside the repository (or to web pages)', () => {
    for (const doc of docs) {
      for (const target of linkTargets(readFileSync(path.join(projectRoot, doc), 'utf8'))) {
        if (/^(https?:|mailto:|#)/.test(target)) {
          continue;
        }
        const resolved = path.resolve(projectRoot, path.dirname(doc), target.split('#')[0]!);
        expect(resolved.startsWith(projectRoot + path.sep), `${doc} links outside the repository: ${target}`).to.equal(true);
        expect(existsSync(resolved) && statSync(resolved).isFile(), `${doc} links to a missing file: ${target}`).to.equal(true);
      }
    }
  });

  it('names no path outside the repository in code, tests or scripts', () => {
    const sources = ['server', 'tests', 'scripts', 'admin-ui/src', 'migrations', '.ci'].flatMap((d) => filesUnder(d, ['.ts', '.tsx', '.mjs', 'run']));
    expect(sources.length).to.be.greaterThan(100);
    const offenders: string[] = [];
    for (const file of sources) {
      const text = readFileSync(path.join(projectRoot, file), 'utf8');
      // Relative paths (imports, fixtures, files read) resolve against the file's own folder.
      for (const m of text.matchAll(/['"`]((?:\.\.\/)+[^'"`\s$]*)['"`]/g)) {
        const resolved = path.resolve(projectRoot, path.dirname(file), m[1]!);
        if (resolved !== projectRoot && !resolved.startsWith(projectRoot + path.sep)) {
          offenders.push(`${file}: ${m[1]}`);
        }
      }
      // A path built by climbing above the project root.
      if (/projectRoot,\s*['"]\.\.['"]/.test(text)) {
        offenders.push(`${file}: joins '..' onto the project root`);
      }
    }
    expect(offenders).to.deep.equal([]);
  });

  it('keeps the licence beside each third-party document it ships', () => {
    expect(readFileSync(path.join(projectRoot, 'tests', 'fixtures', 'meta-openapi', 'LICENSE'), 'utf8')).to.match(/^MIT License/);
  });
});
