import { graphql } from '../gql/index.ts';

/** What the projects list and a project's page show of a project. */
export const ProjectItemFragment = graphql(`
  fragment ProjectItem on Project {
    id
    name
    description
    status
    createdAt
    createdBy
    members {
      userId
      role
    }
    ...ProjectQuotaUsage
  }
`);

/** A project's limits and what counts against them: the list, its page and each live change select the same. */
export const ProjectQuotaUsageFragment = graphql(`
  fragment ProjectQuotaUsage on Project {
    version
    quota {
      ...QuotaLimits
    }
    usage {
      vms
      vcpus
      memoryGb
      diskGb
      monthlyCostEur
      counted {
        ...UsageFigures
      }
      running {
        ...UsageFigures
      }
      held {
        ...UsageFigures
      }
    }
  }
`);

/** A project's limits (null: no limit). */
export const QuotaLimitsFragment = graphql(`
  fragment QuotaLimits on ProjectQuota {
    maxVms
    maxVCpus
    maxRamGb
    maxStorageGb
  }
`);

export const UsageFiguresFragment = graphql(`
  fragment UsageFigures on ProjectUsageFigures {
    vms
    vcpus
    memoryGb
    diskGb
    monthlyCostEur
  }
`);

/** Projects a page of the list reads at once (a tenant has tens of projects, not thousands). */
export const PROJECTS_PAGE = 100;
/** A project's requests its page shows, newest first. */
export const PROJECT_REQUESTS_PAGE = 50;

export const ProjectsQuery = graphql(`
  query Projects($first: Int!) {
    projects(first: $first) {
      totalCount
      pageInfo {
        hasNextPage
      }
      edges {
        node {
          ...ProjectItem
        }
      }
    }
  }
`);

export const ProjectPageQuery = graphql(`
  query ProjectPage($id: ID!, $first: Int!) {
    project(id: $id) {
      ...ProjectItem
      vmRequests(first: $first) {
        totalCount
        pageInfo {
          hasNextPage
        }
        edges {
          node {
            ...VmRequestSummary
          }
        }
      }
    }
  }
`);

export const CreateProject = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      __typename
      ... on CreateProjectPayload {
        project {
          ...ProjectItem
        }
      }
      ...Refusal
    }
  }
`);

export const AddProjectMember = graphql(`
  mutation AddProjectMember($input: AddProjectMemberInput!) {
    addProjectMember(input: $input) {
      __typename
      ... on AddProjectMemberPayload {
        project {
          ...ProjectItem
        }
      }
      ...Refusal
    }
  }
`);

export const RemoveProjectMember = graphql(`
  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {
    removeProjectMember(input: $input) {
      __typename
      ... on RemoveProjectMemberPayload {
        project {
          ...ProjectItem
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const ArchiveProject = graphql(`
  mutation ArchiveProject($input: ArchiveProjectInput!) {
    archiveProject(input: $input) {
      __typename
      ... on ArchiveProjectPayload {
        project {
          ...ProjectItem
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const UnarchiveProject = graphql(`
  mutation UnarchiveProject($input: UnarchiveProjectInput!) {
    unarchiveProject(input: $input) {
      __typename
      ... on UnarchiveProjectPayload {
        project {
          ...ProjectItem
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const SetProjectQuota = graphql(`
  mutation SetProjectQuota($input: SetProjectQuotaInput!) {
    setProjectQuota(input: $input) {
      __typename
      ... on SetProjectQuotaPayload {
        project {
          ...ProjectItem
        }
      }
      ... on ConcurrencyError {
        actualVersion
      }
      ...Refusal
    }
  }
`);

/** The project's quota and usage as they stand, read past the cache after someone else changed the quota. */
export const ProjectQuotaNow = graphql(`
  query ProjectQuotaNow($id: ID!) {
    project(id: $id) {
      ...ProjectItem
    }
  }
`);

/**
 * The project with its usage and quota after any change of any of its requests, whoever made it: for members, whose
 * feed of the project's requests holds only their own. The cache stores it over the project's.
 */
export const ProjectUsageChanged = graphql(`
  subscription ProjectUsageChanged($projectId: ID!) {
    projectUsageChanged(projectId: $projectId) {
      id
      ...ProjectQuotaUsage
    }
  }
`);

/**
 * The changes of one project's requests, each carrying the project's usage and quota as read when it was delivered:
 * the cache stores them over the project's, so its meters move with every change (an admin's feed holds every request
 * of the project, a member's only their own).
 */
export const ProjectUsageChanges = graphql(`
  subscription ProjectUsageChanges($projectId: ID!, $since: String) {
    vmRequestChanges(projectId: $projectId, since: $since) {
      cursor
      vmRequest {
        ...VmRequestSummary
        project {
          id
          ...ProjectQuotaUsage
        }
      }
    }
  }
`);
