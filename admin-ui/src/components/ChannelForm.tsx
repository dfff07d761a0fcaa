import { useState } from 'react';
import type { FormEvent } from 'react';
import { channelsApi } from '../endpoints';
import type { ChannelInput } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useFormErrors } from '../useFormErrors';
import type { Channel, ChannelLane, Readable, SecretState } from '../types';
import { CopyText } from './CopyText';
import { Dialog } from './Dialog';
import { ErrorAlert } from './ErrorAlert';
import { FormActions } from './FormActions';
import { FormField } from './FormField';

interface ChannelFormProps {
  /** The channel to edit (as the viewer may read it); absent to create one. */
  channel?: Readable<Channel>;
  /** What the server uses for the optional fields left empty, shown as placeholders. */
  defaults: Pick<Channel, 'graphBaseUrl' | 'graphVersion'> | null;
  onSaved: (channel: Readable<Channel>, created: boolean) => void;
  onClose: () => void;
}

type TextField = 'name' | 'displayNumber' | 'phoneNumberId' | 'wabaId' | 'appId' | 'graphBaseUrl' | 'graphVersion';
type SecretField = 'accessToken' | 'appSecret' | 'verifyToken';

const TEXT_FIELDS = [
  { field: 'name', id: 'channel-name', label: 'channels.name', required: true },
  { field: 'displayNumber', id: 'channel-display-number', label: 'channels.displayNumber', required: true },
  { field: 'phoneNumberId', id: 'channel-phone-number-id', label: 'channels.phoneNumberId', required: true },
  { field: 'wabaId', id: 'channel-waba-id', label: 'channels.wabaId', required: true },
  // Optional: only needed to upload sample files of templates with a media header.
  { field: 'appId', id: 'channel-app-id', label: 'channels.appId', required: false },
  { field: 'graphBaseUrl', id: 'channel-graph-base-url', label: 'channels.graphBaseUrl', required: false },
  { field: 'graphVersion', id: 'channel-graph-version', label: 'channels.graphVersion', required: false },
] as const satisfies readonly { field: TextField; id: string; label: string; required: boolean }[];

const SECRET_FIELDS = [
  { field: 'accessToken', id: 'channel-access-token', label: 'channels.accessToken', type: 'password' },
  { field: 'appSecret', id: 'channel-app-secret', label: 'channels.appSecret', type: 'password' },
  // Typed into Meta's dashboard as well, so the new value is shown while it is entered.
  { field: 'verifyToken', id: 'channel-verify-token', label: 'channels.verifyToken', type: 'text' },
] as const satisfies readonly { field: SecretField; id: string; label: string; type: string }[];

function randomToken(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Create or edit a WhatsApp number. Stored secrets are never shown: an empty field keeps them. */
export function ChannelForm({ channel, defaults, onSaved, onClose }: ChannelFormProps) {
  const { t } = useI18n();
  const [text, setText] = useState<Record<TextField, string>>({
    name: channel?.name ?? '',
    displayNumber: channel?.displayNumber ?? '',
    phoneNumberId: channel?.phoneNumberId ?? '',
    wabaId: channel?.wabaId ?? '',
    appId: channel?.appId ?? '',
    graphBaseUrl: channel?.graphBaseUrl ?? '',
    graphVersion: channel?.graphVersion ?? '',
  });
  const [secrets, setSecrets] = useState<Record<SecretField, string>>({ accessToken: '', appSecret: '', verifyToken: '' });
  const [lane, setLane] = useState<ChannelLane>(channel?.lane ?? 'shared');
  const [throughput, setThroughput] = useState(channel?.throughputMps === undefined ? '' : String(channel.throughputMps));
  const action = useAction();
  const errors = useFormErrors(action.error, {
    ...Object.fromEntries([...TEXT_FIELDS, ...SECRET_FIELDS].map(({ field, label }) => [field, t(label)])),
    lane: t('channels.lane'),
    throughputMps: t('channels.throughputLabel'),
  });
  // The server sends the stored token to a new Graph API host only when it is entered again.
  const graphMoved = channel !== undefined && text.graphBaseUrl.trim() !== '' && text.graphBaseUrl.trim() !== channel.graphBaseUrl;

  function secretHint(state: SecretState | undefined): string {
    if (!state) {
      return t('channels.secretRequired');
    }
    if (!state.set) {
      return t('channels.secretNotSet');
    }
    return state.last4 ? t('channels.secretSetLast4', { last4: state.last4 }) : t('channels.secretSet');
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = Object.fromEntries(Object.entries(text).map(([key, value]) => [key, value.trim()])) as Record<TextField, string>;
    const mps = throughput.trim() === '' ? undefined : Number(throughput);
    if (channel) {
      // Only what changed; a secret only when a new value was typed.
      const patch: Partial<ChannelInput> = {};
      for (const { field, required } of TEXT_FIELDS) {
        // An emptied optional field keeps the stored value rather than sending ''.
        // A field the viewer may not read counts as empty: it is sent only when a value is typed.
        if (trimmed[field] !== (channel[field] ?? '') && (required || trimmed[field] !== '')) {
          patch[field] = trimmed[field];
        }
      }
      // The app id is the one optional field that can be removed.
      if (trimmed.appId === '' && channel.appId) {
        patch.appId = null;
      }
      for (const { field } of SECRET_FIELDS) {
        if (secrets[field] !== '') {
          patch[field] = secrets[field];
        }
      }
      if (lane !== (channel.lane ?? 'shared')) {
        patch.lane = lane;
      }
      if (mps !== undefined && mps !== channel.throughputMps) {
        patch.throughputMps = mps;
      }
      if (Object.keys(patch).length === 0) {
        onClose();
        return;
      }
      const result = await action.run(() => channelsApi.update(channel.id, patch));
      if (result) {
        onSaved(result.channel, false);
      }
      return;
    }
    const input: ChannelInput = {
      name: trimmed.name,
      displayNumber: trimmed.displayNumber,
      phoneNumberId: trimmed.phoneNumberId,
      wabaId: trimmed.wabaId,
      accessToken: secrets.accessToken,
      appSecret: secrets.appSecret,
      verifyToken: secrets.verifyToken,
      lane,
    };
    if (trimmed.graphBaseUrl) {
      input.graphBaseUrl = trimmed.graphBaseUrl;
    }
    if (trimmed.graphVersion) {
      input.graphVersion = trimmed.graphVersion;
    }
    if (trimmed.appId) {
      input.appId = trimmed.appId;
    }
    if (mps !== undefined) {
      input.throughputMps = mps;
    }
    const result = await action.run(() => channelsApi.create(input));
    if (result) {
      onSaved(result.channel, true);
    }
  }

  return (
    <Dialog title={channel ? t('channels.editTitle', { name: channel.name ?? '' }) : t('channels.createTitle')} onClose={onClose} id="channel-dialog" wide>
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)} autoComplete="off">
        <div className="field-row">
          {TEXT_FIELDS.map(({ field, id, label, required }) => (
            <FormField
              key={field}
              id={id}
              label={t(label)}
              hint={required ? undefined : field === 'appId' ? t('channels.appIdHint') : t('channels.defaultHint')}
              error={errors.field(field)}
            >
              {(describedBy, invalid) => (
                <input
                  id={id}
                  name={field}
                  required={required}
                  type={field === 'graphBaseUrl' ? 'url' : 'text'}
                  inputMode={field === 'phoneNumberId' || field === 'wabaId' || field === 'appId' ? 'numeric' : undefined}
                  placeholder={field === 'graphBaseUrl' || field === 'graphVersion' ? defaults?.[field] : undefined}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  value={text[field]}
                  onChange={(event) => setText({ ...text, [field]: event.target.value })}
                />
              )}
            </FormField>
          ))}
        </div>
        <fieldset>
          <legend>{t('channels.secrets')}</legend>
          <div className="field-row">
            {SECRET_FIELDS.map(({ field, id, label, type }) => (
              <FormField
                key={field}
                id={id}
                label={t(label)}
                hint={
                  <span data-secret-state={channel ? (channel.secrets?.[field].set ? 'set' : 'unset') : undefined}>
                    {secretHint(channel?.secrets?.[field])}
                    {channel?.secrets?.[field].set && <> {t('channels.secretKeep')}</>}
                    {graphMoved && field === 'accessToken' && <> {t('channels.tokenForNewGraphUrl')}</>}
                  </span>
                }
                error={errors.field(field)}
                after={
                  field === 'verifyToken' && (
                    <button
                      type="button"
                      className="button-link"
                      onClick={() => setSecrets({ ...secrets, verifyToken: randomToken() })}
                      data-ui="channels.generateVerifyToken"
                    >
                      {t('channels.generate')}
                    </button>
                  )
                }
              >
                {(describedBy, invalid) => (
                  <input
                    id={id}
                    name={field}
                    type={type}
                    required={!channel || (graphMoved && field === 'accessToken')}
                    autoComplete="new-password"
                    spellCheck={false}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    value={secrets[field]}
                    onChange={(event) => setSecrets({ ...secrets, [field]: event.target.value })}
                  />
                )}
              </FormField>
            ))}
          </div>
        </fieldset>
        <div className="field-row">
          <FormField id="channel-lane" label={t('channels.lane')} hint={t('channels.laneHint')} error={errors.field('lane')}>
            {(describedBy, invalid) => (
              <select
                id="channel-lane"
                name="lane"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={lane}
                onChange={(event) => setLane(event.target.value === 'dedicated' ? 'dedicated' : 'shared')}
              >
                <option value="shared">{t('channels.laneShared')}</option>
                <option value="dedicated">{t('channels.laneDedicated')}</option>
              </select>
            )}
          </FormField>
          <FormField id="channel-throughput" label={t('channels.throughputLabel')} hint={t('channels.throughputHint')} error={errors.field('throughputMps')}>
            {(describedBy, invalid) => (
              <input
                id="channel-throughput"
                name="throughputMps"
                type="number"
                min={1}
                max={1000}
                step={1}
                inputMode="numeric"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={throughput}
                onChange={(event) => setThroughput(event.target.value)}
              />
            )}
          </FormField>
        </div>
        {channel?.webhookUrl && (
          <div className="field">
            <span className="label">{t('channels.webhookUrl')}</span>
            <CopyText id="channel-webhook-url" value={channel.webhookUrl} button="channels.copyWebhookUrl" label={t('channels.webhookUrl')} />
          </div>
        )}
        <ErrorAlert error={action.error} form={errors} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={channel ? ['update', 'Channel'] : ['create', 'Channel']}
          button={channel ? 'channels.submitEdit' : 'channels.submitCreate'}
          label={channel ? t('common.save') : t('channels.create')}
        />
      </form>
    </Dialog>
  );
}

/** The webhook URL and verify-token reminder to configure in Meta's app dashboard. */
export function WebhookDialog({ channel, created, onClose }: { channel: Readable<Channel>; created: boolean; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t('channels.webhookTitle', { name: channel.name ?? '' })} onClose={onClose} id="channel-webhook-dialog">
      {created && <p className="alert alert-success">{t('channels.created', { name: channel.name ?? '' })}</p>}
      <p>{t('channels.webhookIntro')}</p>
      <CopyText id="channel-webhook-url" value={channel.webhookUrl ?? ''} button="channels.copyWebhookUrl" label={t('channels.webhookUrl')} />
      <p className="hint">{t('channels.webhookVerifyHint')}</p>
      <div className="form-actions">
        <button type="button" className="button-primary" onClick={onClose} data-ui="channels.webhookDone">
          {t('common.done')}
        </button>
      </div>
    </Dialog>
  );
}
