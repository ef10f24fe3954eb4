// In progress: replaced by the page's implementation.
export function MyRequestsPage() {
  return <h1>MyRequestsPage</h1>;
}
