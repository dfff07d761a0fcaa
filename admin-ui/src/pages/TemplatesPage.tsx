import { inBackground } from '../api';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { Can } from '../components/Can';
import { ErrorAlert } from '../components/ErrorAlert';
import { ListPage } from '../components/ListPage';
import { TemplateForm } from '../components/TemplateForm';
import { channelsApi, templatesApi } from '../endpoints';
import { useFormats } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { languageName, statusClass } from '../templates';
import type { Channel, Template } from '../types';

/** While a template awaits Meta's verdict, the list is re-read this often (the verdict comes by webhook). */
const PENDING_POLL_MS = 4000;

/** `#/templates`: the message templates of one number's WABA, their review status, and "New template". */
export function TemplatesPage() {
  const { t } = useI18n();
  const [channels, setChannels] = useState<Array<Pick<Channel, 'id' | 'name' | 'displayNumber'> & { wabaId?: string }> | null>(null);
  const [channelId, setChannelId] = useState('');
  const [items, setItems] = useState<Template[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState('');
  const channelList = useAction();
  const list = useAction();
  const { run: runChannels } = channelList;
  const { run: runList } = list;

  useEffect(() => {
    void runChannels(() => channelsApi.list()).then((page) => {
      if (page) {
        setChannels(page.items);
        setChannelId((current) => current || page.items[0]?.id || '');
      }
    });
  }, [runChannels]);

  const load = useCallback(
    async (quiet = false) => {
      if (!channelId) {
        return;
      }
      // A periodic re-read shows no busy state and keeps the last list on a passing failure.
      const page = quiet ? await templatesApi.list(channelId).catch(() => null) : await runList(() => templatesApi.list(channelId));
      if (page) {
        setItems(page.items);
      }
    },
    [channelId, runList],
  );

  useEffect(() => {
    setItems(null);
    void load();
  }, [load]);

  const pending = useMemo(() => (items ?? []).filter((item) => item.status === 'PENDING').length, [items]);

  useEffect(() => {
    if (pending === 0) {
      return undefined;
    }
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') {
        void inBackground(() => load(true));
      }
    }, PENDING_POLL_MS);
    return () => window.clearInterval(timer);
  }, [pending, load]);

  const channel = channels?.find((item) => item.id === channelId) ?? null;

  function created(template: Template) {
    setCreating(false);
    setItems((previous) => [...(previous ?? []).filter((item) => item.id !== template.id), template].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language)));
    setNotice(t('templates.submitted', { name: template.name }));
  }

  return (
    <ListPage<Template>
      title={t('templates.title')}
      create={{
        can: ['create', 'Template'],
        // Checked against the chosen number, as the server does (a role may submit for some numbers only).
        on: channel ? { channelId: channel.id, wabaId: channel.wabaId } : undefined,
        button: 'templates.create',
        label: t('templates.create'),
        onClick: () => setCreating(true),
        disabled: !channel,
      }}
      toolbar={
        <>
          <div className="toolbar">
            <div className="toolbar-filter">
              <label htmlFor="templates-channel">{t('templates.number')}</label>
              <select id="templates-channel" value={channelId} onChange={(event) => setChannelId(event.target.value)} disabled={!channels || channels.length === 0}>
                {channels === null && <option value="">{t('common.loading')}</option>}
                {channels?.length === 0 && <option value="">{t('templates.noNumbers')}</option>}
                {(channels ?? []).map((item) => (
                  <option key={item.id} value={item.id}>
                    {item.name} ({item.displayNumber})
                  </option>
                ))}
              </select>
            </div>
            <Can I="read" a="Template">
              <button type="button" className="button-secondary" onClick={() => void load()} disabled={!channelId || list.busy} data-button="templates.refresh">
                {t('templates.refresh')}
              </button>
            </Can>
            <p className="hint" id="templates-polling" role="status">
              {pending > 0 ? t('templates.pendingPolling', { count: pending }) : ''}
            </p>
          </div>
          <div role="status" id="templates-notice">
            {notice && <p className="alert alert-success">{notice}</p>}
          </div>
          <ErrorAlert error={channelList.error} />
        </>
      }
      tableId="templates-table"
      caption={t('templates.caption', { number: channel?.name ?? '' })}
      columns={[
        { key: 'name', header: t('templates.name') },
        { key: 'language', header: t('templates.language') },
        { key: 'category', header: t('templates.categoryLabel') },
        { key: 'status', header: t('templates.status') },
        { key: 'content', header: t('templates.content') },
      ]}
      rows={items ?? []}
      rowKey={(item) => item.id}
      renderRow={(item) => <TemplateRow key={item.id} template={item} />}
      loaded={items !== null}
      busy={list.busy}
      error={list.error}
      empty={t('templates.empty')}
    >
      {creating && channel && <TemplateForm channel={channel} onCreated={created} onClose={() => setCreating(false)} />}
    </ListPage>
  );
}

/** One template: its status badge (and Meta's reason when rejected) and its texts. */
const TemplateRow = memo(function TemplateRow({ template }: { template: Template }) {
  const { t, tMaybe, lang } = useI18n();
  const formats = useFormats();
  const status = tMaybe(`templates.statusName.${template.status}`) ?? template.status;
  const category = tMaybe(`templates.category.${template.category}`) ?? template.category;
  const reason = template.rejectedReason ? (tMaybe(`templates.reason.${template.rejectedReason}`) ?? template.rejectedReason) : null;
  const body = template.bodyText ?? (template.category === 'AUTHENTICATION' ? t('templates.preview.authBody') : '');
  return (
    <tr data-id={template.id} data-name={template.name} data-status={template.status}>
      <td data-label={t('templates.name')}>
        <code>{template.name}</code>
      </td>
      <td data-label={t('templates.language')} title={template.language}>
        {languageName(template.language, lang)}
      </td>
      <td data-label={t('templates.categoryLabel')}>{category}</td>
      <td data-label={t('templates.status')} className="template-status">
        <span className={statusClass(template.status)}>{status}</span>
        {reason && <p className="status-warning template-reason">{t('templates.rejectedBecause', { reason })}</p>}
        {/* The template's own dates (not the last sync): with the zone, as review times are compared with Meta's. */}
        <p className="hint template-dates">
          <span data-date="created">
            {t('templates.createdLabel')}{' '}
            <time dateTime={template.createdAt}>{formats.dateTimeZone(template.createdAt)}</time>
          </span>
          {template.updatedAt !== template.createdAt && (
            <span data-date="updated">
              {' · '}
              {t('templates.updatedLabel')}{' '}
              <time dateTime={template.updatedAt}>{formats.dateTimeZone(template.updatedAt)}</time>
            </span>
          )}
        </p>
      </td>
      <td data-label={t('templates.content')} className="template-content">
        {template.header?.text && <p className="template-content-header">{template.header.text}</p>}
        {template.header && !template.header.text && <p className="hint">{tMaybe(`templates.header.${template.header.format}`) ?? template.header.format}</p>}
        <p className="template-content-body">{body}</p>
        {template.footer && <p className="hint">{template.footer}</p>}
        {template.buttons.length > 0 && (
          <ul className="template-content-buttons" aria-label={t('templates.buttons.title')}>
            {template.buttons.map((button, index) => (
              <li key={index} className="badge">
                {button.text ?? button.type}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
});
