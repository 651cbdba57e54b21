import { type InfiniteData, type QueryKey, useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Page } from './apiClient';

export interface PagedList<T> {
  /** Every item of the pages loaded so far, in order. */
  items: T[];
  /** The API said there is another page (`nextCursor` was not null). */
  hasMore: boolean;
  /** Loads the next page; does nothing while one is loading or at the end. */
  loadMore(): void;
  isLoading: boolean;
  isLoadingMore: boolean;
  error: Error | null;
}

/**
 * A cursor-paged API list (`{items, nextCursor}`) as one growing list: the first page loads at
 * once, `loadMore` fetches the page after the last one loaded. Invalidating `queryKey` (or a
 * prefix of it) refetches the pages loaded so far.
 *
 * @example
 * const runs = usePagedList(['executions', workflowId, 'paged'], (cursor) =>
 *   api.listExecutionsPage(workflowId, cursor),
 * );
 * runs.items.map(...); {runs.hasMore && <button onClick={runs.loadMore}>Load more</button>}
 */
export function usePagedList<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  options: { enabled?: boolean } = {},
): PagedList<T> {
  const query = useInfiniteQuery<
    Page<T>,
    Error,
    InfiniteData<Page<T>, string | undefined>,
    QueryKey,
    string | undefined
  >({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: options.enabled ?? true,
  });
  const pages = query.data?.pages;
  const items = useMemo(() => pages?.flatMap((page) => page.items) ?? [], [pages]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  return {
    items,
    hasMore: hasNextPage,
    loadMore: () => {
      if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    },
    isLoading: query.isLoading,
    isLoadingMore: isFetchingNextPage,
    error: query.error,
  };
}
