/**
 * `<Can I="create" a="User">` bound to the app's ability type, so a misspelt action or
 * subject is a compile error. It reads the ability from `AbilityProvider` (see auth.tsx)
 * and re-renders when the rules are updated after a `/me` refresh.
 */
import { Can as CaslCan } from '@casl/react';
import type { CanProps } from '@casl/react';
import type { ReactNode } from 'react';
import type { AppAbility } from '../ability';

export const Can: (props: CanProps<AppAbility>) => ReactNode = CaslCan;
