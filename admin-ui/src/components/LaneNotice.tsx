import { useEffect, useState } from 'react';
import { channelsApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n';
import type { ApiResponse } from '../types';
import { ErrorAlert } from './ErrorAlert';
import { RowAction } from './ListPage';

type Lane = ApiResponse<'/api/v1/channels/{id}/lane', 'get'>['lane'];

const REASON: Record<NonNullable<Lane['pausedReason']>, MessageKey> = {
  quality_dropped: 'channels.lane.reason.quality_dropped',
  token_invalid: 'channels.lane.reason.token_invalid',
  spam_rate: 'channels.lane.reason.spam_rate',
};

/**
 * A number's sending lane on the Numbers page: broadcasts paused by the sender (quality drop,
 * refused token), with the resume button for those who may, and messages the messaging-limit
 * tier holds back. Says nothing while the lane runs normally.
 */
export function LaneNotice({ channel, name }: { channel: { id: string }; name: string }) {
  const { t } = useI18n();
  const [lane, setLane] = useState<Lane | null>(null);
  const resuming = useAction();
  const { run } = resuming;

  useEffect(() => {
    let live = true;
    channelsApi.lane(channel.id).then(
      (res) => live && setLane(res.lane),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [channel.id]);

  if (!lane) {
    return null;
  }
  const resume = async () => {
    const res = await run(() => channelsApi.resumeLane(channel.id));
    if (res) {
      setLane(res.lane);
    }
  };
  return (
    <>
      {lane.paused && (
        <p className="status-warning" role="note" data-lane-paused={lane.pausedReason ?? ''}>
          <span aria-hidden="true">⏸ </span>
          {t('channels.lane.paused', { reason: lane.pausedReason ? t(REASON[lane.pausedReason]) : '' })}{' '}
          <RowAction
            can={['resume', 'Channel']}
            on={channel}
            button="channels.resumeLane"
            label={
              <>
                <span aria-hidden="true">{t('channels.lane.resumeShort')}</span>
                <span className="visually-hidden">{t('channels.lane.resume')}</span>
              </>
            }
            name={name}
            onClick={() => void resume()}
            disabled={resuming.busy}
          />
        </p>
      )}
      {lane.heldForTier > 0 && (
        <p className="hint" data-lane-held={lane.heldForTier}>
          {t('channels.lane.heldForTier', { count: lane.heldForTier, used: lane.tierUsed, limit: lane.tierLimit ?? '∞' })}
        </p>
      )}
      <ErrorAlert error={resuming.error} />
    </>
  );
}
