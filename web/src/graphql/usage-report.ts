import { graphql } from '../gql/index.ts';

/** One size's line of the report. */
export const UsageSizeFragment = graphql(`
  fragment UsageSize on UsageReportSize {
    size
    vmDays
    peakVms
    costCents
    monthlyCostEur
  }
`);
/** One month's VM-days, prorated cost and peak VMs per project and size (tenant admins: all; project admins: theirs). */
export const UsageReportQuery = graphql(`
  query UsageReport($month: String!) {
    usageReport(month: $month) {
      month
      complete
      daysCounted
      daysInMonth
      projects {
        projectId
        projectName
        vmDays
        peakVms
        costCents
        sizes {
          ...UsageSize
        }
      }
      totals {
        vmDays
        peakVms
        costCents
        sizes {
          ...UsageSize
        }
      }
    }
  }
`);
