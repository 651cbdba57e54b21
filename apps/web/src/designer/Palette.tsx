import { type NodeKind, nodeKinds } from '@jointflow/ir';
import { memo, useState } from 'react';
import { PALETTE_MIME } from './Canvas';
import { kindGlyphs, kindLabels } from './FlowNode';
import { TRIGGER_PALETTE_DESCRIPTION } from './triggerKinds';

const descriptions: Record<NodeKind, string> = {
  task: 'Runs your code once per instance',
  map: 'Fans out over an array',
  join: 'Collects the branches of a fan-out',
  choice: 'Takes the first branch whose guard holds',
  loop: 'Repeats a body while its guard holds',
  trigger: TRIGGER_PALETTE_DESCRIPTION,
};

/**
 * The kinds the palette offers: every kind the runtime runs. A Trigger's own kinds are offered
 * by its inspector: exactly `runnableTriggerKinds` (time windows do not run yet).
 */
export const offeredKinds: readonly NodeKind[] = nodeKinds;

/** Node kinds to drag onto the canvas (or press to add one at the centre). */
export const Palette = memo(function Palette({ onAdd }: { onAdd(kind: NodeKind): void }) {
  const [query, setQuery] = useState('');
  const shown = offeredKinds.filter((kind) =>
    `${kindLabels[kind]} ${descriptions[kind]}`.toLowerCase().includes(query.trim().toLowerCase()),
  );
  return (
    <nav className="palette" aria-label="Palette">
      <input
        type="search"
        placeholder="Search steps"
        aria-label="Search steps"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <ul>
        {shown.map((kind) => (
          <li key={kind}>
            <button
              type="button"
              className={`palette-item kind-${kind}`}
              title={descriptions[kind]}
              draggable
              onDragStart={(event) => {
                event.dataTransfer.setData(PALETTE_MIME, kind);
                event.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => onAdd(kind)}
            >
              <span className="palette-glyph" aria-hidden="true">
                {kindGlyphs[kind]}
              </span>
              <span>
                <strong>{kindLabels[kind]}</strong>
                {/* The name stays the kind ("Task"); the description is the button's title. */}
                <small aria-hidden="true">{descriptions[kind]}</small>
              </span>
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">No step matches.</li>}
      </ul>
    </nav>
  );
});
