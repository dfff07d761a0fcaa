import { useFormats } from '../format';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n';
import type { DataClass, RetentionPreview, RetentionRun } from '../types';

/** The label of each data class. */
export const CLASS_LABEL: Record<DataClass, MessageKey> = {
  messages: 'retention.class.messages',
  media: 'retention.class.media',
  inactive_contacts: 'retention.class.inactive_contacts',
  audit: 'retention.class.audit',
  exports: 'retention.class.exports',
  sessions: 'retention.class.sessions',
};

/** Under the periods: what the next run would delete (per class and number), then the last runs with their counts. */
export function RetentionActivity({ preview, runs, numberName }: { preview: RetentionPreview | null; runs: RetentionRun[]; numberName: (id: string | null) => string }) {
  const { t } = useI18n();
  const f = useFormats();
  const lines = (preview?.lines ?? []).filter((l) => l.count > 0);
  return (
    <>
      <h2>{t('retention.preview')}</h2>
      <div className="table-wrap">
        <table className="table" id="retention-preview">
          <caption className="visually-hidden">{t('retention.preview')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('retention.class')}</th>
              <th scope="col">{t('retention.number')}</th>
              <th scope="col" className="numeric">{t('retention.count')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={`${l.dataClass}:${l.channelId ?? 'all'}`} data-class={l.dataClass} data-channel={l.channelId ?? 'all'}>
                <td>{t(CLASS_LABEL[l.dataClass])}</td>
                <td>{numberName(l.channelId)}</td>
                <td className="numeric">{l.count}</td>
              </tr>
            ))}
            {preview && lines.length === 0 && (
              <tr>
                <td colSpan={3}>{t('retention.previewEmpty')}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <h2>{t('retention.runs')}</h2>
      <div className="table-wrap">
        <table className="table" id="retention-runs">
          <caption className="visually-hidden">{t('retention.runs')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('retention.startedAt')}</th>
              <th scope="col">{t('retention.trigger')}</th>
              <th scope="col" className="numeric">{t('retention.class.messages')}</th>
              <th scope="col" className="numeric">{t('retention.mediaFiles')}</th>
              <th scope="col" className="numeric">{t('retention.class.inactive_contacts')}</th>
              <th scope="col" className="numeric">{t('retention.class.audit')}</th>
              <th scope="col" className="numeric">{t('retention.droppedMonths')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} data-id={r.id}>
                <td>{f.dateTimeZone(r.startedAt)}</td>
                <td>{r.trigger === 'schedule' ? t('retention.trigger.schedule') : t('retention.trigger.request')}</td>
                <td className="numeric">{r.counts.messages?.total ?? '—'}</td>
                <td className="numeric">{r.counts.mediaFilesRemoved ?? '—'}</td>
                <td className="numeric">{r.counts.inactiveContacts ?? '—'}</td>
                <td className="numeric">{r.counts.auditEvents ?? '—'}</td>
                <td className="numeric">{r.counts.droppedPartitions?.length ?? '—'}</td>
              </tr>
            ))}
            {runs.length === 0 && (
              <tr>
                <td colSpan={7}>{t('retention.runsEmpty')}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
