import { useEffect, useState } from 'react';

export type Route =
  | { page: 'list' }
  | { page: 'designer'; workflowId: string }
  | { page: 'run'; workflowId: string; executionId: string }
  | { page: 'runs'; workflowId: string }
  | { page: 'compare'; workflowId: string; a: string; b: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'workflows' && parts[1]) {
    if (parts[2] === 'runs' && parts[3] && parts[4] === 'compare' && parts[5])
      return { page: 'compare', workflowId: parts[1], a: parts[3], b: parts[5] };
    if (parts[2] === 'runs' && parts[3])
      return { page: 'run', workflowId: parts[1], executionId: parts[3] };
    if (parts[2] === 'runs') return { page: 'runs', workflowId: parts[1] };
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
    case 'runs':
      return `#/workflows/${encodeURIComponent(route.workflowId)}/runs`;
    case 'compare':
      return `#/workflows/${encodeURIComponent(route.workflowId)}/runs/${encodeURIComponent(route.a)}/compare/${encodeURIComponent(route.b)}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

/** Asked before the route changes; returns false to stay (the designer with unsaved changes). */
let leaveGuard: (() => boolean) | null = null;

/**
 * Installs (or with `null` removes) the check that runs before any in-app navigation: links,
 * `navigate`, and the browser's back and forward buttons all change the hash.
 */
export function setLeaveGuard(guard: (() => boolean) | null): void {
  leaveGuard = guard;
}

/** Hash routing: the API serves one index.html, so deep links never need server support. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    let shown = window.location.hash;
    // The hash may have changed between the first render and this subscription.
    setRoute((current) => {
      const now = parseRoute(shown);
      return routeHref(now) === routeHref(current) ? current : now;
    });
    const onChange = () => {
      if (window.location.hash === shown) return;
      if (leaveGuard && !leaveGuard()) {
        // The hash has already changed: put the page's own back without a second hashchange.
        window.history.replaceState(window.history.state, '', shown || '#/');
        return;
      }
      shown = window.location.hash;
      setRoute(parseRoute(shown));
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
