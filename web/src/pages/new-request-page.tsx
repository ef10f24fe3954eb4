// In progress: replaced by the page's implementation.
export function NewRequestPage() {
  return <h1>NewRequestPage</h1>;
}
