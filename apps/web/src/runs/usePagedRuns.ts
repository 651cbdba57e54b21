import { useInfiniteQuery } from '@tanstack/react-query';
import { queryKeys } from '../api/queries';
import { type RunSummary, runApi } from '../run/runApi';

/**
 * A workflow's runs, newest first, one page at a time through the API's `nextCursor` (the list
 * never stops at the first page). `loadMore` fetches the next page; `hasMore` says if there is one.
 */
export function usePagedRuns(workflowId: string, pageSize = 25) {
  const query = useInfiniteQuery({
    queryKey: [...queryKeys.executions(workflowId), 'paged', pageSize],
    queryFn: ({ pageParam }) => runApi.listRuns(workflowId, pageParam, pageSize),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 5000,
  });
  const runs: RunSummary[] = query.data?.pages.flatMap((p) => p.items) ?? [];
  return {
    runs,
    isLoading: query.isLoading,
    error: query.error,
    hasMore: query.hasNextPage,
    loadingMore: query.isFetchingNextPage,
    loadMore: () => void query.fetchNextPage(),
  };
}
