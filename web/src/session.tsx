import { createContext, type ReactNode, useContext } from 'react';
import type { Flow, Role, User } from './api';

export interface Session {
  user: User;
  /** The server has no access control (an older server): everyone may do everything. */
  open: boolean;
}

export interface SessionApi {
  session: Session;
  logout: () => void;
  refresh: () => Promise<void>;
}

export const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the signed-in app');
  return s;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export type Need = 'operator' | 'admin';

export const WHY_NOT: Record<Need, string> = {
  operator: 'Your role (viewer) can look but not change anything; an operator or admin can do this.',
  admin: 'Only an admin can change this.',
};

/** What the signed-in person may do: `allowed(need)` and the reason shown on a disabled control. */
export function usePermission() {
  const { session } = useSession();
  const role = session.user.role;
  const allowed = (need: Need) => (RANK[role] ?? 0) >= RANK[need];
  const why = (need: Need) => (allowed(need) ? undefined : WHY_NOT[need]);
  return { role, allowed, why, canOperate: allowed('operator'), canAdmin: allowed('admin') };
}

export interface FlowsApi {
  flows: Flow[];
  error: string | null;
  reload: () => void;
}

export const FlowsContext = createContext<FlowsApi>({ flows: [], error: null, reload: () => {} });

/** The configured flows, loaded once by the shell and shared by the menu and every screen. */
export const useFlows = (): FlowsApi => useContext(FlowsContext);

export function FlowsProvider({ value, children }: { value: FlowsApi; children: ReactNode }) {
  return <FlowsContext.Provider value={value}>{children}</FlowsContext.Provider>;
}
