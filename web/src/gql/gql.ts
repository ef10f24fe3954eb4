/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ApprovalsAccess {\n    viewer {\n      id\n      roles\n      adminOfProjects\n    }\n  }\n": typeof types.ApprovalsAccessDocument,
    "\n  fragment VmRequestSummary on VmRequest {\n    id\n    version\n    vmName\n    size\n    status\n    provisioningStage\n    createdAt\n    updatedAt\n    requesterId\n    requesterName\n    hostname\n    ipAddress\n    failureCode\n    failureMessage\n    rejectionReason\n    cancellationReason\n    powerState\n    pendingOperation\n    decommissionedAt\n    lastOperationFailure {\n      operation\n      code\n      message\n      attempts\n      at\n    }\n    project {\n      id\n      name\n    }\n  }\n": typeof types.VmRequestSummaryFragmentDoc,
    "\n  query MyRequests($first: Int!, $after: String, $filter: VmRequestFilter!) {\n    viewer {\n      id\n    }\n    vmRequests(first: $first, after: $after, filter: $filter) {\n      totalCount\n      statusCounts {\n        status\n        count\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...VmRequestSummary\n        }\n      }\n    }\n  }\n": typeof types.MyRequestsDocument,
    "\n  query RequestFilterProjects {\n    projects(first: 100) {\n      edges {\n        node {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.RequestFilterProjectsDocument,
    "\n  fragment PendingApproval on VmRequest {\n    ...VmRequestSummary\n    justification\n    requesterEmail\n    decidedBy\n    spec {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n  }\n": typeof types.PendingApprovalFragmentDoc,
    "\n  query PendingApprovals($first: Int!) {\n    pendingApprovals(first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n      }\n      edges {\n        node {\n          ...PendingApproval\n        }\n      }\n    }\n  }\n": typeof types.PendingApprovalsDocument,
    "\n  subscription ApprovalQueueChanges($since: String) {\n    vmRequestChanges(since: $since) {\n      cursor\n      vmRequest {\n        ...PendingApproval\n      }\n    }\n  }\n": typeof types.ApprovalQueueChangesDocument,
    "\n  mutation ApproveRequest($input: ApproveVmRequestInput!) {\n    approveVmRequest(input: $input) {\n      __typename\n      ... on ApproveVmRequestPayload {\n        vmRequest {\n          ...PendingApproval\n        }\n      }\n      ...Refusal\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n      ... on QuotaExceededError {\n        ...QuotaRefusal\n      }\n    }\n  }\n": typeof types.ApproveRequestDocument,
    "\n  mutation RejectRequest($input: RejectVmRequestInput!) {\n    rejectVmRequest(input: $input) {\n      __typename\n      ... on RejectVmRequestPayload {\n        vmRequest {\n          ...PendingApproval\n        }\n      }\n      ...Refusal\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n    }\n  }\n": typeof types.RejectRequestDocument,
    "\n  query DecidedRequest($id: ID!) {\n    vmRequest(id: $id) {\n      ...VmRequestSummary\n      decidedBy\n    }\n  }\n": typeof types.DecidedRequestDocument,
    "\n  fragment ProjectItem on Project {\n    id\n    name\n    description\n    status\n    createdAt\n    createdBy\n    members {\n      userId\n      role\n    }\n    ...ProjectQuotaUsage\n  }\n": typeof types.ProjectItemFragmentDoc,
    "\n  fragment ProjectQuotaUsage on Project {\n    version\n    quota {\n      ...QuotaLimits\n    }\n    usage {\n      vms\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n      counted {\n        ...UsageFigures\n      }\n      running {\n        ...UsageFigures\n      }\n      held {\n        ...UsageFigures\n      }\n    }\n  }\n": typeof types.ProjectQuotaUsageFragmentDoc,
    "\n  fragment QuotaLimits on ProjectQuota {\n    maxVms\n    maxVCpus\n    maxRamGb\n    maxStorageGb\n  }\n": typeof types.QuotaLimitsFragmentDoc,
    "\n  fragment UsageFigures on ProjectUsageFigures {\n    vms\n    vcpus\n    memoryGb\n    diskGb\n    monthlyCostEur\n  }\n": typeof types.UsageFiguresFragmentDoc,
    "\n  query Projects($first: Int!) {\n    projects(first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n      }\n      edges {\n        node {\n          ...ProjectItem\n        }\n      }\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  query ProjectPage($id: ID!, $first: Int!) {\n    project(id: $id) {\n      ...ProjectItem\n      vmRequests(first: $first) {\n        totalCount\n        pageInfo {\n          hasNextPage\n        }\n        edges {\n          node {\n            ...VmRequestSummary\n          }\n        }\n      }\n    }\n  }\n": typeof types.ProjectPageDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ...Refusal\n    }\n  }\n": typeof types.CreateProjectDocument,
    "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      __typename\n      ... on AddProjectMemberPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ...Refusal\n    }\n  }\n": typeof types.AddProjectMemberDocument,
    "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input) {\n      __typename\n      ... on RemoveProjectMemberPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.RemoveProjectMemberDocument,
    "\n  mutation ArchiveProject($input: ArchiveProjectInput!) {\n    archiveProject(input: $input) {\n      __typename\n      ... on ArchiveProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ArchiveProjectDocument,
    "\n  mutation UnarchiveProject($input: UnarchiveProjectInput!) {\n    unarchiveProject(input: $input) {\n      __typename\n      ... on UnarchiveProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.UnarchiveProjectDocument,
    "\n  mutation SetProjectQuota($input: SetProjectQuotaInput!) {\n    setProjectQuota(input: $input) {\n      __typename\n      ... on SetProjectQuotaPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n": typeof types.SetProjectQuotaDocument,
    "\n  query ProjectQuotaNow($id: ID!) {\n    project(id: $id) {\n      ...ProjectItem\n    }\n  }\n": typeof types.ProjectQuotaNowDocument,
    "\n  subscription ProjectUsageChanged($projectId: ID!) {\n    projectUsageChanged(projectId: $projectId) {\n      id\n      ...ProjectQuotaUsage\n    }\n  }\n": typeof types.ProjectUsageChangedDocument,
    "\n  subscription ProjectUsageChanges($projectId: ID!, $since: String) {\n    vmRequestChanges(projectId: $projectId, since: $since) {\n      cursor\n      vmRequest {\n        ...VmRequestSummary\n        project {\n          id\n          ...ProjectQuotaUsage\n        }\n      }\n    }\n  }\n": typeof types.ProjectUsageChangesDocument,
    "\n  fragment QuotaRefusal on QuotaExceededError {\n    resource\n    limit\n    used\n    requested\n  }\n": typeof types.QuotaRefusalFragmentDoc,
    "\n  fragment Refusal on Error {\n    message\n    ... on ValidationError {\n      fields {\n        field\n        message\n      }\n    }\n  }\n": typeof types.RefusalFragmentDoc,
    "\n  fragment RequestDetail on VmRequest {\n    ...VmRequestSummary\n    justification\n    requesterEmail\n    decidedBy\n    provisioningAttempt\n    nextRetryAt\n    provisioningWarning\n    vmwareVmId\n    spec {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n    timeline {\n      type\n      occurredAt\n      actorId\n      details\n    }\n    auditTrail {\n      verified\n      sealedUpTo\n      events {\n        type\n        recordedAt\n        position\n        hash\n      }\n    }\n  }\n": typeof types.RequestDetailFragmentDoc,
    "\n  query RequestDetailPage($id: ID!) {\n    vmRequest(id: $id) {\n      ...RequestDetail\n    }\n  }\n": typeof types.RequestDetailPageDocument,
    "\n  subscription RequestDetailUpdates($id: ID!) {\n    vmRequestUpdated(id: $id) {\n      ...RequestDetail\n    }\n  }\n": typeof types.RequestDetailUpdatesDocument,
    "\n  mutation CancelRequest($input: CancelVmRequestInput!) {\n    cancelVmRequest(input: $input) {\n      __typename\n      ... on CancelVmRequestPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ...Refusal\n    }\n  }\n": typeof types.CancelRequestDocument,
    "\n  mutation PowerOffVm($input: PowerOffVmInput!) {\n    powerOffVm(input: $input) {\n      __typename\n      ... on PowerOffVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n": typeof types.PowerOffVmDocument,
    "\n  mutation PowerOnVm($input: PowerOnVmInput!) {\n    powerOnVm(input: $input) {\n      __typename\n      ... on PowerOnVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n": typeof types.PowerOnVmDocument,
    "\n  mutation DecommissionVm($input: DecommissionVmInput!) {\n    decommissionVm(input: $input) {\n      __typename\n      ... on DecommissionVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n": typeof types.DecommissionVmDocument,
    "\n  fragment UsageSize on UsageReportSize {\n    size\n    vmDays\n    peakVms\n    costCents\n    monthlyCostEur\n  }\n": typeof types.UsageSizeFragmentDoc,
    "\n  query UsageReport($month: String!) {\n    usageReport(month: $month) {\n      month\n      complete\n      daysCounted\n      daysInMonth\n      projects {\n        projectId\n        projectName\n        vmDays\n        peakVms\n        costCents\n        sizes {\n          ...UsageSize\n        }\n      }\n      totals {\n        vmDays\n        peakVms\n        costCents\n        sizes {\n          ...UsageSize\n        }\n      }\n    }\n  }\n": typeof types.UsageReportDocument,
    "\n  fragment VmwareSettingsFields on VmwareConnection {\n    version\n    url\n    username\n    passwordSet\n    datacenter\n    cluster\n    resourcePool\n    datastore\n    folder\n    network\n    templates {\n      size\n      template\n    }\n    defaultTemplate\n    ipPool {\n      cidr\n      gateway\n      dnsServers\n      dnsDomain\n    }\n    tls {\n      caPem\n      insecure\n    }\n    updatedAt\n    updatedBy\n  }\n": typeof types.VmwareSettingsFieldsFragmentDoc,
    "\n  query VmwareConnectionSettings {\n    vmwareConnection {\n      ...VmwareSettingsFields\n    }\n  }\n": typeof types.VmwareConnectionSettingsDocument,
    "\n  mutation SetVmwareConnection($input: SetVmwareConnectionInput!) {\n    setVmwareConnection(input: $input) {\n      __typename\n      ... on SetVmwareConnectionPayload {\n        connection {\n          ...VmwareSettingsFields\n        }\n      }\n      ...Refusal\n    }\n  }\n": typeof types.SetVmwareConnectionDocument,
    "\n  mutation TestVmwareConnection($input: TestVmwareConnectionInput!) {\n    testVmwareConnection(input: $input) {\n      __typename\n      ... on TestVmwareConnectionPayload {\n        ok\n        durationMs\n        failureCode\n        failureMessage\n      }\n      ...Refusal\n    }\n  }\n": typeof types.TestVmwareConnectionDocument,
    "\n  mutation RemoveVmwareConnection($input: RemoveVmwareConnectionInput!) {\n    removeVmwareConnection(input: $input) {\n      __typename\n      ... on RemoveVmwareConnectionPayload {\n        removedBy\n      }\n      ...Refusal\n    }\n  }\n": typeof types.RemoveVmwareConnectionDocument,
    "\n  subscription PortalChanges($since: String) {\n    vmRequestChanges(since: $since) {\n      cursor\n      vmRequest {\n        ...VmRequestSummary\n      }\n    }\n  }\n": typeof types.PortalChangesDocument,
    "\n  query LiveCursor {\n    liveCursor\n  }\n": typeof types.LiveCursorDocument,
    "\n  query NewRequestOptions {\n    viewer {\n      id\n      roles\n    }\n    projects(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          status\n          members {\n            userId\n            role\n          }\n        }\n      }\n    }\n    vmSizes {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n  }\n": typeof types.NewRequestOptionsDocument,
    "\n  mutation CreateVmRequestFromForm($input: CreateVmRequestInput!) {\n    createVmRequest(input: $input) {\n      __typename\n      ... on CreateVmRequestPayload {\n        vmRequest {\n          ...VmRequestSummary\n        }\n      }\n      ... on ValidationError {\n        fields {\n          field\n          message\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on QuotaExceededError {\n        ...QuotaRefusal\n      }\n    }\n  }\n": typeof types.CreateVmRequestFromFormDocument,
};
const documents: Documents = {
    "\n  query ApprovalsAccess {\n    viewer {\n      id\n      roles\n      adminOfProjects\n    }\n  }\n": types.ApprovalsAccessDocument,
    "\n  fragment VmRequestSummary on VmRequest {\n    id\n    version\n    vmName\n    size\n    status\n    provisioningStage\n    createdAt\n    updatedAt\n    requesterId\n    requesterName\n    hostname\n    ipAddress\n    failureCode\n    failureMessage\n    rejectionReason\n    cancellationReason\n    powerState\n    pendingOperation\n    decommissionedAt\n    lastOperationFailure {\n      operation\n      code\n      message\n      attempts\n      at\n    }\n    project {\n      id\n      name\n    }\n  }\n": types.VmRequestSummaryFragmentDoc,
    "\n  query MyRequests($first: Int!, $after: String, $filter: VmRequestFilter!) {\n    viewer {\n      id\n    }\n    vmRequests(first: $first, after: $after, filter: $filter) {\n      totalCount\n      statusCounts {\n        status\n        count\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...VmRequestSummary\n        }\n      }\n    }\n  }\n": types.MyRequestsDocument,
    "\n  query RequestFilterProjects {\n    projects(first: 100) {\n      edges {\n        node {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.RequestFilterProjectsDocument,
    "\n  fragment PendingApproval on VmRequest {\n    ...VmRequestSummary\n    justification\n    requesterEmail\n    decidedBy\n    spec {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n  }\n": types.PendingApprovalFragmentDoc,
    "\n  query PendingApprovals($first: Int!) {\n    pendingApprovals(first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n      }\n      edges {\n        node {\n          ...PendingApproval\n        }\n      }\n    }\n  }\n": types.PendingApprovalsDocument,
    "\n  subscription ApprovalQueueChanges($since: String) {\n    vmRequestChanges(since: $since) {\n      cursor\n      vmRequest {\n        ...PendingApproval\n      }\n    }\n  }\n": types.ApprovalQueueChangesDocument,
    "\n  mutation ApproveRequest($input: ApproveVmRequestInput!) {\n    approveVmRequest(input: $input) {\n      __typename\n      ... on ApproveVmRequestPayload {\n        vmRequest {\n          ...PendingApproval\n        }\n      }\n      ...Refusal\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n      ... on QuotaExceededError {\n        ...QuotaRefusal\n      }\n    }\n  }\n": types.ApproveRequestDocument,
    "\n  mutation RejectRequest($input: RejectVmRequestInput!) {\n    rejectVmRequest(input: $input) {\n      __typename\n      ... on RejectVmRequestPayload {\n        vmRequest {\n          ...PendingApproval\n        }\n      }\n      ...Refusal\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n    }\n  }\n": types.RejectRequestDocument,
    "\n  query DecidedRequest($id: ID!) {\n    vmRequest(id: $id) {\n      ...VmRequestSummary\n      decidedBy\n    }\n  }\n": types.DecidedRequestDocument,
    "\n  fragment ProjectItem on Project {\n    id\n    name\n    description\n    status\n    createdAt\n    createdBy\n    members {\n      userId\n      role\n    }\n    ...ProjectQuotaUsage\n  }\n": types.ProjectItemFragmentDoc,
    "\n  fragment ProjectQuotaUsage on Project {\n    version\n    quota {\n      ...QuotaLimits\n    }\n    usage {\n      vms\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n      counted {\n        ...UsageFigures\n      }\n      running {\n        ...UsageFigures\n      }\n      held {\n        ...UsageFigures\n      }\n    }\n  }\n": types.ProjectQuotaUsageFragmentDoc,
    "\n  fragment QuotaLimits on ProjectQuota {\n    maxVms\n    maxVCpus\n    maxRamGb\n    maxStorageGb\n  }\n": types.QuotaLimitsFragmentDoc,
    "\n  fragment UsageFigures on ProjectUsageFigures {\n    vms\n    vcpus\n    memoryGb\n    diskGb\n    monthlyCostEur\n  }\n": types.UsageFiguresFragmentDoc,
    "\n  query Projects($first: Int!) {\n    projects(first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n      }\n      edges {\n        node {\n          ...ProjectItem\n        }\n      }\n    }\n  }\n": types.ProjectsDocument,
    "\n  query ProjectPage($id: ID!, $first: Int!) {\n    project(id: $id) {\n      ...ProjectItem\n      vmRequests(first: $first) {\n        totalCount\n        pageInfo {\n          hasNextPage\n        }\n        edges {\n          node {\n            ...VmRequestSummary\n          }\n        }\n      }\n    }\n  }\n": types.ProjectPageDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ...Refusal\n    }\n  }\n": types.CreateProjectDocument,
    "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      __typename\n      ... on AddProjectMemberPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ...Refusal\n    }\n  }\n": types.AddProjectMemberDocument,
    "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input) {\n      __typename\n      ... on RemoveProjectMemberPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.RemoveProjectMemberDocument,
    "\n  mutation ArchiveProject($input: ArchiveProjectInput!) {\n    archiveProject(input: $input) {\n      __typename\n      ... on ArchiveProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ArchiveProjectDocument,
    "\n  mutation UnarchiveProject($input: UnarchiveProjectInput!) {\n    unarchiveProject(input: $input) {\n      __typename\n      ... on UnarchiveProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.UnarchiveProjectDocument,
    "\n  mutation SetProjectQuota($input: SetProjectQuotaInput!) {\n    setProjectQuota(input: $input) {\n      __typename\n      ... on SetProjectQuotaPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n": types.SetProjectQuotaDocument,
    "\n  query ProjectQuotaNow($id: ID!) {\n    project(id: $id) {\n      ...ProjectItem\n    }\n  }\n": types.ProjectQuotaNowDocument,
    "\n  subscription ProjectUsageChanged($projectId: ID!) {\n    projectUsageChanged(projectId: $projectId) {\n      id\n      ...ProjectQuotaUsage\n    }\n  }\n": types.ProjectUsageChangedDocument,
    "\n  subscription ProjectUsageChanges($projectId: ID!, $since: String) {\n    vmRequestChanges(projectId: $projectId, since: $since) {\n      cursor\n      vmRequest {\n        ...VmRequestSummary\n        project {\n          id\n          ...ProjectQuotaUsage\n        }\n      }\n    }\n  }\n": types.ProjectUsageChangesDocument,
    "\n  fragment QuotaRefusal on QuotaExceededError {\n    resource\n    limit\n    used\n    requested\n  }\n": types.QuotaRefusalFragmentDoc,
    "\n  fragment Refusal on Error {\n    message\n    ... on ValidationError {\n      fields {\n        field\n        message\n      }\n    }\n  }\n": types.RefusalFragmentDoc,
    "\n  fragment RequestDetail on VmRequest {\n    ...VmRequestSummary\n    justification\n    requesterEmail\n    decidedBy\n    provisioningAttempt\n    nextRetryAt\n    provisioningWarning\n    vmwareVmId\n    spec {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n    timeline {\n      type\n      occurredAt\n      actorId\n      details\n    }\n    auditTrail {\n      verified\n      sealedUpTo\n      events {\n        type\n        recordedAt\n        position\n        hash\n      }\n    }\n  }\n": types.RequestDetailFragmentDoc,
    "\n  query RequestDetailPage($id: ID!) {\n    vmRequest(id: $id) {\n      ...RequestDetail\n    }\n  }\n": types.RequestDetailPageDocument,
    "\n  subscription RequestDetailUpdates($id: ID!) {\n    vmRequestUpdated(id: $id) {\n      ...RequestDetail\n    }\n  }\n": types.RequestDetailUpdatesDocument,
    "\n  mutation CancelRequest($input: CancelVmRequestInput!) {\n    cancelVmRequest(input: $input) {\n      __typename\n      ... on CancelVmRequestPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ...Refusal\n    }\n  }\n": types.CancelRequestDocument,
    "\n  mutation PowerOffVm($input: PowerOffVmInput!) {\n    powerOffVm(input: $input) {\n      __typename\n      ... on PowerOffVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n": types.PowerOffVmDocument,
    "\n  mutation PowerOnVm($input: PowerOnVmInput!) {\n    powerOnVm(input: $input) {\n      __typename\n      ... on PowerOnVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n": types.PowerOnVmDocument,
    "\n  mutation DecommissionVm($input: DecommissionVmInput!) {\n    decommissionVm(input: $input) {\n      __typename\n      ... on DecommissionVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n": types.DecommissionVmDocument,
    "\n  fragment UsageSize on UsageReportSize {\n    size\n    vmDays\n    peakVms\n    costCents\n    monthlyCostEur\n  }\n": types.UsageSizeFragmentDoc,
    "\n  query UsageReport($month: String!) {\n    usageReport(month: $month) {\n      month\n      complete\n      daysCounted\n      daysInMonth\n      projects {\n        projectId\n        projectName\n        vmDays\n        peakVms\n        costCents\n        sizes {\n          ...UsageSize\n        }\n      }\n      totals {\n        vmDays\n        peakVms\n        costCents\n        sizes {\n          ...UsageSize\n        }\n      }\n    }\n  }\n": types.UsageReportDocument,
    "\n  fragment VmwareSettingsFields on VmwareConnection {\n    version\n    url\n    username\n    passwordSet\n    datacenter\n    cluster\n    resourcePool\n    datastore\n    folder\n    network\n    templates {\n      size\n      template\n    }\n    defaultTemplate\n    ipPool {\n      cidr\n      gateway\n      dnsServers\n      dnsDomain\n    }\n    tls {\n      caPem\n      insecure\n    }\n    updatedAt\n    updatedBy\n  }\n": types.VmwareSettingsFieldsFragmentDoc,
    "\n  query VmwareConnectionSettings {\n    vmwareConnection {\n      ...VmwareSettingsFields\n    }\n  }\n": types.VmwareConnectionSettingsDocument,
    "\n  mutation SetVmwareConnection($input: SetVmwareConnectionInput!) {\n    setVmwareConnection(input: $input) {\n      __typename\n      ... on SetVmwareConnectionPayload {\n        connection {\n          ...VmwareSettingsFields\n        }\n      }\n      ...Refusal\n    }\n  }\n": types.SetVmwareConnectionDocument,
    "\n  mutation TestVmwareConnection($input: TestVmwareConnectionInput!) {\n    testVmwareConnection(input: $input) {\n      __typename\n      ... on TestVmwareConnectionPayload {\n        ok\n        durationMs\n        failureCode\n        failureMessage\n      }\n      ...Refusal\n    }\n  }\n": types.TestVmwareConnectionDocument,
    "\n  mutation RemoveVmwareConnection($input: RemoveVmwareConnectionInput!) {\n    removeVmwareConnection(input: $input) {\n      __typename\n      ... on RemoveVmwareConnectionPayload {\n        removedBy\n      }\n      ...Refusal\n    }\n  }\n": types.RemoveVmwareConnectionDocument,
    "\n  subscription PortalChanges($since: String) {\n    vmRequestChanges(since: $since) {\n      cursor\n      vmRequest {\n        ...VmRequestSummary\n      }\n    }\n  }\n": types.PortalChangesDocument,
    "\n  query LiveCursor {\n    liveCursor\n  }\n": types.LiveCursorDocument,
    "\n  query NewRequestOptions {\n    viewer {\n      id\n      roles\n    }\n    projects(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          status\n          members {\n            userId\n            role\n          }\n        }\n      }\n    }\n    vmSizes {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n  }\n": types.NewRequestOptionsDocument,
    "\n  mutation CreateVmRequestFromForm($input: CreateVmRequestInput!) {\n    createVmRequest(input: $input) {\n      __typename\n      ... on CreateVmRequestPayload {\n        vmRequest {\n          ...VmRequestSummary\n        }\n      }\n      ... on ValidationError {\n        fields {\n          field\n          message\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on QuotaExceededError {\n        ...QuotaRefusal\n      }\n    }\n  }\n": types.CreateVmRequestFromFormDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApprovalsAccess {\n    viewer {\n      id\n      roles\n      adminOfProjects\n    }\n  }\n"): (typeof documents)["\n  query ApprovalsAccess {\n    viewer {\n      id\n      roles\n      adminOfProjects\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment VmRequestSummary on VmRequest {\n    id\n    version\n    vmName\n    size\n    status\n    provisioningStage\n    createdAt\n    updatedAt\n    requesterId\n    requesterName\n    hostname\n    ipAddress\n    failureCode\n    failureMessage\n    rejectionReason\n    cancellationReason\n    powerState\n    pendingOperation\n    decommissionedAt\n    lastOperationFailure {\n      operation\n      code\n      message\n      attempts\n      at\n    }\n    project {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment VmRequestSummary on VmRequest {\n    id\n    version\n    vmName\n    size\n    status\n    provisioningStage\n    createdAt\n    updatedAt\n    requesterId\n    requesterName\n    hostname\n    ipAddress\n    failureCode\n    failureMessage\n    rejectionReason\n    cancellationReason\n    powerState\n    pendingOperation\n    decommissionedAt\n    lastOperationFailure {\n      operation\n      code\n      message\n      attempts\n      at\n    }\n    project {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyRequests($first: Int!, $after: String, $filter: VmRequestFilter!) {\n    viewer {\n      id\n    }\n    vmRequests(first: $first, after: $after, filter: $filter) {\n      totalCount\n      statusCounts {\n        status\n        count\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...VmRequestSummary\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyRequests($first: Int!, $after: String, $filter: VmRequestFilter!) {\n    viewer {\n      id\n    }\n    vmRequests(first: $first, after: $after, filter: $filter) {\n      totalCount\n      statusCounts {\n        status\n        count\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...VmRequestSummary\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RequestFilterProjects {\n    projects(first: 100) {\n      edges {\n        node {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RequestFilterProjects {\n    projects(first: 100) {\n      edges {\n        node {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PendingApproval on VmRequest {\n    ...VmRequestSummary\n    justification\n    requesterEmail\n    decidedBy\n    spec {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n  }\n"): (typeof documents)["\n  fragment PendingApproval on VmRequest {\n    ...VmRequestSummary\n    justification\n    requesterEmail\n    decidedBy\n    spec {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PendingApprovals($first: Int!) {\n    pendingApprovals(first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n      }\n      edges {\n        node {\n          ...PendingApproval\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PendingApprovals($first: Int!) {\n    pendingApprovals(first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n      }\n      edges {\n        node {\n          ...PendingApproval\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ApprovalQueueChanges($since: String) {\n    vmRequestChanges(since: $since) {\n      cursor\n      vmRequest {\n        ...PendingApproval\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ApprovalQueueChanges($since: String) {\n    vmRequestChanges(since: $since) {\n      cursor\n      vmRequest {\n        ...PendingApproval\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveRequest($input: ApproveVmRequestInput!) {\n    approveVmRequest(input: $input) {\n      __typename\n      ... on ApproveVmRequestPayload {\n        vmRequest {\n          ...PendingApproval\n        }\n      }\n      ...Refusal\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n      ... on QuotaExceededError {\n        ...QuotaRefusal\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ApproveRequest($input: ApproveVmRequestInput!) {\n    approveVmRequest(input: $input) {\n      __typename\n      ... on ApproveVmRequestPayload {\n        vmRequest {\n          ...PendingApproval\n        }\n      }\n      ...Refusal\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n      ... on QuotaExceededError {\n        ...QuotaRefusal\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RejectRequest($input: RejectVmRequestInput!) {\n    rejectVmRequest(input: $input) {\n      __typename\n      ... on RejectVmRequestPayload {\n        vmRequest {\n          ...PendingApproval\n        }\n      }\n      ...Refusal\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RejectRequest($input: RejectVmRequestInput!) {\n    rejectVmRequest(input: $input) {\n      __typename\n      ... on RejectVmRequestPayload {\n        vmRequest {\n          ...PendingApproval\n        }\n      }\n      ...Refusal\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ... on InvalidStateError {\n        currentStatus\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DecidedRequest($id: ID!) {\n    vmRequest(id: $id) {\n      ...VmRequestSummary\n      decidedBy\n    }\n  }\n"): (typeof documents)["\n  query DecidedRequest($id: ID!) {\n    vmRequest(id: $id) {\n      ...VmRequestSummary\n      decidedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProjectItem on Project {\n    id\n    name\n    description\n    status\n    createdAt\n    createdBy\n    members {\n      userId\n      role\n    }\n    ...ProjectQuotaUsage\n  }\n"): (typeof documents)["\n  fragment ProjectItem on Project {\n    id\n    name\n    description\n    status\n    createdAt\n    createdBy\n    members {\n      userId\n      role\n    }\n    ...ProjectQuotaUsage\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProjectQuotaUsage on Project {\n    version\n    quota {\n      ...QuotaLimits\n    }\n    usage {\n      vms\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n      counted {\n        ...UsageFigures\n      }\n      running {\n        ...UsageFigures\n      }\n      held {\n        ...UsageFigures\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment ProjectQuotaUsage on Project {\n    version\n    quota {\n      ...QuotaLimits\n    }\n    usage {\n      vms\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n      counted {\n        ...UsageFigures\n      }\n      running {\n        ...UsageFigures\n      }\n      held {\n        ...UsageFigures\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment QuotaLimits on ProjectQuota {\n    maxVms\n    maxVCpus\n    maxRamGb\n    maxStorageGb\n  }\n"): (typeof documents)["\n  fragment QuotaLimits on ProjectQuota {\n    maxVms\n    maxVCpus\n    maxRamGb\n    maxStorageGb\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UsageFigures on ProjectUsageFigures {\n    vms\n    vcpus\n    memoryGb\n    diskGb\n    monthlyCostEur\n  }\n"): (typeof documents)["\n  fragment UsageFigures on ProjectUsageFigures {\n    vms\n    vcpus\n    memoryGb\n    diskGb\n    monthlyCostEur\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects($first: Int!) {\n    projects(first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n      }\n      edges {\n        node {\n          ...ProjectItem\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Projects($first: Int!) {\n    projects(first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n      }\n      edges {\n        node {\n          ...ProjectItem\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectPage($id: ID!, $first: Int!) {\n    project(id: $id) {\n      ...ProjectItem\n      vmRequests(first: $first) {\n        totalCount\n        pageInfo {\n          hasNextPage\n        }\n        edges {\n          node {\n            ...VmRequestSummary\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectPage($id: ID!, $first: Int!) {\n    project(id: $id) {\n      ...ProjectItem\n      vmRequests(first: $first) {\n        totalCount\n        pageInfo {\n          hasNextPage\n        }\n        edges {\n          node {\n            ...VmRequestSummary\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      __typename\n      ... on AddProjectMemberPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      __typename\n      ... on AddProjectMemberPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input) {\n      __typename\n      ... on RemoveProjectMemberPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input) {\n      __typename\n      ... on RemoveProjectMemberPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ArchiveProject($input: ArchiveProjectInput!) {\n    archiveProject(input: $input) {\n      __typename\n      ... on ArchiveProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ArchiveProject($input: ArchiveProjectInput!) {\n    archiveProject(input: $input) {\n      __typename\n      ... on ArchiveProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnarchiveProject($input: UnarchiveProjectInput!) {\n    unarchiveProject(input: $input) {\n      __typename\n      ... on UnarchiveProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UnarchiveProject($input: UnarchiveProjectInput!) {\n    unarchiveProject(input: $input) {\n      __typename\n      ... on UnarchiveProjectPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetProjectQuota($input: SetProjectQuotaInput!) {\n    setProjectQuota(input: $input) {\n      __typename\n      ... on SetProjectQuotaPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation SetProjectQuota($input: SetProjectQuotaInput!) {\n    setProjectQuota(input: $input) {\n      __typename\n      ... on SetProjectQuotaPayload {\n        project {\n          ...ProjectItem\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectQuotaNow($id: ID!) {\n    project(id: $id) {\n      ...ProjectItem\n    }\n  }\n"): (typeof documents)["\n  query ProjectQuotaNow($id: ID!) {\n    project(id: $id) {\n      ...ProjectItem\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ProjectUsageChanged($projectId: ID!) {\n    projectUsageChanged(projectId: $projectId) {\n      id\n      ...ProjectQuotaUsage\n    }\n  }\n"): (typeof documents)["\n  subscription ProjectUsageChanged($projectId: ID!) {\n    projectUsageChanged(projectId: $projectId) {\n      id\n      ...ProjectQuotaUsage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ProjectUsageChanges($projectId: ID!, $since: String) {\n    vmRequestChanges(projectId: $projectId, since: $since) {\n      cursor\n      vmRequest {\n        ...VmRequestSummary\n        project {\n          id\n          ...ProjectQuotaUsage\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ProjectUsageChanges($projectId: ID!, $since: String) {\n    vmRequestChanges(projectId: $projectId, since: $since) {\n      cursor\n      vmRequest {\n        ...VmRequestSummary\n        project {\n          id\n          ...ProjectQuotaUsage\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment QuotaRefusal on QuotaExceededError {\n    resource\n    limit\n    used\n    requested\n  }\n"): (typeof documents)["\n  fragment QuotaRefusal on QuotaExceededError {\n    resource\n    limit\n    used\n    requested\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Refusal on Error {\n    message\n    ... on ValidationError {\n      fields {\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment Refusal on Error {\n    message\n    ... on ValidationError {\n      fields {\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RequestDetail on VmRequest {\n    ...VmRequestSummary\n    justification\n    requesterEmail\n    decidedBy\n    provisioningAttempt\n    nextRetryAt\n    provisioningWarning\n    vmwareVmId\n    spec {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n    timeline {\n      type\n      occurredAt\n      actorId\n      details\n    }\n    auditTrail {\n      verified\n      sealedUpTo\n      events {\n        type\n        recordedAt\n        position\n        hash\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment RequestDetail on VmRequest {\n    ...VmRequestSummary\n    justification\n    requesterEmail\n    decidedBy\n    provisioningAttempt\n    nextRetryAt\n    provisioningWarning\n    vmwareVmId\n    spec {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n    timeline {\n      type\n      occurredAt\n      actorId\n      details\n    }\n    auditTrail {\n      verified\n      sealedUpTo\n      events {\n        type\n        recordedAt\n        position\n        hash\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RequestDetailPage($id: ID!) {\n    vmRequest(id: $id) {\n      ...RequestDetail\n    }\n  }\n"): (typeof documents)["\n  query RequestDetailPage($id: ID!) {\n    vmRequest(id: $id) {\n      ...RequestDetail\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RequestDetailUpdates($id: ID!) {\n    vmRequestUpdated(id: $id) {\n      ...RequestDetail\n    }\n  }\n"): (typeof documents)["\n  subscription RequestDetailUpdates($id: ID!) {\n    vmRequestUpdated(id: $id) {\n      ...RequestDetail\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRequest($input: CancelVmRequestInput!) {\n    cancelVmRequest(input: $input) {\n      __typename\n      ... on CancelVmRequestPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation CancelRequest($input: CancelVmRequestInput!) {\n    cancelVmRequest(input: $input) {\n      __typename\n      ... on CancelVmRequestPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PowerOffVm($input: PowerOffVmInput!) {\n    powerOffVm(input: $input) {\n      __typename\n      ... on PowerOffVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation PowerOffVm($input: PowerOffVmInput!) {\n    powerOffVm(input: $input) {\n      __typename\n      ... on PowerOffVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PowerOnVm($input: PowerOnVmInput!) {\n    powerOnVm(input: $input) {\n      __typename\n      ... on PowerOnVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation PowerOnVm($input: PowerOnVmInput!) {\n    powerOnVm(input: $input) {\n      __typename\n      ... on PowerOnVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DecommissionVm($input: DecommissionVmInput!) {\n    decommissionVm(input: $input) {\n      __typename\n      ... on DecommissionVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation DecommissionVm($input: DecommissionVmInput!) {\n    decommissionVm(input: $input) {\n      __typename\n      ... on DecommissionVmPayload {\n        vmRequest {\n          ...RequestDetail\n        }\n      }\n      ... on ConcurrencyError {\n        actualVersion\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UsageSize on UsageReportSize {\n    size\n    vmDays\n    peakVms\n    costCents\n    monthlyCostEur\n  }\n"): (typeof documents)["\n  fragment UsageSize on UsageReportSize {\n    size\n    vmDays\n    peakVms\n    costCents\n    monthlyCostEur\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageReport($month: String!) {\n    usageReport(month: $month) {\n      month\n      complete\n      daysCounted\n      daysInMonth\n      projects {\n        projectId\n        projectName\n        vmDays\n        peakVms\n        costCents\n        sizes {\n          ...UsageSize\n        }\n      }\n      totals {\n        vmDays\n        peakVms\n        costCents\n        sizes {\n          ...UsageSize\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query UsageReport($month: String!) {\n    usageReport(month: $month) {\n      month\n      complete\n      daysCounted\n      daysInMonth\n      projects {\n        projectId\n        projectName\n        vmDays\n        peakVms\n        costCents\n        sizes {\n          ...UsageSize\n        }\n      }\n      totals {\n        vmDays\n        peakVms\n        costCents\n        sizes {\n          ...UsageSize\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment VmwareSettingsFields on VmwareConnection {\n    version\n    url\n    username\n    passwordSet\n    datacenter\n    cluster\n    resourcePool\n    datastore\n    folder\n    network\n    templates {\n      size\n      template\n    }\n    defaultTemplate\n    ipPool {\n      cidr\n      gateway\n      dnsServers\n      dnsDomain\n    }\n    tls {\n      caPem\n      insecure\n    }\n    updatedAt\n    updatedBy\n  }\n"): (typeof documents)["\n  fragment VmwareSettingsFields on VmwareConnection {\n    version\n    url\n    username\n    passwordSet\n    datacenter\n    cluster\n    resourcePool\n    datastore\n    folder\n    network\n    templates {\n      size\n      template\n    }\n    defaultTemplate\n    ipPool {\n      cidr\n      gateway\n      dnsServers\n      dnsDomain\n    }\n    tls {\n      caPem\n      insecure\n    }\n    updatedAt\n    updatedBy\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VmwareConnectionSettings {\n    vmwareConnection {\n      ...VmwareSettingsFields\n    }\n  }\n"): (typeof documents)["\n  query VmwareConnectionSettings {\n    vmwareConnection {\n      ...VmwareSettingsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetVmwareConnection($input: SetVmwareConnectionInput!) {\n    setVmwareConnection(input: $input) {\n      __typename\n      ... on SetVmwareConnectionPayload {\n        connection {\n          ...VmwareSettingsFields\n        }\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation SetVmwareConnection($input: SetVmwareConnectionInput!) {\n    setVmwareConnection(input: $input) {\n      __typename\n      ... on SetVmwareConnectionPayload {\n        connection {\n          ...VmwareSettingsFields\n        }\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestVmwareConnection($input: TestVmwareConnectionInput!) {\n    testVmwareConnection(input: $input) {\n      __typename\n      ... on TestVmwareConnectionPayload {\n        ok\n        durationMs\n        failureCode\n        failureMessage\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation TestVmwareConnection($input: TestVmwareConnectionInput!) {\n    testVmwareConnection(input: $input) {\n      __typename\n      ... on TestVmwareConnectionPayload {\n        ok\n        durationMs\n        failureCode\n        failureMessage\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveVmwareConnection($input: RemoveVmwareConnectionInput!) {\n    removeVmwareConnection(input: $input) {\n      __typename\n      ... on RemoveVmwareConnectionPayload {\n        removedBy\n      }\n      ...Refusal\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveVmwareConnection($input: RemoveVmwareConnectionInput!) {\n    removeVmwareConnection(input: $input) {\n      __typename\n      ... on RemoveVmwareConnectionPayload {\n        removedBy\n      }\n      ...Refusal\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PortalChanges($since: String) {\n    vmRequestChanges(since: $since) {\n      cursor\n      vmRequest {\n        ...VmRequestSummary\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription PortalChanges($since: String) {\n    vmRequestChanges(since: $since) {\n      cursor\n      vmRequest {\n        ...VmRequestSummary\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LiveCursor {\n    liveCursor\n  }\n"): (typeof documents)["\n  query LiveCursor {\n    liveCursor\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewRequestOptions {\n    viewer {\n      id\n      roles\n    }\n    projects(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          status\n          members {\n            userId\n            role\n          }\n        }\n      }\n    }\n    vmSizes {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n  }\n"): (typeof documents)["\n  query NewRequestOptions {\n    viewer {\n      id\n      roles\n    }\n    projects(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          status\n          members {\n            userId\n            role\n          }\n        }\n      }\n    }\n    vmSizes {\n      size\n      vcpus\n      memoryGb\n      diskGb\n      monthlyCostEur\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateVmRequestFromForm($input: CreateVmRequestInput!) {\n    createVmRequest(input: $input) {\n      __typename\n      ... on CreateVmRequestPayload {\n        vmRequest {\n          ...VmRequestSummary\n        }\n      }\n      ... on ValidationError {\n        fields {\n          field\n          message\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on QuotaExceededError {\n        ...QuotaRefusal\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateVmRequestFromForm($input: CreateVmRequestInput!) {\n    createVmRequest(input: $input) {\n      __typename\n      ... on CreateVmRequestPayload {\n        vmRequest {\n          ...VmRequestSummary\n        }\n      }\n      ... on ValidationError {\n        fields {\n          field\n          message\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on QuotaExceededError {\n        ...QuotaRefusal\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;