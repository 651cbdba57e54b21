import type { ReactNode } from 'react';
import { contrastText } from './contrastText';

/** A cloud's name (or anything about a cloud) on its colour, with readable text. */
export function CloudBadge({ color, children }: { color: string; children: ReactNode }) {
  return (
    <span
      className="cloud-badge rv-badge"
      style={{ backgroundColor: color, color: contrastText(color) }}
    >
      {children}
    </span>
  );
}
