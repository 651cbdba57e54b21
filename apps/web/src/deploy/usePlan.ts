import type { Graph } from '@jointflow/ir';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { authHeaders } from '../api/apiClient';

const planAnswer = z
  .object({
    placement: z.record(z.string(), z.string()).optional().nullable(),
    estimate: z
      .object({ makespanMs: z.number().optional(), costUsd: z.number().optional() })
      .loose()
      .optional()
      .nullable(),
  })
  .loose();

export interface PlanView {
  /** Clouds the planner chose for the graph's `auto` steps. */
  autoPlacement: Record<string, string>;
  makespanMs?: number;
  costUsd?: number;
}

/** The planner's placement and estimate for the graph, from `POST /api/v1/plan`. */
export function usePlan(graph: Graph) {
  return useQuery({
    queryKey: ['plan', graph],
    queryFn: async (): Promise<PlanView> => {
      const response = await fetch('/api/v1/plan', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders() },
        body: JSON.stringify({ graph }),
      });
      if (!response.ok) throw new Error(`the planner answered ${response.status}`);
      const parsed = planAnswer.parse(await response.json());
      const autoNodes = new Set(graph.nodes.filter((n) => n.cloud === 'auto').map((n) => n.name));
      const autoPlacement: Record<string, string> = {};
      for (const [node, cloud] of Object.entries(parsed.placement ?? {})) {
        if (autoNodes.has(node)) autoPlacement[node] = cloud;
      }
      return {
        autoPlacement,
        makespanMs: parsed.estimate?.makespanMs,
        costUsd: parsed.estimate?.costUsd,
      };
    },
    staleTime: 60_000,
    retry: false,
  });
}
