import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { policiesDir } from '../../lib/paths';
import { rawRulesSchema, type RawRuleInput } from './schema';

const catalogueSchema = z.strictObject({
  actions: z.array(
    z.strictObject({
      key: z.string().regex(/^[A-Z][A-Za-z]+:[a-z][A-Za-z]+$/, 'Subject:action'),
      labels: z.strictObject({ en: z.string().min(1), fr: z.string().min(1) }),
      buttons: z.array(z.string().regex(/^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)+$/)),
    }),
  ),
});

export type CatalogueAction = {
  key: string;
  subject: string;
  action: string;
  labels: { en: string; fr: string };
  buttons: string[];
};

const builtinRoleSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z-]*$/),
  name: z.string().min(1),
  description: z.string(),
  rules: rawRulesSchema,
});

export type BuiltinRole = { key: string; name: string; description: string; rules: RawRuleInput[] };

function loadCatalogue(): CatalogueAction[] {
  const parsed = catalogueSchema.parse(YAML.parse(readFileSync(path.join(policiesDir, 'permissions.yaml'), 'utf8')));
  const seen = new Set<string>();
  return parsed.actions.map((a) => {
    if (seen.has(a.key)) {
      throw new Error(`permissions.yaml: duplicate action ${a.key}`);
    }
    seen.add(a.key);
    const [subject, action] = a.key.split(':') as [string, string];
    return { ...a, subject, action };
  });
}

/** Every action the product checks, from policies/permissions.yaml, validated at load. */
export const catalogue: readonly CatalogueAction[] = loadCatalogue();
const catalogueKeys = new Set(catalogue.map((a) => a.key));
export const catalogueSubjects = new Set(catalogue.map((a) => a.subject));
export const catalogueActionNames = new Set(catalogue.map((a) => a.action));

/** True when `Subject:action` is in the catalogue. */
export function isCatalogued(subject: string, action: string): boolean {
  return catalogueKeys.has(`${subject}:${action}`);
}

/** The built-in roles shipped in policies/roles/*.yaml. */
export function loadBuiltinRoles(): BuiltinRole[] {
  const dir = path.join(policiesDir, 'roles');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const role = builtinRoleSchema.parse(YAML.parse(readFileSync(path.join(dir, f), 'utf8')));
      if (`${role.key}.yaml` !== f) {
        throw new Error(`policies/roles/${f}: key ${role.key} does not match the file name`);
      }
      return role;
    });
}
