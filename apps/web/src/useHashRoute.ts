import { useEffect, useState } from 'react';

export type Route =
  | { page: 'list' }
  | { page: 'designer'; workflowId: string }
  | { page: 'run'; workflowId: string; executionId: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'workflows' && parts[1]) {
    if (parts[2] === 'runs' && parts[3])
      return { page: 'run', workflowId: parts[1], executionId: parts[3] };
    return { page: 'designer', workflowId: parts[1] };
  }
  return { page: 'list' };
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'list':
      return '#/';
    case 'designer':
      return `#/workflows/${encodeURIComponent(route.workflowId)}`;
    case 'run':
      return `#/workflows/${encodeURIComponent(route.workflowId)}/runs/${encodeURIComponent(route.executionId)}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

/** Hash routing: the API serves one index.html, so deep links never need server support. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
