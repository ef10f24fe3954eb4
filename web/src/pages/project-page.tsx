// In progress: replaced by the page's implementation.
export function ProjectPage() {
  return <h1>ProjectPage</h1>;
}
