import { type ReactNode, useEffect, useState } from 'react';
import { Provider } from 'urql';
import { Redirect, Route, Switch } from 'wouter';
import { currentSession, useSession } from './auth/session.ts';
import { SignInPage } from './auth/sign-in-page.tsx';
import { OidcCallback } from './auth/oidc-callback.tsx';
import { useOidcRenewal } from './auth/oidc-renewal.ts';
import { Layout } from './components/layout.tsx';
import { createPortalClient, type PortalClient } from './graphql/client.ts';
import { LiveChanges } from './live/live-changes.tsx';
import { useLiveStart } from './live/live-start.ts';
import { ApprovalsPage } from './pages/approvals-page.tsx';
import { MyRequestsPage } from './pages/my-requests-page.tsx';
import { NewRequestPage } from './pages/new-request-page.tsx';
import { ProjectPage } from './pages/project-page.tsx';
import { ProjectsPage } from './pages/projects-page.tsx';
import { RequestDetailPage } from './pages/request-detail-page.tsx';
import { ReportsPage } from './pages/reports-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { VcenterSettingsPage } from './pages/vcenter-settings-page.tsx';

export function App() {
  const session = useSession();
  if (!session) {
    return (
      <Switch>
        <Route path="/sign-in" component={SignInPage} />
        <Route path="/auth/callback" component={OidcCallback} />
        <Route>
          <Redirect to={`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`} replace />
        </Route>
      </Switch>
    );
  }
  // A new client (and cache) per signed-in user: one user's cached requests never show to the next.
  return <SignedIn key={`${session.claims.tenantId}/${session.claims.sub}`} />;
}

function SignedIn() {
  useOidcRenewal();
  // Made in the effect that disposes it, so React's development double effects (StrictMode) end one client and start
  // another instead of leaving the page on a disposed socket.
  const [portal, setPortal] = useState<PortalClient | null>(null);
  useEffect(() => {
    const created = createPortalClient(currentSession);
    setPortal(created);
    return () => created.dispose();
  }, []);
  if (!portal) return null;
  return (
    <Provider value={portal.client}>
      <LiveStart>
        {(since) => (
          <>
            <LiveChanges since={since} />
            <Pages connection={portal.connection} />
          </>
        )}
      </LiveStart>
    </Provider>
  );
}

/** The pages mount once the feed's starting cursor is read, so none of their queries runs before it. */
function LiveStart({ children }: { children: (since: string) => ReactNode }) {
  const since = useLiveStart();
  if (since === null) return <p role="status" className="connecting-note">Connecting…</p>;
  return children(since);
}

function Pages({ connection }: { connection: PortalClient['connection'] }) {
  return (
    <Layout connection={connection}>
      <Switch>
        <Route path="/" component={MyRequestsPage} />
        <Route path="/requests/new" component={NewRequestPage} />
        <Route path="/requests/:id" component={RequestDetailPage} />
        <Route path="/approvals" component={ApprovalsPage} />
        <Route path="/projects" component={ProjectsPage} />
        <Route path="/projects/:id" component={ProjectPage} />
        <Route path="/reports" component={ReportsPage} />
        <Route path="/settings/vcenter" component={VcenterSettingsPage} />
        <Route path="/sign-in">
          <Redirect to="/" replace />
        </Route>
        <Route component={NotFoundPage} />
      </Switch>
    </Layout>
  );
}
