import { useEffect, useMemo, useRef, useState } from 'react';
import { channelsApi } from '../../endpoints';
import { useI18n } from '../../i18n';
import type { InboxFilters as Filters } from '../../inbox';
import type { ConversationStatus, ConversationSummary, InboxView } from '../../types';
import { useUnassignedCount } from '../../unassigned';

type ChannelOption = ConversationSummary['channel'];

function isStatus(value: string): value is ConversationStatus | '' {
  return value === '' || value === 'open' || value === 'pending' || value === 'resolved';
}

/**
 * The numbers the channel filter offers: every number the user may read, or else those seen
 * in the conversation list so far.
 */
export function useChannelOptions(canReadChannels: boolean, items: ConversationSummary[]): ChannelOption[] {
  const [apiChannels, setApiChannels] = useState<ChannelOption[] | null>(null);
  useEffect(() => {
    if (!canReadChannels) {
      return undefined;
    }
    let live = true;
    channelsApi.list().then(
      (page) => live && setApiChannels(page.items.map(({ id, name, displayNumber }) => ({ id, name, displayNumber }))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [canReadChannels]);
  const seenChannels = useRef(new Map<string, ChannelOption>());
  return useMemo(() => {
    if (apiChannels) {
      return apiChannels;
    }
    for (const item of items) {
      seenChannels.current.set(item.channel.id, item.channel);
    }
    return [...seenChannels.current.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [apiChannels, items]);
}

interface InboxFiltersProps {
  filters: Filters;
  /** The views the user's role allows. */
  views: InboxView[];
  channels: ChannelOption[];
  /** The search box's text; it reaches the filters after a pause in typing. */
  search: string;
  onSearch: (text: string) => void;
  onChange: (update: (current: Filters) => Filters) => void;
}

/** The inbox's filters: view, status, number and a search box. */
export function InboxFilters({ filters, views, channels, search, onSearch, onChange }: InboxFiltersProps) {
  const { t } = useI18n();
  const waiting = useUnassignedCount();
  return (
    <form className="inbox-filters" role="search" aria-label={t('inbox.filters')} onSubmit={(event) => event.preventDefault()}>
      <div className="field field-compact">
        <label htmlFor="inbox-view">{t('inbox.view')}</label>
        <select
          id="inbox-view"
          value={filters.view}
          onChange={(event) => {
            const view = views.find((candidate) => candidate === event.target.value);
            if (view) {
              onChange((current) => ({ ...current, view }));
            }
          }}
        >
          {views.map((view) => (
            <option key={view} value={view}>
              {t(`inbox.views.${view}`)}
              {view === 'unassigned' && waiting ? ` (${waiting})` : ''}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-compact">
        <label htmlFor="inbox-status">{t('inbox.statusFilter')}</label>
        <select
          id="inbox-status"
          value={filters.status}
          onChange={(event) => {
            const status = event.target.value;
            if (isStatus(status)) {
              onChange((current) => ({ ...current, status }));
            }
          }}
        >
          <option value="">{t('inbox.statusAll')}</option>
          <option value="open">{t('inbox.conversationStatus.open')}</option>
          <option value="pending">{t('inbox.conversationStatus.pending')}</option>
          <option value="resolved">{t('inbox.conversationStatus.resolved')}</option>
        </select>
      </div>
      <div className="field field-compact">
        <label htmlFor="inbox-channel">{t('inbox.channel')}</label>
        <select id="inbox-channel" value={filters.channelId} onChange={(event) => onChange((current) => ({ ...current, channelId: event.target.value }))}>
          <option value="">{t('inbox.allChannels')}</option>
          {channels.map((channel) => (
            <option key={channel.id} value={channel.id}>
              {channel.name} ({channel.displayNumber})
            </option>
          ))}
        </select>
      </div>
      <div className="field field-compact field-search">
        <label htmlFor="inbox-search">{t('inbox.search')}</label>
        <input
          id="inbox-search"
          type="search"
          autoComplete="off"
          placeholder={t('inbox.searchPlaceholder')}
          value={search}
          onChange={(event) => onSearch(event.target.value)}
        />
      </div>
    </form>
  );
}
