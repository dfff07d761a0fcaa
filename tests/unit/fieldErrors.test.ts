import { expect } from 'chai';
import { ApiError } from '../../admin-ui/src/api';
import { fieldIssues, fieldName, formErrors, issueText, type Translate } from '../../admin-ui/src/fieldErrors';
import { en } from '../../admin-ui/src/i18n/en';
import { fr } from '../../admin-ui/src/i18n/fr';

/** The panel's translate helpers over one dictionary, as the i18n context builds them. */
function translator(dict: Record<string, string>): Translate {
  const fill = (text: string, vars?: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m));
  return {
    t: (key, vars) => fill(dict[key]!, vars),
    tMaybe: (key, vars) => (key in dict ? fill(dict[key]!, vars) : null),
  };
}
const EN = translator(en);
const FR = translator(fr);

/** A `validation_failed` answer as server/http/validation.ts writes it. */
const invalid = (...fields: unknown[]) => new ApiError(400, 'validation_failed', 'Invalid body: ...', { fields });

describe('the panel words refused fields in the user language (admin-ui/src/fieldErrors.ts)', () => {
  it('reads the fields of an answer, without the body prefix, skipping anything malformed', () => {
    const error = invalid({ path: 'body.phoneNumberId', message: 'digits only', code: 'invalid_format', format: 'digits' }, { message: 'no path' }, 'nonsense', { path: 'query.limit', message: 'x', code: 'too_big', maximum: 200, origin: 'number' });
    expect(fieldIssues(error).map((i) => i.path)).to.deep.equal(['phoneNumberId', 'query.limit']);
    expect(fieldIssues(new Error('not an API error'))).to.deep.equal([]);
    expect(fieldIssues(new ApiError(409, 'conflict', 'x'))).to.deep.equal([]);
  });

  it('words each kind of refusal from its code, never from the English message', () => {
    const say = (issue: Record<string, unknown>, i18n = EN) => issueText({ path: 'x', message: 'ENGLISH', ...issue }, i18n);
    expect(say({ code: 'invalid_format', format: 'digits' })).to.equal('Digits only (5 to 32 digits).');
    expect(say({ code: 'invalid_format', format: 'digits' }, FR)).to.equal('Chiffres uniquement (5 à 32 chiffres).');
    expect(say({ code: 'invalid_format', format: 'email' }, FR)).to.equal('Une adresse e-mail comme nom@exemple.fr.');
    // A format the panel has no words for still gets translated words, not the server's.
    expect(say({ code: 'invalid_format', format: 'regex' }, FR)).to.equal("N'est pas au format attendu.");
    expect(say({ code: 'too_small', origin: 'string', minimum: 8 })).to.equal('At least 8 characters.');
    expect(say({ code: 'too_small', origin: 'string', minimum: 1 }, FR)).to.equal('Obligatoire.');
    expect(say({ code: 'too_big', origin: 'string', maximum: 80 }, FR)).to.equal('Au plus 80 caractères.');
    expect(say({ code: 'too_big', origin: 'number', maximum: 1000 })).to.equal('At most 1000.');
    expect(say({ code: 'too_small', origin: 'array', minimum: 1 })).to.equal('Choose at least 1.');
    expect(say({ code: 'invalid_type', expected: 'string', missing: true }, FR)).to.equal('Obligatoire.');
    expect(say({ code: 'invalid_type', expected: 'int' })).to.equal('Enter a whole number.');
    expect(say({ code: 'invalid_value' }, FR)).to.equal('Choisissez une des options proposées.');
    expect(say({ code: 'taken' }, FR)).to.equal('Déjà utilisé : choisissez-en un autre.');
    expect(say({ code: 'unrecognized_keys' })).to.equal('Not accepted here.');
  });

  it("falls back on the error's own translation, then on the server's words, then on generic words", () => {
    // graph_host_not_allowed names its field with no code: the error's translation says why.
    expect(issueText({ path: 'graphBaseUrl', message: 'is not allowed' }, FR, 'graph_host_not_allowed')).to.equal(fr['errors.graph_host_not_allowed']);
    // A rule the server words itself (a custom check): its words.
    expect(issueText({ path: 'buttons', code: 'custom', message: 'at most 2 website (URL) buttons' }, FR)).to.equal('at most 2 website (URL) buttons');
    expect(issueText({ path: 'buttons', code: 'custom', message: '' }, EN)).to.equal('This value is not accepted.');
  });

  it("words Meta's template rules the server names, with their limits, in both languages", () => {
    const rule = (name: string, limit?: number) => ({ path: 'x', code: 'custom', message: 'ENGLISH', rule: name, limit });
    expect(issueText(rule('url_buttons_max', 2), EN)).to.equal('At most 2 website buttons.');
    expect(issueText(rule('url_buttons_max', 2), FR)).to.equal('Au plus 2 boutons de site web.');
    // Shared with the panel's live checks: the same words either way.
    expect(issueText(rule('variable_edge'), FR)).to.equal(fr['templates.problem.edge']);
    expect(issueText(rule('button_text_unique'), FR)).to.equal('Chaque bouton doit avoir un texte différent.');
    // A rule the panel does not know yet: the server's words.
    expect(issueText(rule('brand_new_rule'), FR)).to.equal('ENGLISH');
    expect(issueText({ path: 'name', message: 'ENGLISH', code: 'invalid_format', format: 'template_name' }, FR)).to.equal('Lettres minuscules, chiffres et tirets bas uniquement.');
  });

  it('names a field by its label, else by its path in words', () => {
    expect(fieldName('phoneNumberId', { phoneNumberId: 'Phone number ID' })).to.equal('Phone number ID');
    expect(fieldName('phoneNumberId')).to.equal('phone number id');
    expect(fieldName('buttons.1.phoneNumber')).to.equal('buttons phone number');
    expect(fieldName('query.limit')).to.equal('limit');
  });

  it('puts refusals of the form fields beside them, and names the others by label for the alert', () => {
    const error = invalid(
      { path: 'body.phoneNumberId', message: 'digits only', code: 'invalid_format', format: 'digits' },
      { path: 'body.accessToken', message: 'too short', code: 'too_small', origin: 'string', minimum: 8 },
      { path: 'body.accessToken', message: 'too short', code: 'too_small', origin: 'string', minimum: 8 },
      { path: 'body.locale', message: 'bad', code: 'invalid_value', values: ['en', 'fr'] },
    );
    const labels = { phoneNumberId: 'Identifiant du numéro', accessToken: "Jeton d'accès" };
    const form = formErrors(error, labels, FR);
    expect(form.field('phoneNumberId')).to.equal('Chiffres uniquement (5 à 32 chiffres).');
    // The same rule twice is said once.
    expect(form.field('accessToken')).to.equal('Au moins 8 caractères.');
    expect(form.field('name')).to.equal(null);
    expect(form.others).to.deep.equal(['locale : Choisissez une des options proposées.']);
    expect(form.beside).to.equal(true);

    const offForm = formErrors(invalid({ path: 'body.phoneNumberId', message: 'digits only', code: 'invalid_format', format: 'digits' }), {}, EN);
    expect(offForm.beside).to.equal(false);
    expect(offForm.others).to.deep.equal(['phone number id: Digits only (5 to 32 digits).']);
  });

  it('shows a taken value beside the field that holds it', () => {
    const taken = new ApiError(409, 'conflict', 'A user with this email already exists.', { fields: [{ path: 'body.email', message: 'already used', code: 'taken' }] });
    const form = formErrors(taken, { email: 'Email', name: 'Name' }, EN);
    expect(form.field('email')).to.equal('Already used: choose another.');
    expect(form.others).to.deep.equal([]);
  });

  it('places an error that names no field beside the field it is about, only on forms that ask for it', () => {
    const wrong = new ApiError(401, 'invalid_credentials', 'Email or password is incorrect.');
    const labels = { currentPassword: 'Current password', newPassword: 'New password' };
    const placed = formErrors(wrong, labels, EN, { invalid_credentials: 'currentPassword' }, 'The current password is incorrect.');
    expect(placed.field('currentPassword')).to.equal('The current password is incorrect.');
    expect(placed.beside).to.equal(true);
    const notPlaced = formErrors(wrong, labels, EN);
    expect(notPlaced.field('currentPassword')).to.equal(null);
    expect(notPlaced.beside).to.equal(false);
  });

  it('has words for every format the server names (server/lib/formats.ts callers and zod built-ins the forms meet)', () => {
    for (const format of ['digits', 'phone_number', 'graph_version', 'role_key', 'template_name', 'language_code', 'email', 'url', 'uuid']) {
      for (const [lang, i18n] of [['en', EN], ['fr', FR]] as const) {
        const text = issueText({ path: 'x', message: 'ENGLISH', code: 'invalid_format', format }, i18n);
        expect(text, `${lang} ${format}`).to.not.equal(i18n.t('fieldErrors.format'));
        expect(text, `${lang} ${format}`).to.not.equal('ENGLISH');
      }
    }
  });
});
