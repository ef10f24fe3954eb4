// In progress: replaced by the page's implementation.
export function ApprovalsPage() {
  return <h1>ApprovalsPage</h1>;
}
