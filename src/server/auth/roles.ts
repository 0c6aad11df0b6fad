import type { Role } from '../../store/index.js';
import type { RouteAccess } from '../route-access.js';

export type { Role };

/** Who may call a route (`config.access`): anyone ('public'), or a caller with at least this role. */
export type Access = RouteAccess;

/** Lowest first: each role may do everything the ones before it may. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export const ACCESS: readonly Access[] = ['public', ...ROLES];

export const isRole = (v: unknown): v is Role => ROLES.includes(v as Role);

export const atLeast = (role: Role, needed: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);

export const lower = (a: Role, b: Role): Role => (atLeast(a, b) ? b : a);

/** The roles above `role` (what a demoted user's tokens must come down from). */
export const above = (role: Role): Role[] => ROLES.slice(ROLES.indexOf(role) + 1);
