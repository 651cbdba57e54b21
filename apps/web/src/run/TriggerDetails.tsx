import { routeHref } from '../useHashRoute';
import { formatMs } from './duration';
import type { TriggerView } from './useTriggerStates';

/** The most buckets listed; a 4,000-way fan-in has 40 batches. */
const MAX_LISTED = 50;

/**
 * A selected trigger step's decisions: each bucket (a run, a batch, a group's collection) with
 * what arrived, when it fired and with which members; for time windows, the window each object
 * went to and a link to the window's own execution, where its run happens; in that execution,
 * links back to the producer runs that fed the window.
 */
export function TriggerDetails({
  view,
  workflowId,
  origin,
}: {
  view: TriggerView;
  workflowId: string;
  /** The run's first moment (epoch ms): times are shown relative to it. */
  origin: number;
}) {
  const state = view.state;
  return (
    <section aria-label={`Trigger ${view.node}`} className="trigger-details">
      <h2>
        <span aria-hidden="true">⚡ </span>Trigger decisions
      </h2>
      <p data-testid="trigger-details-label">{view.label}</p>
      {state === undefined ? (
        <p className="muted">No object has reached this trigger yet.</p>
      ) : (
        <ul className="trigger-buckets">
          {state.buckets.slice(0, MAX_LISTED).map((b) => (
            <li key={b.instance}>
              <code>{b.instance}</code>
              {/* A window's run receives nothing in its own execution: its objects came with the producers. */}
              {b.received > 0 || b.firedAt === undefined ? ` · ${b.received} received` : ''}
              {b.filled !== undefined && b.size !== undefined ? ` (${b.filled}/${b.size})` : ''}
              {b.firedAt !== undefined
                ? ` · fired at +${formatMs(b.firedAt - origin)} with ${b.memberCount ?? b.members?.length ?? 0}`
                : b.windows !== undefined
                  ? ' · sent to its window'
                  : ' · open'}
              {b.members !== undefined && b.members.length > 0 && (
                <div className="muted trigger-members">{b.members.join(', ')}</div>
              )}
              {b.sources !== undefined && b.sources.length > 0 && (
                <div>
                  {`fed by ${b.sourceCount ?? b.sources.length} ${(b.sourceCount ?? b.sources.length) === 1 ? 'run' : 'runs'}: `}
                  {b.sources.map((execution, i) => (
                    <span key={execution}>
                      {i > 0 ? ', ' : ''}
                      <a href={routeHref({ page: 'run', workflowId, executionId: execution })}>
                        {execution}
                      </a>
                    </span>
                  ))}
                  {(b.sourceCount ?? 0) > b.sources.length
                    ? ` and ${(b.sourceCount ?? 0) - b.sources.length} more`
                    : ''}
                </div>
              )}
              {b.windows?.map((w) => (
                <div key={w.index}>
                  {`window ${w.index} (${w.windowMs} ms, ${w.objects} from this run) · its run: `}
                  {w.execution ? (
                    <a href={routeHref({ page: 'run', workflowId, executionId: w.execution })}>
                      {w.execution}
                    </a>
                  ) : (
                    'unknown'
                  )}
                </div>
              ))}
            </li>
          ))}
          {state.buckets.length > MAX_LISTED && (
            <li className="muted">{`and ${state.buckets.length - MAX_LISTED} more`}</li>
          )}
        </ul>
      )}
      {state !== undefined && state.dropped > 0 && (
        <p>
          {`${state.dropped} dropped: `}
          {Object.entries(state.droppedBy)
            .map(([reason, count]) => `${count} ${reason}`)
            .join(', ')}
        </p>
      )}
    </section>
  );
}
