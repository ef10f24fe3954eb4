// In progress: replaced by the page's implementation.
export function RequestDetailPage() {
  return <h1>RequestDetailPage</h1>;
}
