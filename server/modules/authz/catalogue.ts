import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { policiesDir } from '../../lib/paths';
import { rawRulesSchema, type RawRuleInput } from './schema';

/** A text in each language of the panel. */
const labelsSchema = z.strictObject({ en: z.string().min(1), fr: z.string().min(1) });
export type Labels = z.infer<typeof labelsSchema>;

const catalogueSchema = z.strictObject({
  // The panel's name of each subject (the permission groups), in each language.
  subjects: z.record(z.string().regex(/^[A-Z][A-Za-z]+$/), labelsSchema),
  actions: z.array(
    z.strictObject({
      key: z.string().regex(/^[A-Z][A-Za-z]+:[a-z][A-Za-z]+$/, 'Subject:action'),
      labels: labelsSchema,
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
  name: labelsSchema,
  description: z.strictObject({ en: z.string(), fr: z.string() }),
  rules: rawRulesSchema,
});

/** A built-in role's name and description in one language. */
export type RoleTexts = { name: string; description: string };

/**
 * A built-in role. `name` and `description` are the English texts (stored in the roles table,
 * as a custom role's are); `texts` holds them in each language of the panel.
 */
export type BuiltinRole = { key: string; name: string; description: string; texts: { en: RoleTexts; fr: RoleTexts }; rules: RawRuleInput[] };

function loadCatalogue(): { actions: CatalogueAction[]; subjects: Record<string, Labels> } {
  const parsed = catalogueSchema.parse(YAML.parse(readFileSync(path.join(policiesDir, 'permissions.yaml'), 'utf8')));
  const seen = new Set<string>();
  const actions = parsed.actions.map((a) => {
    if (seen.has(a.key)) {
      throw new Error(`permissions.yaml: duplicate action ${a.key}`);
    }
    seen.add(a.key);
    const [subject, action] = a.key.split(':') as [string, string];
    return { ...a, subject, action };
  });
  return { actions, subjects: parsed.subjects };
}

const loaded = loadCatalogue();
/** Every action the product checks, from policies/permissions.yaml, validated at load. */
export const catalogue: readonly CatalogueAction[] = loaded.actions;
/**
 * The panel's name of each subject, in each language. A subject missing here is shown by its
 * key (tests/unit/catalogueLabels.test.ts fails on one), so a new subject cannot stop the boot.
 */
export const subjectLabels: Readonly<Record<string, Labels>> = loaded.subjects;
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
      const texts = {
        en: { name: role.name.en, description: role.description.en },
        fr: { name: role.name.fr, description: role.description.fr },
      };
      return { key: role.key, name: texts.en.name, description: texts.en.description, texts, rules: role.rules };
    });
}

let builtinTexts: Map<string, BuiltinRole['texts']> | null = null;

/** The shipped name and description of a built-in role in each language, by key (null for any other key). */
export function builtinRoleTexts(key: string): BuiltinRole['texts'] | null {
  builtinTexts ??= new Map(loadBuiltinRoles().map((r) => [r.key, r.texts]));
  return builtinTexts.get(key) ?? null;
}
