// Static checks of the Helm chart in helm/switchboard. No helm binary is needed:
// the values are validated against the chart's JSON Schema, and the templates are
// read as text (value paths, helper names, block balance, security settings).
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

const CHART_DIR = path.resolve(__dirname, '../../helm/switchboard');
const TEMPLATES_DIR = path.join(CHART_DIR, 'templates');
const HELPERS_FILE = '_helpers.tpl';

const readChartFile = (relative: string): string => readFileSync(path.join(CHART_DIR, relative), 'utf8');

/** Every file of templates/, by name (manifests, helpers and NOTES.txt). */
function loadTemplates(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(TEMPLATES_DIR).sort()) {
    files.set(name, readFileSync(path.join(TEMPLATES_DIR, name), 'utf8'));
  }
  return files;
}

// ---------------------------------------------------------------------------
// Template text helpers
// ---------------------------------------------------------------------------

interface Action {
  /** The action's text without delimiters, trim markers and surrounding spaces. */
  body: string;
  start: number;
  end: number;
}

/** All `{{ ... }}` actions of a template, in order (comments included). */
function actionsOf(text: string): Action[] {
  const actions: Action[] = [];
  for (const m of text.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)) {
    actions.push({ body: m[1], start: m.index, end: m.index + m[0].length });
  }
  return actions;
}

// Actions that open a block closed by `{{ end }}`.
const BLOCK_OPENER = /^(if|with|range|define|block)\b/;
const BLOCK_END = /^end$/;

/** Block nesting depth at the end of a template: 0 when every block is closed; throws on a stray end. */
function blockBalance(text: string): number {
  let depth = 0;
  for (const { body } of actionsOf(text)) {
    if (BLOCK_OPENER.test(body)) {
      depth += 1;
    } else if (BLOCK_END.test(body)) {
      depth -= 1;
      if (depth < 0) {
        throw new Error('{{ end }} without an open block');
      }
    }
  }
  return depth;
}

/** Named templates (`define "name"`) of a file, with their bodies; nested blocks are handled. */
function parseDefines(text: string): Array<{ name: string; body: string }> {
  const defines: Array<{ name: string; body: string }> = [];
  let current: { name: string; bodyStart: number } | undefined;
  let depth = 0;
  for (const action of actionsOf(text)) {
    const define = /^define\s+"([^"]+)"$/.exec(action.body);
    if (define && depth === 0) {
      current = { name: define[1], bodyStart: action.end };
      depth = 1;
    } else if (BLOCK_OPENER.test(action.body)) {
      depth += current ? 1 : 0;
    } else if (BLOCK_END.test(action.body) && current) {
      depth -= 1;
      if (depth === 0) {
        defines.push({ name: current.name, body: text.slice(current.bodyStart, action.start) });
        current = undefined;
      }
    }
  }
  return defines;
}

/** Names passed to `include "name"` or `template "name"`. */
function helperReferences(text: string): string[] {
  return [...text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)].map((m) => m[1]);
}

/** Names a template references that no `define` provides. */
function undefinedHelpers(text: string, defined: ReadonlySet<string>): string[] {
  return helperReferences(text).filter((name) => !defined.has(name));
}

/** Replaces each `{{ include "name" ... }}` by the helper's body, recursively, for text-level checks. */
function expandIncludes(text: string, helpers: ReadonlyMap<string, string>, depth = 0): string {
  if (depth > 10) {
    throw new Error('helpers include each other in a cycle');
  }
  return text.replace(/\{\{-?\s*include\s+"([^"]+)"[^}]*\}\}/g, (whole, name: string) => {
    const body = helpers.get(name);
    return body === undefined ? whole : expandIncludes(body, helpers, depth + 1);
  });
}

/**
 * Dotted value paths a template reads: `.Values.a.b`, `$.Values.a.b`, `$root.Values.a.b`.
 * Paths relative to a `with`/`range` scope (`.b` inside `with .Values.a`) are not seen.
 */
function valuePaths(text: string): string[] {
  return [...text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1].slice(1));
}

/** True when every key of the dotted path is present in the values (a null or empty leaf counts). */
function hasValuePath(values: unknown, dotted: string): boolean {
  let node = values;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) {
      return false;
    }
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/** Paths of a template that values.yaml lacks. */
function missingValuePaths(text: string, values: unknown): string[] {
  return valuePaths(text).filter((p) => !hasValuePath(values, p));
}

/** Hook annotations of a template, read as text. */
function hookAnnotations(text: string): { hook?: string; weight?: number; deletePolicy?: string } {
  const read = (key: string): string | undefined =>
    new RegExp(`"?helm\\.sh/${key}"?:\\s*"?([^"\\n]+)"?`).exec(text)?.[1].trim();
  const weight = read('hook-weight');
  return { hook: read('hook'), weight: weight === undefined ? undefined : Number(weight), deletePolicy: read('hook-delete-policy') };
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe('helm chart (helm/switchboard)', () => {
  const values: unknown = parse(readChartFile('values.yaml'));
  const schema: object = JSON.parse(readChartFile('values.schema.json'));
  const templates = loadTemplates();
  const helpersText = templates.get(HELPERS_FILE) ?? '';
  const helpers = new Map(parseDefines(helpersText).map((d) => [d.name, d.body]));

  // allowUnionTypes: nullable settings are declared as ["integer", "null"].
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  const validate = ajv.compile(schema);
  const clone = (): Record<string, unknown> => structuredClone(values) as Record<string, unknown>;

  describe('Chart.yaml', () => {
    it('is a v2 chart whose appVersion is the app version in package.json', () => {
      const chart = parse(readChartFile('Chart.yaml')) as Record<string, unknown>;
      const pkg = JSON.parse(readFileSync(path.resolve(CHART_DIR, '../../package.json'), 'utf8')) as { version: string };
      expect(chart.apiVersion).to.equal('v2');
      expect(chart.name).to.equal('switchboard');
      expect(chart.appVersion).to.equal(pkg.version);
    });
  });

  describe('values.schema.json', () => {
    it('is a strict draft-07 schema', () => {
      expect(schema).to.include({ $schema: 'http://json-schema.org/draft-07/schema#', additionalProperties: false });
    });

    it('accepts the default values.yaml', () => {
      const ok = validate(values);
      expect(validate.errors ?? [], JSON.stringify(validate.errors)).to.deep.equal([]);
      expect(ok).to.equal(true);
    });

    it('rejects a replica count given as a string', () => {
      const bad = clone();
      (bad.web as Record<string, unknown>).replicaCount = '2';
      expect(validate(bad)).to.equal(false);
      expect(validate.errors?.map((e) => e.instancePath)).to.include('/web/replicaCount');
    });

    it('rejects an unknown top-level key and a misspelt nested key', () => {
      expect(validate({ ...clone(), replicaCount: 2 })).to.equal(false);
      const bad = clone();
      (bad.worker as Record<string, unknown>).replicas = 2;
      expect(validate(bad)).to.equal(false);
      expect(validate.errors?.map((e) => e.keyword)).to.include('additionalProperties');
    });

    it('rejects a master key that is not 32 bytes of base64, and accepts one that is', () => {
      const bad = clone();
      (bad.secret as Record<string, unknown>).masterKey = 'not-a-key';
      expect(validate(bad)).to.equal(false);
      const good = clone();
      (good.secret as Record<string, unknown>).masterKey = Buffer.alloc(32, 7).toString('base64');
      expect(validate(good), JSON.stringify(validate.errors)).to.equal(true);
    });

    it("accepts the schema owner's URL (or none), and refuses one that is not a PostgreSQL URL", () => {
      const withOwner = (url: string): Record<string, unknown> => {
        const v = clone();
        (v.secret as Record<string, unknown>).databaseOwnerUrl = url;
        return v;
      };
      expect(validate(withOwner('postgres://switchboard_owner:pw@db:5432/switchboard')), JSON.stringify(validate.errors)).to.equal(true);
      expect(validate(withOwner(''))).to.equal(true);
      expect(validate(withOwner('mysql://u@h/d'))).to.equal(false);
      expect(validate.errors?.map((e) => e.instancePath)).to.include('/secret/databaseOwnerUrl');
    });

    it('accepts an S3 media store with a bucket, and refuses one without a bucket or with a climbing prefix', () => {
      const withS3 = (s3: Record<string, unknown>): Record<string, unknown> => {
        const v = clone();
        v.media = { store: 's3', s3: { ...(v.media as { s3: object }).s3, ...s3 } };
        return v;
      };
      expect(validate(withS3({ bucket: 'switchboard-media', endpoint: 'https://minio.example:9000', prefix: 'prod/' })), JSON.stringify(validate.errors)).to.equal(true);
      expect(validate(withS3({ bucket: '' }))).to.equal(false);
      expect(validate.errors?.map((e) => e.instancePath)).to.include('/media/s3/bucket');
      expect(validate(withS3({ bucket: 'switchboard-media', prefix: 'a/../b' }))).to.equal(false);
      expect(validate(withS3({ bucket: 'switchboard-media', endpoint: 'minio:9000' }))).to.equal(false);
      expect(validate({ ...clone(), media: { store: 'minio' } })).to.equal(false);
    });

    it('accepts an empty or http(s) publicUrl and refuses one without a scheme or with a query', () => {
      const withPublicUrl = (publicUrl: string): Record<string, unknown> => {
        const v = clone();
        v.config = { ...(v.config as object), publicUrl };
        return v;
      };
      for (const good of ['', 'https://switchboard.example.com', 'http://10.0.0.5:8080/', 'https://example.com/switchboard']) {
        expect(validate(withPublicUrl(good)), `${good}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      }
      for (const bad of ['switchboard.example.com', 'ftp://example.com', 'https://example.com/?a=1', 'https://']) {
        expect(validate(withPublicUrl(bad)), bad).to.equal(false);
        expect(validate.errors?.map((e) => e.instancePath), bad).to.include('/config/publicUrl');
      }
    });

    it('uses no lookahead in patterns: Helm validates them with Go\'s RE2', () => {
      const patterns = [...JSON.stringify(schema).matchAll(/"pattern":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
      expect(patterns.length).to.be.greaterThan(5);
      expect(patterns.filter((p) => /\(\?[=!<]/.test(p))).to.deep.equal([]);
    });
  });

  describe('templates', () => {
    it('has the expected files', () => {
      expect([...templates.keys()]).to.include.members([
        HELPERS_FILE, 'deployment-web.yaml', 'deployment-worker.yaml', 'service.yaml', 'ingress.yaml',
        'secret.yaml', 'job-migrate.yaml', 'pvc.yaml', 'serviceaccount.yaml', 'poddisruptionbudget.yaml', 'NOTES.txt',
      ]);
    });

    it('close every block they open', () => {
      for (const [name, text] of templates) {
        expect(blockBalance(text), name).to.equal(0);
      }
    });

    it('read only value paths that values.yaml defines', () => {
      let seen = 0;
      for (const [name, text] of templates) {
        seen += valuePaths(text).length;
        expect(missingValuePaths(text, values), name).to.deep.equal([]);
      }
      // Guards the scanner itself: the chart reads dozens of values.
      expect(seen).to.be.greaterThan(40);
    });

    it('path checker: flags a path missing from values.yaml, accepts null leaves and $.Values', () => {
      const template = '{{ .Values.image.repository }} {{ $.Values.web.replicas }} {{ .Values.config.trustProxy }} {{ $.Values.ingress.enabled }}';
      expect(valuePaths(template)).to.deep.equal(['image.repository', 'web.replicas', 'config.trustProxy', 'ingress.enabled']);
      expect(missingValuePaths(template, values)).to.deep.equal(['web.replicas']);
      expect(hasValuePath({ a: { b: null } }, 'a.b')).to.equal(true);
      expect(hasValuePath({ a: { b: null } }, 'a.b.c')).to.equal(false);
    });

    it('include only helpers that _helpers.tpl defines, each defined once', () => {
      const names = parseDefines(helpersText).map((d) => d.name);
      expect(names.length).to.be.greaterThan(5);
      expect(new Set(names).size, 'duplicate define').to.equal(names.length);
      for (const [name, text] of templates) {
        expect(undefinedHelpers(text, new Set(names)), name).to.deep.equal([]);
      }
    });

    it('helper checker: flags an include of an undefined helper', () => {
      const template = '{{ include "switchboard.fullname" . }} {{- include "switchboard.nope" . | nindent 4 }}';
      expect(undefinedHelpers(template, new Set(helpers.keys()))).to.deep.equal(['switchboard.nope']);
      expect(parseDefines('{{- define "a" -}}{{ if .x }}1{{ end }}{{- end }}{{ define "b" }}2{{ end }}')).to.deep.equal([
        { name: 'a', body: '{{ if .x }}1{{ end }}' },
        { name: 'b', body: '2' },
      ]);
    });
  });

  for (const [file, role] of [['deployment-web.yaml', 'web'], ['deployment-worker.yaml', 'worker']] as const) {
    describe(file, () => {
      const text = (): string => expandIncludes(templates.get(file) ?? '', helpers);

      it(`runs the ${role} role with its own replica count and resources`, () => {
        expect(text()).to.match(new RegExp(`name: SWITCHBOARD_ROLE\\s+value: ${role}\\b`));
        expect(text()).to.include(`replicas: {{ .Values.${role}.replicaCount }}`);
        expect(text()).to.include(`toYaml .Values.${role}.resources`);
      });

      it('runs hardened: non-root, read-only root filesystem, no privilege escalation, no capabilities', () => {
        const t = text();
        expect(t).to.match(/runAsNonRoot: true/);
        expect(t).to.match(/readOnlyRootFilesystem: true/);
        expect(t).to.match(/allowPrivilegeEscalation: false/);
        expect(t).to.match(/capabilities:\s+drop:\s+- ALL/);
        expect(t).to.match(/seccompProfile:\s+type: RuntimeDefault/);
        expect(t).to.match(/mountPath: \/tmp\b/);
        expect(t).to.match(/mountPath: \/var\/lib\/switchboard\b/);
      });

      it('passes the media store, and the S3 keys from the Secret as optional (the SDK chain otherwise)', () => {
        const t = text();
        expect(t).to.match(/name: MEDIA_STORE\s+value: \{\{ \.Values\.media\.store \| quote \}\}/);
        expect(t).to.match(/name: S3_BUCKET\s+value: \{\{ required /);
        for (const key of ['s3AccessKeyId', 's3SecretAccessKey']) {
          expect(t).to.match(new RegExp(`key: \\{\\{ \\.Values\\.secret\\.keys\\.${key} \\}\\}\\s+optional: true`), key);
        }
      });

      it('passes PUBLIC_URL, only when the chart knows one, from switchboard.publicUrl', () => {
        expect(text()).to.match(/\{\{- with include "switchboard\.publicUrl" \. \}\}\s+- name: PUBLIC_URL\s+value: \{\{ \. \| quote \}\}\s+\{\{- end \}\}/);
      });

      it("runs as DATABASE_URL's role, and gets the owner's URL only when it migrates at boot", () => {
        const t = text();
        expect(t).to.match(/name: DATABASE_URL\s+valueFrom:\s+secretKeyRef:[\s\S]*?key: \{\{ \.Values\.secret\.keys\.databaseUrl \}\}/);
        const owner = t.indexOf('name: DATABASE_OWNER_URL');
        expect(owner).to.be.greaterThan(-1);
        const guard = t.lastIndexOf('{{- if not .Values.migrations.enabled }}', owner);
        expect(guard, 'DATABASE_OWNER_URL is guarded by migrations.enabled').to.be.greaterThan(-1);
        expect(t.indexOf('{{- end }}', guard)).to.be.greaterThan(owner);
      });

      it('probes liveness on /healthz and readiness on /readyz, behind a startup probe', () => {
        const t = text();
        expect(t).to.match(/livenessProbe:\s+httpGet:\s+path: \/healthz\b/);
        expect(t).to.match(/readinessProbe:\s+httpGet:\s+path: \/readyz\b/);
        expect(t).to.match(/startupProbe:\s+httpGet:\s+path: \/healthz\b/);
      });
    });
  }

  describe('switchboard.publicUrl', () => {
    const body = (): string => helpers.get('switchboard.publicUrl') ?? '';

    it('is config.publicUrl when set, else the first ingress host, https when a TLS entry lists that host', () => {
      const b = body();
      const explicit = b.indexOf('if .Values.config.publicUrl');
      const fromIngress = b.indexOf('else if and .Values.ingress.enabled .Values.ingress.hosts');
      expect(explicit, 'reads config.publicUrl first').to.be.greaterThan(-1);
      expect(fromIngress, 'then the ingress, only when enabled').to.be.greaterThan(explicit);
      expect(b).to.include('$host := (first .Values.ingress.hosts).host');
      expect(b).to.match(/range \.Values\.ingress\.tls \}\}\s+\{\{- if has \$host \(\.hosts \| default list\) \}\}\s+\{\{- \$scheme = "https" \}\}/);
      expect(b).to.include('printf "%s://%s" $scheme $host');
      expect(blockBalance(b)).to.equal(0);
    });

    it('is documented in values.yaml with an empty default', () => {
      expect((values as { config: Record<string, unknown> }).config.publicUrl).to.equal('');
    });
  });

  describe('migration job', () => {
    const job = (): string => templates.get('job-migrate.yaml') ?? '';

    it('is a pre-install,pre-upgrade hook that runs the migrate CLI and is replaced on each run', () => {
      const hook = hookAnnotations(job());
      expect(hook.hook).to.equal('pre-install,pre-upgrade');
      expect(hook.deletePolicy).to.equal('before-hook-creation,hook-succeeded');
      expect(job()).to.match(/command: \["node", "dist\/server\/cli\/migrate\.js"\]/);
      expect(expandIncludes(job(), helpers)).to.match(/readOnlyRootFilesystem: true/);
    });

    it("migrates with the schema owner's credentials from the Secret (optional: the runtime role's otherwise)", () => {
      const t = expandIncludes(job(), helpers);
      expect(t).to.match(/name: DATABASE_OWNER_URL\s+valueFrom:\s+secretKeyRef:[\s\S]{0,400}?key: \{\{ \.Values\.secret\.keys\.databaseOwnerUrl \}\}\s+optional: true/);
      expect(t).to.match(/name: DATABASE_URL\s+valueFrom:/);
      expect(templates.get('secret.yaml')).to.include('{{ .Values.secret.keys.databaseOwnerUrl }}: {{ .Values.secret.databaseOwnerUrl | b64enc | quote }}');
    });

    it('finds its Secret on first install: the Secret is a hook created before it', () => {
      const secret = hookAnnotations(templates.get('secret.yaml') ?? '');
      const migrate = hookAnnotations(job());
      expect(secret.hook).to.equal('pre-install,pre-upgrade');
      // Deleting the Secret after the hooks would leave the Deployments without it.
      expect(secret.deletePolicy).to.equal('before-hook-creation');
      expect(secret.weight).to.be.a('number').and.lessThan(migrate.weight ?? Number.NaN);
    });

    it('does not use the chart ServiceAccount or PersistentVolumeClaim, which do not exist during pre-install', () => {
      expect(job()).not.to.match(/serviceAccountName:/);
      expect(job()).not.to.match(/persistentVolumeClaim:|switchboard\.volumes/);
    });
  });
});
