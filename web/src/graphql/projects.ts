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
    usage {
      vms
      vcpus
      memoryGb
      diskGb
      monthlyCostEur
    }
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
      ... on Error {
        message
      }
      ... on ValidationError {
        fields {
          field
          message
        }
      }
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
      ... on Error {
        message
      }
      ... on ValidationError {
        fields {
          field
          message
        }
      }
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
