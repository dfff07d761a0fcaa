import { memo, useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import { Can } from '../components/Can';
import { ChannelForm, WebhookDialog } from '../components/ChannelForm';
import { ErrorAlert } from '../components/ErrorAlert';
import { LaneNotice } from '../components/LaneNotice';
import { ListPage, ReadsField, RowAction } from '../components/ListPage';
import { RowActions } from '../components/RowActions';
import { channelsApi } from '../endpoints';
import { useFormats } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n';
import type { Channel, ChannelStatus, ChannelTestResult, QualityRating, Readable } from '../types';

/** A number as the viewer's role may read it: withheld fields are absent, never filled in. */
type ChannelView = Readable<Channel>;

type Open =
  | { kind: 'create' }
  | { kind: 'edit'; channel: ChannelView }
  | { kind: 'webhook'; channel: ChannelView; created: boolean }
  | null;

type OpenHandler = (kind: 'edit' | 'delete' | 'webhook', channel: ChannelView) => void;

/** A cell of a field the server may withhold: shown only to those who may read that field. */
const field = (name: keyof Channel) => ({ subject: 'Channel', name }) as const;

const QUALITY_LABEL: Partial<Record<QualityRating, MessageKey>> = {
  GREEN: 'channels.quality.GREEN',
  YELLOW: 'channels.quality.YELLOW',
  RED: 'channels.quality.RED',
  UNKNOWN: 'channels.quality.UNKNOWN',
};

const STATUS_LABEL: Record<ChannelStatus, MessageKey> = {
  active: 'channels.status.active',
  token_invalid: 'channels.status.token_invalid',
  disabled: 'channels.status.disabled',
};

/** Lower-cased text a channel is found by in the filter box. */
function searchText(channel: ChannelView): string {
  return [channel.name, channel.displayNumber, channel.phoneNumberId, channel.wabaId].filter(Boolean).join(' ').toLowerCase();
}

interface TestOutcome {
  channelId: string;
  name: string;
  result: ChannelTestResult;
}

/** `#/channels`: the WhatsApp numbers, their health, and create/edit/delete/test. */
export function ChannelsPage() {
  const { t } = useI18n();
  const [items, setItems] = useState<ChannelView[]>([]);
  const [defaults, setDefaults] = useState<Pick<Channel, 'graphBaseUrl' | 'graphVersion'> | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<Open>(null);
  const [testingId, setTestingId] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<TestOutcome | null>(null);
  const [deleting, setDeleting] = useState<ChannelView | null>(null);
  const list = useAction();
  const testing = useAction();
  const { run: runList } = list;
  const { run: runTest } = testing;

  const load = useCallback(async () => {
    const page = await runList(() => channelsApi.page());
    if (page) {
      setItems(page.items);
      setDefaults(page.defaults);
      setLoaded(true);
    }
  }, [runList]);

  useEffect(() => {
    void load();
  }, [load]);

  // The filter stays fast with hundreds of rows: the table follows a deferred value, every
  // row stays mounted (filtered-out rows are only hidden), and rows are memoised, so a
  // keystroke re-renders just the rows whose visibility changes.
  const deferredFilter = useDeferredValue(filter.trim().toLowerCase());
  const texts = useMemo(() => new Map(items.map((channel) => [channel.id, searchText(channel)])), [items]);
  const shown = useMemo(
    () => (deferredFilter ? new Set(items.filter((channel) => texts.get(channel.id)?.includes(deferredFilter)).map((channel) => channel.id)) : null),
    [items, texts, deferredFilter],
  );
  const shownCount = shown ? shown.size : items.length;

  const openFor = useCallback<OpenHandler>(
    (kind, channel) => {
      if (kind === 'delete') {
        setDeleting(channel);
        return;
      }
      setOpen(kind === 'webhook' ? { kind, channel, created: false } : { kind, channel });
    },
    [],
  );

  const test = useCallback(
    async (channel: ChannelView) => {
      setTestingId(channel.id);
      setOutcome(null);
      const result = await runTest(() => channelsApi.test(channel.id));
      setTestingId(null);
      if (!result) {
        return;
      }
      setOutcome({ channelId: channel.id, name: channel.name ?? '', result });
      setItems((previous) =>
        previous.map((item) => (item.id === channel.id ? { ...item, lastTestAt: result.checkedAt, lastTestOk: result.ok } : item)),
      );
      // A test may change the channel's status (token found invalid, quality); re-read quietly.
      channelsApi.page().then(
        (page) => setItems(page.items),
        () => undefined,
      );
    },
    [runTest],
  );

  function saved(channel: ChannelView, created: boolean) {
    setItems((previous) =>
      previous.some((item) => item.id === channel.id) ? previous.map((item) => (item.id === channel.id ? channel : item)) : [...previous, channel],
    );
    // After creating a number, show where Meta must send its webhooks.
    setOpen(created && channel.webhookUrl ? { kind: 'webhook', channel, created: true } : null);
  }

  const invalidCount = useMemo(() => items.filter((item) => item.status === 'token_invalid').length, [items]);

  return (
    <ListPage<ChannelView>
      title={t('channels.title')}
      create={{ can: ['create', 'Channel'], button: 'channels.create', label: t('channels.create'), onClick: () => setOpen({ kind: 'create' }) }}
      toolbar={
        <>
          {invalidCount > 0 && (
            <p className="alert alert-warning" id="channels-token-warning">
              {t('channels.tokenInvalidSummary', { count: invalidCount })}
            </p>
          )}

          <div className="toolbar">
            <div className="toolbar-filter">
              <label htmlFor="channels-filter">{t('channels.filter')}</label>
              <input
                id="channels-filter"
                type="search"
                autoComplete="off"
                aria-describedby="channels-count"
                value={filter}
                onChange={(event) => setFilter(event.target.value)}
              />
            </div>
            <p id="channels-count" className="hint" role="status">
              {loaded ? t('channels.count', { shown: shownCount, total: items.length }) : ''}
            </p>
          </div>

          <div id="channel-test-result" role="status" data-ok={outcome ? String(outcome.result.ok) : undefined} data-channel-id={outcome?.channelId}>
            {outcome && <TestResult outcome={outcome} />}
          </div>
          <ErrorAlert error={testing.error} />
        </>
      }
      tableId="channels-table"
      columns={[
        { key: 'name', header: t('channels.name') },
        { key: 'displayNumber', header: t('channels.displayNumber') },
        { key: 'phoneNumberId', header: t('channels.phoneNumberId'), field: field('phoneNumberId') },
        { key: 'quality', header: t('channels.quality'), field: field('qualityRating') },
        { key: 'throughput', header: t('channels.throughput'), numeric: true, field: field('throughputMps') },
        { key: 'lane', header: t('channels.laneShort'), field: field('lane') },
        { key: 'status', header: t('channels.statusHeader'), field: field('status') },
        { key: 'lastTest', header: t('channels.lastTest'), field: field('lastTestAt') },
      ]}
      hasActions
      rows={items}
      rowKey={(channel) => channel.id}
      renderRow={(channel) => (
        <ChannelRow
          key={channel.id}
          channel={channel}
          hidden={shown !== null && !shown.has(channel.id)}
          testing={testingId === channel.id}
          onOpen={openFor}
          onTest={test}
        />
      )}
      loaded={loaded}
      isEmpty={shownCount === 0}
      busy={list.busy}
      error={list.error}
      empty={items.length === 0 ? t('channels.empty') : t('channels.noMatch')}
      deletion={{
        can: ['delete', 'Channel'],
        button: 'channels.confirmDelete',
        title: t('channels.deleteTitle'),
        text: (channel) => <p>{t('channels.deleteText', { name: channel.name ?? '', number: channel.displayNumber ?? '' })}</p>,
        remove: (channel) => channelsApi.remove(channel.id),
        onRemoved: (channel) => setItems((previous) => previous.filter((item) => item.id !== channel.id)),
        target: deleting,
        setTarget: setDeleting,
      }}
    >
      {open?.kind === 'create' && <ChannelForm defaults={defaults} onClose={() => setOpen(null)} onSaved={saved} />}
      {open?.kind === 'edit' && <ChannelForm channel={open.channel} defaults={defaults} onClose={() => setOpen(null)} onSaved={saved} />}
      {open?.kind === 'webhook' && <WebhookDialog channel={open.channel} created={open.created} onClose={() => setOpen(null)} />}
    </ListPage>
  );
}

function TestResult({ outcome }: { outcome: TestOutcome }) {
  const { t } = useI18n();
  const { ok, details } = outcome.result;
  const facts = [
    details.verifiedName && t('channels.test.verifiedName', { value: details.verifiedName }),
    details.displayPhoneNumber && t('channels.test.displayPhoneNumber', { value: details.displayPhoneNumber }),
    details.qualityRating && t('channels.test.qualityRating', { value: details.qualityRating }),
    details.throughputLevel && t('channels.test.throughputLevel', { value: details.throughputLevel }),
  ].filter((fact): fact is string => Boolean(fact));
  return (
    <div className={ok ? 'alert alert-success' : 'alert alert-error'}>
      <p>{ok ? t('channels.test.ok', { name: outcome.name }) : t('channels.test.failed', { name: outcome.name })}</p>
      {facts.length > 0 && (
        <ul>
          {facts.map((fact) => (
            <li key={fact}>{fact}</li>
          ))}
        </ul>
      )}
      {details.error && (
        <p>
          {details.error.message} <span className="muted">({details.error.code})</span>
        </p>
      )}
    </div>
  );
}

interface RowProps {
  channel: ChannelView;
  hidden: boolean;
  testing: boolean;
  onOpen: OpenHandler;
  onTest: (channel: ChannelView) => Promise<void>;
}

/** One channel; memoised so filtering and testing re-render only the rows that change. */
const ChannelRow = memo(function ChannelRow({ channel, hidden, testing, onOpen, onTest }: RowProps) {
  const { t } = useI18n();
  const formats = useFormats();
  const warningId = `channel-warning-${channel.id}`;
  // The fields the server checks a number's rules against (channels/routes.ts).
  const label = channel.name ?? '';
  return (
    <tr hidden={hidden} data-id={channel.id} data-status={channel.status} className={channel.status === 'token_invalid' ? 'row-warning' : undefined}>
      <td className="channel-name">
        {channel.name}
        {channel.isSandbox && <span className="badge badge-sandbox">{t('channels.sandbox')}</span>}
        {channel.webhookUrl && (
          <button type="button" className="button-link small" onClick={() => onOpen('webhook', channel)} data-ui="channels.webhook">
            {t('channels.webhookShort')}
            <span className="visually-hidden"> {channel.name}</span>
          </button>
        )}
      </td>
      <td className="nowrap">{channel.displayNumber}</td>
      <ReadsField field={field('phoneNumberId')}>
        <td>{channel.phoneNumberId !== undefined && <code>{channel.phoneNumberId}</code>}</td>
      </ReadsField>
      <ReadsField field={field('qualityRating')}>
        <td>
          {channel.qualityRating !== undefined && (
            <span className={`badge badge-quality badge-quality-${channel.qualityRating.toLowerCase()}`} data-quality={channel.qualityRating}>
              <span aria-hidden="true" className="dot" />
              {t(QUALITY_LABEL[channel.qualityRating] ?? 'channels.quality.UNKNOWN')}
            </span>
          )}
        </td>
      </ReadsField>
      <ReadsField field={field('throughputMps')}>
        <td className="numeric nowrap">
          {channel.throughputMps !== undefined && t('channels.mps', { n: channel.throughputMps })}
          {channel.messagingTier && <div className="hint">{t('channels.tier', { tier: channel.messagingTier })}</div>}
        </td>
      </ReadsField>
      <ReadsField field={field('lane')}>
        <td>{channel.lane === undefined ? null : channel.lane === 'dedicated' ? t('channels.laneDedicated') : t('channels.laneShared')}</td>
      </ReadsField>
      <ReadsField field={field('status')}>
        <td>
          {channel.status !== undefined && <span className={`badge badge-channel-${channel.status}`}>{t(STATUS_LABEL[channel.status] ?? 'channels.status.active')}</span>}
          {channel.status === 'token_invalid' && (
            <p className="status-warning" id={warningId} role="note">
              <span aria-hidden="true">⚠ </span>
              {/* "update it" only to those who may: the others are told what is wrong, not asked to fix it. */}
              <Can I="update" a="Channel">
                {t('channels.tokenInvalid')}
              </Can>
              <Can not I="update" a="Channel">
                {t('channels.tokenInvalidReadOnly')}
              </Can>
            </p>
          )}
          {channel.statusReason && <p className="hint">{channel.statusReason}</p>}
          <LaneNotice channel={channel} name={label} />
        </td>
      </ReadsField>
      <ReadsField field={field('lastTestAt')}>
        <td className="last-test" data-last-test={channel.lastTestOk === null || channel.lastTestOk === undefined ? 'none' : String(channel.lastTestOk)}>
          {channel.lastTestAt ? (
            <>
              <span className={channel.lastTestOk ? 'test-ok' : 'test-failed'}>
                {channel.lastTestOk ? t('channels.lastTestOk') : t('channels.lastTestFailed')}
              </span>
              <time className="hint" dateTime={channel.lastTestAt}>
                {formats.dateTime(channel.lastTestAt)}
              </time>
            </>
          ) : (
            channel.lastTestAt === null && <span className="muted">{t('common.never')}</span>
          )}
        </td>
      </ReadsField>
      <td className="row-actions">
        <RowActions name={label} className="row-actions-stacked">
          <RowAction
            can={['test', 'Channel']}
            on={channel}
            button="channels.test"
            label={
              testing ? (
                t('channels.testing')
              ) : (
                <>
                  <span aria-hidden="true">{t('channels.testShort')}</span>
                  <span className="visually-hidden">{t('channels.testAction')}</span>
                </>
              )
            }
            name={label}
            onClick={() => void onTest(channel)}
            disabled={testing}
          />
          <RowAction
            can={['update', 'Channel']}
            on={channel}
            button="channels.edit"
            label={t('common.edit')}
            name={label}
            onClick={() => onOpen('edit', channel)}
            describedBy={channel.status === 'token_invalid' ? warningId : undefined}
          />
          <RowAction can={['delete', 'Channel']} on={channel} button="channels.delete" label={t('common.delete')} name={label} onClick={() => onOpen('delete', channel)} danger />
        </RowActions>
      </td>
    </tr>
  );
});
