import { memo } from 'react';
import type { Problem } from '../document/validation';

export const ProblemsPanel = memo(function ProblemsPanel({
  problems,
  onShow,
}: {
  problems: readonly Problem[];
  onShow(problem: Problem): void;
}) {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return (
    <section className="problems" aria-label="Problems">
      <h2>
        Problems{' '}
        <span className="muted">
          {problems.length === 0
            ? 'none'
            : `${errors} errors, ${problems.length - errors} warnings`}
        </span>
      </h2>
      <ul>
        {problems.map((problem) => (
          <li
            key={`${problem.code}-${problem.node ?? ''}-${problem.edge ?? ''}-${problem.message}`}
            className={`problem ${problem.severity}`}
          >
            <button type="button" className="ghost" onClick={() => onShow(problem)}>
              <span className="problem-severity">{problem.severity}</span>{' '}
              <code>{problem.code}</code>{' '}
              {problem.node && <span className="muted">{problem.node}: </span>}
              {problem.edge && !problem.node && (
                <span className="muted">edge {problem.edge}: </span>
              )}
              {problem.message}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
});
