import { useEffect, useState } from 'react';
import { useSession } from '../../auth';
import { cannedApi, type CannedResponse, type MacroAction } from '../../cannedApi';
import { labelsApi, type Label } from '../../contactsApi';
import { teamsApi } from '../../endpoints';
import type { MessageKey } from '../../i18n';
import type { Team } from '../../types';

export type MacroOptions = { labels: Label[]; teams: Team[]; canned: CannedResponse[] };

/** What a macro's steps may name: labels, teams and canned responses, each only if the user may read them. */
export function useMacroOptions(): MacroOptions {
  const { ability } = useSession();
  const [options, setOptions] = useState<MacroOptions>({ labels: [], teams: [], canned: [] });
  const readLabels = ability.can('read', 'Label');
  const readTeams = ability.can('read', 'Team');
  const readCanned = ability.can('read', 'CannedResponse');
  useEffect(() => {
    let live = true;
    const none = { items: [] };
    void Promise.all([
      readLabels ? labelsApi.list().catch(() => none) : none,
      readTeams ? teamsApi.list().catch(() => none) : none,
      readCanned ? cannedApi.list().catch(() => none) : none,
    ]).then(([labels, teams, canned]) => {
      if (live) {
        setOptions({ labels: labels.items as Label[], teams: teams.items as Team[], canned: canned.items as CannedResponse[] });
      }
    });
    return () => {
      live = false;
    };
  }, [readLabels, readTeams, readCanned]);
  return options;
}

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** One step in words: "Add the label VIP", "Send /thanks"; an id when its name is not readable. */
export function describeStep(step: MacroAction, options: MacroOptions, t: Translate): string {
  switch (step.type) {
    case 'add_label':
    case 'remove_label':
      return t(`macros.step.${step.type}`, { name: options.labels.find((l) => l.id === step.labelId)?.name ?? step.labelId });
    case 'assign_team':
      return t('macros.step.assign_team', { name: options.teams.find((team) => team.id === step.teamId)?.name ?? step.teamId });
    case 'send_text':
      return t('macros.step.send_text', { text: step.text.length > 40 ? `${step.text.slice(0, 40)}…` : step.text });
    case 'send_canned': {
      const canned = options.canned.find((c) => c.id === step.cannedId);
      return t('macros.step.send_canned', { shortcut: canned ? `/${canned.shortcut}` : step.cannedId });
    }
    case 'resolve':
      return t('macros.step.resolve');
  }
}
