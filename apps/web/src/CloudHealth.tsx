import { useQuery } from '@tanstack/react-query';
import { api } from './api/apiClient';

/** How often the app asks the API whether every cloud answers. */
const HEALTH_EVERY_MS = 10_000;

/**
 * The clouds that do not answer, named on every page: `jointflow up` restarts a dead cloud
 * process, and until it is back its steps wait (the watchdog redrives them once it is). Shows
 * nothing while every cloud answers.
 */
export function CloudHealth() {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: api.health,
    refetchInterval: HEALTH_EVERY_MS,
    retry: false,
  });
  const down =
    health.data?.degraded ?? health.data?.cloudHealth.filter((c) => !c.ok).map((c) => c.id) ?? [];
  if (health.data?.status !== 'degraded' || down.length === 0) return null;
  return (
    <div className="cloud-health" role="status" data-testid="cloud-health">
      {down.length === 1 ? 'Cloud ' : 'Clouds '}
      <strong>{down.join(', ')}</strong>
      {down.length === 1 ? ' is' : ' are'} not answering. Steps placed there wait; runs that stall
      are redriven once it is back (<code>jointflow up</code> restarts a cloud process that died).
    </div>
  );
}
