import { graphql } from '../gql/index.ts';

/** What every mutation's refusal shows: its message and, for a ValidationError, each invalid field with its own. */
export const RefusalFragment = graphql(`
  fragment Refusal on Error {
    message
    ... on ValidationError {
      fields {
        field
        message
      }
    }
  }
`);
