import { GraphQLError } from 'graphql';
import { builder } from '../builder.ts';
import { requirePrincipal } from '../principal.ts';
import { usageReportFor } from '../read/usage-report.ts';
import { UsageReportRef } from '../types/usage-report.ts';

builder.queryField('usageReport', (t) =>
  t.field({
    type: UsageReportRef,
    description:
      'VM usage and prorated cost of one calendar month (UTC), per project and size. Tenant admins see every project; a project admin (PROJECT_ADMIN) the projects they administer; anyone else gets FORBIDDEN. The same figures as CSV: GET /reports/usage.csv?month=YYYY-MM.',
    args: {
      month: t.arg.string({
        required: true,
        description: 'The month as YYYY-MM (e.g. 2026-11), not after the current month (UTC); anything else is a BAD_USER_INPUT error.',
      }),
    },
    resolve: async (_root, { month }, context) => {
      const outcome = await usageReportFor(context.db, requirePrincipal(context), month, new Date());
      if (outcome.ok) return outcome.report;
      if (outcome.code === 'FORBIDDEN') throw new GraphQLError(outcome.message, { extensions: { code: 'FORBIDDEN' } });
      throw new GraphQLError(outcome.message, { extensions: { code: 'BAD_USER_INPUT', field: outcome.field } });
    },
  }),
);
