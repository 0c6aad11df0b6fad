import type { Access } from './roles.js';

/** Methods that change nothing, so a request authenticated by the session cookie needs no CSRF token. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

const isApi = (path: string): boolean => path === '/api' || path.startsWith('/api/');

/**
 * Open to anyone whatever the method: probes, webhook intake (each delivery is verified by its
 * connector), the Web Connector's SOAP service (it authenticates through its own calls), the API
 * documentation.
 */
export function isPublicPath(path: string): boolean {
  return (
    path === '/health' ||
    path === '/ready' ||
    path === '/openapi.json' ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    path.startsWith('/hooks/') ||
    // The QuickBooks Web Connector: it logs in through the SOAP service's own authenticate call.
    path.startsWith('/qbwc/')
  );
}

/**
 * Who may call a route that declares nothing: the public paths and every page outside /api (the
 * dashboard's files, which hold no data) are open; reading the API needs a viewer, changing anything
 * an operator.
 */
export function defaultAccess(method: string, path: string): Access {
  if (isPublicPath(path)) return 'public';
  const reads = method === 'GET' || method === 'HEAD';
  if (reads && !isApi(path)) return 'public';
  return reads ? 'viewer' : 'operator';
}

/** What a route declares in `config.access`, else the default. */
export const accessOf = (method: string, path: string, declared?: Access): Access =>
  declared ?? defaultAccess(method, path);
