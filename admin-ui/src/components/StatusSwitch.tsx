import { useEffect, useState } from 'react';
import { rowSubject } from '../ability';
import { useSession } from '../auth';
import { availabilityApi } from '../endpoints';
import { useI18n } from '../i18n';
import type { Me } from '../types';
import { Can } from './Can';

const STATES = ['online', 'away', 'offline'] as const;
type AgentState = (typeof STATES)[number];
// The server marks an agent offline after AVAILABILITY_HEARTBEAT_TIMEOUT_SECONDS (90 by default)
// without a beat: every 20 s leaves room for a few lost ones.
const HEARTBEAT_MS = 20_000;

/**
 * The agent's own status in the header (online, away, offline), for those who may set it. While
 * the panel is open it beats, so an agent who closes the tab goes offline on the server.
 */
export function StatusSwitch({ user }: { user: Me }) {
  const { t } = useI18n();
  const { ability } = useSession();
  const allowed = ability.can('update', rowSubject('Availability', { userId: user.id }));
  const [state, setState] = useState<AgentState | null>(null);

  useEffect(() => {
    if (!allowed) {
      return undefined;
    }
    let live = true;
    availabilityApi
      .list()
      .then((page) => {
        const mine = page.items.find((item) => item.userId === user.id);
        if (live && mine) {
          setState(mine.state);
        }
      })
      .catch(() => undefined);
    const beat = setInterval(() => void availabilityApi.heartbeat().catch(() => undefined), HEARTBEAT_MS);
    return () => {
      live = false;
      clearInterval(beat);
    };
  }, [allowed, user.id]);

  async function change(next: AgentState) {
    const previous = state;
    setState(next);
    try {
      setState((await availabilityApi.setState(user.id, next)).availability.state);
    } catch {
      setState(previous);
    }
  }

  return (
    <Can I="update" this={rowSubject('Availability', { userId: user.id })}>
      <div className="status-switch">
        <label htmlFor="status-select" className="visually-hidden">
          {t('availability.my')}
        </label>
        <select id="status-select" data-button="availability.self" data-state={state ?? ''} value={state ?? 'offline'} onChange={(event) => void change(event.target.value as AgentState)}>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {t(`availability.state.${s}`)}
            </option>
          ))}
        </select>
      </div>
    </Can>
  );
}
