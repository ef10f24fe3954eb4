import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import { useApprovalsAccess } from '../auth/approvals-access.ts';
import { isTenantAdmin, useSession } from '../auth/session.ts';
import { signOutEverywhere } from '../auth/sign-out.ts';
import type { ConnectionStatusStore } from '../graphql/connection-status.ts';
import { ConnectionIndicator } from './connection-indicator.tsx';

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const [active] = useRoute(href === '/' ? '/' : `${href}/*?`);
  return (
    <Link href={href} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ connection, children }: { connection: ConnectionStatusStore; children: ReactNode }) {
  const session = useSession();
  const access = useApprovalsAccess();
  const name = session?.claims.name ?? session?.claims.sub ?? '';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <Link href="/" className="brand">
          DVMM
        </Link>
        <nav aria-label="Main">
          <NavLink href="/">My requests</NavLink>
          <NavLink href="/requests/new">New request</NavLink>
          {access === 'decide' || access === 'watch' ? <NavLink href="/approvals">Approvals</NavLink> : null}
          <NavLink href="/projects">Projects</NavLink>
          {access === 'decide' || access === 'watch' ? <NavLink href="/reports">Reports</NavLink> : null}
          {isTenantAdmin(session) ? <NavLink href="/settings/vcenter">vCenter</NavLink> : null}
        </nav>
        <div className="top-bar-end">
          <ConnectionIndicator store={connection} />
          <span className="user" title={session?.claims.email ?? undefined}>
            {name}
            <span className="user-roles"> ({session?.claims.roles.join(', ') || 'no role'})</span>
          </span>
          <button type="button" className="button-secondary" onClick={() => void signOutEverywhere()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
