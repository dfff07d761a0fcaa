import type { ReactNode } from 'react';
import type { DiscoveryHit } from '../../types';

/**
 * The excerpts of a result with the found words marked. The server sends plain text and ranges;
 * React renders the text as text, so nothing in a message can become markup.
 */
export function Highlights({ hit }: { hit: DiscoveryHit }) {
  if (hit.highlights.length === 0) {
    return <p className="discovery-text">{hit.text ?? `[${hit.type}]`}</p>;
  }
  return (
    <p className="discovery-text">
      {hit.highlights.map((fragment, i) => {
        const parts: ReactNode[] = [];
        let at = 0;
        fragment.marks.forEach((m, j) => {
          parts.push(fragment.text.slice(at, m.start));
          parts.push(<mark key={j}>{fragment.text.slice(m.start, m.end)}</mark>);
          at = m.end;
        });
        parts.push(fragment.text.slice(at));
        return (
          <span key={i} className="discovery-fragment">
            {i > 0 || !hit.text?.startsWith(fragment.text) ? '… ' : ''}
            {parts}
            {hit.text?.endsWith(fragment.text) ? '' : ' …'}
          </span>
        );
      })}
    </p>
  );
}
