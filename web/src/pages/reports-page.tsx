import { useId, useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { useApprovalsAccess } from '../auth/approvals-access.ts';
import type { UsageReportQuery as ReportData, UsageSizeFragment } from '../gql/graphql.ts';
import { UsageReportQuery } from '../graphql/usage-report.ts';
import { downloadUsageCsv } from './reports/download-csv.ts';

const cents = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', minimumFractionDigits: 2 });
const money = (value: number) => cents.format(value / 100);
const thisMonth = () => new Date().toISOString().slice(0, 7);

/**
 * The monthly usage report: VM-days, peak VMs and prorated cost per project and size for a month (UTC), for tenant
 * admins (every project) and project admins (theirs), with the same figures as a CSV download.
 */
export function ReportsPage() {
  // Project admins and tenant admins are the ones with a queue to see; the server decides the rest (FORBIDDEN).
  const access = useApprovalsAccess();
  if (access === 'decide' || access === 'watch') return <UsageReport />;
  return (
    <section>
      <h1>Usage reports</h1>
      {access === 'checking' ? (
        <p aria-busy="true">Checking your roles…</p>
      ) : (
        <p className="notice" role="status">
          You are not allowed to see this page: usage reports are for tenant admins and project admins. <Link href="/">Back to my requests</Link>
        </p>
      )}
    </section>
  );
}

function UsageReport() {
  const id = useId();
  const latest = thisMonth();
  const [month, setMonth] = useState(latest);
  const [downloading, setDownloading] = useState(false);
  const [downloadProblem, setDownloadProblem] = useState<string | null>(null);
  const valid = /^\d{4}-\d{2}$/.test(month) && month <= latest;
  const [{ data, error, fetching }] = useQuery({ query: UsageReportQuery, variables: { month }, pause: !valid, requestPolicy: 'cache-and-network' });
  const report = data?.usageReport;

  async function download() {
    setDownloading(true);
    setDownloadProblem(null);
    setDownloadProblem(await downloadUsageCsv(month));
    setDownloading(false);
  }

  return (
    <section className="reports">
      <h1>Usage reports</h1>
      <p className="hint">
        VM-days, the most VMs running at once, and the cost prorated by the days each VM was READY in the month (UTC): a
        VM that became READY on the 20th of a 30-day month costs 11/30 of its monthly price that month.
      </p>
      <div className="inline-actions report-controls">
        <div className="field">
          <label htmlFor={`${id}-month`}>Month</label>
          <input
            id={`${id}-month`}
            type="month"
            value={month}
            max={latest}
            onChange={(event) => setMonth(event.target.value)}
            aria-invalid={valid ? undefined : true}
            aria-describedby={valid ? undefined : `${id}-month-error`}
          />
          {valid ? null : (
            <p id={`${id}-month-error`} className="error field-error">
              Choose a month up to {latest}.
            </p>
          )}
        </div>
        <button type="button" onClick={() => void download()} disabled={!valid || downloading}>
          {downloading ? 'Downloading…' : 'Download CSV'}
        </button>
      </div>
      <div role="alert">{downloadProblem ? <p className="error">{downloadProblem}</p> : null}</div>
      {error && !report ? <p className="error">Could not load the report: {error.graphQLErrors[0]?.message ?? error.message}</p> : null}
      {valid && !report && fetching ? <p aria-busy="true">Loading the report…</p> : null}
      {report && report.month === month ? <ReportTable report={report} /> : null}
    </section>
  );
}

type Report = ReportData['usageReport'];

function SizeCells({ size }: { size: UsageSizeFragment }) {
  return (
    <>
      <td>{size.size}</td>
      <td className="number">{size.vmDays}</td>
      <td className="number">{size.peakVms}</td>
      <td className="number">{money(size.costCents)}</td>
    </>
  );
}

function ReportTable({ report }: { report: Report }) {
  const status = report.complete
    ? `${report.month}: complete, ${report.daysInMonth} days.`
    : `${report.month}: so far, ${report.daysCounted} of ${report.daysInMonth} days counted.`;
  if (report.projects.length === 0) {
    return (
      <>
        <p className="hint">{status}</p>
        <p className="empty">No VM ran in {report.month} in the projects you may report on.</p>
      </>
    );
  }
  return (
    <div className="table-scroll">
      <p className="hint">{status}</p>
      <table className="report-table">
        <caption className="visually-hidden">Usage in {report.month} per project and size</caption>
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Size</th>
            <th scope="col" className="number">VM-days</th>
            <th scope="col" className="number">Peak VMs</th>
            <th scope="col" className="number">Cost</th>
          </tr>
        </thead>
        {report.projects.map((project) => (
          <tbody key={project.projectId} data-report-project={project.projectName ?? project.projectId}>
            {project.sizes.map((size) => (
              <tr key={size.size}>
                <th scope="row">{project.projectName ?? 'A new project'}</th>
                <SizeCells size={size} />
              </tr>
            ))}
            <tr className="report-subtotal">
              <th scope="row">{project.projectName ?? 'A new project'}</th>
              <td>All sizes</td>
              <td className="number">{project.vmDays}</td>
              <td className="number">{project.peakVms}</td>
              <td className="number">{money(project.costCents)}</td>
            </tr>
          </tbody>
        ))}
        <tfoot>
          {report.totals.sizes.map((size) => (
            <tr key={size.size}>
              <th scope="row">All projects</th>
              <SizeCells size={size} />
            </tr>
          ))}
          <tr className="report-total" data-report-total>
            <th scope="row">Total</th>
            <td>All sizes</td>
            <td className="number">{report.totals.vmDays}</td>
            <td className="number">{report.totals.peakVms}</td>
            <td className="number">{money(report.totals.costCents)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
