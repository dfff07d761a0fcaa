import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useSession } from '../../auth';
import { attributesApi, contactsApi, labelsApi } from '../../contactsApi';
import type { AttributeDefinition, Contact, ContactDetail, Label } from '../../contactsApi';
import { useFormats } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { formatWaId } from '../../inbox';
import { hrefFor } from '../../router';
import { useFormErrors } from '../../useFormErrors';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { FormField } from '../FormField';
import { PageTitle } from '../PageTitle';
import { AttributeInput } from './AttributeInput';
import { ContactNotes } from './ContactNotes';
import { LabelChip, LabelPicker } from './LabelPicker';
import { MergeDialog } from './MergeDialog';

/** `#/contacts/<id>`: the profile, labels, attributes, consent, notes, and merging a duplicate in. */
export function ContactDetailView({ id }: { id: string }) {
  const { t } = useI18n();
  const { ability } = useSession();
  const [detail, setDetail] = useState<ContactDetail | null>(null);
  const [labels, setLabels] = useState<Label[]>([]);
  const [definitions, setDefinitions] = useState<AttributeDefinition[]>([]);
  const [merging, setMerging] = useState(false);
  const loading = useAction();
  const { run } = loading;
  const canLabels = ability.can('read', 'Label');
  const canAttributes = ability.can('read', 'ContactAttribute');

  const load = useCallback(async () => {
    const found = await run(() => contactsApi.get(id));
    if (found) {
      setDetail(found);
    }
  }, [id, run]);

  useEffect(() => {
    void load();
    if (canLabels) {
      void labelsApi.list().then((r) => setLabels(r.items), () => setLabels([]));
    }
    if (canAttributes) {
      void attributesApi.list().then((r) => setDefinitions(r.items), () => setDefinitions([]));
    }
  }, [load, canLabels, canAttributes]);

  const title = detail ? detail.contact.profileName?.trim() || formatWaId(detail.contact.waId) : t('contacts.title');
  const replace = (contact: Contact) => setDetail((d) => (d ? { ...d, contact } : d));
  return (
    <div className="contact-detail" data-contact={id}>
      <p>
        <a href={hrefFor('contacts')} data-ui="contacts.back">{t('contacts.back')}</a>
      </p>
      <PageTitle
        title={title}
        actions={
          <Can I="merge" a="Contact">
            <button type="button" className="button-secondary" onClick={() => setMerging(true)} disabled={!detail} data-button="contacts.merge">
              {t('contacts.merge')}
            </button>
          </Can>
        }
      />
      <ErrorAlert error={loading.error} />
      {!detail ? (
        <p>{t('common.loading')}</p>
      ) : (
        <>
          <ProfileCard detail={detail} />
          <ContactForm key={detail.contact.updatedAt ?? ''} contact={detail.contact} labels={labels} definitions={definitions} onSaved={replace} />
          <ConsentCard contact={detail.contact} onChanged={replace} />
          <ContactNotes contactId={id} notes={detail.notes} onChanged={(notes) => setDetail((d) => (d ? { ...d, notes } : d))} />
          {merging && <MergeDialog contact={detail.contact} onClose={() => setMerging(false)} onMerged={() => { setMerging(false); void load(); }} />}
        </>
      )}
    </div>
  );
}

function ProfileCard({ detail }: { detail: ContactDetail }) {
  const { t } = useI18n();
  const formats = useFormats();
  const c = detail.contact;
  return (
    <section className="card contact-profile" aria-labelledby="contact-profile-title">
      <h2 id="contact-profile-title">{t('contacts.profile')}</h2>
      <dl className="contact-facts">
        <dt>{t('contacts.phone')}</dt>
        <dd id="contact-phone" className={c.phoneMasked ? 'phone masked' : 'phone'} data-masked={c.phoneMasked ? 'true' : 'false'}>
          {formatWaId(c.waId)}
          {c.phoneMasked && <span className="hint"> {t('contacts.phoneWithheld')}</span>}
        </dd>
        <dt>{t('contacts.country')}</dt>
        <dd>{[c.country, c.region].filter(Boolean).join(' · ') || '—'}</dd>
        {c.numberType && (
          <>
            <dt>{t('contacts.numberType')}</dt>
            <dd>{t('contacts.numberTypeValue', { type: c.numberType.replace(/_/g, ' ') })}</dd>
          </>
        )}
        <dt>{t('contacts.lastInbound')}</dt>
        <dd>{c.lastInboundAt ? formats.dateTime(c.lastInboundAt) : t('common.never')}</dd>
        {detail.aliases.length > 0 && (
          <>
            <dt>{t('contacts.aliases')}</dt>
            <dd>{detail.aliases.map((a) => formatWaId(a.waId)).join(', ')}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

function ContactForm({ contact, labels, definitions, onSaved }: { contact: Contact; labels: Label[]; definitions: AttributeDefinition[]; onSaved: (c: Contact) => void }) {
  const { t } = useI18n();
  const { ability } = useSession();
  const editable = ability.can('update', 'Contact');
  const [name, setName] = useState(contact.profileName ?? '');
  const [language, setLanguage] = useState(contact.language ?? '');
  const [labelIds, setLabelIds] = useState<string[]>((contact.labels ?? []).map((l) => l.id));
  const [values, setValues] = useState<Record<string, unknown>>(contact.attributes ?? {});
  const action = useAction();
  const fieldLabels = Object.fromEntries([['profileName', t('contacts.name')], ['language', t('contacts.language')], ...definitions.map((d) => [`attributes.${d.key}`, d.name])]);
  const errors = useFormErrors(action.error, fieldLabels);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Every defined attribute is sent: an emptied one is cleared (null).
    const attributes = Object.fromEntries(definitions.map((d) => [d.key, values[d.key] ?? null])) as Record<string, string | number | boolean | null>;
    const result = await action.run(() =>
      contactsApi.update(contact.id, { profileName: name.trim() || null, language: language.trim() || null, labelIds, ...(definitions.length > 0 ? { attributes } : {}) }),
    );
    if (result) {
      onSaved(result.contact);
    }
  }

  return (
    <section className="card" aria-labelledby="contact-edit-title">
      <h2 id="contact-edit-title">{t('contacts.details')}</h2>
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)} className="contact-form">
        <FormField id="contact-name" label={t('contacts.name')} error={errors.field('profileName')}>
          {(describedBy, invalid) => (
            <input id="contact-name" name="profileName" disabled={!editable} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(event) => setName(event.target.value)} />
          )}
        </FormField>
        <FormField id="contact-language" label={t('contacts.language')} hint={t('contacts.languageHint')} error={errors.field('language')}>
          {(describedBy, invalid) => (
            <input id="contact-language" name="language" disabled={!editable} aria-describedby={describedBy} aria-invalid={invalid} value={language} onChange={(event) => setLanguage(event.target.value)} />
          )}
        </FormField>
        <fieldset className="contact-labels">
          <legend>{t('contacts.labels')}</legend>
          {labels.length > 0 || labelIds.length === 0 ? (
            <LabelPicker labels={labels} value={labelIds} onChange={setLabelIds} disabled={!editable} />
          ) : (
            <span className="label-chips">{(contact.labels ?? []).map((l) => <LabelChip key={l.id} label={l} />)}</span>
          )}
          {errors.field('labelIds') && <p className="field-error">{errors.field('labelIds')}</p>}
        </fieldset>
        {definitions.length > 0 && (
          <fieldset className="contact-attributes">
            <legend>{t('contacts.attributes')}</legend>
            {definitions.map((d) => (
              <AttributeInput key={d.key} definition={d} value={values[d.key]} disabled={!editable} error={errors.field(`attributes.${d.key}`)} onChange={(v) => setValues((current) => ({ ...current, [d.key]: v }))} />
            ))}
          </fieldset>
        )}
        <ErrorAlert error={action.error} form={errors} />
        <Can I="update" a="Contact">
          <div className="form-actions">
            <button type="submit" className="button-primary" disabled={action.busy} data-button="contacts.save">
              {t('common.save')}
            </button>
          </div>
        </Can>
      </form>
    </section>
  );
}

function ConsentCard({ contact, onChanged }: { contact: Contact; onChanged: (c: Contact) => void }) {
  const { t, tMaybe } = useI18n();
  const formats = useFormats();
  const action = useAction();
  const set = async (state: 'in' | 'out') => {
    const result = await action.run(() => contactsApi.consent(contact.id, state));
    if (result) {
      onChanged(result.contact);
    }
  };
  return (
    <section className="card" aria-labelledby="contact-consent-title">
      <h2 id="contact-consent-title">{t('contacts.consent')}</h2>
      <p id="contact-opt" data-opt={contact.optState}>
        {contact.optState ? t(`contacts.opt.${contact.optState}`) : '—'}
        {contact.optSource && contact.optChangedAt && (
          <span className="hint"> {t('contacts.optSince', { source: tMaybe(`contacts.optSource.${contact.optSource}`) ?? contact.optSource, at: formats.dateTime(contact.optChangedAt) })}</span>
        )}
      </p>
      <Can I="consent" a="Contact">
        <div className="form-actions">
          <button type="button" className="button-secondary" disabled={action.busy || contact.optState === 'in'} onClick={() => void set('in')} data-button="contacts.optIn">
            {t('contacts.optIn')}
          </button>
          <button type="button" className="button-secondary danger" disabled={action.busy || contact.optState === 'out'} onClick={() => void set('out')} data-button="contacts.optOut">
            {t('contacts.optOut')}
          </button>
        </div>
      </Can>
      <ErrorAlert error={action.error} />
    </section>
  );
}
