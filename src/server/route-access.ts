/**
 * Who may call a route: routes declare it in their config (`config: { access: 'admin' }`); without
 * a declaration, reading (GET) takes a viewer and changing anything an operator. Enforced by the
 * access plugin in ./auth/.
 */
export type RouteAccess = 'public' | 'viewer' | 'operator' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}
