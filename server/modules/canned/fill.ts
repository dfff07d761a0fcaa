/** The names a canned response or a macro's message may quote, resolved when it is used. */
export type FillValues = { contactName: string | null; agentName: string | null };

/** The variables a body may hold; anything else in braces is left as written. */
export const VARIABLES = ['contact.name', 'contact.first_name', 'agent.name'] as const;

const firstWord = (name: string | null) => (name ? name.trim().split(/\s+/)[0] ?? '' : '');

/**
 * Fills {{contact.name}}, {{contact.first_name}} and {{agent.name}} (spaces inside the braces
 * allowed). An unknown name becomes empty rather than a placeholder the customer would read.
 * The one implementation: the composer gets filled texts from the server, and macros send them.
 */
export function fillVariables(body: string, values: FillValues): string {
  return body.replace(/\{\{\s*(contact\.name|contact\.first_name|agent\.name)\s*\}\}/g, (_, name: (typeof VARIABLES)[number]) => {
    switch (name) {
      case 'contact.name':
        return values.contactName?.trim() ?? '';
      case 'contact.first_name':
        return firstWord(values.contactName);
      case 'agent.name':
        return values.agentName?.trim() ?? '';
    }
  });
}
