import { graphql } from '../gql/index.ts';

/** Every setting the vCenter page shows (the password never comes back: passwordSet says whether one is stored). */
export const VmwareSettingsFieldsFragment = graphql(`
  fragment VmwareSettingsFields on VmwareConnection {
    version
    url
    username
    passwordSet
    datacenter
    cluster
    resourcePool
    datastore
    folder
    network
    templates {
      size
      template
    }
    defaultTemplate
    ipPool {
      cidr
      gateway
      dnsServers
      dnsDomain
    }
    tls {
      caPem
      insecure
    }
    updatedAt
    updatedBy
  }
`);

export const VmwareConnectionQuery = graphql(`
  query VmwareConnectionSettings {
    vmwareConnection {
      ...VmwareSettingsFields
    }
  }
`);

export const SetVmwareConnection = graphql(`
  mutation SetVmwareConnection($input: SetVmwareConnectionInput!) {
    setVmwareConnection(input: $input) {
      __typename
      ... on SetVmwareConnectionPayload {
        connection {
          ...VmwareSettingsFields
        }
      }
      ...Refusal
    }
  }
`);

export const TestVmwareConnection = graphql(`
  mutation TestVmwareConnection($input: TestVmwareConnectionInput!) {
    testVmwareConnection(input: $input) {
      __typename
      ... on TestVmwareConnectionPayload {
        ok
        durationMs
        failureCode
        failureMessage
      }
      ...Refusal
    }
  }
`);

export const RemoveVmwareConnection = graphql(`
  mutation RemoveVmwareConnection($input: RemoveVmwareConnectionInput!) {
    removeVmwareConnection(input: $input) {
      __typename
      ... on RemoveVmwareConnectionPayload {
        removedBy
      }
      ...Refusal
    }
  }
`);
