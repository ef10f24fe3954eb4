// In progress: replaced by the page's implementation.
export function ProjectsPage() {
  return <h1>ProjectsPage</h1>;
}
