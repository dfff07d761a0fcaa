import { useCallback, useEffect, useState } from 'react';
import { BroadcastDetail, ProgressBar } from '../components/BroadcastDetail';
import { BroadcastForm } from '../components/BroadcastForm';
import { ListPage, RowAction } from '../components/ListPage';
import { broadcastsApi } from '../endpoints';
import { useFormats } from '../format';
import { useListLoad } from '../hooks';
import { useI18n } from '../i18n';
import type { Broadcast } from '../types';

/** How often the list and an open broadcast re-read their progress while something is moving. */
export const PROGRESS_POLL_MS = 2000;
const moving = (b: Broadcast) => b.status === 'running' || b.status === 'scheduled';

/** `#/broadcasts`: broadcasts with their status and progress; create one; open one to watch and control it. */
export function BroadcastsPage() {
  const { t } = useI18n();
  const f = useFormats();
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const { items, setItems, loaded, list, load } = useListLoad<Broadcast>(() => broadcastsApi.list());
  const anyMoving = items.some(moving);
  useEffect(() => {
    if (!anyMoving) {
      return undefined;
    }
    const timer = setInterval(() => void load(), PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [anyMoving, load]);

  // Stable: the open broadcast reports each re-read through it.
  const replace = useCallback((b: Broadcast) => setItems((previous) => [b, ...previous.filter((x) => x.id !== b.id)]), []);

  return (
    <ListPage<Broadcast>
      title={t('broadcasts.title')}
      intro={<p>{t('broadcasts.intro')}</p>}
      create={{ can: ['create', 'Broadcast'], button: 'broadcasts.new', label: t('broadcasts.new'), onClick: () => setCreating(true) }}
      tableId="broadcasts-table"
      columns={[
        { key: 'name', header: t('broadcasts.name'), cell: (b) => <strong>{b.name}</strong> },
        { key: 'template', header: t('broadcasts.template'), cell: (b) => b.templateName ?? '—' },
        { key: 'status', header: t('broadcasts.status'), cell: (b) => <span className={`badge broadcast-${b.status}`}>{t(`broadcasts.status.${b.status}`)}</span> },
        { key: 'progress', header: t('broadcasts.progress'), cell: (b) => <ProgressBar broadcast={b} /> },
        { key: 'created', header: t('broadcasts.created'), cell: (b) => f.dateTimeZone(b.createdAt) },
      ]}
      rows={items}
      rowKey={(b) => b.id}
      rowAttributes={(b) => ({ 'data-id': b.id, 'data-name': b.name, 'data-status': b.status })}
      rowActions={(b) => <RowAction can={['read', 'Broadcast']} button="broadcasts.open" label={t('broadcasts.open')} name={b.name} onClick={() => setOpenId(b.id)} />}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('broadcasts.empty')}
    >
      {creating && (
        <BroadcastForm
          onClose={() => setCreating(false)}
          onCreated={(b) => {
            replace(b);
            setCreating(false);
            setOpenId(b.id);
          }}
        />
      )}
      {openId && <BroadcastDetail id={openId} onClose={() => setOpenId(null)} onChanged={replace} />}
    </ListPage>
  );
}
