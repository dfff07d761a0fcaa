import { DEFAULT_SETTINGS, type Settings } from './schema';

/** The settings as the panel reads them: what was stored over the defaults. */
export function presentSettings(stored: Record<string, unknown>): Settings {
  return { ...DEFAULT_SETTINGS, ...stored } as Settings;
}
