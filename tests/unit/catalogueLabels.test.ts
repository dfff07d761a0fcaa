// The panel names every permission group and every built-in role in each of its languages
// (policies/permissions.yaml `subjects`, policies/roles/*.yaml): a French user meets no
// English subject key or role name.
import { expect } from 'chai';
import { builtinRoleTexts, catalogueSubjects, loadBuiltinRoles, subjectLabels } from '../../server/modules/authz/catalogue';

describe('catalogue and built-in role texts', () => {
  it('names every subject of the catalogue in English and French, and no subject the catalogue lacks', () => {
    for (const subject of catalogueSubjects) {
      const labels = subjectLabels[subject];
      expect(labels, `permissions.yaml subjects: ${subject} has no labels`).to.not.equal(undefined);
      expect(labels!.en.trim(), subject).to.not.equal('');
      expect(labels!.fr.trim(), subject).to.not.equal('');
    }
    expect(Object.keys(subjectLabels).filter((s) => !catalogueSubjects.has(s)), 'labelled subjects with no action').to.deep.equal([]);
  });

  it('ships each built-in role with a name and a description in English and French', () => {
    const roles = loadBuiltinRoles();
    expect(roles.map((r) => r.key)).to.include.members(['admin', 'agent', 'auditor', 'compliance-officer', 'supervisor']);
    for (const role of roles) {
      // The English texts are what the roles table stores, as for a custom role.
      expect(role.name).to.equal(role.texts.en.name);
      expect(role.description).to.equal(role.texts.en.description);
      for (const lang of ['en', 'fr'] as const) {
        expect(role.texts[lang].name.trim(), `${role.key} ${lang} name`).to.not.equal('');
        expect(role.texts[lang].description.trim(), `${role.key} ${lang} description`).to.not.equal('');
      }
      expect(role.texts.fr.description, `${role.key}: French description`).to.not.equal(role.texts.en.description);
      expect(builtinRoleTexts(role.key)).to.deep.equal(role.texts);
    }
    expect(builtinRoleTexts('admin')?.fr.name).to.equal('Administrateur');
    expect(builtinRoleTexts('team-lead')).to.equal(null);
  });
});
