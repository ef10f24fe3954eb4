import { useQuery } from 'urql';
import { Link } from 'wouter';
import { isTenantAdmin, useSession } from '../auth/session.ts';
import { VmwareConnectionQuery } from '../graphql/vmware-connection.ts';
import { VcenterForm } from './settings/vcenter-form.tsx';

/**
 * The tenant's vCenter connection (tenant admins). Anyone else gets the same plain "not allowed" as the approvals
 * page, and the page asks the server nothing. The connection is read past the cache: it is the form's starting point,
 * and another admin may have changed it since this tab last looked.
 */
export function VcenterSettingsPage() {
  const session = useSession();
  const admin = isTenantAdmin(session);
  const [{ data, error }] = useQuery({ query: VmwareConnectionQuery, pause: !admin, requestPolicy: 'network-only' });
  return (
    <section className="vcenter-settings">
      <h1 tabIndex={-1}>vCenter connection</h1>
      {!admin ? (
        <p className="notice" role="status">
          You are not allowed to see this page: tenant admins manage the tenant's vCenter connection.{' '}
          <Link href="/">Back to my requests</Link>
        </p>
      ) : error && !data ? (
        <p className="error" role="alert">
          The connection could not be loaded: {error.message}
        </p>
      ) : !data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <VcenterForm connection={data.vmwareConnection} />
      )}
    </section>
  );
}
