import { useQuery } from '@tanstack/react-query';
import { api, type Cloud } from './apiClient';

export const queryKeys = {
  workflows: ['workflows'] as const,
  workflow: (id: string) => ['workflow', id] as const,
  clouds: ['clouds'] as const,
  executions: (workflowId: string) => ['executions', workflowId] as const,
  execution: (id: string) => ['execution', id] as const,
};

export function useClouds(): Cloud[] {
  const query = useQuery({
    queryKey: queryKeys.clouds,
    queryFn: api.listClouds,
    staleTime: 30_000,
  });
  return query.data ?? [];
}

export function cloudColor(clouds: readonly Cloud[], id: string | undefined): string {
  return clouds.find((c) => c.id === id)?.color ?? '#8a8f98';
}
