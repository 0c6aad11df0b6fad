import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { api, type Flow, isApiError, messageOf, onUnauthorized, setCsrfToken } from './api';
import { Button, ErrorText } from './components/Controls';
import { useData } from './hooks';
import { Link, match, navigate, useLocation } from './router';
import { AccountingViewScreen } from './screens/AccountingView';
import { AlertsScreen } from './screens/Alerts';
import { BatchScreen } from './screens/Batch';
import { ConnectionsScreen } from './screens/Connections';
import { CrmViewScreen } from './screens/CrmView';
import { FlowDetailScreen, FlowsScreen } from './screens/Flows';
import { HomeScreen } from './screens/Home';
import { IntegrationCheckScreen } from './screens/IntegrationCheck';
import { LogScreen } from './screens/Log';
import { ChangePasswordScreen, LoginScreen } from './screens/Login';
import { ReconcileScreen } from './screens/Reconcile';
import { RecordsScreen } from './screens/Records';
import { SettingsScreen } from './screens/Settings';
import { WebhooksScreen } from './screens/Webhooks';
import { FlowsProvider, type Session, SessionContext, useFlows, useSession } from './session';
import { accountingPairs, checkPairs, checkPath, orderPairs, useConnectionTitles, viewPath } from './views';

type Boot =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'out' }
  | { kind: 'in'; session: Session };

/** The person's session: asks /api/auth/me, shows the login screen when there is none. */
export function App() {
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  const { pathname, href } = useLocation();

  const refresh = useCallback(async () => {
    try {
      const me = await api.me();
      setCsrfToken(me.csrfToken);
      setBoot({ kind: 'in', session: { user: me.user, open: false } });
    } catch (e) {
      if (isApiError(e) && e.status === 401) setBoot({ kind: 'out' });
      else if (isApiError(e) && e.status === 404) {
        // A server without access control: everything is open, as it was before logins existed.
        setBoot({ kind: 'in', session: { user: { username: 'anyone', role: 'admin' }, open: true } });
      } else setBoot({ kind: 'error', message: messageOf(e) });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    onUnauthorized(() => {
      setCsrfToken(null);
      setBoot({ kind: 'out' });
    });
  }, []);

  // Signed out anywhere but /login: go there, and come back afterwards.
  useEffect(() => {
    if (boot.kind === 'out' && pathname !== '/login') {
      navigate(`/login?next=${encodeURIComponent(href)}`, { replace: true });
    }
    if (boot.kind === 'in' && pathname === '/login') {
      const next = new URLSearchParams(window.location.search).get('next');
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    }
  }, [boot.kind, pathname, href]);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      /* signed out either way */
    }
    setCsrfToken(null);
    setBoot({ kind: 'out' });
  }, []);

  const sessionApi = useMemo(
    () => (boot.kind === 'in' ? { session: boot.session, logout, refresh } : null),
    [boot, logout, refresh],
  );

  if (boot.kind === 'loading') return <p className="boot">Loading Ledgerlink…</p>;
  if (boot.kind === 'error') {
    return (
      <main className="boot">
        <h1>Ledgerlink</h1>
        <ErrorText>{boot.message}</ErrorText>
        <Button onClick={() => void refresh()}>Try again</Button>
      </main>
    );
  }
  if (boot.kind === 'out' || !sessionApi) {
    return (
      <LoginScreen
        onSignedIn={(user, csrf) => {
          setCsrfToken(csrf);
          setBoot({ kind: 'in', session: { user, open: false } });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={sessionApi}>
      {sessionApi.session.user.mustChangePassword ? <ChangePasswordScreen /> : <Shell />}
    </SessionContext.Provider>
  );
}

const GROUPS: [string, string][] = [
  ['customer', 'Customer'],
  ['product', 'Product'],
  ['salesOrder', 'Order'],
  ['shipment', 'Shipment'],
  ['invoice', 'Invoice'],
  ['payment', 'Payment'],
  ['stockTransfer', 'Transfer'],
  ['stockCount', 'Stock count'],
];

export const entityTitle = (entity: string): string => GROUPS.find(([e]) => e === entity)?.[1] ?? entity;

function Shell() {
  const flowsData = useData(() => api.flows(), [], 30_000);
  const flows = useMemo(
    () => ({ flows: flowsData.data?.flows ?? [], error: flowsData.error, reload: flowsData.reload }),
    [flowsData.data, flowsData.error, flowsData.reload],
  );
  return (
    <FlowsProvider value={flows}>
      <div className="shell">
        <Header />
        <SideMenu flows={flows.flows} />
        <main className="content" id="main">
          <Routes />
        </main>
      </div>
    </FlowsProvider>
  );
}

function Header() {
  const { session, logout } = useSession();
  return (
    <header className="topbar">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand">
        Ledgerlink
      </Link>
      <div className="who">
        {session.open ? (
          <span className="muted" title="This server has no logins: everyone can do everything">
            Access control is off
          </span>
        ) : (
          <>
            <span className="user">
              <span className="muted">Signed in as </span>
              <strong>{session.user.username}</strong>
            </span>
            <span className={`role role-${session.user.role}`} title="Your role">
              {session.user.role}
            </span>
            <Button onClick={logout}>Log out</Button>
          </>
        )}
      </div>
    </header>
  );
}

function SideMenu({ flows }: { flows: Flow[] }) {
  const { session } = useSession();
  const groups = GROUPS.map(([entity, title]) => ({
    title,
    flows: flows.filter((f) => f.entity === entity),
  }));
  const other = flows.filter((f) => !GROUPS.some(([e]) => e === f.entity));
  if (other.length) groups.push({ title: 'Other', flows: other });
  return (
    <nav className="side" aria-label="Main">
      <ul>
        <li>
          <Link to="/">Home</Link>
        </li>
      </ul>
      <ViewsMenu flows={flows} />
      <CheckMenu flows={flows} />
      <h2>Batch processes</h2>
      {groups
        .filter((g) => g.flows.length)
        .map((g) => (
          <section key={g.title} aria-label={`${g.title} batch processes`}>
            <h3>{g.title}</h3>
            <ul>
              {g.flows.map((f) => (
                <li key={f.name}>
                  <Link to={`/batch/${encodeURIComponent(f.name)}`} title={f.name}>
                    {f.source} → {f.target}
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ))}
      <h2>Monitor</h2>
      <ul>
        <li>
          <Link to="/log">Connector log</Link>
        </li>
        <li>
          <Link to="/webhooks">Webhook log</Link>
        </li>
        <li>
          <Link to="/records">Sync status</Link>
        </li>
        <li>
          <Link to="/alerts">Alerts</Link>
        </li>
      </ul>
      <h2>Configure</h2>
      <ul>
        <li>
          <Link to="/connections">Connections</Link>
        </li>
        <li>
          <Link to="/flows">Flows</Link>
        </li>
        {!session.open ? (
          <li>
            <Link to="/settings">Settings</Link>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/**
 * The SYNC Uploader's views, where the configuration has flows that fit: a view of an accounting
 * system's records to search and upload, and a view of the orders waiting on the other side.
 */
function ViewsMenu({ flows }: { flows: Flow[] }) {
  const title = useConnectionTitles();
  const links = [
    ...accountingPairs(flows).map((p) => ({ to: viewPath('view', p), ...p })),
    ...orderPairs(flows).map((p) => ({ to: viewPath('crm-view', p), ...p })),
  ];
  if (!links.length) return null;
  return (
    <>
      <h2>Views</h2>
      <ul>
        {links.map((l) => (
          <li key={l.to}>
            <Link to={l.to} title={`${l.source} → ${l.target}`}>
              {title(l.source)} View
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Seed 002's Integration Data Check, for each pair of connections whose flows go oldest first. */
function CheckMenu({ flows }: { flows: Flow[] }) {
  const title = useConnectionTitles();
  const pairs = checkPairs(flows);
  if (!pairs.length) return null;
  return (
    <>
      <h2>Integration Data Check</h2>
      <ul>
        {pairs.map((p) => (
          <li key={checkPath(p)}>
            <Link to={checkPath(p)} title={`${p.source} → ${p.target}`}>
              {title(p.source)} and {title(p.target)}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Routes() {
  const { pathname } = useLocation();
  const { flows } = useFlows();
  const routes: [string, (p: Record<string, string>) => ReactNode][] = [
    ['/', () => <HomeScreen />],
    ['/batch/:flow', (p) => <BatchScreen key={p.flow} flowName={p.flow!} />],
    ['/view/:source/:target', (p) => <AccountingViewScreen source={p.source!} target={p.target!} />],
    ['/crm-view/:source/:target', (p) => <CrmViewScreen source={p.source!} target={p.target!} />],
    ['/check/:source/:target', (p) => <IntegrationCheckScreen source={p.source!} target={p.target!} />],
    ['/log', () => <LogScreen />],
    ['/webhooks', () => <WebhooksScreen />],
    ['/records', () => <RecordsScreen />],
    ['/alerts', () => <AlertsScreen />],
    ['/connections', () => <ConnectionsScreen />],
    ['/flows', () => <FlowsScreen />],
    ['/flows/:name', (p) => <FlowDetailScreen key={p.name} name={p.name!} />],
    ['/reconcile/:flow', (p) => <ReconcileScreen key={p.flow} flowName={p.flow!} />],
    ['/settings', () => <SettingsScreen />],
  ];
  for (const [pattern, render] of routes) {
    const params = match(pattern, pathname);
    if (params) return <>{render(params)}</>;
  }
  if (pathname === '/batch' && flows[0])
    return <Redirect to={`/batch/${encodeURIComponent(flows[0].name)}`} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no screen at <code>{pathname}</code>. <Link to="/">Go home</Link>.
      </p>
    </section>
  );
}
